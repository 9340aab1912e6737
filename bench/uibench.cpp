// SPDX-License-Identifier: GPL-3.0-or-later
// How long the UI thread stalls while a 20 MB response arrives and is shown, measured by a
// timer probe on the UI thread, next to what formatting the same bytes on the UI thread would
// cost (what a client that decodes in its UI would stall for); and how long the window takes
// to be made, shown and painted, next to an empty QMainWindow and to the bare frame of a window
// of its shape. One run, side by side.
//
// usage: wirescope-uibench [--rounds N] [--megabytes N] [--only stall|paint] [--trace]
//   --only: one of the two measures (paint means something only on a real X server: offscreen,
//           an empty window is not drawn at all, so scripts/bench.sh runs it under xvfb);
//   --trace: also print, per round, the slowest events the UI thread handled (receiver, event,
//            and for queued calls the slot), and the slowest widgets' paint events within
//            them, to find where a stall comes from; and the same while the workbench window
//            is shown and painted.
#include "testserver.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/sourcesmodel.h"
#include "rpc/schema.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/responsepanel.h"

#include "freshhome.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QWindow>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace {

// Records the longest gap between ticks of a 1 ms timer on the UI thread.
class StallProbe
{
public:
    StallProbe()
    {
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_longest = 0;
        m_timer.start();
    }
    double stopMs()
    {
        m_timer.stop();
        return double(std::max(m_longest, m_clock.nsecsElapsed() - m_last)) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

// A request whose echo is about `megabytes` of structured JSON: many small items, one per
// line as a person or a generator would lay it out.
std::string bigEchoRequest(int megabytes)
{
    std::string json = "{\n  \"text\": \"big\",\n  \"items\": [\n";
    const int items = megabytes * 1024 * 1024 / 19; // about 19 bytes per item on the wire
    for (int i = 0; i < items; ++i) {
        json += (i ? ",\n" : "");
        json += R"(    {"name": "item-)" + std::to_string(i) + R"(", "value": )" + std::to_string(i) + "}";
    }
    return json + "\n  ]\n}\n";
}

// An application that times every event it hands out at the top level (not the ones sent
// from inside another), keeping the slowest, with what received it.
class TracingApplication final : public QApplication
{
public:
    using QApplication::QApplication;
    bool tracing = false;
    struct Slow
    {
        double ms;
        std::string what;
    };
    std::vector<Slow> slowest;

    bool notify(QObject *receiver, QEvent *event) override
    {
        // Only the UI thread's events: workers' queued jobs come through here too.
        if (QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        // Paint events come inside the window's UpdateRequest, resizes and shows inside a
        // layout: each widget's is timed too, so a slow repaint or relayout names the widget.
        if (tracing && m_depth > 0) {
            const char *kind = nestedKind(event->type());
            if (!kind)
                return QApplication::notify(receiver, event);
            QElapsedTimer t;
            t.start();
            const bool result = QApplication::notify(receiver, event);
            const double ms = double(t.nsecsElapsed()) / 1e6;
            if (ms >= 1)
                slowest.push_back({ms, std::string("  ") + kind + " of " +
                                           receiver->metaObject()->className() + " " +
                                           receiver->objectName().toStdString()});
            return result;
        }
        if (!tracing || m_depth > 0)
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const int type = int(event->type());
        const bool result = QApplication::notify(receiver, event);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        --m_depth;
        if (ms >= 5) {
            std::string what = std::string(receiver->metaObject()->className()) + " " +
                               receiver->objectName().toStdString() + " event " + std::to_string(type);
            // A plain QObject (a helper made for one job) is named by its parent.
            if (receiver->metaObject() == &QObject::staticMetaObject && receiver->parent())
                what += std::string(" (child of ") + receiver->parent()->metaObject()->className() + ")";
            slowest.push_back({ms, what});
        }
        return result;
    }

    void report()
    {
        std::sort(slowest.begin(), slowest.end(), [](const Slow &a, const Slow &b) { return a.ms > b.ms; });
        for (std::size_t i = 0; i < std::min<std::size_t>(slowest.size(), 12); ++i)
            std::printf("  %.1f ms  %s\n", slowest[i].ms, slowest[i].what.c_str());
        slowest.clear();
    }

private:
    static const char *nestedKind(QEvent::Type type)
    {
        switch (type) {
        case QEvent::Paint:
            return "paint";
        case QEvent::Resize:
            return "resize";
        case QEvent::Show:
            return "show";
        case QEvent::LayoutRequest:
            return "layout";
        default:
            return nullptr;
        }
    }
    int m_depth = 0;
};

// Time from construction until a window has been shown and painted whole once, with the points
// on the way; and, apart, how long a second paint of the whole window takes.
struct PaintTimes
{
    double madeMs = -1;
    double shownMs = -1;   // show() returned
    double paintedMs = -1; // the first expose handled: the whole window painted once
    double repaintMs = -1;
};

template<typename Make> PaintTimes timeToPainted(Make make, QSize size)
{
    PaintTimes times;
    QElapsedTimer t;
    t.start();
    std::unique_ptr<QWidget> window = make();
    times.madeMs = double(t.nsecsElapsed()) / 1e6;
    window->resize(size);
    window->show();
    times.shownMs = double(t.nsecsElapsed()) / 1e6;
    // Not QTest::qWaitForWindowExposed: it sleeps 10 ms between looks, which rounds every time
    // up to the next 10 ms. Blocked waiting for events instead, the loop wakes when the expose
    // comes; once processEvents returns with the window exposed, the expose has been handled,
    // and handling it painted the whole window. The timer only bounds the wait.
    QDeadlineTimer deadline(5000);
    QTimer wake;
    wake.start(100);
    while (!window->windowHandle() || !window->windowHandle()->isExposed()) {
        if (deadline.hasExpired())
            return {};
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    times.paintedMs = double(t.nsecsElapsed()) / 1e6;
    t.restart();
    window->repaint();
    times.repaintMs = double(t.nsecsElapsed()) / 1e6;
    return times;
}

// The workbench's frame alone, for scale: its menu bar, a toolbar of five actions, a status
// line, three docks holding an empty tree each and a tab widget with one label. What a window
// of this shape costs before any of its own content.
std::unique_ptr<QWidget> makeFrame()
{
    auto window = std::make_unique<QMainWindow>();
    for (const char *menu : {"File", "Request", "View", "Help"})
        window->menuBar()->addMenu(QString::fromLatin1(menu));
    QToolBar *tools = window->addToolBar(QStringLiteral("Tools"));
    for (const char *action : {"New", "Server", "Demo", "Send", "Cancel"})
        tools->addAction(QString::fromLatin1(action));
    window->statusBar()->showMessage(QStringLiteral("No schema loaded"));
    for (const char *dock : {"Services", "Collection", "Timeline"}) {
        auto *d = new QDockWidget(QString::fromLatin1(dock), window.get());
        d->setWidget(new QTreeView(d));
        window->addDockWidget(std::strcmp(dock, "Timeline") ? Qt::LeftDockWidgetArea : Qt::BottomDockWidgetArea, d);
    }
    auto *tabs = new QTabWidget(window.get());
    tabs->addTab(new QLabel(QStringLiteral("Wirescope"), tabs), QStringLiteral("Welcome"));
    window->setCentralWidget(tabs);
    return window;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    int rounds = 3;
    int megabytes = 20;
    bool trace = false;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--trace")
            trace = true;
        else if (i + 1 >= argc)
            break;
        else if (a == "--rounds")
            rounds = std::max(1, std::atoi(argv[++i]));
        else if (a == "--megabytes")
            megabytes = std::max(1, std::atoi(argv[++i]));
        else if (a == "--only")
            only = argv[++i];
    }
    const bool measureStall = only != "paint";
    const bool measurePaint = only != "stall";
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QTemporaryDir home;
    bench::useFreshDataFolders(home);
    TracingApplication app(argc, argv);
    rpc::setLibraryLogging(false);

    testing_server::TestServer server;
    if (!server.start()) {
        std::fprintf(stderr, "the test server did not start\n");
        return 1;
    }
    rpc::Engine engine;
    models::EngineBridge bridge(engine);
    models::SourcesModel sources;
    ui::MainWindow window(bridge, sources);
    window.show();
    QSignalSpy loaded(&sources, &models::SourcesModel::sourceLoaded);
    const int id = window.addProtoSource(
        {QStringLiteral(WIRESCOPE_TEST_PROTO_DIR), QStringLiteral(WIRESCOPE_RESOURCE_PROTO_DIR)},
        {QStringLiteral("wirescope/testing/test.proto")});
    if (!loaded.wait(30000)) {
        std::fprintf(stderr, "schema did not load\n");
        return 1;
    }
    std::vector<double> appStall, afterSendStall, uiFormat, responseMb;
    if (measureStall) {
        ui::RequestTab *tab = window.openMethod(id, QStringLiteral("wirescope.testing.TestService/Echo"));
        tab->setTarget(QString::fromStdString(server.address()));
        tab->findChild<QSpinBox *>(QStringLiteral("maxReceiveBox"))
            ->setValue(int(std::min<qint64>(qint64(4) * megabytes * 1024 * 1024,
                                            std::numeric_limits<int>::max()))); // bytes
        const std::string request = bigEchoRequest(megabytes);
        tab->setBody(QString::fromStdString(request));
        // The editor's background check of the request finishes first.
        QElapsedTimer validation;
        validation.start();
        QTest::qWait(500);
        while (tab->isValidating())
            QTest::qWait(50);
        std::printf("{\"request_check_ms\":%lld}\n", validation.elapsed() - 500);
        auto schema = sources.schema(id);

        for (int round = 0; round < rounds; ++round) {
            // Wirescope: the engine decodes and formats on its thread; the UI thread shows it.
            QSignalSpy finished(&tab->session(), &models::CallSession::finished);
            StallProbe probe;
            probe.start();
            app.tracing = trace;
            QElapsedTimer sendTime;
            sendTime.start();
            tab->send();
            const double sendMs = double(sendTime.nsecsElapsed()) / 1e6;
            // The same, from the moment Send returned: the reply's arrival and showing alone.
            StallProbe afterSend;
            afterSend.start();
            if (!finished.wait(120000) || !tab->session().status().ok()) {
                std::fprintf(stderr, "call failed: %s\n", tab->session().status().message.c_str());
                return 1;
            }
            QTest::qWait(300); // painting of the shown message included
            appStall.push_back(probe.stopMs());
            afterSendStall.push_back(afterSend.stopMs());
            app.tracing = false;
            const auto *messages = tab->session().messages();
            const QByteArray replyJson = messages->text(1).valueOr(QByteArray());
            responseMb.push_back(double(tab->session().timeline().item(messages->itemId(1)).size) /
                                 (1024 * 1024));

            // The same bytes decoded and formatted on the UI thread, as a naive client would.
            auto bytes = schema->encode("wirescope.testing.EchoResponse", replyJson.toStdString(),
                                        rpc::CodecOptions{});
            QElapsedTimer t;
            t.start();
            auto text = schema->decode("wirescope.testing.EchoResponse", *bytes, rpc::CodecOptions{});
            uiFormat.push_back(double(t.nsecsElapsed()) / 1e6);
            std::printf("{\"round\":%d,\"response_mib\":%.1f,\"json_mib\":%.1f,\"ui_longest_stall_ms\":%.1f,"
                        "\"after_send_ms\":%.1f,\"format_on_ui_thread_ms\":%.1f,\"send_ms\":%.1f}\n",
                        round + 1, responseMb.back(), double(replyJson.size()) / (1024 * 1024),
                        appStall.back(), afterSendStall.back(), uiFormat.back(), sendMs);
            if (trace)
                app.report();
            std::fflush(stdout);
        }
    }

    // The workbench window against an empty QMainWindow of the same size, each made, shown and
    // painted from scratch, and the workbench's bare frame (makeFrame) for scale; one of each
    // first, so none pays for loading fonts and styles.
    const QSize size = window.size();
    std::vector<double> workbenchPaint, emptyPaint, framePaint;
    if (measurePaint) {
        // The window of the stall measure is hidden: left on screen, it is uncovered each time a
        // timed window goes, and repainting it (2-3 ms) fell inside the next round's time.
        window.hide();
        auto makeWorkbench = [&] { return std::make_unique<ui::MainWindow>(bridge, sources); };
        auto makeEmpty = [] { return std::make_unique<QMainWindow>(); };
        timeToPainted(makeEmpty, size);
        timeToPainted(makeFrame, size);
        timeToPainted(makeWorkbench, size);
        for (int round = 0; round < std::max(rounds, 5); ++round) {
            const PaintTimes empty = timeToPainted(makeEmpty, size);
            const PaintTimes frame = timeToPainted(makeFrame, size);
            app.tracing = trace;
            const PaintTimes workbench = timeToPainted(makeWorkbench, size);
            app.tracing = false;
            emptyPaint.push_back(empty.paintedMs);
            framePaint.push_back(frame.paintedMs);
            workbenchPaint.push_back(workbench.paintedMs);
            std::printf("{\"paint_round\":%d,\"workbench_ms\":%.1f,\"workbench_made_shown_ms\":[%.1f,%.1f],"
                        "\"workbench_repaint_ms\":%.1f,\"frame_ms\":%.1f,\"empty_main_window_ms\":%.1f,"
                        "\"empty_made_shown_ms\":[%.1f,%.1f],\"empty_repaint_ms\":%.1f}\n",
                        round + 1, workbench.paintedMs, workbench.madeMs, workbench.shownMs, workbench.repaintMs,
                        frame.paintedMs, empty.paintedMs, empty.madeMs, empty.shownMs, empty.repaintMs);
            if (trace)
                app.report();
        }
    }

    if (measureStall)
        std::printf(
            "\n| measure (median of %d rounds) | Wirescope | formatting on the UI thread | ratio |\n"
            "|---|---|---|---|\n"
            "| longest UI-thread stall, %.0f MiB unary response, from Send (ms) | %.1f | %.1f | %.2f |\n"
            "| the same from when Send returned (ms) | %.1f | %.1f | %.2f |\n"
            "| the worst round, from Send (ms) | %.1f | | |\n",
            rounds, median(responseMb), median(appStall), median(uiFormat),
            median(appStall) / median(uiFormat), median(afterSendStall), median(uiFormat),
            median(afterSendStall) / median(uiFormat), *std::max_element(appStall.begin(), appStall.end()));
    if (measurePaint)
        std::printf("\n| measure (median of %d rounds, %dx%d) | Wirescope window | empty QMainWindow | ratio |\n"
                    "|---|---|---|---|\n"
                    "| made, shown and painted once (ms) | %.1f | %.1f | %.2f |\n"
                    "| the bare frame alone, for scale (ms) | %.1f | %.1f | %.2f |\n",
                    int(emptyPaint.size()), size.width(), size.height(), median(workbenchPaint),
                    median(emptyPaint), median(workbenchPaint) / median(emptyPaint), median(framePaint),
                    median(emptyPaint), median(framePaint) / median(emptyPaint));
    return 0;
}
