// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace controller without widgets: opening workspaces (once), environments and secrets
// through an injected prompt, history, requests waiting for their schema, grpcurl both ways and
// autosave with crash restore, on real files and the in-tree test proto.
#include "qtfiles.h"

#include "models/appsettings.h"
#include "models/history.h"
#include "models/secretstore.h"
#include "models/sourcesmodel.h"
#include "models/workspacecontroller.h"
#include "models/workspacestore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using models::RequestToOpen;
using models::WorkspaceController;

namespace {

// A workspace with the test proto inside, an environment with a secret and two requests.
QString makeWorkspace(const QTemporaryDir &dir, const QString &name)
{
    const QString folder = dir.filePath(name);
    QFile proto(QStringLiteral(WIRESCOPE_TEST_PROTO_DIR "/wirescope/testing/test.proto"));
    if (!proto.open(QIODevice::ReadOnly))
        return {};
    writeFile(folder + QStringLiteral("/protos/wirescope/testing/test.proto"), proto.readAll());
    writeFile(folder + QStringLiteral("/wirescope.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "import_paths": ["protos"],
    "proto_files": ["wirescope/testing/test.proto"],
    "connections": {"quick": {"connect_timeout_seconds": 0.5, "max_receive_bytes": 1000000}},
    "environments": [
        {"name": "dev", "variables": [{"name": "host", "value": "localhost:1"},
                                      {"name": "tokenId", "value": "id-7"},
                                      {"name": "token", "secret": true}]},
        {"name": "prod", "variables": [{"name": "host", "value": "prod:443"}]}
    ]
})"));
    writeFile(folder + QStringLiteral("/echo.json"), QByteArrayLiteral(R"({
    "method": "wirescope.testing.TestService/Echo",
    "target": "{{host}}",
    "connection": "quick",
    "body": {"text": "saved"}
})"));
    return QDir(folder).absolutePath();
}

// A controller and the sources it loads into, as the window has them.
struct Fixture
{
    models::SourcesModel sources;
    WorkspaceController controller;
    QStringList asked; // the secrets the prompt was asked for
    std::optional<QString> answer = QStringLiteral("s3cr3t");

    explicit Fixture(const QString &dataFolder)
        : controller(sources, dataFolder)
    {
        controller.setSecretPrompt([this](const QString &variable, const QString &, bool) {
            asked << variable;
            return answer;
        });
    }

    bool open(const QString &folder)
    {
        QSignalSpy opened(&controller, &WorkspaceController::workspaceOpened);
        QSignalSpy loaded(&sources, &models::SourcesModel::sourceLoaded);
        controller.openWorkspace(folder);
        return opened.wait(10000) && (!loaded.isEmpty() || loaded.wait(20000));
    }
};

// A window with workspace `folder` open and an unsaved draft of its echo.json ({"text": "draft
// in a"}) in its autosave file, then gone as in a crash. Returns that file.
QString crashWithADraftIn(const QString &dataFolder, const QString &folder)
{
    Fixture f(dataFolder);
    if (!f.open(folder))
        return {};
    models::UnsavedTab tab;
    tab.request = *f.controller.store().workspace().request(QStringLiteral("echo.json"));
    tab.request.body = QStringLiteral(R"({"text": "draft in a"})");
    tab.workspace = folder;
    f.controller.setUnsavedTabs([tab] { return std::vector<models::UnsavedTab>{tab}; });
    f.controller.writeAutosaveNow();
    f.controller.waitForDisk();
    return f.controller.autosaveFile();
}

} // namespace

class WorkspaceControllerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init();

    void aWorkspaceAndItsSourcesAreOpenedOnce();
    void secretsAreAskedForByExactNameAndRemembered();
    void historyMasksSecretsAndCapsWhatItKeeps();
    void requestsOpenWithTheirConnectionOnceTheirSchemaLoads();
    void grpcurlCommandsComeInAndGoOut();
    void autosaveKeepsEachWorkspacesTabsForItself();
    void aTabThatCannotComeBackIsSaidAndKept();
    void aWaitingTabOpensWhenItsSchemaLoadsLater();
    void anotherWorkspaceOpenedWhileTheRestoreOpensOneKeepsItsDrafts();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_data;
};

void WorkspaceControllerTest::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_data = m_dir->filePath(QStringLiteral("data"));
}

void WorkspaceControllerTest::aWorkspaceAndItsSourcesAreOpenedOnce()
{
    const QString folder = makeWorkspace(*m_dir, QStringLiteral("a"));
    Fixture f(m_data);
    QSignalSpy opened(&f.controller, &WorkspaceController::workspaceOpened);
    int callbacks = 0;
    f.controller.openWorkspace(folder, [&] { ++callbacks; });
    f.controller.openWorkspace(folder + QStringLiteral("/."), [&] { ++callbacks; }); // the same folder
    QCOMPARE(f.controller.workspaceFolder(), folder);
    QVERIFY(!f.controller.isOpen());
    QVERIFY(opened.wait(10000));
    QCOMPARE(callbacks, 2);
    QTRY_COMPARE(f.sources.sourceCount(), 1);
    // Opened again once it is open: nothing is loaded twice, the callback runs at once.
    f.controller.openWorkspace(folder, [&] { ++callbacks; });
    QCOMPARE(callbacks, 3);
    QTest::qWait(200);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(f.sources.sourceCount(), 1);
    QCOMPARE(f.controller.environmentNames(), (QStringList{QStringLiteral("dev"), QStringLiteral("prod")}));
    QCOMPARE(f.controller.environmentName(), QStringLiteral("dev")); // the first, with none remembered
}

void WorkspaceControllerTest::secretsAreAskedForByExactNameAndRemembered()
{
    const QString folder = makeWorkspace(*m_dir, QStringLiteral("a"));
    {
        Fixture f(m_data);
        QVERIFY(f.open(folder));
        QSignalSpy masked(&f.controller, &WorkspaceController::maskedValuesChanged);
        QCOMPARE(*f.controller.resolve(QStringLiteral("{{tokenId}}"), QStringLiteral("body")), QStringLiteral("id-7"));
        QCOMPARE(f.asked, QStringList()); // tokenId is not token
        QCOMPARE(*f.controller.resolve(QStringLiteral("Bearer {{token}}"), QStringLiteral("metadata a")),
                 QStringLiteral("Bearer s3cr3t"));
        QCOMPARE(*f.controller.resolve(QStringLiteral("{{ token }}"), QStringLiteral("body")), QStringLiteral("s3cr3t"));
        QCOMPARE(f.asked, QStringList{QStringLiteral("token")}); // once: then known for the session
        QVERIFY(!masked.isEmpty());
        QCOMPARE(masked.last().at(0).toStringList(), QStringList{QStringLiteral("s3cr3t")});
        QVERIFY(f.controller.knowsSecret(QStringLiteral("dev"), QStringLiteral("token")));

        // Another environment: its own secret, and a declined question is an error.
        f.controller.chooseEnvironment(QStringLiteral("prod"));
        QCOMPARE(f.controller.resolve(QStringLiteral("{{token}}"), QStringLiteral("body")).errorMessage(),
                 QStringLiteral("{{token}} in the body is not a variable of environment \"prod\""));
        f.controller.chooseEnvironment(QStringLiteral("dev"));
        f.controller.secrets().remove(models::SecretStore::keyFor(folder, QStringLiteral("dev"), QStringLiteral("token")));
        f.answer.reset();
        QCOMPARE(f.controller.resolve(QStringLiteral("{{token}}"), QStringLiteral("body")).errorMessage(),
                 QStringLiteral("the secret {{token}} has no value"));
        f.controller.chooseEnvironment(QStringLiteral("prod"));
    }
    // The environment chosen is remembered for the workspace.
    Fixture again(m_data);
    QVERIFY(again.open(folder));
    QCOMPARE(again.controller.environmentName(), QStringLiteral("prod"));
    QCOMPARE(models::AppSettings::environmentFor(folder), QStringLiteral("prod"));
}

void WorkspaceControllerTest::historyMasksSecretsAndCapsWhatItKeeps()
{
    const QString folder = makeWorkspace(*m_dir, QStringLiteral("a"));
    Fixture f(m_data);
    QVERIFY(f.open(folder));
    QVERIFY(f.controller.resolve(QStringLiteral("{{token}}"), QStringLiteral("body")));
    models::CallRecord record;
    record.started = QDateTime::currentDateTimeUtc();
    record.request.method = QStringLiteral("wirescope.testing.TestService/Echo");
    record.request.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{token}}")}};
    record.sentTarget = QStringLiteral("host-s3cr3t:1");
    record.statusCode = 16;
    record.statusMessage = QStringLiteral("bad token s3cr3t");
    const QByteArray big = QByteArray("{\"a\": \"") + QByteArray(models::History::kMaxResponseBytes, 'x') + "\"}";
    for (int i = 0; i < models::History::kMaxResponses + 5; ++i)
        record.responses << (i == 0 ? big : QByteArray("{\"echo\": \"s3cr3t\"}"));
    record.responseCount = 40;
    QSignalSpy changed(&f.controller.store(), &models::WorkspaceStore::historyChanged);
    f.controller.recordCall(record);
    QVERIFY(changed.wait(10000));
    const models::HistoryEntry &e = f.controller.store().history().back();
    QCOMPARE(e.sentTarget, QStringLiteral("host-•••:1"));
    QCOMPARE(e.statusName, QStringLiteral("UNAUTHENTICATED"));
    QCOMPARE(e.statusMessage, QStringLiteral("bad token •••"));
    QCOMPARE(e.environment, QStringLiteral("dev"));
    QCOMPARE(e.request.metadata.front().second, QStringLiteral("Bearer {{token}}")); // as written
    QCOMPARE(int(e.responses.size()), models::History::kMaxResponses);
    QVERIFY(e.responses.front().endsWith(QStringLiteral("…")));
    QCOMPARE(e.responses.at(1), QStringLiteral("{\"echo\": \"•••\"}"));
    QCOMPARE(e.responseCount, 40);
    QVERIFY(!readFile(folder + QStringLiteral("/.wirescope/history.jsonl")).contains("s3cr3t"));
}

void WorkspaceControllerTest::requestsOpenWithTheirConnectionOnceTheirSchemaLoads()
{
    const QString folder = makeWorkspace(*m_dir, QStringLiteral("a"));
    Fixture f(m_data);
    QSignalSpy ready(&f.controller, &WorkspaceController::requestReady);
    // Asked for before the workspace (and so its schema) is there: it waits.
    f.controller.openWorkspace(folder, [&f] {
        RequestToOpen open;
        open.request = *f.controller.store().workspace().request(QStringLiteral("echo.json"));
        open.keepPath = true;
        f.controller.openRequest(open);
    });
    QVERIFY(ready.wait(20000));
    const auto request = ready.first().at(0).value<RequestToOpen>();
    QCOMPARE(request.request.path, QStringLiteral("echo.json"));
    QCOMPARE(request.workspace, folder);
    QVERIFY(request.connection);
    QCOMPARE(request.connection->connectTimeoutMs, 500); // the workspace connection "quick", exactly
    QCOMPARE(request.connection->maxReceiveBytes, 1000000);
    QVERIFY(f.sources.findMethod(ready.first().at(1).toInt(), request.request.method).isValid());
}

void WorkspaceControllerTest::grpcurlCommandsComeInAndGoOut()
{
    const QString folder = makeWorkspace(*m_dir, QStringLiteral("a"));
    Fixture f(m_data);
    QVERIFY(f.open(folder));
    QSignalSpy ready(&f.controller, &WorkspaceController::requestReady);
    QVERIFY(f.controller.importGrpcurl(QStringLiteral(
        "grpcurl -plaintext -max-msg-sz 1000000 -connect-timeout 0.25 -d '{\"text\": \"x\"}' h:1 "
        "wirescope.testing.TestService/Echo")));
    QCOMPARE(ready.count(), 1); // the workspace's schema has the method: at once
    const auto pasted = ready.first().at(0).value<RequestToOpen>();
    QVERIFY(pasted.modified && !pasted.keepPath);
    QCOMPARE(pasted.connection->maxReceiveBytes, 1000000);
    QCOMPARE(pasted.connection->connectTimeoutMs, 250);
    QCOMPARE(f.controller.importGrpcurl(QStringLiteral("grpcurl h:1 list")).errorMessage(),
             QStringLiteral("this is a \"list\" command, not a call"));

    // Out again: the environment's values, the secret as a shell variable, the schema flags.
    const auto *saved = f.controller.store().workspace().request(QStringLiteral("echo.json"));
    models::SavedRequest withSecret = *saved;
    withSecret.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{token}}")}};
    const models::SourceSpec *spec = f.sources.spec(f.sources.index(0, 0).data(models::SourcesModel::SourceIdRole).toInt());
    const auto command = f.controller.exportGrpcurl(withSecret, *pasted.connection, spec);
    QVERIFY2(command, qPrintable(command.errorMessage()));
    for (const QString &part : {QStringLiteral("localhost:1"), QStringLiteral("${WIRESCOPE_VAR_TOKEN}"),
                                QStringLiteral("-proto wirescope/testing/test.proto"), QStringLiteral("-max-msg-sz 1000000"),
                                QStringLiteral("-connect-timeout 0.25")})
        QVERIFY2(command->contains(part), qPrintable(*command));
    QCOMPARE(f.asked, QStringList()); // exporting never asks for a secret
}

void WorkspaceControllerTest::autosaveKeepsEachWorkspacesTabsForItself()
{
    const QString a = makeWorkspace(*m_dir, QStringLiteral("a"));
    const QString b = makeWorkspace(*m_dir, QStringLiteral("b"));
    QString file = crashWithADraftIn(m_data, a); // nothing else is written
    QVERIFY(readFile(file).contains("draft in a"));
    {
        // B asked for: B opens (once), A's tab waits in the file.
        Fixture f(m_data);
        QSignalSpy opened(&f.controller, &WorkspaceController::workspaceOpened);
        QSignalSpy restored(&f.controller, &WorkspaceController::autosaveRestored);
        QSignalSpy ready(&f.controller, &WorkspaceController::requestReady);
        f.controller.openWorkspace(b);
        f.controller.restoreAutosave();
        QVERIFY(restored.wait(20000));
        QCOMPARE(restored.first().at(0).toInt(), 0);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(f.controller.workspaceFolder(), b);
        f.controller.setUnsavedTabs({});
        f.controller.writeAutosaveNow(); // this window has nothing unsaved: A's tab stays
        f.controller.waitForDisk();
        // Taken over from the crashed window's file into this one's.
        QVERIFY(!QFile::exists(file));
        file = f.controller.autosaveFile();
        QVERIFY(readFile(file).contains("draft in a"));
        // Opening A later brings it back, in A.
        QVERIFY(f.open(a));
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 20000);
        const auto back = ready.first().at(0).value<RequestToOpen>();
        QCOMPARE(back.request.body, QStringLiteral(R"({"text": "draft in a"})"));
        QCOMPARE(back.request.path, QStringLiteral("echo.json"));
        QVERIFY(back.keepPath && back.modified);
        QCOMPARE(back.workspace, a);
        // Discarded by the user, it is gone for good.
        f.controller.discardUnsaved();
        f.controller.waitForDisk();
        QVERIFY(!QFile::exists(file));
    }
}

void WorkspaceControllerTest::aTabThatCannotComeBackIsSaidAndKept()
{
    const QString a = makeWorkspace(*m_dir, QStringLiteral("a"));
    const QString file = m_data + QStringLiteral("/autosave.json");
    // An entry of the first format (one workspace at the top) whose method no schema has.
    writeFile(file, QStringLiteral(R"({"workspace": "%1", "environment": "prod", "tabs": [
        {"saved_path": "", "request": {"method": "wirescope.testing.TestService/Gone", "body": {}},
         "editor_text": "{\"kept\": true}"}]})")
                        .arg(a)
                        .toUtf8());
    Fixture f(m_data);
    QSignalSpy restored(&f.controller, &WorkspaceController::autosaveRestored);
    QSignalSpy status(&f.controller, &WorkspaceController::statusMessage);
    f.controller.restoreAutosave();
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    QCOMPARE(f.controller.workspaceFolder(), a); // the last session's workspace, with none asked for
    QCOMPARE(f.controller.environmentName(), QStringLiteral("prod"));
    auto said = [&status] {
        for (const auto &args : status) {
            if (args.at(0).toString().contains(QStringLiteral("TestService/Gone")) &&
                args.at(0).toString().contains(QStringLiteral("could not be reopened")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(said(), 20000);
    f.controller.setUnsavedTabs({});
    f.controller.writeAutosaveNow();
    f.controller.waitForDisk();
    // The file of the first format (shared by every window) is taken over into this one's.
    QVERIFY(!QFile::exists(file));
    const QByteArray own = readFile(f.controller.autosaveFile());
    QVERIFY2(own.contains("TestService/Gone") && own.contains("kept"), own.constData());
}

// A restored tab whose schema was not loaded was said as "could not be reopened" and set aside:
// loading that schema afterwards (File → Start Demo Service, Open) did not bring it back.
void WorkspaceControllerTest::aWaitingTabOpensWhenItsSchemaLoadsLater()
{
    writeFile(m_data + QStringLiteral("/autosave.json"), QByteArrayLiteral(R"({"version": 2, "sections": [
        {"workspace": "", "tabs": [{"saved_path": "", "editor_text": "{\"text\": \"later\"}",
         "request": {"method": "wirescope.testing.TestService/Echo", "body": {}}}]}]})"));
    Fixture f(m_data);
    QSignalSpy restored(&f.controller, &WorkspaceController::autosaveRestored);
    QSignalSpy status(&f.controller, &WorkspaceController::statusMessage);
    QSignalSpy ready(&f.controller, &WorkspaceController::requestReady);
    f.controller.restoreAutosave();
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    auto said = [&status] {
        for (const auto &args : status) {
            if (args.at(0).toString().contains(QStringLiteral("could not be reopened yet")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(said(), 20000);
    QCOMPARE(ready.count(), 0);
    models::SourceSpec spec;
    spec.schema.importPaths = {WIRESCOPE_TEST_PROTO_DIR, WIRESCOPE_RESOURCE_PROTO_DIR};
    spec.schema.protoFiles = {"wirescope/testing/test.proto"};
    f.sources.addSource(spec);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 20000);
    const auto back = ready.first().at(0).value<RequestToOpen>();
    QCOMPARE(back.request.body, QStringLiteral(R"({"text": "later"})"));
    QVERIFY(back.modified);
}

// After a crash the restore opens the last session's workspace and reopens its drafts once it is
// open. Another workspace opened before that (from Open Recent, a drop) closed the first, and
// the drafts waiting for it were lost, and the files they came from deleted.
void WorkspaceControllerTest::anotherWorkspaceOpenedWhileTheRestoreOpensOneKeepsItsDrafts()
{
    const QString a = makeWorkspace(*m_dir, QStringLiteral("a"));
    const QString b = makeWorkspace(*m_dir, QStringLiteral("b"));
    QVERIFY(readFile(crashWithADraftIn(m_data, a)).contains("draft in a")); // nothing else is written
    Fixture f(m_data);
    QSignalSpy opened(&f.controller, &WorkspaceController::workspaceOpened);
    QSignalSpy ready(&f.controller, &WorkspaceController::requestReady);
    // B is opened the moment the restore starts opening A: before A's store has answered (its
    // answer is queued after this).
    bool switched = false;
    QObject context;
    connect(
        &f.controller, &WorkspaceController::statusMessage, &context,
        [&](const QString &message) {
            if (!switched && message.startsWith(QStringLiteral("Opening workspace")) && message.contains(a)) {
                switched = true;
                f.controller.openWorkspace(b);
            }
        },
        Qt::QueuedConnection);
    f.controller.restoreAutosave();
    QTRY_VERIFY_WITH_TIMEOUT(switched && opened.count() == 1, 20000);
    QCOMPARE(f.controller.workspaceFolder(), b);
    QCOMPARE(ready.count(), 0); // A's draft does not open in B
    f.controller.setUnsavedTabs({});
    f.controller.writeAutosaveNow();
    f.controller.waitForDisk();
    const QByteArray kept = readFile(f.controller.autosaveFile());
    QVERIFY2(kept.contains("draft in a"), kept.constData());
    // Opening A brings it back, in A.
    QVERIFY(f.open(a));
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 20000);
    const auto back = ready.first().at(0).value<RequestToOpen>();
    QCOMPARE(back.request.body, QStringLiteral(R"({"text": "draft in a"})"));
    QCOMPARE(back.workspace, a);
}

QTEST_GUILESS_MAIN(WorkspaceControllerTest)
#include "workspacecontroller_test.moc"
