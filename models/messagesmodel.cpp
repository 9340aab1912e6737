#include "models/messagesmodel.h"

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

QString formatSize(quint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024ULL * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
}

MessagesModel::MessagesModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void MessagesModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

void MessagesModel::append(std::vector<Entry> entries)
{
    if (entries.empty())
        return;
    const int first = count();
    beginInsertRows({}, first, first + static_cast<int>(entries.size()) - 1);
    m_entries.insert(m_entries.end(), std::make_move_iterator(entries.begin()),
                     std::make_move_iterator(entries.end()));
    endInsertRows();
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
    const Entry &e = entry(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn:
            return QString::number(e.index + 1);
        case DirectionColumn:
            return e.outbound ? tr("sent") : tr("received");
        case TimeColumn:
            return QString(QStringLiteral("+") + formatDuration(e.relativeNs));
        case SizeColumn:
            return formatSize(e.wireSize);
        case PreviewColumn: {
            if (!e.error.isEmpty())
                return e.error;
            // One line of compact JSON: enough to tell messages apart in a list.
            QByteArray line = e.payload.left(240).simplified();
            return QString::fromUtf8(line);
        }
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return e.error.isEmpty() ? QString::fromUtf8(e.payload.left(4000)) : e.error;
    case PayloadRole:
        return QString::fromUtf8(e.payload);
    case OutboundRole:
        return e.outbound;
    case ErrorRole:
        return e.error;
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
