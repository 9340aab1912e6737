// SPDX-License-Identifier: GPL-3.0-or-later
// What rpc/codec.cpp and rpc/codec_template.cpp share: the test for protobuf's wrapper types,
// which the JSON mapping writes as their bare values. Private to those files.
#pragma once

#include <google/protobuf/descriptor.h>

#include <set>
#include <string>

namespace rpc {

// Unnamed as when it lived in codec.cpp, so each .cpp has its own; inline, so a file that
// includes this and does not use it is not warned about it.
namespace {

inline bool isWrapper(const google::protobuf::Descriptor *d)
{
    static const std::set<std::string> names = {
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
    return names.count(d->full_name()) > 0;
}

} // namespace

} // namespace rpc
