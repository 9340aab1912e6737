// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <vector>

class QCheckBox;
class QFrame;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QSplitter;
class QTableView;
class QToolButton;
class QWidgetAction;

namespace models {
class FramesModel;
class Timeline;
class WireCapture;
} // namespace models

namespace ui {

class JsonEditor;
class TimelineLegend;
class TimelineView;

// The timeline with its tools: filters (call, direction, text), zoom, follow, export, the
// picked event's content (a message's JSON, a header block) and the wire view of the frames,
// linked both ways: picking a message selects the DATA frames that carried it, and picking a
// frame picks its message. Used as its own dock (every call) and in a response (one call).
class TimelinePanel final : public QWidget
{
    Q_OBJECT

public:
    TimelinePanel(models::Timeline &timeline, models::WireCapture *capture, QWidget *parent = nullptr);

    // Shows only these lanes (a response panel's call) and hides the call picker.
    void restrictToLanes(std::vector<int> lanes);
    TimelineView *view() const { return m_view; }
    // The legend below the lanes, shown when the lanes keep room for a few rows beside it.
    TimelineLegend *legend() const { return m_legend; }
    // The legend the Legend button opens over the window, at any size.
    QFrame *legendPopup() const { return m_legendPopup; }
    void showLegendPopup();
    QTableView *wireTable() const { return m_wire; }
    // The heights the lanes (the axis and three lanes) and the wire view (six rows) want.
    int lanesHeight() const;
    int wireRowsHeight() const;
    // Gives the wire view its six rows where the panel is tall enough for the lanes too (its own
    // split gave the wire two rows at 1920x1080); a shorter panel keeps its split.
    void giveWireItsRows();
    models::FramesModel *frames() const { return m_frames; }
    QString detailsText() const;
    QString droppedText() const;
    QSpinBox *retentionBox() const { return m_retention; }
    // Whether the retention box is offered (the window's timeline; not a response's).
    bool offersRetention() const;

    // Picks an event: shows its content and selects its frames.
    void pickItem(quint64 id);
    // Writes the shown lanes (or the whole session) as JSON; PNG or SVG by the file's suffix.
    // Returns an empty string, or why it failed.
    QString exportTo(const QString &file);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void placeInlineLegend();
    void fillCallBox();
    void applyCallFilter();
    void pickFrame(quint64 frameId);
    void updateDropped();
    void exportAs();
    QByteArray exportBytes(const QString &suffix);

    models::Timeline &m_timeline;
    models::WireCapture *m_capture = nullptr;
    TimelineView *m_view = nullptr;
    TimelineLegend *m_legend = nullptr;
    QWidget *m_viewBox = nullptr;
    QFrame *m_legendPopup = nullptr;
    QToolButton *m_legendButton = nullptr; // the popup opens at it
    TimelineLegend *m_popupLegend = nullptr;
    models::FramesModel *m_frames = nullptr;
    QTableView *m_wire = nullptr;
    JsonEditor *m_details = nullptr;
    QLabel *m_detailsTitle = nullptr;
    QSplitter *m_split = nullptr; // the lanes above, the wire view and details below
    QComboBox *m_callBox = nullptr;
    int m_filteredLane = -1; // the call lane the view is narrowed to, or -1
    QComboBox *m_directionBox = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QCheckBox *m_follow = nullptr;
    QLabel *m_dropped = nullptr;
    QSpinBox *m_retention = nullptr;
    QWidgetAction *m_retentionAction = nullptr; // the retention box's place in the More menu
    std::vector<int> m_restricted;
    bool m_syncingSelection = false;
};

} // namespace ui
