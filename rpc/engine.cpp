// SPDX-License-Identifier: GPL-3.0-or-later
// The gRPC engine: its thread (the completion-queue loop, the hand-over of commands and events,
// the polling thread for streams), starting calls and load runs, the Engine interface, and the
// versions and logging of the libraries. One call's state machine (Engine::Impl::Call) is in
// engine_call.cpp; what the two share is in rpc/internal/engineimpl.h, and what the web engine
// shares with this one in rpc/internal (loadruns.h, received.h, channels.*).
#include "rpc/engine.h"

#include "rpc/internal/engineimpl.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/web.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <iterator>
#include <utility>

namespace rpc {

Engine::Impl::Impl()
    : thread([this] { run(); })
{}

Engine::Impl::~Impl()
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
void Engine::Impl::run()
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
            const std::int64_t wait = std::max<std::int64_t>(0, lastFlushNs + kCoalesceNs - monotonicNs());
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

// Runs `fn` on the engine thread. Wakes the queue with one alarm per burst of commands.
void Engine::Impl::post(std::function<void()> fn)
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

void Engine::Impl::pollWhileStreaming()
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
        const auto due = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(50, GPR_TIMESPAN));
        if (pollQueue.AsyncNext(&tag, &ok, due) == grpc::CompletionQueue::SHUTDOWN)
            return;
    }
}

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
