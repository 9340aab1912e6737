// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline read as a user reads it, offscreen, through the real window against the in-tree
// test server: one clock for every lane, Fit on what is chosen, a response's own timeline
// fitted to its call, Follow that stops with the calls, the legend, lanes grouped by
// connection, labels that keep the stream id, the keyboard, and the palette it is drawn in.
#include "support.h"
#include "testserver.h"

#include "models/callsession.h"
#include "models/framesmodel.h"
#include "models/messagesmodel.h"
#include "models/timeline.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/responsepanel.h"
#include "ui/timelinepanel.h"
#include "ui/timelineview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFrame>
#include <QHelpEvent>
#include <QImage>
#include <QLineEdit>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QToolButton>
#include <QToolTip>
#include <QtTest>

#include <algorithm>
#include <memory>

#include "workbench.h"

using models::Timeline;

namespace {

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
    p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Mid, QColor(0x20, 0x20, 0x20)); // as dark as Base, as GTK's Adwaita-dark gives
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

} // namespace

class TimelineGuiTest : public QObject
{
    Q_OBJECT

private:
    // Opens `method` in a new tab, sends `body` to `target` and waits until the call ended and
    // the tap told its stream id.
    ui::RequestTab *call(Workbench &wb, const QString &method, const QString &body,
                         const QString &target = {})
    {
        ui::RequestTab *tab = wb.openAt(method, target.isEmpty() ? m_server.address : target);
        if (!tab)
            return nullptr;
        tab->setBody(body);
        if (!sendAndWait(tab))
            return nullptr;
        const auto &timeline = wb.window.timeline();
        const int lane = tab->session().lane();
        if (!QTest::qWaitFor([&] { return timeline.lanes()[std::size_t(lane)].streamId != 0; }, 5000))
            return nullptr;
        // The trailers' frames come from the tap a moment after the engine's event.
        QTest::qWait(100);
        return tab;
    }

    const Timeline::Lane &laneOf(Workbench &wb, ui::RequestTab *tab)
    {
        return wb.window.timeline().lanes()[std::size_t(tab->session().lane())];
    }

    // Every event of the lane, in time order.
    std::vector<quint64> eventsOf(const Timeline &timeline, const Timeline::Lane &lane)
    {
        std::vector<quint64> ids(lane.messages.begin(), lane.messages.end());
        ids.insert(ids.end(), lane.others.begin(), lane.others.end());
        std::sort(ids.begin(), ids.end(), [&](quint64 a, quint64 b) {
            return std::pair(timeline.item(a).timeNs, a) < std::pair(timeline.item(b).timeNs, b);
        });
        return ids;
    }

    // Whether every event of the lane is drawn inside the plot (not under the labels, not past
    // the right edge).
    bool allInView(ui::TimelineView *view, const Timeline &timeline, const Timeline::Lane &lane)
    {
        for (quint64 id : eventsOf(timeline, lane)) {
            const int x = view->xOfTime(timeline.item(id).timeNs - view->origin());
            if (x < ui::TimelineView::kLabelWidth || x >= view->viewport()->width()) {
                qWarning("%s at x=%d, outside %d..%d", qPrintable(Timeline::kindName(timeline.item(id).kind)),
                         x, ui::TimelineView::kLabelWidth, view->viewport()->width());
                return false;
            }
        }
        return true;
    }

    // The demo service's request, opened as `wirescope --demo` opens it.
    ui::RequestTab *openDemo(Workbench &wb)
    {
        QSignalSpy opened(&wb.window, &ui::MainWindow::requestOpened);
        if (wb.window.startDemo().isEmpty() || !opened.wait(20000))
            return nullptr;
        return wb.window.currentRequest();
    }

    ui::TimelinePanel *showResponseTimeline(ui::RequestTab *tab)
    {
        ui::ResponsePanel *response = tab->response();
        response->showTimeline();
        return response->timeline();
    }

private slots:
    void initTestCase()
    {
        useTestSettings();
        QVERIFY(m_server.start());
    }

    void cleanupTestCase() { m_server.stop(); }

    // The window's lanes (calls and connections) and its wire view count from the first event
    // kept; a response's timeline and wire view from its call's start; tooltips tell both.
    void oneClockForEveryLane()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *first = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "a"})"));
        QVERIFY(first);
        QTest::qWait(300);
        ui::RequestTab *second =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 3, "interval_ms": 20})"));
        QVERIFY(second);
        const Timeline &timeline = wb.window.timeline();
        const Timeline::Lane &lane = laneOf(wb, second);

        ui::TimelinePanel *window = wb.window.timelinePanel();
        ui::TimelineView *view = window->view();
        QCOMPARE(view->clockLane(), -1);
        QCOMPARE(view->origin(), timeline.startNs());
        // A connection frame and a call's event are placed on the same clock.
        const int connectionLane = view->shownLanes().front();
        QVERIFY(timeline.lanes()[std::size_t(connectionLane)].kind == Timeline::Lane::Kind::Connection);
        const quint64 connItem = timeline.lanes()[std::size_t(connectionLane)].others.back();
        const quint64 callItem = lane.messages.back();
        for (quint64 id : {connItem, callItem}) {
            const QPoint at = view->itemPosition(id);
            QVERIFY(!at.isNull());
            QCOMPARE(at.x(), std::max(ui::TimelineView::kLabelWidth,
                                      view->xOfTime(timeline.item(id).timeNs - timeline.startNs())));
        }
        // The wire view shows the same clock.
        models::FramesModel *frames = window->frames();
        QVERIFY(frames->count() > 0);
        const auto timeText = [](models::FramesModel *model, int row) {
            return model->index(row, models::FramesModel::TimeColumn).data().toString();
        };
        const int lastRow = frames->count() - 1;
        QCOMPARE(
            timeText(frames, lastRow),
            models::formatClockTime(timeline.frame(frames->frameId(lastRow)).timeNs - timeline.startNs()));

        // The response's own timeline counts from its call's start, its wire view too.
        ui::TimelinePanel *own = showResponseTimeline(second);
        QCOMPARE(own->view()->origin(), lane.startNs);
        models::FramesModel *ownFrames = own->frames();
        QVERIFY(ownFrames->count() > 0);
        for (int row : {0, ownFrames->count() - 1})
            QCOMPARE(timeText(ownFrames, row),
                     models::formatClockTime(timeline.frame(ownFrames->frameId(row)).timeNs - lane.startNs));
        // The connection's frames from before this call are at negative times.
        QVERIFY(timeText(ownFrames, 0).startsWith(QStringLiteral("−")));

        // A tooltip on the window's timeline says when in the call and when on the timeline.
        view->fit();
        const quint64 message = lane.messages[1];
        const QPoint at = view->itemPosition(message);
        QHelpEvent help(QEvent::ToolTip, at, view->viewport()->mapToGlobal(at));
        QApplication::sendEvent(view->viewport(), &help);
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 2000);
        const auto &item = timeline.item(message);
        QVERIFY2(QToolTip::text().contains(models::formatClockTime(item.timeNs - lane.startNs) +
                                           QStringLiteral(" into the call")),
                 qPrintable(QToolTip::text()));
        QVERIFY(QToolTip::text().contains(models::formatClockTime(item.timeNs - timeline.startNs()) +
                                          QStringLiteral(" on the timeline")));
        QToolTip::hideText();
    }

    // Fit: the chosen call, or the lanes the filter leaves, or every call, trailers included.
    void fitShowsTheChosenCallTheFilteredLanesOrEverything()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *early = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "early"})"));
        QVERIFY(early);
        // The later call comes long after the first one and takes a fraction of the gap.
        QTest::qWait(1500);
        ui::RequestTab *late =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 3, "interval_ms": 30})"));
        QVERIFY(late);
        const Timeline &timeline = wb.window.timeline();
        const Timeline::Lane &earlyLane = laneOf(wb, early);
        const Timeline::Lane &lateLane = laneOf(wb, late);
        const qint64 lateDuration = lateLane.endNs - lateLane.startNs;
        QVERIFY(lateDuration < 1000000000);

        ui::TimelinePanel *panel = wb.window.timelinePanel();
        ui::TimelineView *view = panel->view();
        auto *fitButton = panel->findChild<QToolButton *>(QStringLiteral("timelineFitButton"));
        QVERIFY(fitButton);

        // Everything: both calls whole, the first call's trailers too.
        view->zoom(16);
        QTest::mouseClick(fitButton, Qt::LeftButton);
        QVERIFY(view->autoFits());
        QVERIFY(allInView(view, timeline, earlyLane));
        QVERIFY(allInView(view, timeline, lateLane));

        // The chosen call fills the width.
        auto *callBox = panel->findChild<QComboBox *>(QStringLiteral("timelineCallBox"));
        callBox->setCurrentIndex(callBox->findData(late->session().lane()));
        QVERIFY(allInView(view, timeline, lateLane));
        QVERIFY2(view->viewSpan() < lateDuration * 2, qPrintable(QString::number(view->viewSpan())));
        const auto lateEvents = eventsOf(timeline, lateLane);
        const int plotWidth = view->viewport()->width() - ui::TimelineView::kLabelWidth;
        const int firstX = view->xOfTime(timeline.item(lateEvents.front()).timeNs - view->origin());
        const int lastX = view->xOfTime(timeline.item(lateEvents.back()).timeNs - view->origin());
        QVERIFY2(lastX - firstX > plotWidth * 3 / 4,
                 qPrintable(QStringLiteral("%1..%2").arg(firstX).arg(lastX)));
        // Zoomed in and fitted again with the Fit button: the same call again.
        view->zoom(8);
        QVERIFY(!allInView(view, timeline, lateLane));
        QTest::mouseClick(fitButton, Qt::LeftButton);
        QVERIFY(allInView(view, timeline, lateLane));
        QVERIFY(view->viewSpan() < lateDuration * 2);

        // The lanes a text filter leaves: the late call's lane and no other call.
        callBox->setCurrentIndex(0);
        QVERIFY(view->viewSpan() > 1000000000);
        QTest::keyClicks(panel->findChild<QLineEdit *>(QStringLiteral("timelineFilterEdit")),
                         QStringLiteral("ServerStream"));
        QVERIFY(allInView(view, timeline, lateLane));
        QVERIFY(view->viewSpan() < lateDuration * 2);
    }

    // A response's Timeline tab shows its own call across the width, from the call's start.
    void aResponsesTimelineFitsItsCall()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        QVERIFY(call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "before"})")));
        QTest::qWait(1000);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 4, "interval_ms": 20})"));
        QVERIFY(tab);
        const Timeline &timeline = wb.window.timeline();
        const Timeline::Lane &lane = laneOf(wb, tab);
        ui::TimelinePanel *panel = showResponseTimeline(tab);
        ui::TimelineView *view = panel->view();
        QTRY_VERIFY_WITH_TIMEOUT(view->viewport()->width() > ui::TimelineView::kLabelWidth + 100, 2000);
        QCOMPARE(view->clockLane(), tab->session().lane());
        QVERIFY(view->autoFits());
        QVERIFY(allInView(view, timeline, lane));
        QVERIFY(view->viewSpan() < 2 * (lane.endNs - lane.startNs));
        // The call starts at the left edge of the plot, at 0 on its own clock.
        QVERIFY(std::abs(view->xOfTime(0) -
                         (ui::TimelineView::kLabelWidth + ui::TimelineView::kFitPadLeft)) <= 1);
        // Resizing keeps it fitted.
        panel->window()->resize(panel->window()->width() - 100, panel->window()->height());
        QTRY_VERIFY(allInView(view, timeline, lane));
    }

    // Follow keeps the newest events in view while a call runs and stops moving once it ended,
    // whatever the connection does afterwards.
    void followFollowsWhileCallsRunAndStopsAfter()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(tab);
        tab->setBody(QStringLiteral(R"({"count": 30, "interval_ms": 30})"));
        ui::TimelineView *view = wb.window.timelinePanel()->view();
        QSignalSpy finished(&tab->session(), &models::CallSession::finished);
        tab->send();
        auto lane = [&]() -> const Timeline::Lane & { return laneOf(wb, tab); };
        QTRY_VERIFY_WITH_TIMEOUT(lane().messages.size() >= 3, 20000);
        // Fitted while running: the view grows with the call.
        QVERIFY(view->autoFits());
        const double runningScale = view->nsPerPixel();
        QTRY_VERIFY_WITH_TIMEOUT(view->nsPerPixel() > runningScale, 5000);
        QVERIFY(finished.wait(20000));
        QTest::qWait(400);
        const double endedScale = view->nsPerPixel();
        const qint64 endedStart = view->viewStart();
        QVERIFY(allInView(view, wb.window.timeline(), lane()));
        // Ended: nothing moves any more.
        QTest::qWait(1000);
        QCOMPARE(view->nsPerPixel(), endedScale);
        QCOMPARE(view->viewStart(), endedStart);

        // Zoomed in and following: the view runs along with a running call ...
        ui::RequestTab *second = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(second);
        second->setBody(QStringLiteral(R"({"count": 30, "interval_ms": 30})"));
        QSignalSpy secondFinished(&second->session(), &models::CallSession::finished);
        second->send();
        auto secondLane = [&]() -> const Timeline::Lane & { return laneOf(wb, second); };
        QTRY_VERIFY_WITH_TIMEOUT(secondLane().messages.size() >= 3, 20000);
        view->zoom(double(view->viewSpan()) / 1e8); // a tenth of a second across
        view->setFollow(true);
        const qint64 followFrom = view->viewStart();
        QTRY_VERIFY_WITH_TIMEOUT(view->viewStart() > followFrom, 5000);
        QVERIFY(secondFinished.wait(20000));
        QTest::qWait(400);
        const auto &last = wb.window.timeline().item(secondLane().messages.back());
        const qint64 lastAt = last.timeNs - view->origin();
        QVERIFY(lastAt >= view->viewStart() && lastAt <= view->viewStart() + view->viewSpan());
        // ... and stays once it ended.
        const qint64 stoppedAt = view->viewStart();
        QTest::qWait(1000);
        QCOMPARE(view->viewStart(), stoppedAt);
        QVERIFY(view->follows());
    }

    // Following, a new call's lane comes into view: in a timeline two lanes high, new lanes were
    // added below the rows shown and the newest call stayed out of sight.
    void followBringsANewCallsLaneIntoView()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::TimelineView *view = wb.window.timelinePanel()->view();
        view->setFixedHeight(ui::TimelineView::kAxisHeight + 2 * ui::TimelineView::kLaneHeight +
                             view->horizontalScrollBar()->sizeHint().height() + 2 * view->frameWidth());
        QVERIFY(view->follows());
        for (int i = 0; i < 4; ++i) {
            ui::RequestTab *tab = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "x"})"));
            QVERIFY(tab);
            const std::vector<int> shown = view->shownLanes();
            const auto at = std::find(shown.begin(), shown.end(), tab->session().lane());
            QVERIFY(at != shown.end());
            const int row = int(at - shown.begin());
            QScrollBar *v = view->verticalScrollBar();
            QVERIFY2(row >= v->value() && row < v->value() + v->pageStep(),
                     qPrintable(QStringLiteral("call %1: row %2, rows %3 to %4 shown")
                                    .arg(i)
                                    .arg(row)
                                    .arg(v->value())
                                    .arg(v->value() + v->pageStep() - 1)));
        }
    }

    // A call picked in the call box stayed picked when a new call ran, so the new call was not
    // shown. Following, a new call brings back All calls; not following, the pick stays.
    void aNewCallIsShownWhileFollowing()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::TimelinePanel *panel = wb.window.timelinePanel();
        ui::TimelineView *view = panel->view();
        auto *callBox = panel->findChild<QComboBox *>(QStringLiteral("timelineCallBox"));
        auto *follow = panel->findChild<QCheckBox *>(QStringLiteral("timelineFollowBox"));
        auto shows = [view](ui::RequestTab *tab) {
            const std::vector<int> &shown = view->shownLanes(); // with the calls' connection lanes
            return std::find(shown.begin(), shown.end(), tab->session().lane()) != shown.end();
        };
        ui::RequestTab *first = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "a"})"));
        QVERIFY(first);
        callBox->setCurrentIndex(callBox->findData(first->session().lane()));
        QVERIFY(shows(first));

        QVERIFY(follow->isChecked());
        ui::RequestTab *second = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "b"})"));
        QVERIFY(second);
        QCOMPARE(callBox->currentIndex(), 0);
        QVERIFY(shows(first) && shows(second));

        // Not following: the pick is the user's, and it stays.
        callBox->setCurrentIndex(callBox->findData(first->session().lane()));
        follow->setChecked(false);
        ui::RequestTab *third = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "c"})"));
        QVERIFY(third);
        QCOMPARE(callBox->currentData().toInt(), first->session().lane());
        QVERIFY(shows(first) && !shows(second) && !shows(third));
    }

    // One Send to a port where nothing listens, through the wire tap: one connection. gRPC kept
    // the failed channel and went on reconnecting with its backoff, a new empty connection lane
    // every few seconds, long after the call.
    void aFailedConnectionIsNotRetriedInTheBackground()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        const QString dead = QStringLiteral("127.0.0.1:%1").arg(testsupport::deadPort());
        ui::RequestTab *tab = wb.openAt(QStringLiteral("Echo"), dead);
        QVERIFY(tab);
        QVERIFY(sendAndWait(tab));
        QCOMPARE(tab->session().status().code, 14);
        QVERIFY(tab->session().tapped());
        auto connections = [&] {
            int n = 0;
            for (const auto &lane : wb.window.timeline().lanes())
                n += lane.kind == Timeline::Lane::Kind::Connection ? 1 : 0;
            return n;
        };
        QTRY_VERIFY(connections() >= 1);
        const int after = connections();
        QTest::qWait(4000); // gRPC's first reconnect comes after about a second, then grows
        QCOMPARE(connections(), after);
    }

    // The legend lists every kind of mark, drawn as the view draws it.
    void theLegendShowsTheMarksInTheViewsColours()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 5, "interval_ms": 40})"));
        QVERIFY(tab);
        ui::TimelinePanel *panel = wb.window.timelinePanel();
        ui::TimelineLegend *legend = panel->legend();
        // Below the lanes when they keep room beside it: a tall timeline dock.
        auto *dock = wb.window.findChild<QDockWidget *>(QStringLiteral("timelineDock"));
        QVERIFY(dock);
        wb.window.resize(1600, 1200);
        QTRY_COMPARE(wb.window.size(), QSize(1600, 1200));
        wb.window.resizeDocks({dock}, {600}, Qt::Vertical);
        QTRY_VERIFY(legend->isVisible());
        const QStringList names = legend->entries();
        for (const char *name : {"request headers", "message sent", "half-close", "response headers",
                                 "message received", "trailers: OK", "trailers: error", "RST_STREAM"})
            QVERIFY2(names.contains(QLatin1String(name)), name);
        const ui::TimelineColors colors = ui::TimelineColors::forPalette(legend->palette());
        const QImage legendImage = legend->grab().toImage();
        const QPoint legendMark = legend->markPosition(ui::TimelineMark::MessageReceived);
        // The received mark is 7 px tall under the middle of its row.
        QCOMPARE(legendImage.pixelColor(legendMark + QPoint(0, 5)), colors.received);

        // A received message in the view has that colour.
        ui::TimelineView *view = panel->view();
        view->fit();
        const quint64 message = laneOf(wb, tab).messages[2];
        const QPoint at = view->itemPosition(message);
        const QImage viewImage = view->viewport()->grab().toImage();
        QCOMPARE(viewImage.pixelColor(at), colors.received);

        // The Legend button shows the same legend over the window; with lanes too short for it
        // the legend below them gives way, and the button still has it.
        auto *button = panel->findChild<QToolButton *>(QStringLiteral("timelineLegendButton"));
        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY(panel->legendPopup()->isVisible());
        auto *popupLegend = panel->legendPopup()->findChild<ui::TimelineLegend *>();
        const QImage popupImage = popupLegend->grab().toImage();
        QCOMPARE(popupImage.pixelColor(popupLegend->markPosition(ui::TimelineMark::MessageReceived) +
                                       QPoint(0, 5)),
                 colors.received);
        panel->legendPopup()->hide();
        wb.window.resizeDocks({dock}, {80}, Qt::Vertical);
        QTRY_VERIFY(!legend->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY(panel->legendPopup()->isVisible());
        panel->legendPopup()->hide();
    }

    // One channel, many streams: each connection's lane heads the lanes of the streams it
    // carried; groups come in the order they began.
    void lanesAreGroupedByConnection()
    {
        auto other = std::make_unique<testing_server::TestServer>();
        QVERIFY(other->start());
        const QString otherAddress = QString::fromStdString(other->address());
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *a = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "a"})"));
        ui::RequestTab *b =
            call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "b"})"), otherAddress);
        ui::RequestTab *c = call(wb, QStringLiteral("Echo"), QStringLiteral(R"({"text": "c"})"));
        QVERIFY(a && b && c);
        const Timeline &timeline = wb.window.timeline();
        QCOMPARE(laneOf(wb, a).connection, laneOf(wb, c).connection);
        QVERIFY(laneOf(wb, a).connection != laneOf(wb, b).connection);

        ui::TimelineView *view = wb.window.timelinePanel()->view();
        QTRY_COMPARE_WITH_TIMEOUT(int(view->shownLanes().size()), 5, 5000);
        std::vector<QString> rows;
        for (int lane : view->shownLanes()) {
            const auto &l = timeline.lanes()[std::size_t(lane)];
            rows.push_back(l.kind == Timeline::Lane::Kind::Connection
                               ? QStringLiteral("conn%1").arg(l.connection)
                               : QStringLiteral("call%1@%2").arg(l.callId).arg(l.connection));
        }
        const auto &la = laneOf(wb, a);
        const auto &lb = laneOf(wb, b);
        const auto &lc = laneOf(wb, c);
        const std::vector<QString> expected{
            QStringLiteral("conn%1").arg(la.connection),
            QStringLiteral("call%1@%2").arg(la.callId).arg(la.connection),
            QStringLiteral("call%1@%2").arg(lc.callId).arg(lc.connection),
            QStringLiteral("conn%1").arg(lb.connection),
            QStringLiteral("call%1@%2").arg(lb.callId).arg(lb.connection),
        };
        QCOMPARE(rows, expected);
        other->stop();
    }

    // Labels are cut at the end of the name; the stream id stays whole.
    void laneLabelsKeepTheStreamId()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 1, "interval_ms": 1})"));
        QVERIFY(tab);
        ui::TimelineView *view = wb.window.timelinePanel()->view();
        const int lane = tab->session().lane();
        const QString stream = QStringLiteral("stream %1").arg(laneOf(wb, tab).streamId);
        const QFontMetrics fm = view->fontMetrics();
        const QString wide = view->laneLabel(lane, 400);
        QCOMPARE(wide, QStringLiteral("ServerStream · ") + stream);
        for (int width : {150, 120, 100}) {
            const QString label = view->laneLabel(lane, width);
            QVERIFY2(label.endsWith(stream), qPrintable(label));
            QVERIFY2(fm.horizontalAdvance(label) <= width, qPrintable(label));
            if (fm.horizontalAdvance(wide) > width) {
                QVERIFY2(label.startsWith(QLatin1Char('S')) && label.contains(QStringLiteral("…")),
                         qPrintable(label));
            }
        }
        // A connection's label keeps its number and cuts the target.
        const int connection = view->shownLanes().front();
        const QString connectionLabel = view->laneLabel(connection, 120);
        QVERIFY2(connectionLabel.startsWith(QStringLiteral("connection ")), qPrintable(connectionLabel));
        QVERIFY(fm.horizontalAdvance(connectionLabel) <= 120);
    }

    // An HTTP/1.1 exchange's lane is labelled with its request line: the method and the HTTP
    // version stay, a long path gives way in its middle.
    void anHttp1LaneShowsItsRequestLine()
    {
        Timeline timeline;
        Timeline::CallInfo info;
        info.callId = 7;
        info.method.serviceName = "wirescope.testing.TestService";
        info.method.name = "Echo";
        info.tap = 1;
        const int lane = int(timeline.beginCall(info));
        rpc::CallEvent started; // a call's stream is matched once the engine started it
        started.callId = 7;
        started.kind = rpc::EventKind::Started;
        started.timeNs = rpc::monotonicNs();
        std::vector<rpc::CallEvent> calls{started};
        timeline.addCallEvents(calls);
        rpc::wire::WireEvent head;
        head.kind = rpc::wire::WireEvent::Kind::Http1;
        head.connection = 1;
        head.timeNs = rpc::monotonicNs();
        head.http1.exchange = 1;
        head.http1.startLine = "POST /prefix/api/wirescope.testing.TestService/Echo HTTP/1.1";
        std::vector<rpc::wire::WireEvent> wire{head};
        timeline.addWireEvents(1, QStringLiteral("127.0.0.1:8080"), wire);
        ui::TimelineView view(timeline);
        const QString line = QStringLiteral("POST /prefix/api/wirescope.testing.TestService/Echo HTTP/1.1");
        QCOMPARE(view.laneLabel(lane, 1000), QStringLiteral("Echo · ") + line);
        const QFontMetrics fm = view.fontMetrics();
        for (int width : {300, 200}) {
            const QString label = view.laneLabel(lane, width);
            QVERIFY2(fm.horizontalAdvance(label) <= width, qPrintable(label));
            QVERIFY2(label.contains(QStringLiteral(" · POST ")) &&
                         label.endsWith(QStringLiteral(" HTTP/1.1")) && label.contains(QStringLiteral("…")),
                     qPrintable(label));
        }
    }

    // Arrows move between events on a lane and between lanes, Home/End to the ends, Enter
    // shows the event; the focus is visible.
    void theKeyboardMovesBetweenEvents()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 3, "interval_ms": 30})"));
        QVERIFY(tab);
        const Timeline &timeline = wb.window.timeline();
        const Timeline::Lane &lane = laneOf(wb, tab);
        ui::TimelinePanel *panel = showResponseTimeline(tab);
        ui::TimelineView *view = panel->view();
        QTRY_VERIFY_WITH_TIMEOUT(view->isVisible() && view->viewport()->width() > 300, 2000);
        QCOMPARE(int(view->shownLanes().size()), 2);
        const int callRow = 1; // under its connection's lane

        QApplication::setActiveWindow(&wb.window);
        view->setFocus();
        QTRY_VERIFY_WITH_TIMEOUT(view->hasFocus(), 2000);
        // The focus frame in the highlight colour.
        QCOMPARE(view->viewport()->grab().toImage().pixelColor(1, view->viewport()->height() / 2),
                 view->palette().color(QPalette::Highlight));

        // Down from the connection's lane to the call's, then Home: the call's first event.
        QTest::keyClick(view, Qt::Key_Right);
        QVERIFY(view->selectedItem() != 0);
        QTest::keyClick(view, Qt::Key_Down);
        QCOMPARE(int(timeline.item(view->selectedItem()).lane), view->shownLanes()[callRow]);
        QTest::keyClick(view, Qt::Key_Home);
        const std::vector<quint64> events = eventsOf(timeline, lane);
        QCOMPARE(view->selectedItem(), events.front());
        QCOMPARE(timeline.item(events.front()).kind, Timeline::ItemKind::RequestHeaders);
        // Right walks every event in time order, Left walks back.
        for (std::size_t i = 1; i < events.size(); ++i) {
            QTest::keyClick(view, Qt::Key_Right);
            QCOMPARE(view->selectedItem(), events[i]);
        }
        QTest::keyClick(view, Qt::Key_Right); // the last stays selected
        QCOMPARE(view->selectedItem(), events.back());
        QTest::keyClick(view, Qt::Key_Left);
        QCOMPARE(view->selectedItem(), events[events.size() - 2]);
        QTest::keyClick(view, Qt::Key_End);
        QCOMPARE(view->selectedItem(), events.back());
        QCOMPARE(timeline.item(events.back()).kind, Timeline::ItemKind::Trailers);

        // Enter shows the selected event's details.
        QTest::keyClick(view, Qt::Key_Home);
        QTest::keyClick(view, Qt::Key_Right); // past the request headers: the first message or more
        const quint64 chosen = view->selectedItem();
        QSignalSpy activated(view, &ui::TimelineView::itemActivated);
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.first().first().value<quint64>(), chosen);
        const QString text = QString::fromUtf8(timeline.itemText(chosen).valueOr(QByteArray())).trimmed();
        QVERIFY(!text.isEmpty());
        QCOMPARE(panel->detailsText().trimmed(), text);

        // Up goes back to the connection's lane, to its event nearest in time.
        QTest::keyClick(view, Qt::Key_Up);
        QCOMPARE(int(timeline.item(view->selectedItem()).lane), view->shownLanes()[0]);
    }

    // Drawn in the palette it is given: a dark one gives dark lanes and marks that stand out.
    void theTimelineFollowsADarkPalette()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 5, "interval_ms": 20})"));
        QVERIFY(tab);
        ui::TimelinePanel *panel = wb.window.timelinePanel();
        for (const QPalette &palette : {QApplication::palette(), darkPalette()}) {
            panel->setPalette(palette);
            ui::TimelineView *view = panel->view();
            view->fit();
            const QImage image = view->viewport()->grab().toImage();
            const QColor base = palette.color(QPalette::Base);
            const QColor alternate = palette.color(QPalette::AlternateBase);
            // The empty space under the lanes is the palette's Base.
            QCOMPARE(image.pixelColor(image.width() - 5, image.height() - 3), base);
            // Lines show on it: the labels' edge, and the grid (they were the palette's Mid,
            // invisible where a dark theme's Mid is as dark as its Base).
            const QColor edge = image.pixelColor(ui::TimelineView::kLabelWidth - 4, image.height() - 3);
            QVERIFY2(contrast(edge, base) >= 2, qPrintable(edge.name()));
            int gridColumns = 0;
            for (int x = ui::TimelineView::kLabelWidth; x < image.width() - 5; ++x)
                gridColumns += contrast(image.pixelColor(x, image.height() - 3), base) >= 1.2;
            QVERIFY2(gridColumns >= 1, qPrintable(palette.color(QPalette::Mid).name()));
            const ui::TimelineColors colors = ui::TimelineColors::forPalette(palette);
            for (int m = 0; m < int(ui::TimelineMark::Count); ++m) {
                const QColor c = colors.of(ui::TimelineMark(m));
                QVERIFY2(
                    contrast(c, base) >= 3 && contrast(c, alternate) >= 3,
                    qPrintable(ui::timelineMarkName(ui::TimelineMark(m)) + QStringLiteral(" ") + c.name()));
            }
            // A mark in the view is drawn in its colour on that background.
            const QPoint at = view->itemPosition(laneOf(wb, tab).messages[2]);
            QCOMPARE(image.pixelColor(at), colors.received);
            // The legend sits on the same background.
            const QImage legend = panel->legend()->grab().toImage();
            QCOMPARE(legend.pixelColor(legend.width() - 2, legend.height() - 2), base);
        }
    }

    // At 200 % the marks are whole device pixels: a mark's block is exactly its colour.
    void marksAreCrispAtTwiceTheScale()
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab =
            call(wb, QStringLiteral("ServerStream"), QStringLiteral(R"({"count": 5, "interval_ms": 20})"));
        QVERIFY(tab);
        ui::TimelineView *view = wb.window.timelinePanel()->view();
        view->fit();
        const QSize size = view->viewport()->size();
        QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(2);
        QPainter painter(&image);
        view->render(painter, size);
        painter.end();
        const ui::TimelineColors colors = ui::TimelineColors::forPalette(view->palette());
        const QPoint at = view->itemPosition(laneOf(wb, tab).messages[2]);
        // The received mark: 3 x 7 logical pixels from (x-1, mid+2), 6 x 14 device pixels.
        const QPoint topLeft = (at + QPoint(-1, -3)) * 2;
        for (int dy = 0; dy < 14; ++dy) {
            for (int dx = 0; dx < 6; ++dx)
                QCOMPARE(image.pixelColor(topLeft + QPoint(dx, dy)), colors.received);
        }
        // And it ends there: no half-covered device pixels around it.
        QVERIFY(image.pixelColor(topLeft + QPoint(-1, 4)) != colors.received);
        QVERIFY(image.pixelColor(topLeft + QPoint(6, 4)) != colors.received);
    }

    // As a tester found it with `wirescope --demo`: a forecast, the same request with a field the
    // message does not have (rejected before anything was sent), then the body fixed and sent
    // again. The last call's Timeline tab shows its own stream and its frames; the rejected call
    // has no stream and ends where it ended.
    void aCallAfterOneRejectedBeforeSendingShowsItsOwnStream()
    {
        Workbench wb;
        ui::RequestTab *tab = openDemo(wb);
        QVERIFY(tab);
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        const int firstLane = tab->session().lane();
        tab->setBody(QStringLiteral(R"({"city":"Oslo","dayz":2})"));
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().local, tab->session().status().message.c_str());
        const int rejectedLane = tab->session().lane();
        tab->setBody(QStringLiteral(R"({"city":"Oslo","days":2})"));
        QVERIFY(sendAndWait(tab));
        QVERIFY2(tab->session().status().ok(), tab->session().status().message.c_str());
        const int lane = tab->session().lane();
        const Timeline &timeline = wb.window.timeline();
        QTRY_VERIFY_WITH_TIMEOUT(timeline.lanes()[std::size_t(lane)].streamId != 0, 5000);
        QTest::qWait(100); // the trailers' frames

        const Timeline::Lane &first = timeline.lanes()[std::size_t(firstLane)];
        const Timeline::Lane &rejected = timeline.lanes()[std::size_t(rejectedLane)];
        const Timeline::Lane &good = timeline.lanes()[std::size_t(lane)];
        QVERIFY(first.streamId != 0);
        QCOMPARE(good.connection, first.connection);
        QCOMPARE(good.streamId, first.streamId + 2); // the next stream the client opened
        QCOMPARE(rejected.streamId, quint32(0));
        QCOMPARE(rejected.lifeEndNs(rpc::monotonicNs()), rejected.endNs);

        ui::TimelinePanel *panel = showResponseTimeline(tab);
        QCOMPARE(panel->view()->clockLane(), lane);
        QVERIFY2(panel->view()->laneLabel(lane, 1000).endsWith(QStringLiteral(" · stream %1").arg(good.streamId)),
                 qPrintable(panel->view()->laneLabel(lane, 1000)));
        models::FramesModel *frames = panel->frames();
        QTRY_VERIFY_WITH_TIMEOUT(frames->count() > 0, 2000);
        bool headers = false, data = false;
        for (int row = 0; row < frames->count(); ++row) {
            const quint64 id = frames->frameId(row);
            const auto &f = timeline.frame(id);
            // Its stream and its connection's stream 0, nothing of the other calls.
            QVERIFY2(f.streamId == 0 || f.streamId == good.streamId, qPrintable(QString::number(f.streamId)));
            if (f.streamId != good.streamId)
                continue;
            QCOMPARE(f.lane, quint32(lane));
            headers = headers || (f.outbound && timeline.frameTypeName(id) == QLatin1String("HEADERS"));
            data = data || timeline.frameTypeName(id) == QLatin1String("DATA");
        }
        QVERIFY(headers);
        QVERIFY(data);
    }

    // The window, a call open and its timeline shown, fits a 1024x768 screen (the legend asked
    // for one row per entry and made it 1245 pixels tall).
    void theWindowFitsASmallScreen()
    {
        // As `wirescope --demo --send` starts.
        Workbench wb;
        ui::RequestTab *tab = openDemo(wb);
        QVERIFY(tab);
        QVERIFY(sendAndWait(tab));
        for (ui::RequestTab *shown : {tab}) {
            for (int page = 0; page < shown->response()->tabs()->count(); ++page) {
                shown->response()->tabs()->setCurrentIndex(page);
                QApplication::processEvents();
                const QSize min = wb.window.minimumSizeHint().expandedTo(wb.window.minimumSize());
                QVERIFY2(min.width() <= 1024 && min.height() <= 740,
                         qPrintable(QStringLiteral("%1x%2 with the %3 tab")
                                        .arg(min.width())
                                        .arg(min.height())
                                        .arg(shown->response()->tabs()->tabText(page))));
            }
        }
    }

private:
    SharedServer m_server;
};

QTEST_MAIN(TimelineGuiTest)
#include "timeline_gui_test.moc"
