// SPDX-License-Identifier: GPL-3.0-or-later
// WorkspaceController's autosave: unsaved tabs written on the disk thread, by workspace, and
// reopened in the next session (those of other workspaces kept until they are opened).
#include "models/workspacecontroller.h"

#include "workspacecontroller_p.h"

#include "models/recentsources.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>

#include <map>
#include <memory>

namespace models {

namespace {

constexpr int kAutosaveFormat = 2;

// An unsaved tab as the autosave file keeps it. Built on the disk thread: for a big body the
// request's JSON, parsed back into an object, and the editor's text are copies of many MB.
QJsonObject autosaveEntry(const UnsavedTab &tab)
{
    QJsonObject entry{
        {QStringLiteral("saved_path"), tab.request.path},
        {QStringLiteral("request"), QJsonDocument::fromJson(Workspace::serialize(tab.request)).object()},
        {QStringLiteral("editor_text"), tab.request.body}, // as typed, even half-way
    };
    // The demo's port dies with the session: the next one's is its target. (The demo's own
    // source is never in `tab.source`.)
    if (tab.demo)
        entry.insert(QStringLiteral("demo"), true);
    if (tab.source)
        entry.insert(QStringLiteral("source"), QJsonObject::fromVariantMap(sourceSpecToMap(*tab.source)));
    return entry;
}

// The sections of an autosave file by workspace folder ("" for tabs of no workspace). The first
// format had one workspace and its tabs at the top.
std::map<QString, QJsonObject> autosaveSections(const QJsonObject &file)
{
    std::map<QString, QJsonObject> sections;
    if (file.contains(QStringLiteral("sections"))) {
        for (const QJsonValue &v : file.value(QStringLiteral("sections")).toArray()) {
            const QJsonObject section = v.toObject();
            QJsonObject &into = sections[section.value(QStringLiteral("workspace")).toString()];
            QJsonArray tabs = into.value(QStringLiteral("tabs")).toArray();
            for (const QJsonValue &tab : section.value(QStringLiteral("tabs")).toArray())
                tabs.append(tab);
            into = section;
            into.insert(QStringLiteral("tabs"), tabs);
        }
    } else if (file.contains(QStringLiteral("tabs"))) {
        sections[file.value(QStringLiteral("workspace")).toString()] = file;
    }
    return sections;
}

// An autosave file whose window is gone (it crashed), taken over: what it holds, and its lock,
// held until the file is removed so that no other window starting now takes it too.
struct Orphan
{
    QString path;
    QByteArray bytes;
    std::shared_ptr<QLockFile> lock;
};

// On the disk thread: the autosave files in `folder` but `own` whose lock is free or stale,
// newest first. `autosave.json` is the one file every window shared before each had its own.
std::vector<Orphan> takeOrphans(const QString &folder, const QString &own)
{
    std::vector<Orphan> orphans;
    const QFileInfoList files =
        QDir(folder).entryInfoList({QStringLiteral("autosave.json"), QStringLiteral("autosave-*.json")},
                                   QDir::Files, QDir::Time);
    for (const QFileInfo &info : files) {
        const QString path = info.absoluteFilePath();
        if (path == QFileInfo(own).absoluteFilePath())
            continue;
        auto lock = std::make_shared<QLockFile>(path + QStringLiteral(".lock"));
        lock->setStaleLockTime(0); // stale only when its process is gone
        if (!lock->tryLock(0))
            continue; // its window is running
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        orphans.push_back({path, file.readAll(), std::move(lock)});
    }
    // The locks of crashed windows that had nothing unsaved: taken, and so removed.
    for (const QFileInfo &info : QDir(folder).entryInfoList({QStringLiteral("autosave-*.json.lock")}, QDir::Files)) {
        const QString path = info.absoluteFilePath();
        if (path.chopped(5) == QFileInfo(own).absoluteFilePath() || QFileInfo::exists(path.chopped(5)))
            continue;
        QLockFile lock(path);
        lock.setStaleLockTime(0);
        if (lock.tryLock(0))
            lock.unlock();
    }
    return orphans;
}

} // namespace

QString WorkspaceController::autosaveFile() const
{
    return m_dataFolder + QStringLiteral("/autosave-") + m_session + QStringLiteral(".json");
}

void WorkspaceController::scheduleAutosave()
{
    // Not pushed back by the edits that follow: typing without a pause is still written within
    // the interval of its first keystroke.
    if (!m_autosaveTimer.isActive())
        m_autosaveTimer.start();
}

void WorkspaceController::writeAutosaveNow()
{
    m_autosaveTimer.stop();
    // The UI thread only takes the tabs' values; their entries are built on the disk thread
    // (with a 45 MiB request open, building them here stalled the window).
    std::vector<UnsavedTab> tabs;
    if (!m_discarded && m_unsaved)
        tabs = m_unsaved();
    // Not this window's tabs, but never to be lost: entries that could not be read, entries
    // still waiting for their schema, and sections waiting for their workspace. By workspace
    // folder, after the tabs' own.
    std::map<QString, QJsonArray> others;
    for (const auto &[folder, entries] : m_kept) {
        for (const QJsonValue &e : entries)
            others[folder].append(e);
    }
    for (const RequestToOpen &r : m_pending) {
        if (!r.autosaved.isEmpty())
            others[r.workspace].append(r.autosaved);
    }
    for (const auto &[folder, section] : m_parked) {
        for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray())
            others[folder].append(e);
    }
    QJsonObject top{{QStringLiteral("version"), kAutosaveFormat},
                    {QStringLiteral("workspace"), m_folder},
                    {QStringLiteral("environment"), m_environment}};
    QHash<QString, QString> environments; // the one chosen in each section, as last known
    for (const auto &[folder, section] : m_parked)
        environments.insert(folder, section.value(QStringLiteral("environment")).toString());
    environments.insert(m_folder, m_environment);
    // The files taken over from crashed windows go once what they held is in this one's.
    m_diskPool.start([file = autosaveFile(), tabs = std::move(tabs), others = std::move(others), top,
                      environments, taken = std::exchange(m_taken, {}),
                      locks = std::exchange(m_takenLocks, {})]() mutable {
        std::map<QString, QJsonArray> all; // by workspace folder
        for (const UnsavedTab &tab : tabs)
            all[tab.workspace].append(autosaveEntry(tab));
        for (const auto &[folder, entries] : others) {
            for (const QJsonValue &e : entries)
                all[folder].append(e);
        }
        QJsonArray sections;
        for (const auto &[folder, entries] : all) {
            if (!entries.isEmpty())
                sections.append(QJsonObject{{QStringLiteral("workspace"), folder},
                                            {QStringLiteral("environment"), environments.value(folder)},
                                            {QStringLiteral("tabs"), entries}});
        }
        bool written = true;
        if (sections.isEmpty()) {
            QFile::remove(file);
        } else {
            QJsonObject out = top;
            out.insert(QStringLiteral("sections"), sections);
            QDir().mkpath(QFileInfo(file).absolutePath());
            // On the disk thread, nobody to answer to: the next autosave tries again, and the log
            // says why. The files taken over stay for the next start to take.
            if (const Status status = writeFileAtomically(file, QJsonDocument(out).toJson()); !status) {
                written = false;
                qWarning("wirescope: the autosave was not written: %s", qPrintable(status.errorMessage()));
            }
        }
        if (written) {
            for (const QString &path : taken)
                QFile::remove(path);
        }
        locks.clear(); // unlocked: their lock files go too
    });
}

int WorkspaceController::parkUnsaved(const QString &folder)
{
    QJsonArray entries;
    if (m_unsaved) {
        for (const UnsavedTab &tab : m_unsaved()) {
            if (tab.workspace == folder)
                entries.append(autosaveEntry(tab));
        }
    }
    // Requests of this workspace still waiting for their schema go with it too: opened later,
    // they would be tabs of a workspace that is closed (and Save would write them into the
    // next one). Drafts are parked; a saved request only being opened is just not opened.
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->workspace != folder) {
            ++it;
            continue;
        }
        if (!it->autosaved.isEmpty())
            entries.append(it->autosaved);
        else if (it->modified)
            entries.append(autosaveEntry(UnsavedTab{it->request, it->workspace, it->source, it->demo}));
        it = m_pending.erase(it);
    }
    park(folder, m_environment, entries);
    return int(entries.size());
}

void WorkspaceController::park(const QString &folder, const QString &environment, const QJsonArray &entries)
{
    if (entries.isEmpty())
        return;
    QJsonObject &section = m_parked[folder];
    QJsonArray tabs = section.value(QStringLiteral("tabs")).toArray();
    for (const QJsonValue &e : entries)
        tabs.append(e);
    section.insert(QStringLiteral("workspace"), folder);
    if (!environment.isEmpty() || !section.contains(QStringLiteral("environment")))
        section.insert(QStringLiteral("environment"), environment);
    section.insert(QStringLiteral("tabs"), tabs);
}

void WorkspaceController::discardUnsaved()
{
    m_discarded = true;
    writeAutosaveNow();
}

void WorkspaceController::waitForDisk()
{
    m_diskPool.waitForDone();
}

void WorkspaceController::restoreAutosave()
{
    auto orphans = std::make_shared<std::vector<Orphan>>();
    auto *done = new QObject(this);
    m_diskPool.start([folder = m_dataFolder, own = autosaveFile(), orphans, done] {
        *orphans = takeOrphans(folder, own);
        QMetaObject::invokeMethod(
            done, [done] { done->deleteLater(); }, Qt::QueuedConnection);
    });
    connect(done, &QObject::destroyed, this, [this, orphans] {
        // Every file taken over, as one: the newest names the last session's workspace.
        std::map<QString, QJsonObject> sections;
        QString lastWorkspace;
        bool newest = true;
        for (Orphan &orphan : *orphans) {
            QJsonParseError parseError{};
            const QJsonObject file = QJsonDocument::fromJson(orphan.bytes, &parseError).object();
            if (parseError.error != QJsonParseError::NoError && !orphan.bytes.isEmpty()) {
                emit statusMessage(tr("The autosave file %1 is damaged (%2); it was left as it is")
                                       .arg(orphan.path, parseError.errorString()));
                m_diskPool.start([lock = std::move(orphan.lock)]() mutable { lock.reset(); });
                continue;
            }
            if (newest)
                lastWorkspace = file.value(QStringLiteral("workspace")).toString();
            newest = false;
            for (auto &[folder, section] : autosaveSections(file)) {
                auto [it, added] = sections.try_emplace(folder, section);
                if (added)
                    continue;
                QJsonArray tabs = it->second.value(QStringLiteral("tabs")).toArray();
                for (const QJsonValue &tab : section.value(QStringLiteral("tabs")).toArray())
                    tabs.append(tab);
                it->second.insert(QStringLiteral("tabs"), tabs);
            }
            m_taken << orphan.path;
            m_takenLocks.push_back(std::move(orphan.lock));
        }
        if (sections.empty() && m_taken.isEmpty()) {
            emit autosaveRestored(0);
            return;
        }
        // The workspace asked for wins; without one, the last session's opens.
        QString target = m_folder;
        if (target.isEmpty())
            target = absoluteFolder(lastWorkspace);
        if (target.isEmpty() && sections.size() == 1)
            target = sections.begin()->first;
        QJsonArray loose, own;
        QString ownEnvironment;
        QStringList elsewhere;
        for (auto &[folder, section] : sections) {
            const QString absolute = absoluteFolder(folder);
            if (absolute.isEmpty()) {
                for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray())
                    loose.append(e);
            } else if (absolute == target) {
                own = section.value(QStringLiteral("tabs")).toArray();
                ownEnvironment = section.value(QStringLiteral("environment")).toString();
            } else if (m_parked.count(absolute)) {
                park(absolute, QString(), section.value(QStringLiteral("tabs")).toArray());
            } else {
                m_parked[absolute] = section;
                elsewhere << QStringLiteral("%1 (%2)")
                                 .arg(QFileInfo(absolute).fileName())
                                 .arg(section.value(QStringLiteral("tabs")).toArray().size());
            }
        }
        const int count = int(loose.size() + own.size());
        // Those of no workspace open now. The target's are parked for it, as Close Workspace
        // parks them: they open with it (onStoreOpened), and if another workspace is opened
        // before it has finished opening, they stay kept instead of going with the lost wait.
        reopen(loose, QString(), QString());
        if (!own.isEmpty() && isOpen() && m_folder == target) {
            reopen(own, target, ownEnvironment);
        } else {
            park(target, ownEnvironment, own);
        }
        auto finish = [this, elsewhere, count] {
            QString status = tr("Restored %n unsaved request(s) from the last session", nullptr, count);
            if (!elsewhere.isEmpty())
                status += tr("; those of other workspaces are kept until they are opened: %1")
                              .arg(elsewhere.join(QStringLiteral(", ")));
            emit statusMessage(status);
            emit autosaveRestored(count);
            // What was taken over is in this window's file now; the files it came from go.
            writeAutosaveNow();
            QTimer::singleShot(0, this, &WorkspaceController::reportStalled);
        };
        // After the workspace is open: its environment is chosen and its sources are loading.
        if (!target.isEmpty())
            openWorkspace(target, finish);
        else
            finish();
    });
}

void WorkspaceController::setDemoAddress(const QString &address)
{
    m_demoAddress = address;
    if (address.isEmpty())
        return;
    for (RequestToOpen &r : m_pending) {
        if (r.demo)
            r.request.target = address;
    }
    retryPending();
}

void WorkspaceController::reopen(const QJsonArray &entries, const QString &folder, const QString &environment)
{
    if (!environment.isEmpty() && environmentNames().contains(environment) && environment != m_environment)
        chooseEnvironment(environment);
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        auto r =
            Workspace::parseRequest(QJsonDocument(entry.value(QStringLiteral("request")).toObject()).toJson(),
                                    entry.value(QStringLiteral("saved_path")).toString());
        if (!r) {
            // Kept as it was; a later version may read it.
            m_kept[folder].append(entry);
            emit statusMessage(tr("An unsaved request could not be read back (%1); it is kept in %2")
                                   .arg(r.error().toString(), autosaveFile()));
            continue;
        }
        if (const QJsonValue text = entry.value(QStringLiteral("editor_text")); text.isString())
            r->body = text.toString();
        RequestToOpen open;
        open.request = std::move(*r);
        open.keepPath = !open.request.path.isEmpty();
        open.modified = true;
        open.workspace = folder;
        open.autosaved = entry;
        open.demo = entry.value(QStringLiteral("demo")).toBool();
        if (const QJsonValue source = entry.value(QStringLiteral("source")); source.isObject())
            open.source = sourceSpecFromMap(source.toObject().toVariantMap());
        openRequest(std::move(open));
    }
}

} // namespace models
