// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"

#include <atomic>
#include <memory>

namespace rpc::internal {

// Runs calls of the web protocols (gRPC-Web, its text variant, Connect) over HTTP/1.1 or HTTP/2
// with libcurl's multi interface, on a thread of its own. The Engine hands it every request
// whose protocol is not gRPC; it reports the same CallEvents, with the same ids and kinds, into
// the Engine's queue, and counts its calls in the Engine's `active`. Every method returns at once.
class HttpEngine
{
public:
    // `http2`: this engine takes only calls that ask for HTTP/2, on one connection per server at
    // a time (see H2cServer in httpengineimpl.h for why); another engine takes the other web calls.
    HttpEngine(EventQueue &events, std::atomic<int> &active, bool http2 = false);
    ~HttpEngine(); // ends running calls (CANCELLED) and joins the thread

    HttpEngine(const HttpEngine &) = delete;
    HttpEngine &operator=(const HttpEngine &) = delete;

    void start(CallRequest request);
    void startLoad(LoadRequest load);
    void send(std::uint64_t callId, std::string message);
    void halfClose(std::uint64_t callId);
    void cancel(std::uint64_t callId);
    // Whether the call was started here and has not finished yet.
    bool owns(std::uint64_t callId) const;

    // Whether `request` is a web call that asks for HTTP/2.
    static bool isHttp2(const CallRequest &request);

    // The libcurl version the engine runs with ("8.1.2"), and its HTTP/2 library.
    static std::string curlVersion();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc::internal
