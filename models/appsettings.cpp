// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/appsettings.h"

#include <QDir>
#include <QSettings>

namespace models {

namespace {

// Every key the application stores, here and nowhere else.
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");
const QString kRequestSplitter = QStringLiteral("window/requestSplitter");
const QString kTimelineRetention = QStringLiteral("timeline/retentionMillions");
const QString kRecentSources = QStringLiteral("recent/sources");
const QString kRecentWorkspaces = QStringLiteral("recent/workspaces");
constexpr int kMaxRecentWorkspaces = 10;

QString environmentKey(const QString &folder)
{
    // The folder as base64url: a path's '/' would nest groups in QSettings.
    return QStringLiteral("workspaces/%1/environment")
        .arg(QString::fromLatin1(QDir(folder).absolutePath().toUtf8().toBase64(QByteArray::Base64UrlEncoding)));
}

} // namespace

QByteArray AppSettings::windowGeometry()
{
    return QSettings().value(kWindowGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    QSettings().setValue(kWindowGeometry, geometry);
}

QByteArray AppSettings::windowState()
{
    return QSettings().value(kWindowState).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    QSettings().setValue(kWindowState, state);
}

void AppSettings::resetLayout()
{
    QSettings settings;
    for (const QString &key : {kWindowGeometry, kWindowState, kRequestSplitter})
        settings.remove(key);
}

QByteArray AppSettings::requestSplitterState()
{
    return QSettings().value(kRequestSplitter).toByteArray();
}

void AppSettings::setRequestSplitterState(const QByteArray &state)
{
    QSettings().setValue(kRequestSplitter, state);
}

int AppSettings::timelineRetentionMillions()
{
    return QSettings().value(kTimelineRetention, 2).toInt();
}

void AppSettings::setTimelineRetentionMillions(int millions)
{
    QSettings().setValue(kTimelineRetention, millions);
}

QString AppSettings::environmentFor(const QString &workspaceFolder)
{
    return QSettings().value(environmentKey(workspaceFolder)).toString();
}

void AppSettings::setEnvironmentFor(const QString &workspaceFolder, const QString &environment)
{
    QSettings().setValue(environmentKey(workspaceFolder), environment);
}

QVariantList AppSettings::recentSources()
{
    return QSettings().value(kRecentSources).toList();
}

void AppSettings::setRecentSources(const QVariantList &entries)
{
    if (entries.isEmpty())
        QSettings().remove(kRecentSources);
    else
        QSettings().setValue(kRecentSources, entries);
}

QStringList AppSettings::recentWorkspaces()
{
    return QSettings().value(kRecentWorkspaces).toStringList();
}

void AppSettings::rememberWorkspace(const QString &folder)
{
    QStringList folders = recentWorkspaces();
    folders.removeAll(folder);
    folders.prepend(folder);
    while (folders.size() > kMaxRecentWorkspaces)
        folders.removeLast();
    QSettings().setValue(kRecentWorkspaces, folders);
}

void AppSettings::forgetWorkspace(const QString &folder)
{
    QStringList folders = recentWorkspaces();
    if (folders.removeAll(folder) > 0)
        QSettings().setValue(kRecentWorkspaces, folders);
}

void AppSettings::clearRecentWorkspaces()
{
    QSettings().remove(kRecentWorkspaces);
}

} // namespace models
