// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"
#include "rpc/schema.h"

#include <string>
#include <utility>

namespace rpc::internal {

// A received message's bytes into its event, by one rule for both engines: kept as bytes when
// shorter than the request's lazy-decode size (the consumer decodes them when shown), else
// decoded to JSON now; the bytes stay too when the request keeps them or decoding failed.
inline void takeReceivedBytes(CallEvent &e, std::string bytes, const CallRequest &request,
                              const std::string &outputType)
{
    if (bytes.size() < request.lazyDecodeBelow) {
        e.undecoded = true;
        e.raw = std::move(bytes);
        return;
    }
    auto decoded = request.schema->decode(outputType, bytes, request.codec);
    if (decoded)
        e.payload = std::move(decoded.value());
    else
        e.error = decoded.error().message;
    if (request.keepRaw || !decoded)
        e.raw = std::move(bytes);
}

} // namespace rpc::internal
