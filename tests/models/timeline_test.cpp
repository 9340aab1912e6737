// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline fed by the real engine and a real wire tap in front of the in-process test
// server: lanes per call with their stream ids, messages linked to the DATA frames that carried
// them, decoding on demand, retention with counts, the wire view's model and the JSON export;
// and gRPC-Web and Connect calls to Connect for Node, over HTTP/1.1 and HTTP/2.
#include "connectserver.h"
#include "rawhttpserver.h"
#include "support.h"
#include "testserver.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/framesmodel.h"
#include "models/timeline.h"
#include "models/wirecapture.h"
#include "rpc/wire.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using models::Timeline;

namespace {

// A tapped Echo call (tap 1) as Timeline::beginCall takes it, for timelines fed by hand.
Timeline::CallInfo echoCall(quint64 id)
{
    Timeline::CallInfo info;
    info.callId = id;
    info.method.serviceName = "wirescope.testing.TestService";
    info.method.name = "Echo";
    info.target = QStringLiteral("upstream:1");
    info.tap = 1;
    return info;
}

// The client's HEADERS opening `stream` for an Echo call on connection 1, seen at `t`.
rpc::wire::WireEvent echoHeaders(quint32 stream, qint64 t)
{
    rpc::wire::WireEvent e;
    e.connection = 1;
    e.timeNs = t;
    e.frame.type = quint8(rpc::wire::FrameType::Headers);
    e.frame.flags = rpc::wire::flags::EndHeaders;
    e.frame.endsHeaderBlock = true;
    e.frame.streamId = stream;
    e.frame.headers = {{":path", "/wirescope.testing.TestService/Echo"}};
    return e;
}

} // namespace

class TimelineTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<testing_server::TestServer>();
        QVERIFY(m_server->start());
    }

    void init()
    {
        m_engine = std::make_unique<rpc::Engine>();
        m_bridge = std::make_unique<models::EngineBridge>(*m_engine, nullptr, 5);
        m_timeline = std::make_unique<Timeline>();
        m_capture = std::make_unique<models::WireCapture>(*m_timeline, nullptr, 5);
        connect(m_bridge.get(), &models::EngineBridge::eventsArrived, m_timeline.get(),
                &Timeline::addCallEvents);
    }

    void cleanup()
    {
        m_capture.reset();
        m_bridge.reset();
        m_engine.reset();
        m_timeline.reset();
    }

    // The engine's events and the tap's frames come in separate batches: a connection frame
    // stored after a call's trailers can be older than them. The timeline's end is still the
    // trailers' time (it was the frame's, and Fit cut the first call's trailers off), and the
    // lane knows it ended there.
    void theEndIsTheLatestTimeNotTheLastStored()
    {
        Timeline timeline;
        timeline.beginCall(echoCall(1));
        auto callEvent = [](rpc::EventKind kind, qint64 t) {
            rpc::CallEvent e;
            e.callId = 1;
            e.kind = kind;
            e.timeNs = t;
            return e;
        };
        std::vector<rpc::CallEvent> calls{callEvent(rpc::EventKind::Started, 1000),
                                          callEvent(rpc::EventKind::Finished, 10000)};
        timeline.addCallEvents(calls);
        rpc::wire::WireEvent ping;
        ping.connection = 1;
        ping.timeNs = 9000;
        ping.direction = rpc::wire::WireDirection::ServerToClient;
        ping.frame.type = quint8(rpc::wire::FrameType::Ping);
        ping.frame.length = 8;
        ping.frame.payload = std::string(8, '\x01');
        std::vector<rpc::wire::WireEvent> wire{ping};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        QCOMPARE(timeline.item(timeline.endItemId() - 1).timeNs, qint64(9000)); // stored last
        QCOMPARE(timeline.startNs(), qint64(1000));
        QCOMPARE(timeline.endNs(), qint64(10000));
        const Timeline::Lane &call = timeline.lanes()[0];
        QCOMPARE(call.lastNs, qint64(10000));
        QCOMPARE(call.lifeEndNs(50000), qint64(10000)); // ended: not stretched to now
        QVERIFY(!call.running());
    }

    void threeUnaryCallsAreStreams1And3And5WithLinkedFrames()
    {
        std::vector<std::unique_ptr<models::CallSession>> sessions;
        for (int i = 0; i < 3; ++i) {
            auto session = std::make_unique<models::CallSession>(*m_bridge, *m_timeline, m_capture.get());
            QSignalSpy finished(session.get(), &models::CallSession::finished);
            session->start(request("Echo", {QStringLiteral(R"({"text": "call %1"})").arg(i).toStdString()}),
                           method("Echo"), true);
            QVERIFY(session->tapped());
            QVERIFY(finished.wait(20000));
            QVERIFY2(session->status().ok(), session->status().message.c_str());
            sessions.push_back(std::move(session));
        }
        settleWire();
        std::vector<quint32> streams;
        quint32 connection = 0;
        for (const auto &session : sessions) {
            const auto &lane = m_timeline->lanes()[std::size_t(session->lane())];
            QCOMPARE(lane.kind, Timeline::Lane::Kind::Call);
            QCOMPARE(lane.method, QStringLiteral("wirescope.testing.TestService/Echo"));
            streams.push_back(lane.streamId);
            QVERIFY(lane.connection != 0);
            if (connection)
                QCOMPARE(lane.connection, connection); // one channel, one connection
            connection = lane.connection;
            QVERIFY(lane.label().contains(QStringLiteral("stream %1").arg(lane.streamId)));
            // Both messages link to DATA frames on this call's stream, and back.
            QCOMPARE(lane.messages.size(), std::size_t(2));
            for (quint64 id : lane.messages) {
                const auto frames = m_timeline->framesOfMessage(id);
                QVERIFY(!frames.empty());
                for (quint64 f : frames) {
                    QCOMPARE(m_timeline->frame(f).type, quint8(rpc::wire::FrameType::Data));
                    QCOMPARE(m_timeline->frame(f).streamId, lane.streamId);
                    QCOMPARE(m_timeline->frame(f).outbound,
                             m_timeline->item(id).kind == Timeline::ItemKind::MessageSent);
                }
                QCOMPARE(m_timeline->messageOfFrame(frames.back()), id);
            }
            // The reply was small, so it was kept as wire bytes and is decoded when asked.
            const quint64 reply = lane.messages.back();
            QVERIFY(m_timeline->item(reply).flags & Timeline::Undecoded);
            QVERIFY(m_timeline->itemText(reply).valueOr(QByteArray()).contains("\"call "));
        }
        QCOMPARE(streams, (std::vector<quint32>{1, 3, 5}));
        // The connection has its own lane with the stream-0 frames (SETTINGS at least).
        int connectionLanes = 0;
        for (const auto &lane : m_timeline->lanes()) {
            if (lane.kind != Timeline::Lane::Kind::Connection)
                continue;
            ++connectionLanes;
            bool settings = false;
            for (quint64 id : lane.others)
                settings = settings ||
                           m_timeline->frameTypeName(m_timeline->item(id).ref) == QLatin1String("SETTINGS");
            QVERIFY(settings);
        }
        QCOMPARE(connectionLanes, 1);
    }

    void aServerStreamOfAHundredShowsEveryMessageAndItsFrames()
    {
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QAbstractItemModelTester tester(session.messages(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&session, &models::CallSession::finished);
        session.start(request("ServerStream", {R"({"count": 100, "text": "x"})"}), method("ServerStream"),
                      true);
        QVERIFY(finished.wait(20000));
        settleWire();
        const auto &lane = m_timeline->lanes()[std::size_t(session.lane())];
        QCOMPARE(session.messages()->count(), 101);
        int received = 0;
        for (quint64 id : lane.messages) {
            if (m_timeline->item(id).kind != Timeline::ItemKind::MessageReceived)
                continue;
            QVERIFY(!m_timeline->framesOfMessage(id).empty());
            QVERIFY(m_timeline->itemText(id).valueOr(QByteArray()).contains(
                        QByteArray(QByteArray("\"index\": ") + QByteArray::number(received))) ||
                    received == 0); // index 0 is the default and not printed
            ++received;
        }
        QCOMPARE(received, 100);
        // The wire view of this call: its DATA frames complete 100 messages in all.
        models::FramesModel frames(*m_timeline);
        QAbstractItemModelTester frameTester(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
        frames.setLanes({session.lane()});
        int completed = 0;
        for (int row = 0; row < frames.count(); ++row) {
            const auto &f = m_timeline->frame(frames.frameId(row));
            if (!f.outbound && f.type == quint8(rpc::wire::FrameType::Data))
                completed += f.messages;
            QVERIFY(f.streamId == lane.streamId || f.streamId == 0);
        }
        QCOMPARE(completed, 100);
        QVERIFY(frames.data(frames.index(0, models::FramesModel::TypeColumn)).toString().size() > 0);
    }

    void cancelShowsTheResetOnTheCallsLane()
    {
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        session.start(request("ServerStream", {R"({"count": 1000, "interval_ms": 20})"}),
                      method("ServerStream"), true);
        QTRY_VERIFY_WITH_TIMEOUT(session.receivedCount() >= 2, 20000);
        session.cancel();
        QVERIFY(finished.wait(20000));
        QCOMPARE(session.status().code, 1); // CANCELLED
        const auto &lane = m_timeline->lanes()[std::size_t(session.lane())];
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(lane.others.begin(), lane.others.end(),
                                             [&](quint64 id) {
                                                 return m_timeline->item(id).kind ==
                                                        Timeline::ItemKind::StreamReset;
                                             }),
                                 5000);
    }

    void retentionDropsTheOldestAndCountsThem()
    {
        m_timeline->setRetention(1000);
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QAbstractItemModelTester tester(session.messages(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&session, &models::CallSession::finished);
        session.start(request("ServerStream", {R"({"count": 5000, "text": "kept"})"}), method("ServerStream"),
                      true);
        QVERIFY(finished.wait(30000));
        settleWire();
        const auto &lane = m_timeline->lanes()[std::size_t(session.lane())];
        QVERIFY(m_timeline->droppedItems() > 0);
        QVERIFY(m_timeline->droppedFrames() > 0);
        QVERIFY(m_timeline->endItemId() - m_timeline->firstItemId() <= 1000 + 1000 / 16);
        QVERIFY(lane.droppedMessages > 0);
        QCOMPARE(quint64(session.messages()->count()) + lane.droppedMessages, quint64(5001));
        QCOMPARE(session.receivedCount(), 5000); // the session still counted every message
        // The first row kept is numbered after the dropped ones, and still decodes.
        QCOMPARE(session.messages()->data(session.messages()->index(0, 0)).toString(),
                 QString::number(lane.droppedMessages + 1));
        QVERIFY(session.messages()->text(0).valueOr(QByteArray()).contains("kept"));
        QVERIFY(session.messages()->text(session.messages()->count() - 1).valueOr(QByteArray()).contains("4999"));
    }

    void exportsEveryEventAndFrameAsJson()
    {
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        session.start(request("Echo", {R"({"text": "exported"})"}), method("Echo"), true);
        QVERIFY(finished.wait(20000));
        settleWire();
        QJsonParseError error{};
        const auto doc = QJsonDocument::fromJson(m_timeline->toJson(session.lane()), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject root = doc.object();
        QCOMPARE(root[QStringLiteral("format")].toString(), QStringLiteral("wirescope-timeline"));
        QCOMPARE(root[QStringLiteral("lanes")].toArray().size(), 1);
        const QJsonObject lane = root[QStringLiteral("lanes")].toArray().at(0).toObject();
        QCOMPARE(lane[QStringLiteral("stream_id")].toInt(), 1);
        QCOMPARE(lane[QStringLiteral("status")].toObject()[QStringLiteral("name")].toString(),
                 QStringLiteral("OK"));
        QStringList kinds;
        QJsonObject reply;
        for (const auto &e : root[QStringLiteral("events")].toArray()) {
            kinds << e.toObject()[QStringLiteral("kind")].toString();
            if (kinds.back() == QLatin1String("message_received"))
                reply = e.toObject();
        }
        QCOMPARE(kinds, (QStringList{QStringLiteral("request_headers"), QStringLiteral("message_sent"),
                                     QStringLiteral("half_close"), QStringLiteral("response_headers"),
                                     QStringLiteral("message_received"), QStringLiteral("trailers")}));
        const QJsonObject message = reply[QStringLiteral("message")].toObject();
        QCOMPARE(message[QStringLiteral("echo")].toObject()[QStringLiteral("text")].toString(),
                 QStringLiteral("exported"));
        // Through the tap the server still sees its own name as the :authority.
        QCOMPARE(message[QStringLiteral("authority")].toString(),
                 QString::fromStdString(m_server->address()));
        QVERIFY(!reply[QStringLiteral("frames")].toArray().isEmpty());
        // Frames of the call's stream: HEADERS both ways, DATA both ways, and trailers.
        QStringList types;
        for (const auto &f : root[QStringLiteral("frames")].toArray()) {
            if (f.toObject()[QStringLiteral("stream_id")].toInt() == 1)
                types << f.toObject()[QStringLiteral("type")].toString();
        }
        QVERIFY(types.count(QStringLiteral("HEADERS")) >= 3);
        QVERIFY(types.count(QStringLiteral("DATA")) >= 2);

        // Each header block leads to its HEADERS frame on the call's stream.
        const auto &callLane = m_timeline->lanes()[std::size_t(session.lane())];
        for (quint64 id : callLane.others) {
            const auto kind = m_timeline->item(id).kind;
            const auto frames = m_timeline->framesOfItem(id);
            if (kind == Timeline::ItemKind::HalfClosed) {
                QVERIFY(frames.empty());
                continue;
            }
            QCOMPARE(frames.size(), std::size_t(1));
            const auto &f = m_timeline->frame(frames[0]);
            QCOMPARE(f.type, quint8(rpc::wire::FrameType::Headers));
            QCOMPARE(f.streamId, quint32(1));
            QCOMPARE(f.outbound, kind == Timeline::ItemKind::RequestHeaders);
            QCOMPARE(bool(f.flags & rpc::wire::flags::EndStream), kind == Timeline::ItemKind::Trailers);
            if (kind == Timeline::ItemKind::RequestHeaders)
                QVERIFY(m_timeline->frameDetails(frames[0]).contains(
                    QStringLiteral(":path: /wirescope.testing.TestService/Echo")));
        }
    }

    void aTlsCallGoesThroughTheTapWithTheUsersSettings()
    {
        testsupport::Pki pki;
        testing_server::ServerOptions options;
        options.certFile = pki.path("server.pem");
        options.keyFile = pki.path("server.key");
        testing_server::TestServer secure(options);
        QVERIFY(secure.start());
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        auto r = request("Echo", {R"({"text": "over tls"})"});
        r.channel.target = "localhost:" + std::to_string(secure.port());
        r.channel.plaintext = false;
        r.channel.caFile = pki.path("ca.pem");
        session.start(r, method("Echo"), true);
        QVERIFY(session.tapped());
        QVERIFY(finished.wait(20000));
        QVERIFY2(session.status().ok(), session.status().message.c_str());
        settleWire();
        const auto &lane = m_timeline->lanes()[std::size_t(session.lane())];
        QCOMPARE(lane.streamId, quint32(1));
        QVERIFY(m_timeline->itemText(lane.messages.back()).valueOr(QByteArray()).contains("over tls"));
        QVERIFY(!m_timeline->framesOfMessage(lane.messages.back()).empty());

        // The wrong CA: the tap's handshake fails, the call fails, and the session says why.
        models::CallSession wrong(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy wrongFinished(&wrong, &models::CallSession::finished);
        r.channel.caFile = pki.path("other.pem");
        r.channel.connectTimeoutMs = 3000;
        wrong.start(r, method("Echo"), true);
        QVERIFY(wrongFinished.wait(20000));
        QCOMPARE(wrong.status().code, 14);
        // Said once: in the headline, not again in the wire note.
        QVERIFY2(QString::fromStdString(wrong.status().message).contains(QStringLiteral("certificate verify failed")),
                 wrong.status().message.c_str());
        QVERIFY2(!wrong.wireNote().contains(QStringLiteral("certificate verify failed")),
                 qPrintable(wrong.wireNote()));
    }

    // A unix socket is tapped like a TCP target (it used to go directly); a call the tap cannot
    // take (here: a proxy setting that does not parse) goes directly, and the note says why.
    void unixSocketsAreTappedAndAnUntappableCallSaysWhy()
    {
        testsupport::TempDir dir;
        const std::string socket = "unix:" + (dir.path() / "s.sock").string();
        const auto local = testing_server::TestServer::started(testing_server::listeningOn(socket));
        QVERIFY(local);
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        auto r = request("Echo", {R"({"text": "tapped"})"});
        r.channel.target = socket;
        session.start(r, method("Echo"), true);
        QVERIFY2(session.tapped(), qPrintable(session.wireNote()));
        QVERIFY(finished.wait(20000));
        QVERIFY2(session.status().ok(), session.status().message.c_str());
        QCOMPARE(session.messages()->count(), 2);
        settleWire();
        QTRY_COMPARE_WITH_TIMEOUT(m_timeline->lanes()[std::size_t(session.lane())].streamId, quint32(1),
                                  5000);

        models::CallSession untappable(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy untappableFinished(&untappable, &models::CallSession::finished);
        auto bad = request("Echo", {R"({"text": "direct"})"});
        bad.channel.proxy = "socks5://127.0.0.1:1080";
        untappable.start(bad, method("Echo"), true);
        QVERIFY(!untappable.tapped());
        QVERIFY2(untappable.wireNote().contains(QStringLiteral("goes directly")) &&
                     untappable.wireNote().contains(QStringLiteral("socks5://127.0.0.1:1080")),
                 qPrintable(untappable.wireNote()));
        QVERIFY(untappableFinished.wait(20000));
        QCOMPARE(untappable.status().code, 3); // the direct call fails for the same reason
        QVERIFY2(QString::fromStdString(untappable.status().message).contains(QStringLiteral("socks5://")),
                 untappable.status().message.c_str());
    }

    // Web calls over HTTP/1.1 through the tap: each call is a lane for its exchange, under its
    // connection, labelled with its request line; its header items lead to the heads, its
    // messages to the chunks or body bytes that carried them; the wire view lists the parts.
    void webExchangesOverHttp1AreLanesUnderTheirConnection()
    {
        auto &server = testsupport::sharedConnectServer();
        QVERIFY2(server.problem().empty(), server.problem().c_str());
        models::CallSession echo(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy echoFinished(&echo, &models::CallSession::finished);
        auto r = request("Echo", {R"({"text": "one"})"});
        r.protocol = rpc::Protocol::Connect;
        r.channel.target = "http://" + server.http1() + "/prefix/api";
        echo.start(r, method("Echo"), true);
        QVERIFY2(echo.tapped(), qPrintable(echo.wireNote()));
        QVERIFY(echoFinished.wait(20000));
        QVERIFY2(echo.status().ok(), echo.status().message.c_str());

        models::CallSession stream(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy streamFinished(&stream, &models::CallSession::finished);
        auto s = request("ServerStream", {R"({"count": 3, "text": "s", "intervalMs": 20})"});
        s.protocol = rpc::Protocol::GrpcWeb;
        s.httpVersion = rpc::HttpVersion::Http1;
        s.channel.target = "http://" + server.http1();
        stream.start(s, method("ServerStream"), true);
        QVERIFY(stream.tapped());
        QVERIFY(streamFinished.wait(20000));
        QVERIFY2(stream.status().ok(), stream.status().message.c_str());
        settleWire();

        const auto &echoLane = m_timeline->lanes()[std::size_t(echo.lane())];
        const auto &streamLane = m_timeline->lanes()[std::size_t(stream.lane())];
        QCOMPARE(echoLane.exchange, QStringLiteral("POST /prefix/api/wirescope.testing.TestService/Echo HTTP/1.1"));
        QCOMPARE(echoLane.label(),
                 QStringLiteral("Echo · POST /prefix/api/wirescope.testing.TestService/Echo HTTP/1.1"));
        QCOMPARE(streamLane.exchange, QStringLiteral("POST /wirescope.testing.TestService/ServerStream HTTP/1.1"));
        // One server, one kept-alive connection: the second call is its second exchange.
        QVERIFY(echoLane.connection != 0);
        QCOMPARE(streamLane.connection, echoLane.connection);
        QCOMPARE(echoLane.streamId, quint32(1));
        QCOMPARE(streamLane.streamId, quint32(2));
        int connectionLanes = 0;
        for (const auto &lane : m_timeline->lanes())
            connectionLanes += lane.kind == Timeline::Lane::Kind::Connection && lane.connection == echoLane.connection;
        QCOMPARE(connectionLanes, 1);

        // In order: request head, message, half-close, response head, messages, trailers.
        std::vector<Timeline::ItemKind> kinds;
        std::vector<quint64> all(streamLane.others.begin(), streamLane.others.end());
        all.insert(all.end(), streamLane.messages.begin(), streamLane.messages.end());
        std::sort(all.begin(), all.end());
        for (quint64 id : all)
            kinds.push_back(m_timeline->item(id).kind);
        using K = Timeline::ItemKind;
        QCOMPARE(kinds, (std::vector<K>{K::RequestHeaders, K::MessageSent, K::HalfClosed, K::ResponseHeaders,
                                        K::MessageReceived, K::MessageReceived, K::MessageReceived, K::Trailers}));
        using Part = rpc::wire::Http1Part::Kind;
        for (quint64 id : all) {
            const auto frames = m_timeline->framesOfItem(id);
            const auto kind = m_timeline->item(id).kind;
            if (kind == K::HalfClosed)
                continue;
            QVERIFY2(!frames.empty(), qPrintable(Timeline::kindName(kind)));
            const auto &f = m_timeline->frame(frames.back());
            QVERIFY(f.http1);
            QCOMPARE(f.streamId, quint32(2));
            QCOMPARE(f.outbound, kind == K::RequestHeaders || kind == K::MessageSent);
            if (kind == K::RequestHeaders || kind == K::ResponseHeaders)
                QCOMPARE(f.type, quint8(Part::Head));
            if (kind == K::RequestHeaders)
                QVERIFY(m_timeline->frameDetails(frames[0]).startsWith(
                    QStringLiteral("POST /wirescope.testing.TestService/ServerStream HTTP/1.1\nhost: ")));
            if (kind == K::Trailers)
                QCOMPARE(f.type, quint8(Part::End));
            if (kind == K::MessageReceived) {
                // Each reply came in a chunk of its own.
                QCOMPARE(f.type, quint8(Part::Chunk));
                QCOMPARE(frames.size(), std::size_t(1));
                QCOMPARE(m_timeline->messageOfFrame(frames.back()), id);
                QCOMPARE(m_timeline->frameDetails(frames.back()), QStringLiteral("completes 1 gRPC message"));
            }
        }

        // The wire view of the streaming call: its heads, body and chunks, nothing of the other.
        models::FramesModel frames(*m_timeline);
        QAbstractItemModelTester tester(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
        frames.setLanes({stream.lane()});
        QStringList types;
        for (int row = 0; row < frames.count(); ++row) {
            types << frames.data(frames.index(row, models::FramesModel::TypeColumn)).toString();
            QCOMPARE(frames.data(frames.index(row, models::FramesModel::StreamColumn)).toString(), QStringLiteral("2"));
        }
        QCOMPARE(types.count(QStringLiteral("HEAD")), 2);
        QCOMPARE(types.count(QStringLiteral("CHUNK")), 4); // three replies and the trailer block
        QCOMPARE(types.count(QStringLiteral("END")), 1);
        QCOMPARE(types.front(), QStringLiteral("HEAD"));
        QCOMPARE(types.back(), QStringLiteral("END"));
        QCOMPARE(frames.data(frames.index(frames.count() - 1, models::FramesModel::FlagsColumn)).toString(),
                 QStringLiteral("END_MESSAGE"));

        const auto doc = QJsonDocument::fromJson(m_timeline->toJson(echo.lane()));
        const QJsonObject lane = doc.object()[QStringLiteral("lanes")].toArray().at(0).toObject();
        QCOMPARE(lane[QStringLiteral("http1_request")].toString(), echoLane.exchange);
        for (const auto &f : doc.object()[QStringLiteral("frames")].toArray()) {
            QCOMPARE(f.toObject()[QStringLiteral("protocol")].toString(), QStringLiteral("http/1.1"));
            QCOMPARE(f.toObject()[QStringLiteral("exchange")].toInt(), 1);
        }
    }

    // A server whose chunk size lies: the call fails with libcurl's reason, the session's note
    // and the wire view say what the relay found and where.
    void aMalformedHttp1AnswerFailsTheCallAndShowsInTheWireView()
    {
        testsupport::RawHttpServer server("HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\n"
                                          "transfer-encoding: chunked\r\n\r\n3\r\n0123456789\r\n0\r\n\r\n");
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        auto r = request("Echo", {R"({"text": "x"})"});
        r.protocol = rpc::Protocol::Connect;
        r.channel.target = "http://" + server.address();
        session.start(r, method("Echo"), true);
        QVERIFY(session.tapped());
        QVERIFY(finished.wait(20000));
        QCOMPARE(session.status().code, 14);
        const QString expected = QStringLiteral("a chunk of the response of exchange 1 said 3 bytes, but");
        QVERIFY2(session.wireNote().contains(expected), qPrintable(session.wireNote()));
        settleWire();
        models::FramesModel frames(*m_timeline);
        frames.setLanes({session.lane()});
        QStringList types;
        QString details;
        for (int row = 0; row < frames.count(); ++row) {
            types << frames.data(frames.index(row, models::FramesModel::TypeColumn)).toString();
            if (types.back() == QLatin1String("DECODE ERROR"))
                details = frames.data(frames.index(row, models::FramesModel::DetailsColumn)).toString();
        }
        QVERIFY2(types.size() >= 4, qPrintable(types.join(QLatin1Char(','))));
        QCOMPARE(types.mid(0, 3), (QStringList{QStringLiteral("HEAD"), QStringLiteral("BODY"), QStringLiteral("HEAD")}));
        QVERIFY2(details.contains(expected), qPrintable(details));
    }

    // A web call over HTTP/2 with a path prefix is the stream whose :path ends with its method.
    void aWebCallOverHttp2WithAPrefixIsItsStream()
    {
        auto &server = testsupport::sharedConnectServer();
        QVERIFY2(server.problem().empty(), server.problem().c_str());
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        QSignalSpy finished(&session, &models::CallSession::finished);
        auto r = request("ServerStream", {R"({"count": 2})"});
        r.protocol = rpc::Protocol::Connect;
        r.httpVersion = rpc::HttpVersion::Http2;
        r.channel.target = "http://" + server.h2c() + "/prefix/api";
        session.start(r, method("ServerStream"), true);
        QVERIFY(finished.wait(20000));
        QVERIFY2(session.status().ok(), session.status().message.c_str());
        settleWire();
        const auto &lane = m_timeline->lanes()[std::size_t(session.lane())];
        QCOMPARE(lane.streamId, quint32(1));
        QVERIFY(lane.exchange.isEmpty());
        QCOMPARE(lane.label(), QStringLiteral("ServerStream · stream 1"));
        int linked = 0;
        for (quint64 id : lane.messages)
            linked += !m_timeline->framesOfMessage(id).empty();
        QCOMPARE(linked, 3); // the request and two replies
    }

    // As one request tab sends again and again: a call that goes out, one rejected before anything
    // was sent (a field its message does not have, a header gRPC would refuse), then two more that
    // go out. The rejected call has no stream and is not drawn as open; each call that went out
    // has a stream (or HTTP/1.1 exchange) of its own (a call the server refuses at once too), with
    // its own frames. gRPC to the in-tree server; Connect and gRPC-Web to Connect for Node.
    void aCallRejectedBeforeSendingHasNoStream_data()
    {
        QTest::addColumn<QString>("methodName");
        QTest::addColumn<QString>("body");       // of the calls that go out
        QTest::addColumn<QString>("badBody");    // of the rejected call
        QTest::addColumn<QString>("badHeader");  // a header key that gets it rejected, or empty
        QTest::addColumn<int>("code");           // the status of the calls that go out
        QTest::addColumn<QString>("web");        // "connect-http1", "grpcweb-h2c", or gRPC
        QTest::addColumn<QString>("streams");    // of the three calls that go out
        QTest::newRow("a field the message does not have")
            << QStringLiteral("Echo") << QStringLiteral(R"({"text": "t"})") << QStringLiteral(R"({"textz": 2})")
            << QString() << 0 << QString() << QStringLiteral("1,3,5");
        QTest::newRow("a header gRPC would refuse")
            << QStringLiteral("Echo") << QStringLiteral(R"({"text": "t"})") << QStringLiteral(R"({"text": "t"})")
            << QStringLiteral("bad key") << 0 << QString() << QStringLiteral("1,3,5");
        QTest::newRow("the others refused by the server at once")
            << QStringLiteral("Fail") << QStringLiteral(R"({"code": 9})") << QStringLiteral(R"({"codez": 9})")
            << QString() << 9 << QString() << QStringLiteral("1,3,5");
        QTest::newRow("Connect over HTTP/1.1")
            << QStringLiteral("Echo") << QStringLiteral(R"({"text": "t"})") << QStringLiteral(R"({"textz": 2})")
            << QString() << 0 << QStringLiteral("connect-http1") << QStringLiteral("1,2,3");
        QTest::newRow("gRPC-Web over HTTP/2")
            << QStringLiteral("Echo") << QStringLiteral(R"({"text": "t"})") << QStringLiteral(R"({"textz": 2})")
            << QString() << 0 << QStringLiteral("grpcweb-h2c") << QStringLiteral("1,3,5");
    }

    void aCallRejectedBeforeSendingHasNoStream()
    {
        QFETCH(QString, methodName);
        QFETCH(QString, body);
        QFETCH(QString, badBody);
        QFETCH(QString, badHeader);
        QFETCH(int, code);
        QFETCH(QString, web);
        QFETCH(QString, streams);
        const QByteArray name = methodName.toUtf8();
        if (!web.isEmpty())
            QVERIFY2(testsupport::sharedConnectServer().problem().empty(),
                     testsupport::sharedConnectServer().problem().c_str());
        models::CallSession session(*m_bridge, *m_timeline, m_capture.get());
        std::vector<int> lanes;
        for (int i = 0; i < 4; ++i) {
            const bool rejected = i == 1;
            auto r = request(name.constData(), {(rejected ? badBody : body).toStdString()});
            if (rejected && !badHeader.isEmpty())
                r.metadata.emplace_back(badHeader.toStdString(), "x");
            if (web == QLatin1String("connect-http1")) {
                r.protocol = rpc::Protocol::Connect;
                r.httpVersion = rpc::HttpVersion::Http1;
                r.channel.target = "http://" + testsupport::sharedConnectServer().http1();
            } else if (web == QLatin1String("grpcweb-h2c")) {
                r.protocol = rpc::Protocol::GrpcWeb;
                r.httpVersion = rpc::HttpVersion::Http2;
                r.channel.target = "http://" + testsupport::sharedConnectServer().h2c();
            }
            QSignalSpy finished(&session, &models::CallSession::finished);
            session.start(r, method(name.constData()), true);
            QVERIFY(session.tapped());
            QVERIFY(finished.wait(20000));
            if (rejected) {
                QVERIFY2(session.status().local && session.status().code == 3, session.status().message.c_str());
            } else {
                QVERIFY2(!session.status().local && session.status().code == code,
                         session.status().message.c_str());
            }
            settleWire();
            lanes.push_back(session.lane());
        }

        const auto &rejected = m_timeline->lanes()[std::size_t(lanes[1])];
        QCOMPARE(rejected.streamId, quint32(0));
        QCOMPARE(rejected.connection, quint32(0));
        QVERIFY(rejected.label() == methodName);
        QVERIFY(!rejected.running());
        // Drawn from its start to its end, not on to the frames of a later call.
        QCOMPARE(rejected.lifeEndNs(rpc::monotonicNs()), rejected.endNs);
        QStringList seen;
        quint32 connection = 0;
        for (int i : {0, 2, 3}) {
            const int index = lanes[std::size_t(i)];
            const auto &lane = m_timeline->lanes()[std::size_t(index)];
            QVERIFY2(lane.streamId != 0, qPrintable(QStringLiteral("call %1 has no stream").arg(i)));
            QVERIFY(lane.connection != 0);
            if (connection)
                QCOMPARE(lane.connection, connection);
            connection = lane.connection;
            QCOMPARE(lane.label(), methodName + QStringLiteral(" · ") + lane.wireName());
            seen << QString::number(lane.streamId);
            // Its stream's frames are on its lane: the client's headers first, then the server's.
            quint64 firstFrame = 0;
            bool answered = false;
            for (quint64 f = m_timeline->firstFrameId(); f < m_timeline->endFrameId(); ++f) {
                const auto &frame = m_timeline->frame(f);
                QVERIFY(frame.lane != quint32(lanes[1]));
                if (frame.streamId != lane.streamId || frame.connection != lane.connection)
                    continue;
                QCOMPARE(frame.lane, quint32(index));
                firstFrame = firstFrame ? firstFrame : f;
                answered = answered || !frame.outbound;
            }
            QVERIFY(firstFrame);
            QVERIFY(m_timeline->frame(firstFrame).outbound);
            QVERIFY2(m_timeline->frameTypeName(firstFrame).startsWith(QLatin1String("HEAD")),
                     qPrintable(m_timeline->frameTypeName(firstFrame)));
            QVERIFY(answered);
            // Its request message was carried by a DATA frame (or chunk) of its stream. A Connect
            // unary body is not framed as messages: the tap does not tell it apart.
            QVERIFY(!lane.messages.empty());
            if (web.startsWith(QLatin1String("connect")))
                continue;
            const auto frames = m_timeline->framesOfMessage(lane.messages.front());
            QVERIFY(!frames.empty());
            QCOMPARE(m_timeline->frame(frames.back()).streamId, lane.streamId);
        }
        QCOMPARE(seen.join(QLatin1Char(',')), streams);
    }

    // The tap's frames and the engine's events reach the timeline in separate batches: a stream
    // seen before the events of the calls that could own it waits for them, so a call the engine
    // rejected (a Finished with no Started) is not given it. A call that ended before the stream
    // was opened, without a word from the server (its connection failed), is not given it either.
    void aStreamWaitsForTheEventsThatSayWhoseItIs()
    {
        Timeline timeline;
        auto begin = [&](quint64 id) { return int(timeline.beginCall(echoCall(id))); };
        auto callEvent = [](quint64 id, rpc::EventKind kind, qint64 t, bool local = false) {
            rpc::CallEvent e;
            e.callId = id;
            e.kind = kind;
            e.timeNs = t;
            e.status.code = kind == rpc::EventKind::Finished && local ? 3 : 0;
            e.status.local = local;
            return e;
        };
        const int failed = begin(1);   // started; its connection failed before anything was sent
        const int rejected = begin(2); // rejected by the engine: never started
        const int first = begin(3);
        const int second = begin(4);
        std::vector<rpc::CallEvent> calls{callEvent(1, rpc::EventKind::Started, 1000),
                                          callEvent(1, rpc::EventKind::Finished, 2000)};
        timeline.addCallEvents(calls);
        std::vector<rpc::wire::WireEvent> wire{echoHeaders(1, 5000)};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        // Call 2 may still be the stream's: nothing is decided, nothing stored, and what comes
        // next from the tap waits behind it.
        QCOMPARE(timeline.lanes()[std::size_t(rejected)].streamId, quint32(0));
        QCOMPARE(timeline.endFrameId(), timeline.firstFrameId());
        rpc::wire::WireEvent data = echoHeaders(1, 5500);
        data.frame.type = quint8(rpc::wire::FrameType::Data);
        data.frame.headers.clear();
        wire = {data};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        QCOMPARE(timeline.endFrameId(), timeline.firstFrameId());
        calls = {callEvent(2, rpc::EventKind::Finished, 3000, true), callEvent(3, rpc::EventKind::Started, 4000),
                 callEvent(4, rpc::EventKind::Started, 6000)};
        timeline.addCallEvents(calls);
        wire = {echoHeaders(3, 7000)};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        QCOMPARE(timeline.lanes()[std::size_t(failed)].streamId, quint32(0));
        QCOMPARE(timeline.lanes()[std::size_t(rejected)].streamId, quint32(0));
        QCOMPARE(timeline.lanes()[std::size_t(first)].streamId, quint32(1));
        QCOMPARE(timeline.lanes()[std::size_t(second)].streamId, quint32(3));
        QCOMPARE(timeline.endFrameId() - timeline.firstFrameId(), quint64(3));
        for (quint64 f : {timeline.firstFrameId(), timeline.firstFrameId() + 1})
            QCOMPARE(timeline.frame(f).lane, quint32(first));
        QCOMPARE(timeline.frame(timeline.firstFrameId() + 1).type, quint8(rpc::wire::FrameType::Data));
        QCOMPARE(timeline.frame(timeline.firstFrameId() + 2).lane, quint32(second));
    }

    // A call that never gets an event from the engine (a timeline fed by hand) does not hold the
    // tap's frames for good: past 20000 waiting events its stream is given by order.
    void framesWaitForAtMostTwentyThousandEvents()
    {
        Timeline timeline;
        const int lane = int(timeline.beginCall(echoCall(1)));
        rpc::wire::WireEvent ping;
        ping.connection = 1;
        ping.timeNs = 2000;
        ping.frame.type = quint8(rpc::wire::FrameType::Ping);
        ping.frame.payload = std::string(8, '\x01');
        std::vector<rpc::wire::WireEvent> wire{echoHeaders(1, 1000)};
        wire.insert(wire.end(), 19'998, ping);
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        wire = {ping};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        QCOMPARE(timeline.endFrameId(), timeline.firstFrameId()); // 20000 wait
        wire = {ping};
        timeline.addWireEvents(1, QStringLiteral("upstream:1"), wire);
        QCOMPARE(timeline.lanes()[std::size_t(lane)].streamId, quint32(1));
        QCOMPARE(timeline.endFrameId() - timeline.firstFrameId() + timeline.droppedFrames(), quint64(20'001));
    }

private:
    rpc::CallRequest request(const char *name, std::vector<std::string> messages)
    {
        rpc::CallRequest r;
        r.schema = testsupport::testSchema();
        r.method = std::string("wirescope.testing.TestService/") + name;
        r.channel.target = m_server->address();
        r.messages = std::move(messages);
        return r;
    }

    rpc::MethodInfo method(const char *name)
    {
        return *testsupport::testSchema()->findMethod(std::string("wirescope.testing.TestService/") + name);
    }

    // The tap's last frames (trailers, a WINDOW_UPDATE) may come a moment after the call ends.
    void settleWire()
    {
        QTest::qWait(50);
        m_capture->drainNow();
    }

    std::unique_ptr<testing_server::TestServer> m_server;
    std::unique_ptr<rpc::Engine> m_engine;
    std::unique_ptr<models::EngineBridge> m_bridge;
    std::unique_ptr<Timeline> m_timeline;
    std::unique_ptr<models::WireCapture> m_capture;
};

QTEST_GUILESS_MAIN(TimelineTest)
#include "timeline_test.moc"
