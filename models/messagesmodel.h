// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QString>

namespace models {

class Timeline;

// The messages of one call in the order they crossed the wire, both directions: a view of the
// call's lane in the timeline, which keeps the bytes. Rows are appended in batches (one insert
// per batch of engine events), the oldest rows go when the timeline's retention drops them, and
// display text is built in data() — small messages are decoded only then.
class MessagesModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IndexColumn, DirectionColumn, TimeColumn, SizeColumn, PreviewColumn, ColumnCount };
    enum Role {
        PayloadRole = Qt::UserRole + 1, // the message as JSON (QString)
        OutboundRole,                   // bool: sent by us
        ErrorRole,                      // why a message could not be decoded, or empty
        ItemIdRole,                     // the timeline item id (quint64)
    };

    explicit MessagesModel(Timeline &timeline, QObject *parent = nullptr);

    // Shows the messages of timeline lane `lane` (-1: none).
    void setLane(int lane);
    int count() const { return m_rows; }
    quint64 itemId(int row) const;
    int rowOfItem(quint64 itemId) const; // -1 if not shown
    bool isOutbound(int row) const;
    // The message as UTF-8 JSON, or why it cannot be shown; with `limit`, at most about that
    // many bytes of it (see Timeline::itemText).
    Result<QByteArray> text(int row, qsizetype limit = -1) const;
    // Messages of this call that the retention limit dropped.
    quint64 droppedBefore() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void sync();

    Timeline &m_timeline;
    int m_lane = -1;
    int m_rows = 0;
    int m_offset = 0;     // while removing dropped rows: how many are gone from the lane already
    quint64 m_lastId = 0; // item id of the last row, 0 when empty
};

// "1.5 ms", "230 µs", "2.41 s".
QString formatDuration(qint64 ns);
// "+1.5 ms", "−230 µs": a time on a clock, before or after its zero.
QString formatClockTime(qint64 ns);
// "812 B", "4.2 KiB", "20.0 MiB".
QString formatSize(quint64 bytes);

} // namespace models
