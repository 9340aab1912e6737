// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline under a fast stream, measured against issue 4's budgets in one run:
//  1. GUI: a server stream of --messages small messages paced at --rate per second through the
//     wire tap, with the timeline dock open and following. A 5 ms timer on the UI thread
//     records every gap between its ticks; reported: the 99th percentile and the longest gap
//     (budget: p99 <= 50 ms), the rate the stream reached, and the process's RSS with every
//     message retained (budget: <= 300 MB).
//  2. Engine: the same kind of stream unpaced, directly and through the tap, alternating
//     rounds; reported: messages per second each way and their ratio (budget: the tap costs
//     <= 10 %).
// The server is bench::StreamBlaster, which can send faster than the stream is read.
//
// usage: wirescope-timelinebench [--messages N] [--rate R] [--engine-messages N] [--rounds N]
#include "blaster.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/sourcesmodel.h"
#include "models/timeline.h"
#include "rpc/schema.h"
#include "rpc/tap.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"

#include "freshhome.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// Every gap between ticks of a 5 ms timer on the UI thread.
class GapProbe
{
public:
    GapProbe()
    {
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_gaps.push_back(double(now - m_last) / 1e6);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    std::vector<double> stop()
    {
        m_timer.stop();
        std::sort(m_gaps.begin(), m_gaps.end());
        return m_gaps;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_gaps;
};

double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    return sorted[std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())))];
}

double rssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
    }
    return 0;
}

// One unpaced stream through the engine alone; returns messages per second.
double engineRun(const rpc::SchemaPtr &schema, const std::string &target, long messages)
{
    rpc::Engine engine;
    rpc::CallRequest r;
    r.callId = 1;
    r.schema = schema;
    r.method = "wirescope.testing.TestService/ServerStream";
    r.channel.target = target;
    r.channel.authority = "bench";
    r.messages = {"{}"};
    r.lazyDecodeBelow = 4096; // as the GUI asks
    const auto start = rpc::monotonicNs();
    engine.start(r);
    long received = 0;
    for (;;) {
        bool done = false;
        for (const auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(1000))) {
            received += e.kind == rpc::EventKind::MessageReceived;
            done = done || e.kind == rpc::EventKind::Finished;
        }
        if (done)
            break;
    }
    const double seconds = double(rpc::monotonicNs() - start) / 1e9;
    if (received != messages)
        std::fprintf(stderr, "engine run received %ld of %ld\n", received, messages);
    return double(received) / seconds;
}

} // namespace

int main(int argc, char **argv)
{
    long messages = 1000000;
    long rate = 200000;
    long engineMessages = 2000000;
    int rounds = 3;
    for (int i = 1; i + 1 < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--messages")
            messages = std::max(1L, std::atol(argv[++i]));
        else if (a == "--rate")
            rate = std::max(0L, std::atol(argv[++i]));
        else if (a == "--engine-messages")
            engineMessages = std::max(1L, std::atol(argv[++i]));
        else if (a == "--rounds")
            rounds = std::max(1, std::atoi(argv[++i]));
    }
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QTemporaryDir home;
    bench::useFreshDataFolders(home);
    QApplication app(argc, argv);
    rpc::setLibraryLogging(false);

    // Part 1: the GUI.
    bench::StreamBlaster paced(messages, rate);
    const std::string pacedAddress = paced.start();
    rpc::Engine engine;
    models::EngineBridge bridge(engine);
    models::SourcesModel sources;
    ui::MainWindow window(bridge, sources);
    window.resize(1280, 800);
    window.show();
    QSignalSpy loaded(&sources, &models::SourcesModel::sourceLoaded);
    const int id = window.addProtoSource(
        {QStringLiteral(WIRESCOPE_TEST_PROTO_DIR), QStringLiteral(WIRESCOPE_RESOURCE_PROTO_DIR)},
        {QStringLiteral("wirescope/testing/test.proto")});
    if (pacedAddress.empty() || !loaded.wait(30000)) {
        std::fprintf(stderr, "the server or the schema did not start\n");
        return 1;
    }
    ui::RequestTab *tab = window.openMethod(id, QStringLiteral("wirescope.testing.TestService/ServerStream"),
                                            QStringLiteral("{}"));
    tab->setTarget(QString::fromStdString(pacedAddress));
    QTest::qWait(300);
    const double rssBefore = rssMb();
    GapProbe probe;
    QSignalSpy finished(&tab->session(), &models::CallSession::finished);
    probe.start();
    tab->send();
    if (!finished.wait(600000) || !tab->session().status().ok()) {
        std::fprintf(stderr, "the stream failed: %s\n", tab->session().status().message.c_str());
        return 1;
    }
    QTest::qWait(200); // the last batch painted
    const auto gaps = probe.stop();
    const double seconds = double(tab->session().totalTime()) / 1e9;
    const double rssAfter = rssMb();
    const auto &timeline = window.timeline();
    std::printf(
        "{\"part\":\"gui\",\"messages\":%d,\"target_rate\":%ld,\"reached_rate\":%.0f,"
        "\"ui_gap_p99_ms\":%.1f,\"ui_gap_max_ms\":%.1f,\"ui_gap_median_ms\":%.1f,\"rss_before_mb\":%.0f,"
        "\"rss_after_mb\":%.0f,\"timeline_items\":%llu,\"frames\":%llu,\"dropped\":%llu}\n",
        tab->session().receivedCount(), rate, double(tab->session().receivedCount()) / seconds,
        percentile(gaps, 0.99), gaps.empty() ? 0 : gaps.back(), percentile(gaps, 0.5), rssBefore, rssAfter,
        static_cast<unsigned long long>(timeline.endItemId() - timeline.firstItemId()),
        static_cast<unsigned long long>(timeline.endFrameId() - timeline.firstFrameId()),
        static_cast<unsigned long long>(timeline.droppedItems()));
    std::fflush(stdout);

    // Part 2: the tap's cost to throughput, engine only, alternating rounds.
    bench::StreamBlaster fast(engineMessages, 0);
    const std::string fastAddress = fast.start();
    auto schema = sources.schema(id);
    std::vector<double> direct;
    std::vector<double> tapped;
    for (int round = 0; round < rounds; ++round) {
        direct.push_back(engineRun(schema, fastAddress, engineMessages));
        rpc::wire::Tap tap;
        auto relay = tap.start(fastAddress);
        if (!relay) {
            std::fprintf(stderr, "%s\n", relay.error().message.c_str());
            return 1;
        }
        tapped.push_back(engineRun(schema, relay.value(), engineMessages));
        std::size_t frames = 0;
        for (const auto &e : tap.drain())
            frames += e.kind == rpc::wire::WireEvent::Kind::Frame;
        std::printf("{\"part\":\"tap\",\"round\":%d,\"direct_msgs_per_s\":%.0f,\"tapped_msgs_per_s\":%.0f,"
                    "\"tapped_frames\":%zu}\n",
                    round + 1, direct.back(), tapped.back(), frames);
        std::fflush(stdout);
    }
    std::sort(direct.begin(), direct.end());
    std::sort(tapped.begin(), tapped.end());
    const double d = direct[direct.size() / 2];
    const double t = tapped[tapped.size() / 2];

    std::printf("\n| measure | result | budget | ratio to budget |\n|---|---|---|---|\n");
    std::printf("| UI gap p99, %ld msg/s stream (reached %.0f/s), timeline open | %.1f ms | 50 ms | %.2f |\n",
                rate, double(tab->session().receivedCount()) / seconds, percentile(gaps, 0.99),
                percentile(gaps, 0.99) / 50);
    std::printf("| longest UI gap in that stream | %.1f ms | — | — |\n", gaps.empty() ? 0 : gaps.back());
    std::printf("| RSS with %d messages retained | %.0f MB (%.0f MB before) | 300 MB | %.2f |\n",
                tab->session().receivedCount(), rssAfter, rssBefore, rssAfter / 300);
    std::printf(
        "| engine stream, tapped / direct (median of %d) | %.0f / %.0f msg/s = %.3f | >= 0.90 | %.2f |\n",
        rounds, t, d, t / d, (t / d) / 0.9);
    return 0;
}
