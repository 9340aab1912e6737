// SPDX-License-Identifier: GPL-3.0-or-later
// What rpc/schema.cpp and rpc/schema_load.cpp share: the files under a file, imports first.
// Private to those two files.
#pragma once

#include <google/protobuf/descriptor.h>

#include <set>
#include <vector>

namespace rpc {

// Unnamed as when it lived in schema.cpp, so each .cpp has its own; inline, so a file that
// includes this and does not use it is not warned about it.
namespace {

inline void walkFiles(const google::protobuf::FileDescriptor *f,
                      std::set<const google::protobuf::FileDescriptor *> *seen,
                      std::vector<const google::protobuf::FileDescriptor *> *order)
{
    if (!seen->insert(f).second)
        return;
    for (int i = 0; i < f->dependency_count(); ++i)
        walkFiles(f->dependency(i), seen, order);
    order->push_back(f);
}

} // namespace

} // namespace rpc
