// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractScrollArea>
#include <QString>
#include <QTimer>

#include <vector>

class QPainter;

namespace models {
class Timeline;
}

namespace ui {

// The timeline drawn: one lane per call (an HTTP/2 stream, labelled with its method and real
// stream id) and one per tapped connection, every event on it at its time. Only the visible
// time range is painted, and at most one mark per pixel column and kind, so a lane with a
// million messages paints as fast as one with ten. Wheel zooms at the pointer, dragging pans,
// hovering tells size and time, clicking picks an event.
// (Its .cpp is over 600 lines on purpose: painting, hit-testing and the mouse and keyboard
// handling all work through one time-to-pixel mapping and lane layout, which a split would
// have to expose between classes.)
class TimelineView final : public QAbstractScrollArea
{
    Q_OBJECT

public:
    enum class DirectionFilter { Both, Sent, Received };

    explicit TimelineView(models::Timeline &timeline, QWidget *parent = nullptr);

    // Only these lanes (by index) and the connection lanes they use; empty: every lane.
    void setLaneFilter(std::vector<int> lanes);
    void setDirectionFilter(DirectionFilter filter);
    // Lanes whose label, method or target contain the text (case-insensitive).
    void setTextFilter(const QString &text);
    // Keep the newest events in view while they arrive.
    void setFollow(bool follow);
    bool autoFits() const { return m_autoFit; }
    bool follows() const { return m_follow; }

    void zoom(double factor, int anchorX = -1); // factor > 1 zooms in
    void fit();
    // The visible time range, in ns since the timeline's start.
    qint64 viewStart() const { return m_viewStart; }
    qint64 viewSpan() const;
    double nsPerPixel() const { return m_nsPerPixel; }

    // Lanes shown, top to bottom (indexes into Timeline::lanes()).
    const std::vector<int> &shownLanes() const { return m_shown; }
    // The item under a viewport point, 0 if none.
    quint64 itemAt(const QPoint &pos) const;
    // Where an item is drawn (viewport coordinates), or a null point when it is not shown.
    QPoint itemPosition(quint64 id) const;
    quint64 selectedItem() const { return m_selected; }
    void selectItem(quint64 id, bool reveal = true);
    // Number of marks the last paint drew (for tests and the benchmark).
    int lastPaintMarks() const { return m_lastMarks; }

    // Draws the visible range as it is on screen into any painter (PNG and SVG export).
    void render(QPainter &painter, const QSize &size) const;

signals:
    void itemClicked(quint64 id);
    void viewChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void rebuildLanes();
    void onItemsAppended();
    void updateScrollBars();
    void paintInto(QPainter &p, const QSize &size, int firstRow) const;
    qint64 origin() const;
    qint64 contentEnd() const; // ns since origin of the newest thing, at least 1 ms
    int timeToX(qint64 relNs) const;
    qint64 xToTime(int x) const;
    int laneRowAt(int y) const;
    bool passesDirection(quint64 id) const;
    QString tooltipFor(quint64 id) const;

    models::Timeline &m_timeline;
    std::vector<int> m_laneFilter;
    DirectionFilter m_direction = DirectionFilter::Both;
    QString m_text;
    std::vector<int> m_shown;

    qint64 m_viewStart = 0;    // ns since origin at the left edge of the plot
    double m_nsPerPixel = 1e5; // 100 µs per pixel
    bool m_follow = true;
    bool m_autoFit = true; // fit everything until the user zooms or pans
    quint64 m_selected = 0;
    QPoint m_dragFrom;
    qint64 m_dragStart = 0;
    bool m_dragging = false;
    mutable int m_lastMarks = 0;
    mutable QTimer m_liveTimer; // while a shown call runs, its lane grows with the clock
    bool m_updatingScrollBars = false;

public:
    static constexpr int kLabelWidth = 230;
    static constexpr int kAxisHeight = 24;
    static constexpr int kLaneHeight = 30;
};

} // namespace ui
