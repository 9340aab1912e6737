// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"

#include <grpcpp/channel.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>

namespace rpc::internal {

// Makes a channel for `options`, reading PEM files as needed. `minReceiveBytes` raises the
// receive limit (reflection replies can be large).
Result<std::shared_ptr<grpc::Channel>> makeChannel(const ChannelOptions &options, int minReceiveBytes = 0);

// The bytes of a received buffer, copied once.
std::string bufferBytes(const grpc::ByteBuffer &buffer);

} // namespace rpc::internal
