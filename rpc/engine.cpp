// SPDX-License-Identifier: GPL-3.0-or-later
// The gRPC engine: its thread, the one call state machine for all four call kinds (Call) and the
// channels it uses. Over 700 lines on purpose: Call is state of Engine::Impl touched only on the
// engine's thread, and splitting the two would put that state in a header for both; what the web
// engine shares with it is in rpc/internal (loadruns.h, received.h, channels.*).
#include "rpc/engine.h"

#include "rpc/internal/channels.h"
#include "rpc/internal/httpengine.h"
#include "rpc/internal/loadruns.h"
#include "rpc/internal/received.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/proxy.h"
#include "rpc/web.h"

#include <grpcpp/alarm.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <map>
#include <thread>
#include <utility>

namespace rpc {

namespace {

// gRPC says UNAVAILABLE both when no connection to the server came up and when one broke. The
// first is what its load balancing reports when a call finds no connection ("failed to connect to
// all addresses; last error: …"), or the resolver when a name does not resolve; a connection
// that broke gives the transport's own words ("Socket closed", "GOAWAY received", …). Watching
// the channel's state instead raced: a connection that is READY for a moment and then fails
// went either way.
bool isConnectFailure(const std::string &message)
{
    for (const char *prefix :
         {"failed to connect to all addresses", "DNS resolution failed", "empty address list"})
        if (message.rfind(prefix, 0) == 0)
            return true;
    return false;
}

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

Metadata toMetadata(const std::multimap<grpc::string_ref, grpc::string_ref> &md)
{
    Metadata out;
    out.reserve(md.size());
    for (const auto &[k, v] : md)
        out.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    return out;
}

} // namespace

struct Engine::Impl
{
    struct Call;

    Impl()
        : thread([this] { run(); })
    {}

    ~Impl()
    {
        {
            // Web calls end first: their Finished events go to the queue, which outlives them.
            std::lock_guard lock(webMutex);
            web.reset();
            webHttp2.reset();
        }
        post([this] {
            m_stopping = true;
            for (auto &[id, call] : calls)
                cancelCall(*call, "the engine is shutting down");
            maybeShutdownQueue();
        });
        thread.join();
        {
            std::lock_guard lock(pollMutex);
            pollStop = true;
        }
        pollCv.notify_one();
        pollQueue.Shutdown();
        poller.join();
        void *tag = nullptr;
        bool ok = false;
        while (pollQueue.Next(&tag, &ok)) {
        }
    }

    // Waits for a completion, then also handles every other one that is ready, and only then
    // hands the events they produced to the consumer: one wake-up of the consumer per burst
    // rather than per event (each wake-up is a system call on both sides). While a stream's
    // messages arrive faster than that, they are handed over at most once per kCoalesceNs: one
    // message per burst would otherwise wake the consumer once per message. Any other event
    // (a call starting or ending, headers) goes out with its burst.
    void run()
    {
        void *tag = nullptr;
        bool ok = false;
        // A burst is cut after this many completions, so a stream that never pauses still
        // reaches the consumer steadily.
        constexpr int kMaxBurst = 64;
        constexpr std::int64_t kCoalesceNs = 1000000;
        std::int64_t lastFlushNs = 0;
        for (;;) {
            if (outbox.empty() || urgent) {
                if (!cq.Next(&tag, &ok))
                    break;
            } else {
                // Only received messages are waiting: they go when the window closes, or
                // with whatever comes before that.
                const std::int64_t wait =
                    std::max<std::int64_t>(0, lastFlushNs + kCoalesceNs - monotonicNs());
                const auto due =
                    gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(wait, GPR_TIMESPAN));
                const auto status = cq.AsyncNext(&tag, &ok, due);
                if (status == grpc::CompletionQueue::SHUTDOWN)
                    break;
                if (status == grpc::CompletionQueue::TIMEOUT) {
                    flush();
                    lastFlushNs = monotonicNs();
                    continue;
                }
            }
            static_cast<Tag *>(tag)->done(ok);
            for (int n = 1; n < kMaxBurst && cq.AsyncNext(&tag, &ok, gpr_time_0(GPR_CLOCK_MONOTONIC)) ==
                                                 grpc::CompletionQueue::GOT_EVENT;
                 ++n)
                static_cast<Tag *>(tag)->done(ok);
            const std::int64_t now = monotonicNs();
            if (urgent || now - lastFlushNs >= kCoalesceNs) {
                flush();
                lastFlushNs = now;
            }
        }
        flush();
    }

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

    // Runs `fn` on the engine thread. Wakes the queue with one alarm per burst of commands.
    void post(std::function<void()> fn)
    {
        std::lock_guard lock(inboxMutex);
        inbox.push_back(std::move(fn));
        if (wakePending)
            return;
        wakePending = true;
        struct Wake final : Tag
        {
            explicit Wake(Impl *i)
                : impl(i)
            {}
            void done(bool) override
            {
                impl->runInbox();
                delete this;
            }
            Impl *impl;
            grpc::Alarm alarm;
        };
        auto *wake = new Wake(this);
        // An alarm due now still waits for gRPC's timer tick (about a millisecond, measured
        // as 1 ms per call at one call in flight). A cancelled alarm is delivered at once.
        wake->alarm.Set(&cq, std::chrono::system_clock::now() + std::chrono::hours(1), wake);
        wake->alarm.Cancel();
    }

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
    void pollWhileStreaming()
    {
        for (;;) {
            {
                std::unique_lock lock(pollMutex);
                pollCv.wait(lock, [this] { return pollStop || streamingCalls > 0; });
                if (pollStop)
                    return;
            }
            void *tag = nullptr;
            bool ok = false;
            const auto due =
                gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(50, GPR_TIMESPAN));
            if (pollQueue.AsyncNext(&tag, &ok, due) == grpc::CompletionQueue::SHUTDOWN)
                return;
        }
    }

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
    Call(Impl *engine, std::uint64_t callId, std::shared_ptr<const Prepared> p)
        : impl(engine)
        , id(callId)
        , prepared(std::move(p))
    {}
    ~Call()
    {
        if (streaming)
            impl->streamingCallOpened(false);
    }

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

    void read()
    {
        ++outstanding;
        stream->Read(&readBuffer, &readTag);
    }

    CallEvent event(EventKind kind, Direction dir) const
    {
        CallEvent e;
        e.callId = id;
        e.callKind = method.kind;
        e.kind = kind;
        e.direction = dir;
        e.timeNs = monotonicNs();
        return e;
    }

    // Every event of the call goes out here. A call of a load run reports only its start
    // and its end (with the count of messages received), not each message.
    void report(CallEvent e)
    {
        if (quiet && e.kind != EventKind::Started && e.kind != EventKind::Finished)
            return;
        // A load run's consumer counts calls and needs no wake-up per call: at one call in
        // flight that was a futex wake and a context switch per call on the engine's thread.
        impl->emit(std::move(e), quiet);
    }

    void emitInbound(CallEvent e)
    {
        if (writing && !quiet)
            held.push_back(std::move(e));
        else
            report(std::move(e));
    }

    void releaseHeld()
    {
        if (held.empty())
            return;
        for (auto &e : held)
            impl->emit(std::move(e));
        held.clear();
    }

    template<typename Fn> void *tag(Fn fn)
    {
        ++outstanding;
        return new FnTag([this, fn = std::move(fn)](bool ok) mutable {
            --outstanding;
            fn(ok);
            release();
        });
    }

    // Deletes the call once it has finished and no operation refers to it any more.
    void release()
    {
        if (finished && outstanding == 0) {
            const auto callId = id;
            Impl *engine = impl;
            const std::uint64_t load = loadId;
            const bool told = nextLaunched;
            engine->calls.erase(callId); // destroys this
            // The next call of a load starts before this one stops counting as active, so
            // activeCalls() reaches 0 only when the whole load is done.
            if (load && !told)
                engine->loadCallDone(load);
            ++engine->endedUnflushed; // no longer active once its events are handed over
            // The end of a call outside a load run, or of a run's last call, goes out at once.
            engine->urgent = engine->urgent || !load || !engine->loads.contains(load);
            engine->maybeShutdownQueue();
        }
    }

    void begin()
    {
        if (request.deadlineMs > 0)
            context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::milliseconds(request.deadlineMs));
        for (const auto &[k, v] : request.metadata)
            context.AddMetadata(k, v);
        if (request.channel.gzip)
            context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
        // Headers go out with the first message instead of in a packet of their own.
        corked = !writes.empty();
        if (corked)
            context.set_initial_metadata_corked(true);

        const auto state = channel->GetState(true);
        stub = std::make_unique<grpc::GenericStub>(channel);

        CallEvent started = event(EventKind::Started, Direction::Outbound);
        started.metadata = request.metadata;
        started.payload = method.fullName;
        report(std::move(started));

        if (method.kind == MethodKind::Unary && writes.size() == 1 && closeRequested) {
            beginUnary();
        } else {
            streaming = method.serverStreams();
            if (streaming)
                impl->streamingCallOpened(true);
            beginStream();
        }

        if (state != GRPC_CHANNEL_READY && request.channel.connectTimeoutMs > 0) {
            connectAlarm = std::make_unique<grpc::Alarm>();
            connectAlarm->Set(&impl->cq,
                              std::chrono::system_clock::now() +
                                  std::chrono::milliseconds(request.channel.connectTimeoutMs),
                              tag([this](bool fired) { onConnectAlarm(fired); }));
        }
    }

    // A unary call goes out as one batch (headers, message, half-close, and the reads of the
    // answer), which completes once: a fifth of the wake-ups of the streaming path.
    void beginUnary()
    {
        Pending p = std::move(writes.front());
        writes.clear();
        grpc::Slice slice(p.bytes);
        grpc::ByteBuffer buffer(&slice, 1);
        const std::int64_t issued = monotonicNs();
        unary = stub->PrepareUnaryCall(&context, prepared->path, buffer, &impl->cq);
        unary->StartCall();
        finishing = true; // nothing more can be sent
        unary->Finish(&readBuffer, &status,
                      tag([this, issued, size = p.bytes.size(), text = std::move(p.text)](bool) mutable {
                          onUnaryDone(issued, size, std::move(text));
                      }));
    }

    // MessageSent for a message handed to gRPC at `issued`, and HalfClosed if it was the last.
    void reportSent(std::int64_t issued, std::size_t size, std::string text, bool halfClosed)
    {
        if (quiet) { // a load run reports only start and end
            ++sent;
            return;
        }
        CallEvent e = event(EventKind::MessageSent, Direction::Outbound);
        e.timeNs = issued;
        e.wireSize = size;
        e.index = sent++;
        e.payload = std::move(text);
        report(std::move(e));
        if (halfClosed) {
            CallEvent half = event(EventKind::HalfClosed, Direction::Outbound);
            half.timeNs = issued;
            report(std::move(half));
        }
    }

    void onUnaryDone(std::int64_t issued, std::size_t size, std::string text)
    {
        // A load run's next call goes out first: checking this reply and ending this call then
        // happen while that one is on the wire, not before it leaves.
        if (loadId) {
            finishedAtNs = monotonicNs();
            nextLaunched = true;
            impl->loadCallDone(loadId);
        }
        stopConnectAlarm();
        // The batch completes as a whole. The request counts as sent unless the connection
        // never came up (then the status says UNAVAILABLE and no header arrived).
        const auto &headers = context.GetServerInitialMetadata();
        const bool answered = status.ok() || !headers.empty();
        headersSeen = answered;
        const bool wasSent =
            answered || (status.error_code() != grpc::StatusCode::UNAVAILABLE && !connectTimedOut);
        if (wasSent)
            reportSent(issued, size, std::move(text), true);
        if (answered && !quiet) {
            CallEvent e = event(EventKind::ResponseHeaders, Direction::Inbound);
            e.metadata = toMetadata(headers);
            report(std::move(e));
        }
        if (status.ok())
            deliverBuffer();
        onFinished();
    }

    void beginStream()
    {
        stream = stub->PrepareCall(&context, prepared->path, &impl->cq);
        // A corked StartCall performs no operation, so its tag would never come back. An
        // uncorked one shares its operation set with Write: no write may start before it ends.
        if (corked) {
            stream->StartCall(nullptr);
        } else {
            writing = true;
            stream->StartCall(tag([this](bool) {
                writing = false;
                releaseHeld();
                pumpWrites();
            }));
        }
        stream->ReadInitialMetadata(tag([this](bool ok) { onHeaders(ok); }));
        pumpWrites();
    }

    void onConnectAlarm(bool fired)
    {
        if (!fired || headersSeen || finished)
            return;
        if (channel->GetState(false) == GRPC_CHANNEL_READY)
            return;
        connectTimedOut = true;
        context.TryCancel();
    }

    void stopConnectAlarm()
    {
        if (connectAlarm)
            connectAlarm->Cancel();
    }

    void onHeaders(bool ok)
    {
        if (ok) {
            headersSeen = true;
            stopConnectAlarm();
            CallEvent e = event(EventKind::ResponseHeaders, Direction::Inbound);
            e.metadata = toMetadata(context.GetServerInitialMetadata());
            emitInbound(std::move(e));
            read();
        } else {
            readsDone = true;
            startFinish();
        }
    }

    void onRead(bool ok)
    {
        if (!ok) {
            readsDone = true;
            startFinish();
            return;
        }
        // Ask for the next message before decoding this one, so gRPC reads while we work.
        if (replyPlan) {
            grpc::Slice single;
            std::string joined;
            const std::string_view bytes = internal::bufferView(readBuffer, &single, &joined);
            readBuffer.Clear(); // `single` keeps the bytes
            read();
            checkReply(bytes);
            return;
        }
        std::string bytes = internal::bufferBytes(readBuffer);
        readBuffer.Clear();
        read();
        deliver(std::move(bytes));
    }

    // A reply of a load run is checked against the output type and counted, not decoded: a
    // load generator checks what it receives without showing it. The first reply protobuf would
    // not parse ends the call with INTERNAL, as a compiled stub's failed parse does.
    void checkReply(std::string_view bytes)
    {
        const std::uint64_t index = received++;
        if (!replyError.empty())
            return;
        auto checked = checkMessage(request.schema->impl(), *replyPlan, bytes);
        if (!checked) {
            replyError = "reply " + std::to_string(index + 1) + ": " + checked.error().message;
            context.TryCancel();
        }
    }

    // Decodes one response message and reports it.
    void deliver(std::string bytes)
    {
        CallEvent e = event(EventKind::MessageReceived, Direction::Inbound);
        e.wireSize = bytes.size();
        e.index = received++;
        internal::takeReceivedBytes(e, std::move(bytes), request, method.outputType);
        emitInbound(std::move(e));
    }

    void deliverBuffer()
    {
        if (replyPlan) {
            grpc::Slice single;
            std::string joined;
            checkReply(internal::bufferView(readBuffer, &single, &joined));
            return;
        }
        std::string bytes = internal::bufferBytes(readBuffer);
        readBuffer.Clear();
        deliver(std::move(bytes));
    }

    void queue(std::string text)
    {
        if (closeRequested || finishing) {
            CallEvent e = event(EventKind::MessageSent, Direction::Local);
            e.error = closeRequested ? "the request stream is already closed" : "the call has ended";
            report(std::move(e));
            return;
        }
        if (!method.clientStreams() && sent + writes.size() >= 1) {
            CallEvent e = event(EventKind::MessageSent, Direction::Local);
            e.error = "a " + std::string(methodKindName(method.kind)) + " call takes one request message";
            report(std::move(e));
            return;
        }
        auto bytes = request.schema->encode(method.inputType, text, request.codec);
        if (!bytes) {
            CallEvent e = event(EventKind::MessageSent, Direction::Local);
            e.error = bytes.error().toString();
            e.payload = std::move(text);
            report(std::move(e));
            return;
        }
        writes.push_back({std::move(bytes.value()), std::move(text)});
        pumpWrites();
    }

    void requestClose()
    {
        if (closeRequested)
            return;
        closeRequested = true;
        pumpWrites();
    }

    void pumpWrites()
    {
        if (writing || closed || finishing || !stream)
            return;
        if (!writes.empty()) {
            Pending p = std::move(writes.front());
            writes.pop_front();
            const bool last = writes.empty() && closeRequested;
            grpc::Slice slice(p.bytes);
            grpc::ByteBuffer buffer(&slice, 1);
            writing = true;
            const std::size_t size = p.bytes.size();
            const std::int64_t issued = monotonicNs();
            auto onDone = [this, size, last, issued, text = std::move(p.text)](bool ok) mutable {
                writing = false;
                if (!ok) { // the server has ended the call; its status tells why
                    writes.clear();
                    closed = true;
                    releaseHeld();
                    return;
                }
                closed = last;
                reportSent(issued, size, std::move(text), last);
                releaseHeld();
                pumpWrites();
            };
            if (last)
                stream->WriteLast(buffer, grpc::WriteOptions(), tag(std::move(onDone)));
            else
                stream->Write(buffer, tag(std::move(onDone)));
            return;
        }
        if (closeRequested) {
            writing = true;
            const std::int64_t issued = monotonicNs();
            stream->WritesDone(tag([this, issued](bool ok) {
                writing = false;
                closed = true;
                if (ok) {
                    CallEvent half = event(EventKind::HalfClosed, Direction::Outbound);
                    half.timeNs = issued;
                    report(std::move(half));
                }
                releaseHeld();
            }));
        }
    }

    void startFinish()
    {
        if (finishing)
            return;
        finishing = true;
        stopConnectAlarm();
        stream->Finish(&status, tag([this](bool) { onFinished(); }));
    }

    void onFinished()
    {
        CallEvent e = event(EventKind::Finished, Direction::Inbound);
        if (finishedAtNs)
            e.timeNs = finishedAtNs;
        e.index = received; // messages received
        e.messagesSent = sent;
        e.metadata = toMetadata(context.GetServerTrailingMetadata());
        if (connectTimedOut) {
            e.status.code = grpc::StatusCode::UNAVAILABLE;
            e.status.message = "could not connect to " + request.channel.target + " within " +
                               std::to_string(request.channel.connectTimeoutMs) + " ms";
            e.status.local = true;
        } else if (!replyError.empty()) {
            e.status.code = grpc::StatusCode::INTERNAL;
            e.status.message = std::move(replyError);
            e.status.local = true;
        } else {
            e.status = request.schema->decodeStatus(status.error_code(), status.error_message(),
                                                    status.error_details());
        }
        e.status.connectFailed =
            connectTimedOut || (e.status.code == grpc::StatusCode::UNAVAILABLE && !headersSeen &&
                                received == 0 && isConnectFailure(e.status.message));
        // Through the wire tap the channel's target is the tap: say the server's address instead,
        // the one the user typed, so a tapped call fails with the words of an untapped one.
        const std::string &shown = request.channel.tappedTarget;
        if (!shown.empty() && !e.status.ok()) {
            for (auto at = e.status.message.find(request.channel.target); at != std::string::npos;
                 at = e.status.message.find(request.channel.target, at + shown.size()))
                e.status.message.replace(at, request.channel.target.size(), shown);
        }
        // gRPC names a proxy it could not get through by its address alone.
        if (e.status.code == grpc::StatusCode::UNAVAILABLE && !headersSeen) {
            if (auto proxy = proxyFor(request.channel); proxy && proxy.value())
                e.status.message +=
                    " (through the HTTP proxy " + proxy.value()->url + " from " + proxy.value()->source + ")";
        }
        finished = true;
        writes.clear();
        emitInbound(std::move(e));
    }
};

bool Engine::Impl::failLocally(std::uint64_t id, MethodKind kind, int code, std::string message)
{
    CallEvent e;
    e.callId = id;
    e.callKind = kind;
    e.kind = EventKind::Finished;
    e.direction = Direction::Local;
    e.timeNs = monotonicNs();
    e.status.code = code;
    e.status.message = std::move(message);
    e.status.local = true;
    emit(std::move(e));
    return false;
}

bool Engine::Impl::start(CallRequest request, std::uint64_t loadId)
{
    const auto id = request.callId;
    if (m_stopping)
        return failLocally(id, MethodKind::Unary, grpc::StatusCode::CANCELLED, "the engine is shutting down");
    if (calls.count(id))
        return failLocally(id, MethodKind::Unary, grpc::StatusCode::ALREADY_EXISTS,
                           "call id " + std::to_string(id) + " is in use");
    if (!request.schema)
        return failLocally(id, MethodKind::Unary, grpc::StatusCode::FAILED_PRECONDITION, "no schema loaded");
    auto method = request.schema->findMethod(request.method);
    if (!method)
        return failLocally(id, MethodKind::Unary, grpc::StatusCode::UNIMPLEMENTED, method.error().message);
    const MethodInfo &info = *method;
    if (!info.clientStreams() && request.messages.size() > 1)
        return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT,
                           std::string("a ") + methodKindName(info.kind) +
                               " call takes one request message, " + std::to_string(request.messages.size()) +
                               " were given");
    {
        if (auto problem =
                protocolProblem(Protocol::Grpc, request.httpVersion, info.kind, !request.channel.plaintext);
            !problem.empty())
            return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT, problem);
        // A URL target ("https://host:port") names the server and whether it uses TLS; gRPC
        // has no place for a path before the method.
        if (isUrlTarget(request.channel.target)) {
            auto url = parseUrlTarget(request.channel.target);
            if (!url)
                return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT, url.error().message);
            if (!url->prefix.empty())
                return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT,
                                   "gRPC cannot put the path prefix \"" + url->prefix +
                                       "\" before the method; gRPC-Web and Connect can");
            request.channel.target = url->hostPort;
            request.channel.plaintext = !url->tls;
        }
    }

    // gRPC core aborts the process on a header it finds invalid: check them all first (a load
    // run's calls share this request, so its first call checks for all). Names go lowercase, as
    // HTTP/2 sends them.
    for (auto &entry : request.metadata)
        std::transform(entry.first.begin(), entry.first.end(), entry.first.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string problem = metadataProblem(request.metadata);
    if (problem.empty())
        problem = authorityProblem(request.channel.authority);
    if (problem.empty()) // through the wire tap, the address the user gave is tappedTarget
        problem = targetProblem(request.channel.tappedTarget.empty() ? request.channel.target
                                                                     : request.channel.tappedTarget);
    if (!problem.empty())
        return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT, problem);

    // Encode everything before touching the network: bad input fails fast and sends nothing.
    std::vector<Pending> writes;
    for (auto &text : request.messages) {
        auto bytes = request.schema->encode(info.inputType, text, request.codec);
        if (!bytes)
            return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT, bytes.error().toString());
        writes.push_back({std::move(bytes.value()), std::move(text)});
    }
    request.messages.clear();
    if (!info.clientStreams() && writes.empty()) {
        // A unary or server-streaming call with no body sends the empty message, as grpcurl does.
        writes.push_back({std::string(), "{}"});
    }

    std::string error;
    auto channel = channelFor(request.channel, &error);
    if (!channel)
        return failLocally(id, info.kind, grpc::StatusCode::INVALID_ARGUMENT, error);

    auto prepared = std::make_shared<Prepared>();
    prepared->request = std::move(request);
    prepared->method = std::move(method.value());
    prepared->path = prepared->method.path();
    if (auto *run = loadId ? loads.find(loadId) : nullptr) {
        // The later calls of the run start from this: the same request, method, channel and
        // bytes. Their replies are checked against the output type rather than decoded.
        LoadShared &load = run->extra;
        load.prepared = prepared;
        load.channel = channel;
        for (const auto &w : writes)
            load.encoded.push_back(w.bytes);
        run->base = {};
        const auto &impl = prepared->request.schema->impl();
        if (const auto *output = impl.message(prepared->method.outputType))
            load.replyPlan = impl.wirePlans.plan(output);
    }
    return launch(id, std::move(prepared), std::move(channel), std::move(writes), loadId);
}

bool Engine::Impl::launch(std::uint64_t id, std::shared_ptr<const Prepared> prepared,
                          std::shared_ptr<grpc::Channel> channel, std::vector<Pending> writes,
                          std::uint64_t loadId)
{
    if (calls.count(id)) // a load run's ids follow each other and may meet a call started apart
        return failLocally(id, prepared->method.kind, grpc::StatusCode::ALREADY_EXISTS,
                           "call id " + std::to_string(id) + " is in use");
    auto call = std::make_unique<Call>(this, id, std::move(prepared));
    call->writes.insert(call->writes.end(), std::make_move_iterator(writes.begin()),
                        std::make_move_iterator(writes.end()));
    call->closeRequested = call->request.closeAfterMessages || !call->method.clientStreams();
    call->channel = std::move(channel);
    if (auto *run = loadId ? loads.find(loadId) : nullptr)
        call->replyPlan = run->extra.replyPlan;
    call->quiet = loadId != 0;
    call->loadId = loadId;
    Call *raw = call.get();
    calls.emplace(id, std::move(call));
    active.fetch_add(1);
    raw->begin();
    return true;
}

void Engine::Impl::startLoad(LoadRequest request)
{
    loads.start(std::move(request), m_stopping,
                [this](auto &run, std::uint64_t loadId, std::uint64_t callId) {
                    return launchLoadCall(run, loadId, callId);
                });
}

bool Engine::Impl::launchLoadCall(internal::LoadRuns<LoadShared>::Run &run, std::uint64_t loadId,
                                  std::uint64_t callId)
{
    if (run.extra.prepared) {
        std::vector<Pending> writes;
        writes.reserve(run.extra.encoded.size());
        for (const auto &bytes : run.extra.encoded)
            writes.push_back({bytes, {}}); // a load run reports no MessageSent to show text in
        return launch(callId, run.extra.prepared, run.extra.channel, std::move(writes), loadId);
    }
    CallRequest r = run.base;
    r.callId = callId;
    return start(std::move(r), loadId);
}

void Engine::Impl::loadCallDone(std::uint64_t loadId)
{
    loads.callDone(loadId, m_stopping, [this](auto &run, std::uint64_t id, std::uint64_t callId) {
        return launchLoadCall(run, id, callId);
    });
}

void Engine::Impl::cancelCall(Call &call, const std::string &)
{
    if (!call.finished)
        call.context.TryCancel();
}

Engine::Engine()
    : m_impl(std::make_unique<Impl>())
{}
Engine::~Engine() = default;

EventQueue &Engine::events()
{
    return m_impl->events;
}

void Engine::start(CallRequest request)
{
    if (request.protocol != Protocol::Grpc) {
        m_impl->webEngine(request).start(std::move(request));
        return;
    }
    m_impl->post([impl = m_impl.get(), r = std::move(request)]() mutable { impl->start(std::move(r)); });
}

void Engine::startLoad(LoadRequest load)
{
    if (load.call.protocol != Protocol::Grpc) {
        m_impl->webEngine(load.call).startLoad(std::move(load));
        return;
    }
    m_impl->post([impl = m_impl.get(), l = std::move(load)]() mutable { impl->startLoad(std::move(l)); });
}

void Engine::send(std::uint64_t callId, std::string message)
{
    if (auto *web = m_impl->webCall(callId)) {
        web->send(callId, std::move(message));
        return;
    }
    m_impl->post([impl = m_impl.get(), callId, m = std::move(message)]() mutable {
        auto it = impl->calls.find(callId);
        if (it == impl->calls.end()) {
            CallEvent e;
            e.callId = callId;
            e.kind = EventKind::MessageSent;
            e.direction = Direction::Local;
            e.timeNs = monotonicNs();
            e.error = "call " + std::to_string(callId) + " has ended or never started";
            e.payload = std::move(m);
            impl->emit(std::move(e));
            return;
        }
        it->second->queue(std::move(m));
    });
}

void Engine::halfClose(std::uint64_t callId)
{
    if (auto *web = m_impl->webCall(callId)) {
        web->halfClose(callId);
        return;
    }
    m_impl->post([impl = m_impl.get(), callId] {
        if (auto it = impl->calls.find(callId); it != impl->calls.end())
            it->second->requestClose();
    });
}

void Engine::cancel(std::uint64_t callId)
{
    if (auto *web = m_impl->webCall(callId)) {
        web->cancel(callId);
        return;
    }
    m_impl->post([impl = m_impl.get(), callId] {
        if (auto it = impl->calls.find(callId); it != impl->calls.end())
            impl->cancelCall(*it->second, "cancelled");
    });
}

int Engine::activeCalls() const
{
    return m_impl->active.load();
}

} // namespace rpc

#include <cstdio>
#include <google/protobuf/stubs/common.h>
#include <grpc/support/log.h>
#include <grpcpp/grpcpp.h>

namespace rpc {
std::string grpcVersion()
{
    return grpc::Version();
}
std::string protobufVersion()
{
    return google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION);
}

namespace {
std::atomic<bool> g_libraryLogging{true};

void libraryLog(gpr_log_func_args *args)
{
    if (g_libraryLogging.load(std::memory_order_relaxed))
        std::fprintf(stderr, "grpc %s %s:%d: %s\n", gpr_log_severity_string(args->severity), args->file,
                     args->line, args->message);
}
} // namespace

void setLibraryLogging(bool on)
{
    g_libraryLogging = on;
    gpr_set_log_function(libraryLog);
}
} // namespace rpc
