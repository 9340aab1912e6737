// SPDX-License-Identifier: GPL-3.0-or-later
// The web engine's insides that its .cpp files share: HttpEngine::Impl (the engine thread's
// state), one call (Impl::Call, whose member functions are in httpengine_call.cpp), where a call
// goes (Endpoint), the h2c bookkeeping (H2cServer), and the few helpers more than one file uses.
// Private to rpc: included by httpengine.cpp, httpengine_call.cpp and httpengine_request.cpp.
#pragma once

#include "rpc/internal/httpengine.h"
#include "rpc/internal/loadruns.h"
#include "rpc/internal/webwire.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rpc::internal {

// Unnamed as when they lived in one file, so each .cpp has its own; inline, so a file that uses
// only some of them is not warned about the rest.
namespace {

namespace web = rpc::internal::web;

constexpr int kUnknown = 2, kInvalidArgument = 3, kDeadlineExceeded = 4, kAlreadyExists = 6,
              kResourceExhausted = 8, kFailedPrecondition = 9, kUnimplemented = 12, kInternal = 13,
              kUnavailable = 14, kCancelled = 1;

inline std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

inline bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

inline bool isBinaryKey(std::string_view key)
{
    return key.size() > 4 && key.substr(key.size() - 4) == "-bin";
}

} // namespace

// Where a call goes: its URL, and how libcurl reaches it.
struct Endpoint
{
    std::string base; // "http://host:port/prefix" without the method's path
    bool tls = false;
    std::string connectTo; // CURLOPT_CONNECT_TO entry when the TLS name differs from the address
    std::string unixPath;
    bool abstractUnix = false;
    std::string shown;  // the address as the user gave it, for messages
    std::string server; // the connection's end: address or socket, without the prefix
};

// HTTP/2 to one server (asked for with HttpVersion::Http2). Without TLS (h2c) libcurl 7.88 (Debian 12) has a
// bug: a transfer asking for HTTP/2 with prior knowledge that reuses a connection (or joins one as a
// multiplexed stream) switches HTTP/2 on a second time and fails with "Error in the HTTP2 framing layer"
// (curl issue 10634, fixed in 8.0). So only a transfer that will open the connection asks for
// prior knowledge; the others ask for HTTP/2 and wait (PIPEWAIT) to join the one there is. The
// engine counts the sockets it opens to the server, and the prior-knowledge calls under way.
//
// libcurl 7.88 also resets every HTTP/2 stream it has finished with (RST_STREAM STREAM_CLOSED,
// after the server's END_STREAM). Servers built on nghttp2 1.57 or later (Node among them) take
// a thousand such resets on one connection for the "rapid reset" attack and end it with GOAWAY,
// failing the calls under way. So after kStreamsPerConnection calls the next call opens a fresh
// connection, and calls that start meanwhile wait for it (`held`) rather than join the old one.
constexpr int kStreamsPerConnection = 500;
struct H2cServer
{
    int sockets = 0;
    int opening = 0;                 // calls started with prior knowledge and not finished
    int streams = 0;                 // calls since the newest connection was asked for
    bool rotating = false;           // a call is opening a fresh connection; new calls wait
    const void *opener = nullptr;    // that call
    std::vector<std::uint64_t> held; // calls waiting for it
};

struct HttpEngine::Impl
{
    struct Call;

    Impl(EventQueue &queue, std::atomic<int> &activeCount, bool http2);
    ~Impl();

    void post(std::function<void()> fn)
    {
        {
            std::lock_guard lock(inboxMutex);
            inbox.push_back(std::move(fn));
        }
        curl_multi_wakeup(multi);
    }

    void run();
    void runInbox()
    {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(inboxMutex);
            batch.swap(inbox);
        }
        for (auto &fn : batch)
            fn();
    }

    void emit(CallEvent e) { outbox.push_back(std::move(e)); }
    void flush()
    {
        if (outbox.empty())
            return;
        events.push(std::move(outbox));
        outbox = {};
        outbox.reserve(64);
    }

    bool start(CallRequest request, std::uint64_t loadId = 0);
    bool failLocally(std::uint64_t id, MethodKind kind, int code, std::string message);
    void finish(Call &call, RpcStatus status, Metadata trailers);
    bool hand(Call &call); // adds the call's transfer to libcurl
    void releaseHeld(H2cServer &server);
    void reapDone();
    void sweep();
    int waitMs();

    // What a load run keeps besides its counts (LoadRuns): the method, found once.
    struct LoadShared
    {
        std::optional<MethodInfo> method;
    };
    void startLoad(LoadRequest request);
    void loadCallDone(std::uint64_t loadId);
    bool launchLoadCall(LoadRuns<LoadShared>::Run &run, std::uint64_t loadId, std::uint64_t callId);

    void disown(std::uint64_t id)
    {
        std::lock_guard lock(ownedMutex);
        owned.erase(id);
    }

    EventQueue &events;
    std::atomic<int> &active;
    CURLM *multi = nullptr;
    std::mutex inboxMutex;
    std::vector<std::function<void()>> inbox;
    mutable std::mutex ownedMutex;
    std::set<std::uint64_t> owned; // guarded by ownedMutex
    std::atomic<bool> stopRequested{false};

    // engine thread only
    std::map<std::uint64_t, std::unique_ptr<Call>> calls;
    LoadRuns<LoadShared> loads;
    std::vector<CURL *> spare;                   // easy handles of ended calls, reset, for the next calls
    std::map<std::string, H2cServer> h2cServers; // by address; never erased (sockets refer to them)
    std::vector<CallEvent> outbox;
    bool stopping = false;
    std::thread thread;
};

// One call: one HTTP request whose body carries the request messages and whose response carries
// the answer. gRPC-Web and Connect streams frame messages in 5-byte envelopes; a Connect unary
// call sends and receives one bare message. Callbacks from libcurl only record what happened;
// the call is ended (and its handle removed) by the loop, never from inside a callback.
struct HttpEngine::Impl::Call
{
    enum class Mode { GrpcWeb, ConnectUnary, ConnectStream };

    Call(Impl *engine, CallRequest req, MethodInfo info);

    Impl *impl;
    CallRequest request;
    MethodInfo method;
    Mode mode = Mode::GrpcWeb;
    bool textRequest = false; // the request body is base64 (grpc-web-text)
    bool json = false;        // Connect with the JSON codec
    std::size_t maxReceive;
    Endpoint endpoint;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    curl_slist *connectTo = nullptr;
    curl_slist *proxyHeaders = nullptr;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    struct Pending
    {
        std::string bytes;    // as they go on the wire (framed, compressed, base64)
        std::size_t size = 0; // the message's own size
        std::string text;
    };
    std::deque<Pending> writes;
    std::size_t writeOffset = 0;
    bool closeRequested = false;
    bool halfClosedReported = false;
    bool bodyDone = false; // the read callback has said end of body
    bool paused = false;   // the read callback paused the upload for want of messages
    std::uint64_t sent = 0;
    std::uint64_t received = 0;

    int httpStatus = 0;
    bool interim = false; // reading a 1xx response's headers
    bool headersDone = false;
    Metadata responseHeaders; // as received, names lowercase
    Metadata httpTrailers;    // HTTP trailers after the body
    bool textResponse = false;
    bool errorBody = false; // a non-200 answer: the body says why
    bool trailersOnly = false;
    std::string encoding; // how compressed messages of the response are compressed
    web::EnvelopeReader reader;
    web::Base64Stream base64;
    std::string body;
    bool endSeen = false;             // the trailer block or the end-of-stream message arrived
    std::int64_t completeSinceNs = 0; // when the answer was seen complete while libcurl went on
    std::optional<RpcStatus> status;
    Metadata trailers;

    H2cServer *h2c = nullptr;      // the h2c server's bookkeeping, for calls over h2c
    H2cServer *opensH2c = nullptr; // asked for prior knowledge: it opens the h2c connection
    bool added = false;            // handed to libcurl (a held call is not yet)
    std::int64_t deadlineNs = 0;
    bool quiet = false;
    std::uint64_t loadId = 0;
    bool finished = false;

    // Defined in httpengine_call.cpp.
    CallEvent event(EventKind kind, Direction dir) const;
    void report(CallEvent e);
    void failInside(int code, std::string message);
    Result<std::string> encodeMessage(std::string_view text) const;
    Pending frame(std::string payload, std::string text) const;
    bool queueMessage(std::string text, std::string *error);
    void reportSent(Pending &p);
    void reportHalfClosed();
    std::size_t onRead(char *buffer, std::size_t room);
    void resumeUpload();
    void onHeaderLine(std::string_view line);
    void onHeadersDone();
    std::size_t onBody(const char *data, std::size_t size);
    bool inflate(std::string *payload);
    bool handleFrame(std::uint8_t flags, std::string payload);
    void deliver(std::string bytes);
    RpcStatus grpcStatusFrom(Metadata &md);
    bool answerComplete() const;
    static std::size_t readCallback(char *buffer, std::size_t size, std::size_t count, void *userdata);
    static std::size_t writeCallback(char *data, std::size_t size, std::size_t count, void *userdata);
    static std::size_t headerCallback(char *data, std::size_t size, std::size_t count, void *userdata);
    RpcStatus outcome(CURLcode rc);
};

} // namespace rpc::internal
