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

#include <map>
#include <memory>

namespace models {

namespace {

constexpr int kAutosaveFormat = 2;

// An unsaved tab as the autosave file keeps it. Built on the disk thread: for a big body the
// request's JSON, parsed back into an object, and the editor's text are copies of many MB.
QJsonObject autosaveEntry(const UnsavedTab &tab, const QString &session)
{
    QJsonObject entry{
        {QStringLiteral("saved_path"), tab.request.path},
        {QStringLiteral("request"), QJsonDocument::fromJson(Workspace::serialize(tab.request)).object()},
        {QStringLiteral("editor_text"), tab.request.body}, // as typed, even half-way
        {QStringLiteral("session"), session},
    };
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

} // namespace

QString WorkspaceController::autosaveFile() const
{
    return m_dataFolder + QStringLiteral("/autosave.json");
}

void WorkspaceController::scheduleAutosave()
{
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
    // Not this window's tabs, but never to be lost: entries that could not reopen, entries still
    // waiting for their schema, and sections waiting for their workspace. By workspace folder,
    // after the tabs' own.
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
    // Sections this window never read (another window's, or written before it restored) are
    // merged in on the disk thread from what the file holds then.
    m_diskPool.start([file = autosaveFile(), tabs = std::move(tabs), others = std::move(others), top,
                      environments, restored = m_restoredFolders, session = m_session]() mutable {
        std::map<QString, QJsonArray> mine; // by workspace folder
        for (const UnsavedTab &tab : tabs)
            mine[tab.workspace].append(autosaveEntry(tab, session));
        for (const auto &[folder, entries] : others) {
            for (const QJsonValue &e : entries)
                mine[folder].append(e);
        }
        QFile existing(file);
        std::map<QString, QJsonObject> onDisk;
        if (existing.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = existing.readAll();
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
            if (error.error == QJsonParseError::NoError)
                onDisk = autosaveSections(doc.object());
            else if (!bytes.isEmpty())
                QFile::copy(file, file + QStringLiteral(".damaged")); // not overwritten unseen
        }
        QJsonArray sections;
        std::map<QString, QJsonArray> all = mine;
        for (const auto &[folder, section] : onDisk) {
            if (restored.count(folder))
                continue;
            for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray()) {
                // This window's own entries on disk are what `mine` replaces.
                if (e.toObject().value(QStringLiteral("session")).toString() != session &&
                    !all[folder].contains(e))
                    all[folder].append(e);
            }
            if (!environments.contains(folder))
                environments.insert(folder, section.value(QStringLiteral("environment")).toString());
        }
        for (const auto &[folder, entries] : all) {
            if (!entries.isEmpty())
                sections.append(QJsonObject{{QStringLiteral("workspace"), folder},
                                            {QStringLiteral("environment"), environments.value(folder)},
                                            {QStringLiteral("tabs"), entries}});
        }
        if (sections.isEmpty()) {
            QFile::remove(file);
            return;
        }
        QJsonObject out = top;
        out.insert(QStringLiteral("sections"), sections);
        QDir().mkpath(QFileInfo(file).absolutePath());
        // On the disk thread, nobody to answer to: the next autosave tries again, and the log says why.
        if (const Status written = writeFileAtomically(file, QJsonDocument(out).toJson()); !written)
            qWarning("wirescope: the autosave was not written: %s", qPrintable(written.errorMessage()));
    });
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
    auto bytes = std::make_shared<QByteArray>();
    auto *done = new QObject(this);
    m_diskPool.start([file = autosaveFile(), bytes, done] {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            *bytes = f.readAll();
        QMetaObject::invokeMethod(
            done, [done] { done->deleteLater(); }, Qt::QueuedConnection);
    });
    connect(done, &QObject::destroyed, this, [this, bytes] {
        if (bytes->isEmpty()) {
            emit autosaveRestored(0);
            return;
        }
        QJsonParseError parseError{};
        const QJsonObject file = QJsonDocument::fromJson(*bytes, &parseError).object();
        if (parseError.error != QJsonParseError::NoError) {
            emit statusMessage(tr("The autosave file %1 is damaged (%2); it was left as it is")
                                   .arg(autosaveFile(), parseError.errorString()));
            emit autosaveRestored(0);
            return;
        }
        std::map<QString, QJsonObject> sections = autosaveSections(file);
        // The workspace asked for wins; without one, the last session's opens.
        QString target = m_folder;
        if (target.isEmpty())
            target = absoluteFolder(file.value(QStringLiteral("workspace")).toString());
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
            } else if (!m_parked.count(absolute)) {
                m_parked[absolute] = section;
                elsewhere << QStringLiteral("%1 (%2)")
                                 .arg(QFileInfo(absolute).fileName())
                                 .arg(section.value(QStringLiteral("tabs")).toArray().size());
            }
        }
        m_restoredFolders.insert(QString());
        if (!target.isEmpty())
            m_restoredFolders.insert(target);
        const int count = int(loose.size() + own.size());
        auto finish = [this, loose, own, target, ownEnvironment, elsewhere, count] {
            reopen(loose, QString(), QString());
            reopen(own, target, ownEnvironment);
            QString status = tr("Restored %n unsaved request(s) from the last session", nullptr, count);
            if (!elsewhere.isEmpty())
                status += tr("; those of other workspaces are kept until they are opened: %1")
                              .arg(elsewhere.join(QStringLiteral(", ")));
            emit statusMessage(status);
            emit autosaveRestored(count);
            QTimer::singleShot(0, this, &WorkspaceController::reportStalled);
        };
        // After the workspace is open: its environment is chosen and its sources are loading.
        if (!target.isEmpty())
            openWorkspace(target, finish);
        else
            finish();
    });
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
        if (const QJsonValue source = entry.value(QStringLiteral("source")); source.isObject())
            open.source = sourceSpecFromMap(source.toObject().toVariantMap());
        openRequest(std::move(open));
    }
}

} // namespace models
