// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractScrollArea>
#include <QColor>
#include <QString>
#include <QTimer>

#include <utility>
#include <vector>

class QPainter;
class QPalette;

namespace models {
class Timeline;
}

namespace ui {

// The kinds of mark the timeline draws, one shape and colour each; the legend lists them.
enum class TimelineMark {
    RequestHeaders,
    MessageSent,
    HalfClose,
    ResponseHeaders,
    MessageReceived,
    TrailersOk,
    TrailersError,
    MessageFailed,
    StreamReset,
    FrameSent,
    FrameReceived,
    Count
};

// Colours of the marks for a palette: the same hues, lighter on a dark base, so every mark
// stands out from the lane's background in light and dark themes alike.
struct TimelineColors
{
    QColor sent, received, headers, error, connection, ok, halfClose;
    // Lines, ticks and a call's life, and the faint grid: between Text and Base, so they show on
    // any palette (GTK's dark theme has a Mid as dark as its Base, which hid them).
    QColor rule, faintRule;
    static TimelineColors forPalette(const QPalette &palette);
    QColor of(TimelineMark mark) const;
};

// Draws one mark centred on (x, mid), mid being the middle of its lane.
void paintTimelineMark(QPainter &p, TimelineMark mark, int x, int mid, const TimelineColors &colors);
QString timelineMarkName(TimelineMark mark);

// The timeline drawn: one lane per call (an HTTP/2 stream, labelled with its method and real
// stream id) and one per tapped connection, grouped as the wire has them: each connection's
// stream-0 lane on top of the lanes of the streams it carried. One clock for every lane. Only
// the visible time range is painted, and at most one mark per pixel column and kind, so a lane
// with a million messages paints as fast as one with ten. Wheel zooms at the pointer, dragging
// pans, hovering tells size and time, clicking picks an event; the keyboard moves between
// events (arrows, Home, End) and Enter opens the selected one.
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
    // Times count from the start of this call lane (a response's own timeline); -1: from the
    // timeline's first event kept (the window's timeline).
    void setClockLane(int lane);
    int clockLane() const { return m_clockLane; }
    // The clock's zero, in monotonic ns.
    qint64 origin() const;
    // Keep the newest events in view while calls run; the view stops moving when they end.
    void setFollow(bool follow);
    bool autoFits() const { return m_autoFit; }
    bool follows() const { return m_follow; }

    void zoom(double factor, int anchorX = -1); // factor > 1 zooms in
    // Shows fitRange() across the width; the view keeps fitting as events come until the user
    // zooms or pans.
    void fit();
    // What Fit shows, in ns on the view's clock: the call lanes shown (the chosen call, the
    // lanes a filter leaves, or all calls), or the connection lanes when no call is shown.
    std::pair<qint64, qint64> fitRange() const;
    // The visible time range, in ns on the view's clock.
    qint64 viewStart() const { return m_viewStart; }
    qint64 viewSpan() const;
    double nsPerPixel() const { return m_nsPerPixel; }
    // Where a time on the view's clock is drawn, in viewport x.
    int xOfTime(qint64 relNs) const { return timeToX(relNs); }

    // Lanes shown, top to bottom (indexes into Timeline::lanes()): grouped by connection, the
    // connection's lane first.
    const std::vector<int> &shownLanes() const { return m_shown; }
    // The lane's label as drawn in `width` pixels: the name is cut at its end, the stream id
    // (a connection's number) always stays.
    QString laneLabel(int lane, int width) const;
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
    // Enter on the selected event: show its details.
    void itemActivated(quint64 id);
    // The keyboard moved the selection.
    void selectionMoved(quint64 id);
    void viewChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    enum class Step { Previous, Next, First, Last, LaneUp, LaneDown };
    struct Row
    {
        bool groupStart = false; // first row of a connection's group (or a lone call)
        bool nested = false;     // a stream lane under its connection's lane
        bool lastNested = false; // the last stream lane of its group
        int group = 0;           // group number, for the background
    };

    void rebuildLanes();
    void onItemsAppended();
    void updateScrollBars();
    void setViewStart(qint64 start);
    void panTo(qint64 start);
    void paintInto(QPainter &p, const QSize &size, int firstRow, bool focusShown) const;
    std::pair<qint64, qint64> contentRange() const; // on the view's clock
    std::pair<qint64, qint64> lanesRange(bool callsOnly) const;
    int timeToX(qint64 relNs) const;
    qint64 xToTime(int x) const;
    int laneRowAt(int y) const;
    int rowOfLane(int lane) const;
    void revealRow(int row); // scrolls the lanes up or down so that the row shows
    bool passesDirection(quint64 id) const;
    bool shownItem(quint64 id) const;
    quint64 step(quint64 from, Step how) const;
    quint64 nearestOnLane(int lane, qint64 t) const;
    quint64 edgeOfLane(int lane, bool last) const;
    QString tooltipFor(quint64 id) const;
    QString laneTooltip(int lane) const;

    models::Timeline &m_timeline;
    std::vector<int> m_laneFilter;
    DirectionFilter m_direction = DirectionFilter::Both;
    QString m_text;
    std::vector<int> m_shown;
    std::vector<Row> m_rows; // parallel to m_shown
    int m_clockLane = -1;

    qint64 m_viewStart = 0;    // ns on the view's clock at the left edge of the plot
    double m_nsPerPixel = 1e5; // 100 µs per pixel
    bool m_follow = true;
    bool m_autoFit = true; // fit until the user zooms or pans
    std::size_t m_knownLanes = 0; // lanes the timeline had at the last rebuild
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
    static constexpr int kNestIndent = 14;
    // Fit leaves this much room at each end so the marks at the edges are whole.
    static constexpr int kFitPadLeft = 10;
    static constexpr int kFitPadRight = 16;
};

// The key to the marks: each shape in its colour with its name, wrapped to the width. It
// takes its colours from its palette as the view does.
class TimelineLegend final : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineLegend(QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // The height its entries take when wrapped to `width`.
    int rowsHeight(int width) const;
    // Where an entry's mark is drawn: its x and the middle of its row (for tests).
    QPoint markPosition(TimelineMark mark) const;
    QStringList entries() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    // The rectangle of each entry (mark and name) when laid out in `width`.
    std::vector<QRect> layoutFor(int width) const;
    static constexpr int kMarkWidth = 16;
    static constexpr int kRowHeight = 24;
};

} // namespace ui
