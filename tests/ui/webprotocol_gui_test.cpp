// SPDX-License-Identifier: GPL-3.0-or-later
// The protocol of a request in the window (offscreen, a real window): Connect chosen in a tab
// and sent to Connect for Node (tests/node/connect-server.js), whose reply and trailers show;
// Send refused up front, with the reason, for what a protocol cannot do; the workspace's
// default protocol in new tabs and in the saved files; Copy as curl, run by the system's curl,
// and Copy as grpcurl only for gRPC.
#include "workbench.h"

#include "connectserver.h"
#include "testserver.h"
#include "qtfiles.h"
#include "testworkspace.h"

#include "models/callsession.h"
#include "models/workspacestore.h"
#include "ui/jsoneditor.h"
#include "ui/responsepanel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QJsonDocument>
#include <QJsonObject>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>

class WebProtocolGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aConnectTabShowsTheReplyAndTrailers();
    void whatAProtocolCannotDoIsRefusedBeforeSend();
    void theWorkspaceDefaultAppliesToNewTabs();
    void copyAsCurlRunsAndCopyAsGrpcurlStaysForGrpc();
    void aWebCallToAGrpcServerSaysSo_data();
    void aWebCallToAGrpcServerSaysSo();
};

// moc cannot read raw string literals; it only needs the class above.
#ifndef Q_MOC_RUN
namespace {

QString http1()
{
    return QString::fromStdString(testsupport::sharedConnectServer().http1());
}

QComboBox *box(ui::RequestTab *tab, const char *name)
{
    return tab->findChild<QComboBox *>(QString::fromLatin1(name));
}

// Chooses the entry with `text` in a box, as a user picking it from the list does.
void choose(QComboBox *combo, const QString &text)
{
    const int index = combo->findText(text);
    QVERIFY2(index >= 0, qPrintable(text));
    combo->setCurrentIndex(index);
}

// The value of `key` in the response's Trailers table, as shown.
QString shownTrailer(ui::RequestTab *tab, const QString &key)
{
    QTabWidget *tabs = tab->response()->tabs();
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i) != QLatin1String("Trailers"))
            continue;
        auto *table = qobject_cast<QTableWidget *>(tabs->widget(i));
        for (int row = 0; table && row < table->rowCount(); ++row) {
            if (table->item(row, 0) && table->item(row, 0)->text() == key)
                return table->item(row, 1) ? table->item(row, 1)->text() : QString();
        }
    }
    return {};
}

} // namespace

void WebProtocolGuiTest::initTestCase()
{
    QVERIFY2(testsupport::sharedConnectServer().problem().empty(), testsupport::sharedConnectServer().problem().c_str());
}

void WebProtocolGuiTest::aConnectTabShowsTheReplyAndTrailers()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() >= 0);
    ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(tab);
    typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QStringLiteral("http://%1/prefix/api").arg(http1()));
    tab->setBody(QStringLiteral(R"({"text": "über Connect"})"));
    QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
    QVERIFY(box(tab, "protocolBox")->isVisible());
    QVERIFY(!box(tab, "codecBox")->isEnabled()); // gRPC: no codec to choose
    choose(box(tab, "protocolBox"), QStringLiteral("Connect"));
    QVERIFY(box(tab, "codecBox")->isEnabled());
    choose(box(tab, "codecBox"), QStringLiteral("JSON"));
    QCOMPARE(tab->findChild<QToolButton *>(QStringLiteral("optionsButton"))->text(), QStringLiteral("Options · Connect"));

    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->response()->statusText().startsWith(QStringLiteral("OK")), qPrintable(tab->response()->statusText()));
    const QString reply = tab->response()->shownMessage();
    QVERIFY2(reply.contains(QStringLiteral("\"text\": \"über Connect\"")), qPrintable(reply));
    QVERIFY2(reply.contains(QStringLiteral("\"content-type\": \"application/json\"")), qPrintable(reply));
    QVERIFY2(reply.contains(QStringLiteral("\"connect-protocol-version\": \"1\"")), qPrintable(reply));
    QCOMPARE(shownTrailer(tab, QStringLiteral("x-trailer")), QStringLiteral("done"));

    // The same tab back on gRPC cannot put the path prefix before the method: not sent, saying
    // so (through the wire tap this went to a host named "http").
    choose(box(tab, "protocolBox"), QStringLiteral("gRPC"));
    QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("gRPC cannot put the path prefix \"/prefix/api\"")),
             qPrintable(wb.window.statusText()));
    QCOMPARE(tab->session().state(), models::CallSession::State::Finished); // the Connect call, not another
    // Without the prefix, the URL names the server and its scheme the security: gRPC goes, tapped.
    typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")),
             QStringLiteral("http://%1").arg(QString::fromStdString(testsupport::sharedConnectServer().h2c())));
    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->response()->statusText().startsWith(QStringLiteral("OK")), qPrintable(tab->response()->statusText()));
    QVERIFY2(tab->response()->shownMessage().contains(QStringLiteral("\"content-type\": \"application/grpc\"")),
             qPrintable(tab->response()->shownMessage()));
}

void WebProtocolGuiTest::whatAProtocolCannotDoIsRefusedBeforeSend()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() >= 0);
    ui::RequestTab *tab = wb.openByClicking(QStringLiteral("ClientStream"));
    QVERIFY(tab);
    typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QStringLiteral("http://%1").arg(http1()));
    QPushButton *send = button(tab, "sendButton");
    QVERIFY(send->isEnabled());
    choose(box(tab, "protocolBox"), QStringLiteral("gRPC-Web"));
    QVERIFY(!send->isEnabled());
    QVERIFY2(send->toolTip().contains(QStringLiteral("gRPC-Web cannot stream requests")), qPrintable(send->toolTip()));
    const auto *state = tab->findChild<QLabel *>(QStringLiteral("callStateLabel"));
    QVERIFY2(state->text().contains(QStringLiteral("gRPC-Web cannot stream requests")), qPrintable(state->text()));
    // Ctrl+Enter (the Send action) is refused too, with the reason in the status bar.
    tab->send();
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("gRPC-Web cannot stream requests")), qPrintable(wb.window.statusText()));
    QCOMPARE(tab->session().state(), models::CallSession::State::Idle);
    // Connect streams requests: over HTTP/1.1 a client stream goes, and is answered.
    choose(box(tab, "protocolBox"), QStringLiteral("Connect"));
    QVERIFY(send->isEnabled());
    tab->setBody(QStringLiteral(R"([{"text": "a"}, {"text": "b"}])"));
    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->response()->shownMessage().contains(QStringLiteral("\"count\": 2")), qPrintable(tab->response()->shownMessage()));

    // A bidi stream needs HTTP/2.
    ui::RequestTab *chat = wb.openByClicking(QStringLiteral("Chat"));
    QVERIFY(chat);
    typeInto(chat->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QStringLiteral("http://%1").arg(http1()));
    choose(box(chat, "protocolBox"), QStringLiteral("Connect"));
    choose(box(chat, "httpVersionBox"), QStringLiteral("HTTP/1.1"));
    QVERIFY(!button(chat, "sendButton")->isEnabled());
    QVERIFY2(button(chat, "sendButton")->toolTip().contains(QStringLiteral("bidi stream needs HTTP/2")),
             qPrintable(button(chat, "sendButton")->toolTip()));
    choose(box(chat, "httpVersionBox"), QStringLiteral("HTTP/2"));
    QVERIFY(button(chat, "sendButton")->isEnabled());
}

void WebProtocolGuiTest::theWorkspaceDefaultAppliesToNewTabs()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    models::Workspace ws = workspaceWithTestProto(dir.path());
    models::WorkspaceSettings settings = ws.settings();
    settings.defaults = QJsonObject{{QStringLiteral("protocol"), QStringLiteral("connect")},
                                    {QStringLiteral("codec"), QStringLiteral("json")},
                                    {QStringLiteral("target"), QStringLiteral("http://%1").arg(http1())}};
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());

    Workbench wb;
    QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
    QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
    wb.window.openWorkspace(dir.path());
    QVERIFY(opened.wait(10000));
    QVERIFY(!loaded.isEmpty() || loaded.wait(20000));
    ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(tab);
    QCOMPARE(box(tab, "protocolBox")->currentText(), QStringLiteral("Connect (workspace default)"));
    QCOMPARE(box(tab, "codecBox")->currentText(), QStringLiteral("JSON (default)"));
    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->response()->shownMessage().contains(QStringLiteral("\"content-type\": \"application/json\"")),
             qPrintable(tab->response()->shownMessage()));

    // Saved, the file leaves the protocol to the workspace; chosen in the tab, the file says it.
    QSignalSpy saved(&wb.window.workspaceStore(), &models::WorkspaceStore::saveFinished);
    QVERIFY(wb.window.saveCurrentRequest(QStringLiteral("echo.json")));
    QVERIFY(saved.wait(10000));
    const QString file = dir.filePath(QStringLiteral("echo.json"));
    QVERIFY2(!readFile(file).contains("\"protocol\""), readFile(file).constData());
    choose(box(tab, "protocolBox"), QStringLiteral("gRPC-Web"));
    QVERIFY(tab->isModified());
    QVERIFY(wb.window.saveCurrentRequest());
    QVERIFY(saved.wait(10000));
    QVERIFY2(readFile(file).contains("\"protocol\": \"grpcweb\""), readFile(file).constData());
    QVERIFY(!tab->isModified());
    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->response()->shownMessage().contains(QStringLiteral("\"content-type\": \"application/grpc-web+proto\"")),
             qPrintable(tab->response()->shownMessage()));
    // Opened again from its file, the tab shows what the file says.
    const QPointer<ui::RequestTab> closing(tab);
    emit wb.window.tabs()->tabCloseRequested(wb.window.tabs()->indexOf(tab)); // its ×, as a user closes it
    QTRY_VERIFY(closing.isNull());
    QSignalSpy reopened(&wb.window, &ui::MainWindow::requestOpened);
    wb.window.openSavedRequest(*wb.window.workspaceStore().workspace().request(QStringLiteral("echo.json")), true);
    QVERIFY(!reopened.isEmpty() || reopened.wait(10000));
    QCOMPARE(box(wb.window.currentRequest(), "protocolBox")->currentText(), QStringLiteral("gRPC-Web"));
    QVERIFY(!wb.window.currentRequest()->isModified());
}

void WebProtocolGuiTest::copyAsCurlRunsAndCopyAsGrpcurlStaysForGrpc()
{
    Workbench wb;
    QVERIFY(wb.loadTestProtos() >= 0);
    ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(tab);
    typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), http1());
    auto *curl = wb.window.findChild<QAction *>(QStringLiteral("copyCurlAction"));
    auto *grpcurl = wb.window.findChild<QAction *>(QStringLiteral("copyGrpcurlAction"));
    QVERIFY(curl && grpcurl);
    auto refresh = [&] {
        // What opening the Request menu does.
        for (QMenu *m : wb.window.findChildren<QMenu *>()) {
            if (m->actions().contains(curl))
                emit m->aboutToShow();
        }
    };
    refresh();
    QVERIFY(!curl->isEnabled());
    QVERIFY2(curl->toolTip().contains(QStringLiteral("goes over gRPC (Copy as grpcurl makes it)")), qPrintable(curl->toolTip()));
    QVERIFY(grpcurl->isEnabled());

    choose(box(tab, "protocolBox"), QStringLiteral("Connect"));
    refresh();
    QVERIFY(curl->isEnabled());
    QVERIFY(!grpcurl->isEnabled());
    QVERIFY2(grpcurl->toolTip().contains(QStringLiteral("grpcurl speaks gRPC only")), qPrintable(grpcurl->toolTip()));

    typeInto(tab->editor(), QStringLiteral(R"({"text": "it's curl"})"));
    auto *metadata = tab->findChild<QTableWidget *>(QStringLiteral("metadataTable"));
    metadata->setItem(0, 0, new QTableWidgetItem(QStringLiteral("x-who")));
    metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("O'Brien")));
    const QString command = wb.window.copyAsCurl();
    QVERIFY2(command.startsWith(QStringLiteral("curl ")), qPrintable(wb.window.statusText()));
    QCOMPARE(QApplication::clipboard()->text(), command);
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
    QVERIFY(sh.waitForFinished(30000));
    QCOMPARE(sh.exitCode(), 0);
    const QJsonObject reply = QJsonDocument::fromJson(sh.readAllStandardOutput()).object();
    QCOMPARE(reply.value(QStringLiteral("echo")).toObject().value(QStringLiteral("text")).toString(), QStringLiteral("it's curl"));
    QCOMPARE(reply.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("x-who")).toString(),
             QStringLiteral("O'Brien"));

    // Pasted back (Request → Paste Command), the curl command is the same Connect call again:
    // a new tab that sends it and gets the reply.
    const int before = wb.window.tabs()->count();
    QVERIFY2(wb.window.importGrpcurl(command), qPrintable(wb.window.statusText()));
    QTRY_COMPARE(wb.window.tabs()->count(), before + 1);
    ui::RequestTab *pasted = wb.window.currentRequest();
    QVERIFY(pasted != tab);
    QCOMPARE(box(pasted, "protocolBox")->currentText(), QStringLiteral("Connect"));
    QCOMPARE(pasted->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text(), http1());
    QVERIFY(sendAndWait(pasted));
    QVERIFY2(pasted->response()->statusText().startsWith(QStringLiteral("OK")), qPrintable(pasted->response()->statusText()));
    QVERIFY2(pasted->response()->shownMessage().contains(QStringLiteral("it's curl")) &&
                 pasted->response()->shownMessage().contains(QStringLiteral("O'Brien")),
             qPrintable(pasted->response()->shownMessage()));

    // A stream is not one HTTP request: disabled, saying why; the action refuses as well.
    ui::RequestTab *stream = wb.openByClicking(QStringLiteral("ServerStream"));
    QVERIFY(stream);
    choose(box(stream, "protocolBox"), QStringLiteral("Connect"));
    refresh();
    QVERIFY(!curl->isEnabled());
    QVERIFY2(curl->toolTip().contains(QStringLiteral("server streaming call")), qPrintable(curl->toolTip()));
    QVERIFY(wb.window.copyAsCurl().isEmpty());
    QVERIFY2(wb.window.statusText().contains(QStringLiteral("Cannot copy as curl")), qPrintable(wb.window.statusText()));
}

#endif // Q_MOC_RUN

void WebProtocolGuiTest::aWebCallToAGrpcServerSaysSo_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("tap");
    for (const char *protocol : {"Connect", "gRPC-Web"})
        for (const char *version : {"HTTP/1.1", "HTTP/2"})
            for (bool tap : {false, true})
                QTest::addRow("%s %s%s", protocol, version, tap ? " tapped" : "")
                    << QString::fromLatin1(protocol) << QString::fromLatin1(version) << tap;
}

void WebProtocolGuiTest::aWebCallToAGrpcServerSaysSo()
{
    QFETCH(QString, protocol);
    QFETCH(QString, version);
    QFETCH(bool, tap);
    auto server = testing_server::TestServer::started({});
    QVERIFY(server);
    Workbench wb;
    QVERIFY(wb.loadTestProtos() >= 0);
    ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
    QVERIFY(tab);
    typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QStringLiteral("127.0.0.1:%1").arg(server->port()));
    QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
    tab->findChild<QCheckBox *>(QStringLiteral("captureWireBox"))->setChecked(tap);
    // Choosing a protocol renames the Options button; the row beside it stays where it was.
    QCoreApplication::processEvents();
    const QPoint securityAt = box(tab, "securityBox")->mapTo(&wb.window, QPoint(0, 0));
    choose(box(tab, "protocolBox"), protocol);
    QCoreApplication::processEvents();
    QCOMPARE(box(tab, "securityBox")->mapTo(&wb.window, QPoint(0, 0)), securityAt);
    choose(box(tab, "httpVersionBox"), version);
    QVERIFY(sendAndWait(tab));
    // The headline says what came back, for the address typed, tapped or not (the tap saw only
    // bytes that were no HTTP/1.1); the hint what to try, and its button leads to the choice.
    const QString headline = tab->response()->statusText();
    const QString hint = tab->response()->hintText();
    if (version == QLatin1String("HTTP/1.1")) {
        QVERIFY2(headline.contains(QStringLiteral("127.0.0.1:%1 answered an HTTP/1.1 request in HTTP/2: it speaks only "
                                                  "HTTP/2")
                                       .arg(server->port())),
                 qPrintable(headline));
        QCOMPARE(hint, QStringLiteral("Try gRPC if it is a gRPC server; if it speaks %1 over HTTP/2 only, choose "
                                      "HTTP/2.")
                           .arg(protocol));
    } else {
        // gRPC core's server answers such a request in gRPC or resets it unanswered, as it goes.
        QVERIFY2(hint == QStringLiteral("Try gRPC: the server answers in gRPC, not in %1.").arg(protocol) ||
                     hint == QStringLiteral("The server reset the request without answering, as gRPC servers "
                                            "do: if it is one, try gRPC."),
                 qPrintable(headline + QStringLiteral(" / ") + hint));
    }
    QVERIFY2(!headline.contains(QStringLiteral("-http-version")), qPrintable(headline));
    // The tap's own reading ("closed inside a response head") is not said beside it.
    QVERIFY2(tab->session().wireNote().isEmpty(), qPrintable(tab->session().wireNote()));
    QPushButton *fix = tab->response()->hintButton();
    QCOMPARE(fix->text(), QStringLiteral("Choose Protocol…"));
    QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
    QVERIFY(!box(tab, "protocolBox")->isVisible());
    QTest::mouseClick(fix, Qt::LeftButton);
    QVERIFY(box(tab, "protocolBox")->isVisible());
    QCOMPARE(QApplication::focusWidget(), box(tab, "protocolBox"));
    QTRY_VERIFY(box(tab, "protocolBox")->view()->isVisible()); // its list open
    box(tab, "protocolBox")->hidePopup();
    // gRPC, as the hint says, goes through.
    choose(box(tab, "protocolBox"), QStringLiteral("gRPC"));
    QVERIFY(sendAndWait(tab));
    QVERIFY2(tab->session().status().ok(), qPrintable(tab->response()->statusText()));
    QVERIFY(!fix->isVisible());
}

QTEST_MAIN(WebProtocolGuiTest)
#include "webprotocol_gui_test.moc"
