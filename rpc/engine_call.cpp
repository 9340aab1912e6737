// SPDX-License-Identifier: GPL-3.0-or-later
// One gRPC call of any kind (Engine::Impl::Call), the engine's one call state machine: start,
// headers, reads until the end, writes one at a time, half-close, finish, and the status it
// reports. Split from engine.cpp, which keeps the engine's thread and how calls are started.
#include "rpc/internal/engineimpl.h"

#include "rpc/internal/received.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/connectproblem.h"
#include "rpc/proxy.h"

#include <chrono>
#include <string>
#include <string_view>

namespace rpc {

namespace {

Metadata toMetadata(const std::multimap<grpc::string_ref, grpc::string_ref> &md)
{
    Metadata out;
    out.reserve(md.size());
    for (const auto &[k, v] : md)
        out.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    return out;
}

} // namespace

Engine::Impl::Call::Call(Impl *engine, std::uint64_t callId, std::shared_ptr<const Prepared> p)
    : impl(engine)
    , id(callId)
    , prepared(std::move(p))
{}

Engine::Impl::Call::~Call()
{
    if (streaming)
        impl->streamingCallOpened(false);
}

void Engine::Impl::Call::read()
{
    ++outstanding;
    stream->Read(&readBuffer, &readTag);
}

CallEvent Engine::Impl::Call::event(EventKind kind, Direction dir) const
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
void Engine::Impl::Call::report(CallEvent e)
{
    if (quiet && e.kind != EventKind::Started && e.kind != EventKind::Finished)
        return;
    // A load run's consumer counts calls and needs no wake-up per call: at one call in
    // flight that was a futex wake and a context switch per call on the engine's thread.
    impl->emit(std::move(e), quiet);
}

void Engine::Impl::Call::emitInbound(CallEvent e)
{
    if (writing && !quiet)
        held.push_back(std::move(e));
    else
        report(std::move(e));
}

void Engine::Impl::Call::releaseHeld()
{
    if (held.empty())
        return;
    for (auto &e : held)
        impl->emit(std::move(e));
    held.clear();
}

template<typename Fn> void *Engine::Impl::Call::tag(Fn fn)
{
    ++outstanding;
    return new FnTag([this, fn = std::move(fn)](bool ok) mutable {
        --outstanding;
        fn(ok);
        release();
    });
}

// Deletes the call once it has finished and no operation refers to it any more.
void Engine::Impl::Call::release()
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

void Engine::Impl::Call::begin()
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
void Engine::Impl::Call::beginUnary()
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
void Engine::Impl::Call::reportSent(std::int64_t issued, std::size_t size, std::string text, bool halfClosed)
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

void Engine::Impl::Call::onUnaryDone(std::int64_t issued, std::size_t size, std::string text)
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

void Engine::Impl::Call::beginStream()
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

void Engine::Impl::Call::onConnectAlarm(bool fired)
{
    if (!fired || headersSeen || finished)
        return;
    if (channel->GetState(false) == GRPC_CHANNEL_READY)
        return;
    connectTimedOut = true;
    context.TryCancel();
}

void Engine::Impl::Call::stopConnectAlarm()
{
    if (connectAlarm)
        connectAlarm->Cancel();
}

void Engine::Impl::Call::onHeaders(bool ok)
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

void Engine::Impl::Call::onRead(bool ok)
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
void Engine::Impl::Call::checkReply(std::string_view bytes)
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
void Engine::Impl::Call::deliver(std::string bytes)
{
    CallEvent e = event(EventKind::MessageReceived, Direction::Inbound);
    e.wireSize = bytes.size();
    e.index = received++;
    internal::takeReceivedBytes(e, std::move(bytes), request, method.outputType);
    emitInbound(std::move(e));
}

void Engine::Impl::Call::deliverBuffer()
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

void Engine::Impl::Call::queue(std::string text)
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

void Engine::Impl::Call::requestClose()
{
    if (closeRequested)
        return;
    closeRequested = true;
    pumpWrites();
}

void Engine::Impl::Call::pumpWrites()
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

void Engine::Impl::Call::startFinish()
{
    if (finishing)
        return;
    finishing = true;
    stopConnectAlarm();
    stream->Finish(&status, tag([this](bool) { onFinished(); }));
}

void Engine::Impl::Call::onFinished()
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
        e.status =
            request.schema->decodeStatus(status.error_code(), status.error_message(), status.error_details());
    }
    // gRPC says UNAVAILABLE both when no connection to the server came up and when one broke. The
    // first is what its load balancing reports when a call finds no connection ("failed to connect to
    // all addresses; last error: …"), or the resolver when a name does not resolve; a connection
    // that broke gives the transport's own words ("Socket closed", "GOAWAY received", …). Watching
    // the channel's state instead raced: a connection that is READY for a moment and then fails
    // went either way.
    e.status.connectFailed =
        connectTimedOut || (e.status.code == grpc::StatusCode::UNAVAILABLE && !headersSeen && received == 0 &&
                            mentionsConnectFailure(e.status.message, true));
    // A channel that could not connect is not kept: gRPC would go on trying it in the
    // background with its backoff (through the wire tap, a new empty connection lane every few
    // seconds) long after the one Send. The next call makes a fresh one, as grpcurl's does.
    if (e.status.connectFailed)
        impl->channels.erase(request.channel.cacheKey());
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

} // namespace rpc
