// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/callsession.h"

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
        if (m_tapped && !m_status.ok() && m_capture) {
            const QString why = m_capture->lastError(m_tap);
            if (!why.isEmpty())
                m_wireNote = tr("wire tap: %1").arg(why);
        }
        explainFailure();
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
    const QString tapError = m_tapped && m_capture && unanswered ? m_capture->lastError(m_tap) : QString();
    if (m_status.code == kUnavailable && !tapError.isEmpty()) {
        m_grpcMessage = said;
        m_status.message = tapError.toStdString();
        m_status.connectFailed = true;
    } else if (m_status.connectFailed &&
               rpc::classifyConnectProblem(m_status.message, m_plaintext) == rpc::ConnectProblem::Refused) {
        m_grpcMessage = said;
        m_status.message = tr("connection refused by %1").arg(m_target).toStdString();
    }
    const QString message = QString::fromStdString(m_status.message);
    if (m_status.code == kResourceExhausted && message.contains(QLatin1String("larger than max"))) {
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
        // The one classification wirescope-cli uses too; through the wire tap gRPC's own words
        // (about its hop to the tap) may be the ones that tell.
        auto problem = rpc::classifyConnectProblem(m_status.message, m_plaintext);
        if (problem == rpc::ConnectProblem::Unknown)
            problem = rpc::classifyConnectProblem(m_grpcMessage.toStdString(), m_plaintext);
        if (problem == rpc::ConnectProblem::ServerWithoutTls) {
            m_fix = Fix::Security;
            m_hint = tr("The TLS handshake failed: the server may speak plaintext.");
        } else if (problem == rpc::ConnectProblem::ServerExpectsTls) {
            m_fix = Fix::Security;
            m_hint = tr("The server closed the connection at once: it may expect TLS.");
        }
    }
}

} // namespace models
