// SPDX-License-Identifier: GPL-3.0-or-later
// Workspace: what it does to the files and folders of the workspace (look up, save, remove,
// duplicate, move, create and remove folders); reading and writing the formats is in workspace.cpp.
#include "models/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace models {

const SavedRequest *Workspace::request(const QString &path) const
{
    const auto it = std::find_if(m_requests.begin(), m_requests.end(),
                                 [&](const SavedRequest &r) { return r.path == path; });
    return it == m_requests.end() ? nullptr : &*it;
}

Status Workspace::save(const SavedRequest &request)
{
    const auto target = resolve(request.path);
    if (!target || !request.path.endsWith(QLatin1String(".json")) ||
        request.path == QLatin1String(kSettingsFile))
        return fail(QStringLiteral("\"%1\" is not a request file inside the workspace").arg(request.path),
                    request.path);
    QDir().mkpath(QFileInfo(*target).absolutePath());
    if (Status written = writeFileAtomically(*target, serialize(request)); !written)
        return written;
    const auto it = std::find_if(m_requests.begin(), m_requests.end(),
                                 [&](const SavedRequest &r) { return r.path == request.path; });
    if (it == m_requests.end())
        m_requests.push_back(request);
    else
        *it = request;
    return {};
}

Status Workspace::saveSettings(const WorkspaceSettings &settings)
{
    for (const QStringList *list : {&settings.importPaths, &settings.protoFiles, &settings.protosets}) {
        for (const QString &p : *list) {
            if (!resolve(p))
                return fail(QStringLiteral("the path \"%1\" leaves the workspace folder").arg(p),
                            QLatin1String(kSettingsFile));
        }
    }
    Status written =
        writeFileAtomically(m_folder + QLatin1Char('/') + QLatin1String(kSettingsFile), serialize(settings));
    if (written)
        m_settings = settings;
    return written;
}

Status Workspace::remove(const QString &path)
{
    const auto file = resolve(path);
    if (!file || !request(path))
        return fail(QStringLiteral("no request \"%1\" in the workspace").arg(path), path);
    if (!QFile::remove(*file))
        return fail(QStringLiteral("cannot delete %1").arg(path), path);
    std::erase_if(m_requests, [&](const SavedRequest &r) { return r.path == path; });
    return {};
}

Status Workspace::duplicate(const QString &from, const QString &to)
{
    const SavedRequest *source = request(from);
    if (!source)
        return fail(QStringLiteral("no request \"%1\" in the workspace").arg(from), from);
    if (request(to) || (resolve(to) && QFileInfo::exists(*resolve(to))))
        return fail(QStringLiteral("\"%1\" already exists").arg(to), to);
    SavedRequest copy = *source;
    copy.path = to;
    return save(copy);
}

Status Workspace::move(const QString &from, const QString &to)
{
    if (Status copied = duplicate(from, to); !copied)
        return copied;
    return remove(from);
}

Status Workspace::createFolder(const QString &path)
{
    const auto dir = resolve(path);
    if (!dir)
        return fail(QStringLiteral("\"%1\" is not inside the workspace").arg(path), path);
    if (!QDir().mkpath(*dir))
        return fail(QStringLiteral("cannot create %1").arg(path), path);
    return {};
}

Status Workspace::removeFolder(const QString &path)
{
    const auto dir = resolve(path);
    if (!dir)
        return fail(QStringLiteral("\"%1\" is not inside the workspace").arg(path), path);
    const QString prefix = QDir::cleanPath(path) + QLatin1Char('/');
    if (std::any_of(m_requests.begin(), m_requests.end(),
                    [&](const SavedRequest &r) { return r.path.startsWith(prefix); }))
        return fail(QStringLiteral("%1 still holds requests").arg(path), path);
    if (!QDir(*dir).removeRecursively())
        return fail(QStringLiteral("cannot delete %1").arg(path), path);
    return {};
}

namespace {

QString folderPrefix(const QString &path)
{
    return QDir::cleanPath(path) + QLatin1Char('/');
}

} // namespace

Result<Workspace::FolderPair> Workspace::checkFolderPair(const QString &from, const QString &to) const
{
    const auto s = resolve(from);
    const auto t = resolve(to);
    if (!s || !QFileInfo(*s).isDir())
        return fail(QStringLiteral("no folder \"%1\" in the workspace").arg(from), from);
    if (!t)
        return fail(QStringLiteral("\"%1\" is not inside the workspace").arg(to), to);
    if (QFileInfo::exists(*t))
        return fail(QStringLiteral("\"%1\" already exists").arg(to), to);
    if (folderPrefix(to).startsWith(folderPrefix(from)))
        return fail(QStringLiteral("cannot put \"%1\" into itself").arg(from), to);
    return FolderPair{*s, *t};
}

Status Workspace::moveFolder(const QString &from, const QString &to)
{
    const auto pair = checkFolderPair(from, to);
    if (!pair)
        return pair.error();
    QDir().mkpath(QFileInfo(pair->target).absolutePath());
    if (::rename(QFile::encodeName(pair->source).constData(), QFile::encodeName(pair->target).constData()) !=
        0)
        return fail(QStringLiteral("cannot move %1 to %2: %3")
                        .arg(from, to, QString::fromLocal8Bit(std::strerror(errno))),
                    from);
    const QString oldPrefix = folderPrefix(from);
    const QString newPrefix = folderPrefix(to);
    for (SavedRequest &r : m_requests) {
        if (r.path.startsWith(oldPrefix))
            r.path = newPrefix + r.path.mid(oldPrefix.size());
    }
    return {};
}

Status Workspace::duplicateFolder(const QString &from, const QString &to)
{
    const auto pair = checkFolderPair(from, to);
    if (!pair)
        return pair.error();
    if (!QDir().mkpath(pair->target))
        return fail(QStringLiteral("cannot create %1").arg(to), to);
    const QString oldPrefix = folderPrefix(from);
    std::vector<SavedRequest> copies;
    for (const SavedRequest &r : m_requests) {
        if (r.path.startsWith(oldPrefix)) {
            SavedRequest copy = r;
            copy.path = folderPrefix(to) + r.path.mid(oldPrefix.size());
            copies.push_back(std::move(copy));
        }
    }
    for (const SavedRequest &copy : copies) {
        if (Status saved = save(copy); !saved)
            return saved;
    }
    return {};
}

} // namespace models
