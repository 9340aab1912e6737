// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/callsession.h"

#include "models/protocolchoice.h"
#include "models/wirecapture.h"
#include "rpc/connectproblem.h"

namespace models {

CallSession::CallSession(EngineBridge &bridge, Timeline &timeline, WireCapture *capture, QObject *parent)
    : QObject(parent)
    , m_bridge(bridge)
    , m_timeline(timeline)
    , m_capture(capture)
    , m_messages(timeline)
{
    connect(&timeline, &Timeline::callEventsAdded, this, &CallSession::onEvents);
}

CallSession::~CallSession()
{
    if (isRunning())
        m_bridge.engine().cancel(m_callId);
}

void CallSession::start(rpc::CallRequest request, const rpc::MethodInfo &method, bool tapWire)
{
    if (isRunning())
        m_bridge.engine().cancel(m_callId);
    m_callId = m_bridge.nextCallId();
    m_kind = method.kind;
    Timeline::CallInfo info;
    info.callId = m_callId;
    info.schema = request.schema;
    info.method = method;
    info.target = QString::fromStdString(request.channel.target);
    info.codec = request.codec;
    m_tapped = false;
    m_wireNote.clear();
    m_target = QString::fromStdString(request.channel.target);
    m_plaintext = request.channel.plaintext;
    m_protocol = request.protocol;
    m_maxReceiveBytes = request.channel.maxReceiveBytes;
    m_grpcMessage.clear();
    m_fix = Fix::None;
    m_hint.clear();
    if (tapWire && m_capture) {
        auto tap = m_capture->route(request);
        if (tap) {
            info.tap = tap.value();
            m_tap = tap.value();
            m_tapped = true;
        } else {
            m_wireNote = QString::fromStdString(tap.error().message);
        }
    }
    // Small replies stay wire bytes until shown: a long stream of them then costs little to
    // keep and nothing to decode on the engine thread.
    request.lazyDecodeBelow = 4096;
    m_lane = int(m_timeline.beginCall(info));
    m_state = State::Running;
    m_sent = m_received = 0;
    m_halfClosed = false;
    m_startNs = rpc::monotonicNs();
    m_headersNs = m_firstMessageNs = m_finishedNs = -1;
    m_requestMetadata = request.metadata;
    m_headers.clear();
    m_trailers.clear();
    m_status = {};
    m_messages.setLane(m_lane);
    request.callId = m_callId;
    m_bridge.engine().start(std::move(request));
    emit started();
}

bool CallSession::canSend() const
{
    return isRunning() && !m_halfClosed &&
           (m_kind == rpc::MethodKind::ClientStreaming || m_kind == rpc::MethodKind::BidiStreaming);
}

bool CallSession::sendMessage(const QByteArray &json)
{
    if (!canSend())
        return false;
    m_bridge.engine().send(m_callId, json.toStdString());
    return true;
}

void CallSession::endStream()
{
    if (!canSend())
        return;
    // Shown at once; the engine's HalfClosed event confirms it.
    m_halfClosed = true;
    m_bridge.engine().halfClose(m_callId);
    emit progressed();
}

void CallSession::cancel()
{
    if (isRunning())
        m_bridge.engine().cancel(m_callId);
}

qint64 CallSession::timeToHeaders() const
{
    return m_headersNs < 0 ? -1 : m_headersNs - m_startNs;
}

qint64 CallSession::timeToFirstMessage() const
{
    return m_firstMessageNs < 0 ? -1 : m_firstMessageNs - m_startNs;
}

qint64 CallSession::totalTime() const
{
    if (m_state == State::Idle)
        return -1;
    return (m_finishedNs < 0 ? rpc::monotonicNs() : m_finishedNs) - m_startNs;
}

void CallSession::onEvents(const std::vector<rpc::CallEvent> &events)
{
    if (!isRunning())
        return;
    bool changed = false;
    bool gotHeaders = false;
    bool done = false;
    for (auto &e : events) {
        if (e.callId != m_callId)
            continue;
        changed = true;
        switch (e.kind) {
        case rpc::EventKind::Started:
            m_startNs = e.timeNs;
            m_requestMetadata = e.metadata;
            break;
        case rpc::EventKind::MessageSent:
        case rpc::EventKind::MessageReceived: {
            const bool out = e.kind == rpc::EventKind::MessageSent;
            (out ? m_sent : m_received)++;
            if (!out && m_firstMessageNs < 0)
                m_firstMessageNs = e.timeNs;
            break;
        }
        case rpc::EventKind::HalfClosed:
            m_halfClosed = true;
            break;
        case rpc::EventKind::ResponseHeaders:
            m_headers = e.metadata;
            m_headersNs = e.timeNs;
            gotHeaders = true;
            break;
        case rpc::EventKind::Finished:
            m_trailers = e.metadata;
            m_status = e.status;
            m_finishedNs = e.timeNs;
            done = true;
            break;
        }
    }
    if (!changed)
        return;
    if (gotHeaders)
        emit headersReceived();
    emit progressed();
    if (done) {
        // A connection the tap could not make (a failed TLS handshake) reaches the engine only
        // as a closed connection: the tap knows why.
        explainFailure();
        // Said once: when the tap's reason became the headline (a connection never made), the
        // note does not repeat it.
        // Nor when the engine read the answer as another protocol's (its hint is Fix::Protocol):
        // the tap only saw bytes that were no HTTP/1.1 ("closed inside a response head").
        if (m_tapped && !m_status.ok() && m_capture && !m_status.connectFailed && m_fix != Fix::Protocol) {
            const QString why = m_capture->lastError(m_tap);
            if (!why.isEmpty() && !QString::fromStdString(m_status.message).contains(why))
                m_wireNote = tr("wire tap: %1").arg(why);
        }
        m_state = State::Finished;
        emit finished();
    }
}

void CallSession::explainFailure()
{
    if (m_status.ok())
        return;
    constexpr int kDeadlineExceeded = 4, kResourceExhausted = 8, kUnavailable = 14;
    const QString said = QString::fromStdString(m_status.message);
    const bool unanswered = m_headersNs < 0 && m_received == 0;
    // Through the wire tap gRPC only sees its hop to the local relay close ("Socket closed",
    // "Connection reset by peer"); the tap knows what the server did, in the typed address.
    // A gRPC-Web or Connect call that a server of another kind answered: the engine's words say
    // so (libcurl saw the answer), where the tap saw only bytes it could not read as HTTP/1.1.
    const auto mismatch = m_protocol == rpc::Protocol::Grpc ? rpc::WebMismatch::None
                                                            : rpc::classifyWebMismatch(m_status.message);
    const QString tapError = m_tapped && m_capture && unanswered && mismatch == rpc::WebMismatch::None
                                 ? m_capture->lastError(m_tap)
                                 : QString();
    // A connection never made is said for the address the user typed, in a few words; gRPC's
    // own text is kept (grpcMessage) for the details. Through the tap, the tap's words tell
    // (gRPC only saw its hop to the tap close).
    auto problem = rpc::ConnectProblem::Unknown;
    if (m_status.code == kUnavailable && !tapError.isEmpty()) {
        m_grpcMessage = said;
        m_status.connectFailed = true;
        problem = rpc::classifyConnectProblem(tapError.toStdString(), m_plaintext);
        m_status.message = problem == rpc::ConnectProblem::Unknown
                               ? tapError.toStdString() // the tap names the typed address already
                               : rpc::connectProblemText(problem, tapError.toStdString(), m_target.toStdString());
    } else if (m_status.connectFailed) {
        problem = rpc::classifyConnectProblem(m_status.message, m_plaintext);
        const std::string text = rpc::connectProblemText(problem, m_status.message, m_target.toStdString());
        if (text != m_status.message) {
            m_grpcMessage = said;
            m_status.message = text;
        }
    }
    const QString message = QString::fromStdString(m_status.message);
    if (mismatch == rpc::WebMismatch::OnlyHttp2) {
        // Most often a plain gRPC server; a web-protocol server without HTTP/1.1 is rarer.
        m_fix = Fix::Protocol;
        m_hint = tr("Try gRPC if it is a gRPC server; if it speaks %1 over HTTP/2 only, choose HTTP/2.")
                     .arg(protocolLabel(m_protocol));
    } else if (mismatch == rpc::WebMismatch::GrpcServer) {
        m_fix = Fix::Protocol;
        m_hint = tr("Try gRPC: the server answers in gRPC, not in %1.").arg(protocolLabel(m_protocol));
    } else if (mismatch == rpc::WebMismatch::ResetUnanswered) {
        m_fix = Fix::Protocol;
        m_hint = tr("The server reset the request without answering, as gRPC servers do: if it is one, try gRPC.");
    } else if (m_status.code == kResourceExhausted && message.contains(QLatin1String("larger than max"))) {
        m_fix = Fix::MaxReceive;
        m_hint = m_maxReceiveBytes > 0
                     ? tr("The reply is bigger than Max receive (%1 bytes) in the connection options.")
                           .arg(m_maxReceiveBytes)
                     : tr("The reply is bigger than gRPC's default limit of 4 MiB: raise Max receive in the "
                          "connection options.");
    } else if (m_status.code == kDeadlineExceeded) {
        m_fix = Fix::Deadline;
        m_hint = tr("The call did not finish within its deadline.");
    } else if (m_status.code == kUnavailable && unanswered) {
        // The one classification wirescope-cli uses too. A call whose status does not say it
        // failed to connect may still tell (gRPC gives some closed connections as a call's end).
        if (problem == rpc::ConnectProblem::Unknown && tapError.isEmpty())
            problem = rpc::classifyConnectProblem(m_status.message, m_plaintext);
        // What to do, not what happened again (the headline says that).
        if (problem == rpc::ConnectProblem::ServerWithoutTls) {
            m_fix = Fix::Security;
            m_hint = tr("Try plaintext: turn TLS off in the connection options.");
        } else if (problem == rpc::ConnectProblem::ServerExpectsTls) {
            m_fix = Fix::Security;
            m_hint = tr("Try TLS: turn it on in the connection options.");
        } else if (problem == rpc::ConnectProblem::CertificateRejected) {
            m_fix = Fix::Certificate;
            m_hint = tr("Give the CA certificate that signed the server's certificate (or, if it is for "
                        "another name, that name as the server name).");
        }
    }
}

} // namespace models
