// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVariantList>

namespace models {

// The application's settings (what QSettings keeps between sessions), typed, in one place: no
// other file spells a settings key. QSettings caches values itself, so reads are cheap.
class AppSettings final
{
public:
    // The main window's geometry and dock layout.
    static QByteArray windowGeometry();
    static void setWindowGeometry(const QByteArray &geometry);
    static QByteArray windowState();
    static void setWindowState(const QByteArray &state);
    // Forgets the window's geometry, docks and splits (View → Reset Layout).
    static void resetLayout();
    // The split between request and response, shared by every request tab.
    static QByteArray requestSplitterState();
    static void setRequestSplitterState(const QByteArray &state);
    // How many million events and frames the timeline keeps (default 2).
    static int timelineRetentionMillions();
    static void setTimelineRetentionMillions(int millions);
    // The environment last chosen in a workspace folder ("" for none).
    static QString environmentFor(const QString &workspaceFolder);
    static void setEnvironmentFor(const QString &workspaceFolder, const QString &environment);
    // Schema sources opened before, newest first, as RecentSources stores them.
    static QVariantList recentSources();
    static void setRecentSources(const QVariantList &entries);
    // Workspace folders opened before, newest first (at most ten): File → Open Recent.
    static QStringList recentWorkspaces();
    static void rememberWorkspace(const QString &folder); // to the front, once
    static void forgetWorkspace(const QString &folder);
    static void clearRecentWorkspaces();
};

} // namespace models
