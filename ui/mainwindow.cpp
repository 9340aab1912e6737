// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "models/appsettings.h"
#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/recentsources.h"
#include "models/softassert.h"
#include "models/sourcesmodel.h"
#include "models/timeline.h"
#include "models/wirecapture.h"
#include "models/workspacecontroller.h"
#include "rpc/types.h"
#include "ui/aboutdialog.h"
#include "ui/clearbutton.h"
#include "ui/icons.h"
#include "ui/problemspanel.h"
#include "ui/requesttab.h"
#include "ui/requesttabs.h"
#include "ui/sourceactions.h"
#include "ui/sourcesfiltermodel.h"
#include "ui/timelinepanel.h"
#include "ui/timelineview.h"


#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

namespace {

// Bumped when the docks change: a state saved by an older layout is not restored.
constexpr int kLayoutVersion = 2;

} // namespace

MainWindow::MainWindow(models::EngineBridge &bridge, models::SourcesModel &sources, QWidget *parent)
    : QMainWindow(parent)
    , m_bridge(bridge)
    , m_sources(sources)
{
    qRegisterMetaType<ui::RequestTab *>(); // for queued connections and signal spies on requestOpened
    m_workspace = new models::WorkspaceController(
        m_sources, QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation), this);
    setWindowTitle(tr("Wirescope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/wirescope.svg")));
    setAcceptDrops(true);
    // The left docks run the window's full height: the services tree is not cut short by the
    // timeline below the requests.
    setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);

    // Workspace tree with its filter.
    auto *treeDock = new QDockWidget(tr("Services"), this);
    treeDock->setObjectName(QStringLiteral("workspaceDock"));
    auto *treeBox = new QWidget(treeDock);
    auto *treeLayout = new QVBoxLayout(treeBox);
    treeLayout->setContentsMargins(4, 4, 4, 4);
    m_filter = new QLineEdit(treeBox);
    m_filter->setObjectName(QStringLiteral("filterEdit"));
    m_filter->setPlaceholderText(tr("Filter services and methods"));
    addClearButton(m_filter);
    m_proxy = new SourcesFilterModel(this);
    m_proxy->setSourceModel(&m_sources);
    m_tree = new QTreeView(treeBox);
    m_tree->setObjectName(QStringLiteral("workspaceTree"));
    m_tree->setModel(m_proxy);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    treeLayout->addWidget(m_filter);
    treeLayout->addWidget(m_tree, 1);
    treeDock->setWidget(treeBox);
    addDockWidget(Qt::LeftDockWidgetArea, treeDock);
    m_sourceActions = new SourceActions(m_sources, m_tree, this);

    // Problems found while loading schemas.
    auto *problemsDock = new QDockWidget(tr("Problems"), this);
    problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problems = new ProblemsPanel(problemsDock);
    problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, problemsDock);
    problemsDock->hide();
    m_problemsDock = problemsDock;

    // Every call of this window on one timeline, with the wire view. The timeline stores the
    // engine's events first (taking their payloads); call sessions follow it.
    m_timeline = new models::Timeline(this);
    m_timeline->setRetention(qsizetype(models::AppSettings::timelineRetentionMillions()) * 1000000);
    m_capture = new models::WireCapture(*m_timeline, this);
    connect(&m_bridge, &models::EngineBridge::eventsArrived, m_timeline, &models::Timeline::addCallEvents);
    auto *timelineDock = new QDockWidget(tr("Timeline"), this);
    timelineDock->setObjectName(QStringLiteral("timelineDock"));
    // In a scroll area: squeezed below its minimum on a small screen, the timeline scrolls
    // instead of making the window taller and wider than the screen.
    auto *timelineArea = new QScrollArea(timelineDock);
    timelineArea->setObjectName(QStringLiteral("timelineArea"));
    timelineArea->setWidgetResizable(true);
    timelineArea->setFrameShape(QFrame::NoFrame);
    m_timelinePanel = new TimelinePanel(*m_timeline, m_capture, timelineArea);
    timelineArea->setWidget(m_timelinePanel);
    timelineDock->setWidget(timelineArea);
    addDockWidget(Qt::BottomDockWidgetArea, timelineDock);
    m_treeDock = treeDock;
    m_timelineDock = timelineDock;

    // Request tabs in the centre; a hint while there are none.
    m_tabs = new RequestTabs(*m_workspace, this);
    setCentralWidget(m_tabs);
    connect(m_tabs, &RequestTabs::statusMessage, this, &MainWindow::showStatus);

    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(180);
    m_progress->hide();
    m_cancelLoad = new QToolButton(this);
    m_cancelLoad->setIcon(QIcon(QStringLiteral(":/icons/cancel.svg")));
    m_cancelLoad->setToolTip(tr("Cancel loading"));
    m_cancelLoad->hide();
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelLoad);
    statusBar()->showMessage(tr("No schema loaded"));

    setupWorkspace();
    createActions();

    connect(m_filter, &QLineEdit::textChanged, m_proxy, [this](const QString &text) {
        m_proxy->setFilterRegularExpression(
            QRegularExpression(QRegularExpression::escape(text), QRegularExpression::CaseInsensitiveOption));
        if (!text.isEmpty())
            m_tree->expandAll();
    });
    // Double-click and Enter both arrive as `activated` (doubleClicked as well would open a
    // second, identical tab).
    connect(m_tree, &QTreeView::activated, this, &MainWindow::activateTreeItem);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    connect(m_problems, &ProblemsPanel::fileMissing, this,
            [this](const QString &file) { showStatus(tr("The file %1 is not on disk").arg(file)); });
    connect(m_problems, &ProblemsPanel::fileOpened, this, [this](QWidget *viewer, const QString &title, const QString &file) {
        const int index = m_tabs->addTab(viewer, title);
        m_tabs->setTabToolTip(index, file);
        m_tabs->setCurrentIndex(index);
    });
    connect(&m_sources, &models::SourcesModel::sourceLoaded, this, &MainWindow::onSourceLoaded);
    connect(&m_sources, &models::SourcesModel::loadFailed, this, &MainWindow::onLoadFailed);
    connect(&m_sources, &models::SourcesModel::loadStarted, this, &MainWindow::updateLoadingIndicator);
    // A source's problems go with it: reloaded, it lists only its new ones; removed, none.
    connect(&m_sources, &models::SourcesModel::loadStarted, m_problems, &ProblemsPanel::clearSource);
    connect(&m_sources, &models::SourcesModel::sourceRemoved, m_problems, &ProblemsPanel::clearSource);
    connect(m_sourceActions, &SourceActions::statusMessage, this, &MainWindow::showStatus);
    connect(&m_sources, &models::SourcesModel::loadProgressed, this, &MainWindow::updateLoadingIndicator);
    connect(&m_sources, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
        if (!parent.isValid())
            return;
        // Show a freshly loaded source's services and methods.
        m_tree->expand(m_proxy->mapFromSource(parent));
        for (int r = 0; r < m_sources.rowCount(parent); ++r)
            m_tree->expand(m_proxy->mapFromSource(m_sources.index(r, 0, parent)));
    });
    connect(m_cancelLoad, &QToolButton::clicked, this, [this] {
        for (int r = 0; r < m_sources.rowCount(); ++r) {
            const QModelIndex idx = m_sources.index(r, 0);
            const int id = idx.data(models::SourcesModel::SourceIdRole).toInt();
            if (m_sources.state(id) == models::SourcesModel::State::Loading)
                m_sources.cancelLoad(id);
        }
    });

    applyDefaultLayout();
    restoreGeometry(models::AppSettings::windowGeometry());
    restoreState(models::AppSettings::windowState(), kLayoutVersion);
    updateActions();
}

MainWindow::~MainWindow()
{
    m_workspace->waitForDisk();
    // Tabs hold call sessions that talk to the engine; close them before the demo server stops.
    while (m_tabs->count() > 0) {
        QWidget *w = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete w;
    }
}

void MainWindow::createActions()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    // Each kind of source with its icon in the services tree.
    auto *openFiles = file->addAction(icons::source(models::SourceSpec::Kind::ProtoFiles), tr("Open &Proto Files…"),
                                      this, &MainWindow::openFiles);
    openFiles->setObjectName(QStringLiteral("openProtoFilesAction"));
    openFiles->setShortcut(QKeySequence::Open);
    file->addAction(icons::source(models::SourceSpec::Kind::ProtoFiles), tr("Open Proto &Folder…"), this,
                    &MainWindow::openFolder);
    file->addAction(icons::source(models::SourceSpec::Kind::Protoset), tr("Open Proto&set…"), this,
                    &MainWindow::openProtoset)
        ->setObjectName(QStringLiteral("openProtosetAction"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    auto *reflect = file->addAction(icons::source(models::SourceSpec::Kind::Reflection),
                                    tr("Add Server with &Reflection…"), this, &MainWindow::askReflectionTarget);
    reflect->setObjectName(QStringLiteral("addReflectionAction"));
    reflect->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    file->addActions({m_sourceActions->reloadAction(), m_sourceActions->editAction(),
                      m_sourceActions->removeAction()});
    file->addSeparator();
    auto *demo = file->addAction(QIcon(QStringLiteral(":/icons/demo.svg")), tr("Start &Demo Service"), this,
                                 [this] { startDemo(); });
    demo->setObjectName(QStringLiteral("demoAction"));
    demo->setVisible(false); // until the program gives the window a demo service
    m_demoAction = demo;
    file->addSeparator();
    auto *close = file->addAction(tr("&Close Tab"), this, [this] {
        if (m_tabs->currentIndex() >= 0)
            emit m_tabs->tabCloseRequested(m_tabs->currentIndex());
    });
    close->setShortcut(QKeySequence::Close);
    // Ctrl+Q everywhere (some platforms have no standard quit key); closing asks about unsaved tabs.
    auto *quit = file->addAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setMenuRole(QAction::QuitRole);

    auto *request = menuBar()->addMenu(tr("&Request"));
    m_sendAction = request->addAction(QIcon(QStringLiteral(":/icons/send.svg")), tr("&Send"), this, [this] {
        if (auto *tab = currentRequest())
            tab->send();
    });
    m_sendAction->setObjectName(QStringLiteral("sendAction"));
    m_sendAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_sendMessageAction = request->addAction(tr("Send &Message"), this, [this] {
        if (auto *tab = currentRequest())
            tab->sendMessage();
    });
    m_sendMessageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    m_endStreamAction = request->addAction(tr("&End Stream"), this, [this] {
        if (auto *tab = currentRequest())
            tab->endStream();
    });
    m_endStreamAction->setObjectName(QStringLiteral("endStreamAction"));
    m_endStreamAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_cancelAction =
        request->addAction(QIcon(QStringLiteral(":/icons/cancel.svg")), tr("&Cancel"), this, [this] {
            if (auto *tab = currentRequest())
                tab->cancel();
        });
    m_cancelAction->setObjectName(QStringLiteral("cancelAction"));
    m_cancelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    createWorkspaceActions(file, close, request);

    auto *view = menuBar()->addMenu(tr("&View"));
    for (auto *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
    auto *focusFilter = view->addAction(tr("&Filter Methods"), this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    focusFilter->setShortcut(QKeySequence::Find);
    view->addSeparator();
    auto *resetLayout = view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);
    resetLayout->setObjectName(QStringLiteral("resetLayoutAction"));
    resetLayout->setToolTip(tr("Bring back the default window size, panes and splits"));

    auto *help = menuBar()->addMenu(tr("&Help"));
    auto *about = help->addAction(tr("&About Wirescope"), this, [this] {
        // One dialog, raised again if it is open; not modal, so the window stays usable.
        auto *dialog = findChild<AboutDialog *>();
        if (!dialog) {
            dialog = new AboutDialog(this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
        }
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    auto *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setObjectName(QStringLiteral("aboutQtAction"));
    aboutQt->setMenuRole(QAction::AboutQtRole);

    auto *toolbar = addToolBar(tr("Main"));
    m_toolbar = toolbar;
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // Send and Cancel keep their labels; the rest show icons (names in tooltips), so that every
    // action fits a 1024 px window.
    auto iconOnly = [toolbar](QAction *action) {
        toolbar->addAction(action);
        if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(action)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    };
    iconOnly(openFiles);
    iconOnly(reflect);
    iconOnly(demo);
    toolbar->addSeparator();
    toolbar->addAction(m_sendAction);
    toolbar->addAction(m_cancelAction);
    toolbar->addSeparator();
    toolbar->addWidget(new QLabel(tr(" Environment "), toolbar));
    toolbar->addWidget(m_envBox);
    iconOnly(m_editEnvironments);
}

void MainWindow::applyDefaultLayout()
{
    QDockWidget *collection = findChild<QDockWidget *>(QStringLiteral("collectionDock"));
    WIRESCOPE_ASSERT(collection && m_toolbar, return);
    // Most of a large screen (85%, as Kreya and Postman open), centred; on a small one (a
    // 1024x768 laptop) nearly all of it, with room left for the window manager's title bar.
    QSize size(1280, 800);
    if (const QScreen *s = screen()) {
        const QRect available = s->availableGeometry();
        const int titleBar = 2 * fontMetrics().height() + 8; // not known before the window shows
        size = QSize(
            std::max(available.width() * 85 / 100, std::min(size.width(), available.width() * 95 / 100)),
            std::max(available.height() * 85 / 100, std::min(size.height(), available.height() - titleBar)));
        resize(size);
        move(available.x() + (available.width() - size.width()) / 2,
             available.y() + (available.height() - size.height() - titleBar) / 2);
    } else {
        resize(size);
    }
    addToolBar(Qt::TopToolBarArea, m_toolbar);
    m_toolbar->show();
    for (QDockWidget *dock : {m_treeDock, collection, m_timelineDock, m_problemsDock})
        dock->setFloating(false);
    addDockWidget(Qt::LeftDockWidgetArea, m_treeDock);
    addDockWidget(Qt::LeftDockWidgetArea, collection);
    addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);
    // Problems share the timeline's place, and show only when there are some.
    tabifyDockWidget(m_timelineDock, m_problemsDock);
    m_treeDock->show();
    collection->show();
    m_timelineDock->show();
    m_problemsDock->setVisible(m_problems->topLevelItemCount() > 0);
    m_timelineDock->raise();
    // The services tree gets most of the left column; the collection, empty until a workspace
    // opens, a quarter.
    const int height = size.height();
    resizeDocks({m_treeDock, collection}, {height * 3 / 4, height / 4}, Qt::Vertical);
    resizeDocks({m_treeDock}, {std::max(220, size.width() / 5)}, Qt::Horizontal);
    // The timeline: six rows of the wire view below the lanes' axis and three lanes, with the
    // dock's title and the panel's tools (a line each) and the handle between. At least a
    // quarter of the height; at most 2/5 of a tall window, and 9/25 of a short one (a 1024x768
    // screen), where the request tab needs the rest for its response and Options.
    const int chrome = 2 * m_timelineDock->fontMetrics().height() + 40;
    const int timeline = chrome + m_timelinePanel->lanesHeight() + m_timelinePanel->wireRowsHeight();
    const int most = height < 900 ? height * 9 / 25 : height * 2 / 5;
    resizeDocks({m_timelineDock}, {std::clamp(timeline, height / 4, most)}, Qt::Vertical);
    // Inside it, the wire view's rows, once the dock has its height: when the window shows.
    QTimer::singleShot(0, m_timelinePanel, &TimelinePanel::giveWireItsRows);
}

void MainWindow::resetLayout()
{
    models::AppSettings::resetLayout();
    if (isMaximized() || isFullScreen())
        showNormal();
    applyDefaultLayout();
    for (RequestTab *tab : m_tabs->requestTabs())
        tab->resetLayout();
    showStatus(tr("The layout is back to its defaults"));
}

void MainWindow::updateActions()
{
    auto *tab = currentRequest();
    const bool running = tab && tab->session().isRunning();
    const bool open = tab && tab->session().canSend(); // a stream that takes more messages
    // While a call runs, Send (Ctrl+Enter) sends the next message on an open stream and does
    // nothing else: it once cancelled the running call and started a new one.
    m_sendAction->setEnabled(tab && (!running || open));
    const bool streams = tab && tab->method().clientStreams();
    m_sendMessageAction->setEnabled(streams && (open || !running));
    m_endStreamAction->setEnabled(open);
    m_cancelAction->setEnabled(running);
    updateCopyActions();
}

void MainWindow::activateTreeItem(const QModelIndex &proxyIndex)
{
    const QModelIndex idx = m_proxy->mapToSource(proxyIndex);
    if (!m_sources.method(idx))
        return;
    openMethod(idx.data(models::SourcesModel::SourceIdRole).toInt(),
               idx.data(models::SourcesModel::MethodPathRole).toString());
}

RequestTab *MainWindow::openMethod(int sourceId, const QString &methodPath, const QString &body,
                                   const std::function<void(RequestTab *)> &prepare)
{
    const QModelIndex idx = m_sources.findMethod(sourceId, methodPath);
    const auto *method = m_sources.method(idx);
    auto schema = m_sources.schema(sourceId);
    if (!method || !schema) {
        showStatus(tr("No method %1 in that source").arg(methodPath));
        return nullptr;
    }
    // The new tab goes where the user was working: the server the schema came from, else the
    // target of the tab in front (or of the last call sent), with that tab's protocol: a
    // Connect server's URL asked over gRPC only closes the connection.
    QString target = currentRequest() ? currentRequest()->target() : QString();
    models::ProtocolChoice protocol = currentRequest() ? currentRequest()->protocolChoice() : models::ProtocolChoice{};
    if (target.isEmpty()) {
        target = m_lastTarget;
        protocol = m_lastProtocol;
    }
    auto *tab = new RequestTab(m_bridge, *m_timeline, m_capture, schema, *method, m_tabs);
    const auto *spec = m_sources.spec(sourceId);
    if (spec && spec->kind == models::SourceSpec::Kind::Reflection) {
        target = QString::fromStdString(spec->schema.reflectionChannel.target);
        protocol = {}; // reflection was asked over gRPC
        tab->applyConnection(spec->connection); // the server's TLS, as the source reached it
    }
    tab->setTarget(target);
    tab->setProtocolChoice(protocol);
    if (!body.isEmpty())
        tab->setBody(body);
    tab->setModified(false); // nothing typed yet: nothing to save or to restore after a crash
    m_tabs->addRequestTab(tab, {sourceId, m_workspace->workspaceFolder(), {}, false});
    connect(tab, &RequestTab::statusMessage, this, &MainWindow::showStatus);
    connect(tab, &RequestTab::titleChanged, this, &MainWindow::updateActions);
    connect(&tab->session(), &models::CallSession::started, this, [this, tab] {
        if (!tab->target().isEmpty()) {
            m_lastTarget = tab->target();
            m_lastProtocol = tab->protocolChoice();
        }
    });
    // Send, End Stream and Cancel follow the current tab's call (a half-close is progress).
    for (auto signal : {&models::CallSession::started, &models::CallSession::progressed, &models::CallSession::finished})
        connect(&tab->session(), signal, this, &MainWindow::updateActions);
    wireTab(tab);
    if (prepare)
        prepare(tab);
    updateActions();
    emit requestOpened(tab);
    return tab;
}

RequestTab *MainWindow::currentRequest() const
{
    return m_tabs->currentRequest();
}

QTabWidget *MainWindow::tabs() const
{
    return m_tabs;
}

QTreeWidget *MainWindow::problems() const
{
    return m_problems;
}

QString MainWindow::statusText() const
{
    return statusBar()->currentMessage();
}

void MainWindow::showStatus(const QString &text)
{
    statusBar()->showMessage(text);
}

void MainWindow::saveLayout()
{
    models::AppSettings::setWindowGeometry(saveGeometry());
    models::AppSettings::setWindowState(saveState(kLayoutVersion));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Save All closes the window again once every save has landed.
    if (!m_tabs->confirmQuit([this] { close(); })) {
        event->ignore();
        return;
    }
    // What is left unsaved (new requests tried out in tabs; not the ones the user discarded)
    // comes back at the next start.
    m_workspace->writeAutosaveNow();
    m_workspace->waitForDisk();
    saveLayout();
    QMainWindow::closeEvent(event);
}

} // namespace ui
