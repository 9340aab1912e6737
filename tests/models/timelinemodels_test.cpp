// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline, MessagesModel and FramesModel fed synthetic engine and tap events, written as
// compact scripts (as hotspot builds its trees from "A;B;C" strings): retention at and around
// its limit, drops in chunks across batches, payload blocks (shared and whole) dropped at their
// edges, and messages linked to the frames that carried them. Each case states what the
// timeline and both models must hold afterwards, also as a compact string, and both models are
// watched by QAbstractItemModelTester while the events arrive.
#include "models/framesmodel.h"
#include "models/messagesmodel.h"
#include "models/timeline.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QtTest>

#include <map>

using models::Timeline;

namespace {

// Plays a script into a timeline. Tokens, separated by spaces; a run of call tokens is one
// addCallEvents batch and a run of wire tokens one addWireEvents batch, "|" ends a batch:
//   <call><op>[*count][x<bytes>]  op: S started, > message sent, < message received,
//                                 H response headers, C half-close, F finished (OK)
//   w<op><stream>[*count][m]       op: H client HEADERS (the calls' :path), d client DATA,
//                                 D server DATA, P PING (stream 0), R RST_STREAM;
//                                 m: each DATA frame completes one gRPC message
// Each message's payload is {"n":<k>,…}, k counting the call's messages from 1 in both
// directions, padded with "p" to <bytes> when given.
class Player
{
public:
    Player(Timeline &timeline, bool tapped)
        : m_timeline(timeline)
        , m_tapped(tapped)
    {}

    void play(const QString &script)
    {
        static const QRegularExpression callToken(
            QStringLiteral(R"(^(\d+)([SHC<>F])(?:\*(\d+))?(?:x(\d+))?$)"));
        static const QRegularExpression wireToken(QStringLiteral(R"(^w([HdDPR])(\d+)(?:\*(\d+))?(m?)$)"));
        for (const QString &token : script.split(u' ', Qt::SkipEmptyParts)) {
            if (token == QLatin1String("|")) {
                flush();
                continue;
            }
            if (const auto m = callToken.match(token); m.hasMatch()) {
                flushWire();
                const int count = m.captured(3).isEmpty() ? 1 : m.captured(3).toInt();
                for (int i = 0; i < count; ++i)
                    m_calls.push_back(
                        callEvent(m.captured(1).toULongLong(), m.captured(2).at(0), m.captured(4).toInt()));
            } else if (const auto w = wireToken.match(token); w.hasMatch()) {
                flushCalls();
                const int count = w.captured(3).isEmpty() ? 1 : w.captured(3).toInt();
                for (int i = 0; i < count; ++i)
                    m_wire.push_back(
                        wireEvent(w.captured(1).at(0), w.captured(2).toUInt(), !w.captured(4).isEmpty()));
            } else {
                QTest::qFail(qPrintable(QStringLiteral("bad script token ") + token), __FILE__, __LINE__);
                return;
            }
        }
        flush();
    }

private:
    void flush()
    {
        flushCalls();
        flushWire();
    }

    void flushCalls()
    {
        if (!m_calls.empty())
            m_timeline.addCallEvents(m_calls);
        m_calls.clear();
    }

    void flushWire()
    {
        if (!m_wire.empty())
            m_timeline.addWireEvents(1, QStringLiteral("upstream:1"), m_wire);
        m_wire.clear();
    }

    rpc::CallEvent callEvent(quint64 call, QChar op, int bytes)
    {
        if (!m_known.count(call)) {
            Timeline::CallInfo info;
            info.callId = call;
            info.method.serviceName = "wirescope.testing.TestService";
            info.method.name = "Echo";
            info.method.fullName = "wirescope.testing.TestService.Echo";
            info.target = QStringLiteral("upstream:1");
            info.tap = m_tapped ? 1 : 0;
            m_timeline.beginCall(info);
            m_known[call] = 0;
        }
        rpc::CallEvent e;
        e.callId = call;
        e.timeNs = m_clock += 1000;
        switch (op.unicode()) {
        case 'S':
            e.kind = rpc::EventKind::Started;
            e.metadata = {{"x-call", std::to_string(call)}};
            break;
        case '>':
        case '<': {
            e.kind = op == u'>' ? rpc::EventKind::MessageSent : rpc::EventKind::MessageReceived;
            e.direction = op == u'>' ? rpc::Direction::Outbound : rpc::Direction::Inbound;
            std::string payload = "{\"n\":" + std::to_string(++m_known[call]);
            if (bytes > int(payload.size()) + 8)
                payload += ",\"p\":\"" + std::string(std::size_t(bytes) - payload.size() - 8, 'p') + '"';
            e.payload = payload + '}';
            e.wireSize = e.payload.size();
            break;
        }
        case 'H':
            e.kind = rpc::EventKind::ResponseHeaders;
            break;
        case 'C':
            e.kind = rpc::EventKind::HalfClosed;
            break;
        default:
            e.kind = rpc::EventKind::Finished;
            e.status.code = 0;
            break;
        }
        return e;
    }

    rpc::wire::WireEvent wireEvent(QChar op, quint32 stream, bool completes)
    {
        using rpc::wire::FrameType;
        rpc::wire::WireEvent e;
        e.connection = 1;
        e.timeNs = m_clock += 1000;
        e.frame.streamId = stream;
        e.direction =
            op == u'D' ? rpc::wire::WireDirection::ServerToClient : rpc::wire::WireDirection::ClientToServer;
        switch (op.unicode()) {
        case 'H':
            e.frame.type = quint8(FrameType::Headers);
            e.frame.flags = rpc::wire::flags::EndHeaders;
            e.frame.endsHeaderBlock = true;
            e.frame.headers = {{":path", "/wirescope.testing.TestService/Echo"}};
            e.frame.length = 40;
            break;
        case 'd':
        case 'D':
            e.frame.type = quint8(FrameType::Data);
            e.frame.length = 100;
            if (completes)
                e.messages.push_back(rpc::wire::GrpcMessage{stream, false, {}, 1, 0});
            break;
        case 'P':
            e.frame.type = quint8(FrameType::Ping);
            e.frame.length = 8;
            e.frame.payload = std::string(8, '\x01');
            break;
        default:
            e.frame.type = quint8(FrameType::RstStream);
            e.frame.length = 4;
            e.frame.errorCode = 8;
            break;
        }
        return e;
    }

    Timeline &m_timeline;
    bool m_tapped;
    qint64 m_clock = 1'000'000;
    std::map<quint64, int> m_known; // call id → messages so far
    std::vector<rpc::CallEvent> m_calls;
    std::vector<rpc::wire::WireEvent> m_wire;
};

// "items=… dropped=… frames=… fdropped=… | L0:call m=<kept>+<dropped> o=<others> s=<stream> linked=<n>"
QString describe(const Timeline &t)
{
    QStringList parts;
    parts << QStringLiteral("items=%1 dropped=%2 frames=%3 fdropped=%4")
                 .arg(t.endItemId() - t.firstItemId())
                 .arg(t.droppedItems())
                 .arg(t.endFrameId() - t.firstFrameId())
                 .arg(t.droppedFrames());
    for (std::size_t i = 0; i < t.lanes().size(); ++i) {
        const Timeline::Lane &lane = t.lanes()[i];
        const bool call = lane.kind == Timeline::Lane::Kind::Call;
        QString s = QStringLiteral("L%1:%2 m=%3+%4 o=%5")
                        .arg(i)
                        .arg(call ? QStringLiteral("call") : QStringLiteral("conn"))
                        .arg(lane.messages.size())
                        .arg(lane.droppedMessages)
                        .arg(lane.others.size());
        if (lane.streamId)
            s += QStringLiteral(" s=%1").arg(lane.streamId);
        int linked = 0;
        for (quint64 id : lane.messages)
            linked += t.framesOfMessage(id).empty() ? 0 : 1;
        if (linked)
            s += QStringLiteral(" linked=%1").arg(linked);
        parts << s;
    }
    return parts.join(QStringLiteral(" | "));
}

// "rows=<n> first=<#> last=<#>", after checking every row against the timeline.
QString describe(const models::MessagesModel &m, const Timeline &t)
{
    if (m.count() == 0)
        return QStringLiteral("rows=0");
    for (int r = 0; r < m.count(); ++r) {
        const QString number = m.data(m.index(r, models::MessagesModel::IndexColumn)).toString();
        // The row's number is the message's place in its call, so the payload says it too.
        const QByteArray text = m.text(r).valueOr(QByteArray());
        const QByteArray head = "{\"n\":" + number.toUtf8();
        if (text != QByteArray(head + '}') && !text.startsWith(QByteArray(head + ',')))
            return QStringLiteral("row %1 (#%2) holds %3")
                .arg(r)
                .arg(number, QString::fromUtf8(text.left(40)));
        if (m.rowOfItem(m.itemId(r)) != r || !t.hasItem(m.itemId(r)))
            return QStringLiteral("row %1 does not map back to its item").arg(r);
        if (quint64(t.payload(m.itemId(r)).size()) != t.item(m.itemId(r)).size)
            return QStringLiteral("row %1 lost payload bytes").arg(r);
    }
    return QStringLiteral("rows=%1 first=%2 last=%3")
        .arg(m.count())
        .arg(m.data(m.index(0, 0)).toString(), m.data(m.index(m.count() - 1, 0)).toString());
}

// "rows=<n> first=<frame id> last=<frame id> types=<type letters>"
QString describe(const models::FramesModel &m)
{
    if (m.count() == 0)
        return QStringLiteral("rows=0");
    QString types;
    for (int r = 0; r < m.count() && types.size() < 12; ++r)
        types += m.data(m.index(r, models::FramesModel::TypeColumn)).toString().at(0);
    return QStringLiteral("rows=%1 first=%2 last=%3 types=%4")
        .arg(m.count())
        .arg(m.frameId(0))
        .arg(m.frameId(m.count() - 1))
        .arg(types);
}

} // namespace

class TimelineModelsTest : public QObject
{
    Q_OBJECT

private slots:
    void scripts_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<bool>("tapped");
        QTest::addColumn<QString>("timeline");
        QTest::addColumn<QString>("messages");   // MessagesModel on lane 0
        QTest::addColumn<QString>("frames");     // FramesModel over every frame
        QTest::addColumn<QString>("laneFrames"); // FramesModel on lane 0

        // Retention is 1000 items (and frames), dropped once more than 1000 + 1000/16 are kept.
        QTest::newRow("unary call") << QStringLiteral("1S 1> 1C 1H 1< 1F") << false
                                    << QStringLiteral(
                                           "items=6 dropped=0 frames=0 fdropped=0 | L0:call m=2+0 o=4")
                                    << QStringLiteral("rows=2 first=1 last=2") << QStringLiteral("rows=0")
                                    << QStringLiteral("rows=0");
        QTest::newRow("at the slack")
            << QStringLiteral("1S 1<*1061") << false
            << QStringLiteral("items=1062 dropped=0 frames=0 fdropped=0 | L0:call m=1061+0 o=1")
            << QStringLiteral("rows=1061 first=1 last=1061") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("one past the slack")
            << QStringLiteral("1S 1<*1062") << false
            << QStringLiteral("items=1000 dropped=63 frames=0 fdropped=0 | L0:call m=1000+62 o=0")
            << QStringLiteral("rows=1000 first=63 last=1062") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("dropped when a later batch passes the slack")
            << QStringLiteral("1S 1<*1000 | 1<*100") << false
            << QStringLiteral("items=1000 dropped=101 frames=0 fdropped=0 | L0:call m=1000+100 o=0")
            << QStringLiteral("rows=1000 first=101 last=1100") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("dropped in chunks, not per batch")
            << QStringLiteral("1S 1<*1062 | 1<*62 | 1<") << false
            << QStringLiteral("items=1000 dropped=126 frames=0 fdropped=0 | L0:call m=1000+125 o=0")
            << QStringLiteral("rows=1000 first=126 last=1125") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("two calls: the older lane loses its oldest")
            << QStringLiteral("1S 2S 1<*600 2<*600") << false
            << QStringLiteral(
                   "items=1000 dropped=202 frames=0 fdropped=0 | L0:call m=400+200 o=0 | L1:call m=600+0 o=0")
            << QStringLiteral("rows=400 first=201 last=600") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("both directions keep one numbering")
            << QStringLiteral("1S 1>*3 1C 1<*1100 1F") << false
            << QStringLiteral("items=1000 dropped=106 frames=0 fdropped=0 | L0:call m=999+104 o=1")
            << QStringLiteral("rows=999 first=105 last=1103") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");

        // Payload blocks: 1 MiB blocks shared by small messages, a block of its own from 64 KiB.
        QTest::newRow("small payloads across block edges")
            << QStringLiteral("1S 1<*1100x3000") << false
            << QStringLiteral("items=1000 dropped=101 frames=0 fdropped=0 | L0:call m=1000+100 o=0")
            << QStringLiteral("rows=1000 first=101 last=1100") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("whole blocks dropped before shared ones")
            << QStringLiteral("1S 1<*100x70000 1<*1000x200") << false
            << QStringLiteral("items=1000 dropped=101 frames=0 fdropped=0 | L0:call m=1000+100 o=0")
            << QStringLiteral("rows=1000 first=101 last=1100") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("a whole block between shared ones")
            << QStringLiteral("1S 1<*50x900 1<x70000 1<*1011x900") << false
            << QStringLiteral("items=1000 dropped=63 frames=0 fdropped=0 | L0:call m=1000+62 o=0")
            << QStringLiteral("rows=1000 first=63 last=1062") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");
        QTest::newRow("the newest whole block survives")
            << QStringLiteral("1S 1<*1061x300 1<x100000 1<x65536") << false
            << QStringLiteral("items=1000 dropped=64 frames=0 fdropped=0 | L0:call m=1000+63 o=0")
            << QStringLiteral("rows=1000 first=64 last=1063") << QStringLiteral("rows=0")
            << QStringLiteral("rows=0");

        // Frames: stream 0 frames are connection items; frames have their own retention.
        QTest::newRow("connection frames retained")
            << QStringLiteral("wP0*1100") << false
            << QStringLiteral("items=1000 dropped=100 frames=1000 fdropped=100 | L0:conn m=0+0 o=1000")
            << QStringLiteral("rows=0") << QStringLiteral("rows=1000 first=101 last=1100 types=PPPPPPPPPPPP")
            << QStringLiteral("rows=1000 first=101 last=1100 types=PPPPPPPPPPPP");
        QTest::newRow("a tapped call links its messages to DATA frames")
            << QStringLiteral("1S 1> | wH1 wd1m wP0 | 1C 1H 1<*2 | wD1m wD1 wD1m wR1 | 1F") << true
            << QStringLiteral("items=9 dropped=0 frames=7 fdropped=0 | L0:call m=3+0 o=5 s=1 linked=3 | "
                              "L1:conn m=0+0 o=1")
            << QStringLiteral("rows=3 first=1 last=3")
            << QStringLiteral("rows=7 first=1 last=7 types=HDPDDDR")
            << QStringLiteral("rows=7 first=1 last=7 types=HDPDDDR");
        QTest::newRow("frames of an unmatched stream stay on the connection")
            << QStringLiteral("1S | wH3 wD5*2 | 1<") << false
            << QStringLiteral("items=2 dropped=0 frames=3 fdropped=0 | L0:call m=1+0 o=1 | L1:conn m=0+0 o=0")
            << QStringLiteral("rows=1 first=1 last=1") << QStringLiteral("rows=3 first=1 last=3 types=HDD")
            << QStringLiteral("rows=0");
        QTest::newRow("frames dropped under a lane filter")
            << QStringLiteral("1S | wH1 | wD1*1100") << true
            << QStringLiteral(
                   "items=1 dropped=0 frames=1000 fdropped=101 | L0:call m=0+0 o=1 s=1 | L1:conn m=0+0 o=0")
            << QStringLiteral("rows=0") << QStringLiteral("rows=1000 first=102 last=1101 types=DDDDDDDDDDDD")
            << QStringLiteral("rows=1000 first=102 last=1101 types=DDDDDDDDDDDD");
    }

    void scripts()
    {
        QFETCH(QString, script);
        QFETCH(bool, tapped);
        Timeline timeline;
        timeline.setRetention(1000);
        models::MessagesModel messages(timeline);
        models::FramesModel frames(timeline);
        models::FramesModel laneFrames(timeline);
        QAbstractItemModelTester t1(&messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(&laneFrames, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The models follow lane 0 from the start, as a request tab does.
        connect(&timeline, &Timeline::lanesChanged, this, [&] {
            if (messages.count() == 0 && !timeline.lanes().empty())
                messages.setLane(0);
        });
        laneFrames.setLanes({0});
        Player(timeline, tapped).play(script);
        if (QTest::currentTestFailed())
            return;
        QTEST(describe(timeline), "timeline");
        QTEST(describe(messages, timeline), "messages");
        QTEST(describe(frames), "frames");
        QTEST(describe(laneFrames), "laneFrames");
        // Rebuilt from scratch, the models show the same.
        models::MessagesModel fresh(timeline);
        fresh.setLane(0);
        QCOMPARE(describe(fresh, timeline), describe(messages, timeline));
        models::FramesModel freshFrames(timeline);
        QCOMPARE(describe(freshFrames), describe(frames));
    }

    // The counts the models report as dropped match what the timeline dropped, and clearing
    // empties every model.
    void clearEmptiesTheModels()
    {
        Timeline timeline;
        timeline.setRetention(1000);
        models::MessagesModel messages(timeline);
        models::FramesModel frames(timeline);
        QAbstractItemModelTester t1(&messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Player(timeline, true).play(QStringLiteral("1S | wH1 | 1<*1100 | wD1*1100m"));
        messages.setLane(0);
        QCOMPARE(messages.droppedBefore(), timeline.lanes()[0].droppedMessages);
        QCOMPARE(quint64(messages.count()) + messages.droppedBefore(), quint64(1100));
        timeline.clear();
        QCOMPARE(messages.rowCount(), 0);
        QCOMPARE(frames.rowCount(), 0);
        // New events after a clear start new lanes and rows; ids go on from where they were.
        Player(timeline, false).play(QStringLiteral("7S 7<*2"));
        messages.setLane(0);
        QCOMPARE(messages.count(), 2);
        QVERIFY(messages.itemId(0) > 1100);
    }
};

QTEST_GUILESS_MAIN(TimelineModelsTest)
#include "timelinemodels_test.moc"
