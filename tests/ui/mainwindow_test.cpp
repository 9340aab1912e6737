// SPDX-License-Identifier: GPL-3.0-or-later
// The workbench driven end to end through its real widgets, offscreen, against the in-tree
// test server and the built-in demo service: load, pick, type, send, stream, cancel, errors.
#include "connectproxy.h"
#include "support.h"
#include "testserver.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/framesmodel.h"
#include "models/sourcesmodel.h"
#include "models/timeline.h"
#include "models/workspacestore.h"
#include "rpc/wire.h"
#include "ui/aboutdialog.h"
#include "ui/formeditor.h"
#include "ui/jsoneditor.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/responsepanel.h"
#include "ui/timelinepanel.h"
#include "ui/timelineview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QToolTip>
#include <QTreeView>
#include <QTreeWidget>
#include <Qsci/qscilexer.h>
#include <QtTest>

#include <memory>

#include "workbench.h"

class MainWindowTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useTestSettings();
        QVERIFY(m_server.start());
    }

    void theTimelineShowsTheCallAndLinksMessagesToFrames()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        QVERIFY(tab->findChild<QCheckBox *>(QStringLiteral("captureWireBox"))->isChecked());
        // A bidi ping-pong: each message is answered before the next one goes.
        typeInto(tab->editor(), QStringLiteral(R"({"text": "ping 1"})"));
        QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(tab->session().receivedCount(), 1, 20000);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "ping 2"})"));
        QTest::mouseClick(button(tab, "sendMessageButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(tab->session().receivedCount(), 2, 20000);
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        QTest::mouseClick(button(tab, "endStreamButton"), Qt::LeftButton);
        QVERIFY(finished.wait(20000));

        // The response's Timeline tab shows this call's lane (and its connection's).
        ui::ResponsePanel *response = tab->response();
        response->showTimeline();
        ui::TimelinePanel *panel = response->timeline();
        ui::TimelineView *view = panel->view();
        auto &timeline = wb.window.timeline();
        const auto &lane = timeline.lanes()[std::size_t(tab->session().lane())];
        QTRY_VERIFY_WITH_TIMEOUT(lane.streamId == 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(int(view->shownLanes().size()), 2, 5000);
        // The connection's stream-0 lane heads the group of the streams it carried.
        QCOMPARE(view->shownLanes().back(), tab->session().lane());
        QVERIFY(timeline.lanes()[std::size_t(view->shownLanes().front())].kind ==
                models::Timeline::Lane::Kind::Connection);
        QVERIFY(lane.label().contains(QStringLiteral("Chat · stream 1")));

        // Sends and receives alternate on the lane in wire order.
        QCOMPARE(lane.messages.size(), std::size_t(4));
        std::vector<models::Timeline::ItemKind> order;
        for (quint64 id : lane.messages)
            order.push_back(timeline.item(id).kind);
        using K = models::Timeline::ItemKind;
        QCOMPARE(order,
                 (std::vector<K>{K::MessageSent, K::MessageReceived, K::MessageSent, K::MessageReceived}));

        // Clicking the second reply's mark shows its JSON and selects its DATA frames.
        QTRY_VERIFY_WITH_TIMEOUT(!timeline.framesOfMessage(lane.messages[3]).empty(), 5000);
        view->fit();
        const quint64 reply = lane.messages[3];
        const QPoint at = view->itemPosition(reply);
        QVERIFY(!at.isNull());
        QCOMPARE(view->itemAt(at), reply);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(view->selectedItem(), reply);
        QVERIFY(panel->detailsText().contains(QStringLiteral("ping 2")));
        const auto selected = panel->wireTable()->selectionModel()->selectedRows();
        QVERIFY(!selected.isEmpty());
        for (const auto &row : selected) {
            const auto &f = timeline.frame(panel->frames()->frameId(row.row()));
            QCOMPARE(f.type, quint8(rpc::wire::FrameType::Data));
            QCOMPARE(f.streamId, quint32(1));
            QVERIFY(!f.outbound);
        }
        // And picking the first request's DATA frame in the wire view picks its message.
        const quint64 firstData = timeline.framesOfMessage(lane.messages[0]).back();
        panel->wireTable()->setCurrentIndex(
            panel->frames()->index(panel->frames()->rowOfFrame(firstData), 0));
        QCOMPARE(view->selectedItem(), lane.messages[0]);
        QVERIFY(panel->detailsText().contains(QStringLiteral("ping 1")));

        // Zoom in at the pointer, filters, and back to everything.
        const double scale = view->nsPerPixel();
        view->zoom(4);
        QVERIFY(view->nsPerPixel() < scale);
        QVERIFY(!view->follows());
        view->fit();
        view->viewport()->repaint();
        const int allMarks = view->lastPaintMarks();
        QVERIFY(allMarks >= 4 + 4); // messages plus headers, half-close, trailers (and frames)
        view->setDirectionFilter(ui::TimelineView::DirectionFilter::Received);
        view->viewport()->repaint();
        QVERIFY(view->lastPaintMarks() < allMarks);
        view->setDirectionFilter(ui::TimelineView::DirectionFilter::Both);
        auto *dock = wb.window.timelinePanel();
        auto *filter = dock->findChild<QLineEdit *>(QStringLiteral("timelineFilterEdit"));
        typeInto(filter, QStringLiteral("no such lane"));
        QVERIFY(dock->view()->shownLanes().empty());
        typeInto(filter, QStringLiteral("Chat"));
        QCOMPARE(int(dock->view()->shownLanes().size()), 1);

        // Export: JSON with every event and frame, and the picture as PNG and SVG.
        QTemporaryDir dir;
        QVERIFY(panel->exportTo(dir.filePath(QStringLiteral("t.json"))).isEmpty());
        QFile json(dir.filePath(QStringLiteral("t.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
        // Request headers, 4 messages, half-close, response headers, trailers.
        QCOMPARE(root[QStringLiteral("events")].toArray().size(), 8);
        QVERIFY(root[QStringLiteral("frames")].toArray().size() >= 8);
        QVERIFY(panel->exportTo(dir.filePath(QStringLiteral("t.png"))).isEmpty());
        const QImage image(dir.filePath(QStringLiteral("t.png")));
        QCOMPARE(image.size(), view->viewport()->size());
        QVERIFY(panel->exportTo(dir.filePath(QStringLiteral("t.svg"))).isEmpty());
        QFile svg(dir.filePath(QStringLiteral("t.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("Chat"));
    }

    void concurrentCallsAreParallelLanesWithTooltipsAndPanning()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        std::vector<ui::RequestTab *> tabs;
        for (int i = 0; i < 2; ++i) {
            ui::RequestTab *tab = wb.openByClicking(QStringLiteral("ServerStream"));
            QVERIFY(tab);
            tab->setTarget(m_server.address);
            tab->setBody(QStringLiteral(R"({"count": 5, "interval_ms": 40, "text": "lane %1"})").arg(i));
            tabs.push_back(tab);
        }
        for (auto *tab : tabs)
            tab->send();
        for (auto *tab : tabs) {
            QSignalSpy finished(&tab->session(), &models::CallSession::finished);
            QVERIFY(tab->session().state() == models::CallSession::State::Finished || finished.wait(20000));
        }
        auto &timeline = wb.window.timeline();
        const auto &a = timeline.lanes()[std::size_t(tabs[0]->session().lane())];
        const auto &b = timeline.lanes()[std::size_t(tabs[1]->session().lane())];
        QTRY_VERIFY_WITH_TIMEOUT(a.streamId && b.streamId, 5000);
        // One channel, one connection, two streams that were open at the same time.
        QCOMPARE(a.connection, b.connection);
        QVERIFY(a.streamId != b.streamId);
        QVERIFY(a.startNs < b.endNs && b.startNs < a.endNs);
        ui::TimelinePanel *dock = wb.window.timelinePanel();
        ui::TimelineView *view = dock->view();
        QTRY_VERIFY_WITH_TIMEOUT(view->shownLanes().size() >= 3, 5000); // two calls and the connection
        view->fit();

        // Hovering a message tells its kind, size and time.
        const quint64 message = a.messages[3]; // mid-stream: no header or trailer mark next to it
        const QPoint at = view->itemPosition(message);
        QVERIFY(!at.isNull());
        QHelpEvent help(QEvent::ToolTip, at, view->viewport()->mapToGlobal(at));
        QApplication::sendEvent(view->viewport(), &help);
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 2000);
        QVERIFY(QToolTip::text().contains(QStringLiteral("message received")));
        QVERIFY(QToolTip::text().contains(QStringLiteral("on the wire")));

        // Dragging empty space pans the time axis and stops following.
        view->zoom(8);
        const qint64 before = view->viewStart();
        const QPoint empty(ui::TimelineView::kLabelWidth + 20, view->viewport()->height() - 5);
        QCOMPARE(view->itemAt(empty), quint64(0));
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, empty);
        QMouseEvent move(QEvent::MouseMove, QPointF(empty.x() - 60, empty.y()),
                         view->viewport()->mapToGlobal(QPointF(empty.x() - 60, empty.y())), Qt::NoButton,
                         Qt::LeftButton, {});
        QApplication::sendEvent(view->viewport(), &move);
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, QPoint(empty.x() - 60, empty.y()));
        QVERIFY(view->viewStart() > before);
        QVERIFY(!view->follows());

        // The retention limit is the user's to set, and is kept.
        // It is in the timeline's More menu, with Export.
        ui::TimelinePanel *panel = wb.window.timelinePanel();
        auto *more = panel->findChild<QToolButton *>(QStringLiteral("timelineMoreButton"));
        QVERIFY(more && more->isVisible());
        // (Popped up as the button does, but without the button's blocking exec().)
        more->menu()->popup(more->mapToGlobal(QPoint(0, more->height())));
        QTRY_VERIFY(more->menu()->isVisible());
        QSpinBox *retention = panel->retentionBox();
        QVERIFY(retention->isVisible());
        QVERIFY(more->menu()->findChild<QSpinBox *>(QStringLiteral("timelineRetentionBox")) == retention);
        retention->setValue(1);
        more->menu()->hide();
        QCOMPARE(timeline.retention(), qsizetype(1000000));
        QCOMPARE(QSettings().value(QStringLiteral("timeline/retentionMillions")).toInt(), 1);
        QVERIFY(panel->offersRetention());
        QVERIFY(!tabs[0]->response()->timeline()->offersRetention()); // one setting, the window's
        retention->setValue(2);
    }

    void followKeepsTheNewestEventsInViewWhileAStreamRuns()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("ServerStream"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        tab->setBody(QStringLiteral(R"({"count": 40, "interval_ms": 25})"));
        ui::TimelineView *view = wb.window.timelinePanel()->view();
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        tab->send();
        // Looked up each time: the lanes vector grows when the tap's connection lane appears.
        auto lane = [&]() -> const models::Timeline::Lane & {
            return wb.window.timeline().lanes()[std::size_t(tab->session().lane())];
        };
        QTRY_VERIFY_WITH_TIMEOUT(lane().messages.size() >= 5, 20000);
        // Zoomed in to a tenth of a second and following: the view runs along with the stream.
        view->zoom(1e9);
        view->zoom(double(view->viewSpan()) / 1e8);
        view->setFollow(true);
        QVERIFY(view->follows());
        const qint64 startedAt = view->viewStart();
        QVERIFY(finished.wait(20000));
        QTest::qWait(100);
        const auto &last = wb.window.timeline().item(lane().messages.back());
        const qint64 lastRel = last.timeNs - wb.window.timeline().startNs();
        QVERIFY(view->viewStart() > startedAt);
        QVERIFY(lastRel >= view->viewStart() && lastRel <= view->viewStart() + view->viewSpan());
        // Not following, the view stays where it was put.
        view->setFollow(false);
        view->fit();
        QVERIFY(std::abs(view->xOfTime(view->fitRange().first) -
                         (ui::TimelineView::kLabelWidth + ui::TimelineView::kFitPadLeft)) <= 1);
    }

    void cleanupTestCase() { m_server.stop(); }

    void loadPickTypeSendAndSeeTheResponse()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        QCOMPARE(tab->method().fullName, std::string("wirescope.testing.TestService.Echo"));
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "typed by hand", "i64": "77"})"));
        QCOMPARE(tab->body(), QStringLiteral(R"({"text": "typed by hand", "i64": "77"})"));
        // Metadata from the table, one ascii and one binary (base64) entry; the server echoes x- keys.
        auto *metadata = tab->findChild<QTableWidget *>(QStringLiteral("metadataTable"));
        metadata->setItem(0, 0, new QTableWidgetItem(QStringLiteral("x-hello")));
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("world")));
        QCOMPARE(metadata->rowCount(), 2); // a fresh empty row for the next entry
        metadata->setItem(1, 0, new QTableWidgetItem(QStringLiteral("x-raw-bin")));
        metadata->setItem(1, 1, new QTableWidgetItem(QStringLiteral("AAH/")));
        // URL-safe base64 too, as `run` and wirescope-cli -H take it (the window dropped the '_').
        metadata->setItem(2, 0, new QTableWidgetItem(QStringLiteral("x-url-bin")));
        metadata->setItem(2, 1, new QTableWidgetItem(QStringLiteral("AAH_")));
        QVERIFY(sendAndWait(tab));
        QCOMPARE(testsupport::metadataValue(tab->session().responseHeaders(), "x-hello"),
                 std::string("world"));
        QCOMPARE(testsupport::metadataValue(tab->session().responseHeaders(), "x-raw-bin"),
                 std::string("\x00\x01\xff", 3));
        QCOMPARE(testsupport::metadataValue(tab->session().responseHeaders(), "x-url-bin"),
                 std::string("\x00\x01\xff", 3));
        QVERIFY2(tab->response()->statusText().startsWith(QStringLiteral("OK")),
                 qPrintable(tab->response()->statusText()));
        QVERIFY(tab->response()->shownMessage().contains(QStringLiteral("typed by hand")));
        QVERIFY(tab->response()->shownMessage().contains(QStringLiteral("\"77\"")));
        QCOMPARE(tab->response()->messageRows(), 2); // the request sent and the response
        QVERIFY(tab->response()->timingsText().contains(QStringLiteral("total")));
        QVERIFY(wb.window.statusText().contains(QStringLiteral("OK")));
    }

    void aHeaderGrpcWouldRefuseFailsTheCallAndTheWindowLives()
    {
        // gRPC core aborts on such a header; the window used to die with it (issue 18).
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "hi"})"));
        auto *metadata = tab->findChild<QTableWidget *>(QStringLiteral("metadataTable"));
        metadata->setItem(0, 0, new QTableWidgetItem(QStringLiteral("x-city")));
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("Zürich")));
        QVERIFY(sendAndWait(tab));
        QCOMPARE(tab->session().status().code, 3);
        QVERIFY(tab->session().status().local);
        QVERIFY2(tab->response()->statusText().contains(QStringLiteral("x-city")),
                 qPrintable(tab->response()->statusText()));
        // Corrected, the same tab sends.
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("Zurich")));
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        QCOMPARE(testsupport::metadataValue(tab->session().responseHeaders(), "x-city"),
                 std::string("Zurich"));
    }

    // The window once decoded a -bin value leniently (and sent some bytes) where `run` and the CLI
    // refuse it; now it is the same error, naming the header, and nothing is sent.
    void aBinaryHeaderThatIsNotBase64IsNamedAndNotSent()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        auto *metadata = tab->findChild<QTableWidget *>(QStringLiteral("metadataTable"));
        metadata->setItem(0, 0, new QTableWidgetItem(QStringLiteral("X-Raw-Bin")));
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("not base64!")));
        QSignalSpy started(&tab->session(), &models::CallSession::started);
        QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
        QVERIFY2(wb.window.statusText().contains(
                     QStringLiteral(R"(header "x-raw-bin": the value of a -bin header must be base64)")),
                 qPrintable(wb.window.statusText()));
        QTest::qWait(200);
        QCOMPARE(started.count(), 0);
        QCOMPARE(tab->session().state(), models::CallSession::State::Idle);
        // Corrected, it goes, and the server gets the bytes.
        metadata->setItem(0, 1, new QTableWidgetItem(QStringLiteral("AAH_")));
        QVERIFY(sendAndWait(tab));
        QCOMPARE(testsupport::metadataValue(tab->session().responseHeaders(), "x-raw-bin"),
                 std::string("\x00\x01\xff", 3));
    }

    void badFilesAndWorkspacesNeverKillTheWindow()
    {
        // A .proto 20 000 messages deep overflowed the stack of the loader (issue 18); a folder as
        // a protoset loaded as nothing; broken request files in a workspace. Each is a problem the
        // window lists, and the window goes on working.
        Workbench wb;
        QTemporaryDir dir;
        auto write = [&](const QString &name, const QByteArray &bytes) {
            QDir(dir.path()).mkpath(QFileInfo(dir.filePath(name)).absolutePath());
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        QByteArray deep = "syntax = \"proto3\";\npackage deep;\n";
        for (int i = 0; i < 20000; ++i)
            deep += "message M" + QByteArray::number(i) + " {\n";
        deep += QByteArray(20000, '}') + "\nservice S { rpc C(M0) returns (M0); }\n";
        write(QStringLiteral("deep/deep.proto"), deep);
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.addProtoSource({dir.filePath(QStringLiteral("deep"))}, {QStringLiteral("deep.proto")});
        QVERIFY(failed.wait(20000));
        auto problemsText = [&] {
            QString all;
            for (int i = 0; i < wb.window.problems()->topLevelItemCount(); ++i)
                all += wb.window.problems()->topLevelItem(i)->text(0) + QLatin1Char(' ') +
                       wb.window.problems()->topLevelItem(i)->text(1) + QLatin1Char('\n');
            return all;
        };
        QTRY_VERIFY2(problemsText().contains(QStringLiteral("deep.proto:34:13")), qPrintable(problemsText()));
        wb.window.addProtosetSource({dir.path()});
        QVERIFY(failed.wait(20000));
        QTRY_VERIFY2(problemsText().contains(QStringLiteral("is a folder, not a protoset file")),
                     qPrintable(problemsText()));

        // A workspace whose request files are truncated, binary or of the wrong shape.
        write(QStringLiteral("ws/wirescope.json"), R"({"format_version": 1})");
        write(QStringLiteral("ws/truncated.json"), R"({"method": "a.B/C", "body": {)");
        write(QStringLiteral("ws/binary.json"), QByteArray("\x7f"
                                                           "ELF\x02\x01\0\0\xff",
                                                           9));
        write(QStringLiteral("ws/wrong.json"), R"({"method": 5})");
        QSignalSpy opened(&wb.window.workspaceStore(), &models::WorkspaceStore::opened);
        wb.window.openWorkspace(dir.filePath(QStringLiteral("ws")));
        QVERIFY(opened.wait(10000));
        QTRY_VERIFY2(wb.window.statusText().contains(QStringLiteral("3 problem")),
                     qPrintable(wb.window.statusText()));

        // And the window still calls a server.
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "still here"})"));
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
    }

    // The connection Options choose the proxy: one the tab names (the wire tap makes the CONNECT
    // itself, and without the tap gRPC does), none at all, or a proxy that refuses, which the
    // window names.
    void theConnectionOptionsChooseTheProxy()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), m_server.address);
        QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
        auto *mode = tab->findChild<QComboBox *>(QStringLiteral("proxyModeBox"));
        auto *url = tab->findChild<QLineEdit *>(QStringLiteral("proxyUrlEdit"));
        auto *wire = tab->findChild<QCheckBox *>(QStringLiteral("captureWireBox"));
        QVERIFY(mode && url && wire && mode->isVisible());
        QVERIFY(!url->isEnabled());
        testsupport::ConnectProxy proxy;
        mode->setCurrentIndex(2); // "This proxy:"
        QVERIFY(url->isEnabled());
        typeInto(url, QString::fromStdString(proxy.url()));

        auto send = [&] {
            QSignalSpy finished(&tab->session(), &models::CallSession::finished);
            QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
            return finished.wait(20000);
        };
        QVERIFY(wire->isChecked());
        QVERIFY(send());
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        QVERIFY2(tab->session().wireNote().isEmpty(), qPrintable(tab->session().wireNote()));
        const auto &lane = wb.window.timeline().lanes()[std::size_t(tab->session().lane())];
        QTRY_VERIFY_WITH_TIMEOUT(lane.streamId == 1, 5000); // frames seen by the tap
        QCOMPARE(proxy.targets(), std::vector<std::string>{m_server.server->address()});

        QTest::mouseClick(wire, Qt::LeftButton, {}, QPoint(4, wire->height() / 2));
        QVERIFY(!wire->isChecked());
        QVERIFY(send());
        QVERIFY(tab->session().status().ok());
        QCOMPARE(proxy.connects(), 2);

        mode->setCurrentIndex(1); // "None"
        QVERIFY(send());
        QVERIFY(tab->session().status().ok());
        QCOMPARE(proxy.connects(), 2);
        QCOMPARE(tab->connectionSettings().proxy, QStringLiteral("none"));

        testsupport::ConnectProxy forbidding(testsupport::ConnectProxy::Answer::Forbidden);
        mode->setCurrentIndex(2);
        typeInto(url, QString::fromStdString(forbidding.url()));
        QTest::mouseClick(wire, Qt::LeftButton, {}, QPoint(4, wire->height() / 2));
        QVERIFY(wire->isChecked());
        QVERIFY(send());
        QCOMPARE(tab->session().status().code, 14);
        // Said once, in the call's headline; the status bar only says the call ended.
        const QString headline = tab->response()->statusText();
        QVERIFY2(headline.contains(QStringLiteral("refused CONNECT")) &&
                     headline.contains(QString::fromStdString(forbidding.url())),
                 qPrintable(headline));
        QVERIFY2(!wb.window.statusText().contains(QStringLiteral("refused CONNECT")), qPrintable(wb.window.statusText()));
        QCOMPARE(forbidding.connects(), 1);
    }

    // A unix socket target works from the window, through the wire tap.
    void aUnixSocketTargetIsCalledAndTapped()
    {
        QTemporaryDir dir;
        const std::string target = "unix:" + dir.filePath(QStringLiteral("server.sock")).toStdString();
        const auto server = testing_server::TestServer::started(testing_server::listeningOn(target));
        QVERIFY(server);
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        typeInto(tab->findChild<QLineEdit *>(QStringLiteral("targetEdit")), QString::fromStdString(target));
        typeInto(tab->editor(), QStringLiteral(R"({"text": "over a socket"})"));
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        QVERIFY2(tab->session().wireNote().isEmpty(), qPrintable(tab->session().wireNote()));
        QVERIFY(tab->response()->shownMessage().contains(QStringLiteral("over a socket")));
        const auto &lane = wb.window.timeline().lanes()[std::size_t(tab->session().lane())];
        QTRY_VERIFY_WITH_TIMEOUT(lane.streamId == 1, 5000);
    }

    void bidiStreamSendsThreeMessagesOneByOneThenEnds()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        auto *sendMessage = button(tab, "sendMessageButton");
        auto *endStream = button(tab, "endStreamButton");
        QVERIFY(sendMessage->isVisible());
        QVERIFY(!endStream->isEnabled());
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        for (int i = 1; i <= 3; ++i) {
            typeInto(tab->editor(), QStringLiteral(R"({"text": "message %1"})").arg(i));
            QTest::mouseClick(sendMessage, Qt::LeftButton);
            QTRY_COMPARE_WITH_TIMEOUT(tab->session().receivedCount(), i, 20000);
            QVERIFY(tab->response()->shownMessage().contains(QStringLiteral("echo: message %1").arg(i)));
            QVERIFY(tab->session().isRunning());
            QVERIFY(endStream->isEnabled());
        }
        QTest::mouseClick(endStream, Qt::LeftButton);
        QVERIFY(finished.wait(20000));
        QVERIFY(tab->session().status().ok());
        QCOMPARE(tab->session().sentCount(), 3);
        QCOMPARE(tab->response()->messageRows(), 6);
        QVERIFY(!sendMessage->isEnabled() || !tab->session().isRunning());
    }

    void cancelDuringAServerStream()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("ServerStream"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        tab->setBody(QStringLiteral(R"({"count": 1000, "intervalMs": 20, "text": "tick"})"));
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(tab->session().receivedCount() >= 3, 20000);
        auto *cancel = button(tab, "cancelButton");
        QVERIFY(cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(finished.wait(20000));
        QCOMPARE(tab->session().status().code, 1); // CANCELLED
        QVERIFY(tab->session().receivedCount() < 1000);
        QVERIFY(tab->response()->statusText().startsWith(QStringLiteral("CANCELLED")));
        QVERIFY(!cancel->isEnabled());
    }

    // The call's state line ("running · 0 sent · 0 received · 1.2 s") changes every 100 ms
    // while a call runs. It must not ask the tab, and from there the window, for a new layout
    // each time: with a big request and response open, each relayout was 10-110 ms of the UI
    // thread (wirescope-uibench --trace, issue 20).
    void theRunningCallsStateLineAsksForNoLayout()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Slow"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        tab->setBody(QStringLiteral(R"({"delayMs": 1500})"));
        auto *state = tab->findChild<QLabel *>(QStringLiteral("callStateLabel"));
        QVERIFY(state);
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(state->text().startsWith(QStringLiteral("running")), 5000);
        QTest::qWait(150); // what starting the call changed is laid out
        struct LayoutRequests final : QObject
        {
            int count = 0;
            bool eventFilter(QObject *, QEvent *e) override
            {
                count += e->type() == QEvent::LayoutRequest;
                return false;
            }
        } requests;
        for (QWidget *w = state->parentWidget(); w; w = w->parentWidget())
            w->installEventFilter(&requests);
        const QString before = state->text();
        QTest::qWait(600);
        QVERIFY2(state->text() != before, qPrintable(state->text())); // it did change meanwhile
        QVERIFY(tab->session().isRunning());
        QCOMPARE(requests.count, 0);
        QVERIFY(finished.wait(10000));
        QVERIFY(state->text().startsWith(QStringLiteral("done")));
        QVERIFY(state->isVisible());
        QVERIFY(state->width() > state->fontMetrics().horizontalAdvance(state->text()) / 2);
    }

    void badJsonIsMarkedInlineAndTheCallSaysWhere()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "x", "nosuchfield": 1})"));
        QTRY_VERIFY_WITH_TIMEOUT(!tab->editor()->diagnostics().empty(), 5000);
        QVERIFY(QString::fromStdString(tab->editor()->diagnostics().front().message)
                    .contains(QStringLiteral("nosuchfield")));
        // Fixing it clears the marks.
        typeInto(tab->editor(), QStringLiteral(R"({"text": "x"})"));
        QTRY_VERIFY_WITH_TIMEOUT(tab->editor()->diagnostics().empty(), 5000);
        // Sending broken JSON fails locally with a clear message; nothing is lost from the editor.
        typeInto(tab->editor(), QStringLiteral(R"({"text": )"));
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        tab->send();
        QVERIFY(finished.wait(20000));
        QVERIFY(tab->session().status().local);
        QVERIFY(tab->response()->statusText().contains(QStringLiteral("INVALID_ARGUMENT")));
        QCOMPARE(tab->body(), QStringLiteral(R"({"text": )"));
    }

    void completionOffersTheNamesThatFitAtANestedPath()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        ui::JsonEditor *editor = tab->editor();
        // Typing the quote where a field name goes opens the list of that message's fields.
        typeInto(editor, QStringLiteral(R"({"inner": {)"));
        QTest::keyClicks(editor, QStringLiteral("\""));
        QVERIFY(editor->isListActive());
        QCOMPARE(editor->shownCompletion().path, std::string("inner"));
        QCOMPARE(editor->shownCompletion().items.size(), 2u);
        QCOMPARE(editor->shownCompletion().items[0].text, std::string("name"));
        QCOMPARE(editor->shownCompletion().items[1].text, std::string("value"));
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(editor->text(), QStringLiteral(R"({"inner": {"name": )"));
        // Values: Ctrl+Space after an enum field offers its names.
        QTest::keyClicks(editor, QStringLiteral(R"("x"}, "color": )"));
        QTest::keyClick(editor, Qt::Key_Space, Qt::ControlModifier);
        QVERIFY(editor->isListActive());
        QCOMPARE(editor->shownCompletion().path, std::string("color"));
        QTest::keyClick(editor, Qt::Key_Down);
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(editor->text(), QStringLiteral(R"({"inner": {"name": "x"}, "color": "RED")"));
    }

    void aBigMessageIsShownInPartUntilAskedForWhole()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        tab->setTarget(m_server.address);
        // About 3.5 MB of pretty JSON back: more than the viewer loads at once.
        QString body = QStringLiteral(R"({"tags": [)");
        for (int i = 0; i < 150000; ++i)
            body += (i ? QStringLiteral(",") : QString()) + QStringLiteral("\"tag-%1\"").arg(i);
        body += QStringLiteral("]}");
        tab->setBody(body);
        // The panel's minimum width stays as it was: a wider one moves the splitter beside it
        // when the call ends and resizes a viewer holding MBs of JSON.
        ui::ResponsePanel *panel = tab->response();
        const int minimumWidth = panel->minimumSizeHint().width();
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        tab->send();
        QVERIFY(finished.wait(30000));
        QVERIFY(tab->session().status().ok());
        QCOMPARE(panel->minimumSizeHint().width(), minimumWidth);
        const QByteArray replyText = tab->session().messages()->text(1).valueOr(QByteArray());
        QVERIFY(replyText.size() > ui::ResponsePanel::kPreviewBytes);
        QVERIFY(panel->truncationText().startsWith(QStringLiteral("Showing the first")));
        QVERIFY(panel->shownMessage().toUtf8().size() <= ui::ResponsePanel::kPreviewBytes);
        QVERIFY(replyText.startsWith(panel->shownMessage().toUtf8()));
        auto *showAll = panel->findChild<QPushButton *>(QStringLiteral("showAllButton"));
        QVERIFY(showAll && showAll->isVisible());
        QTest::mouseClick(showAll, Qt::LeftButton);
        QCOMPARE(panel->shownMessage().toUtf8(), replyText);
        QVERIFY(panel->truncationText().isEmpty());
        QVERIFY(!showAll->isVisible());
        QCOMPARE(panel->minimumSizeHint().width(), minimumWidth);
    }

    void formAndJsonStayInSyncForEveryFieldKind()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        auto schema = testsupport::testSchema();
        const std::string type = "wirescope.testing.EchoRequest";
        // Every kind of field EchoRequest has, set to something other than its default.
        const QString json = QStringLiteral(R"({
  "text": "héllo", "i32": -5, "i64": "-9007199254740993", "u32": 4000000000, "u64": "18446744073709551615",
  "s32": -7, "s64": "-8", "fx32": 9, "fx64": "10", "sfx32": -11, "sfx64": "-12", "f": 1.5, "d": -2.25,
  "flag": true, "data": "AAEC/w==", "color": "BLUE", "inner": {"name": "in", "value": 3},
  "tags": ["a", "b", "c"], "items": [{"name": "x"}, {"name": "y", "value": 2}],
  "counts": {"a": 1, "b": 2}, "byId": {"7": {"name": "seven"}}, "numberChoice": 42,
  "when": "2024-05-01T12:00:00.250Z", "timeout": "1.500s",
  "extra": {"@type": "type.googleapis.com/wirescope.testing.Inner", "name": "packed", "value": 9},
  "attrs": {"k": [1, "two", null]}, "anyValue": "free", "wrapped": "77", "mask": "a.b,c",
  "tree": {"label": "root", "children": [{"label": "leaf"}]}, "colors": ["RED", "GREEN"], "maybe": 0
})");
        tab->setBody(json);
        tab->showForm();
        ui::FormEditor *form = tab->form();
        auto value = [&](const char *path) { return form->valueText(QString::fromLatin1(path)); };
        QCOMPARE(value("i64"), QStringLiteral("-9007199254740993")); // 64-bit kept exact, as text
        QCOMPARE(value("color"), QStringLiteral("BLUE"));
        QCOMPARE(value("inner.name"), QStringLiteral("in"));
        QCOMPARE(value("items[1].value"), QStringLiteral("2"));
        QCOMPARE(value("counts[\"b\"]"), QStringLiteral("2"));
        QCOMPARE(value("byId[\"7\"].name"), QStringLiteral("seven"));
        QCOMPARE(value("choice"), QStringLiteral("numberChoice"));
        QCOMPARE(value("numberChoice"), QStringLiteral("42"));
        QCOMPARE(value("when"), QStringLiteral("2024-05-01T12:00:00.250Z"));
        QCOMPARE(value("extra"), QStringLiteral("wirescope.testing.Inner"));
        QCOMPARE(value("extra.name"), QStringLiteral("packed"));
        QCOMPARE(value("tree.children[0].label"), QStringLiteral("leaf"));
        QCOMPARE(value("maybe"), QStringLiteral("0"));

        // Form to JSON and back means the same message.
        const auto canonical = [&](const QByteArray &text) {
            auto bytes = schema->encode(type, text.toStdString(), rpc::CodecOptions{});
            if (!bytes)
                return QString::fromStdString("encode failed: " + bytes.error().toString());
            return QString::fromStdString(*schema->decode(type, *bytes, rpc::CodecOptions{}));
        };
        QCOMPARE(canonical(form->toJson()), canonical(json.toUtf8()));

        // Edits in the form rewrite the JSON.
        const models::Status refused =
            form->setValue(form->findItem(QStringLiteral("i32")), QStringLiteral("3000000000"));
        QVERIFY(!refused);
        QVERIFY(refused.errorMessage().contains(QStringLiteral("int32")));
        QVERIFY(!form->setValue(form->findItem(QStringLiteral("color")), QStringLiteral("PURPLE")));
        QVERIFY(!form->setValue(form->findItem(QStringLiteral("timeout")), QStringLiteral("soon")));
        QVERIFY(!form->setValue(form->findItem(QStringLiteral("data")), QStringLiteral("not base64!")));
        const QModelIndex added = form->addElement(form->findItem(QStringLiteral("tags")));
        QVERIFY(form->setValue(added, QStringLiteral("d")));
        form->moveElement(added, -3); // to the front
        form->removeElement(form->findItem(QStringLiteral("tags[2]")));
        form->chooseOneof(form->findItem(QStringLiteral("choice")), QStringLiteral("nameChoice"));
        QVERIFY(form->setValue(form->findItem(QStringLiteral("nameChoice")), QStringLiteral("picked")));
        form->setPresent(form->findItem(QStringLiteral("inner")), false);
        form->addElement(form->findItem(QStringLiteral("counts")), QStringLiteral("c"));
        form->chooseAnyType(form->findItem(QStringLiteral("extra")),
                            QStringLiteral("wirescope.testing.ChatMessage"));
        QVERIFY(form->setValue(form->findItem(QStringLiteral("extra.seq")), QStringLiteral("5")));

        // Bytes from a file (read on a pool thread) arrive as base64.
        testsupport::TempDir dir;
        const std::string blob = dir.write("blob.bin", std::string("\x00\x01\xfe\xff", 4));
        form->loadBytesFromFile(form->findItem(QStringLiteral("data")), QString::fromStdString(blob));
        QTRY_COMPARE(value("data"), QStringLiteral("AAH+/w=="));

        // A real edit through the value editor: double-click, type, Enter.
        const QModelIndex i32 =
            form->findItem(QStringLiteral("i32")).siblingAtColumn(ui::FormEditor::ValueColumn);
        form->scrollTo(i32);
        form->edit(i32);
        auto *line = form->viewport()->findChild<QLineEdit *>();
        QVERIFY(line);
        line->selectAll();
        QTest::keyClicks(line, QStringLiteral("123"));
        QTest::keyClick(line, Qt::Key_Return); // the view commits on its next event loop turn
        QTRY_COMPARE(value("i32"), QStringLiteral("123"));

        const QByteArray edited = tab->editor()->utf8Text();
        QCOMPARE(edited, form->toJson());
        auto back = schema->encode(type, edited.toStdString(), rpc::CodecOptions{});
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        const QString shown = QString::fromStdString(*schema->decode(type, *back, rpc::CodecOptions{}));
        QVERIFY(shown.contains(QStringLiteral(R"("i32": 123)")));
        QVERIFY(shown.contains(QStringLiteral(R"("tags": [
    "d",
    "a",
    "c"
  ])")));
        QVERIFY(shown.contains(QStringLiteral(R"("nameChoice": "picked")")));
        QVERIFY(!shown.contains(QStringLiteral("numberChoice")));
        QVERIFY(!shown.contains(QStringLiteral(R"("inner")")));
        QVERIFY(shown.contains(QStringLiteral(R"("c": 0)")));
        QVERIFY(shown.contains(QStringLiteral("type.googleapis.com/wirescope.testing.ChatMessage")));
        QVERIFY(shown.contains(QStringLiteral(R"("seq": 5)")));

        // Broken JSON leaves the form as it was and says why; the JSON is untouched.
        tab->editor()->setText(QStringLiteral(R"({"text": )"));
        QTest::mouseClick(tab->findChild<QTabWidget *>()->tabBar(), Qt::LeftButton, {},
                          tab->findChild<QTabWidget *>()->tabBar()->tabRect(0).center());
        tab->showForm();
        auto *notice = tab->findChild<QLabel *>(QStringLiteral("formNotice"));
        QVERIFY(notice->isVisible());
        QVERIFY(notice->text().contains(QStringLiteral("1:10")));
        QCOMPARE(value("i32"), QStringLiteral("123"));
        QCOMPARE(tab->body(), QStringLiteral(R"({"text": )"));
    }

    void desktopHabits()
    {
        QSettings().clear();
        const QString proto = QStringLiteral(WIRESCOPE_TEST_PROTO_DIR "/wirescope/testing/test.proto");
        {
            // Dropping a .proto file onto the window loads it, with its folder as import root.
            Workbench wb;
            QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(proto)});
            QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&wb.window, &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&wb.window, &drop);
            QVERIFY(loaded.wait(20000));
            QCOMPARE(wb.sources.rowCount(), 1);

            // The split between request and response is remembered for the next request.
            ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
            QVERIFY(tab);
            auto *split = tab->findChild<QSplitter *>(QStringLiteral("requestSplitter"));
            split->setSizes({200, 700});
            const QList<int> sizes = split->sizes();
            emit split->splitterMoved(200, 1);
            ui::RequestTab *second = wb.openByClicking(QStringLiteral("Chat"));
            QCOMPARE(second->findChild<QSplitter *>(QStringLiteral("requestSplitter"))->sizes(), sizes);
        }
        {
            // A new window offers the source again under File → Open Recent.
            Workbench wb;
            QMenu *recent = wb.window.recentMenu();
            emit recent->aboutToShow();
            QAction *entry = nullptr;
            for (QAction *a : recent->actions())
                entry = a->text().startsWith(QStringLiteral("test.proto")) ? a : entry;
            QVERIFY(entry);
            QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
            entry->trigger();
            QVERIFY(loaded.wait(20000));
            QVERIFY(wb.sources.findMethod(1, QStringLiteral("wirescope.testing.TestService/Echo")).isValid());
        }
        {
            // The editors follow the palette: a dark one gives a dark page.
            const QPalette old = QApplication::palette();
            QPalette dark = old;
            dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
            dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
            dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
            ui::JsonEditor editor;
            QApplication::setPalette(dark);
            QCOMPARE(editor.lexer()->paper(0), QColor(0x1e, 0x1e, 0x1e));
            QCOMPARE(editor.lexer()->color(0), QColor(0xe0, 0xe0, 0xe0));
            QApplication::setPalette(old);
            QCOMPARE(editor.lexer()->paper(0), old.color(QPalette::Base));
        }
    }

    void filterNarrowsTheTree()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QTreeView *tree = wb.window.tree();
        auto count = [&](const QString &name) {
            return tree->model()
                ->match(tree->model()->index(0, 0), Qt::DisplayRole, name, -1,
                        Qt::MatchExactly | Qt::MatchRecursive)
                .size();
        };
        QCOMPARE(count(QStringLiteral("Echo")), 1);
        // The clear button (the project's own: the style's read the icon theme from disk at
        // start) shows only while the field holds text, and empties it.
        QLineEdit *filter = wb.window.filterEdit();
        auto *clearAction = filter->findChild<QAction *>(QStringLiteral("clearTextAction"));
        QVERIFY(clearAction);
        QToolButton *clearButton = nullptr;
        for (auto *b : filter->findChildren<QToolButton *>())
            if (b->defaultAction() == clearAction)
                clearButton = b;
        QVERIFY(clearButton);
        QVERIFY(!clearAction->isVisible());
        QTest::keyClicks(filter, QStringLiteral("chat"));
        QCOMPARE(count(QStringLiteral("Chat")), 1);
        QCOMPARE(count(QStringLiteral("Echo")), 0);
        QVERIFY(clearAction->isVisible());
        QTRY_VERIFY(clearButton->isVisible());
        QTest::mouseClick(clearButton, Qt::LeftButton);
        QCOMPARE(filter->text(), QString());
        QCOMPARE(count(QStringLiteral("Echo")), 1);
        QVERIFY(!clearAction->isVisible());
    }

    void aReflectionSourceSaysWhatWasRepaired()
    {
        // A server whose files list no imports: the tree and the status bar say what was added.
        testing_server::ServerOptions o;
        o.reflectionV1 = true;
        o.reflectionV1Quirk = testing_server::ReflectionQuirk::NoDependencies;
        testing_server::TestServer server(o);
        QVERIFY(server.start());
        Workbench wb;
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        wb.window.addReflectionSource(QString::fromStdString(server.address()));
        QVERIFY(loaded.wait(20000));
        const QString note = QStringLiteral("repaired: 7 missing imports");
        QTreeView *tree = wb.window.tree();
        const QString shown = tree->model()->index(0, 0).data().toString();
        QVERIFY2(shown.endsWith(QStringLiteral(" (reflection) — ") + note), qPrintable(shown));
        QVERIFY2(wb.window.statusText().contains(note), qPrintable(wb.window.statusText()));
        QVERIFY(wb.openByClicking(QStringLiteral("Echo")));
    }

    void brokenProtoListsItsErrorsAndOpensTheFileAtTheLine()
    {
        testsupport::TempDir dir;
        dir.write("broken.proto",
                  "syntax = \"proto3\";\nmessage A {\n  string x = ;\n}\nmessage B { int32 = 2; }\n");
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.addProtoSource({QString::fromStdString(dir.path().string())},
                                 {QStringLiteral("broken.proto")});
        QVERIFY(failed.wait(20000));
        QTreeWidget *problems = wb.window.problems();
        QVERIFY(problems->isVisible());
        QVERIFY(problems->topLevelItemCount() >= 2);
        QTreeWidgetItem *first = problems->topLevelItem(0);
        QVERIFY2(first->text(0).startsWith(QStringLiteral("broken.proto:3:")), qPrintable(first->text(0)));
        QVERIFY(problems->topLevelItem(1)->text(0).startsWith(QStringLiteral("broken.proto:5:")));
        emit problems->itemActivated(first, 0);
        QTRY_VERIFY_WITH_TIMEOUT(wb.window.tabs()->currentWidget() &&
                                     wb.window.tabs()->currentWidget()->objectName() ==
                                         QStringLiteral("problemFileViewer"),
                                 5000);
        auto *viewer = qobject_cast<QsciScintilla *>(wb.window.tabs()->currentWidget());
        QVERIFY(viewer);
        int line = -1, index = -1;
        viewer->getCursorPosition(&line, &index);
        QCOMPARE(line, 2); // 0-based: the third line
        QVERIFY(viewer->text(line).contains(QStringLiteral("string x = ;")));
    }

    void demoServiceOpensARequestReadyToSend()
    {
        Workbench wb;
        QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
        const QString address = wb.window.startDemo();
        QVERIFY(!address.isEmpty());
        QVERIFY(opened.wait(20000));
        ui::RequestTab *tab = wb.window.currentRequest();
        QVERIFY(tab);
        QCOMPARE(tab->method().fullName, std::string("wirescope.demo.v1.WeatherService.GetForecast"));
        QVERIFY(tab->body().contains(QStringLiteral("Lisbon")));
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        QTest::keyClick(&wb.window, Qt::Key_Return, Qt::ControlModifier); // the menu's shortcut
        QVERIFY(finished.wait(20000));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        QVERIFY(tab->response()->shownMessage().contains(QStringLiteral("\"city\": \"Lisbon\"")));
        QCOMPARE(tab->response()->shownMessage().count(QStringLiteral("\"high\"")), 3);
        // The other three kinds are there too.
        for (const char *name : {"UploadReadings", "AskForecaster"})
            QVERIFY(wb.openByClicking(QString::fromLatin1(name)));
        // The server stream's example request works as it comes (its zero interval was refused:
        // "interval must be between 10ms and 10s"); one reading keeps it short.
        ui::RequestTab *watch = wb.openByClicking(QStringLiteral("WatchReadings"));
        QVERIFY(watch);
        QVERIFY2(watch->body().contains(QStringLiteral(R"("interval": "0s")")), qPrintable(watch->body()));
        watch->setBody(QString(watch->body()).replace(QStringLiteral(R"("count": 0)"), QStringLiteral(R"("count": 1)")));
        QVERIFY2(watch->body().contains(QStringLiteral(R"("count": 1)")), qPrintable(watch->body()));
        QVERIFY(sendAndWait(watch));
        QVERIFY2(watch->session().status().ok(), watch->session().status().message.c_str());
        QCOMPARE(watch->session().receivedCount(), 1);
    }

    void helpAboutShowsVersionsLicenceAndLibraries()
    {
        Workbench wb;
        auto *about = wb.window.findChild<QAction *>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        about->trigger();
        auto *dialog = wb.window.findChild<ui::AboutDialog *>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        // Triggered again, the same dialog comes back rather than a second one.
        about->trigger();
        QCOMPARE(wb.window.findChildren<ui::AboutDialog *>().size(), 1);

        const QString text = dialog->findChild<QLabel *>(QStringLiteral("aboutText"))->text();
        QVERIFY(text.contains(QApplication::applicationVersion()));
        QVERIFY(text.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())));
        QVERIFY(text.contains(QStringLiteral("gRPC ") + QString::fromStdString(rpc::grpcVersion())));
        QVERIFY(text.contains(QStringLiteral("protobuf ") + QString::fromStdString(rpc::protobufVersion())));
        QVERIFY(text.contains(QStringLiteral("GPL-3.0-or-later")));

        // "Read the licence" opens the full GPL text, built into the program.
        auto *tabs = dialog->findChild<QTabWidget *>(QStringLiteral("aboutTabs"));
        auto *licence = dialog->findChild<QPlainTextEdit *>(QStringLiteral("licenceText"));
        QVERIFY(tabs && licence);
        QVERIFY(tabs->currentWidget() != licence);
        emit dialog->findChild<QLabel *>(QStringLiteral("aboutText"))
            ->linkActivated(QStringLiteral("licence"));
        QCOMPARE(tabs->currentWidget(), licence);
        QVERIFY(licence->toPlainText().startsWith(
            QStringLiteral("                    GNU GENERAL PUBLIC LICENSE")));
        QVERIFY(licence->toPlainText().contains(QStringLiteral("Version 3, 29 June 2007")));
        QVERIFY(licence->toPlainText().size() > 30000);

        // Every third-party library with a licence; versions where the library says.
        auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("librariesTable"));
        QVERIFY(table);
        QHash<QString, QString> licences, versions;
        for (int row = 0; row < table->rowCount(); ++row) {
            licences[table->item(row, 0)->text()] = table->item(row, 2)->text();
            versions[table->item(row, 0)->text()] = table->item(row, 1)->text();
        }
        const QHash<QString, QString> expected{
            {QStringLiteral("Qt"), QStringLiteral("LGPL-3.0-only")},
            {QStringLiteral("QScintilla"), QStringLiteral("GPL-3.0-only")},
            {QStringLiteral("QtKeychain"), QStringLiteral("BSD-2-Clause")},
            {QStringLiteral("gRPC"), QStringLiteral("Apache-2.0")},
            {QStringLiteral("Protocol Buffers"), QStringLiteral("BSD-3-Clause")},
            {QStringLiteral("Abseil"), QStringLiteral("Apache-2.0")},
            {QStringLiteral("c-ares"), QStringLiteral("MIT")},
            {QStringLiteral("RE2"), QStringLiteral("BSD-3-Clause")},
            {QStringLiteral("zlib"), QStringLiteral("Zlib")},
            {QStringLiteral("nghttp2"), QStringLiteral("MIT")},
            {QStringLiteral("OpenSSL"), QStringLiteral("Apache-2.0")},
            {QStringLiteral("libcurl"), QStringLiteral("curl")},
        };
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(licences.value(it.key()) == it.value(), qPrintable(it.key()));
        QCOMPARE(versions.value(QStringLiteral("gRPC")), QString::fromStdString(rpc::grpcVersion()));
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$"))
                    .match(versions.value(QStringLiteral("nghttp2")))
                    .hasMatch());
        QVERIFY(QRegularExpression(QStringLiteral("^3\\.\\d+\\.\\d+"))
                    .match(versions.value(QStringLiteral("OpenSSL")))
                    .hasMatch());

        // About Qt is there too (Qt's own box).
        auto *aboutQt = wb.window.findChild<QAction *>(QStringLiteral("aboutQtAction"));
        QVERIFY(aboutQt);
        QTimer::singleShot(0, &wb.window, [] {
            if (QWidget *box = QApplication::activeModalWidget())
                box->close();
        });
        aboutQt->trigger();
        dialog->close();
        QTRY_VERIFY(wb.window.findChildren<ui::AboutDialog *>().isEmpty());
    }

    void programAnswersVersionAndHelpWithoutADisplay()
    {
        // No QT_QPA_PLATFORM and no DISPLAY: these must be answered before Qt needs a screen.
        const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
        qunsetenv("QT_QPA_PLATFORM");
        qunsetenv("DISPLAY");
        qunsetenv("WAYLAND_DISPLAY");
        auto version = testsupport::run({WIRESCOPE_GUI, "--version"});
        auto help = testsupport::run({WIRESCOPE_GUI, "--help"});
        qputenv("QT_QPA_PLATFORM", platform);
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.rfind("wirescope ", 0) == 0, version.out.c_str());
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.find("Usage: wirescope") != std::string::npos);
        QVERIFY(help.out.find("--demo") != std::string::npos);
    }

private:
    SharedServer m_server;
};

QTEST_MAIN(MainWindowTest)
#include "mainwindow_test.moc"
