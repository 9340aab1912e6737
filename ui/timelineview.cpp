// SPDX-License-Identifier: GPL-3.0-or-later
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
#include <cmath>

namespace ui {

using models::Timeline;

namespace {

constexpr int kScrollUnits = 100000;
constexpr double kMinNsPerPixel = 10;

const QColor kSent(0x2f, 0x6f, 0xd6);
const QColor kReceived(0x1f, 0x9d, 0x6b);
const QColor kHeaders(0x8e, 0x5b, 0xc9);
const QColor kError(0xd0, 0x3a, 0x2f);
const QColor kConnection(0x8a, 0x8a, 0x8a);

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

TimelineView::TimelineView(Timeline &timeline, QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_timeline(timeline)
{
    setObjectName(QStringLiteral("timelineView"));
    viewport()->setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setMinimumHeight(kAxisHeight + 2 * kLaneHeight);
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
}

void TimelineView::setDirectionFilter(DirectionFilter filter)
{
    m_direction = filter;
    viewport()->update();
}

void TimelineView::setTextFilter(const QString &text)
{
    m_text = text.trimmed();
    rebuildLanes();
}

void TimelineView::setFollow(bool follow)
{
    m_follow = follow;
    if (follow)
        onItemsAppended();
    emit viewChanged();
}

void TimelineView::rebuildLanes()
{
    const auto &lanes = m_timeline.lanes();
    m_shown.clear();
    std::vector<quint32> wantedConnections;
    for (int lane : m_laneFilter) {
        if (lane >= 0 && lane < int(lanes.size()) && lanes[std::size_t(lane)].connection)
            wantedConnections.push_back(lanes[std::size_t(lane)].connection);
    }
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
        m_shown.push_back(int(i));
    }
    updateScrollBars();
    viewport()->update();
}

void TimelineView::onItemsAppended()
{
    // Until the user zooms or pans, everything stays in view: a short call fills the width.
    if (m_autoFit) {
        fit();
        return;
    }
    if (m_follow) {
        const qint64 span = viewSpan();
        const qint64 end = contentEnd();
        if (end > m_viewStart + span)
            m_viewStart = std::max<qint64>(0, end - span * 9 / 10);
    }
    updateScrollBars();
    viewport()->update();
}

qint64 TimelineView::origin() const
{
    return m_timeline.startNs();
}

qint64 TimelineView::contentEnd() const
{
    qint64 end = m_timeline.endNs();
    for (int lane : m_shown) {
        const auto &l = m_timeline.lanes()[std::size_t(lane)];
        if (l.kind == Timeline::Lane::Kind::Call && l.endNs < 0)
            end = std::max<qint64>(end, rpc::monotonicNs()); // a running call reaches to now
    }
    return std::max<qint64>(end - origin(), 1000000);
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

void TimelineView::zoom(double factor, int anchorX)
{
    if (anchorX < kLabelWidth)
        anchorX = kLabelWidth + (viewport()->width() - kLabelWidth) / 2;
    const qint64 anchor = xToTime(anchorX);
    m_nsPerPixel = std::clamp(m_nsPerPixel / factor, kMinNsPerPixel, 1e10);
    m_viewStart = std::max<qint64>(0, anchor - qint64(double(anchorX - kLabelWidth) * m_nsPerPixel));
    if (factor > 1)
        m_follow = false; // zooming in to look closer stops the view from running away
    m_autoFit = false;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::fit()
{
    const int width = std::max(100, viewport()->width() - kLabelWidth - 12);
    m_nsPerPixel = std::max(kMinNsPerPixel, double(contentEnd()) / width);
    m_viewStart = 0;
    m_autoFit = true;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::updateScrollBars()
{
    m_updatingScrollBars = true;
    const qint64 end = contentEnd();
    const qint64 span = viewSpan();
    QScrollBar *h = horizontalScrollBar();
    if (span >= end && m_viewStart == 0) {
        h->setRange(0, 0);
    } else {
        const qint64 total = std::max(end, m_viewStart + span);
        h->setRange(0, kScrollUnits);
        h->setPageStep(int(std::clamp<double>(double(span) / double(total) * kScrollUnits, 1, kScrollUnits)));
        h->setValue(int(double(m_viewStart) / double(std::max<qint64>(1, total - span)) * kScrollUnits));
    }
    const int rows = std::max(1, (viewport()->height() - kAxisHeight) / kLaneHeight);
    QScrollBar *v = verticalScrollBar();
    v->setRange(0, std::max(0, int(m_shown.size()) - rows));
    v->setPageStep(rows);
    m_updatingScrollBars = false;
}

void TimelineView::scrollContentsBy(int, int)
{
    if (m_updatingScrollBars)
        return;
    const qint64 end = contentEnd();
    const qint64 span = viewSpan();
    const qint64 total = std::max(end, m_viewStart + span);
    QScrollBar *h = horizontalScrollBar();
    if (h->maximum() > 0)
        m_viewStart = qint64(double(h->value()) / kScrollUnits * double(std::max<qint64>(1, total - span)));
    m_follow = m_follow && h->value() >= h->maximum();
    m_autoFit = false;
    viewport()->update();
    emit viewChanged();
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

int TimelineView::laneRowAt(int y) const
{
    if (y < kAxisHeight)
        return -1;
    const int row = (y - kAxisHeight) / kLaneHeight + verticalScrollBar()->value();
    return row < int(m_shown.size()) ? row : -1;
}

bool TimelineView::passesDirection(quint64 id) const
{
    if (m_direction == DirectionFilter::Both)
        return true;
    const auto dir = m_timeline.item(id).direction;
    return m_direction == DirectionFilter::Sent ? dir == Timeline::Direction::Outbound
                                                : dir == Timeline::Direction::Inbound;
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    paintInto(p, viewport()->size(), verticalScrollBar()->value());
}

void TimelineView::render(QPainter &painter, const QSize &size) const
{
    paintInto(painter, size, verticalScrollBar()->value());
}

void TimelineView::paintInto(QPainter &p, const QSize &size, int firstRow) const
{
    const QPalette &pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing, false);
    const qint64 org = origin();
    const int plotRight = size.width();
    const QFontMetrics fm = p.fontMetrics();

    // Time axis.
    p.setPen(pal.color(QPalette::Text));
    p.fillRect(QRect(0, 0, size.width(), kAxisHeight), pal.color(QPalette::AlternateBase));
    const qint64 step = tickStep(m_nsPerPixel);
    const qint64 firstTick = (std::max<qint64>(0, m_viewStart) / step) * step;
    for (qint64 t = firstTick; timeToX(t) < plotRight; t += step) {
        const int x = timeToX(t);
        if (x < kLabelWidth)
            continue;
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(x, kAxisHeight - 6, x, size.height());
        p.setPen(pal.color(QPalette::Text));
        p.drawText(x + 3, kAxisHeight - 8, tickLabel(t, step));
    }

    int marks = 0;
    const int rows = (size.height() - kAxisHeight) / kLaneHeight + 1;
    for (int r = 0; r < rows && firstRow + r < int(m_shown.size()); ++r) {
        const int laneIndex = m_shown[std::size_t(firstRow + r)];
        const auto &lane = m_timeline.lanes()[std::size_t(laneIndex)];
        const int top = kAxisHeight + r * kLaneHeight;
        const int mid = top + kLaneHeight / 2;
        if (r % 2)
            p.fillRect(QRect(0, top, size.width(), kLaneHeight), pal.color(QPalette::AlternateBase));
        // The lane's life: from its start to its end (or now).
        const bool isCall = lane.kind == Timeline::Lane::Kind::Call;
        if (isCall && lane.endNs < 0 && !m_liveTimer.isActive())
            m_liveTimer.start();
        const qint64 laneEnd =
            lane.endNs >= 0 ? lane.endNs : (isCall ? rpc::monotonicNs() : m_timeline.endNs());
        const int x0 = std::max(kLabelWidth, timeToX(lane.startNs - org));
        const int x1 = std::min(plotRight, timeToX(laneEnd - org));
        if (x1 >= x0) {
            QColor life = isCall ? (lane.endNs >= 0 && !lane.status.ok() ? kError : pal.color(QPalette::Mid))
                                 : kConnection;
            life.setAlpha(110);
            p.fillRect(QRect(x0, mid - 1, std::max(1, x1 - x0), 3), life);
        }

        // Messages: one mark per pixel column and direction, found by binary search, so the
        // cost follows the width of the view, not the number of messages.
        const qint64 tFrom = org + xToTime(kLabelWidth) - qint64(4 * m_nsPerPixel);
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
                const bool sent = it.kind == Timeline::ItemKind::MessageSent;
                const QColor c = (it.flags & Timeline::Failed) ? kError : sent ? kSent : kReceived;
                const int y = sent ? mid - 9 : mid + 2;
                p.fillRect(QRect(x - 1, y, 3, 7), c);
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
        for (; pos < others.size(); ++pos) {
            const quint64 id = others[pos];
            if (!m_timeline.hasItem(id))
                continue;
            const auto &it = m_timeline.item(id);
            if (it.timeNs > tTo)
                break;
            const int x = timeToX(it.timeNs - org);
            if (!passesDirection(id) || (x == lastX && it.kind == Timeline::ItemKind::ConnectionFrame))
                continue;
            lastX = x;
            ++marks;
            switch (it.kind) {
            case Timeline::ItemKind::RequestHeaders:
            case Timeline::ItemKind::ResponseHeaders:
                p.fillRect(
                    QRect(x - 3, it.kind == Timeline::ItemKind::RequestHeaders ? mid - 10 : mid + 3, 7, 7),
                    kHeaders);
                break;
            case Timeline::ItemKind::HalfClosed:
                p.fillRect(QRect(x - 1, mid - 11, 2, 11), kSent.darker(130));
                break;
            case Timeline::ItemKind::Trailers: {
                const bool ok = lane.status.ok();
                QPainterPath diamond;
                diamond.moveTo(x, mid - 6);
                diamond.lineTo(x + 6, mid);
                diamond.lineTo(x, mid + 6);
                diamond.lineTo(x - 6, mid);
                diamond.closeSubpath();
                p.setRenderHint(QPainter::Antialiasing, true);
                p.fillPath(diamond, ok ? kReceived.darker(120) : kError);
                p.setRenderHint(QPainter::Antialiasing, false);
                break;
            }
            case Timeline::ItemKind::StreamReset:
                p.setPen(QPen(kError, 2));
                p.drawLine(x - 4, mid - 4, x + 4, mid + 4);
                p.drawLine(x - 4, mid + 4, x + 4, mid - 4);
                break;
            case Timeline::ItemKind::ConnectionFrame: {
                const bool out = it.direction == Timeline::Direction::Outbound;
                p.fillRect(QRect(x - 1, out ? mid - 8 : mid + 2, 3, 6), kConnection);
                break;
            }
            default:
                break;
            }
        }

        // Label column on top, so marks scrolled left stay under it.
        p.fillRect(QRect(0, top, kLabelWidth - 4, kLaneHeight),
                   r % 2 ? pal.color(QPalette::AlternateBase) : pal.color(QPalette::Base));
        p.setPen(pal.color(QPalette::Text));
        QString label = lane.label();
        if (isCall && lane.endNs >= 0 && !lane.status.ok())
            label += QStringLiteral(" · ") + QString::fromStdString(rpc::statusCodeName(lane.status.code));
        if (lane.droppedMessages)
            label += tr(" · %1 dropped").arg(lane.droppedMessages);
        p.drawText(QRect(6, top, kLabelWidth - 12, kLaneHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(label, Qt::ElideMiddle, kLabelWidth - 12));
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(0, top + kLaneHeight - 1, size.width(), top + kLaneHeight - 1);
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(kLabelWidth - 4, 0, kLabelWidth - 4, size.height());

    // The selection, drawn over everything.
    if (m_selected) {
        const QPoint at = itemPosition(m_selected);
        if (!at.isNull()) {
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(at, 8, 8);
        }
    }
    if (m_shown.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(QPoint(0, kAxisHeight), size), Qt::AlignCenter,
                   tr("Calls appear here as they run: one lane per HTTP/2 stream"));
    }
    m_lastMarks = marks;
}

QPoint TimelineView::itemPosition(quint64 id) const
{
    if (!m_timeline.hasItem(id))
        return {};
    const auto &it = m_timeline.item(id);
    const auto found = std::find(m_shown.begin(), m_shown.end(), int(it.lane));
    if (found == m_shown.end())
        return {};
    const int row = int(found - m_shown.begin()) - verticalScrollBar()->value();
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

QString TimelineView::tooltipFor(quint64 id) const
{
    const auto &it = m_timeline.item(id);
    const auto &lane = m_timeline.lanes()[it.lane];
    QString text = QStringLiteral("<b>%1</b><br>%2<br>+%3 after the call started")
                       .arg(Timeline::kindName(it.kind).toHtmlEscaped(), lane.label().toHtmlEscaped(),
                            models::formatDuration(it.timeNs - lane.startNs));
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

bool TimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const quint64 id = itemAt(help->pos());
        if (id)
            QToolTip::showText(help->globalPos(), tooltipFor(id), viewport());
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
        m_viewStart = std::max<qint64>(0, m_viewStart - qint64(delta.x() * m_nsPerPixel));
        m_follow = false;
        m_autoFit = false;
        updateScrollBars();
        viewport()->update();
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
    m_viewStart = std::max<qint64>(0, m_dragStart - qint64(dx * m_nsPerPixel));
    m_follow = false;
    m_autoFit = false;
    updateScrollBars();
    viewport()->update();
    emit viewChanged();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *)
{
    m_dragging = false;
    viewport()->unsetCursor();
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(2);
        break;
    case Qt::Key_Minus:
        zoom(0.5);
        break;
    case Qt::Key_Left:
    case Qt::Key_Right: {
        const qint64 step = viewSpan() / 8;
        m_viewStart = std::max<qint64>(0, m_viewStart + (event->key() == Qt::Key_Left ? -step : step));
        m_follow = false;
        m_autoFit = false;
        updateScrollBars();
        viewport()->update();
        emit viewChanged();
        break;
    }
    case Qt::Key_Home:
        fit();
        break;
    case Qt::Key_End:
        setFollow(true);
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
        if (rel < m_viewStart || rel > m_viewStart + viewSpan()) {
            m_viewStart = std::max<qint64>(0, rel - viewSpan() / 2);
            m_follow = false;
            m_autoFit = false;
        }
        const auto found = std::find(m_shown.begin(), m_shown.end(), int(it.lane));
        if (found != m_shown.end()) {
            const int row = int(found - m_shown.begin());
            QScrollBar *v = verticalScrollBar();
            if (row < v->value() || row >= v->value() + v->pageStep())
                v->setValue(row);
        }
        updateScrollBars();
    }
    viewport()->update();
}

} // namespace ui
