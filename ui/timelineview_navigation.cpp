// SPDX-License-Identifier: GPL-3.0-or-later
// TimelineView's finding of events: which item is under a point, stepping between events with
// the keys, tooltips, mouse and wheel, and selecting an item (revealing it).
#include "ui/timelineview.h"

#include "timelineview_p.h"

#include "models/messagesmodel.h"
#include "models/timeline.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <climits>
#include <cmath>

namespace ui {

using models::Timeline;

namespace {

bool isMessageKind(Timeline::ItemKind k)
{
    return k == Timeline::ItemKind::MessageSent || k == Timeline::ItemKind::MessageReceived;
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
        revealRow(rowOfLane(int(it.lane)));
        updateScrollBars();
    }
    viewport()->update();
}

} // namespace ui
