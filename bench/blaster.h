// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

namespace bench {

// A bare HTTP/2 gRPC server for benchmarks that need a stream faster than a gRPC C++ sync
// server writes one message at a time: it answers every call on any path with `count`
// messages of wirescope.testing.StreamItem {index: i} packed into full DATA frames, paced at
// `rate` messages per second (0: as fast as the client's flow control lets it), then status OK.
// Built on nghttp2's server session; runs on its own thread.
class StreamBlaster
{
public:
    StreamBlaster(long count, long rate);
    ~StreamBlaster();
    StreamBlaster(const StreamBlaster &) = delete;
    StreamBlaster &operator=(const StreamBlaster &) = delete;

    // Listens on 127.0.0.1; returns "127.0.0.1:<port>", or an empty string.
    std::string start();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace bench
