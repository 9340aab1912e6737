// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/history.h"
#include "models/workspace.h"

#include <QObject>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>

class QThread;

namespace models {

// The open workspace and its history for the UI thread. Every disk access runs on the store's
// own thread; the UI reads the latest snapshot and hears about results through signals. Files
// are watched: a request changed by someone else (a git pull) is reloaded and reported, and a
// save over a file that changed on disk since it was read is refused as a conflict unless the
// caller says to overwrite.
class WorkspaceStore final : public QObject
{
    Q_OBJECT

public:
    explicit WorkspaceStore(QObject *parent = nullptr);
    ~WorkspaceStore() override;

    // Opens a workspace folder (and its history); `opened` follows.
    void open(const QString &folder);
    // Without a workspace, history goes to this file.
    void openHistoryOnly(const QString &file);
    // Closes the open workspace (its files are no longer watched); history goes to `file`
    // again. `changed` and `historyChanged` follow.
    void close(const QString &historyFile);
    bool isOpen() const { return m_open; }
    const Workspace &workspace() const { return m_snapshot; }
    // The workspace's folders (empty ones too), relative to it, read with the snapshot.
    const QStringList &folders() const { return m_folders; }
    const std::deque<HistoryEntry> &history() const { return m_history; }

    // Saves a request; saveFinished reports it. A file changed on disk since it was read is a
    // conflict and is not written unless `overwrite`. With `asNewFile` (Save As, a new request)
    // any existing file at the path is a conflict: it belongs to another request.
    enum class SaveMode { Normal, Overwrite, AsNewFile };
    void save(const SavedRequest &request, SaveMode mode = SaveMode::Normal);
    void saveSettings(const WorkspaceSettings &settings);
    void remove(const QString &path);
    void move(const QString &from, const QString &to);
    void duplicate(const QString &from, const QString &to);
    void createFolder(const QString &path);
    void removeFolder(const QString &path);
    void moveFolder(const QString &from, const QString &to);
    void duplicateFolder(const QString &from, const QString &to);
    void appendHistory(const HistoryEntry &entry);
    void clearHistory();

    // Blocks until every queued operation has run (tests, and the end of the program).
    void flush();

signals:
    void opened();
    void changed(); // the snapshot changed (an operation, or files changed on disk)
    void saveFinished(const QString &path, const QString &error, bool conflict);
    void operationFailed(const QString &message);
    // Requests whose files were changed by someone else; the snapshot already has their content.
    void changedOnDisk(const QStringList &paths);
    void historyChanged();
    // A request we moved or renamed (`to` empty: deleted), so open tabs follow it. For a folder
    // both end in '/' and stand for every request under them.
    void moved(const QString &from, const QString &to);

private:
    struct Worker;
    void post(std::function<void(Worker &)> job);
    void publish(const Workspace &snapshot);
    // Runs `op` on the worker; on success tells the UI that `from` is now `to`.
    void postMove(std::function<Status(Workspace &)> op, const QString &from, const QString &to);

    QThread *m_thread = nullptr;
    Worker *m_worker = nullptr;
    Workspace m_snapshot;
    QStringList m_folders;
    std::deque<HistoryEntry> m_history;
    bool m_open = false;
};

} // namespace models
