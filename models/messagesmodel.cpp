// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/messagesmodel.h"

#include "models/timeline.h"

#include <algorithm>

namespace models {

QString formatDuration(qint64 ns)
{
    if (ns < 0)
        return QStringLiteral("–");
    if (ns < 1000000)
        return QStringLiteral("%1 µs").arg(ns / 1000);
    if (ns < 1000000000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', ns < 10000000 ? 2 : 1);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 2);
}

QString formatClockTime(qint64 ns)
{
    return ns < 0 ? QStringLiteral("−") + formatDuration(-ns) : QStringLiteral("+") + formatDuration(ns);
}

QString formatSize(quint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024ULL * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
}

MessagesModel::MessagesModel(Timeline &timeline, QObject *parent)
    : QAbstractTableModel(parent)
    , m_timeline(timeline)
{
    connect(&timeline, &Timeline::itemsAppended, this, &MessagesModel::sync);
    connect(&timeline, &Timeline::dropped, this, &MessagesModel::sync);
    connect(&timeline, &Timeline::cleared, this, [this] { setLane(-1); });
}

void MessagesModel::setLane(int lane)
{
    beginResetModel();
    m_lane = lane;
    m_rows = 0;
    m_lastId = 0;
    endResetModel();
    sync();
}

// Brings the rows in line with the lane: drops from the front what retention dropped, then
// appends what arrived, each as one change.
void MessagesModel::sync()
{
    if (m_lane < 0 || m_lane >= int(m_timeline.lanes().size()))
        return;
    const auto &ids = m_timeline.lanes()[std::size_t(m_lane)].messages;
    const auto kept =
        m_lastId == 0 ? 0 : int(std::upper_bound(ids.begin(), ids.end(), m_lastId) - ids.begin());
    if (kept < m_rows) {
        // Until the removal is announced, rows keep their old numbering: row r is the lane's
        // message r - m_offset, and the dropped ones are empty.
        m_offset = m_rows - kept;
        beginRemoveRows({}, 0, m_rows - kept - 1);
        m_rows = kept;
        m_offset = 0;
        endRemoveRows();
    }
    const int total = int(ids.size());
    if (total > m_rows) {
        beginInsertRows({}, m_rows, total - 1);
        m_rows = total;
        m_lastId = ids.back();
        endInsertRows();
    }
}

quint64 MessagesModel::itemId(int row) const
{
    if (m_lane < 0 || row < m_offset || row >= m_rows)
        return 0;
    return m_timeline.lanes()[std::size_t(m_lane)].messages[std::size_t(row - m_offset)];
}

int MessagesModel::rowOfItem(quint64 id) const
{
    if (m_lane < 0)
        return -1;
    const auto &ids = m_timeline.lanes()[std::size_t(m_lane)].messages;
    const auto end = ids.begin() + std::ptrdiff_t(std::min<std::size_t>(std::size_t(m_rows), ids.size()));
    const auto it = std::lower_bound(ids.begin(), end, id);
    return it != end && *it == id ? int(it - ids.begin()) : -1;
}

bool MessagesModel::isOutbound(int row) const
{
    const quint64 id = itemId(row);
    return id && m_timeline.hasItem(id) && m_timeline.item(id).kind == Timeline::ItemKind::MessageSent;
}

Result<QByteArray> MessagesModel::text(int row, qsizetype limit) const
{
    return m_timeline.itemText(itemId(row), limit);
}

quint64 MessagesModel::droppedBefore() const
{
    return m_lane < 0 ? 0 : m_timeline.lanes()[std::size_t(m_lane)].droppedMessages;
}

int MessagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

int MessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessagesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= count())
        return {};
    const quint64 id = itemId(index.row());
    if (!m_timeline.hasItem(id))
        return {};
    const Timeline::Item &item = m_timeline.item(id);
    const bool outbound = item.kind == Timeline::ItemKind::MessageSent;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn:
            return QString::number(quint64(index.row() - m_offset) + droppedBefore() + 1);
        case DirectionColumn:
            return outbound ? tr("sent") : tr("received");
        case TimeColumn:
            return QString(QStringLiteral("+") +
                           formatDuration(item.timeNs - m_timeline.lanes()[std::size_t(m_lane)].startNs));
        case SizeColumn:
            return formatSize(item.size);
        case PreviewColumn: {
            // One line of compact JSON: enough to tell messages apart in a list. A big message
            // is previewed from its first bytes, never decoded or copied whole here.
            if (!(item.flags & Timeline::Undecoded)) {
                const std::string_view bytes = m_timeline.payload(id);
                const QByteArray head(bytes.data(), qsizetype(std::min<std::size_t>(bytes.size(), 240)));
                return (item.flags & Timeline::Failed) ? QString::fromUtf8(head)
                                                       : QString::fromUtf8(head.simplified());
            }
            const auto json = m_timeline.itemText(id);
            return json ? QString::fromUtf8(json->left(240).simplified()) : json.errorMessage();
        }
        default:
            return {};
        }
    case Qt::ToolTipRole: {
        const auto json = text(index.row());
        return json ? QString::fromUtf8(json->left(4000)) : json.errorMessage();
    }
    case PayloadRole:
        return QString::fromUtf8(text(index.row()).valueOr(QByteArray()));
    case OutboundRole:
        return outbound;
    case ErrorRole: {
        if (item.flags & (Timeline::Failed | Timeline::Undecoded))
            return text(index.row()).errorMessage();
        return QString();
    }
    case ItemIdRole:
        return id;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == TimeColumn || index.column() == IndexColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant MessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IndexColumn:
        return tr("#");
    case DirectionColumn:
        return tr("Direction");
    case TimeColumn:
        return tr("Time");
    case SizeColumn:
        return tr("Size");
    case PreviewColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace models
