// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

namespace grpc {
class Service;
}

namespace testing_server {

// How the grpc.reflection.v1 service answers. Servers of other stacks differ from gRPC C++'s
// reflection; these reproduce two of the ways, so clients can be tested against them.
enum class ReflectionQuirk {
    None,           // each file with its full dependency list, dependencies sent along
    NoDependencies, // each file alone, its dependency list emptied
    MergedImports,  // the well-known types served as one file, google/protobuf/all.proto, that
                    // no import names; asking for the imported file names finds nothing
};

// A grpc.reflection.v1 ServerReflection service over the test service's compiled-in
// descriptors (gRPC 1.51's own reflection offers v1alpha only).
std::unique_ptr<grpc::Service> makeReflectionV1(ReflectionQuirk quirk);

} // namespace testing_server
