// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace side of the main window: the widgets that show what models::WorkspaceController
// holds (the Collection dock, the environment box, the keychain state) and the actions that
// reach it (open, save, environments, grpcurl, history, autosave).
#include "models/appsettings.h"
#include "models/callsession.h"
#include "models/grpcurl.h"
#include "models/history.h"
#include "models/messagesmodel.h"
#include "models/secretstore.h"
#include "models/sourcesmodel.h"
#include "models/timeline.h"
#include "models/workspacecontroller.h"
#include "models/workspacestore.h"
#include "ui/environmentsdialog.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/requesttabs.h"
#include "ui/workspacepanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QStatusBar>

namespace ui {

void MainWindow::setupWorkspace()
{
    models::WorkspaceController &ws = *m_workspace;
    auto *dock = new QDockWidget(tr("Collection"), this);
    dock->setObjectName(QStringLiteral("collectionDock"));
    m_workspacePanel = new WorkspacePanel(ws.store(), dock);
    dock->setWidget(m_workspacePanel);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    m_envBox = new QComboBox(this);
    m_envBox->setObjectName(QStringLiteral("environmentBox"));
    m_envBox->setMinimumContentsLength(12);
    m_envBox->setToolTip(tr("The environment whose variables fill {{name}} in targets, metadata and bodies"));
    m_envBox->addItem(tr("No environment"));
    m_envBox->setEnabled(false);
    m_editEnvironments =
        new QAction(QIcon(QStringLiteral(":/icons/environment.svg")), tr("Edit Environments…"), this);
    m_editEnvironments->setObjectName(QStringLiteral("editEnvironmentsAction"));
    m_editEnvironments->setToolTip(tr("Add, change and remove environments and their variables"));
    m_editEnvironments->setEnabled(false);
    connect(m_editEnvironments, &QAction::triggered, this, [this] { editEnvironments(); });

    // Secrets are asked for with a password field, once; the controller keeps them.
    ws.setSecretPrompt([this](const QString &variable, const QString &environment,
                              bool keychain) -> std::optional<QString> {
        bool ok = false;
        const QString value = QInputDialog::getText(
            this, tr("Secret %1").arg(variable),
            keychain ? tr("Value of the secret {{%1}} in environment \"%2\" (kept in the system keychain):")
                           .arg(variable, environment)
                     : tr("Value of the secret {{%1}} in environment \"%2\" (no keychain here: kept for this "
                          "session only):")
                           .arg(variable, environment),
            QLineEdit::Password, QString(), &ok);
        return ok ? std::optional<QString>(value) : std::nullopt;
    });
    ws.setUnsavedTabs([this] { return m_tabs->unsavedSnapshots(m_demoAddress); });
    connect(m_tabs, &RequestTabs::unsavedChanged, &ws, &models::WorkspaceController::scheduleAutosave);
    connect(&ws, &models::WorkspaceController::statusMessage, this, &MainWindow::showStatus);
    connect(&ws, &models::WorkspaceController::maskedValuesChanged, m_timeline,
            &models::Timeline::setMaskedValues);
    connect(&ws, &models::WorkspaceController::requestReady, this, &MainWindow::openReady);
    connect(&ws, &models::WorkspaceController::autosaveRestored, this, &MainWindow::autosaveRestored);
    connect(&ws, &models::WorkspaceController::environmentsChanged, this, &MainWindow::fillEnvironments);
    connect(&ws, &models::WorkspaceController::workspaceOpened, this,
            [this] { m_editEnvironments->setEnabled(true); });
    connect(&ws, &models::WorkspaceController::workspaceClosed, this, [this](const QString &folder) {
        m_editEnvironments->setEnabled(false);
        // Its tabs go with it: their {{variables}} and defaults meant its environments. What
        // they held unsaved the controller has parked for when it opens again.
        m_tabs->closeTabsOf(folder);
        for (RequestTab *tab : m_tabs->requestTabs())
            tab->setDefaults({});
    });
    // A saved request shows its call kind's icon once a loaded schema knows its method.
    m_workspacePanel->setMethodKindLookup([this](const QString &method) -> std::optional<rpc::MethodKind> {
        for (int r = 0; r < m_sources.rowCount(); ++r) {
            const int id = m_sources.index(r, 0).data(models::SourcesModel::SourceIdRole).toInt();
            if (const auto *info = m_sources.method(m_sources.findMethod(id, method)))
                return info->kind;
        }
        return std::nullopt;
    });
    connect(&m_sources, &models::SourcesModel::sourceLoaded, m_workspacePanel, &WorkspacePanel::updateIcons);
    // The workspace's defaults (target, deadline, metadata) apply to what a tab leaves empty.
    auto defaults = [this] {
        for (RequestTab *tab : m_tabs->requestTabs())
            tab->setDefaults(m_workspace->store().workspace().settings());
    };
    connect(&ws, &models::WorkspaceController::workspaceOpened, this, defaults);
    connect(&ws, &models::WorkspaceController::workspaceChanged, this, defaults);
    connect(m_envBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_workspace->chooseEnvironment(index > 0 ? m_envBox->itemText(index) : QString());
    });
    // Said once in passing and kept in the status bar for as long as it holds.
    auto *keychainLabel = new QLabel(this);
    keychainLabel->setObjectName(QStringLiteral("keychainStatus"));
    keychainLabel->hide();
    statusBar()->addPermanentWidget(keychainLabel);
    connect(&ws.secrets(), &models::SecretStore::keychainUnavailable, this,
            [this, keychainLabel](const QString &reason) {
                keychainLabel->setText(tr("Secrets: this session only")); // no emoji: not every font has it
                keychainLabel->setToolTip(
                    tr("No system keychain answered (%1). Secret values you enter are kept in "
                       "memory until Wirescope closes and are never written to disk.")
                        .arg(reason));
                keychainLabel->show();
                showStatus(tr("No keychain (%1): secret values are kept for this session only").arg(reason));
            });
    connect(m_workspacePanel, &WorkspacePanel::openRequested, this, [this](const QString &path) {
        if (RequestTab *open = m_tabs->tabForPath(path)) {
            m_tabs->setCurrentWidget(open);
            return;
        }
        if (const auto *r = workspaceStore().workspace().request(path))
            openSavedRequest(*r, true);
    });
    // A new saved request in a folder of the tree: the current tab, under a name asked for.
    connect(m_workspacePanel, &WorkspacePanel::newRequestRequested, this, [this](const QString &folder) {
        RequestTab *tab = currentRequest();
        if (!tab) {
            showStatus(
                tr("Open a method first (double-click it in Services), then save it into the collection"));
            return;
        }
        const QString prefix = folder.isEmpty() ? QString() : folder + QLatin1Char('/');
        bool ok = false;
        const QString path =
            QInputDialog::getText(
                this, tr("New Request"), tr("Save the current request as:"), QLineEdit::Normal,
                prefix + QString::fromStdString(tab->method().name) + QStringLiteral(".json"), &ok)
                .trimmed();
        if (ok && !path.isEmpty())
            saveCurrentRequest(path);
    });
    connect(m_workspacePanel, &WorkspacePanel::historyOpenRequested, this, [this](int index) {
        const auto &history = workspaceStore().history();
        if (index < 0 || index >= int(history.size()))
            return;
        models::SavedRequest r = history[std::size_t(index)].request;
        r.path.clear(); // a new request, not the file it may have come from
        openSavedRequest(r, false, true);
        if (const qint64 omitted = history[std::size_t(index)].bodyOmittedBytes; omitted > 0)
            showStatus(tr("The request body (%1) was too big for history and was not kept")
                           .arg(QLocale().formattedDataSize(omitted)));
    });
}

void MainWindow::createWorkspaceActions(QMenu *file, QAction *before, QMenu *request)
{
    auto *open = new QAction(tr("Open &Workspace…"), this);
    open->setObjectName(QStringLiteral("openWorkspaceAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(open, &QAction::triggered, this, [this] {
        // Beside the last workspace opened, or at home: not in whatever folder the program was
        // started from.
        const QStringList recent = models::AppSettings::recentWorkspaces();
        const QString start = recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.first()).absolutePath();
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a workspace folder"), start);
        if (!folder.isEmpty())
            openWorkspace(folder);
    });
    auto *save = new QAction(tr("&Save Request"), this);
    save->setObjectName(QStringLiteral("saveRequestAction"));
    save->setShortcut(QKeySequence::Save);
    connect(save, &QAction::triggered, this, [this] { saveCurrentRequest(); });
    auto *saveAs = new QAction(tr("Save Request &As…"), this);
    saveAs->setShortcut(QKeySequence::SaveAs);
    connect(saveAs, &QAction::triggered, this, [this] {
        RequestTab *tab = currentRequest();
        if (!tab)
            return;
        bool ok = false;
        const QString suggestion = tab->savedPath().isEmpty()
                                       ? QString::fromStdString(tab->method().name) + QStringLiteral(".json")
                                       : tab->savedPath();
        const QString path = QInputDialog::getText(this, tr("Save Request As"),
                                                   tr("Path in the workspace (folders are created):"),
                                                   QLineEdit::Normal, suggestion, &ok);
        if (ok && !path.trimmed().isEmpty())
            saveCurrentRequest(path.trimmed());
    });
    auto *closeWorkspace = new QAction(tr("Close Wor&kspace"), this);
    closeWorkspace->setObjectName(QStringLiteral("closeWorkspaceAction"));
    closeWorkspace->setToolTip(tr("Back to no workspace, and to the history of calls made without one"));
    closeWorkspace->setEnabled(false);
    connect(closeWorkspace, &QAction::triggered, m_workspace, &models::WorkspaceController::closeWorkspace);
    connect(m_workspace, &models::WorkspaceController::workspaceOpened, closeWorkspace,
            [closeWorkspace] { closeWorkspace->setEnabled(true); });
    connect(m_workspace, &models::WorkspaceController::workspaceClosed, closeWorkspace,
            [closeWorkspace] { closeWorkspace->setEnabled(false); });
    file->insertAction(before, open);
    file->insertAction(before, closeWorkspace);
    file->insertAction(before, save);
    file->insertAction(before, saveAs);
    file->insertSeparator(before);

    request->addSeparator();
    m_copyGrpcurl = request->addAction(tr("Copy as &grpcurl"), this, [this] { copyAsGrpcurl(); });
    m_copyGrpcurl->setObjectName(QStringLiteral("copyGrpcurlAction"));
    m_copyGrpcurl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyCurl = request->addAction(tr("Copy as c&url"), this, [this] { copyAsCurl(); });
    m_copyCurl->setObjectName(QStringLiteral("copyCurlAction"));
    request->setToolTipsVisible(true); // a disabled copy action says why
    connect(request, &QMenu::aboutToShow, this, &MainWindow::updateCopyActions);
    auto *paste = request->addAction(tr("&Paste Command…"), this, [this] {
        bool ok = false;
        const QString line = QInputDialog::getMultiLineText(this, tr("Paste Command"),
                                                            tr("A grpcurl or wirescope-cli command line, or a curl "
                                                               "command of a Connect call:"),
                                                            pasteSuggestion(), &ok);
        if (ok)
            importGrpcurl(line);
    });
    paste->setObjectName(QStringLiteral("pasteGrpcurlAction"));
}

models::WorkspaceStore &MainWindow::workspaceStore() const
{
    return m_workspace->store();
}

models::SecretStore &MainWindow::secrets() const
{
    return m_workspace->secrets();
}

void MainWindow::openWorkspace(const QString &folder, const QString &request)
{
    // A workspace already open (or opening) is not opened again; the request still opens.
    m_workspace->openWorkspace(
        folder, request.isEmpty() ? std::function<void()>() : [this, request] {
            if (const auto *r = workspaceStore().workspace().request(request))
                openSavedRequest(*r, true);
            else
                showStatus(tr("The workspace has no request %1").arg(request));
        });
}

void MainWindow::fillEnvironments()
{
    const QStringList names = m_workspace->environmentNames();
    const QSignalBlocker block(m_envBox);
    QStringList shown;
    for (int i = 1; i < m_envBox->count(); ++i)
        shown << m_envBox->itemText(i);
    if (shown != names) {
        m_envBox->clear();
        m_envBox->addItem(tr("No environment"));
        m_envBox->addItems(names);
    }
    m_envBox->setEnabled(!names.isEmpty());
    m_envBox->setCurrentIndex(std::max(0, m_envBox->findText(m_workspace->environmentName())));
    if (m_workspace->environmentName().isEmpty())
        m_envBox->setCurrentIndex(0);
}

EnvironmentsDialog *MainWindow::editEnvironments()
{
    if (!m_workspace->isOpen())
        return nullptr;
    const QString folder = m_workspace->workspaceFolder();
    const auto &environments = workspaceStore().workspace().settings().environments;
    QHash<QString, bool> known;
    for (const auto &e : environments) {
        for (const auto &v : e.variables) {
            if (v.secret && m_workspace->knowsSecret(e.name, v.name))
                known.insert(e.name + QLatin1Char('/') + v.name, true);
        }
    }
    auto *dialog = new EnvironmentsDialog(environments, known, m_workspace->environmentName(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, folder] {
        if (!m_workspace->isOpen() || m_workspace->workspaceFolder() != folder)
            return;
        std::vector<models::SecretValue> values;
        for (const auto &s : dialog->secretValues())
            values.push_back({s.environment, s.variable, s.value});
        m_workspace->saveEnvironments(dialog->environments(), dialog->renamed(), values);
    });
    dialog->open();
    return dialog;
}

QStringList MainWindow::secretValues() const
{
    return m_workspace->secretValues();
}

void MainWindow::wireTab(RequestTab *tab)
{
    if (m_workspace->isOpen())
        tab->setDefaults(workspaceStore().workspace().settings());
    tab->setVariables([this] {
        return RequestTab::Variables{m_workspace->environment(), m_workspace->secretLookup()};
    });
    // Queued: the timeline takes the same batch of events after the session has.
    // The tab is the context: a tab closed (and deleted) before the queued call runs takes the
    // call with it (Close Workspace closes tabs while calls may be ending).
    connect(
        tab, &RequestTab::callFinished, tab, [this, tab] { recordHistory(tab); }, Qt::QueuedConnection);
}

void MainWindow::recordHistory(RequestTab *tab)
{
    // Everything here runs on the UI thread at the end of the call: a big body or reply is not
    // converted whole only for history to cut it down.
    models::CallSession &session = tab->session();
    models::CallRecord record;
    record.started = QDateTime::currentDateTimeUtc().addMSecs(-session.totalTime() / 1000000);
    const qint64 bodyBytes = tab->bodyBytes();
    const bool keepBody = bodyBytes <= models::History::kMaxRequestBodyBytes;
    record.request = tab->toSaved(keepBody);
    if (!keepBody)
        record.bodyOmittedBytes = bodyBytes;
    record.sentTarget = tab->sentTo();
    record.statusCode = session.status().code;
    record.statusMessage = QString::fromStdString(session.status().message);
    auto *messages = session.messages();
    for (int row = 0; row < messages->count(); ++row) {
        if (messages->isOutbound(row))
            continue;
        ++record.responseCount;
        if (record.responses.size() < models::History::kMaxResponses)
            // One byte over the limit, so that history can tell the reply was cut.
            record.responses
                << messages->text(row, models::History::kMaxResponseBytes + 1).valueOr(QByteArray());
    }
    record.durationMs = double(session.totalTime()) / 1e6;
    m_workspace->recordCall(record);
}

void MainWindow::openSavedRequest(const models::SavedRequest &request, bool keepPath, bool modified,
                                  const std::optional<models::ConnectionSettings> &connection)
{
    models::RequestToOpen open;
    open.request = request;
    open.keepPath = keepPath;
    open.modified = modified;
    open.connection = connection;
    m_workspace->openRequest(std::move(open));
}

void MainWindow::openReady(const models::RequestToOpen &request, int sourceId)
{
    auto *tab = openMethod(sourceId, request.request.method, request.request.body, [&](RequestTab *t) {
        models::SavedRequest r = request.request;
        if (!request.keepPath)
            r.path.clear();
        t->applySaved(r);
        if (request.connection)
            t->applyConnection(*request.connection);
        if (request.modified)
            t->setModified(true);
    });
    if (tab)
        m_tabs->setWorkspace(tab, request.workspace); // a restored tab keeps the workspace it belonged to
}

bool MainWindow::saveCurrentRequest(const QString &path)
{
    RequestTab *tab = currentRequest();
    return tab && m_tabs->save(tab, path);
}

QString MainWindow::copyAsGrpcurl()
{
    RequestTab *tab = currentRequest();
    if (!tab)
        return {};
    const auto *info = m_tabs->info(tab);
    return copyCommand(QStringLiteral("grpcurl"),
                       m_workspace->exportGrpcurl(tab->toSaved(), tab->connectionSettings(),
                                                  info ? m_sources.spec(info->sourceId) : nullptr));
}

QString MainWindow::copyAsCurl()
{
    RequestTab *tab = currentRequest();
    if (!tab)
        return {};
    return copyCommand(
        QStringLiteral("curl"),
        m_workspace->exportCurl(tab->toSaved(), tab->connectionSettings(), tab->method().kind));
}

QString MainWindow::copyCommand(const QString &tool, const models::Result<QString> &command)
{
    if (!command) {
        showStatus(tr("Cannot copy as %1: %2").arg(tool, command.errorMessage()));
        return {};
    }
    QApplication::clipboard()->setText(*command);
    showStatus(tr("Copied the %1 command to the clipboard").arg(tool));
    return *command;
}

void MainWindow::updateCopyActions()
{
    if (!m_copyCurl)
        return;
    RequestTab *tab = currentRequest();
    const models::SavedRequest sent = tab ? m_workspace->asSent(tab->toSaved(false)) : models::SavedRequest();
    const QString curlWhy = tab ? models::curlProblem(sent, tab->method().kind) : tr("No request is open");
    m_copyCurl->setEnabled(curlWhy.isEmpty());
    m_copyCurl->setToolTip(
        curlWhy.isEmpty() ? tr("A curl command that makes this Connect call, its body as JSON") : curlWhy);
    const rpc::Protocol protocol = sent.protocol.effectiveProtocol();
    const bool grpc = tab && protocol == rpc::Protocol::Grpc;
    m_copyGrpcurl->setEnabled(grpc);
    m_copyGrpcurl->setToolTip(grpc  ? tr("A grpcurl command line that makes this call")
                              : tab ? tr("grpcurl speaks gRPC only, and this request goes over %1")
                                          .arg(models::protocolLabel(protocol))
                                    : tr("No request is open"));
}

bool MainWindow::importGrpcurl(const QString &commandLine)
{
    // The connection settings go to the tab when it opens (now, or when its schema loads).
    if (const auto imported = m_workspace->importGrpcurl(commandLine); !imported) {
        showStatus(tr("Cannot import the command: %1").arg(imported.errorMessage()));
        m_refusedPaste = commandLine; // offered again, to be mended, not lost to the clipboard's
        return false;
    }
    m_refusedPaste.clear();
    return true;
}

QString MainWindow::pasteSuggestion() const
{
    return m_refusedPaste.isEmpty() ? QApplication::clipboard()->text() : m_refusedPaste;
}

QString MainWindow::autosaveFile() const
{
    return m_workspace->autosaveFile();
}

void MainWindow::writeAutosaveNow()
{
    m_workspace->writeAutosaveNow();
}

void MainWindow::restoreAutosave()
{
    m_workspace->restoreAutosave();
}

} // namespace ui
