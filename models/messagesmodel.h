#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace models {

// The messages of one call in the order they crossed the wire, both directions. Rows are
// appended in batches (one insert per batch of engine events); display text is built in data().
class MessagesModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IndexColumn, DirectionColumn, TimeColumn, SizeColumn, PreviewColumn, ColumnCount };
    enum Role {
        PayloadRole = Qt::UserRole + 1, // the message as JSON (QString)
        OutboundRole,                   // bool: sent by us
        ErrorRole,                      // why a message could not be decoded, or empty
    };

    struct Entry
    {
        bool outbound = false;
        quint64 index = 0;
        qint64 relativeNs = 0; // since the call started
        quint64 wireSize = 0;
        // UTF-8 JSON, kept as bytes until shown: `payload` is a view of `bytes`, which holds the
        // engine's text without a copy. Keep `bytes` alongside any copy that may outlive it.
        std::shared_ptr<const std::string> bytes;
        QByteArray payload;
        QString error;
    };

    explicit MessagesModel(QObject *parent = nullptr);

    void clear();
    void append(std::vector<Entry> entries);
    const Entry &entry(int row) const { return m_entries[static_cast<std::size_t>(row)]; }
    int count() const { return static_cast<int>(m_entries.size()); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Entry> m_entries;
};

// "1.5 ms", "230 µs", "2.41 s".
QString formatDuration(qint64 ns);
// "812 B", "4.2 KiB", "20.0 MiB".
QString formatSize(quint64 bytes);

} // namespace models
