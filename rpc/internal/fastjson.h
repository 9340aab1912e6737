// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JSON to message and back by reflection, for message trees that use no well-known types.
// protobuf's converter (util::JsonToBinaryString and back) rebuilds type information from the
// descriptors on every call and streams through several layers; for a plain request that is
// most of an engine call's time (measured in bench/callbench). Trees with well-known types
// (Any, Timestamp, Struct, wrappers, ...) keep using the converter, which knows their mappings.

#include "rpc/internal/jsondom.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace rpc::internal {

// Remembers, per message type, whether its tree is free of well-known types. Thread-safe.
class PlainTypes
{
public:
    bool isPlain(const google::protobuf::Descriptor *d);

private:
    bool compute(const google::protobuf::Descriptor *d,
                 std::unordered_map<const google::protobuf::Descriptor *, bool> *visiting);
    std::mutex m_mutex;
    std::unordered_map<const google::protobuf::Descriptor *, bool> m_plain;
};

// Whether a JSON value for type `d`, or a parsed message, sets any field of a well-known type:
// only then does it need protobuf's converter.
bool usesWellKnown(const google::protobuf::Descriptor *d, const json::Value &value);
bool usesWellKnown(const google::protobuf::Message &msg);

// Fills `msg` from a JSON value that the validator has accepted for its type. Unknown fields
// are skipped (the validator has already refused them unless they are allowed).
void jsonToMessage(const json::Value &value, google::protobuf::Message *msg);

// Prints `msg` as compact JSON by the proto3 mapping.
void messageToJson(const google::protobuf::Message &msg, bool emitDefaults, bool originalNames,
                   std::string *out);

} // namespace rpc::internal
