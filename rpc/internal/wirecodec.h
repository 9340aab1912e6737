// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JSON straight to protobuf wire bytes and back, with no message object in between.
//
// Building and destroying a DynamicMessage, and reading it field by field through reflection,
// was most of the engine's per-call codec time (bench/codecbench). These functions walk the
// JSON DOM or the wire bytes against a per-type plan built once from the descriptors.
//
// They cover proto3 messages whose fields are not of well-known types. Whatever they do not
// cover they refuse (return false) rather than guess, and the caller takes the slower paths,
// which know everything: a well-known type present, a proto2 message, a singular message field
// that appears more than once (protobuf merges those), two members of one oneof on the wire,
// a repeated map key, invalid UTF-8 in a string, and any malformed bytes (the slow path then
// words the error).

#include "rpc/internal/jsondom.h"

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rpc::internal {

struct WireMessage;

// A type of google/protobuf/*.proto: the JSON mapping gives many of them forms of their own.
bool isWellKnownType(const google::protobuf::Descriptor *d);

// Well-formed UTF-8, as protobuf demands of strings (and of JSON text).
bool validUtf8(const std::uint8_t *s, std::size_t n);

struct WireField
{
    const google::protobuf::FieldDescriptor *descriptor = nullptr;
    int number = 0;
    google::protobuf::FieldDescriptor::Type type = google::protobuf::FieldDescriptor::TYPE_INT32;
    int oneof = -1;        // index of the real oneof it belongs to
    bool repeated = false; // maps too
    bool packed = false;   // written packed (proto3 repeated numeric fields)
    bool map = false;
    bool presence = false;                // message, oneof member, proto3 optional
    std::string jsonKey;                  // "\"jsonName\":"
    std::string originalKey;              // "\"proto_name\":"
    const WireMessage *message = nullptr; // message fields and map entries
    const google::protobuf::EnumDescriptor *enumType = nullptr;
};

struct WireMessage
{
    const google::protobuf::Descriptor *descriptor = nullptr;
    bool direct = false;                         // proto3 and not a well-known type
    bool proto3 = false;                         // proto3 (well-known types too): wireCheck walks it
    bool nonDirectFields = false;                // some message field's type is not direct
    std::vector<WireField> fields;               // declaration order
    std::vector<std::int16_t> byNumber;          // field number -> index, -1 for none
    std::unordered_map<int, int> sparse;         // numbers beyond byNumber
    std::unordered_map<std::string, int> byName; // proto, camel-case and JSON names
    const WireField *field(std::uint32_t number) const
    {
        if (number < byNumber.size())
            return byNumber[number] >= 0 ? &fields[byNumber[number]] : nullptr;
        const auto it = sparse.find(static_cast<int>(number));
        return it == sparse.end() ? nullptr : &fields[it->second];
    }
};

// Plans per message type, built on first use for the whole tree below it. Thread-safe; plans
// never change once built and live as long as this object.
class WirePlans
{
public:
    const WireMessage *plan(const google::protobuf::Descriptor *d);

private:
    WireMessage *build(const google::protobuf::Descriptor *d);
    std::mutex m_mutex;
    std::unordered_map<const google::protobuf::Descriptor *, std::unique_ptr<WireMessage>> m_plans;
};

// Appends the wire bytes of `value`, which the validator has accepted for type `m`. False when
// this path does not cover the value; `out` is then unspecified.
bool jsonToWire(const WireMessage &m, const json::Value &value, std::string *out);

// Appends the compact proto3 JSON of the message in `bytes`. False when this path does not
// cover the bytes (see above); `out` is then unspecified.
bool wireToJson(const WireMessage &m, std::string_view bytes, bool emitDefaults, bool originalNames,
                std::string *out);

// Whether protobuf would parse `bytes` as message `m`, found without building anything: every
// field well-formed, proto3 strings valid UTF-8, nested messages and map entries likewise, at
// most 100 levels deep. True only when it walked the whole message; false when the bytes are
// bad or when this path does not cover them (proto2, groups, deeper nesting): ask protobuf then.
bool wireCheck(const WireMessage &m, std::string_view bytes);

} // namespace rpc::internal
