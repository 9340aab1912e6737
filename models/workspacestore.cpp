// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/workspacestore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileSystemWatcher>
#include <QHash>
#include <QThread>
#include <QTimer>

namespace models {

namespace {

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

// Lives on the store's thread: owns the workspace, the history and the file watcher.
struct WorkspaceStore::Worker : QObject
{
    WorkspaceStore *store = nullptr;
    Workspace ws;
    std::unique_ptr<History> history;
    QHash<QString, QByteArray> known; // request path -> the bytes last read or written by us
    QFileSystemWatcher *watcher = nullptr;
    QTimer *rescan = nullptr;

    void openFolder(const QString &folder)
    {
        ws = Workspace::open(folder);
        known.clear();
        for (const SavedRequest &r : ws.requests())
            known.insert(r.path, readBytes(ws.folder() + QLatin1Char('/') + r.path));
        history = std::make_unique<History>(History::fileFor(folder));
        failed(history->load());
        if (!watcher) {
            watcher = new QFileSystemWatcher(this);
            rescan = new QTimer(this);
            rescan->setSingleShot(true);
            rescan->setInterval(150); // a git pull touches many files at once
            connect(watcher, &QFileSystemWatcher::directoryChanged, rescan, qOverload<>(&QTimer::start));
            connect(watcher, &QFileSystemWatcher::fileChanged, rescan, qOverload<>(&QTimer::start));
            connect(rescan, &QTimer::timeout, this, [this] { reloadFromDisk(); });
        }
        watch();
    }

    void watch()
    {
        if (!watcher->files().isEmpty())
            watcher->removePaths(watcher->files());
        if (!watcher->directories().isEmpty())
            watcher->removePaths(watcher->directories());
        QStringList paths{ws.folder()};
        QDirIterator dirs(ws.folder(), QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (dirs.hasNext()) {
            const QString d = dirs.next();
            if (!d.contains(QStringLiteral("/.")))
                paths << d;
        }
        for (const SavedRequest &r : ws.requests())
            paths << ws.folder() + QLatin1Char('/') + r.path;
        paths << ws.folder() + QLatin1Char('/') + QLatin1String(Workspace::kSettingsFile);
        watcher->addPaths(paths);
    }

    void reloadFromDisk()
    {
        if (ws.folder().isEmpty())
            return;
        Workspace fresh = Workspace::open(ws.folder());
        QStringList changed;
        QHash<QString, QByteArray> now;
        for (const SavedRequest &r : fresh.requests()) {
            const QByteArray bytes = readBytes(fresh.folder() + QLatin1Char('/') + r.path);
            now.insert(r.path, bytes);
            if (known.value(r.path) != bytes)
                changed << r.path;
        }
        for (auto it = known.begin(); it != known.end(); ++it) {
            if (!now.contains(it.key()))
                changed << it.key(); // deleted by someone else
        }
        known = now;
        ws = std::move(fresh);
        watch();
        publish();
        if (!changed.isEmpty())
            QMetaObject::invokeMethod(store, [s = store, changed] { emit s->changedOnDisk(changed); });
    }

    void publish()
    {
        QMetaObject::invokeMethod(store, [s = store, snapshot = ws, folders = folderList()] {
            s->m_folders = folders;
            s->publish(snapshot);
        });
    }

    // Every folder below the workspace (empty ones too), relative and sorted; hidden ones skipped.
    QStringList folderList() const
    {
        QStringList folders;
        if (ws.folder().isEmpty())
            return folders;
        const QDir root(ws.folder());
        QDirIterator dirs(ws.folder(), QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (dirs.hasNext()) {
            const QString relative = root.relativeFilePath(dirs.next());
            if (!relative.startsWith(QLatin1Char('.')) && !relative.contains(QStringLiteral("/.")))
                folders << relative;
        }
        folders.sort();
        return folders;
    }

    void failed(const Status &status)
    {
        if (const QString error = status.errorMessage(); !error.isEmpty())
            QMetaObject::invokeMethod(store, [s = store, error] { emit s->operationFailed(error); });
    }

    // Runs a workspace operation, then refreshes what is known about the files it touched. These
    // operations create, move and delete files but never rewrite a path that stays, so only new
    // paths are read. Says whether it succeeded; a failure has been reported by then.
    bool run(const std::function<Status(Workspace &)> &op)
    {
        const Status status = op(ws);
        QHash<QString, QByteArray> now;
        for (const SavedRequest &r : ws.requests()) {
            const auto it = known.constFind(r.path);
            now.insert(r.path,
                       it != known.constEnd() ? *it : readBytes(ws.folder() + QLatin1Char('/') + r.path));
        }
        known = std::move(now);
        watch();
        failed(status);
        publish();
        return status.ok();
    }
};

WorkspaceStore::WorkspaceStore(QObject *parent)
    : QObject(parent)
{
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("workspace"));
    m_worker = new Worker;
    m_worker->store = this;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

WorkspaceStore::~WorkspaceStore()
{
    m_thread->quit();
    m_thread->wait();
}

void WorkspaceStore::post(std::function<void(Worker &)> job)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, job = std::move(job)] { job(*w); });
}

void WorkspaceStore::publish(const Workspace &snapshot)
{
    m_snapshot = snapshot;
    emit changed();
}

void WorkspaceStore::flush()
{
    QMetaObject::invokeMethod(
        m_worker, [] {}, Qt::BlockingQueuedConnection);
}

void WorkspaceStore::open(const QString &folder)
{
    post([folder](Worker &w) {
        w.openFolder(folder);
        std::deque<HistoryEntry> history = w.history->entries();
        QMetaObject::invokeMethod(w.store, [s = w.store, snapshot = w.ws, folders = w.folderList(), history] {
            s->m_open = true;
            s->m_history = history;
            s->m_folders = folders;
            s->publish(snapshot);
            emit s->historyChanged();
            emit s->opened();
        });
    });
}

void WorkspaceStore::openHistoryOnly(const QString &file)
{
    post([file](Worker &w) {
        w.history = std::make_unique<History>(file);
        w.failed(w.history->load());
        QMetaObject::invokeMethod(w.store, [s = w.store, history = w.history->entries()] {
            s->m_history = history;
            emit s->historyChanged();
        });
    });
}

void WorkspaceStore::close(const QString &historyFile)
{
    post([historyFile](Worker &w) {
        w.ws = Workspace();
        w.known.clear();
        if (w.watcher && !w.watcher->files().isEmpty())
            w.watcher->removePaths(w.watcher->files());
        if (w.watcher && !w.watcher->directories().isEmpty())
            w.watcher->removePaths(w.watcher->directories());
        w.history = std::make_unique<History>(historyFile);
        w.failed(w.history->load());
        // After any open still on its way to the UI thread: the last word is closed.
        QMetaObject::invokeMethod(w.store, [s = w.store, history = w.history->entries()] {
            s->m_open = false;
            s->m_folders.clear();
            s->m_history = history;
            s->publish(Workspace());
            emit s->historyChanged();
        });
    });
}

void WorkspaceStore::save(const SavedRequest &request, SaveMode mode)
{
    post([request, mode](Worker &w) {
        const auto file = w.ws.resolve(request.path);
        const bool exists = file && QFile::exists(*file);
        bool conflict = false;
        if (exists && mode == SaveMode::AsNewFile) {
            conflict = true;
        } else if (exists && mode == SaveMode::Normal) {
            // Ours to replace only if it still holds what we last read or wrote.
            conflict = !w.known.contains(request.path) || readBytes(*file) != w.known.value(request.path);
        }
        QString error;
        if (conflict)
            error = w.known.contains(request.path) && mode != SaveMode::AsNewFile
                        ? QStringLiteral("%1 changed on disk since it was opened").arg(request.path)
                        : QStringLiteral("%1 already exists").arg(request.path);
        else
            error = w.ws.save(request).errorMessage();
        if (error.isEmpty() && file)
            w.known.insert(request.path, readBytes(*file));
        if (!conflict) {
            w.watch();
            w.publish();
        }
        QMetaObject::invokeMethod(w.store, [s = w.store, path = request.path, error, conflict] {
            emit s->saveFinished(path, error, conflict);
        });
    });
}

void WorkspaceStore::saveSettings(const WorkspaceSettings &settings)
{
    post([settings](Worker &w) { w.run([&](Workspace &ws) { return ws.saveSettings(settings); }); });
}

void WorkspaceStore::postMove(std::function<Status(Workspace &)> op, const QString &from, const QString &to)
{
    post([op = std::move(op), from, to](Worker &w) {
        if (w.run(op))
            QMetaObject::invokeMethod(w.store, [s = w.store, from, to] { emit s->moved(from, to); });
    });
}

void WorkspaceStore::remove(const QString &path)
{
    postMove([path](Workspace &ws) { return ws.remove(path); }, path, QString());
}

void WorkspaceStore::move(const QString &from, const QString &to)
{
    postMove([from, to](Workspace &ws) { return ws.move(from, to); }, from, to);
}

void WorkspaceStore::duplicate(const QString &from, const QString &to)
{
    post([from, to](Worker &w) { w.run([&](Workspace &ws) { return ws.duplicate(from, to); }); });
}

void WorkspaceStore::createFolder(const QString &path)
{
    post([path](Worker &w) { w.run([&](Workspace &ws) { return ws.createFolder(path); }); });
}

void WorkspaceStore::removeFolder(const QString &path)
{
    post([path](Worker &w) { w.run([&](Workspace &ws) { return ws.removeFolder(path); }); });
}

void WorkspaceStore::moveFolder(const QString &from, const QString &to)
{
    postMove([from, to](Workspace &ws) { return ws.moveFolder(from, to); }, from + QLatin1Char('/'),
             to + QLatin1Char('/'));
}

void WorkspaceStore::duplicateFolder(const QString &from, const QString &to)
{
    post([from, to](Worker &w) { w.run([&](Workspace &ws) { return ws.duplicateFolder(from, to); }); });
}

void WorkspaceStore::appendHistory(const HistoryEntry &entry)
{
    post([entry](Worker &w) {
        if (!w.history)
            return;
        w.failed(w.history->append(entry));
        QMetaObject::invokeMethod(w.store, [s = w.store, history = w.history->entries()] {
            s->m_history = history;
            emit s->historyChanged();
        });
    });
}

void WorkspaceStore::clearHistory()
{
    post([](Worker &w) {
        if (!w.history)
            return;
        w.failed(w.history->clear());
        QMetaObject::invokeMethod(w.store, [s = w.store] {
            s->m_history.clear();
            emit s->historyChanged();
        });
    });
}

} // namespace models
