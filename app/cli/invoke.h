// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli's method call (invoke.cpp) and the two helpers the other commands in main.cpp
// share with it.
#pragma once

#include "flags.h"

#include "rpc/schema.h"
#include "rpc/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cli {

// Prints "Failed <message>" to standard error, as grpcurl does; returns kExitError.
int fail(const std::string &message);

// With -protoset-out, writes the files that define `symbols`, and their imports, as a
// FileDescriptorSet; true when there was nothing to write or it was written, false (printed)
// when it could not be.
bool writeProtosetOut(const Flags &flags, const rpc::Schema &schema, const std::vector<std::string> &symbols);

// Invokes `methodName` at `address` with the messages that -d gives and prints what comes back;
// the exit code (0, kExitError, or kStatusCodeOffset + the status code).
int invoke(const Flags &flags, const rpc::SchemaPtr &schema, const std::string &address,
           const std::string &methodName, const rpc::Metadata &headers, int verbosity,
           std::int64_t deadlineMs);

} // namespace cli
