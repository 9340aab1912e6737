// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>

#include <vector>

namespace models {

class Timeline;

// The wire view: the HTTP/2 frames the timeline's taps decoded, one row per frame in the order
// they crossed the wire. All frames, or only those of some lanes (a call's stream and its
// connection's stream 0). Rows follow the timeline in batches; text is built in data().
class FramesModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        IndexColumn,
        TimeColumn,
        ConnectionColumn,
        DirectionColumn,
        StreamColumn,
        TypeColumn,
        FlagsColumn,
        LengthColumn,
        DetailsColumn,
        ColumnCount
    };
    enum Role { FrameIdRole = Qt::UserRole + 1, OutboundRole };

    explicit FramesModel(Timeline &timeline, QObject *parent = nullptr);

    // Only frames on these lanes; empty: every frame.
    void setLanes(std::vector<int> lanes);
    // The Time column counts from this call lane's start (a response's own wire view); -1:
    // from the timeline's first event kept, the clock of the window's timeline.
    void setClockLane(int lane);
    quint64 frameId(int row) const;
    int rowOfFrame(quint64 id) const; // -1 if not shown
    int count() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void sync();
    void rebuild();
    bool wanted(quint64 id) const;

    Timeline &m_timeline;
    std::vector<int> m_lanes;
    int m_clockLane = -1;
    std::vector<quint32> m_connections; // connection numbers whose stream 0 is wanted
    std::vector<quint64> m_ids;         // with a lane filter: the frame ids shown
    quint64 m_first = 0;                // without one: the first frame id shown
    quint64 m_scanned = 0;              // frames up to here were looked at
    int m_rows = 0;
};

} // namespace models
