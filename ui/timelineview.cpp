// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline widget: its lanes, the time-to-pixel mapping, scrolling and painting. Finding and
// stepping between events, tooltips, mouse and keys are in timelineview_navigation.cpp; the marks'
// colours and shapes and the legend in timelinemarks.cpp. What it shows (models/timeline*.cpp)
// and its tools (ui/timelinepanel.cpp) are elsewhere.
#include "ui/timelineview.h"

#include "timelineview_p.h"

#include "models/timeline.h"

#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>

namespace ui {

using models::Timeline;

namespace {

constexpr int kScrollUnits = 100000;
constexpr double kMinNsPerPixel = 10;
constexpr qint64 kMinFitSpan = 20000; // 20 µs: a call shorter than that is not stretched further

// Ticks at 1, 2 or 5 × a power of ten, about every 90 pixels.
qint64 tickStep(double nsPerPixel)
{
    const double want = nsPerPixel * 90;
    double step = std::pow(10.0, std::floor(std::log10(std::max(want, 1.0))));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (step * m >= want)
            return qint64(step * m);
    }
    return qint64(step * 10);
}

QString tickLabel(qint64 ns, qint64 step)
{
    if (step >= 1000000000)
        return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', step >= 10000000000 ? 0 : 1);
    if (step >= 1000000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', step >= 10000000 ? 0 : 1);
    return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', step >= 10000 ? 0 : 1);
}

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

} // namespace

TimelineView::TimelineView(Timeline &timeline, QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_timeline(timeline)
{
    setObjectName(QStringLiteral("timelineView"));
    viewport()->setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    // A call under its connection, above the scroll bar.
    setMinimumHeight(kAxisHeight + 2 * kLaneHeight + horizontalScrollBar()->sizeHint().height() +
                     2 * frameWidth());
    setAccessibleName(tr("Timeline"));
    setAccessibleDescription(tr("Arrow keys move between events, Home and End go to a lane's first and "
                                "last event, Enter shows the selected event"));
    m_liveTimer.setObjectName(QStringLiteral("timelineLive")); // named for traces
    m_liveTimer.setInterval(250);
    m_liveTimer.setSingleShot(true);
    connect(&m_liveTimer, &QTimer::timeout, this, &TimelineView::onItemsAppended);
    connect(&timeline, &Timeline::lanesChanged, this, &TimelineView::rebuildLanes);
    connect(&timeline, &Timeline::itemsAppended, this, &TimelineView::onItemsAppended);
    connect(&timeline, &Timeline::framesAppended, this, &TimelineView::onItemsAppended);
    connect(&timeline, &Timeline::dropped, this, &TimelineView::onItemsAppended);
    connect(&timeline, &Timeline::cleared, this, [this] {
        m_selected = 0;
        m_knownLanes = 0;
        m_viewStart = 0;
        m_autoFit = true;
        rebuildLanes();
    });
    rebuildLanes();
}

void TimelineView::setLaneFilter(std::vector<int> lanes)
{
    m_laneFilter = std::move(lanes);
    m_autoFit = true;
    rebuildLanes();
    fit();
}

void TimelineView::setDirectionFilter(DirectionFilter filter)
{
    m_direction = filter;
    viewport()->update();
}

void TimelineView::setTextFilter(const QString &text)
{
    m_text = text.trimmed();
    m_autoFit = true;
    rebuildLanes();
    fit();
}

void TimelineView::setClockLane(int lane)
{
    if (lane == m_clockLane)
        return;
    m_clockLane = lane;
    m_autoFit = true;
    fit();
}

qint64 TimelineView::origin() const
{
    const auto &lanes = m_timeline.lanes();
    if (m_clockLane >= 0 && m_clockLane < int(lanes.size()))
        return lanes[std::size_t(m_clockLane)].startNs;
    return m_timeline.startNs();
}

void TimelineView::setFollow(bool follow)
{
    m_follow = follow;
    if (follow)
        onItemsAppended();
    else
        m_autoFit = false; // the view stays where it is
    emit viewChanged();
}

void TimelineView::rebuildLanes()
{
    const auto &lanes = m_timeline.lanes();
    std::vector<quint32> wantedConnections;
    for (int lane : m_laneFilter) {
        if (lane >= 0 && lane < int(lanes.size()) && lanes[std::size_t(lane)].connection)
            wantedConnections.push_back(lanes[std::size_t(lane)].connection);
    }
    std::vector<int> shown;
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const auto &lane = lanes[i];
        if (!m_laneFilter.empty()) {
            const bool listed =
                std::find(m_laneFilter.begin(), m_laneFilter.end(), int(i)) != m_laneFilter.end();
            const bool itsConnection = lane.kind == Timeline::Lane::Kind::Connection &&
                                       std::find(wantedConnections.begin(), wantedConnections.end(),
                                                 lane.connection) != wantedConnections.end();
            if (!listed && !itsConnection)
                continue;
        }
        if (!m_text.isEmpty() && !lane.label().contains(m_text, Qt::CaseInsensitive) &&
            !lane.method.contains(m_text, Qt::CaseInsensitive) &&
            !lane.target.contains(m_text, Qt::CaseInsensitive))
            continue;
        shown.push_back(int(i));
    }

    // One channel, many streams: each connection's lane heads a group with the lanes of the
    // streams it carried, in the order they opened. A call that went directly (or whose stream
    // is not known yet) is a group of its own. Groups follow in the order they began.
    std::map<quint32, int> connectionLane; // connection number -> its lane, when shown
    for (int i : shown) {
        const auto &lane = lanes[std::size_t(i)];
        if (lane.kind == Timeline::Lane::Kind::Connection)
            connectionLane[lane.connection] = i;
    }
    struct Entry
    {
        int groupKey = 0; // the smallest lane index in the group
        int head = 0;     // the connection's lane, or the call itself
        bool isHead = true;
        int lane = 0;
    };
    std::map<int, int> groupKey; // head lane -> smallest lane index in its group
    std::vector<Entry> entries;
    for (int i : shown) {
        const auto &lane = lanes[std::size_t(i)];
        Entry e;
        e.lane = i;
        e.head = i;
        if (lane.kind == Timeline::Lane::Kind::Call && lane.connection) {
            if (const auto c = connectionLane.find(lane.connection); c != connectionLane.end()) {
                e.head = c->second;
                e.isHead = false;
            }
        }
        auto [it, fresh] = groupKey.emplace(e.head, i);
        if (!fresh)
            it->second = std::min(it->second, i);
        entries.push_back(e);
    }
    for (auto &e : entries)
        e.groupKey = groupKey[e.head];
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        if (a.groupKey != b.groupKey)
            return a.groupKey < b.groupKey;
        if (a.isHead != b.isHead)
            return a.isHead;
        return a.lane < b.lane;
    });
    m_shown.clear();
    m_rows.clear();
    int group = -1;
    for (std::size_t r = 0; r < entries.size(); ++r) {
        Row row;
        row.groupStart = r == 0 || entries[r].groupKey != entries[r - 1].groupKey;
        if (row.groupStart)
            ++group;
        row.group = group;
        row.nested = !entries[r].isHead;
        row.lastNested =
            row.nested && (r + 1 == entries.size() || entries[r + 1].groupKey != entries[r].groupKey);
        m_shown.push_back(entries[r].lane);
        m_rows.push_back(row);
    }
    const bool newLane = lanes.size() > m_knownLanes;
    m_knownLanes = lanes.size();
    if (m_autoFit)
        fit();
    updateScrollBars();
    // Following, a new call's lane comes into view too: it was added below the rows shown.
    if (m_follow && newLane)
        revealRow(rowOfLane(int(lanes.size()) - 1));
    viewport()->update();
}

void TimelineView::revealRow(int row)
{
    if (row < 0)
        return;
    QScrollBar *v = verticalScrollBar();
    if (row < v->value())
        v->setValue(row);
    else if (row >= v->value() + v->pageStep())
        v->setValue(row - v->pageStep() + 1);
}

void TimelineView::onItemsAppended()
{
    // Until the user zooms or pans, the shown calls stay fitted to the width.
    if (m_autoFit) {
        fit();
        return;
    }
    if (m_follow) {
        // Only the calls drive Follow: once they have ended their range stops growing and the
        // view stays, whatever the connection says afterwards (PINGs, WINDOW_UPDATEs, GOAWAY).
        const qint64 span = viewSpan();
        const qint64 end = fitRange().second + qint64(kFitPadRight * m_nsPerPixel);
        if (end > m_viewStart + span)
            setViewStart(end - span * 9 / 10);
    }
    updateScrollBars();
    viewport()->update();
}

std::pair<qint64, qint64> TimelineView::lanesRange(bool callsOnly) const
{
    const auto &lanes = m_timeline.lanes();
    bool anyCall = false;
    if (callsOnly) {
        for (int i : m_shown)
            anyCall = anyCall || lanes[std::size_t(i)].kind == Timeline::Lane::Kind::Call;
    }
    const qint64 now = rpc::monotonicNs();
    const qint64 firstKept = m_timeline.startNs();
    const bool empty = m_timeline.firstItemId() == m_timeline.endItemId() &&
                       m_timeline.firstFrameId() == m_timeline.endFrameId();
    qint64 from = LLONG_MAX;
    qint64 to = LLONG_MIN;
    for (int i : m_shown) {
        const auto &lane = lanes[std::size_t(i)];
        if (anyCall && lane.kind != Timeline::Lane::Kind::Call)
            continue;
        // Dropped by retention: the lane's kept part starts at the timeline's first event.
        from = std::min(from, empty ? lane.startNs : std::max(lane.startNs, firstKept));
        to = std::max(to, lane.lifeEndNs(now));
    }
    const qint64 org = origin();
    if (from == LLONG_MAX)
        return {0, 1000000};
    return {from - org, std::max(to, from) - org};
}

std::pair<qint64, qint64> TimelineView::fitRange() const
{
    return lanesRange(true);
}

std::pair<qint64, qint64> TimelineView::contentRange() const
{
    return lanesRange(false);
}

qint64 TimelineView::viewSpan() const
{
    return qint64(std::max(1, viewport()->width() - kLabelWidth) * m_nsPerPixel);
}

int TimelineView::timeToX(qint64 relNs) const
{
    const double x = kLabelWidth + double(relNs - m_viewStart) / m_nsPerPixel;
    return int(std::clamp(x, -1e6, 1e6));
}

qint64 TimelineView::xToTime(int x) const
{
    return m_viewStart + qint64(double(x - kLabelWidth) * m_nsPerPixel);
}

void TimelineView::setViewStart(qint64 start)
{
    // Anywhere from a little before the first thing shown to a little after the last.
    const auto [from, to] = contentRange();
    const qint64 lo = from - qint64(kFitPadLeft * m_nsPerPixel);
    const qint64 hi = std::max(lo, to + qint64(kFitPadRight * m_nsPerPixel) - viewSpan());
    m_viewStart = std::clamp(start, lo, hi);
}

void TimelineView::panTo(qint64 start)
{
    // The user moved the view: it stays where it was put.
    setViewStart(start);
    m_follow = false;
    m_autoFit = false;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::zoom(double factor, int anchorX)
{
    if (anchorX < kLabelWidth)
        anchorX = kLabelWidth + (viewport()->width() - kLabelWidth) / 2;
    const qint64 anchor = xToTime(anchorX);
    m_nsPerPixel = std::clamp(m_nsPerPixel / factor, kMinNsPerPixel, 1e10);
    setViewStart(anchor - qint64(double(anchorX - kLabelWidth) * m_nsPerPixel));
    if (factor > 1)
        m_follow = false; // zooming in to look closer stops the view from running away
    m_autoFit = false;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::fit()
{
    const auto [from, to] = fitRange();
    const int width = std::max(100, viewport()->width() - kLabelWidth - kFitPadLeft - kFitPadRight);
    m_nsPerPixel = std::max(kMinNsPerPixel, double(std::max(to - from, kMinFitSpan)) / width);
    m_viewStart = from - qint64(kFitPadLeft * m_nsPerPixel);
    m_autoFit = true;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::updateScrollBars()
{
    m_updatingScrollBars = true;
    const auto [from, to] = contentRange();
    const qint64 span = viewSpan();
    const qint64 lo = std::min(m_viewStart, from - qint64(kFitPadLeft * m_nsPerPixel));
    const qint64 hi = std::max(m_viewStart + span, to + qint64(kFitPadRight * m_nsPerPixel));
    QScrollBar *h = horizontalScrollBar();
    if (hi - lo <= span) {
        h->setRange(0, 0);
    } else {
        const qint64 total = hi - lo;
        h->setRange(0, kScrollUnits);
        h->setPageStep(int(std::clamp<double>(double(span) / double(total) * kScrollUnits, 1, kScrollUnits)));
        h->setValue(int(double(m_viewStart - lo) / double(std::max<qint64>(1, total - span)) * kScrollUnits));
    }
    const int rows = std::max(1, (viewport()->height() - kAxisHeight) / kLaneHeight);
    QScrollBar *v = verticalScrollBar();
    v->setRange(0, std::max(0, int(m_shown.size()) - rows));
    v->setPageStep(rows);
    m_updatingScrollBars = false;
}

void TimelineView::scrollContentsBy(int dx, int)
{
    if (m_updatingScrollBars)
        return;
    if (dx != 0) {
        const auto [from, to] = contentRange();
        const qint64 span = viewSpan();
        const qint64 lo = std::min(m_viewStart, from - qint64(kFitPadLeft * m_nsPerPixel));
        const qint64 hi = std::max(m_viewStart + span, to + qint64(kFitPadRight * m_nsPerPixel));
        QScrollBar *h = horizontalScrollBar();
        if (h->maximum() > 0)
            m_viewStart =
                lo + qint64(double(h->value()) / kScrollUnits * double(std::max<qint64>(1, hi - lo - span)));
        m_follow = m_follow && h->value() >= h->maximum();
        m_autoFit = false;
    }
    viewport()->update();
    emit viewChanged();
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    if (m_autoFit)
        fit();
    updateScrollBars();
}

int TimelineView::laneRowAt(int y) const
{
    if (y < kAxisHeight)
        return -1;
    const int row = (y - kAxisHeight) / kLaneHeight + verticalScrollBar()->value();
    return row < int(m_shown.size()) ? row : -1;
}

int TimelineView::rowOfLane(int lane) const
{
    const auto found = std::find(m_shown.begin(), m_shown.end(), lane);
    return found == m_shown.end() ? -1 : int(found - m_shown.begin());
}

bool TimelineView::passesDirection(quint64 id) const
{
    if (m_direction == DirectionFilter::Both)
        return true;
    const auto dir = m_timeline.item(id).direction;
    return m_direction == DirectionFilter::Sent ? dir == Timeline::Direction::Outbound
                                                : dir == Timeline::Direction::Inbound;
}

bool TimelineView::shownItem(quint64 id) const
{
    return m_timeline.hasItem(id) && passesDirection(id);
}

QString TimelineView::laneLabel(int laneIndex, int width) const
{
    if (laneIndex < 0 || laneIndex >= int(m_timeline.lanes().size()))
        return {};
    const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    const QFontMetrics fm = fontMetrics();
    const QString sep = QStringLiteral(" · ");
    QString name = lane.name();
    QString kept;     // always shown whole: the stream id, or the connection's number
    QString optional; // shown when there is room: status, drops, a connection's target
    if (lane.kind == Timeline::Lane::Kind::Connection) {
        // "connection 2 · host:port": the number stays, the target is cut at its end.
        const QString head = name + sep;
        return fm.elidedText(head + lane.target, Qt::ElideRight, width).startsWith(head)
                   ? fm.elidedText(head + lane.target, Qt::ElideRight, width)
                   : fm.elidedText(name, Qt::ElideRight, width);
    }
    // An HTTP/1.1 request line ("POST /prefix/pkg.Svc/Method HTTP/1.1") keeps its method and
    // version; a long path gives way in its middle.
    if (!lane.exchange.isEmpty()) {
        const qsizetype a = lane.exchange.indexOf(QLatin1Char(' '));
        const qsizetype b = lane.exchange.lastIndexOf(QLatin1Char(' '));
        if (a > 0 && b > a) {
            const QString method = lane.exchange.left(a + 1);
            const QString version = lane.exchange.mid(b);
            const int room = width / 2 - fm.horizontalAdvance(method + version);
            kept = sep + method +
                   fm.elidedText(lane.exchange.mid(a + 1, b - a - 1), Qt::ElideMiddle,
                                 std::max(room, fm.horizontalAdvance(QStringLiteral("/…")))) +
                   version;
        } else {
            kept = sep + lane.exchange;
        }
    } else if (lane.streamId)
        kept = sep + lane.wireName();
    if (!lane.running() && !lane.status.ok())
        optional += sep + QString::fromStdString(rpc::statusCodeName(lane.status.code));
    if (lane.droppedMessages)
        optional += sep + tr("%1 dropped").arg(lane.droppedMessages);
    const QString full = name + kept + optional;
    if (fm.horizontalAdvance(full) <= width)
        return full;
    // The name is cut at its end; what must stay (the stream id) is never cut. The status and
    // drop count go first when the name would be left with too little.
    const int minName = fm.horizontalAdvance(name.left(4) + QStringLiteral("…"));
    QString tail = kept + optional;
    if (!optional.isEmpty() && width - fm.horizontalAdvance(tail) < minName)
        tail = kept;
    const int room = width - fm.horizontalAdvance(tail);
    if (room <= fm.horizontalAdvance(QStringLiteral("…")))
        return fm.elidedText(tail.mid(sep.size()), Qt::ElideRight, width);
    return fm.elidedText(name, Qt::ElideRight, room) + tail;
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    paintInto(p, viewport()->size(), verticalScrollBar()->value(), hasFocus());
}

void TimelineView::render(QPainter &painter, const QSize &size) const
{
    paintInto(painter, size, verticalScrollBar()->value(), false);
}

void TimelineView::paintInto(QPainter &p, const QSize &size, int firstRow, bool focusShown) const
{
    const QPalette &pal = palette();
    const TimelineColors colors = TimelineColors::forPalette(pal);
    p.setFont(font());
    p.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing, false);
    const qint64 org = origin();
    const int plotRight = size.width();
    const QColor faint = colors.faintRule;

    // Time axis; its corner names the clock.
    p.fillRect(QRect(0, 0, size.width(), kAxisHeight), pal.color(QPalette::AlternateBase));
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(QRect(6, 0, kLabelWidth - 12, kAxisHeight), Qt::AlignVCenter | Qt::AlignLeft,
               fontMetrics().elidedText(m_clockLane >= 0 ? tr("time since the call started")
                                                         : tr("time since the first event"),
                                        Qt::ElideRight, kLabelWidth - 12));
    const qint64 step = tickStep(m_nsPerPixel);
    const qint64 firstTick = floorDiv(m_viewStart, step) * step;
    for (qint64 t = firstTick; timeToX(t) < plotRight; t += step) {
        const int x = timeToX(t);
        if (x < kLabelWidth)
            continue;
        p.setPen(faint);
        p.drawLine(x, kAxisHeight, x, size.height());
        p.setPen(colors.rule);
        p.drawLine(x, kAxisHeight - 6, x, kAxisHeight);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(x + 3, kAxisHeight - 8, tickLabel(t, step));
    }

    const quint64 selectedLane =
        m_selected && m_timeline.hasItem(m_selected) ? m_timeline.item(m_selected).lane : ~quint64(0);
    int marks = 0;
    const int rows = (size.height() - kAxisHeight) / kLaneHeight + 1;
    const qint64 now = rpc::monotonicNs();
    for (int r = 0; r < rows && firstRow + r < int(m_shown.size()); ++r) {
        const std::size_t rowIndex = std::size_t(firstRow + r);
        const int laneIndex = m_shown[rowIndex];
        const Row &row = m_rows[rowIndex];
        const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
        const int top = kAxisHeight + r * kLaneHeight;
        const int mid = top + kLaneHeight / 2;
        const QColor background =
            row.group % 2 ? pal.color(QPalette::AlternateBase) : pal.color(QPalette::Base);
        p.fillRect(QRect(0, top, size.width(), kLaneHeight), background);
        // The lane's life: from its start to its end (or now, while a call runs).
        const bool isCall = lane.kind == Timeline::Lane::Kind::Call;
        if (lane.running() && !m_liveTimer.isActive())
            m_liveTimer.start();
        const int x0 = std::max(kLabelWidth, timeToX(lane.startNs - org));
        const int x1 = std::min(plotRight, timeToX(lane.lifeEndNs(now) - org));
        if (x1 >= x0) {
            QColor life =
                isCall ? (lane.endNs >= 0 && !lane.status.ok() ? colors.error : colors.rule)
                       : colors.connection;
            life.setAlpha(110);
            p.fillRect(QRect(x0, mid - 1, std::max(1, x1 - x0), 3), life);
        }

        // Messages: one mark per pixel column and direction, found by binary search, so the
        // cost follows the width of the view, not the number of messages.
        const qint64 tFrom = org + xToTime(kLabelWidth) - qint64(8 * m_nsPerPixel);
        const qint64 tTo = org + xToTime(plotRight);
        const auto &msgs = lane.messages;
        std::size_t pos = lowerByTime(m_timeline, msgs, 0, tFrom);
        while (pos < msgs.size()) {
            const quint64 id = msgs[pos];
            if (!m_timeline.hasItem(id)) {
                ++pos;
                continue;
            }
            const auto &it = m_timeline.item(id);
            if (it.timeNs > tTo)
                break;
            const int x = timeToX(it.timeNs - org);
            if (passesDirection(id)) {
                paintTimelineMark(p, markOf(it, true), x, mid, colors);
                ++marks;
            }
            // Skip to the next pixel column.
            const qint64 next = org + xToTime(x + 1);
            const std::size_t skip = lowerByTime(m_timeline, msgs, pos + 1, next);
            pos = std::max(pos + 1, skip);
        }

        // Everything else: headers, half-close, trailers, resets, connection frames.
        const auto &others = lane.others;
        pos = lowerByTime(m_timeline, others, 0, tFrom);
        int lastX = INT_MIN;
        while (pos < others.size()) {
            const quint64 id = others[pos];
            if (!m_timeline.hasItem(id)) {
                ++pos;
                continue;
            }
            const auto &it = m_timeline.item(id);
            if (it.timeNs > tTo)
                break;
            const int x = timeToX(it.timeNs - org);
            if (x == lastX && it.kind == Timeline::ItemKind::ConnectionFrame) {
                // A busy connection's frames in one pixel column: one mark, the rest skipped.
                pos = std::max(pos + 1, lowerByTime(m_timeline, others, pos + 1, org + xToTime(x + 1)));
                continue;
            }
            ++pos;
            if (!passesDirection(id))
                continue;
            lastX = x;
            ++marks;
            paintTimelineMark(p, markOf(it, lane.status.ok()), x, mid, colors);
        }

        // Label column on top, so marks scrolled left stay under it.
        QRect labelRect(0, top, kLabelWidth - 4, kLaneHeight);
        p.fillRect(labelRect, background);
        if (focusShown && quint64(laneIndex) == selectedLane) {
            QColor lit = pal.color(QPalette::Highlight);
            lit.setAlpha(70);
            p.fillRect(labelRect, lit);
        }
        int textLeft = 6;
        if (row.nested) {
            // The stream hangs off its connection: a tree line from the lane above.
            p.setPen(colors.rule);
            const int stem = 10;
            p.drawLine(stem, top, stem, row.lastNested ? mid : top + kLaneHeight - 1);
            p.drawLine(stem, mid, stem + kNestIndent - 6, mid);
            textLeft += kNestIndent;
        }
        p.setPen(pal.color(QPalette::Text));
        const int textWidth = kLabelWidth - 6 - textLeft;
        p.drawText(QRect(textLeft, top, textWidth, kLaneHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   laneLabel(laneIndex, textWidth));
        // Lines between lanes: strong between groups, faint inside one.
        if (row.groupStart && r > 0) {
            p.setPen(colors.rule);
            p.drawLine(0, top, size.width(), top);
        } else if (r > 0) {
            p.setPen(faint);
            p.drawLine(textLeft, top, size.width(), top);
        }
    }
    p.setPen(colors.rule);
    p.drawLine(kLabelWidth - 4, 0, kLabelWidth - 4, size.height());

    // The selection, drawn over everything.
    if (m_selected) {
        const QPoint at = itemPosition(m_selected);
        if (!at.isNull()) {
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(pal.color(QPalette::Highlight), focusShown ? 3 : 2));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(at, 8, 8);
            p.setRenderHint(QPainter::Antialiasing, false);
        }
    }
    if (m_shown.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(QPoint(0, kAxisHeight), size), Qt::AlignCenter,
                   tr("Calls appear here as they run: one lane per HTTP/2 stream"));
    }
    if (focusShown) {
        // Keyboard focus: a frame in the highlight colour around the whole plot.
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRect(QPoint(1, 1), size - QSize(2, 2)));
    }
    m_lastMarks = marks;
}

} // namespace ui
