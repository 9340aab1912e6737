#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;
class QLineEdit;
class QProgressBar;
class QToolButton;
class QTreeView;
class QTreeWidget;
class QTabWidget;
class QAction;
class QMenu;

namespace rpc {
class DemoServer;
}

namespace models {
class EngineBridge;
class Timeline;
class WireCapture;
class SourcesModel;
} // namespace models

namespace ui {

class RequestTab;
class SourcesFilterModel;
class TimelinePanel;

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
    RequestTab *openMethod(int sourceId, const QString &methodPath, const QString &body = {});
    RequestTab *currentRequest() const;
    QTabWidget *tabs() const { return m_tabs; }
    QTreeView *tree() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    QTreeWidget *problems() const { return m_problems; }
    QMenu *recentMenu() const { return m_recentMenu; }
    QString statusText() const;
    models::Timeline &timeline() const { return *m_timeline; }
    TimelinePanel *timelinePanel() const { return m_timelinePanel; }

signals:
    void requestOpened(ui::RequestTab *tab);

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

    QMenu *m_recentMenu = nullptr;
    QAction *m_sendAction = nullptr;
    QAction *m_sendMessageAction = nullptr;
    QAction *m_endStreamAction = nullptr;
    QAction *m_cancelAction = nullptr;
};

} // namespace ui
