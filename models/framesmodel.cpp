// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/framesmodel.h"

#include "models/messagesmodel.h"
#include "models/timeline.h"

#include <algorithm>

namespace models {

FramesModel::FramesModel(Timeline &timeline, QObject *parent)
    : QAbstractTableModel(parent)
    , m_timeline(timeline)
{
    connect(&timeline, &Timeline::framesAppended, this, &FramesModel::sync);
    connect(&timeline, &Timeline::dropped, this, &FramesModel::sync);
    connect(&timeline, &Timeline::lanesChanged, this, [this] {
        // A call's stream id (and so its connection) becomes known when its HEADERS pass.
        if (!m_lanes.empty())
            rebuild();
    });
    connect(&timeline, &Timeline::cleared, this, &FramesModel::rebuild);
    rebuild();
}

void FramesModel::setLanes(std::vector<int> lanes)
{
    m_lanes = std::move(lanes);
    rebuild();
}

void FramesModel::setClockLane(int lane)
{
    if (lane == m_clockLane)
        return;
    m_clockLane = lane;
    if (m_rows > 0)
        emit dataChanged(index(0, TimeColumn), index(m_rows - 1, TimeColumn), {Qt::DisplayRole});
}

bool FramesModel::wanted(quint64 id) const
{
    const auto &f = m_timeline.frame(id);
    if (std::find(m_lanes.begin(), m_lanes.end(), int(f.lane)) != m_lanes.end())
        return f.streamId != 0 || m_timeline.lanes()[f.lane].kind == Timeline::Lane::Kind::Connection;
    return f.streamId == 0 &&
           std::find(m_connections.begin(), m_connections.end(), f.connection) != m_connections.end();
}

void FramesModel::rebuild()
{
    beginResetModel();
    m_ids.clear();
    m_connections.clear();
    for (int lane : m_lanes) {
        if (lane >= 0 && lane < int(m_timeline.lanes().size()) &&
            m_timeline.lanes()[std::size_t(lane)].connection)
            m_connections.push_back(m_timeline.lanes()[std::size_t(lane)].connection);
    }
    m_first = m_timeline.firstFrameId();
    m_scanned = m_first;
    m_rows = 0;
    endResetModel();
    sync();
}

void FramesModel::sync()
{
    const quint64 first = m_timeline.firstFrameId();
    const quint64 end = m_timeline.endFrameId();
    if (m_lanes.empty()) {
        if (first > m_first && m_rows > 0) {
            const int gone = int(std::min<quint64>(first - m_first, quint64(m_rows)));
            beginRemoveRows({}, 0, gone - 1);
            m_first += quint64(gone);
            m_rows -= gone;
            endRemoveRows();
        }
        m_first = std::max(m_first, first);
        const int total = int(end - m_first);
        if (total > m_rows) {
            beginInsertRows({}, m_rows, total - 1);
            m_rows = total;
            endInsertRows();
        }
        return;
    }
    const auto kept = std::lower_bound(m_ids.begin(), m_ids.end(), first);
    if (kept != m_ids.begin()) {
        beginRemoveRows({}, 0, int(kept - m_ids.begin()) - 1);
        m_ids.erase(m_ids.begin(), kept);
        m_rows = int(m_ids.size());
        endRemoveRows();
    }
    std::vector<quint64> fresh;
    for (quint64 id = std::max(m_scanned, first); id < end; ++id) {
        if (wanted(id))
            fresh.push_back(id);
    }
    m_scanned = end;
    if (!fresh.empty()) {
        beginInsertRows({}, m_rows, m_rows + int(fresh.size()) - 1);
        m_ids.insert(m_ids.end(), fresh.begin(), fresh.end());
        m_rows = int(m_ids.size());
        endInsertRows();
    }
}

quint64 FramesModel::frameId(int row) const
{
    if (row < 0 || row >= m_rows)
        return 0;
    return m_lanes.empty() ? m_first + quint64(row) : m_ids[std::size_t(row)];
}

int FramesModel::rowOfFrame(quint64 id) const
{
    if (m_lanes.empty())
        return id >= m_first && id < m_first + quint64(m_rows) ? int(id - m_first) : -1;
    const auto it = std::lower_bound(m_ids.begin(), m_ids.end(), id);
    return it != m_ids.end() && *it == id ? int(it - m_ids.begin()) : -1;
}

int FramesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int FramesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FramesModel::data(const QModelIndex &index, int role) const
{
    const quint64 id = frameId(index.row());
    if (!index.isValid() || !m_timeline.hasFrame(id))
        return {};
    const auto &f = m_timeline.frame(id);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn:
            return QString::number(id);
        case TimeColumn: {
            const auto &lanes = m_timeline.lanes();
            const qint64 origin = m_clockLane >= 0 && m_clockLane < int(lanes.size())
                                      ? lanes[std::size_t(m_clockLane)].startNs
                                      : m_timeline.startNs();
            // A connection's frames from before the call started are at negative times.
            return formatClockTime(f.timeNs - origin);
        }
        case ConnectionColumn:
            return QString::number(f.connection);
        case DirectionColumn:
            return f.outbound ? tr("client → server") : tr("server → client");
        case StreamColumn:
            return QString::number(f.streamId);
        case TypeColumn:
            return m_timeline.frameTypeName(id);
        case FlagsColumn:
            return m_timeline.frameFlagNames(id);
        case LengthColumn:
            return QString::number(f.length);
        case DetailsColumn:
            return m_timeline.frameDetails(id).replace(QLatin1Char('\n'), QStringLiteral("  "));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return m_timeline.frameDetails(id);
    case FrameIdRole:
        return id;
    case OutboundRole:
        return f.outbound;
    case Qt::TextAlignmentRole:
        if (index.column() == LengthColumn || index.column() == TimeColumn || index.column() == IndexColumn ||
            index.column() == StreamColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant FramesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IndexColumn:
        return tr("#");
    case TimeColumn:
        return tr("Time");
    case ConnectionColumn:
        return tr("Conn");
    case DirectionColumn:
        return tr("Direction");
    case StreamColumn:
        return tr("Stream");
    case TypeColumn:
        return tr("Type");
    case FlagsColumn:
        return tr("Flags");
    case LengthColumn:
        return tr("Length");
    case DetailsColumn:
        return tr("Details");
    default:
        return {};
    }
}

} // namespace models
