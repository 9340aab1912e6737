// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"

#include <grpcpp/channel.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <string>
#include <string_view>

namespace rpc::internal {

// Makes a channel for `options`, reading PEM files as needed. `minReceiveBytes` raises the
// receive limit (reflection replies can be large).
Result<std::shared_ptr<grpc::Channel>> makeChannel(const ChannelOptions &options, int minReceiveBytes = 0);

// The bytes of a received buffer, copied once.
std::string bufferBytes(const grpc::ByteBuffer &buffer);
// The bytes of a received buffer without a copy when gRPC holds them in one slice (as it does
// for all but big messages): `single` keeps them alive after the buffer is cleared. Otherwise
// they are joined into `joined`.
std::string_view bufferView(const grpc::ByteBuffer &buffer, grpc::Slice *single, std::string *joined);

} // namespace rpc::internal
