// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workspace.h"
#include "models/workspacecontroller.h"

#include <QHash>
#include <QTabWidget>

#include <deque>
#include <functional>


namespace ui {

class RequestTab;

// The request tabs of the window and their files: which source and workspace each tab belongs
// to, saving (Save, Save As, the snapshots on their way to disk), files changed on disk, and
// the questions asked before unsaved edits go away (closing a tab, quitting).
class RequestTabs final : public QTabWidget
{
    Q_OBJECT

public:
    // What the window knows about a tab besides the tab itself.
    struct TabInfo
    {
        int sourceId = -1;
        QString workspace; // the workspace folder it belongs to ("" for none)
        // Requests on their way to disk, oldest first (the store saves in order): a save marks
        // the tab clean only if it still holds what was written.
        std::deque<models::SavedRequest> saving;
        bool closeAfterSave = false;
        bool discarded = false; // its edits thrown away on quit: no draft is kept
    };

    RequestTabs(models::WorkspaceController &workspace, QWidget *parent = nullptr);
    ~RequestTabs() override;

    // Adds a tab (replacing the Welcome page) and makes it current.
    void addRequestTab(RequestTab *tab, const TabInfo &info);
    RequestTab *currentRequest() const;
    QList<RequestTab *> requestTabs() const;
    QList<RequestTab *> unsavedTabs() const;
    RequestTab *tabForPath(const QString &path) const;
    const TabInfo *info(RequestTab *tab) const;
    void setWorkspace(RequestTab *tab, const QString &folder);
    // The unsaved tabs as autosave keeps them; those whose target is `demoAddress` (the demo
    // service of this session, "" when it does not run) are marked as the demo's.
    std::vector<models::UnsavedTab> unsavedSnapshots(const QString &demoAddress = {}) const;

    // Saves a tab to its file, or to `path` (Save As); asks for a path when neither. Returns
    // whether a save was started.
    bool save(RequestTab *tab, const QString &path = {});
    // Asks what to do with a tab's unsaved edits; true to close it now (discarded or unchanged).
    bool confirmClose(RequestTab *tab);
    // Quitting with unsaved tabs: asks Save All / Discard / Cancel. True to quit now; false to
    // stay (Cancel, or saves still running: `quit` runs once every one of them has landed).
    bool confirmQuit(const std::function<void()> &quit);
    // Closes, without asking, the tabs that belong to `workspace` (its folder): the workspace
    // closed, and parked what they held unsaved.
    void closeTabsOf(const QString &workspace);

signals:
    void statusMessage(const QString &text);
    void unsavedChanged(); // a tab became modified or clean, an unsaved one was edited, or one went away

private:
    void closeRequested(int index);
    void removeRequestTab(RequestTab *tab);
    void welcomeWhenEmpty();
    void onSaveFinished(const QString &path, const QString &error, bool conflict);
    void onChangedOnDisk(const QStringList &paths);
    void onMoved(const QString &from, const QString &to);
    QString askPath(RequestTab *tab, const QString &title, const QString &suggestion);

    models::WorkspaceController &m_workspace;
    QWidget *m_welcome = nullptr;
    QHash<RequestTab *, TabInfo> m_info;
    // Quitting after Save All: the tabs still being saved, and what runs once they are.
    QList<RequestTab *> m_quitAfter;
    std::function<void()> m_quit;
};

} // namespace ui
