// SPDX-License-Identifier: GPL-3.0-or-later
// Workspaces in the window, driven through its widgets offscreen against the in-tree test
// server: saved requests with environments and secrets, history, saving and files changed on
// disk, the workspace tree, grpcurl both ways, and unsaved edits brought back after a crash.
// The tests run without a D-Bus session (see tests/CMakeLists.txt), so secrets are kept for the
// session only, as on a machine without a keychain.
#include "qtfiles.h"
#include "support.h"
#include "testserver.h"

#include "models/appsettings.h"
#include "models/callsession.h"
#include "models/history.h"
#include "models/messagesmodel.h"
#include "models/secretstore.h"
#include "models/timeline.h"
#include "models/workspacestore.h"
#include "models/workspacecontroller.h"
#include "ui/environmentsdialog.h"
#include "ui/jsoneditor.h"
#include "ui/palettecolors.h"
#include "ui/responsepanel.h"
#include "ui/workspacepanel.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <memory>

#include "workbench.h"

namespace {

const QString kSecret = QStringLiteral("tok-9f2c81e0-secret-value");
QByteArray bearerSecret()
{
    return QByteArrayLiteral("Bearer ") + kSecret.toUtf8();
}
const QString kEchoPath = QStringLiteral("calls/echo.json");

// Every file below `folder` whose bytes contain `needle`.
QStringList filesContaining(const QString &folder, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        if (readFile(file).contains(needle))
            hits << file;
    }
    return hits;
}

// Answers every question the window asks, in order, as a user would: a QMessageBox with the
// button given, a QInputDialog with the text given. What the boxes said is kept in `asked`.
struct Answers
{
    struct Answer
    {
        QMessageBox::StandardButton button = QMessageBox::NoButton;
        QString text; // for an input dialog
    };
    QList<Answer> queue;
    QStringList asked;
    QTimer timer;

    explicit Answers(QList<Answer> answers)
        : queue(std::move(answers))
    {
        QObject::connect(&timer, &QTimer::timeout, &timer, [this] {
            QWidget *modal = QApplication::activeModalWidget();
            if (!modal || queue.isEmpty())
                return;
            if (auto *box = qobject_cast<QMessageBox *>(modal);
                box && queue.front().button != QMessageBox::NoButton) {
                asked << box->text() + QLatin1Char('\n') + box->informativeText();
                if (QAbstractButton *b = box->button(queue.takeFirst().button))
                    b->click();
            } else if (auto *input = qobject_cast<QInputDialog *>(modal);
                       input && queue.front().button == QMessageBox::NoButton) {
                asked << input->labelText();
                input->setTextValue(queue.takeFirst().text);
                input->accept();
            }
        });
        timer.start(20);
    }
};

QByteArray lastMessage(ui::RequestTab *tab)
{
    const auto *messages = tab->session().messages();
    return messages->count() > 0 ? messages->text(messages->count() - 1).valueOr(QByteArray()) : QByteArray();
}

QString sentTo(ui::RequestTab *tab)
{
    return tab->findChild<QLabel *>(QStringLiteral("sentToLabel"))->text();
}

QTreeWidgetItem *findItem(QTreeWidget *tree, const QString &path);

// Right-clicks the item for `path`, picks `action` from the menu and answers the dialog it opens
// with `answer`; `offered` gets what the dialog proposed. False when the menu or action is missing.
bool chooseFromMenu(QTreeWidget *tree, const QString &path, const QString &action, const QString &answer,
                    QString *offered)
{
    QTreeWidgetItem *item = findItem(tree, path);
    if (!item)
        return false;
    tree->scrollToItem(item);
    const QPoint at = tree->visualItemRect(item).center();
    bool chosen = false;
    offered->clear();
    QTimer::singleShot(100, [&] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        QTimer::singleShot(100, [&] {
            if (auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget())) {
                *offered = dialog->textValue();
                dialog->setTextValue(answer);
                dialog->accept();
            }
        });
        for (QAction *a : menu->actions()) {
            if (a->text() == action) {
                chosen = true;
                menu->setActiveAction(a);
                QTest::keyClick(menu, Qt::Key_Return);
                return;
            }
        }
        menu->close();
    });
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, tree->viewport()->mapToGlobal(at));
    QApplication::sendEvent(tree->viewport(), &event);
    return chosen;
}

QTreeWidgetItem *findItem(QTreeWidget *tree, const QString &path)
{
    for (QTreeWidgetItemIterator it(tree); *it; ++it) {
        if ((*it)->data(0, Qt::UserRole + 1).toString() == path)
            return *it;
    }
    return nullptr;
}

// Restores the last session's drafts into `wb`: true once one came back and its tab is open.
bool restoresOneTab(Workbench &wb)
{
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    return restored.wait(30000) && restored.first().at(0).toInt() == 1 &&
           QTest::qWaitFor([&] { return wb.window.currentRequest() != nullptr; }, 20000);
}

} // namespace

class WorkspaceGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase() { m_server.reset(); }

    void aSavedRequestRunsInItsEnvironmentAndNoSecretReachesADisk();
    void aMissingSecretIsAskedForAndKeptForTheSession();
    void savingReloadingAndConflictsWithChangesOnDisk();
    void theTreeCreatesRenamesMovesDuplicatesAndDeletes();
    void grpcurlCommandsGoOutAndComeBackIn();
    void unsavedEditsComeBackAfterACrash();
    void aSavedStreamSendsAllItsMessages();
    void theProgramOpensAndSendsASavedRequestFromTheCommandLine();
    void workspaceDefaultsApplyWhereARequestSaysNothing();
    void environmentsAreEditedAndSecretsStayOutOfTheFile();
    void closingATabWithEditsAsksFirst();
    void aPastedCommandKeepsItsConnectionSettingsInAFreshWindow();
    void aPastedCommandForAMethodNoSchemaHasSaysSo();
    void aBigCallKeepsHistorySmall();
    void aSecretIsAskedForOnlyWhereItsExactNameIsUsed();
    void limitsAndDeadlinesKeepTheirExactUnits();
    void editsTypedWhileASaveRunsStayUnsaved();
    void quittingWithUnsavedTabsAsks();
    // Close Workspace left its tabs open, with {{host}} and the rest meaning nothing any more.
    void closingTheWorkspaceClosesItsTabsAndKeepsTheirDrafts();
    // Opening workspace B left A's tabs open, their {{host}} unresolvable in B.
    void openingAnotherWorkspaceClosesTheFirstsTabs();
    // Open Recent listed sources only: a workspace, opened by any way (the command line's
    // --workspace calls the same openWorkspace), could not be opened again from it.
    void aWorkspaceOnceOpenedIsInOpenRecent();
    // A saved request's assertions were checked by `run` only; the window did not show them.
    void aSavedRequestsAssertionsAreShownAndChecked();
    void theCommandLineWorkspaceIsNeitherReplacedNorOpenedTwice();
    void everyUnsavedTabComesBackAfterACrash();

private:
    // A workspace with the test service's proto inside it, two environments and saved requests.
    void makeWorkspace();
    // Opens the workspace in the window and waits for its schema.
    bool openWorkspace(Workbench &wb);
    // Double-clicks a saved request in the Collection tree; returns the tab that opens.
    ui::RequestTab *openSaved(Workbench &wb, const QString &path);
    // The workspace open, the dev token known for the session, the echo request open.
    ui::RequestTab *openEchoInDev(Workbench &wb);

    std::unique_ptr<testing_server::TestServer> m_server;
    QString m_address;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_folder;
};

#ifndef Q_MOC_RUN

ui::RequestTab *WorkspaceGuiTest::openEchoInDev(Workbench &wb)
{
    if (!openWorkspace(wb))
        return nullptr;
    wb.window.secrets().write(
        models::SecretStore::keyFor(m_folder, QStringLiteral("dev"), QStringLiteral("token")), kSecret);
    return openSaved(wb, kEchoPath);
}

void WorkspaceGuiTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_server = std::make_unique<testing_server::TestServer>();
    QVERIFY(m_server->start());
    m_address = QString::fromStdString(m_server->address());
}

void WorkspaceGuiTest::init()
{
    QSettings().clear();
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).removeRecursively();
    makeWorkspace();
}

void WorkspaceGuiTest::makeWorkspace()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_folder = m_dir->path();
    writeFile(m_folder + QStringLiteral("/protos/wirescope/testing/test.proto"),
              readFile(QStringLiteral(WIRESCOPE_TEST_PROTO_DIR "/wirescope/testing/test.proto")));
    const QString deadTarget = QStringLiteral("127.0.0.1:%1").arg(testsupport::deadPort());
    writeFile(m_folder + QStringLiteral("/wirescope.json"), QStringLiteral(R"({
    "format_version": 1,
    "import_paths": ["protos"],
    "proto_files": ["wirescope/testing/test.proto"],
    "defaults": {"target": "{{host}}", "metadata": [["x-team", "core"]]},
    "connections": {"quick": {"plaintext": true, "connect_timeout_seconds": 0.5, "max_receive_bytes": 1000000}},
    "environments": [
        {"name": "dev", "variables": [
            {"name": "host", "value": "%1"},
            {"name": "word", "value": "hello from dev"},
            {"name": "token", "secret": true}
        ]},
        {"name": "down", "variables": [
            {"name": "host", "value": "%2"},
            {"name": "word", "value": "nobody hears"},
            {"name": "token", "secret": true}
        ]}
    ]
})")
                                                                .arg(m_address, deadTarget)
                                                                .toUtf8());
    writeFile(m_folder + QLatin1Char('/') + kEchoPath, QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/Echo",
    "target": "{{host}}",
    "metadata": [["authorization", "Bearer {{token}}"], ["x-note", "{{word}}"]],
    "body": {"text": "{{word}}"},
    "deadline_seconds": 10,
    "team_owner": "platform"
})"));
    writeFile(m_folder + QStringLiteral("/calls/slow.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/Slow",
    "connection": "quick",
    "body": {"delayMs": 3000},
    "deadline_seconds": 0.04
})"));
    writeFile(m_folder + QStringLiteral("/calls/ids.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/Echo",
    "metadata": [["x-token-id", "tokenId-{{word}}"]],
    "body": {"text": "tokenId {{word}}"}
})"));
    writeFile(m_folder + QStringLiteral("/calls/bare.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/Echo",
    "body": {"text": "bare"}
})"));
    writeFile(m_folder + QStringLiteral("/calls/streams/upload.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/ClientStream",
    "target": "{{host}}",
    "body": [{"text": "one"}, {"text": "two"}, {"text": "three"}]
})"));
}

bool WorkspaceGuiTest::openWorkspace(Workbench &wb)
{
    QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
    QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
    wb.window.openWorkspace(m_folder);
    return opened.wait(10000) && (!loaded.isEmpty() || loaded.wait(20000));
}

ui::RequestTab *WorkspaceGuiTest::openSaved(Workbench &wb, const QString &path)
{
    QTreeWidget *tree = wb.window.workspacePanel()->requestTree();
    QTreeWidgetItem *item = nullptr;
    for (int i = 0; i < 100 && !item; ++i) {
        item = findItem(tree, path);
        if (!item)
            QTest::qWait(50);
    }
    if (!item)
        return nullptr;
    tree->scrollToItem(item);
    const QPoint at = tree->visualItemRect(item).center();
    QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, at);
    if (opened.isEmpty() && !opened.wait(10000))
        return nullptr;
    return wb.window.currentRequest();
}

void WorkspaceGuiTest::aSavedRequestRunsInItsEnvironmentAndNoSecretReachesADisk()
{
    {
        Workbench wb;
        QVERIFY(openWorkspace(wb));
        QComboBox *env = wb.window.environmentBox();
        QCOMPARE(env->currentText(), QStringLiteral("dev")); // the first environment by default
        // The token as a keychain would give it (none here: kept for the session).
        wb.window.secrets().write(
            models::SecretStore::keyFor(m_folder, QStringLiteral("dev"), QStringLiteral("token")), kSecret);

        ui::RequestTab *tab = openSaved(wb, kEchoPath);
        QVERIFY(tab);
        QCOMPARE(tab->savedPath(), kEchoPath);
        QVERIFY(!tab->isModified());
        QCOMPARE(wb.window.tabs()->tabText(wb.window.tabs()->currentIndex()), QStringLiteral("echo"));
        QCOMPARE(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text(),
                 QStringLiteral("{{host}}"));

        QVERIFY(sendAndWait(tab));
        QCOMPARE(tab->session().status().code, 0);
        // Resolved at send time and shown so.
        QCOMPARE(sentTo(tab), QStringLiteral("→ ") + m_address);
        const QByteArray response = lastMessage(tab);
        QVERIFY2(response.contains("hello from dev"), response.constData());
        QVERIFY2(response.contains(bearerSecret()), response.constData()); // the server got it
        QVERIFY(!tab->isModified()); // sending changes nothing in the file

        // The timeline export masks it.
        const QByteArray timeline = wb.window.timeline().toJson();
        QVERIFY(timeline.contains("hello from dev"));
        QVERIFY(!timeline.contains(kSecret.toUtf8()));
        QVERIFY(timeline.contains("•••"));

        // History: one entry, searchable, reopened as a new unsaved request.
        QListWidget *history = wb.window.workspacePanel()->historyList();
        QTRY_COMPARE_WITH_TIMEOUT(history->count(), 1, 10000);
        QVERIFY2(history->item(0)->text().contains(QStringLiteral("OK  Echo → ") + m_address),
                 qPrintable(history->item(0)->text()));
        wb.window.workspacePanel()->tabs()->setCurrentIndex(1);
        QLineEdit *search = wb.window.workspacePanel()->historySearch();
        typeInto(search, QStringLiteral("hello from"));
        QCOMPARE(history->count(), 1);
        typeInto(search, QStringLiteral("no such call"));
        QCOMPARE(history->count(), 0);
        typeInto(search, QStringLiteral("echo ok"));
        QCOMPARE(history->count(), 1);
        const auto &entry = wb.window.workspaceStore().history().back();
        QCOMPARE(entry.environment, QStringLiteral("dev"));
        QCOMPARE(entry.sentTarget, m_address);
        QCOMPARE(entry.responseCount, 1);
        QVERIFY(entry.responses.first().contains(QStringLiteral("Bearer •••")));

        const QPoint at = history->visualItemRect(history->item(0)).center();
        QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
        QTest::mouseClick(history->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(history->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 10000);
        ui::RequestTab *again = wb.window.currentRequest();
        QVERIFY(again != tab);
        QVERIFY(again->savedPath().isEmpty());
        QVERIFY(again->isModified());
        QCOMPARE(again->editor()->text(), tab->editor()->text());
        QCOMPARE(wb.window.tabs()->count(), 2);

        // The other environment: the same request goes elsewhere.
        wb.window.tabs()->setCurrentWidget(tab);
        env->setCurrentIndex(env->findText(QStringLiteral("down")));
        wb.window.secrets().write(
            models::SecretStore::keyFor(m_folder, QStringLiteral("down"), QStringLiteral("token")), kSecret);
        QVERIFY(sendAndWait(tab));
        QCOMPARE(tab->session().status().code, 14); // UNAVAILABLE
        QVERIFY(tab->findChild<QLabel *>(QStringLiteral("sentToLabel"))->text() !=
                QStringLiteral("→ ") + m_address);
        QTRY_COMPARE_WITH_TIMEOUT(int(wb.window.workspaceStore().history().size()), 2, 10000);
        QCOMPARE(wb.window.workspaceStore().history().back().statusName, QStringLiteral("UNAVAILABLE"));

        // An unsaved tab is autosaved (unresolved, so without the secret) a moment after it
        // changed; closing would ask about it (see quittingWithUnsavedTabsAsks).
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("Bearer {{token}}"), 10000);
    }
    // Every file the session wrote: the workspace (with its history), the application's data
    // and the settings.
    QSettings().sync();
    QVERIFY(readFile(m_folder + QStringLiteral("/.wirescope/history.jsonl")).contains("Bearer •••"));
    QCOMPARE(filesContaining(m_folder, kSecret.toUtf8()), QStringList());
    QCOMPARE(filesContaining(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation),
                             kSecret.toUtf8()),
             QStringList());
    QVERIFY(!readFile(QSettings().fileName()).contains(kSecret.toUtf8()));
    QVERIFY(!readFile(QSettings().fileName()).isEmpty()); // the environment chosen was remembered
}

// A request over History::kMaxRequestBodyBytes is kept without its body, and a long reply is
// cut (on a character boundary) before it is converted; reopening says what was left out.
void WorkspaceGuiTest::aBigCallKeepsHistorySmall()
{
    Workbench wb;
    ui::RequestTab *tab = openEchoInDev(wb);
    QVERIFY(tab);
    const QString text(int(models::History::kMaxRequestBodyBytes / 2) + 1000, QChar(0xE9)); // "é": 2 bytes
    tab->setBody(QStringLiteral("{\"text\": \"%1\"}").arg(text));
    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    QTRY_COMPARE_WITH_TIMEOUT(int(wb.window.workspaceStore().history().size()), 1, 10000);
    const models::HistoryEntry &entry = wb.window.workspaceStore().history().back();
    QVERIFY(entry.request.body.isEmpty());
    QCOMPARE(entry.bodyOmittedBytes, tab->bodyBytes());
    QVERIFY(entry.bodyOmittedBytes > models::History::kMaxRequestBodyBytes);
    QCOMPARE(entry.responseCount, 1);
    const QString reply = entry.responses.first();
    QVERIFY(reply.endsWith(QStringLiteral("…")));
    QVERIFY(reply.toUtf8().size() <= models::History::kMaxResponseBytes + 3);
    QVERIFY(reply.contains(QStringLiteral("éééé")));
    QVERIFY(!reply.contains(QChar(QChar::ReplacementCharacter)));
    QVERIFY(QFileInfo(m_folder + QStringLiteral("/.wirescope/history.jsonl")).size() <
            models::History::kMaxRequestBodyBytes / 4);

    wb.window.workspacePanel()->tabs()->setCurrentIndex(1);
    QListWidget *history = wb.window.workspacePanel()->historyList();
    QTRY_COMPARE_WITH_TIMEOUT(history->count(), 1, 10000);
    const QPoint at = history->visualItemRect(history->item(0)).center();
    QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
    QTest::mouseClick(history->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(history->viewport(), Qt::LeftButton, {}, at);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 10000);
    QVERIFY2(wb.window.statusBar()->currentMessage().contains(QStringLiteral("too big for history")),
             qPrintable(wb.window.statusBar()->currentMessage()));
}

void WorkspaceGuiTest::aMissingSecretIsAskedForAndKeptForTheSession()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    // Choosing the environment asked the keychain for the token; there is none here.
    QTRY_VERIFY_WITH_TIMEOUT(!wb.window.secrets().keychainAvailable(), 20000);
    auto *keychain = wb.window.findChild<QLabel *>(QStringLiteral("keychainStatus"));
    QVERIFY(keychain && keychain->isVisible());
    QVERIFY2(keychain->text().contains(QStringLiteral("session only")), qPrintable(keychain->text()));

    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    QString asked;
    // The prompt is a modal dialog: answer it as a user would.
    QTimer::singleShot(200, [&asked] {
        auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        asked = dialog->labelText();
        QCOMPARE(dialog->textEchoMode(), QLineEdit::Password);
        dialog->setTextValue(kSecret);
        dialog->accept();
    });
    QVERIFY(sendAndWait(tab));
    QVERIFY2(asked.contains(QStringLiteral("{{token}}")) && asked.contains(QStringLiteral("session only")),
             qPrintable(asked));
    QCOMPARE(tab->session().status().code, 0);
    QVERIFY(lastMessage(tab).contains(bearerSecret()));

    // Asked once: the second call uses the value without a dialog.
    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    QCOMPARE(wb.window.secretValues(), QStringList{kSecret});

    // Cancelling the prompt sends nothing and says why.
    wb.window.environmentBox()->setCurrentIndex(wb.window.environmentBox()->findText(QStringLiteral("down")));
    QTimer::singleShot(200, [] {
        if (auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget()))
            dialog->reject();
    });
    QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(wb.window.statusText().contains(QStringLiteral("{{token}} has no value")), 5000);
    wb.window.workspaceStore().flush();
    QCOMPARE(filesContaining(m_folder, kSecret.toUtf8()), QStringList());
}

void WorkspaceGuiTest::savingReloadingAndConflictsWithChangesOnDisk()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    const QString file = m_folder + QLatin1Char('/') + kEchoPath;

    // A save of an unchanged request writes the canonical form; a second one changes no byte.
    QSignalSpy saved(&wb.window.workspaceStore(), &models::WorkspaceStore::saveFinished);
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY(saved.wait(10000));
    QCOMPARE(saved.last().at(1).toString(), QString());
    const QByteArray canonical = readFile(file);
    QVERIFY(canonical.contains("\"team_owner\": \"platform\"")); // unknown fields are kept
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY(saved.wait(10000));
    QCOMPARE(readFile(file), canonical);

    // Edit, see it marked, save with Ctrl+S.
    typeInto(tab->editor(), QStringLiteral(R"({"text": "edited {{word}}"})"));
    QVERIFY(tab->isModified());
    QTRY_VERIFY(wb.window.tabs()->tabText(wb.window.tabs()->indexOf(tab)).endsWith(QStringLiteral(" •")));
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY(saved.wait(10000));
    QVERIFY(!tab->isModified());
    QCOMPARE(wb.window.tabs()->tabText(wb.window.tabs()->indexOf(tab)), QStringLiteral("echo"));
    QVERIFY2(readFile(file).contains("\"text\": \"edited {{word}}\""), readFile(file).constData());

    // Someone else changes the file (a git pull): an unmodified tab follows.
    QByteArray theirs = readFile(file);
    theirs.replace("edited {{word}}", "pulled {{word}}");
    QSignalSpy onDisk(&wb.window.workspaceStore(), &models::WorkspaceStore::changedOnDisk);
    QVERIFY(models::writeFileAtomically(file, theirs).ok());
    QVERIFY(onDisk.wait(10000));
    QTRY_VERIFY(tab->editor()->text().contains(QStringLiteral("pulled {{word}}")));
    QVERIFY(!tab->isModified());
    QVERIFY(!tab->conflictShown());

    // A tab with edits is not touched: the conflict is shown; keeping mine overwrites.
    typeInto(tab->editor(), QStringLiteral(R"({"text": "mine"})"));
    theirs.replace("pulled {{word}}", "pulled again");
    QVERIFY(models::writeFileAtomically(file, theirs).ok());
    QVERIFY(onDisk.wait(10000));
    QTRY_VERIFY(tab->conflictShown());
    auto *bar = tab->findChild<QWidget *>(QStringLiteral("conflictBar"));
    QVERIFY(bar->palette().color(QPalette::Window).lightness() > 128); // a light warning colour
    QCOMPARE(tab->editor()->text(), QStringLiteral(R"({"text": "mine"})"));
    QCOMPARE(readFile(file), theirs);
    // Saving now is refused, not written over their change.
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("Not saved")),
             qPrintable(wb.window.statusText()));
    wb.window.workspaceStore().flush();
    QCOMPARE(readFile(file), theirs);
    QTest::mouseClick(button(tab, "conflictOverwriteButton"), Qt::LeftButton);
    QVERIFY(saved.wait(10000));
    QVERIFY(!saved.last().at(2).toBool());
    QVERIFY(readFile(file).contains("\"text\": \"mine\""));
    QVERIFY(!tab->conflictShown());
    QVERIFY(!tab->isModified());

    // And once more, this time taking theirs, in a dark palette (set on the window: a test's
    // application hands no palette on).
    const QPalette light = wb.window.palette();
    QPalette dark = light;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    wb.window.setPalette(dark);
    typeInto(tab->editor(), QStringLiteral(R"({"text": "mine again"})"));
    QByteArray third = readFile(file);
    onDisk.clear();
    third.replace("\"mine\"", "\"their third\"");
    QVERIFY(models::writeFileAtomically(file, third).ok());
    // Saved at once, before the change is noticed: the store still sees it and refuses.
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.last().at(2).toBool());
    QCOMPARE(readFile(file), third);
    QVERIFY(tab->conflictShown());
    // The warning in dark colours: no light bar in a dark window.
    QVERIFY(bar->palette().color(QPalette::Window).lightness() < 100);
    QVERIFY(bar->palette().color(QPalette::WindowText).lightness() > 150);
    wb.window.setPalette(light);
    QTRY_VERIFY(!onDisk.isEmpty() && onDisk.last().at(0).toStringList().contains(kEchoPath));
    QTest::mouseClick(button(tab, "conflictReloadButton"), Qt::LeftButton);
    QVERIFY(tab->editor()->text().contains(QStringLiteral("their third")));
    QVERIFY(!tab->isModified());
    QVERIFY(!tab->conflictShown());

    // A corrupt file is reported with where, and the rest still loads.
    writeFile(m_folder + QStringLiteral("/calls/broken.json"),
              QByteArrayLiteral("{\n  \"method\": \"x\",\n  oops\n}\n"));
    QTRY_VERIFY_WITH_TIMEOUT(findItem(wb.window.workspacePanel()->requestTree(), QString()) != nullptr,
                             10000);
    bool reported = false;
    for (QTreeWidgetItemIterator it(wb.window.workspacePanel()->requestTree()); *it; ++it)
        reported = reported || (*it)->text(0).contains(QStringLiteral("calls/broken.json:3:"));
    QVERIFY(reported);
    QVERIFY(findItem(wb.window.workspacePanel()->requestTree(), kEchoPath));
}

void WorkspaceGuiTest::theTreeCreatesRenamesMovesDuplicatesAndDeletes()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::WorkspacePanel *panel = wb.window.workspacePanel();
    QTreeWidget *tree = panel->requestTree();
    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    auto onDisk = [this](const QString &path) { return QFile::exists(m_folder + QLatin1Char('/') + path); };

    // Through the context menu, as a user does: Duplicate… on a request, answering the dialog.
    QString offered;
    QVERIFY(chooseFromMenu(tree, kEchoPath, QStringLiteral("Duplicate…"),
                           QStringLiteral("calls/echo-from-menu.json"), &offered));
    QCOMPARE(offered, QStringLiteral("calls/echo-copy.json"));
    QTRY_VERIFY(findItem(tree, QStringLiteral("calls/echo-from-menu.json")));
    QVERIFY(onDisk(QStringLiteral("calls/echo-from-menu.json")));
    // New Request Here… on a folder saves the current tab into it; the tab then belongs there.
    ui::RequestTab *fresh = wb.openByClicking(QStringLiteral("ServerStream"));
    QVERIFY(fresh);
    QVERIFY(chooseFromMenu(tree, QStringLiteral("calls/streams"), QStringLiteral("New Request Here…"),
                           QStringLiteral("calls/streams/server.json"), &offered));
    QCOMPARE(offered, QStringLiteral("calls/streams/ServerStream.json"));
    QTRY_VERIFY(findItem(tree, QStringLiteral("calls/streams/server.json")));
    QTRY_COMPARE(fresh->savedPath(), QStringLiteral("calls/streams/server.json"));
    QVERIFY(!fresh->isModified());
    QCOMPARE(
        wb.window.workspaceStore().workspace().request(QStringLiteral("calls/streams/server.json"))->method,
        QStringLiteral("wirescope.testing.TestService/ServerStream"));
    // Taken names are refused and nothing is overwritten.
    const QByteArray before = readFile(m_folder + QStringLiteral("/calls/streams/upload.json"));
    QVERIFY(chooseFromMenu(tree, QStringLiteral("calls/streams"), QStringLiteral("New Request Here…"),
                           QStringLiteral("calls/streams/upload.json"), &offered));
    QTRY_VERIFY(wb.window.statusText().contains(QStringLiteral("already exists")));
    QCOMPARE(readFile(m_folder + QStringLiteral("/calls/streams/upload.json")), before);
    QVERIFY(!fresh->conflictShown());
    wb.window.tabs()->setCurrentWidget(tab);

    panel->createFolder(QStringLiteral("smoke"));
    QTRY_VERIFY(findItem(tree, QStringLiteral("smoke")));
    QVERIFY(QFileInfo(m_folder + QStringLiteral("/smoke")).isDir());

    // A rename moves the file; the open tab follows it and saves to the new place.
    panel->renameItem(kEchoPath, QStringLiteral("smoke/echo-dev.json"), false);
    QTRY_VERIFY(findItem(tree, QStringLiteral("smoke/echo-dev.json")));
    QVERIFY(!findItem(tree, kEchoPath));
    QVERIFY(!onDisk(kEchoPath));
    QCOMPARE(tab->savedPath(), QStringLiteral("smoke/echo-dev.json"));
    QVERIFY(!tab->isModified());

    panel->duplicateItem(QStringLiteral("smoke/echo-dev.json"), QStringLiteral("smoke/echo-copy.json"),
                         false);
    QTRY_VERIFY(findItem(tree, QStringLiteral("smoke/echo-copy.json")));
    QCOMPARE(readFile(m_folder + QStringLiteral("/smoke/echo-copy.json")),
             readFile(m_folder + QStringLiteral("/smoke/echo-dev.json")));

    // A folder renamed with its requests; the tab follows again.
    panel->renameItem(QStringLiteral("smoke"), QStringLiteral("checks/smoke"), true);
    QTRY_VERIFY(findItem(tree, QStringLiteral("checks/smoke/echo-copy.json")));
    QVERIFY(onDisk(QStringLiteral("checks/smoke/echo-dev.json")));
    QCOMPARE(tab->savedPath(), QStringLiteral("checks/smoke/echo-dev.json"));

    panel->duplicateItem(QStringLiteral("checks"), QStringLiteral("checks-copy"), true);
    QTRY_VERIFY(findItem(tree, QStringLiteral("checks-copy/smoke/echo-dev.json")));

    // Paths that leave the workspace are refused with a message, and nothing moves.
    QSignalSpy failed(&wb.window.workspaceStore(), &models::WorkspaceStore::operationFailed);
    panel->renameItem(QStringLiteral("checks/smoke/echo-copy.json"), QStringLiteral("../escaped.json"),
                      false);
    QVERIFY(failed.wait(10000));
    QVERIFY(onDisk(QStringLiteral("checks/smoke/echo-copy.json")));
    QVERIFY(!QFile::exists(QFileInfo(m_folder).absolutePath() + QStringLiteral("/escaped.json")));

    // Deleting the open tab's file leaves the tab as an unsaved request; nothing is lost.
    panel->deleteItem(QStringLiteral("checks/smoke/echo-dev.json"), false);
    QTRY_VERIFY(!findItem(tree, QStringLiteral("checks/smoke/echo-dev.json")));
    QVERIFY(!onDisk(QStringLiteral("checks/smoke/echo-dev.json")));
    QVERIFY(tab->savedPath().isEmpty());
    QVERIFY(tab->isModified());
    QVERIFY(tab->editor()->text().contains(QStringLiteral("{{word}}")));

    panel->deleteItem(QStringLiteral("checks-copy"), true);
    QTRY_VERIFY(!findItem(tree, QStringLiteral("checks-copy")));
    QVERIFY(!QFileInfo::exists(m_folder + QStringLiteral("/checks-copy")));
    QVERIFY(findItem(tree, QStringLiteral("calls/streams/upload.json")));
}

void WorkspaceGuiTest::grpcurlCommandsGoOutAndComeBackIn()
{
    Workbench wb;
    ui::RequestTab *tab = openEchoInDev(wb);
    QVERIFY(tab);

    const QString command = wb.window.copyAsGrpcurl();
    QCOMPARE(QApplication::clipboard()->text(), command);
    QVERIFY2(command.contains(QStringLiteral("-plaintext")) && command.contains(m_address) &&
                 command.contains(QStringLiteral("wirescope.testing.TestService/Echo")) &&
                 command.contains(QStringLiteral("${WIRESCOPE_VAR_TOKEN}")) && !command.contains(kSecret),
             qPrintable(command));

    // It runs as it is (the secret from the environment) with the program name swapped.
    QString line = command;
    line.replace(QRegularExpression(QStringLiteral("^grpcurl")), QStringLiteral(WIRESCOPE_CLI));
    const auto result = testsupport::run({"/usr/bin/env", "WIRESCOPE_VAR_TOKEN=" + kSecret.toStdString(),
                                          "/bin/sh", "-c", line.toStdString()});
    QVERIFY2(result.exitCode == 0, result.err.c_str());
    QVERIFY2(result.out.find("hello from dev") != std::string::npos, result.out.c_str());
    QVERIFY(result.out.find("Bearer " + kSecret.toStdString()) != std::string::npos);

    // Pasted back, it becomes a new unsaved request with the same method, target and body.
    const int before = wb.window.tabs()->count();
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -H 'x-trace: 7' -d '{\"text\": \"pasted\"}' %1 "
                       "wirescope.testing.TestService/Echo")
            .arg(m_address)));
    QTRY_COMPARE(wb.window.tabs()->count(), before + 1);
    ui::RequestTab *pasted = wb.window.currentRequest();
    QVERIFY(pasted->isModified());
    QVERIFY(pasted->savedPath().isEmpty());
    QCOMPARE(pasted->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text(), m_address);
    QVERIFY(pasted->editor()->text().contains(QStringLiteral("pasted")));
    QVERIFY(sendAndWait(pasted));
    QCOMPARE(pasted->session().status().code, 0);
    QVERIFY(lastMessage(pasted).contains("\"x-trace\": \"7\""));

    // A command it cannot take says why, and opens nothing; Paste Command offers it again to
    // mend (it used to offer the clipboard, and the typed command was lost).
    const QString refused = QStringLiteral("grpcurl -plaintext %1 list").arg(m_address);
    QApplication::clipboard()->setText(QStringLiteral("something else"));
    QVERIFY(!wb.window.importGrpcurl(refused));
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("Cannot import")),
             qPrintable(wb.window.statusText()));
    QCOMPARE(wb.window.pasteSuggestion(), refused);
    QCOMPARE(wb.window.tabs()->count(), before + 1);
}

void WorkspaceGuiTest::unsavedEditsComeBackAfterACrash()
{
    QString autosave;
    {
        auto wb = std::make_unique<Workbench>();
        QVERIFY(openWorkspace(*wb));
        wb->window.environmentBox()->setCurrentIndex(
            wb->window.environmentBox()->findText(QStringLiteral("down")));
        ui::RequestTab *tab = openSaved(*wb, kEchoPath);
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "not saved yet"})"));
        autosave = wb->window.autosaveFile();
        // Written a moment after the edit, without closing anything.
        QTRY_VERIFY_WITH_TIMEOUT(readFile(autosave).contains("not saved yet"), 10000);
        // The crash: the window goes without its close event (nothing more is written).
        wb->window.hide();
    }
    QVERIFY(readFile(autosave).contains("not saved yet"));
    // The file on disk was never touched by the unsaved edit.
    QVERIFY(!readFile(m_folder + QLatin1Char('/') + kEchoPath).contains("not saved yet"));

    Workbench wb;
    QVERIFY(restoresOneTab(wb));
    QCOMPARE(wb.window.tabs()->count(), 1);
    ui::RequestTab *tab = wb.window.currentRequest();
    QCOMPARE(tab->editor()->text(), QStringLiteral(R"({"text": "not saved yet"})"));
    QCOMPARE(tab->savedPath(), kEchoPath);
    QVERIFY(tab->isModified());
    QCOMPARE(wb.window.environmentBox()->currentText(), QStringLiteral("down"));
    QCOMPARE(wb.window.workspaceStore().workspace().folder(), QFileInfo(m_folder).absoluteFilePath());

    // Saved now, nothing is left to restore.
    QSignalSpy saved(&wb.window.workspaceStore(), &models::WorkspaceStore::saveFinished);
    QTest::keySequence(&wb.window, QKeySequence::Save);
    QVERIFY(saved.wait(10000));
    QVERIFY(readFile(m_folder + QLatin1Char('/') + kEchoPath).contains("not saved yet"));
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(autosave), 10000); // taken over
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(wb.window.autosaveFile()), 10000);

    // A damaged autosave file is reported and left alone.
    writeFile(autosave, QByteArrayLiteral("{\"tabs\": [tr"));
    QSignalSpy restoredAgain(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(restoredAgain.wait(10000));
    QCOMPARE(restoredAgain.first().at(0).toInt(), 0);
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("damaged")), qPrintable(wb.window.statusText()));
    QCOMPARE(readFile(autosave), QByteArrayLiteral("{\"tabs\": [tr"));
}

void WorkspaceGuiTest::aSavedStreamSendsAllItsMessages()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, QStringLiteral("calls/streams/upload.json"));
    QVERIFY(tab);
    QVERIFY(tab->editor()->text().trimmed().startsWith(QLatin1Char('[')));
    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    QCOMPARE(tab->session().sentCount(), 3);
    const QByteArray summary = lastMessage(tab);
    QVERIFY2(summary.contains("\"count\": 3") && summary.contains("three"), summary.constData());

    // A method opened from the schema with nothing typed is not an unsaved edit: closing
    // leaves nothing to restore.
    ui::RequestTab *fresh = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(fresh);
    QVERIFY(!fresh->isModified());
    QVERIFY(!wb.window.tabs()->tabText(wb.window.tabs()->indexOf(fresh)).endsWith(QStringLiteral(" •")));
    QVERIFY(wb.window.close());
    QVERIFY(!QFile::exists(wb.window.autosaveFile()));
}

void WorkspaceGuiTest::theProgramOpensAndSendsASavedRequestFromTheCommandLine()
{
    // The installed program's way in: wirescope --workspace DIR --open REQUEST --send. The call
    // lands in the workspace's history, which is how this test sees it.
    QTemporaryDir home;
    const std::string h = home.path().toStdString();
    testsupport::Spawned gui({"/usr/bin/env", "HOME=" + h, "XDG_CONFIG_HOME=" + h + "/config",
                              "XDG_DATA_HOME=" + h + "/data", "QT_QPA_PLATFORM=offscreen", WIRESCOPE_GUI,
                              "--workspace", m_folder.toStdString(), "--open", "calls/streams/upload.json",
                              "--send"});
    const QString history = m_folder + QStringLiteral("/.wirescope/history.jsonl");
    QTRY_VERIFY_WITH_TIMEOUT(readFile(history).contains("ClientStream"), 30000);
    const QByteArray line = readFile(history);
    QVERIFY2(line.contains(QStringLiteral("\"sent_target\":\"%1\"").arg(m_address).toUtf8()),
             line.constData());
    QVERIFY2(line.contains("\"status_name\":\"OK\""), line.constData());
}

void WorkspaceGuiTest::workspaceDefaultsApplyWhereARequestSaysNothing()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, QStringLiteral("calls/bare.json"));
    QVERIFY(tab);
    auto *target = tab->findChild<QLineEdit *>(QStringLiteral("targetEdit"));
    QCOMPARE(target->text(), QString());
    QVERIFY2(target->placeholderText().contains(QStringLiteral("{{host}}")),
             qPrintable(target->placeholderText()));
    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    QCOMPARE(sentTo(tab), QStringLiteral("→ ") + m_address);
    const QByteArray response = lastMessage(tab);
    QVERIFY2(response.contains("\"x-team\": \"core\""), response.constData());
    QVERIFY(!tab->isModified()); // the defaults are not written into the request
    // The grpcurl command carries them too.
    const QString command = wb.window.copyAsGrpcurl();
    QVERIFY2(command.contains(m_address) && command.contains(QStringLiteral("x-team: core")),
             qPrintable(command));
}

void WorkspaceGuiTest::environmentsAreEditedAndSecretsStayOutOfTheFile()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    const QString downSecret = QStringLiteral("down-secret-77aa1c");
    wb.window.secrets().write(
        models::SecretStore::keyFor(m_folder, QStringLiteral("down"), QStringLiteral("token")), downSecret);
    // The environment being renamed is the chosen one: it stays chosen under its new name.
    wb.window.environmentBox()->setCurrentIndex(wb.window.environmentBox()->findText(QStringLiteral("down")));
    auto *action = wb.window.findChild<QAction *>(QStringLiteral("editEnvironmentsAction"));
    QVERIFY(action && action->isEnabled());
    action->trigger();
    auto *dialog = wb.window.findChild<ui::EnvironmentsDialog *>();
    QVERIFY(dialog && dialog->isVisible());
    QListWidget *list = dialog->environmentList();
    QTableWidget *table = dialog->variableTable();
    QCOMPARE(list->currentItem()->text(), QStringLiteral("down"));
    list->setCurrentRow(0);
    QCOMPARE(list->currentItem()->text(), QStringLiteral("dev"));
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->item(2, 0)->text(), QStringLiteral("token"));
    QCOMPARE(table->item(2, 1)->text(), QString()); // no value yet

    // Types into a cell through its editor, as a user does.
    auto typeCell = [table](int row, int column, const QString &text) {
        table->setCurrentCell(row, column);
        table->editItem(table->item(row, column));
        auto *editor = table->viewport()->findChild<QLineEdit *>();
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, text);
        const QPointer<QLineEdit> gone(editor);
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_VERIFY(!gone); // the view commits and drops its editor on a later event loop turn
    };
    typeCell(1, 1, QStringLiteral("changed word"));
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("changed word"));
    // The secret is typed into a password field and never shown.
    table->setCurrentCell(2, 1);
    table->editItem(table->item(2, 1));
    auto *secretEditor = table->viewport()->findChild<QLineEdit *>();
    QVERIFY(secretEditor);
    QCOMPARE(secretEditor->echoMode(), QLineEdit::Password);
    QTest::keyClicks(secretEditor, kSecret);
    {
        const QPointer<QLineEdit> gone(secretEditor);
        QTest::keyClick(secretEditor, Qt::Key_Return);
        QTRY_VERIFY(!gone);
    }
    QCOMPARE(table->item(2, 1)->text(), QStringLiteral("••••••"));
    // A new variable, made secret after its value was typed: the value moves out of the table.
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("addVariableButton")), Qt::LeftButton);
    auto *nameEditor = table->viewport()->findChild<QLineEdit *>();
    QVERIFY(nameEditor);
    QTest::keyClicks(nameEditor, QStringLiteral("apikey"));
    {
        const QPointer<QLineEdit> gone(nameEditor);
        QTest::keyClick(nameEditor, Qt::Key_Return);
        QTRY_VERIFY(!gone);
    }
    typeCell(3, 1, QStringLiteral("key-in-plain-sight-31"));
    table->item(3, 2)->setCheckState(Qt::Checked);
    QCOMPARE(table->item(3, 1)->text(), QStringLiteral("••••••"));

    // A new environment, and a renamed one (its keychain value follows it).
    dialog->addEnvironment(QStringLiteral("staging"));
    QCOMPARE(list->currentItem()->text(), QStringLiteral("staging"));
    QCOMPARE(table->rowCount(), 0);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("addVariableButton")), Qt::LeftButton);
    nameEditor = table->viewport()->findChild<QLineEdit *>();
    QVERIFY(nameEditor);
    QTest::keyClicks(nameEditor, QStringLiteral("host"));
    {
        const QPointer<QLineEdit> gone(nameEditor);
        QTest::keyClick(nameEditor, Qt::Key_Return);
        QTRY_VERIFY(!gone);
    }
    typeCell(0, 1, m_address);
    list->item(1)->setText(QStringLiteral("offline"));
    // Going back to dev shows what was typed there.
    list->setCurrentRow(0);
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("changed word"));
    QCOMPARE(table->item(3, 1)->text(), QStringLiteral("••••••"));

    QSignalSpy changed(&wb.window.workspaceStore(), &models::WorkspaceStore::changed);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save),
                      Qt::LeftButton);
    QVERIFY(changed.wait(10000));
    const QByteArray file = readFile(m_folder + QStringLiteral("/wirescope.json"));
    QVERIFY2(file.contains("changed word") && file.contains("\"staging\"") && file.contains("\"offline\"") &&
                 file.contains("\"apikey\"") && !file.contains("\"down\""),
             file.constData());
    QCOMPARE(filesContaining(m_folder, kSecret.toUtf8()), QStringList());
    QCOMPARE(filesContaining(m_folder, QByteArrayLiteral("key-in-plain-sight-31")), QStringList());
    QCOMPARE(filesContaining(m_folder, downSecret.toUtf8()), QStringList());
    QVERIFY(wb.window.environmentBox()->findText(QStringLiteral("staging")) > 0);
    QVERIFY(wb.window.environmentBox()->findText(QStringLiteral("offline")) > 0);
    QCOMPARE(wb.window.secrets().cached(
                 models::SecretStore::keyFor(m_folder, QStringLiteral("dev"), QStringLiteral("apikey"))),
             std::optional<QString>(QStringLiteral("key-in-plain-sight-31")));
    QCOMPARE(wb.window.secrets().cached(
                 models::SecretStore::keyFor(m_folder, QStringLiteral("offline"), QStringLiteral("token"))),
             std::optional<QString>(downSecret));

    QCOMPARE(wb.window.environmentBox()->currentText(), QStringLiteral("offline"));
    // The edited environment is what the next call uses, with no prompt: the secret is known.
    wb.window.environmentBox()->setCurrentIndex(wb.window.environmentBox()->findText(QStringLiteral("dev")));
    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    const QByteArray response = lastMessage(tab);
    QVERIFY2(response.contains("changed word") && response.contains(bearerSecret()), response.constData());
}

void WorkspaceGuiTest::closingATabWithEditsAsksFirst()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    QTabWidget *tabs = wb.window.tabs();
    const QString file = m_folder + QLatin1Char('/') + kEchoPath;
    const QByteArray onDisk = readFile(file);
    // Answers the question the window asks with the given button; what it said goes to `asked`.
    QString asked;
    auto answer = [&asked](QMessageBox::StandardButton button) {
        QTimer::singleShot(100, [&asked, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || !box->button(button))
                return;
            asked = box->text();
            box->button(button)->click();
        });
    };

    // Unchanged: closes without a question.
    QPointer<ui::RequestTab> plain = wb.openByClicking(QStringLiteral("Chat"));
    QVERIFY(plain);
    emit tabs->tabCloseRequested(tabs->indexOf(plain));
    QTRY_VERIFY(!plain);

    tabs->setCurrentWidget(tab);
    typeInto(tab->editor(), QStringLiteral(R"({"text": "kept until asked"})"));
    QVERIFY(tab->isModified());
    answer(QMessageBox::Cancel);
    emit tabs->tabCloseRequested(tabs->indexOf(tab));
    QVERIFY2(asked.contains(QStringLiteral("echo has changes")), qPrintable(asked));
    QVERIFY(tabs->indexOf(tab) >= 0); // Cancel keeps it
    QCOMPARE(readFile(file), onDisk);

    // Save writes the file, then the tab closes.
    QPointer<ui::RequestTab> guarded(tab);
    QSignalSpy saved(&wb.window.workspaceStore(), &models::WorkspaceStore::saveFinished);
    answer(QMessageBox::Save);
    emit tabs->tabCloseRequested(tabs->indexOf(tab));
    QVERIFY(saved.wait(10000));
    QTRY_VERIFY(!guarded);
    QVERIFY(readFile(file).contains("kept until asked"));

    // Discard closes and leaves the file alone.
    ui::RequestTab *again = openSaved(wb, kEchoPath);
    QVERIFY(again);
    typeInto(again->editor(), QStringLiteral(R"({"text": "thrown away"})"));
    QPointer<ui::RequestTab> discarded(again);
    answer(QMessageBox::Discard);
    emit tabs->tabCloseRequested(tabs->indexOf(again));
    QTRY_VERIFY(!discarded);
    QVERIFY(!readFile(file).contains("thrown away"));
}

// The first tab of a window replaces its Welcome page; the pasted command's settings must still
// reach that tab (they once went to whichever tab opened next).
void WorkspaceGuiTest::aPastedCommandKeepsItsConnectionSettingsInAFreshWindow()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() > 0);
    QCOMPARE(wb.window.tabs()->count(), 1); // Welcome
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -authority api.example -max-msg-sz 8388608 "
                       "-d '{}' %1 wirescope.testing.TestService/Echo")
            .arg(m_address)));
    QTRY_VERIFY(wb.window.currentRequest());
    const models::ConnectionSettings channel = wb.window.currentRequest()->connectionSettings();
    QCOMPARE(channel.authority, QStringLiteral("api.example"));
    QCOMPARE(channel.maxReceiveBytes, 8 * 1024 * 1024);
    QVERIFY(channel.plaintext);
    QVERIFY(sendAndWait(wb.window.currentRequest()));
    QVERIFY(lastMessage(wb.window.currentRequest()).contains("\"authority\": \"api.example\""));
}

// A pasted command whose method the loaded schema lacks (a typo) opened nothing and said only
// "Waiting for a schema with ..." for ever; it now says so at once, with the nearest method.
void WorkspaceGuiTest::aPastedCommandForAMethodNoSchemaHasSaysSo()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() > 0);
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -d '{}' %1 wirescope.testing.TestService/Ecoh").arg(m_address)));
    QTRY_VERIFY2(wb.window.statusText().contains(
                     QStringLiteral("no loaded schema has wirescope.testing.TestService/Ecoh")),
                 qPrintable(wb.window.statusText()));
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("did you mean wirescope.testing.TestService/Echo?")),
             qPrintable(wb.window.statusText()));
    auto requestTabs = [&wb] {
        int n = 0;
        for (int i = 0; i < wb.window.tabs()->count(); ++i)
            n += qobject_cast<ui::RequestTab *>(wb.window.tabs()->widget(i)) != nullptr;
        return n;
    };
    QTest::qWait(300);
    QCOMPARE(requestTabs(), 0);
    // Again, now that the command's own source (the target's reflection) is loaded: said at once.
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -d '{}' %1 wirescope.testing.TestService/ServerStreem").arg(m_address)));
    QTRY_VERIFY2(wb.window.statusText().contains(QStringLiteral(
                     "no loaded schema has wirescope.testing.TestService/ServerStreem (did you mean "
                     "wirescope.testing.TestService/ServerStream?)")),
                 qPrintable(wb.window.statusText()));
    QCOMPARE(requestTabs(), 0);
    // A name of a megabyte is said not to be there, without a suggestion (nor a long stall).
    QVERIFY(wb.window.importGrpcurl(QStringLiteral("grpcurl -plaintext -d '{}' %1 wirescope.testing.TestService/%2")
                                        .arg(m_address, QString(1 << 20, u'x'))));
    QTRY_VERIFY2(wb.window.statusText().startsWith(QStringLiteral("Not opened: no loaded schema has")) &&
                     wb.window.statusText().contains(QStringLiteral("xxxx")) &&
                     !wb.window.statusText().contains(QStringLiteral("did you mean")),
                 qPrintable(wb.window.statusText().left(200)));
    QCOMPARE(requestTabs(), 0);
    // Nothing stays waiting: the next good command opens its own tab only.
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -d '{}' %1 wirescope.testing.TestService/Echo").arg(m_address)));
    QTRY_VERIFY(wb.window.currentRequest());
    QTest::qWait(300);
    QCOMPARE(requestTabs(), 1);
    QCOMPARE(QString::fromStdString(wb.window.currentRequest()->method().fullName),
             QStringLiteral("wirescope.testing.TestService.Echo"));
}

// The window once asked for the secret {{token}} whenever a field with variables merely
// contained the letters "token" (here "tokenId"), and a cancelled question stopped the call.
void WorkspaceGuiTest::aSecretIsAskedForOnlyWhereItsExactNameIsUsed()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, QStringLiteral("calls/ids.json"));
    QVERIFY(tab);
    QStringList asked;
    QTimer watcher;
    connect(&watcher, &QTimer::timeout, this, [&asked] {
        if (auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget())) {
            asked << dialog->labelText();
            dialog->reject();
        }
    });
    watcher.start(20);
    QVERIFY(sendAndWait(tab));
    watcher.stop();
    QCOMPARE(asked, QStringList());
    QCOMPARE(tab->session().status().code, 0);
    const QByteArray response = lastMessage(tab);
    QVERIFY2(response.contains("tokenId hello from dev") && response.contains("tokenId-hello from dev"),
             response.constData());
}

// Sizes and times reach the call exactly: 1000000 bytes and 0.5 s from a pasted grpcurl command
// or a workspace connection were once shown (and sent) as "default" and "none", and a deadline
// under 0.1 s as "no deadline".
void WorkspaceGuiTest::limitsAndDeadlinesKeepTheirExactUnits()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    QVERIFY(wb.window.importGrpcurl(
        QStringLiteral("grpcurl -plaintext -max-msg-sz 1000000 -connect-timeout 0.5 -keepalive-time 1.5 "
                       "-max-time 0.05 -d '{\"text\": \"x\"}' %1 wirescope.testing.TestService/Echo")
            .arg(m_address)));
    QTRY_VERIFY(wb.window.currentRequest());
    ui::RequestTab *pasted = wb.window.currentRequest();
    models::ConnectionSettings c = pasted->connectionSettings();
    QCOMPARE(c.maxReceiveBytes, 1000000);
    QCOMPARE(c.connectTimeoutMs, 500);
    QCOMPARE(c.keepaliveMs, 1500);
    auto *maxReceive = pasted->findChild<QSpinBox *>(QStringLiteral("maxReceiveBox"));
    auto *deadline = pasted->findChild<QSpinBox *>(QStringLiteral("deadlineBox"));
    QCOMPARE(maxReceive->text(), QStringLiteral("1000000 bytes"));
    QCOMPARE(deadline->text(), QStringLiteral("0.05 s"));
    auto call = pasted->buildRequest();
    QVERIFY2(call, qPrintable(call.errorMessage()));
    QCOMPARE(call->deadlineMs, std::int64_t(50));
    QCOMPARE(call->channel.maxReceiveBytes, 1000000);
    QCOMPARE(call->channel.connectTimeoutMs, 500);
    // Copied out again, the command says what was pasted.
    const QString copied = wb.window.copyAsGrpcurl();
    for (const char *flag :
         {"-max-msg-sz 1000000", "-connect-timeout 0.5", "-keepalive-time 1.5", "-max-time 0.05"})
        QVERIFY2(copied.contains(QLatin1String(flag)), qPrintable(copied));
    // Typed: "40 ms" and "2 MiB" are what they say; the arrows step whole units.
    typeInto(deadline, QStringLiteral("40 ms"));
    QCOMPARE(deadline->value(), 40);
    typeInto(maxReceive, QStringLiteral("2 MiB"));
    QCOMPARE(maxReceive->value(), 2 * 1024 * 1024);
    maxReceive->stepBy(1);
    QCOMPARE(maxReceive->value(), 3 * 1024 * 1024);

    // A saved request of 0.04 s over the workspace connection "quick": the slow call ends at
    // its deadline instead of running three seconds.
    ui::RequestTab *slow = openSaved(wb, QStringLiteral("calls/slow.json"));
    QVERIFY(slow);
    c = slow->connectionSettings();
    QCOMPARE(c.connectTimeoutMs, 500);
    QCOMPARE(c.maxReceiveBytes, 1000000);
    QCOMPARE(slow->findChild<QSpinBox *>(QStringLiteral("connectTimeoutBox"))->text(),
             QStringLiteral("0.5 s"));
    QVERIFY(!slow->isModified());
    QVERIFY(sendAndWait(slow));
    QCOMPARE(slow->session().status().code, 4); // DEADLINE_EXCEEDED
    QVERIFY2(slow->session().totalTime() < 2'000'000'000LL,
             qPrintable(QString::number(slow->session().totalTime())));
}

// A save writes a snapshot on the store's thread; what is typed before it lands was once marked
// saved with it, so autosave skipped it and closing the tab did not ask.
void WorkspaceGuiTest::editsTypedWhileASaveRunsStayUnsaved()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, kEchoPath);
    QVERIFY(tab);
    const QString file = m_folder + QLatin1Char('/') + kEchoPath;
    typeInto(tab->editor(), QStringLiteral(R"({"text": "first"})"));
    QSignalSpy saved(&wb.window.workspaceStore(), &models::WorkspaceStore::saveFinished);
    QTest::keySequence(&wb.window, QKeySequence::Save);
    // Typed at once, before the store has answered (its answer is a queued signal).
    QVERIFY(saved.isEmpty());
    typeInto(tab->editor(), QStringLiteral(R"({"text": "second"})"));
    QVERIFY(saved.wait(10000));
    QVERIFY2(readFile(file).contains("\"first\""), readFile(file).constData());
    QVERIFY(tab->isModified());
    QVERIFY(wb.window.tabs()->tabText(wb.window.tabs()->indexOf(tab)).endsWith(QStringLiteral(" •")));
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("second"), 10000);
    // Closing the tab asks; Cancel keeps it.
    Answers answers(QList<Answers::Answer>{{QMessageBox::Cancel, {}}});
    emit wb.window.tabs()->tabCloseRequested(wb.window.tabs()->indexOf(tab));
    QCOMPARE(answers.asked.size(), 1);
    QVERIFY(wb.window.tabs()->indexOf(tab) >= 0);
    // Saved again (File → Save Request), it is clean, and nothing is left to restore.
    wb.window.findChild<QAction *>(QStringLiteral("saveRequestAction"))->trigger();
    QVERIFY(saved.wait(10000));
    QVERIFY(!tab->isModified());
    QVERIFY(readFile(file).contains("\"second\""));
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(wb.window.autosaveFile()), 10000);
}

// Ctrl+Q (and closing the window) with unsaved requests asks: Save All, Discard or Cancel. Only
// requests that have a file are asked about; a new request tried out in a tab comes back at the
// next start, unasked (the quit prompt used to ask where to save each of them).
void WorkspaceGuiTest::quittingWithUnsavedTabsAsks()
{
    const QString file = m_folder + QLatin1Char('/') + kEchoPath;
    QString autosave;
    {
        Workbench wb;
        QVERIFY(openWorkspace(wb));
        ui::RequestTab *tab = openSaved(wb, kEchoPath);
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "quit edit"})"));
        ui::RequestTab *fresh = wb.openByClicking(QStringLiteral("ServerStream"));
        QVERIFY(fresh);
        typeInto(fresh->editor(), QStringLiteral(R"({"count": 2})"));
        autosave = wb.window.autosaveFile();

        // Cancel: nothing closes, nothing is written.
        {
            Answers answers(QList<Answers::Answer>{{QMessageBox::Cancel, {}}});
            QTest::keyClick(&wb.window, Qt::Key_Q, Qt::ControlModifier);
            QCOMPARE(answers.asked.size(), 1);
            QVERIFY2(answers.asked.front().contains(QStringLiteral("1 request")),
                     qPrintable(answers.asked.front()));
            // The new one is named as kept, so that Discard is not read as throwing it away.
            QVERIFY2(answers.asked.front().contains(QStringLiteral("1 new request tried out in a tab is kept")),
                     qPrintable(answers.asked.front()));
        }
        QVERIFY(wb.window.isVisible());
        QVERIFY(!readFile(file).contains("quit edit"));

        // Save All: the saved request goes to its file and the window closes; the new one is
        // not asked about, and kept for the next start.
        Answers answers(QList<Answers::Answer>{{QMessageBox::SaveAll, {}}});
        QVERIFY(!wb.window.close()); // not yet: the save runs first
        QTRY_VERIFY_WITH_TIMEOUT(!wb.window.isVisible(), 10000);
        QCOMPARE(answers.asked.size(), 1);
        QVERIFY(readFile(file).contains("quit edit"));
        QVERIFY(readFile(autosave).contains("\\\"count\\\": 2"));
        QVERIFY(!readFile(autosave).contains("quit edit"));
    }
    {
        // The new request comes back; closing with only it unsaved asks nothing.
        Workbench wb;
        QVERIFY(restoresOneTab(wb));
        QCOMPARE(wb.window.currentRequest()->editor()->text(), QStringLiteral(R"({"count": 2})"));
        {
            Answers answers(QList<Answers::Answer>{{QMessageBox::Cancel, {}}});
            QVERIFY(wb.window.close());
            QCOMPARE(answers.asked.size(), 0);
        }
        QVERIFY(readFile(wb.window.autosaveFile()).contains("\\\"count\\\": 2"));
        // Closed for good (its tab closed, Discard), nothing comes back.
        wb.window.show();
        Answers discard(QList<Answers::Answer>{{QMessageBox::Discard, {}}});
        wb.window.tabs()->tabCloseRequested(wb.window.tabs()->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(discard.asked.size(), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!readFile(wb.window.autosaveFile()).contains("count"), 10000);
        wb.window.hide();
    }
    {
        // Discard: the window closes, the file keeps what it had, and nothing comes back later;
        // a new request's draft is kept all the same.
        Workbench wb;
        QVERIFY(openWorkspace(wb));
        ui::RequestTab *tab = openSaved(wb, kEchoPath);
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "thrown away"})"));
        ui::RequestTab *fresh = wb.openByClicking(QStringLiteral("ServerStream"));
        QVERIFY(fresh);
        typeInto(fresh->editor(), QStringLiteral(R"({"count": 5})"));
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("thrown away"), 10000);
        Answers answers(QList<Answers::Answer>{{QMessageBox::Discard, {}}});
        QVERIFY(wb.window.close());
        QCOMPARE(answers.asked.size(), 1);
        QVERIFY(!readFile(file).contains("thrown away"));
        wb.window.workspaceStore().flush();
        QTRY_VERIFY_WITH_TIMEOUT(!readFile(wb.window.autosaveFile()).contains("thrown away"), 10000);
        QVERIFY(readFile(wb.window.autosaveFile()).contains("\\\"count\\\": 5"));
    }
}

void WorkspaceGuiTest::closingTheWorkspaceClosesItsTabsAndKeepsTheirDrafts()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() > 0);
    ui::RequestTab *before = wb.openByClicking(QStringLiteral("ServerStream")); // of no workspace
    QVERIFY(before);
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *clean = openSaved(wb, QStringLiteral("calls/bare.json"));
    QVERIFY(clean);
    ui::RequestTab *edited = openSaved(wb, kEchoPath);
    QVERIFY(edited);
    typeInto(edited->editor(), QStringLiteral(R"({"text": "kept for later"})"));
    ui::RequestTab *scratch = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(scratch && scratch != edited);
    typeInto(scratch->editor(), QStringLiteral(R"({"text": "tried out"})"));
    const int others = wb.window.tabs()->count() - 3;

    Answers answers(QList<Answers::Answer>{{QMessageBox::Cancel, {}}});
    wb.window.findChild<QAction *>(QStringLiteral("closeWorkspaceAction"))->trigger();
    QTRY_COMPARE(wb.window.tabs()->count(), others);
    QCOMPARE(answers.asked.size(), 0); // nothing asked: nothing is lost
    QCOMPARE(wb.window.currentRequest(), before);
    // The drafts are in the autosave file (for a crash meanwhile), not on disk in the workspace.
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("kept for later"), 10000);
    QVERIFY(readFile(wb.window.autosaveFile()).contains("tried out"));
    QVERIFY(!readFile(m_folder + QLatin1Char('/') + kEchoPath).contains("kept for later"));

    // Opened again: the two drafts come back, unsaved; the clean one does not. (Its sources
    // are loaded already.)
    QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
    wb.window.openWorkspace(m_folder);
    QVERIFY(opened.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(wb.window.tabs()->count(), others + 2, 20000);
    QStringList texts;
    for (int i = 0; i < wb.window.tabs()->count(); ++i) {
        if (auto *tab = qobject_cast<ui::RequestTab *>(wb.window.tabs()->widget(i)); tab && tab != before) {
            QVERIFY(tab->isModified());
            texts << tab->editor()->text();
        }
    }
    texts.sort();
    QCOMPARE(texts, (QStringList{QStringLiteral(R"({"text": "kept for later"})"), QStringLiteral(R"({"text": "tried out"})")}));
}

void WorkspaceGuiTest::openingAnotherWorkspaceClosesTheFirstsTabs()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *clean = openSaved(wb, QStringLiteral("calls/bare.json"));
    ui::RequestTab *edited = openSaved(wb, kEchoPath);
    QVERIFY(clean && edited);
    typeInto(edited->editor(), QStringLiteral(R"({"text": "kept for later"})"));
    // The request tabs open, by what they hold.
    auto requestTabs = [&wb] {
        QList<ui::RequestTab *> found;
        for (int i = 0; i < wb.window.tabs()->count(); ++i) {
            if (auto *tab = qobject_cast<ui::RequestTab *>(wb.window.tabs()->widget(i)))
                found << tab;
        }
        return found;
    };
    const int others = int(requestTabs().size()) - 2;
    const auto first = std::move(m_dir); // kept on disk while the second is made
    const QString firstFolder = m_folder;
    makeWorkspace();
    QVERIFY(m_folder != firstFolder);

    Answers answers(QList<Answers::Answer>{{QMessageBox::Cancel, {}}});
    QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
    QSignalSpy said(&wb.window.workspace(), &models::WorkspaceController::statusMessage);
    wb.window.openWorkspace(m_folder);
    QVERIFY(opened.wait(10000));
    QCOMPARE(answers.asked.size(), 0); // nothing asked: nothing is lost, and the status bar says so
    QVERIFY(!said.isEmpty());
    QVERIFY2(said.first().at(0).toString().contains(
                 QStringLiteral("(%1 closed; 1 unsaved request of it kept until it is opened again)")
                     .arg(QFileInfo(firstFolder).fileName())),
             qPrintable(said.first().at(0).toString()));
    QCOMPARE(requestTabs().size(), others);
    QCOMPARE(QFileInfo(wb.window.workspace().workspaceFolder()).canonicalFilePath(),
             QFileInfo(m_folder).canonicalFilePath());
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("kept for later"), 10000);

    // The first opened again: its draft comes back, unsaved.
    wb.window.openWorkspace(firstFolder);
    QVERIFY(opened.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(requestTabs().size(), others + 1, 20000);
    bool back = false;
    for (ui::RequestTab *tab : requestTabs())
        back = back || (tab->isModified() && tab->editor()->text().contains(QStringLiteral("kept for later")));
    QVERIFY(back);
}

void WorkspaceGuiTest::aWorkspaceOnceOpenedIsInOpenRecent()
{
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    wb.window.findChild<QAction *>(QStringLiteral("closeWorkspaceAction"))->trigger();
    QTRY_VERIFY(wb.window.workspace().workspaceFolder().isEmpty());
    auto *recent = wb.window.findChild<QMenu *>(QStringLiteral("recentMenu"));
    QVERIFY(recent);
    QMetaObject::invokeMethod(recent, "aboutToShow");
    QAction *entry = nullptr;
    for (QAction *a : recent->actions())
        entry = entry || a->data().toString().isEmpty() ? entry : a; // the first workspace listed
    QVERIFY(entry);
    QCOMPARE(QFileInfo(entry->data().toString()).canonicalFilePath(), QFileInfo(m_folder).canonicalFilePath());
    QVERIFY2(entry->text().contains(QFileInfo(m_folder).fileName()), qPrintable(entry->text()));
    QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
    entry->trigger();
    QVERIFY(opened.wait(10000));
    QCOMPARE(QFileInfo(wb.window.workspace().workspaceFolder()).canonicalFilePath(),
             QFileInfo(m_folder).canonicalFilePath());

    // A workspace since deleted is said to be gone and taken off the list; the folder is not
    // made anew, and the open one stays open.
    QString gone;
    {
        QTemporaryDir dir;
        gone = dir.path() + QStringLiteral("/deleted-workspace");
    }
    models::AppSettings::rememberWorkspace(gone);
    QMetaObject::invokeMethod(recent, "aboutToShow");
    QAction *goneEntry = nullptr;
    for (QAction *a : recent->actions())
        goneEntry = a->data().toString() == gone ? a : goneEntry;
    QVERIFY(goneEntry);
    goneEntry->trigger();
    QTRY_VERIFY(wb.window.statusText().contains(QStringLiteral("is not there any more")));
    QVERIFY(!QFileInfo::exists(gone));
    QVERIFY(!models::AppSettings::recentWorkspaces().contains(gone));
    QCOMPARE(QFileInfo(wb.window.workspace().workspaceFolder()).canonicalFilePath(),
             QFileInfo(m_folder).canonicalFilePath());
    // Clear Recent forgets it.
    QMetaObject::invokeMethod(recent, "aboutToShow");
    for (QAction *a : recent->actions())
        if (a->text() == QStringLiteral("Clear Recent"))
            a->trigger();
    QMetaObject::invokeMethod(recent, "aboutToShow");
    for (QAction *a : recent->actions())
        QVERIFY2(a->data().toString().isEmpty(), qPrintable(a->text()));
}

void WorkspaceGuiTest::aSavedRequestsAssertionsAreShownAndChecked()
{
    writeFile(m_folder + QStringLiteral("/calls/checked.json"), QByteArrayLiteral(R"({
    "format_version": 1,
    "method": "wirescope.testing.TestService/Echo",
    "body": {"text": "{{word}}"},
    "assertions": {
        "status": "OK",
        "max_latency_ms": 60000,
        "json": [{"path": "$.echo.text", "equals": "{{word}}"}, {"path": "$.echo.text", "equals": "something else"}]
    }
})"));
    Workbench wb;
    QVERIFY(openWorkspace(wb));
    ui::RequestTab *tab = openSaved(wb, QStringLiteral("calls/checked.json"));
    QVERIFY(tab);
    QTabWidget *tabs = tab->response()->tabs();
    QTreeWidget *list = tab->response()->assertions();
    QVERIFY(tabs->indexOf(list) >= 0);
    QCOMPARE(list->topLevelItemCount(), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(list->topLevelItem(i)->text(0), QStringLiteral("not run yet"));

    QVERIFY(sendAndWait(tab));
    QCOMPARE(tab->session().status().code, 0);
    QTRY_COMPARE(tabs->tabText(tabs->indexOf(list)), QStringLiteral("Assertions 3/4"));
    QStringList failed;
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->text(0) == QStringLiteral("failed"))
            failed << list->topLevelItem(i)->text(1) + QStringLiteral(": ") + list->topLevelItem(i)->text(2);
    }
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.front().contains(QStringLiteral("hello from dev")), qPrintable(failed.front())); // what was seen
    // The call said OK; the failure reads from the tab bar (red, next to Messages) and the
    // status bar, not only inside the tab.
    QCOMPARE(tabs->indexOf(list), 1);
    QCOMPARE(tabs->tabBar()->tabTextColor(1), ui::errorTextColor(tabs->palette()));
    // The other tabs keep their names (Trailers once read "Error details" with it inserted).
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->isTabVisible(i))
            names << tabs->tabText(i);
    }
    QCOMPARE(names, (QStringList{QStringLiteral("Messages"), QStringLiteral("Assertions 3/4"), QStringLiteral("Headers"),
                                 QStringLiteral("Trailers"), QStringLiteral("Timeline")}));
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("1 of 4 assertions failed")), qPrintable(wb.window.statusText()));

    // A body the schema refuses never leaves: nothing is checked (`run` counts it an error), and
    // no failure is said of the assertions. (They read "1/4", red, before.)
    tab->editor()->setText(QStringLiteral(R"({"text": [1]})"));
    QVERIFY(sendAndWait(tab));
    QVERIFY(tab->session().status().local && tab->session().sentCount() == 0);
    QTRY_COMPARE(list->topLevelItem(0)->text(0), QStringLiteral("not run: the request was not sent"));
    QCOMPARE(tabs->tabText(tabs->indexOf(list)), QStringLiteral("Assertions"));
    QVERIFY2(!wb.window.statusText().contains(QStringLiteral("assertions failed")), qPrintable(wb.window.statusText()));

    // A request without assertions has no such tab.
    ui::RequestTab *bare = openSaved(wb, QStringLiteral("calls/bare.json"));
    QVERIFY(bare);
    QCOMPARE(bare->response()->tabs()->indexOf(bare->response()->assertions()), -1);
}

// `wirescope --workspace B` restores the last session's unsaved tabs too; those of another
// workspace A once made the window open A instead of B, and those of B opened B a second time
// (its schema sources added twice).
void WorkspaceGuiTest::theCommandLineWorkspaceIsNeitherReplacedNorOpenedTwice()
{
    QString autosave;
    {
        Workbench wb;
        QVERIFY(openWorkspace(wb));
        ui::RequestTab *tab = openSaved(wb, kEchoPath);
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "from A"})"));
        autosave = wb.window.autosaveFile();
        QTRY_VERIFY_WITH_TIMEOUT(readFile(autosave).contains("from A"), 10000);
        wb.window.hide(); // a crash: no close event
    }
    QTemporaryDir other;
    const QString folderB = other.path();
    writeFile(folderB + QStringLiteral("/wirescope.json"), QByteArrayLiteral(R"({"format_version": 1})"));
    {
        // As app/gui/main.cpp does it: the workspace asked for, then the restore.
        Workbench wb;
        QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
        QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
        wb.window.openWorkspace(folderB);
        wb.window.restoreAutosave();
        QVERIFY(restored.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 10000);
        QTest::qWait(300);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(wb.window.workspaceStore().workspace().folder(), QFileInfo(folderB).absoluteFilePath());
        QCOMPARE(wb.window.currentRequest(), nullptr); // A's tab does not belong here
        QVERIFY2(wb.window.statusText().contains(QFileInfo(m_folder).fileName()),
                 qPrintable(wb.window.statusText()));
        // ... and it is kept for when A is opened, in this window's file now.
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("from A"), 10000);
        QVERIFY(!QFile::exists(autosave));
        wb.window.hide();
    }
    {
        // The same workspace asked for and restored: opened once, its sources loaded once.
        Workbench wb;
        QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
        QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
        wb.window.openWorkspace(m_folder);
        wb.window.restoreAutosave();
        QVERIFY(restored.wait(20000));
        QCOMPARE(restored.first().at(0).toInt(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(wb.window.currentRequest(), 20000);
        QCOMPARE(wb.window.currentRequest()->editor()->text(), QStringLiteral(R"({"text": "from A"})"));
        QTest::qWait(300);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(wb.sources.rowCount(), 1);
        wb.window.hide();
    }
}

// Every unsaved tab comes back, also one whose schema came from files outside any workspace,
// and one that cannot come back is said and kept, not dropped.
void WorkspaceGuiTest::everyUnsavedTabComesBackAfterACrash()
{
    QString autosave;
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "chat draft"})"));
        ui::RequestTab *second = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(second);
        typeInto(second->editor(), QStringLiteral(R"({"text": "echo draft"})"));
        autosave = wb.window.autosaveFile();
        QTRY_VERIFY_WITH_TIMEOUT(readFile(autosave).contains("echo draft"), 10000);
        wb.window.hide();
    }
    {
        Workbench wb;
        QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
        wb.window.restoreAutosave();
        QVERIFY(restored.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(wb.window.tabs()->count(), 2, 20000);
        QStringList texts;
        for (int i = 0; i < wb.window.tabs()->count(); ++i) {
            auto *t = qobject_cast<ui::RequestTab *>(wb.window.tabs()->widget(i));
            QVERIFY(t && t->isModified());
            texts << t->editor()->text();
        }
        QCOMPARE(texts, (QStringList{QStringLiteral(R"({"text": "chat draft"})"),
                                     QStringLiteral(R"({"text": "echo draft"})")}));
        autosave = wb.window.autosaveFile(); // what it took over is its own now
        QTRY_VERIFY_WITH_TIMEOUT(readFile(autosave).contains("echo draft"), 10000);
        wb.window.hide();
    }
    // An entry that cannot become a tab is named in the status bar and stays in the file.
    QByteArray bytes = readFile(autosave);
    bytes.replace("wirescope.testing.TestService/Chat", "wirescope.testing.TestService/Gone");
    writeFile(autosave, bytes);
    Workbench wb;
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(restored.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(wb.window.statusText().contains(QStringLiteral("TestService/Gone")), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(wb.window.tabs()->count(), 1, 20000);
    ui::RequestTab *echo = wb.window.currentRequest();
    QVERIFY(echo);
    typeInto(echo->editor(), QStringLiteral(R"({"text": "echo, later"})"));
    autosave = wb.window.autosaveFile();
    QTRY_VERIFY_WITH_TIMEOUT(readFile(autosave).contains("echo, later"), 10000);
    QVERIFY(readFile(autosave).contains("TestService/Gone"));
    wb.window.hide();
}

#endif // Q_MOC_RUN

QTEST_MAIN(WorkspaceGuiTest)
#include "workspace_gui_test.moc"
