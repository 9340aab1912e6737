// SPDX-License-Identifier: GPL-3.0-or-later
// The bridge brings engine events to the thread that owns it, in order and in batches.
#include "support.h"
#include "testserver.h"

#include "models/enginebridge.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QtTest>

#include <memory>

class EngineBridgeTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<testing_server::TestServer>();
        QVERIFY(m_server->start());
        m_schema = testsupport::testSchema();
    }

    void cleanupTestCase() { m_server.reset(); }

    void fastStreamArrivesInOrderInFewBatchesOnTheOwnerThread()
    {
        rpc::Engine engine;
        models::EngineBridge bridge(engine, nullptr, 30);
        std::vector<rpc::CallEvent> seen;
        int batches = 0;
        bool onOwnerThread = true;
        bool done = false;
        connect(&bridge, &models::EngineBridge::eventsArrived, this,
                [&](std::vector<rpc::CallEvent> &events) {
                    ++batches;
                    onOwnerThread = onOwnerThread && QThread::currentThread() == thread();
                    for (const auto &e : events) {
                        seen.push_back(e);
                        done = done || e.kind == rpc::EventKind::Finished;
                    }
                });
        engine.start(request(1, "ServerStream", R"({"count": 2000, "text": "b"})"));
        QTRY_VERIFY_WITH_TIMEOUT(done, 20000);

        QVERIFY(onOwnerThread);
        std::uint64_t expected = 0;
        for (const auto &e : seen)
            if (e.kind == rpc::EventKind::MessageReceived)
                QCOMPARE(e.index, expected++);
        QCOMPARE(expected, std::uint64_t(2000));
        QCOMPARE(seen.front().kind, rpc::EventKind::Started);
        QCOMPARE(seen.back().kind, rpc::EventKind::Finished);
        // 2,000 messages in far fewer hand-overs than messages.
        QVERIFY2(batches < 200, qPrintable(QString::number(batches)));
    }

    void destroyingTheBridgeDuringAStreamIsSafe()
    {
        rpc::Engine engine;
        {
            models::EngineBridge bridge(engine, nullptr, 5);
            int arrived = 0;
            connect(&bridge, &models::EngineBridge::eventsArrived, this,
                    [&](std::vector<rpc::CallEvent> &events) { arrived += int(events.size()); });
            engine.start(request(2, "ServerStream", R"({"count": 100000, "text": "x"})"));
            QTRY_VERIFY_WITH_TIMEOUT(arrived > 10, 10000);
        }
        // The engine keeps streaming with no bridge; events wait in its queue.
        QTest::qWait(50);
        engine.cancel(2);
        QElapsedTimer t;
        t.start();
        while (engine.activeCalls() > 0 && t.elapsed() < 10000)
            QTest::qWait(10);
        QCOMPARE(engine.activeCalls(), 0);
    }

private:
    rpc::CallRequest request(std::uint64_t id, const std::string &method, const std::string &json)
    {
        rpc::CallRequest r;
        r.callId = id;
        r.schema = m_schema;
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = m_server->address();
        r.messages = {json};
        return r;
    }

    std::unique_ptr<testing_server::TestServer> m_server;
    rpc::SchemaPtr m_schema;
};

QTEST_GUILESS_MAIN(EngineBridgeTest)
#include "enginebridge_test.moc"
