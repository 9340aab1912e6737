// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 20's small ones, each as a user meets it, offscreen against the in-tree test server:
// one tab per double-click, the target carried to new tabs, plurals, no unsaved dot in status
// texts, placeholders in empty response tabs, the demo action, history with and without a
// workspace (Close Workspace), and one icon per kind everywhere.
#include "testserver.h"

#include "models/callsession.h"
#include "models/plurals.h"
#include "models/workspacecontroller.h"
#include "models/workspacestore.h"
#include "ui/icons.h"
#include "ui/jsoneditor.h"
#include "ui/requesttab.h"
#include "ui/responsepanel.h"
#include "ui/unitspinbox.h"
#include "ui/workspacepanel.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QToolButton>
#include <QWheelEvent>
#include <QtTest>

#include <memory>

#include "workbench.h"

namespace {

bool sameIcon(const QIcon &a, const QIcon &b)
{
    return !a.isNull() && a.pixmap(16).toImage() == b.pixmap(16).toImage();
}

QAction *action(QWidget *window, const char *name)
{
    return window->findChild<QAction *>(QString::fromLatin1(name));
}

} // namespace

class SmallFixesGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useTestSettings();
        // History without a workspace lives in the data folder: start it empty.
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).removeRecursively();
        QVERIFY(m_server.start());
    }

    // activated and doubleClicked both opened the method: two identical tabs.
    void doubleClickingAMethodOpensOneTab()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QVERIFY(wb.openByClicking(QStringLiteral("Echo")));
        QTest::qWait(50);
        QCOMPARE(wb.window.tabs()->count(), 1);
        // Enter on the selected method opens it once more, as a second tab.
        QTest::keyClick(wb.window.tree(), Qt::Key_Return);
        QTRY_COMPARE(wb.window.tabs()->count(), 2);
    }

    void newTabsTakeTheLastTarget()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *first = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(first);
        typeInto(first->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        ui::RequestTab *second = wb.openByClicking(QStringLiteral("ServerStream"));
        QVERIFY(second && second != first);
        QCOMPARE(second->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text(), m_server.address);
        QVERIFY(!second->isModified()); // nothing typed in it yet
        // ...and its protocol: a Connect server's address asked over gRPC only fails.
        models::ProtocolChoice connect;
        connect.protocol = rpc::Protocol::Connect;
        second->setProtocolChoice(connect);
        ui::RequestTab *third = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(third && third != second);
        QCOMPARE(third->target(), m_server.address);
        QVERIFY(third->protocolChoice() == connect);
        QVERIFY(!third->isModified());

        // A method of a server with reflection goes to that server, over gRPC.
        QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
        const QString demo = wb.window.startDemo();
        QVERIFY(!demo.isEmpty());
        QVERIFY(opened.wait(20000));
        QCOMPARE(wb.window.currentRequest()->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text(), demo);
        QVERIFY(wb.window.currentRequest()->protocolChoice().isEmpty());
    }

    void pluralsAreRight()
    {
        Workbench wb;
        QTemporaryDir dir;
        QFile file(dir.path() + QStringLiteral("/echo.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo", "body": {}})");
        file.close();
        QSignalSpy opened(&wb.window.workspace(), &models::WorkspaceController::workspaceOpened);
        wb.window.openWorkspace(dir.path());
        QVERIFY(opened.wait(20000));
        QTRY_VERIFY(wb.window.statusText().contains(QStringLiteral(": 1 request")));
        QVERIFY(!wb.window.statusText().contains(QStringLiteral("requests")));
        auto *title = wb.window.workspacePanel()->findChild<QLabel *>(QStringLiteral("workspaceTitle"));
        QTRY_VERIFY(title->text().endsWith(QStringLiteral("— 1 request")));

        ui::UnitSpinBox bytes(ui::UnitSpinBox::Unit::Bytes);
        bytes.setRange(0, 1000);
        bytes.setValue(1);
        QCOMPARE(bytes.text(), QStringLiteral("1 byte"));
        bytes.setValue(3);
        QCOMPARE(bytes.text(), QStringLiteral("3 bytes"));
        QCOMPARE(QObject::tr("%n request(s)", nullptr, 1), QStringLiteral("1 request"));
        QCOMPARE(QObject::tr("%n request(s)", nullptr, 0), QStringLiteral("0 requests"));
    }

    // The tab's "•" (unsaved) is for its tab only: the status bar says the request's name.
    void theUnsavedDotStaysOnTheTab()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        QVERIFY(tab->isModified());
        QVERIFY(wb.window.tabs()->tabText(wb.window.tabs()->currentIndex()).contains(QStringLiteral("•")));
        QVERIFY(sendAndWait(tab));
        QTRY_VERIFY(wb.window.statusText().contains(QStringLiteral("Echo finished")));
        QVERIFY2(!wb.window.statusText().contains(QStringLiteral("•")), qPrintable(wb.window.statusText()));
        QCOMPARE(tab->name(), QStringLiteral("Echo"));
    }

    // Empty Headers and Trailers tabs say so once the call has ended; an Error details tab shows
    // only when the status carries details.
    void emptyResponseTabsSaySo()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        auto *headers = tab->response()->findChild<QLabel *>(QStringLiteral("headersPlaceholder"));
        auto *details = tab->response()->findChild<QPlainTextEdit *>(QStringLiteral("statusDetails"));
        QVERIFY(headers && details);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QStringLiteral("127.0.0.1:1"));
        QVERIFY(sendAndWait(tab)); // refused: no headers, no details
        QTabWidget *tabs = tab->response()->tabs();
        tabs->setCurrentIndex(1); // Headers
        QTRY_VERIFY(headers->isVisible());
        QCOMPARE(headers->text(), QStringLiteral("No headers were received"));
        QVERIFY(!tabs->isTabVisible(tabs->indexOf(details)));

        // Headers that came without metadata are said to have come (the line above gives their
        // time); headers with metadata hide the placeholder.
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        QVERIFY(sendAndWait(tab));
        tabs->setCurrentIndex(1);
        QVERIFY(tab->session().timeToHeaders() >= 0);
        QVERIFY(tab->session().responseHeaders().empty());
        QTRY_VERIFY(headers->isVisible());
        QVERIFY2(headers->text().startsWith(QStringLiteral("The headers carried no metadata")),
                 qPrintable(headers->text()));
        auto *metadata = tab->findChild<QTableWidget *>(QStringLiteral("metadataTable"));
        metadata->setItem(0, 0, new QTableWidgetItem(QStringLiteral("x-hello")));
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("world")));
        QVERIFY(sendAndWait(tab)); // the test server echoes x- headers in its own
        QVERIFY(!tab->session().responseHeaders().empty());
        QVERIFY(!headers->isVisible());

        // A status with details: the tab shows, with their count, and holds them decoded.
        ui::RequestTab *failing = wb.openAt(QStringLiteral("Fail"), m_server.address);
        QVERIFY(failing);
        failing->setBody(QStringLiteral(R"({"code": 3, "withDetails": true})"));
        QVERIFY(sendAndWait(failing));
        QTabWidget *failTabs = failing->response()->tabs();
        auto *failDetails = failing->response()->findChild<QPlainTextEdit *>(QStringLiteral("statusDetails"));
        const int at = failTabs->indexOf(failDetails);
        QVERIFY(failTabs->isTabVisible(at));
        QCOMPARE(failTabs->tabText(at), QStringLiteral("Error details (4)"));
        QVERIFY2(failDetails->toPlainText().contains(QStringLiteral("TEST_FAILURE")), qPrintable(failDetails->toPlainText()));
        QVERIFY(failDetails->toPlainText().contains(QStringLiteral("}\n\n{"))); // apart, not run together
        // Shown, then a failure without details: the tab goes and Messages comes back (the
        // next tab, Timeline, came up before).
        failTabs->setCurrentWidget(failDetails);
        failing->setBody(QStringLiteral(R"({"code": 3})"));
        QVERIFY(sendAndWait(failing));
        QVERIFY(!failTabs->isTabVisible(at));
        QCOMPARE(failTabs->currentIndex(), 0);
        // At 1024 px, the tab bar of an OK call (the Echo above) holds every tab without scrolling.
        wb.window.resize(1024, 768);
        tab->response()->tabs()->setCurrentIndex(0);
        wb.window.tabs()->setCurrentWidget(tab);
        QTRY_VERIFY(tab->response()->tabs()->isVisible());
        QTabBar *bar = tab->response()->tabs()->tabBar();
        for (auto *scroll : bar->findChildren<QToolButton *>()) // the bar's scroll arrows
            QVERIFY(!scroll->isVisible());
    }

    // A stream's newest messages came in below the list's fold (rows 1-5 shown of 11); the list
    // follows them now, as the viewer does, until a row is picked.
    void theMessageListFollowsAStream()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(tab);
        tab->setBody(QStringLiteral(R"({"count": 40, "text": "row"})"));
        QVERIFY(sendAndWait(tab));
        QTableView *list = tab->response()->messageList();
        QTRY_COMPARE(list->model()->rowCount(), 41);
        const QModelIndex last = list->model()->index(40, 0);
        QVERIFY(list->viewport()->rect().intersects(list->visualRect(last)));
    }

    // The timings line said "total 2.11 s" while the call had run 9 s: it moved only on events.
    // The running time is the state line's; the total comes when the call ends.
    void theTotalIsSaidWhenTheCallEnds()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("Slow"), m_server.address);
        QVERIFY(tab);
        tab->setBody(QStringLiteral(R"({"delayMs": 3000})"));
        auto *timings = tab->response()->findChild<QLabel *>(QStringLiteral("timingsLabel"));
        QVERIFY(timings);
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        QTest::mouseClick(tab->findChild<QPushButton *>(QStringLiteral("sendButton")), Qt::LeftButton);
        QTRY_VERIFY(timings->text().contains(QStringLiteral("headers")));
        QTest::qWait(300); // no event comes from a call that waits
        QVERIFY(tab->session().isRunning());
        QVERIFY2(!timings->text().contains(QStringLiteral("total")), qPrintable(timings->text()));
        QVERIFY(finished.wait(10000));
        QVERIFY2(timings->text().contains(QStringLiteral("total 3.")), qPrintable(timings->text()));
    }

    void theDemoActionIsOffWhileTheDemoRuns()
    {
        Workbench wb;
        QAction *demo = action(&wb.window, "demoAction");
        QVERIFY(demo && demo->isEnabled());
        QVERIFY(!wb.window.startDemo().isEmpty());
        QVERIFY(!demo->isEnabled());
    }

    // Calls made before a workspace stay reachable: File → Close Workspace goes back to them.
    void historyWithAndWithoutAWorkspace()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QAction *close = action(&wb.window, "closeWorkspaceAction");
        QVERIFY(close);
        QVERIFY(!close->isEnabled());
        // Calls of the tests before may still be landing in the history without a workspace.
        QListWidget *history = wb.window.workspacePanel()->historyList();
        QTest::qWait(200);
        wb.window.workspaceStore().clearHistory();
        QTRY_COMPARE(history->count(), 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        QVERIFY(sendAndWait(tab));
        QTRY_COMPARE(history->count(), 1);

        QTemporaryDir dir;
        QSignalSpy opened(&wb.window.workspace(), &models::WorkspaceController::workspaceOpened);
        wb.window.openWorkspace(dir.path());
        QVERIFY(opened.wait(20000));
        QTRY_COMPARE(history->count(), 0); // the workspace's own history
        QVERIFY(close->isEnabled());
        QVERIFY(wb.window.environmentBox()->isEnabled() || wb.window.environmentBox()->count() == 1);

        close->trigger();
        QTRY_COMPARE(history->count(), 1);
        QVERIFY(!wb.window.workspace().isOpen());
        QVERIFY(!close->isEnabled());
        QVERIFY(!action(&wb.window, "editEnvironmentsAction")->isEnabled());
        auto *title = wb.window.workspacePanel()->findChild<QLabel *>(QStringLiteral("workspaceTitle"));
        QVERIFY(title->text().startsWith(QStringLiteral("No workspace open")));
        // And the call there opens again.
        QSignalSpy reopened(&wb.window, &ui::MainWindow::requestOpened);
        emit history->itemActivated(history->item(0));
        QVERIFY(!reopened.isEmpty() || reopened.wait(20000)); // at once: the schema is loaded
        QCOMPARE(wb.window.currentRequest()->toSaved().target, m_server.address);

        // Opened again: the workspace's history, with the call made while it was closed not in it.
        wb.window.openWorkspace(dir.path());
        QTRY_VERIFY(wb.window.workspace().isOpen());
        QTRY_COMPARE(history->count(), 0);
    }

    // Each call kind and each source kind has one icon: the tree's, the tab's, the menu's and the
    // collection's are the same.
    void oneIconPerKind()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QTreeView *tree = wb.window.tree();
        auto treeIcon = [tree](const QString &name) {
            const auto hits = tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole, name, 1,
                                                   Qt::MatchExactly | Qt::MatchRecursive);
            return hits.isEmpty() ? QIcon() : hits.first().data(Qt::DecorationRole).value<QIcon>();
        };
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(tab);
        const QIcon chat = treeIcon(QStringLiteral("Chat"));
        QVERIFY(sameIcon(chat, ui::icons::method(rpc::MethodKind::BidiStreaming)));
        QVERIFY(sameIcon(wb.window.tabs()->tabIcon(wb.window.tabs()->indexOf(tab)), chat));
        QVERIFY(!sameIcon(treeIcon(QStringLiteral("Echo")), chat));

        // A saved server stream in the collection has the server-stream icon, not a unary one.
        QTemporaryDir dir;
        QFile file(dir.path() + QStringLiteral("/stream.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format_version": 1, "method": "wirescope.testing.TestService/ServerStream", "body": {}})");
        file.close();
        wb.window.openWorkspace(dir.path());
        QTreeWidget *saved = wb.window.workspacePanel()->requestTree();
        QTRY_COMPARE(saved->topLevelItemCount(), 1);
        QTRY_VERIFY(sameIcon(saved->topLevelItem(0)->icon(0), treeIcon(QStringLiteral("ServerStream"))));

        // The source kinds: the file source in the tree and the menu's Open Proto Files.
        const QIcon fileSource = tree->model()->index(0, 0).data(Qt::DecorationRole).value<QIcon>();
        QVERIFY(sameIcon(fileSource, ui::icons::source(models::SourceSpec::Kind::ProtoFiles)));
        QVERIFY(sameIcon(action(&wb.window, "openProtoFilesAction")->icon(), fileSource));
        QVERIFY(sameIcon(action(&wb.window, "openProtosetAction")->icon(),
                         ui::icons::source(models::SourceSpec::Kind::Protoset)));
        QVERIFY(sameIcon(action(&wb.window, "addReflectionAction")->icon(),
                         ui::icons::source(models::SourceSpec::Kind::Reflection)));
    }

    // The protocol box listed "gRPC (default)" and "gRPC"; the codec box "Protobuf (default)" and
    // "Protobuf". Each choice is listed once; the explicit one comes back while it is chosen.
    void eachProtocolIsListedOnce()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        auto listed = [](QComboBox *box) {
            auto *view = qobject_cast<QListView *>(box->view());
            QStringList names;
            for (int row = 0; row < box->count(); ++row) {
                if (view->isRowHidden(row))
                    continue;
                names << box->itemText(row).remove(QStringLiteral(" (default)"));
            }
            return names;
        };
        auto *protocol = tab->findChild<QComboBox *>(QStringLiteral("protocolBox"));
        auto *codec = tab->findChild<QComboBox *>(QStringLiteral("codecBox"));
        QCOMPARE(listed(protocol), (QStringList{QStringLiteral("gRPC"), QStringLiteral("gRPC-Web"),
                                                QStringLiteral("gRPC-Web (base64)"), QStringLiteral("Connect")}));
        QCOMPARE(listed(codec), (QStringList{QStringLiteral("Protobuf"), QStringLiteral("JSON")}));
        // Down from the default skips the hidden twin.
        protocol->setFocus();
        QTest::keyClick(protocol, Qt::Key_Down);
        QCOMPARE(protocol->currentText(), QStringLiteral("gRPC-Web"));
        // A saved request that names gRPC shows it chosen, listed.
        protocol->setCurrentIndex(protocol->findText(QStringLiteral("gRPC")));
        QCOMPARE(protocol->currentText(), QStringLiteral("gRPC"));
        QVERIFY(!qobject_cast<QListView *>(protocol->view())->isRowHidden(protocol->currentIndex()));
    }

    // Rolling the wheel over Options switched the protocol box from gRPC to Connect: a box
    // takes the wheel only once it has been clicked.
    void theWheelOverOptionsChangesNoBox()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
        auto *protocol = tab->findChild<QComboBox *>(QStringLiteral("protocolBox"));
        QTRY_VERIFY(protocol->isVisible());
        const QString before = protocol->currentText();
        auto wheel = [protocol] {
            const QPointF at(protocol->width() / 2.0, protocol->height() / 2.0);
            QWheelEvent down(at, protocol->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                             Qt::NoScrollPhase, false);
            QApplication::sendEvent(protocol, &down);
        };
        tab->editor()->setFocus();
        wheel();
        QCOMPARE(protocol->currentText(), before);
        protocol->setFocus(); // clicked: now the wheel is the user's choice
        QTRY_VERIFY(protocol->hasFocus());
        wheel();
        QVERIFY(protocol->currentText() != before);
    }

    // An editor shows its horizontal scroll bar only once a line is wider than it: before, every
    // empty editor had a bar with nothing to scroll.
    void theEditorsScrollBarOnlyWhenALineIsWide()
    {
        ui::JsonEditor editor;
        editor.resize(400, 200);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setText(QStringLiteral("{\n  \"a\": 1\n}\n"));
        editor.repaint();
        QTRY_VERIFY(!editor.horizontalScrollBar()->isVisible());
        editor.setText(QStringLiteral("{\"text\": \"%1\"}\n").arg(QString(300, QLatin1Char('x'))));
        // Scintilla measures the width of the lines it draws.
        editor.repaint();
        QTRY_VERIFY(editor.horizontalScrollBar()->isVisible());
    }

    // Ctrl+Enter (the window's Send) while a call runs once cancelled it and started another, the
    // conversation lost. On an open stream it now sends the next message; on a call that takes no
    // more, it does nothing and says so. Cancel is on only while a call runs.
    void sendWhileACallRunsNeverRestartsIt()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QAction *send = action(&wb.window, "sendAction");
        QAction *cancel = action(&wb.window, "cancelAction");
        QAction *endStream = action(&wb.window, "endStreamAction");
        QVERIFY(send && cancel && endStream);

        ui::RequestTab *chat = wb.openAt(QStringLiteral("Chat"), m_server.address);
        QVERIFY(chat);
        QVERIFY(!cancel->isEnabled());
        QVERIFY(!endStream->isEnabled());
        chat->setBody(QStringLiteral(R"({"text": "one"})"));
        send->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(chat->session().receivedCount(), 1, 20000);
        const quint64 call = chat->session().callId();
        QVERIFY(cancel->isEnabled());
        QVERIFY(endStream->isEnabled());
        chat->setBody(QStringLiteral(R"({"text": "two"})"));
        send->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(chat->session().receivedCount(), 2, 20000);
        QCOMPARE(chat->session().callId(), call);
        QCOMPARE(chat->session().sentCount(), 2);
        QVERIFY(chat->session().isRunning());
        QSignalSpy finished(&chat->session(), &models::CallSession::finished);
        endStream->trigger();
        QVERIFY(finished.wait(20000));
        QVERIFY2(chat->session().status().ok(), chat->session().status().message.c_str());
        QVERIFY(!cancel->isEnabled());
        QVERIFY(!endStream->isEnabled());

        // A server stream takes no more messages: Send leaves it running and says why.
        ui::RequestTab *stream = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(stream);
        stream->setBody(QStringLiteral(R"({"count": 20, "interval_ms": 25})"));
        send->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(stream->session().receivedCount() >= 1, 20000);
        const quint64 streamCall = stream->session().callId();
        QVERIFY(!send->isEnabled()); // the shortcut is off meanwhile
        stream->send();              // the tab's own route, as a shortcut reaching it would
        QVERIFY2(wb.window.statusText().contains(QStringLiteral("still running")), qPrintable(wb.window.statusText()));
        QSignalSpy streamFinished(&stream->session(), &models::CallSession::finished);
        QVERIFY(streamFinished.wait(20000));
        QCOMPARE(stream->session().callId(), streamCall);
        QCOMPARE(stream->session().receivedCount(), 20);
        QVERIFY(send->isEnabled());
    }

    // Small things a tester met: the method box showed only the package at 1024 px; a running
    // server stream read "stream ended"; closing the last tab left a blank area.
    void theMethodBoxTheStateLineAndTheLastTabClosed()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(tab);
        auto *method = tab->findChild<QComboBox *>(QStringLiteral("methodBox"));
        QVERIFY(method);
        QVERIFY2(method->currentText().startsWith(QStringLiteral("ServerStream · TestService")),
                 qPrintable(method->currentText()));
        QCOMPARE(method->toolTip(), QStringLiteral("wirescope.testing.TestService/ServerStream"));
        // Picking another method in the box switches the tab to it.
        method->setCurrentIndex(method->findData(QStringLiteral("wirescope.testing.TestService/Echo")));
        QCOMPARE(tab->method().fullName, std::string("wirescope.testing.TestService.Echo"));
        QCOMPARE(method->toolTip(), QStringLiteral("wirescope.testing.TestService/Echo"));
        method->setCurrentIndex(method->findData(QStringLiteral("wirescope.testing.TestService/ServerStream")));
        QCOMPARE(tab->method().fullName, std::string("wirescope.testing.TestService.ServerStream"));

        tab->setBody(QStringLiteral(R"({"count": 10, "interval_ms": 50})"));
        auto *state = tab->findChild<QLabel *>(QStringLiteral("callStateLabel"));
        QVERIFY(state);
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        tab->send();
        QTRY_VERIFY_WITH_TIMEOUT(tab->session().receivedCount() >= 2, 20000);
        QVERIFY2(state->text().startsWith(QStringLiteral("running")), qPrintable(state->text()));
        QVERIFY2(!state->text().contains(QStringLiteral("stream ended")), qPrintable(state->text()));
        QVERIFY(finished.wait(20000));

        QTabWidget *tabs = wb.window.tabs();
        tab->setModified(false); // nothing to ask about on closing
        emit tabs->tabCloseRequested(tabs->indexOf(tab));
        QTRY_COMPARE(tabs->count(), 1);
        QCOMPARE(tabs->widget(0)->objectName(), QStringLiteral("welcomePage"));
        // And it gives way to the next tab again.
        QVERIFY(wb.openAt(QStringLiteral("Echo"), m_server.address));
        QCOMPARE(tabs->count(), 1);
        QVERIFY(qobject_cast<ui::RequestTab *>(tabs->widget(0)));
    }

private:
    SharedServer m_server;
};

QTEST_MAIN(SmallFixesGuiTest)
#include "smallfixes_gui_test.moc"
