// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/callrequest.h"
#include "models/connectionsettings.h"

#include <QHash>
#include <QMainWindow>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

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
class QTimer;

namespace rpc {
class DemoServer;
}

namespace models {
struct Environment;
struct SavedRequest;
class SecretStore;
class WorkspaceStore;
class EngineBridge;
class Timeline;
class WireCapture;
class SourcesModel;
} // namespace models

namespace ui {

class EnvironmentsDialog;
class RequestTab;
class SourcesFilterModel;
class TimelinePanel;
class WorkspacePanel;

// The workbench: the workspace tree of schema sources, services and methods on the left, one
// tab per open request in the centre (each with its response), load problems below.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(models::EngineBridge &bridge, models::SourcesModel &sources, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Schema sources; each loads in the background. Return the source id.
    int addProtoSource(const QStringList &importRoots, const QStringList &files);
    int addProtoFolder(const QString &folder);
    int addProtosetSource(const QStringList &files);
    int addReflectionSource(const QString &target);

    // Starts the built-in demo service and opens a request to it once its schema is loaded.
    // Returns the demo's address, or an empty string (the reason goes to the status bar).
    QString startDemo();

    // Opens a request tab for a method of a loaded source ("pkg.Svc/Method").
    // With `body`, the editor starts with it instead of an example.
    // `prepare` fills the tab (a saved request) before requestOpened announces it.
    RequestTab *openMethod(int sourceId, const QString &methodPath, const QString &body = {},
                           const std::function<void(RequestTab *)> &prepare = {});
    RequestTab *currentRequest() const;
    QTabWidget *tabs() const { return m_tabs; }
    QTreeView *tree() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    QTreeWidget *problems() const { return m_problems; }
    QMenu *recentMenu() const { return m_recentMenu; }
    QString statusText() const;

    // Workspaces (mainwindow_workspace.cpp). Opening one loads its schema sources and lists its
    // saved requests and history; the environment box in the toolbar picks the variables.
    // With `request` (a path in it), that saved request opens once the workspace has loaded.
    void openWorkspace(const QString &folder, const QString &request = {});
    models::WorkspaceStore &workspaceStore() const { return *m_store; }
    models::SecretStore &secrets() const { return *m_secrets; }
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
    bool importGrpcurl(const QString &commandLine);
    // Secret values of the current environment known in this session, for masking.
    QStringList secretValues() const;
    // Unsaved tabs are written here a moment after each edit and when the window closes, and
    // brought back by restoreAutosave() after a crash or a restart.
    QString autosaveFile() const;
    void writeAutosaveNow();
    // Reads the autosave file (on a pool thread) and reopens its tabs; `restored` follows.
    void restoreAutosave();
    models::Timeline &timeline() const { return *m_timeline; }
    TimelinePanel *timelinePanel() const { return m_timelinePanel; }

signals:
    void requestOpened(ui::RequestTab *tab);
    void autosaveRestored(int tabs);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void fillRecentMenu();
    void openFiles();
    void openFolder();
    void openProtoset();
    void askReflectionTarget();
    void onSourceLoaded(int sourceId);
    void onLoadFailed(int sourceId);
    void updateLoadingIndicator();
    void activateTreeItem(const QModelIndex &proxyIndex);
    void openProblem(const QString &file, int line, int column);
    void showStatus(const QString &text);
    void updateActions();
    void setupWorkspace();
    void createWorkspaceActions(QMenu *file, QAction *before, QMenu *request);
    void onWorkspaceOpened();
    void fillEnvironments();
    void environmentChosen();
    const models::Environment *currentEnvironment() const;
    models::Environment environment() const; // the chosen one, or an empty one
    models::SecretLookup secretLookup();
    void wireTab(RequestTab *tab, int sourceId);
    void recordHistory(RequestTab *tab);
    void scheduleAutosave();
    void retryPendingOpens();
    void onSaveFinished(const QString &path, const QString &error, bool conflict);
    void onChangedOnDisk(const QStringList &paths);
    RequestTab *tabForPath(const QString &path) const;
    // Asks what to do with a tab's unsaved edits: true to close it now (discarded or unchanged).
    bool confirmClose(RequestTab *tab);
    void updateMasking();

    models::EngineBridge &m_bridge;
    models::SourcesModel &m_sources;
    std::unique_ptr<rpc::DemoServer> m_demo;
    int m_demoSource = -1;
    QString m_demoAddress;

    SourcesFilterModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_tree = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeWidget *m_problems = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancelLoad = nullptr;
    QLabel *m_welcome = nullptr;
    models::Timeline *m_timeline = nullptr;
    models::WireCapture *m_capture = nullptr;
    TimelinePanel *m_timelinePanel = nullptr;

    models::WorkspaceStore *m_store = nullptr;
    models::SecretStore *m_secrets = nullptr;
    WorkspacePanel *m_workspacePanel = nullptr;
    QComboBox *m_envBox = nullptr;
    QAction *m_editEnvironments = nullptr;
    QHash<QString, QString> m_renamedEnvironments; // by the editor, until the box is refilled
    QTimer *m_autosaveTimer = nullptr;
    QThreadPool m_diskPool; // one thread: autosaves in order, off the UI thread
    struct PendingOpen
    {
        std::shared_ptr<models::SavedRequest> request;
        bool keepPath = false;
        bool modified = false;
        std::optional<models::ConnectionSettings> connection;
    };
    std::vector<PendingOpen> m_pending;
    std::set<QString> m_reflectionRequested;

    QMenu *m_recentMenu = nullptr;
    QAction *m_sendAction = nullptr;
    QAction *m_sendMessageAction = nullptr;
    QAction *m_endStreamAction = nullptr;
    QAction *m_cancelAction = nullptr;
};

} // namespace ui
