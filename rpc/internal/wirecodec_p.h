// SPDX-License-Identifier: GPL-3.0-or-later
// What rpc/internal/wirecodec.cpp (writing) and rpc/internal/wirecodec_read.cpp (reading)
// share: wire types, the depth limit, and the stable sort of fields. Private to those two files.
#pragma once

#include "rpc/internal/wirecodec.h"

#include <algorithm>

namespace rpc::internal {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// Unnamed as when they lived in wirecodec.cpp, so each .cpp has its own; inline, so a file that
// uses only some of them is not warned about the rest.
namespace {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLength = 2, kStartGroup = 3, kFixed32 = 5 };

// protobuf's own parser refuses messages nested deeper than this.
constexpr int kMaxDepth = 100;

inline int wireTypeOf(FD::Type t)
{
    switch (t) {
    case FD::TYPE_DOUBLE:
    case FD::TYPE_FIXED64:
    case FD::TYPE_SFIXED64:
        return kFixed64;
    case FD::TYPE_FLOAT:
    case FD::TYPE_FIXED32:
    case FD::TYPE_SFIXED32:
        return kFixed32;
    case FD::TYPE_STRING:
    case FD::TYPE_BYTES:
    case FD::TYPE_MESSAGE:
        return kLength;
    case FD::TYPE_GROUP:
        return kStartGroup;
    default:
        return kVarint;
    }
}

// A stable sort. The few fields of a typical message, usually in order already, are sorted in
// place with no buffer to allocate (std::stable_sort allocates one); long runs, where insertion
// could take quadratic time, go to std::stable_sort.
template<typename It, typename Less> void stableSort(It first, It last, Less less)
{
    if (last - first > 32) {
        std::stable_sort(first, last, less);
        return;
    }
    for (It i = first; i != last; ++i) {
        auto moving = std::move(*i);
        It j = i;
        for (; j != first && less(moving, *(j - 1)); --j)
            *j = std::move(*(j - 1));
        *j = std::move(moving);
    }
}

} // namespace

} // namespace rpc::internal
