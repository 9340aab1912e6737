// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/eventqueue.h"
#include "rpc/schema.h"
#include "rpc/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rpc {

// What it takes to start a call. The caller picks the id; every event echoes it.
struct CallRequest
{
    std::uint64_t callId = 0;
    SchemaPtr schema;
    std::string method; // "pkg.Svc/Method" or "pkg.Svc.Method"
    ChannelOptions channel;
    Metadata metadata;
    std::int64_t deadlineMs = 0;       // 0: none
    std::vector<std::string> messages; // sent at once, in order
    // Half-close after `messages`. Unary and server-streaming calls always do.
    bool closeAfterMessages = true;
    CodecOptions codec;
    bool keepRaw = false; // put message bytes in CallEvent::raw as well
    // Received messages smaller than this many bytes are not decoded on the engine thread:
    // their event carries the bytes in `raw`, an empty `payload` and `undecoded` set, for a
    // consumer that keeps bytes and decodes only what it shows (Schema::decode). Bigger
    // messages are still decoded here, off the consumer's thread.
    std::size_t lazyDecodeBelow = 0;
    // The protocol, HTTP version and (Connect) message codec. A web protocol takes the target
    // as "host:port" (plaintext from `channel`) or as a URL, "http://host:port/prefix" or
    // "https://...", whose scheme decides TLS and whose path goes before "/pkg.Service/Method".
    // What a protocol cannot do (rpc/web.h, callProblem) ends the call at once with an error.
    Protocol protocol = Protocol::Grpc;
    HttpVersion httpVersion = HttpVersion::Default;
    ContentCodec contentCodec = ContentCodec::Proto;
};

// A load run, for benchmarks: `total` calls like `call` (or as many as fit in `durationMs`),
// at most `concurrency` at once. The engine thread starts each next call itself as one ends,
// so a run measures the engine rather than hand-offs between threads. Calls get the ids
// call.callId, call.callId + 1, ... and report only Started and Finished (whose `index` is
// the number of messages received). The request messages are encoded once, for the first
// call; every call sends those bytes. Replies are checked, not decoded: each must be a message
// of the method's output type that protobuf would parse (Schema::check), and the first that is
// not ends its call with INTERNAL, naming it. A call that fails before sending stops the run.
// activeCalls() is 0 once the run is over.
struct LoadRequest
{
    CallRequest call;
    long total = 0;
    int concurrency = 1;
    std::int64_t durationMs = 0;
};

// Runs gRPC calls of all four kinds on its own thread, and calls of the web protocols (gRPC-Web,
// Connect; CallRequest::protocol) on a second thread with libcurl. Every method returns at once;
// results arrive as CallEvents in events(). A call always ends with exactly one Finished
// event, also when it could not start (bad JSON, unknown method, no connection).
class Engine
{
public:
    Engine();
    ~Engine(); // cancels running calls and joins the thread

    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    EventQueue &events();

    void start(CallRequest request);
    void startLoad(LoadRequest load);
    // Queues one more request message for a client or bidi stream.
    void send(std::uint64_t callId, std::string message);
    void halfClose(std::uint64_t callId);
    void cancel(std::uint64_t callId);

    // Number of calls not yet finished (for tests and benches). A call counts until its
    // Finished event is in events(): once this is 0, draining events() gets every Finished.
    int activeCalls() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc
