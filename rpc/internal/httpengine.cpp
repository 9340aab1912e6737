// SPDX-License-Identifier: GPL-3.0-or-later
// The web-protocol engine (gRPC-Web and Connect over libcurl): its thread and loop, how a call
// ends, load runs, and the HttpEngine interface. A call's HTTP exchange is in
// httpengine_call.cpp, starting one in httpengine_request.cpp; what they share in
// httpengineimpl.h.
#include "rpc/internal/httpengine.h"

#include "rpc/internal/httpengineimpl.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace rpc::internal {

namespace {

// libcurl is initialised once per process; curl_global_init is not thread-safe before 7.84.
std::once_flag g_curlInit;

// An event the engine itself reports about a call (not something that crossed the wire).
CallEvent localEvent(std::uint64_t id, MethodKind kind, EventKind what)
{
    CallEvent e;
    e.callId = id;
    e.callKind = kind;
    e.kind = what;
    e.direction = Direction::Local;
    e.timeNs = monotonicNs();
    return e;
}

} // namespace

HttpEngine::Impl::Impl(EventQueue &queue, std::atomic<int> &activeCount, bool http2)
    : events(queue)
    , active(activeCount)
{
    std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi = curl_multi_init();
    // Calls to one server share a connection: HTTP/2 streams on one connection, and a new
    // call waits for a connection being set up rather than opening another.
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // h2c: while the first connection's SETTINGS have not arrived, libcurl 7.88 would open
    // further connections for waiting calls, and those (not asking for prior knowledge, see
    // H2cServer) would try an HTTP/1.1 upgrade. One connection per server prevents that, and
    // lets a fresh connection replace the old one (H2cServer) on TLS too.
    if (http2)
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
    thread = std::thread([this] { run(); });
}

HttpEngine::Impl::~Impl()
{
    stopRequested = true;
    curl_multi_wakeup(multi);
    thread.join();
    for (CURL *easy : spare)
        curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
}

void HttpEngine::Impl::run()
{
    for (;;) {
        runInbox();
        if (stopRequested && !stopping) {
            stopping = true;
            loads.clear();
            // By id: ending one call can end or start others (held calls, load runs).
            std::vector<std::uint64_t> open;
            for (auto &[id, call] : calls)
                open.push_back(id);
            for (const auto id : open) {
                auto it = calls.find(id);
                if (it == calls.end())
                    continue;
                RpcStatus s;
                s.code = kCancelled;
                s.message = "the engine is shutting down";
                s.local = true;
                finish(*it->second, std::move(s), {});
            }
        }
        if (stopping && calls.empty())
            break;
        int running = 0;
        curl_multi_perform(multi, &running);
        reapDone();
        sweep();
        flush();
        curl_multi_poll(multi, nullptr, 0, waitMs(), nullptr);
    }
    runInbox(); // commands that came during shutdown end with their own Finished
    flush();
}

void HttpEngine::Impl::reapDone()
{
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        Call *call = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&call));
        if (!call || call->finished)
            continue;
        const CURLcode rc = msg->data.result;
        RpcStatus s = call->outcome(rc);
        Metadata trailers = std::move(call->trailers);
        finish(*call, std::move(s), std::move(trailers));
    }
}

// Deadlines that have passed, and calls whose answer is complete while libcurl still waits to
// send more (a server that ends a client stream early).
void HttpEngine::Impl::sweep()
{
    const std::int64_t now = monotonicNs();
    std::vector<std::uint64_t> due; // by id: ending one call can end or start others
    for (auto &[address, server] : h2cServers) {
        if (server.rotating && server.opener && static_cast<const Call *>(server.opener)->headersDone)
            releaseHeld(server);
    }
    // libcurl 7.88 never finishes an HTTP/2 transfer whose stream the server ended (END_STREAM)
    // before the request body had gone out: the call would wait for ever. An answer that is
    // complete while the transfer goes on for longer than kStuckNs ends the call here.
    constexpr std::int64_t kStuckNs = 100 * 1000000;
    for (auto &[id, call] : calls) {
        if (call->finished)
            continue;
        if (call->added && call->answerComplete() && (call->halfClosedReported || call->paused)) {
            if (!call->completeSinceNs)
                call->completeSinceNs = now;
        }
        if ((call->deadlineNs && now >= call->deadlineNs) ||
            (call->completeSinceNs && now - call->completeSinceNs >= kStuckNs) ||
            (call->endSeen && call->paused && !call->bodyDone))
            due.push_back(id);
    }
    for (const auto id : due) {
        auto it = calls.find(id);
        if (it == calls.end())
            continue;
        Call *call = it->second.get();
        if ((call->endSeen && call->paused) || call->completeSinceNs) {
            RpcStatus s = call->outcome(CURLE_OK);
            Metadata trailers = std::move(call->trailers);
            finish(*call, std::move(s), std::move(trailers));
            continue;
        }
        RpcStatus s;
        s.code = kDeadlineExceeded;
        s.message = "Deadline Exceeded";
        finish(*call, std::move(s), {});
    }
}

int HttpEngine::Impl::waitMs()
{
    long curlWait = -1;
    curl_multi_timeout(multi, &curlWait);
    std::int64_t wait = curlWait < 0 ? 1000 : curlWait;
    const std::int64_t now = monotonicNs();
    for (auto &[id, call] : calls) {
        if (call->deadlineNs)
            wait = std::min<std::int64_t>(
                wait, std::max<std::int64_t>(0, (call->deadlineNs - now + 999999) / 1000000));
        if (call->completeSinceNs || (call->added && call->answerComplete()))
            wait = std::min<std::int64_t>(wait, 20);
    }
    return static_cast<int>(std::clamp<std::int64_t>(wait, 0, 1000));
}

bool HttpEngine::Impl::failLocally(std::uint64_t id, MethodKind kind, int code, std::string message)
{
    CallEvent e = localEvent(id, kind, EventKind::Finished);
    e.status.code = code;
    e.status.message = std::move(message);
    e.status.local = true;
    emit(std::move(e));
    disown(id);
    return false;
}

void HttpEngine::Impl::finish(Call &call, RpcStatus status, Metadata trailers)
{
    if (call.finished)
        return;
    call.finished = true;
    CallEvent e = call.event(EventKind::Finished, Direction::Inbound);
    e.index = call.received;
    e.messagesSent = call.sent;
    e.metadata = std::move(trailers);
    e.status = std::move(status);
    call.report(std::move(e));
    if (call.easy) {
        if (call.added)
            curl_multi_remove_handle(multi, call.easy);
        curl_easy_reset(call.easy);
        spare.push_back(call.easy);
        call.easy = nullptr;
    }
    curl_slist_free_all(call.headers);
    curl_slist_free_all(call.connectTo);
    curl_slist_free_all(call.proxyHeaders);
    if (call.opensH2c)
        --call.opensH2c->opening;
    H2cServer *rotated = call.h2c && call.h2c->opener == &call ? call.h2c : nullptr;
    if (call.h2c && !call.added)
        std::erase(call.h2c->held, call.request.callId);
    const std::uint64_t id = call.request.callId;
    const std::uint64_t load = call.loadId;
    disown(id);
    calls.erase(id); // destroys `call`
    if (rotated)     // the fresh connection is there, or could not be made: the held calls go
        releaseHeld(*rotated);
    if (load)
        loadCallDone(load);
    active.fetch_sub(1);
}

void HttpEngine::Impl::startLoad(LoadRequest request)
{
    loads.start(std::move(request), stopping, [this](auto &run, std::uint64_t loadId, std::uint64_t callId) {
        return launchLoadCall(run, loadId, callId);
    });
}

bool HttpEngine::Impl::launchLoadCall(LoadRuns<LoadShared>::Run &run, std::uint64_t loadId,
                                      std::uint64_t callId)
{
    CallRequest r = run.base;
    r.callId = callId;
    return start(std::move(r), loadId);
}

void HttpEngine::Impl::loadCallDone(std::uint64_t loadId)
{
    loads.callDone(loadId, stopping, [this](auto &run, std::uint64_t id, std::uint64_t callId) {
        return launchLoadCall(run, id, callId);
    });
}

HttpEngine::HttpEngine(EventQueue &events, std::atomic<int> &active, bool http2)
    : m_impl(std::make_unique<Impl>(events, active, http2))
{}

bool HttpEngine::isHttp2(const CallRequest &request)
{
    return request.protocol != Protocol::Grpc && request.httpVersion == HttpVersion::Http2;
}

HttpEngine::~HttpEngine() = default;

void HttpEngine::start(CallRequest request)
{
    {
        std::lock_guard lock(m_impl->ownedMutex);
        m_impl->owned.insert(request.callId);
    }
    m_impl->post([impl = m_impl.get(), r = std::move(request)]() mutable { impl->start(std::move(r)); });
}

void HttpEngine::startLoad(LoadRequest load)
{
    m_impl->post([impl = m_impl.get(), l = std::move(load)]() mutable { impl->startLoad(std::move(l)); });
}

void HttpEngine::send(std::uint64_t callId, std::string message)
{
    m_impl->post([impl = m_impl.get(), callId, m = std::move(message)]() mutable {
        auto it = impl->calls.find(callId);
        auto refuse = [&](std::string why, MethodKind kind, bool withText) {
            CallEvent e = localEvent(callId, kind, EventKind::MessageSent);
            e.error = std::move(why);
            if (withText)
                e.payload = std::move(m);
            impl->emit(std::move(e));
        };
        if (it == impl->calls.end()) {
            refuse("call " + std::to_string(callId) + " has ended or never started", MethodKind::Unary, true);
            return;
        }
        Impl::Call &call = *it->second;
        if (call.closeRequested || call.endSeen) {
            refuse(call.closeRequested ? "the request stream is already closed" : "the call has ended",
                   call.method.kind, false);
            return;
        }
        if (!call.method.clientStreams()) {
            refuse("a " + std::string(methodKindName(call.method.kind)) + " call takes one request message",
                   call.method.kind, false);
            return;
        }
        std::string error;
        std::string text = m;
        if (!call.queueMessage(std::move(text), &error)) {
            refuse(std::move(error), call.method.kind, true);
            return;
        }
        call.resumeUpload();
    });
}

void HttpEngine::halfClose(std::uint64_t callId)
{
    m_impl->post([impl = m_impl.get(), callId] {
        auto it = impl->calls.find(callId);
        if (it == impl->calls.end() || it->second->closeRequested)
            return;
        it->second->closeRequested = true;
        it->second->resumeUpload();
    });
}

void HttpEngine::cancel(std::uint64_t callId)
{
    m_impl->post([impl = m_impl.get(), callId] {
        auto it = impl->calls.find(callId);
        if (it == impl->calls.end())
            return;
        RpcStatus s;
        s.code = kCancelled;
        s.message = "Cancelled";
        s.local = true;
        impl->finish(*it->second, std::move(s), {});
    });
}

bool HttpEngine::owns(std::uint64_t callId) const
{
    std::lock_guard lock(m_impl->ownedMutex);
    return m_impl->owned.count(callId) > 0;
}

std::string HttpEngine::curlVersion()
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && info->version ? info->version : "";
}

} // namespace rpc::internal
