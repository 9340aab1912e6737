// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline widget. Over 700 lines on purpose: painting, hit-testing, tooltips, keyboard
// navigation and scrolling all work on one row layout and one time-to-pixel mapping, kept private
// to this file; the legend and the mark colours are here because they draw the same marks. What
// it shows (models/timeline*.cpp) and its tools (ui/timelinepanel.cpp) are elsewhere.
#include "ui/timelineview.h"

#include "models/messagesmodel.h"
#include "models/timeline.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

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

bool isMessageKind(Timeline::ItemKind k)
{
    return k == Timeline::ItemKind::MessageSent || k == Timeline::ItemKind::MessageReceived;
}

// First position in `ids` whose item is at or after `t` (absolute ns). Items of a lane are in
// arrival order, which is time order up to the small skew between directions.
template<typename Ids> std::size_t lowerByTime(const Timeline &tl, const Ids &ids, std::size_t from, qint64 t)
{
    auto it = std::partition_point(ids.begin() + std::ptrdiff_t(from), ids.end(),
                                   [&](quint64 id) { return !tl.hasItem(id) || tl.item(id).timeNs < t; });
    return std::size_t(it - ids.begin());
}

// Events are ordered by time, and by id among events of the same time.
using Key = std::pair<qint64, quint64>;

TimelineMark markOf(const Timeline::Item &it, bool callOk)
{
    switch (it.kind) {
    case Timeline::ItemKind::RequestHeaders:
        return TimelineMark::RequestHeaders;
    case Timeline::ItemKind::MessageSent:
        return (it.flags & Timeline::Failed) ? TimelineMark::MessageFailed : TimelineMark::MessageSent;
    case Timeline::ItemKind::HalfClosed:
        return TimelineMark::HalfClose;
    case Timeline::ItemKind::ResponseHeaders:
        return TimelineMark::ResponseHeaders;
    case Timeline::ItemKind::MessageReceived:
        return (it.flags & Timeline::Failed) ? TimelineMark::MessageFailed : TimelineMark::MessageReceived;
    case Timeline::ItemKind::Trailers:
        return callOk ? TimelineMark::TrailersOk : TimelineMark::TrailersError;
    case Timeline::ItemKind::StreamReset:
        return TimelineMark::StreamReset;
    case Timeline::ItemKind::ConnectionFrame:
        return it.direction == Timeline::Direction::Outbound ? TimelineMark::FrameSent
                                                             : TimelineMark::FrameReceived;
    }
    return TimelineMark::FrameReceived;
}

// Where a kind of mark is drawn, up (-) or down (+) from the lane's middle.
int markOffset(const Timeline::Item &it)
{
    switch (it.kind) {
    case Timeline::ItemKind::MessageSent:
    case Timeline::ItemKind::HalfClosed:
        return -6;
    case Timeline::ItemKind::MessageReceived:
        return 5;
    case Timeline::ItemKind::RequestHeaders:
        return -7;
    case Timeline::ItemKind::ResponseHeaders:
        return 6;
    case Timeline::ItemKind::ConnectionFrame:
        return it.direction == Timeline::Direction::Outbound ? -5 : 5;
    default:
        return 0;
    }
}

} // namespace

TimelineColors TimelineColors::forPalette(const QPalette &palette)
{
    // The hues of a light theme, and lighter ones where the base is dark, chosen to keep at
    // least 3:1 contrast against Base and AlternateBase (the lanes' two backgrounds).
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    TimelineColors c;
    if (dark) {
        c.sent = QColor(0x6f, 0xa8, 0xff);
        c.received = QColor(0x4c, 0xd0, 0x96);
        c.headers = QColor(0xc0, 0x9a, 0xf5);
        c.error = QColor(0xff, 0x72, 0x66);
        c.connection = QColor(0xa8, 0xa8, 0xa8);
        c.ok = QColor(0x7d, 0xe0, 0xa8);
        c.halfClose = QColor(0xa8, 0xc8, 0xff);
    } else {
        c.sent = QColor(0x2f, 0x6f, 0xd6);
        c.received = QColor(0x1a, 0x8a, 0x5e);
        c.headers = QColor(0x8e, 0x5b, 0xc9);
        c.error = QColor(0xc8, 0x32, 0x28);
        c.connection = QColor(0x7a, 0x7a, 0x7a);
        c.ok = QColor(0x16, 0x73, 0x4e);
        c.halfClose = QColor(0x22, 0x50, 0x9c);
    }
    return c;
}

QColor TimelineColors::of(TimelineMark mark) const
{
    switch (mark) {
    case TimelineMark::RequestHeaders:
    case TimelineMark::ResponseHeaders:
        return headers;
    case TimelineMark::MessageSent:
        return sent;
    case TimelineMark::HalfClose:
        return halfClose;
    case TimelineMark::MessageReceived:
        return received;
    case TimelineMark::TrailersOk:
        return ok;
    case TimelineMark::TrailersError:
    case TimelineMark::MessageFailed:
    case TimelineMark::StreamReset:
        return error;
    case TimelineMark::FrameSent:
    case TimelineMark::FrameReceived:
    case TimelineMark::Count:
        break;
    }
    return connection;
}

void paintTimelineMark(QPainter &p, TimelineMark mark, int x, int mid, const TimelineColors &colors)
{
    // Whole logical pixels and fills, so marks stay sharp at any scale factor.
    const QColor c = colors.of(mark);
    switch (mark) {
    case TimelineMark::RequestHeaders:
        p.fillRect(QRect(x - 3, mid - 10, 7, 7), c);
        break;
    case TimelineMark::ResponseHeaders:
        p.fillRect(QRect(x - 3, mid + 3, 7, 7), c);
        break;
    case TimelineMark::MessageSent:
        p.fillRect(QRect(x - 1, mid - 9, 3, 7), c);
        break;
    case TimelineMark::MessageReceived:
        p.fillRect(QRect(x - 1, mid + 2, 3, 7), c);
        break;
    case TimelineMark::MessageFailed:
        p.fillRect(QRect(x - 1, mid - 9, 3, 18), c);
        break;
    case TimelineMark::HalfClose:
        p.fillRect(QRect(x - 1, mid - 11, 2, 11), c);
        break;
    case TimelineMark::TrailersOk:
    case TimelineMark::TrailersError: {
        QPainterPath diamond;
        diamond.moveTo(x, mid - 6);
        diamond.lineTo(x + 6, mid);
        diamond.lineTo(x, mid + 6);
        diamond.lineTo(x - 6, mid);
        diamond.closeSubpath();
        const bool aa = p.testRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.fillPath(diamond, c);
        p.setRenderHint(QPainter::Antialiasing, aa);
        break;
    }
    case TimelineMark::StreamReset: {
        const QPen pen = p.pen();
        p.setPen(QPen(c, 2));
        p.drawLine(x - 4, mid - 4, x + 4, mid + 4);
        p.drawLine(x - 4, mid + 4, x + 4, mid - 4);
        p.setPen(pen);
        break;
    }
    case TimelineMark::FrameSent:
        p.fillRect(QRect(x - 1, mid - 8, 3, 6), c);
        break;
    case TimelineMark::FrameReceived:
        p.fillRect(QRect(x - 1, mid + 2, 3, 6), c);
        break;
    case TimelineMark::Count:
        break;
    }
}

QString timelineMarkName(TimelineMark mark)
{
    switch (mark) {
    case TimelineMark::RequestHeaders:
        return TimelineView::tr("request headers");
    case TimelineMark::MessageSent:
        return TimelineView::tr("message sent");
    case TimelineMark::HalfClose:
        return TimelineView::tr("half-close");
    case TimelineMark::ResponseHeaders:
        return TimelineView::tr("response headers");
    case TimelineMark::MessageReceived:
        return TimelineView::tr("message received");
    case TimelineMark::TrailersOk:
        return TimelineView::tr("trailers: OK");
    case TimelineMark::TrailersError:
        return TimelineView::tr("trailers: error");
    case TimelineMark::MessageFailed:
        return TimelineView::tr("message not decoded");
    case TimelineMark::StreamReset:
        return TimelineView::tr("RST_STREAM");
    case TimelineMark::FrameSent:
        return TimelineView::tr("stream-0 frame sent");
    case TimelineMark::FrameReceived:
        return TimelineView::tr("stream-0 frame received");
    case TimelineMark::Count:
        break;
    }
    return {};
}

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
    if (m_autoFit)
        fit();
    updateScrollBars();
    viewport()->update();
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
    QColor faint = pal.color(QPalette::Mid);
    faint.setAlpha(90);

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
        p.setPen(pal.color(QPalette::Mid));
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
                isCall ? (lane.endNs >= 0 && !lane.status.ok() ? colors.error : pal.color(QPalette::Mid))
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
            p.setPen(pal.color(QPalette::Mid));
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
            p.setPen(pal.color(QPalette::Mid));
            p.drawLine(0, top, size.width(), top);
        } else if (r > 0) {
            p.setPen(faint);
            p.drawLine(textLeft, top, size.width(), top);
        }
    }
    p.setPen(pal.color(QPalette::Mid));
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

QPoint TimelineView::itemPosition(quint64 id) const
{
    if (!m_timeline.hasItem(id))
        return {};
    const auto &it = m_timeline.item(id);
    const int rowIndex = rowOfLane(int(it.lane));
    if (rowIndex < 0)
        return {};
    const int row = rowIndex - verticalScrollBar()->value();
    if (row < 0)
        return {};
    const int mid = kAxisHeight + row * kLaneHeight + kLaneHeight / 2;
    const int x = timeToX(it.timeNs - origin());
    return {std::max(x, kLabelWidth), mid + markOffset(it)};
}

quint64 TimelineView::itemAt(const QPoint &pos) const
{
    const int row = laneRowAt(pos.y());
    if (row < 0 || pos.x() < kLabelWidth)
        return 0;
    const auto &lane = m_timeline.lanes()[std::size_t(m_shown[std::size_t(row)])];
    const int mid = kAxisHeight + (row - verticalScrollBar()->value()) * kLaneHeight + kLaneHeight / 2;
    const qint64 org = origin();
    const qint64 t = org + xToTime(pos.x());
    const qint64 slack = qint64(5 * m_nsPerPixel);
    // The mark nearest the pointer, across and up or down: a trailer drawn a pixel after the
    // last reply must not hide the reply the pointer is on.
    quint64 best = 0;
    int bestDistance = INT_MAX;
    auto consider = [&](const auto &ids) {
        for (std::size_t i = lowerByTime(m_timeline, ids, 0, t - slack); i < ids.size(); ++i) {
            if (!m_timeline.hasItem(ids[i]))
                continue;
            const auto &it = m_timeline.item(ids[i]);
            if (it.timeNs > t + slack)
                break;
            if (!passesDirection(ids[i]))
                continue;
            const int d =
                std::abs(timeToX(it.timeNs - org) - pos.x()) + std::abs(mid + markOffset(it) - pos.y());
            if (d < bestDistance) {
                bestDistance = d;
                best = ids[i];
            }
        }
    };
    consider(lane.others);
    consider(lane.messages);
    return best;
}

quint64 TimelineView::edgeOfLane(int laneIndex, bool last) const
{
    const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    Key best{last ? LLONG_MIN : LLONG_MAX, 0};
    auto scan = [&](const auto &ids) {
        if (last) {
            for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
                if (shownItem(*it)) {
                    best = std::max(best, Key{m_timeline.item(*it).timeNs, *it});
                    return;
                }
            }
        } else {
            for (quint64 id : ids) {
                if (shownItem(id)) {
                    best = std::min(best, Key{m_timeline.item(id).timeNs, id});
                    return;
                }
            }
        }
    };
    scan(lane.messages);
    scan(lane.others);
    return best.second;
}

quint64 TimelineView::nearestOnLane(int laneIndex, qint64 t) const
{
    const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    quint64 best = 0;
    qint64 bestDistance = LLONG_MAX;
    auto consider = [&](quint64 id) {
        const qint64 d = std::abs(m_timeline.item(id).timeNs - t);
        if (d < bestDistance || (d == bestDistance && id < best)) {
            bestDistance = d;
            best = id;
        }
    };
    auto scan = [&](const auto &ids) {
        const std::size_t p = lowerByTime(m_timeline, ids, 0, t);
        for (std::size_t i = p; i < ids.size(); ++i) {
            if (shownItem(ids[i])) {
                consider(ids[i]);
                break;
            }
        }
        for (std::size_t i = p; i-- > 0;) {
            if (!m_timeline.hasItem(ids[i]))
                break;
            if (shownItem(ids[i])) {
                consider(ids[i]);
                break;
            }
        }
    };
    scan(lane.messages);
    scan(lane.others);
    return best;
}

quint64 TimelineView::step(quint64 from, Step how) const
{
    if (m_shown.empty())
        return 0;
    if (!m_timeline.hasItem(from) || rowOfLane(int(m_timeline.item(from).lane)) < 0) {
        // Nothing selected yet: start on the top lane in view, near the left edge.
        const int top = std::min(verticalScrollBar()->value(), int(m_shown.size()) - 1);
        for (int r = top; r < int(m_shown.size()); ++r) {
            const int lane = m_shown[std::size_t(r)];
            const quint64 id = how == Step::Last    ? edgeOfLane(lane, true)
                               : how == Step::First ? edgeOfLane(lane, false)
                                                    : nearestOnLane(lane, origin() + m_viewStart);
            if (id)
                return id;
        }
        return 0;
    }
    const auto &item = m_timeline.item(from);
    const int laneIndex = int(item.lane);
    const Key current{item.timeNs, from};
    switch (how) {
    case Step::First:
        return edgeOfLane(laneIndex, false);
    case Step::Last:
        return edgeOfLane(laneIndex, true);
    case Step::LaneUp:
    case Step::LaneDown: {
        const int dir = how == Step::LaneUp ? -1 : 1;
        for (int r = rowOfLane(laneIndex) + dir; r >= 0 && r < int(m_shown.size()); r += dir) {
            if (const quint64 id = nearestOnLane(m_shown[std::size_t(r)], item.timeNs))
                return id;
        }
        return 0;
    }
    case Step::Previous:
    case Step::Next:
        break;
    }
    // The neighbour in (time, id) order among the lane's messages and other events. Both lists
    // are in time order (up to a little skew), so a binary search finds the place and a short
    // scan the neighbour.
    const bool forward = how == Step::Next;
    const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    Key best{forward ? LLONG_MAX : LLONG_MIN, 0};
    auto scan = [&](const auto &ids) {
        const std::size_t p = lowerByTime(m_timeline, ids, 0, item.timeNs);
        for (std::size_t i = p; i < ids.size(); ++i) {
            if (!shownItem(ids[i]))
                continue;
            const Key k{m_timeline.item(ids[i]).timeNs, ids[i]};
            if (forward && current < k) {
                best = std::min(best, k);
                if (k.first > current.first)
                    break;
            } else if (!forward) {
                if (k.first > current.first)
                    break;
                if (k < current)
                    best = std::max(best, k);
            }
        }
        if (!forward) {
            for (std::size_t i = p; i-- > 0;) {
                if (!m_timeline.hasItem(ids[i]))
                    break;
                if (shownItem(ids[i])) {
                    best = std::max(best, Key{m_timeline.item(ids[i]).timeNs, ids[i]});
                    break;
                }
            }
        }
    };
    scan(lane.messages);
    scan(lane.others);
    return best.second;
}

QString TimelineView::tooltipFor(quint64 id) const
{
    const auto &it = m_timeline.item(id);
    const auto &lane = m_timeline.lanes()[it.lane];
    const bool isCall = lane.kind == Timeline::Lane::Kind::Call;
    QString when = (isCall ? tr("%1 into the call") : tr("%1 after the connection opened"))
                       .arg(models::formatClockTime(it.timeNs - lane.startNs));
    if (m_clockLane < 0)
        when += QStringLiteral(" · ") +
                tr("at %1 on the timeline").arg(models::formatClockTime(it.timeNs - origin()));
    QString text = QStringLiteral("<b>%1</b><br>%2<br>%3")
                       .arg(Timeline::kindName(it.kind).toHtmlEscaped(), lane.label().toHtmlEscaped(), when);
    if (isMessageKind(it.kind)) {
        text += QStringLiteral("<br>") + tr("%1 on the wire").arg(models::formatSize(it.size));
        const auto frames = m_timeline.framesOfMessage(id);
        if (!frames.empty())
            text += QStringLiteral("<br>") + tr("carried by %n DATA frame(s)", nullptr, int(frames.size()));
    } else if (it.kind == Timeline::ItemKind::ConnectionFrame || it.kind == Timeline::ItemKind::StreamReset) {
        text +=
            QStringLiteral("<br>") + m_timeline.frameTypeName(it.ref).toHtmlEscaped() + QLatin1Char(' ') +
            m_timeline.frameDetails(it.ref).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral(", "));
    } else if (const auto *md = m_timeline.metadata(id)) {
        text += QStringLiteral("<br>") + tr("%n header(s)", nullptr, int(md->size()));
    }
    return text;
}

QString TimelineView::laneTooltip(int laneIndex) const
{
    const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    QString text = QStringLiteral("<b>%1</b>").arg(lane.label().toHtmlEscaped());
    if (lane.kind == Timeline::Lane::Kind::Call) {
        text +=
            QStringLiteral("<br>") + tr("call #%1 · %2").arg(lane.callId).arg(lane.method.toHtmlEscaped());
        text += QStringLiteral("<br>") + tr("to %1").arg(lane.target.toHtmlEscaped());
        if (lane.running())
            text += QStringLiteral("<br>") + tr("running");
        else
            text += QStringLiteral("<br>") +
                    tr("%1 after %2")
                        .arg(QString::fromStdString(rpc::statusCodeName(lane.status.code)),
                             models::formatDuration(lane.endNs - lane.startNs));
        if (!lane.tapped)
            text += QStringLiteral("<br>") + tr("not through the wire tap: no frames");
    } else {
        text +=
            QStringLiteral("<br>") + tr("stream 0 of the connection: SETTINGS, PING, WINDOW_UPDATE, GOAWAY");
    }
    if (lane.droppedMessages)
        text += QStringLiteral("<br>") + tr("%1 older messages dropped").arg(lane.droppedMessages);
    return text;
}

bool TimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = laneRowAt(help->pos().y());
        const quint64 id = itemAt(help->pos());
        if (id)
            QToolTip::showText(help->globalPos(), tooltipFor(id), viewport());
        else if (row >= 0 && help->pos().x() < kLabelWidth)
            QToolTip::showText(help->globalPos(), laneTooltip(m_shown[std::size_t(row)]), viewport());
        else
            QToolTip::hideText();
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (event->position().x() < kLabelWidth || (event->modifiers() & Qt::ShiftModifier)) {
        // Over the labels (or with Shift): scroll lanes.
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y() / 120);
        return;
    }
    if (delta.y() != 0)
        zoom(std::pow(1.25, delta.y() / 120.0), int(event->position().x()));
    else if (delta.x() != 0) {
        panTo(m_viewStart - qint64(delta.x() * m_nsPerPixel));
    }
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    const quint64 id = itemAt(event->position().toPoint());
    if (id) {
        selectItem(id, false);
        emit itemClicked(id);
        return;
    }
    m_dragging = true;
    m_dragFrom = event->position().toPoint();
    m_dragStart = m_viewStart;
    viewport()->setCursor(Qt::ClosedHandCursor);
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const int dx = event->position().toPoint().x() - m_dragFrom.x();
    panTo(m_dragStart - qint64(dx * m_nsPerPixel));
}

void TimelineView::mouseReleaseEvent(QMouseEvent *)
{
    m_dragging = false;
    viewport()->unsetCursor();
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (const quint64 id = itemAt(event->position().toPoint()))
        emit itemActivated(id);
}

void TimelineView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    viewport()->update();
}

void TimelineView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update();
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    auto move = [this](Step how) {
        const quint64 id = step(m_selected, how);
        if (!id)
            return;
        selectItem(id, true);
        emit selectionMoved(id);
    };
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(2);
        break;
    case Qt::Key_Minus:
        zoom(0.5);
        break;
    case Qt::Key_F:
    case Qt::Key_0:
        fit();
        break;
    case Qt::Key_Left:
    case Qt::Key_Right:
        if (shift) {
            // Shift+arrows pan by an eighth of the view.
            const qint64 delta = viewSpan() / 8;
            panTo(m_viewStart + (event->key() == Qt::Key_Left ? -delta : delta));
        } else {
            move(event->key() == Qt::Key_Left ? Step::Previous : Step::Next);
        }
        break;
    case Qt::Key_Up:
        move(Step::LaneUp);
        break;
    case Qt::Key_Down:
        move(Step::LaneDown);
        break;
    case Qt::Key_Home:
        move(Step::First);
        break;
    case Qt::Key_End:
        move(Step::Last);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_selected && m_timeline.hasItem(m_selected))
            emit itemActivated(m_selected);
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

void TimelineView::selectItem(quint64 id, bool reveal)
{
    m_selected = id;
    if (reveal && m_timeline.hasItem(id)) {
        const auto &it = m_timeline.item(id);
        const qint64 rel = it.timeNs - origin();
        const qint64 margin = qint64(kFitPadRight * m_nsPerPixel);
        if (rel < m_viewStart + margin || rel > m_viewStart + viewSpan() - margin) {
            setViewStart(rel - viewSpan() / 2);
            m_follow = false;
            m_autoFit = false;
            emit viewChanged();
        }
        const int row = rowOfLane(int(it.lane));
        if (row >= 0) {
            QScrollBar *v = verticalScrollBar();
            if (row < v->value())
                v->setValue(row);
            else if (row >= v->value() + v->pageStep())
                v->setValue(row - v->pageStep() + 1);
        }
        updateScrollBars();
    }
    viewport()->update();
}

TimelineLegend::TimelineLegend(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timelineLegend"));
    // As tall as its rows need at its width, but it gives way first on a small screen (a
    // height-for-width layout asked for its one-entry-per-row height at the narrowest width and
    // made the whole window taller than a 768-pixel screen).
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    // On the lanes' own background, where the colours were chosen to stand out.
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setAccessibleName(tr("Legend"));
    setAccessibleDescription(entries().join(QStringLiteral(", ")));
}

QStringList TimelineLegend::entries() const
{
    QStringList names;
    for (int m = 0; m < int(TimelineMark::Count); ++m)
        names << timelineMarkName(TimelineMark(m));
    return names;
}

std::vector<QRect> TimelineLegend::layoutFor(int width) const
{
    const QFontMetrics fm = fontMetrics();
    std::vector<QRect> rects;
    int x = 4;
    int y = 0;
    for (const QString &name : entries()) {
        const int w = kMarkWidth + 4 + fm.horizontalAdvance(name) + 14;
        if (x > 4 && x + w > width) {
            x = 4;
            y += kRowHeight;
        }
        rects.emplace_back(x, y, w, kRowHeight);
        x += w;
    }
    return rects;
}

int TimelineLegend::rowsHeight(int width) const
{
    const auto rects = layoutFor(width);
    return rects.empty() ? kRowHeight : rects.back().bottom() + 1;
}

QSize TimelineLegend::sizeHint() const
{
    const int w = std::max(width(), 200);
    return {w, rowsHeight(w)};
}

QSize TimelineLegend::minimumSizeHint() const
{
    return {100, 0};
}

void TimelineLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (rowsHeight(width()) != height())
        updateGeometry(); // the rows wrap differently at this width
}

QPoint TimelineLegend::markPosition(TimelineMark mark) const
{
    const auto rects = layoutFor(width());
    const QRect r = rects.at(std::size_t(mark));
    return {r.left() + kMarkWidth / 2, r.top() + kRowHeight / 2};
}

void TimelineLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const TimelineColors colors = TimelineColors::forPalette(palette());
    const auto rects = layoutFor(width());
    const QStringList names = entries();
    for (std::size_t i = 0; i < rects.size(); ++i) {
        const QRect &r = rects[i];
        if (r.bottom() >= height())
            break; // squeezed on a small screen: whole rows only, no slivers of marks
        const int mid = r.top() + kRowHeight / 2;
        paintTimelineMark(p, TimelineMark(i), r.left() + kMarkWidth / 2, mid, colors);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(r.left() + kMarkWidth + 4, r.top(), r.width() - kMarkWidth - 4, kRowHeight),
                   Qt::AlignVCenter | Qt::AlignLeft, names[int(i)]);
    }
}

} // namespace ui
