// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace tree model and the call session, against real files and the in-process test
// server. Every model is watched by QAbstractItemModelTester.
#include "support.h"
#include "testserver.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/sourcesmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using models::SourcesModel;

namespace {

models::SourceSpec testProtos()
{
    models::SourceSpec spec;
    spec.schema.importPaths = {WIRESCOPE_TEST_PROTO_DIR, WIRESCOPE_RESOURCE_PROTO_DIR};
    spec.schema.protoFiles = {"wirescope/testing/test.proto"};
    return spec;
}

models::SourceSpec reflectionFrom(const std::string &target)
{
    models::SourceSpec spec;
    spec.kind = models::SourceSpec::Kind::Reflection;
    spec.schema.useReflection = true;
    spec.schema.reflectionChannel.target = target;
    return spec;
}

} // namespace

class SourcesModelTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<testing_server::TestServer>();
        QVERIFY(m_server->start());
    }

    void cleanupTestCase() { m_server.reset(); }

    void protoFilesLoadIntoServicesAndMethods()
    {
        SourcesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &SourcesModel::sourceLoaded);
        const int id = model.addSource(testProtos());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.state(id), SourcesModel::State::Loading);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(model.state(id), SourcesModel::State::Loaded);
        const QModelIndex source = model.sourceIndex(id);
        QCOMPARE(model.rowCount(source), 1);
        const QModelIndex service = model.index(0, 0, source);
        QCOMPARE(service.data().toString(), QStringLiteral("wirescope.testing.TestService"));
        QCOMPARE(model.rowCount(service), 7);
        const QModelIndex chat = model.findMethod(id, QStringLiteral("wirescope.testing.TestService/Chat"));
        QVERIFY(chat.isValid());
        QCOMPARE(chat.parent(), service);
        // The source's tooltip names its import roots and files.
        const QString tip = source.data(Qt::ToolTipRole).toString();
        QVERIFY(tip.contains(QStringLiteral(WIRESCOPE_TEST_PROTO_DIR)));
        QVERIFY(tip.contains(QStringLiteral("wirescope/testing/test.proto")));
        QCOMPARE(chat.data(SourcesModel::MethodKindRole).toInt(), int(rpc::MethodKind::BidiStreaming));
        QCOMPARE(model.method(chat)->inputType, std::string("wirescope.testing.ChatMessage"));
        QCOMPARE(model.findMethod(id, QStringLiteral("wirescope.testing.TestService.Echo")).data().toString(),
                 QStringLiteral("Echo"));

        // Reload drops the rows and brings them back; removal takes the source away.
        model.reload(id);
        QCOMPARE(model.state(id), SourcesModel::State::Loading);
        QCOMPARE(model.rowCount(model.sourceIndex(id)), 0);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(model.rowCount(model.sourceIndex(id)), 1);
        model.removeSource(id);
        QCOMPARE(model.rowCount(), 0);
    }

    void reflectionSourceListsTheServerServices()
    {
        SourcesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &SourcesModel::sourceLoaded);
        const int id = model.addSource(reflectionFrom(m_server->address()));
        QVERIFY(loaded.wait(20000));
        // The reflection service itself is left out of the tree.
        QCOMPARE(model.rowCount(model.sourceIndex(id)), 1);
        QVERIFY(model.findMethod(id, QStringLiteral("wirescope.testing.TestService/Echo")).isValid());
        QVERIFY(model.sourceIndex(id).data().toString().contains(QStringLiteral("reflection")));
        // gRPC C++ sends files that link as they are: nothing to note.
        QCOMPARE(model.note(id), QString());
        QVERIFY(!model.sourceIndex(id).data().toString().contains(QStringLiteral("repaired")));
    }

    void reflectionSourceNotesWhatWasRepaired()
    {
        // A server whose files list no imports (the test server's v1 quirk): the imports are
        // added back, and the source says so in the tree and in its tooltip.
        testing_server::ServerOptions o;
        o.reflectionV1 = true;
        o.reflectionV1Quirk = testing_server::ReflectionQuirk::NoDependencies;
        testing_server::TestServer server(o);
        QVERIFY(server.start());
        SourcesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &SourcesModel::sourceLoaded);
        const int id = model.addSource(reflectionFrom(server.address()));
        QVERIFY(loaded.wait(20000));
        const QString note = QStringLiteral("repaired: 7 missing imports");
        QCOMPARE(model.note(id), note);
        const QModelIndex source = model.sourceIndex(id);
        QCOMPARE(source.data(SourcesModel::NoteRole).toString(), note);
        QCOMPARE(source.data().toString(), QString::fromStdString(server.address()) +
                                               QStringLiteral(" (reflection) — ") + note);
        const QString tip = source.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("\"wirescope/testing/test.proto\": added the import of "
                                             "\"google/protobuf/timestamp.proto\"")),
                 qPrintable(tip));
        // A reload starts again from nothing, and finds the same.
        model.reload(id);
        QCOMPARE(model.note(id), QString());
        QVERIFY(loaded.wait(20000));
        QCOMPARE(model.note(id), note);
    }

    void brokenProtoFailsWithEveryDiagnostic()
    {
        testsupport::TempDir dir;
        dir.write("broken.proto",
                  "syntax = \"proto3\";\nmessage A {\n  string x = ;\n}\nmessage B { int32 = 2; }\n");
        SourcesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy failed(&model, &SourcesModel::loadFailed);
        models::SourceSpec spec;
        spec.schema.importPaths = {dir.path().string()};
        spec.schema.protoFiles = {"broken.proto"};
        const int id = model.addSource(spec);
        QVERIFY(failed.wait(20000));
        QCOMPARE(model.state(id), SourcesModel::State::Failed);
        const rpc::Error *error = model.loadError(id);
        QVERIFY(error);
        QVERIFY(error->diagnostics.size() >= 2);
        QCOMPARE(error->diagnostics[0].file, std::string("broken.proto"));
        QCOMPARE(error->diagnostics[0].line, 3);
        QCOMPARE(model.rowCount(model.sourceIndex(id)), 0);
        QVERIFY(model.sourceIndex(id).data().toString().contains(QStringLiteral("failed")));
    }

    void cancelledLoadReportsCancellationAndLaterLoadsStillWork()
    {
        SourcesModel model;
        QSignalSpy failed(&model, &SourcesModel::loadFailed);
        QSignalSpy loaded(&model, &SourcesModel::sourceLoaded);
        // Reflection from a port where nothing listens would take until the timeout; cancel it.
        models::SourceSpec spec = reflectionFrom("127.0.0.1:" + std::to_string(testsupport::deadPort()));
        spec.schema.reflectionChannel.connectTimeoutMs = 15000;
        const int id = model.addSource(spec);
        model.cancelLoad(id);
        QVERIFY(failed.wait(20000));
        QCOMPARE(model.state(id), SourcesModel::State::Failed);
        // Removing a source while it loads must not wait for the load, and nothing arrives later.
        const int other = model.addSource(testProtos());
        model.removeSource(other);
        QCOMPARE(model.rowCount(), 1);
        QTest::qWait(200);
        QCOMPARE(loaded.count(), 0);
    }

    // A quiet source that fails is marked quiet (no failure shown by a window); reloading it
    // is the user asking, and a second failure is loud. Editing replaces what loads and keeps
    // the row; removing says which source went. The tester watches every row change.
    void quietSourcesEditsAndRemovals()
    {
        SourcesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy failed(&model, &SourcesModel::loadFailed);
        QSignalSpy loaded(&model, &SourcesModel::sourceLoaded);
        QSignalSpy removed(&model, &SourcesModel::sourceRemoved);
        auto dead = reflectionFrom("127.0.0.1:" + std::to_string(testsupport::deadPort()));
        dead.schema.reflectionChannel.connectTimeoutMs = 2000;
        const int id = model.addSource(dead, true);
        QVERIFY(failed.wait(20000));
        QVERIFY(model.isQuiet(id));
        QVERIFY(model.sourceIndex(id).data(SourcesModel::QuietRole).toBool());
        QVERIFY(model.sourceIndex(id).data().toString().endsWith(QStringLiteral("— not connected")));
        model.reload(id);
        QVERIFY(failed.wait(20000));
        QVERIFY(!model.isQuiet(id));
        QVERIFY(model.sourceIndex(id).data().toString().endsWith(QStringLiteral("— failed")));

        // Edited to the live server with TLS settings of its own (plaintext here): same id, loads.
        models::SourceSpec live = *model.spec(id);
        models::ConnectionSettings plain;
        plain.connectTimeoutMs = 5000;
        live.setReflection(QString::fromStdString(m_server->address()), plain);
        QCOMPARE(live.schema.reflectionChannel.connectTimeoutMs, 5000);
        model.setSpec(id, live);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.state(id), SourcesModel::State::Loaded);
        QVERIFY(model.rowCount(model.sourceIndex(id)) > 0);
        model.removeSource(id);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(0).toInt(), id);
        QCOMPARE(model.rowCount(), 0);
    }

    void callSessionFollowsAUnaryCall()
    {
        rpc::Engine engine;
        models::EngineBridge bridge(engine);
        models::Timeline timeline;
        connect(&bridge, &models::EngineBridge::eventsArrived, &timeline, &models::Timeline::addCallEvents);
        models::CallSession session(bridge, timeline);
        QAbstractItemModelTester tester(session.messages(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&session, &models::CallSession::finished);
        rpc::CallRequest r;
        r.schema = testsupport::testSchema();
        r.method = "wirescope.testing.TestService/Echo";
        r.channel.target = m_server->address();
        r.metadata = {{"x-hello", "world"}};
        r.messages = {R"({"text": "hi"})"};
        session.start(r, *r.schema->findMethod(r.method));
        QVERIFY(session.isRunning());
        QVERIFY(!session.canSend());
        QVERIFY(finished.wait(20000));
        QVERIFY(session.status().ok());
        QCOMPARE(session.sentCount(), 1);
        QCOMPARE(session.receivedCount(), 1);
        QCOMPARE(testsupport::metadataValue(session.responseHeaders(), "x-hello"), std::string("world"));
        QCOMPARE(testsupport::metadataValue(session.trailers(), "x-trailer"), std::string("done"));
        QCOMPARE(session.messages()->count(), 2);
        QVERIFY(session.messages()->isOutbound(0));
        QVERIFY(!session.messages()->isOutbound(1));
        QVERIFY(session.messages()->text(1).valueOr(QByteArray()).contains("\"hi\""));
        QVERIFY(session.timeToHeaders() >= 0);
        QVERIFY(session.timeToFirstMessage() >= session.timeToHeaders());
        QVERIFY(session.totalTime() >= session.timeToFirstMessage());
    }

    void callSessionSendsStreamMessagesOneAtATime()
    {
        rpc::Engine engine;
        models::EngineBridge bridge(engine);
        models::Timeline timeline;
        connect(&bridge, &models::EngineBridge::eventsArrived, &timeline, &models::Timeline::addCallEvents);
        models::CallSession session(bridge, timeline);
        QSignalSpy finished(&session, &models::CallSession::finished);
        rpc::CallRequest r;
        r.schema = testsupport::testSchema();
        r.method = "wirescope.testing.TestService/Chat";
        r.channel.target = m_server->address();
        r.messages = {R"({"text": "one"})"};
        r.closeAfterMessages = false;
        session.start(r, *r.schema->findMethod(r.method));
        QTRY_COMPARE_WITH_TIMEOUT(session.receivedCount(), 1, 20000);
        QVERIFY(session.canSend());
        QVERIFY(session.sendMessage(R"({"text": "two"})"));
        QTRY_COMPARE_WITH_TIMEOUT(session.receivedCount(), 2, 20000);
        session.endStream();
        QVERIFY(!session.canSend());
        QVERIFY(!session.sendMessage(R"({"text": "late"})"));
        QVERIFY(finished.wait(20000));
        QVERIFY(session.status().ok());
        QCOMPARE(session.sentCount(), 2);
    }

private:
    std::unique_ptr<testing_server::TestServer> m_server;
};

QTEST_GUILESS_MAIN(SourcesModelTest)
#include "sourcesmodel_test.moc"
