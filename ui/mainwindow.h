// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"
#include "rpc/result.h"

#include <QMainWindow>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QToolButton;
class QTreeView;
class QTreeWidget;
class QTabWidget;
class QAction;
class QMenu;
class QComboBox;
class QDockWidget;
class QToolBar;

namespace models {
class SecretStore;
class WorkspaceStore;
class WorkspaceController;
class EngineBridge;
class Timeline;
class WireCapture;
class SourcesModel;
struct RequestToOpen;
} // namespace models

namespace ui {

class EnvironmentsDialog;
class ProblemsPanel;
class RequestTab;
class RequestTabs;
class SourceActions;
class SourcesFilterModel;
class TimelinePanel;
class WorkspacePanel;

// A service the window can start for File → Start Demo Service, given by the program (app/):
// the window knows nothing of how it is served.
struct DemoService
{
    std::function<models::Result<QString>()> start; // the address it listens on
    QString method;                                 // the request to open once its schema loads
    QString body;
};

// A DemoService for a server whose start() gives its address, with the request to open.
DemoService demoService(std::function<rpc::Result<std::string>()> start, const char *method, const char *body);

// The workbench: the schema sources, services and methods on the left, one tab per open request
// in the centre (each with its response), load problems and the timeline below. The workspace
// side (environments, secrets, history, autosave, grpcurl) lives in models::WorkspaceController;
// the tabs and their files in RequestTabs. This class lays them out and connects them.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(models::EngineBridge &bridge, models::SourcesModel &sources, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Schema sources (mainwindow_sources.cpp); each loads in the background. Return the source id.
    int addProtoSource(const QStringList &importRoots, const QStringList &files);
    int addProtoFolder(const QString &folder);
    int addProtosetSource(const QStringList &files);
    int addReflectionSource(const QString &target);

    // File → Start Demo Service starts `demo` (the action is there only when one is given).
    void setDemoService(DemoService demo);
    // Starts the demo service and opens a request to it once its schema is loaded. Returns the
    // demo's address, or an empty string (the reason goes to the status bar).
    QString startDemo();
    // `--send`: sends the next request that opens fresh (the demo's, or one opened from a
    // workspace); drafts restored from an earlier session open unsaved and are left alone.
    void sendNextOpened();

    // Opens a request tab for a method of a loaded source ("pkg.Svc/Method").
    // With `body`, the editor starts with it instead of an example.
    // `prepare` fills the tab (a saved request) before requestOpened announces it.
    RequestTab *openMethod(int sourceId, const QString &methodPath, const QString &body = {},
                           const std::function<void(RequestTab *)> &prepare = {});
    RequestTab *currentRequest() const;
    QTabWidget *tabs() const;
    QTreeView *tree() const { return m_tree; }
    // Add, reload, edit and remove sources (ui/sourceactions.h).
    SourceActions *sourceActions() const { return m_sourceActions; }
    QLineEdit *filterEdit() const { return m_filter; }
    QTreeWidget *problems() const;
    QMenu *recentMenu() const { return m_recentMenu; }
    QString statusText() const;

    // Workspaces (mainwindow_workspace.cpp). Opening one loads its schema sources and lists its
    // saved requests and history; the environment box in the toolbar picks the variables.
    // With `request` (a path in it), that saved request opens once the workspace has loaded.
    void openWorkspace(const QString &folder, const QString &request = {});
    models::WorkspaceController &workspace() const { return *m_workspace; }
    models::WorkspaceStore &workspaceStore() const;
    models::SecretStore &secrets() const;
    WorkspacePanel *workspacePanel() const { return m_workspacePanel; }
    QComboBox *environmentBox() const { return m_envBox; }
    // Opens the environment editor (window-modal, not blocking); saving it writes wirescope.json
    // and puts secret values in the keychain. Returns the dialog, or null without a workspace.
    EnvironmentsDialog *editEnvironments();
    // Opens a saved request in a new tab as soon as a loaded schema has its method (loading the
    // target's reflection when nothing else has it). With `keepPath` the tab saves back to it.
    // With `connection`, those settings go to the tab (a pasted grpcurl command).
    void openSavedRequest(const models::SavedRequest &request, bool keepPath, bool modified = false,
                          const std::optional<models::ConnectionSettings> &connection = {});
    // Saves the current tab to its file, or to `path` (Save As); asks for a path when neither.
    // Returns whether a save was started (saveFinished on the store tells how it ended).
    bool saveCurrentRequest(const QString &path = {});
    // The current tab as a grpcurl command (also put on the clipboard); empty with the reason
    // in the status bar when it cannot be made.
    QString copyAsGrpcurl();
    // The current tab, a Connect unary call, as a curl command (also put on the clipboard);
    // empty with the reason in the status bar for any other request.
    QString copyAsCurl();
    bool importGrpcurl(const QString &commandLine);
    // What Request → Paste Command offers: the last command refused, to mend, else the clipboard.
    QString pasteSuggestion() const;
    // Secret values of the workspace known in this session, for masking.
    QStringList secretValues() const;
    // Unsaved tabs are written here a moment after each edit, and brought back by
    // restoreAutosave() after a crash.
    QString autosaveFile() const;
    void writeAutosaveNow();
    // Reads the autosave file (on a pool thread) and reopens its tabs; `autosaveRestored` follows.
    void restoreAutosave();
    models::Timeline &timeline() const { return *m_timeline; }
    // View → Reset Layout: the default size, docks, toolbar and splits; the saved layout is
    // forgotten. The layout (geometry, docks, splits) is saved on close and restored on start.
    void resetLayout();
    void saveLayout();
    TimelinePanel *timelinePanel() const { return m_timelinePanel; }

signals:
    void requestOpened(ui::RequestTab *tab);
    void autosaveRestored(int tabs);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    // With unsaved tabs, asks Save All / Discard / Cancel first.
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void applyDefaultLayout();
    void fillRecentMenu();
    void openFiles();
    void openFolder();
    void openProtoset();
    void askReflectionTarget();
    void onSourceLoaded(int sourceId);
    void onLoadFailed(int sourceId);
    void updateLoadingIndicator();
    void activateTreeItem(const QModelIndex &proxyIndex);
    void showStatus(const QString &text);
    void updateActions();
    // mainwindow_workspace.cpp
    void setupWorkspace();
    void createWorkspaceActions(QMenu *file, QAction *before, QMenu *request);
    // Copy as grpcurl for gRPC, Copy as curl for Connect unary calls: the other is disabled,
    // its tooltip saying why.
    void updateCopyActions();
    // Puts a copied command on the clipboard, or says in the status bar why there is none.
    QString copyCommand(const QString &tool, const models::Result<QString> &command);
    void fillEnvironments();
    void wireTab(RequestTab *tab);
    void recordHistory(RequestTab *tab);
    void openReady(const models::RequestToOpen &request, int sourceId);

    models::EngineBridge &m_bridge;
    models::SourcesModel &m_sources;
    models::WorkspaceController *m_workspace = nullptr;
    std::optional<DemoService> m_demo;
    QAction *m_demoAction = nullptr;
    int m_demoSource = -1;
    QString m_demoAddress;
    QString m_refusedPaste; // the last pasted command that could not be imported
    QString m_lastTarget; // typed in the tab that sent last
    models::ProtocolChoice m_lastProtocol; // and its protocol

    SourcesFilterModel *m_proxy = nullptr;
    SourceActions *m_sourceActions = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_tree = nullptr;
    RequestTabs *m_tabs = nullptr;
    ProblemsPanel *m_problems = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancelLoad = nullptr;
    models::Timeline *m_timeline = nullptr;
    models::WireCapture *m_capture = nullptr;
    TimelinePanel *m_timelinePanel = nullptr;
    QDockWidget *m_treeDock = nullptr;
    QDockWidget *m_timelineDock = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QToolBar *m_toolbar = nullptr;

    WorkspacePanel *m_workspacePanel = nullptr;
    QComboBox *m_envBox = nullptr;
    QAction *m_editEnvironments = nullptr;

    QMenu *m_recentMenu = nullptr;
    QAction *m_sendAction = nullptr;
    QAction *m_sendMessageAction = nullptr;
    QAction *m_endStreamAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_copyGrpcurl = nullptr;
    QAction *m_copyCurl = nullptr;
};

} // namespace ui
