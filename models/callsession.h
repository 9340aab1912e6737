// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/enginebridge.h"
#include "models/messagesmodel.h"
#include "models/timeline.h"
#include "rpc/engine.h"

#include <QObject>

namespace models {

class WireCapture;

// One request's call, seen from the UI thread: starts it on the engine, follows its events
// (delivered by the bridge in batches, stored by the timeline) and follows what arrived. A
// session runs one call at a time; starting again shows the new call (the timeline keeps the
// old one).
class CallSession final : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Running, Finished };
    // The request's setting that would fix a failed call, for a hint with a button.
    enum class Fix {
        None,
        MaxReceive, // the reply was bigger than the receive limit
        Deadline,   // the call ran out of time
        Security,   // a TLS handshake with a plaintext server, or plaintext to a TLS server
        Certificate, // the server's certificate was not trusted: the CA certificate to give
        Protocol,    // a gRPC-Web or Connect call to a server that does not speak it
    };

    // The timeline must be fed by the bridge (Timeline::addCallEvents). With `capture`, calls
    // can go through a wire tap.
    CallSession(EngineBridge &bridge, Timeline &timeline, WireCapture *capture = nullptr,
                QObject *parent = nullptr);
    ~CallSession() override; // cancels a running call

    // Starts `request` (its callId is assigned here) for `method`, whose kind decides whether
    // more messages may be sent while it runs. With `tapWire` the call goes through a wire tap
    // when it can; wireNote() says why when it cannot.
    void start(rpc::CallRequest request, const rpc::MethodInfo &method, bool tapWire = false);
    // For client and bidi streams while the call runs and the client has not half-closed.
    bool sendMessage(const QByteArray &json); // UTF-8
    void endStream();
    void cancel();

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    bool canSend() const;
    quint64 callId() const { return m_callId; }
    rpc::MethodKind kind() const { return m_kind; }
    int sentCount() const { return m_sent; }
    int receivedCount() const { return m_received; }
    bool halfClosed() const { return m_halfClosed; }

    const rpc::Metadata &requestMetadata() const { return m_requestMetadata; }
    const rpc::Metadata &responseHeaders() const { return m_headers; }
    const rpc::Metadata &trailers() const { return m_trailers; }
    // The call's status. When the call never reached the server its message says what happened
    // to the address as typed ("connection refused by 127.0.0.1:1"), also through the wire tap,
    // whose own hop gRPC would otherwise describe; grpcMessage() keeps gRPC's words then.
    const rpc::RpcStatus &status() const { return m_status; }
    QString grpcMessage() const { return m_grpcMessage; }
    // After a failure: which setting would fix it, and a sentence that says so (or None, "").
    Fix fix() const { return m_fix; }
    QString hint() const { return m_hint; }

    // Nanoseconds since the call started; -1 when it has not happened.
    qint64 timeToHeaders() const;
    qint64 timeToFirstMessage() const;
    qint64 totalTime() const; // while running: time so far
    MessagesModel *messages() { return &m_messages; }
    Timeline &timeline() { return m_timeline; }
    WireCapture *capture() const { return m_capture; }
    int lane() const { return m_lane; } // the call's timeline lane, -1 before the first call
    bool tapped() const { return m_tapped; }
    // Why the call did not go through the wire tap, or why the tap failed its connection.
    QString wireNote() const { return m_wireNote; }

signals:
    void started();
    void progressed(); // messages, headers or half-close: counts changed
    void headersReceived();
    void finished();

private:
    void onEvents(const std::vector<rpc::CallEvent> &events);
    void explainFailure();

    EngineBridge &m_bridge;
    Timeline &m_timeline;
    WireCapture *m_capture = nullptr;
    MessagesModel m_messages;
    State m_state = State::Idle;
    rpc::MethodKind m_kind = rpc::MethodKind::Unary;
    quint64 m_callId = 0;
    int m_lane = -1;
    bool m_tapped = false;
    quint64 m_tap = 0;
    QString m_wireNote;
    int m_sent = 0;
    int m_received = 0;
    bool m_halfClosed = false;
    qint64 m_startNs = 0;
    qint64 m_headersNs = -1;
    qint64 m_firstMessageNs = -1;
    qint64 m_finishedNs = -1;
    rpc::Metadata m_requestMetadata;
    rpc::Metadata m_headers;
    rpc::Metadata m_trailers;
    rpc::RpcStatus m_status;
    QString m_grpcMessage;
    Fix m_fix = Fix::None;
    QString m_hint;
    // As the user gave them, before the wire tap takes the channel over.
    QString m_target;
    bool m_plaintext = true;
    rpc::Protocol m_protocol = rpc::Protocol::Grpc;
    int m_maxReceiveBytes = 0;
};

} // namespace models
