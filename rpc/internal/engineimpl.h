// SPDX-License-Identifier: GPL-3.0-or-later
// The gRPC engine's insides that engine.cpp and engine_call.cpp share: Engine::Impl (the
// engine thread's state), one call (Impl::Call, whose member functions are in engine_call.cpp)
// and the completion-queue tags. Private to rpc.
#pragma once

#include "rpc/engine.h"
#include "rpc/internal/channels.h"
#include "rpc/internal/httpengine.h"
#include "rpc/internal/loadruns.h"
#include "rpc/internal/wirecodec.h"

#include <grpcpp/alarm.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rpc {

// Every completion-queue tag is a Tag; the engine thread calls done() for it, and done()
// deletes the tag, unless something else owns it (a call's read tag).
struct Tag
{
    virtual ~Tag() = default;
    virtual void done(bool ok) = 0;
};

template<typename Fn> struct FnTag final : Tag
{
    explicit FnTag(Fn f)
        : fn(std::move(f))
    {}
    void done(bool ok) override
    {
        fn(ok);
        delete this;
    }
    Fn fn;
};

struct Engine::Impl
{
    struct Call;

    Impl();
    ~Impl();

    void run();

    void flush()
    {
        if (!outbox.empty()) {
            events.push(std::move(outbox));
            outbox = {};
            outbox.reserve(64); // one allocation rather than a growing vector moving its events
        }
        urgent = false;
        // Calls that ended stop counting as active only now that their Finished is in `events`:
        // a consumer that drains once more when activeCalls() reaches 0 (wirescope-cli bench)
        // would otherwise miss the last Finished still waiting here for the end of its burst.
        if (endedUnflushed > 0)
            active.fetch_sub(std::exchange(endedUnflushed, 0));
    }

    void post(std::function<void()> fn);

    void runInbox()
    {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(inboxMutex);
            batch.swap(inbox);
            wakePending = false;
        }
        for (auto &fn : batch)
            fn();
    }

    void maybeShutdownQueue()
    {
        if (m_stopping && calls.empty() && !m_queueShut) {
            m_queueShut = true;
            cq.Shutdown();
        }
    }

    std::shared_ptr<grpc::Channel> channelFor(const ChannelOptions &options, std::string *error)
    {
        const std::string key = options.cacheKey();
        if (auto it = channels.find(key); it != channels.end())
            return it->second;
        auto made = internal::makeChannel(options);
        if (!made) {
            *error = made.error().message;
            return nullptr;
        }
        channels.emplace(key, *made);
        return *made;
    }

    // Engine thread only: queued for the consumer at the end of the current burst. Received
    // messages, and the starts and ends of a load run's calls (`coalesce`), wait for the end of
    // the coalescing window instead, unless something urgent comes with them.
    void emit(CallEvent e, bool coalesce = false)
    {
        urgent = urgent || (e.kind != EventKind::MessageReceived && !coalesce);
        outbox.push_back(std::move(e));
    }

    // A request message in wire form, and its text for the MessageSent event.
    struct Pending
    {
        std::string bytes;
        std::string text;
    };
    // What a call is made of besides its own state: the request (its messages taken out, its
    // header names checked and lowercased), the method and its HTTP/2 path. The calls of a load
    // run share one, made for the first: copying the request and the method for each call was
    // about a twentieth of the engine's instructions per unary call (callgrind, 8-byte Echo).
    struct Prepared
    {
        CallRequest request;
        MethodInfo method;
        std::string path;
    };

    // Starts a call; false when it ended at once (bad input, no channel: Finished is out).
    bool start(CallRequest request, std::uint64_t loadId = 0);
    // Starts a call from what start() checked and prepared; false when it ended at once.
    bool launch(std::uint64_t id, std::shared_ptr<const Prepared> prepared,
                std::shared_ptr<grpc::Channel> channel, std::vector<Pending> writes, std::uint64_t loadId);
    void cancelCall(Call &call, const std::string &why);
    bool failLocally(std::uint64_t id, MethodKind kind, int code, std::string message);

    // Load runs: the engine thread starts each next call itself when one ends.
    // What a load run keeps besides its counts (internal::LoadRuns).
    struct LoadShared
    {
        // Made by the first call and shared by the others (the run's `base` is then emptied).
        std::shared_ptr<const Prepared> prepared;
        std::shared_ptr<grpc::Channel> channel;
        const internal::WireMessage *replyPlan = nullptr;
        // The request messages in wire form: every call sends the same, so they are encoded
        // once, for the first call.
        std::vector<std::string> encoded;
    };
    void startLoad(LoadRequest request);
    void loadCallDone(std::uint64_t loadId);
    bool launchLoadCall(internal::LoadRuns<LoadShared>::Run &run, std::uint64_t loadId, std::uint64_t callId);

    // Calls of the web protocols run on an HTTP engine's thread, made when the first one starts;
    // those that ask for HTTP/2 on one of their own (internal::HttpEngine says why).
    internal::HttpEngine &webEngine(const CallRequest &request)
    {
        std::lock_guard lock(webMutex);
        auto &engine = internal::HttpEngine::isHttp2(request) ? webHttp2 : web;
        if (!engine)
            engine = std::make_unique<internal::HttpEngine>(events, active, &engine == &webHttp2);
        return *engine;
    }
    internal::HttpEngine *webCall(std::uint64_t callId)
    {
        std::lock_guard lock(webMutex);
        for (auto *engine : {web.get(), webHttp2.get()}) {
            if (engine && engine->owns(callId))
                return engine;
        }
        return nullptr;
    }

    EventQueue events;
    std::vector<CallEvent> outbox; // engine thread: events of the current burst
    bool urgent = false;           // the outbox holds more than received messages
    grpc::CompletionQueue cq;
    std::mutex inboxMutex;
    std::vector<std::function<void()>> inbox;
    bool wakePending = false;

    // engine thread only
    std::map<std::uint64_t, std::unique_ptr<Call>> calls;
    std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
    internal::LoadRuns<LoadShared> loads;
    bool m_stopping = false;
    bool m_queueShut = false;
    std::atomic<int> active{0};
    int endedUnflushed = 0; // engine thread: calls ended since the last flush()
    std::mutex webMutex;
    std::unique_ptr<internal::HttpEngine> web;      // guarded by webMutex
    std::unique_ptr<internal::HttpEngine> webHttp2; // guarded by webMutex

    // While a call that receives a stream is open, a second thread waits on a completion queue
    // of its own with no operations, so that gRPC can use it to poll sockets while the engine
    // thread decodes. Read by the engine thread alone, a fast stream came a message or two per
    // socket read and the engine's Read requests sent about four times the stub's count of
    // WINDOW_UPDATE frames (more work for client and server); with this thread the engine's
    // stream went from 94-97k to 120-129k msg/s (docs/performance.md). Unary load runs did a
    // fifth worse with it (extra hand-offs), so it polls only while such a stream is open.
    void pollWhileStreaming();

    void streamingCallOpened(bool opened)
    {
        std::lock_guard lock(pollMutex);
        streamingCalls += opened ? 1 : -1;
        if (streamingCalls == 1 && opened)
            pollCv.notify_one();
    }

    std::mutex pollMutex;
    std::condition_variable pollCv;
    int streamingCalls = 0; // guarded by pollMutex
    bool pollStop = false;  // guarded by pollMutex
    grpc::CompletionQueue pollQueue;
    std::thread poller{[this] { pollWhileStreaming(); }};

    std::thread thread; // last: starts after everything above exists
};

// One call of any kind. The method only decides how many messages may be sent; everything
// else is the same state machine: start, headers, reads until the end, writes one at a time,
// half-close, finish.
struct Engine::Impl::Call
{
    Call(Impl *engine, std::uint64_t callId, std::shared_ptr<const Prepared> p);
    ~Call();

    Impl *impl;
    const std::uint64_t id; // the request's callId (a load run's calls share one request)
    const std::shared_ptr<const Prepared> prepared;
    const CallRequest &request = prepared->request;
    const MethodInfo &method = prepared->method;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
    grpc::ClientContext context;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> stream;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> unary;
    grpc::ByteBuffer readBuffer;
    grpc::Status status;
    std::unique_ptr<grpc::Alarm> connectAlarm;

    std::deque<Pending> writes;
    bool writing = false;
    bool closeRequested = false;
    bool closed = false;
    bool readsDone = false;
    bool finishing = false;
    bool finished = false;
    bool headersSeen = false;
    bool connectTimedOut = false;
    bool corked = false;
    bool quiet = false;        // part of a load run: report start and end only
    bool streaming = false;    // receives a stream: counted in streamingCalls
    std::uint64_t loadId = 0;  // the load run it belongs to, 0 for none
    bool nextLaunched = false; // its load run has been told it ended (the next call is out)
    // Inbound events that complete while a write is in flight wait for that write's
    // MessageSent, so the event list keeps the order things happened on the wire: the
    // completion queue may hand back the server's answer before the write's own completion.
    std::vector<CallEvent> held;
    int outstanding = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    // A call of a load run checks its replies against this plan of the output type rather than
    // decoding them; the first that protobuf would not parse is described here and ends it.
    const internal::WireMessage *replyPlan = nullptr;
    std::string replyError;
    std::int64_t finishedAtNs = 0; // when the call's end arrived, if it was reported later

    // Reads are the one operation a stream repeats for every message: their tag lives as long
    // as the call rather than being allocated per read.
    struct ReadTag final : Tag
    {
        explicit ReadTag(Call *c)
            : call(c)
        {}
        void done(bool ok) override
        {
            --call->outstanding;
            call->onRead(ok);
            call->release(); // may destroy the call, and this tag with it
        }
        Call *call;
    };
    ReadTag readTag{this};

    // Defined in engine_call.cpp.
    void read();
    CallEvent event(EventKind kind, Direction dir) const;
    void report(CallEvent e);
    void emitInbound(CallEvent e);
    void releaseHeld();
    template<typename Fn> void *tag(Fn fn);
    void release();
    void begin();
    void beginUnary();
    void reportSent(std::int64_t issued, std::size_t size, std::string text, bool halfClosed);
    void onUnaryDone(std::int64_t issued, std::size_t size, std::string text);
    void beginStream();
    void onConnectAlarm(bool fired);
    void stopConnectAlarm();
    void onHeaders(bool ok);
    void onRead(bool ok);
    void checkReply(std::string_view bytes);
    void deliver(std::string bytes);
    void deliverBuffer();
    void queue(std::string text);
    void requestClose();
    void pumpWrites();
    void startFinish();
    void onFinished();
};

} // namespace rpc
