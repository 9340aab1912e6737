// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"
#include "models/workspace.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <deque>
#include <optional>

namespace models {

// One finished call as history keeps it: the request as written (variables unresolved, so it
// reopens as it was), what was sent (resolved, secrets masked), and what came back, capped.
struct HistoryEntry
{
    QDateTime time; // UTC, when the call started
    SavedRequest request;
    QString environment;
    QString sentTarget; // resolved, secrets masked
    int statusCode = 0;
    QString statusName;
    QString statusMessage;
    QStringList responses; // the first messages, each at most kMaxResponseBytes
    int responseCount = 0; // all messages received, also those not kept
    double durationMs = 0;
    qint64 bodyOmittedBytes = 0; // a request body over kMaxRequestBodyBytes is not kept: its size

    bool operator==(const HistoryEntry &other) const = default;
};

// The calls of a workspace (or of the whole program without one), newest last, bounded. Kept
// as one JSON object per line in a file the workspace does not track (.wirescope/history.jsonl,
// with a .gitignore beside it). Appends add a line; when the file holds twice the limit it is
// rewritten atomically with the newest `limit` entries. A damaged line is skipped and counted.
// Disk access happens on the calling thread: the GUI calls these from a worker.
class History
{
public:
    static constexpr int kDefaultLimit = 500;
    static constexpr int kMaxResponses = 20;
    static constexpr int kMaxResponseBytes = 64 * 1024;
    // Bigger request bodies are left out (500 calls of a 40 MiB request would be 20 GB).
    static constexpr qint64 kMaxRequestBodyBytes = 1024 * 1024;

    // The file history keeps for a workspace folder.
    static QString fileFor(const QString &workspaceFolder);

    explicit History(QString file, int limit = kDefaultLimit);

    // Reads the file (none yet is an empty history); an error when it exists and cannot be read.
    Status load();
    // Caps the responses, appends the entry in memory and on disk.
    Status append(HistoryEntry entry);
    Status clear();

    const std::deque<HistoryEntry> &entries() const { return m_entries; }
    int skippedLines() const { return m_skipped; }
    // Indexes of the entries whose method, target, status, body or responses contain every
    // word of `query` (case-insensitive), newest first.
    std::vector<int> search(const QString &query) const;

    static QByteArray serialize(const HistoryEntry &entry);
    static std::optional<HistoryEntry> parse(const QByteArray &line);

private:
    Status rewrite();

    QString m_file;
    int m_limit;
    int m_linesOnDisk = 0;
    int m_skipped = 0;
    std::deque<HistoryEntry> m_entries;
};

} // namespace models
