// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace side of the main window: saved requests, environments and secrets, history,
// grpcurl import/export, autosave and crash restore, and files changed on disk.
#include "models/callrequest.h"
#include "models/callsession.h"
#include "models/grpcurl.h"
#include "models/runner.h"
#include "models/secretstore.h"
#include "models/sourcesmodel.h"
#include "models/timeline.h"
#include "models/workspacestore.h"
#include "ui/environmentsdialog.h"
#include "ui/jsoneditor.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/workspacepanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

namespace {

const char *kSourceIdProperty = "wirescopeSourceId";

QString environmentSettingsKey(const QString &folder)
{
    return QStringLiteral("workspaces/%1/environment")
        .arg(QString::fromLatin1(
            QDir(folder).absolutePath().toUtf8().toBase64(QByteArray::Base64UrlEncoding)));
}

} // namespace

void MainWindow::setupWorkspace()
{
    m_diskPool.setMaxThreadCount(1);
    m_store = new models::WorkspaceStore(this);
    m_secrets = new models::SecretStore(QStringLiteral("Wirescope"), this);
    m_store->openHistoryOnly(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                             QStringLiteral("/history.jsonl"));

    auto *dock = new QDockWidget(tr("Collection"), this);
    dock->setObjectName(QStringLiteral("collectionDock"));
    m_workspacePanel = new WorkspacePanel(*m_store, dock);
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

    m_autosaveTimer = new QTimer(this);
    m_autosaveTimer->setSingleShot(true);
    m_autosaveTimer->setInterval(1000);
    connect(m_autosaveTimer, &QTimer::timeout, this, &MainWindow::writeAutosaveNow);

    connect(m_store, &models::WorkspaceStore::opened, this, &MainWindow::onWorkspaceOpened);
    connect(m_store, &models::WorkspaceStore::changed, this, [this] {
        fillEnvironments();
        for (int i = 0; i < m_tabs->count(); ++i) {
            if (auto *tab = qobject_cast<RequestTab *>(m_tabs->widget(i)))
                tab->setDefaults(m_store->workspace().settings());
        }
    });
    connect(m_store, &models::WorkspaceStore::saveFinished, this, &MainWindow::onSaveFinished);
    connect(m_store, &models::WorkspaceStore::changedOnDisk, this, &MainWindow::onChangedOnDisk);
    connect(m_store, &models::WorkspaceStore::operationFailed, this, &MainWindow::showStatus);
    // Open tabs follow their files when the tree moves or deletes them.
    connect(m_store, &models::WorkspaceStore::moved, this, [this](const QString &from, const QString &to) {
        for (int i = 0; i < m_tabs->count(); ++i) {
            auto *tab = qobject_cast<RequestTab *>(m_tabs->widget(i));
            const QString path = tab ? tab->savedPath() : QString();
            if (path.isEmpty())
                continue;
            if (from.endsWith(QLatin1Char('/')) && path.startsWith(from))
                tab->setSavedPath(to + path.mid(from.size()));
            else if (path == from)
                tab->setSavedPath(to);
        }
    });
    connect(m_envBox, &QComboBox::currentIndexChanged, this, &MainWindow::environmentChosen);
    // Said once in passing and kept in the status bar for as long as it holds.
    auto *keychainLabel = new QLabel(this);
    keychainLabel->setObjectName(QStringLiteral("keychainStatus"));
    keychainLabel->hide();
    statusBar()->addPermanentWidget(keychainLabel);
    connect(m_secrets, &models::SecretStore::keychainUnavailable, this,
            [this, keychainLabel](const QString &reason) {
                keychainLabel->setText(tr("🔓 Secrets: this session only"));
                keychainLabel->setToolTip(
                    tr("No system keychain answered (%1). Secret values you enter are kept in "
                       "memory until Wirescope closes and are never written to disk.")
                        .arg(reason));
                keychainLabel->show();
                showStatus(tr("No keychain (%1): secret values are kept for this session only").arg(reason));
            });
    connect(m_secrets, &models::SecretStore::readFinished, this, &MainWindow::updateMasking);
    connect(m_secrets, &models::SecretStore::writeFinished, this, &MainWindow::updateMasking);
    connect(m_workspacePanel, &WorkspacePanel::openRequested, this, [this](const QString &path) {
        if (RequestTab *open = tabForPath(path)) {
            m_tabs->setCurrentWidget(open);
            return;
        }
        if (const auto *r = m_store->workspace().request(path))
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
        const auto &history = m_store->history();
        if (index < 0 || index >= int(history.size()))
            return;
        models::SavedRequest r = history[std::size_t(index)].request;
        r.path.clear(); // a new request, not the file it may have come from
        openSavedRequest(r, false, true);
        if (const qint64 omitted = history[std::size_t(index)].bodyOmittedBytes; omitted > 0)
            statusBar()->showMessage(tr("The request body (%1) was too big for history and was not kept")
                                         .arg(QLocale().formattedDataSize(omitted)));
    });
}

void MainWindow::createWorkspaceActions(QMenu *file, QAction *before, QMenu *request)
{
    auto *open = new QAction(tr("Open &Workspace…"), this);
    open->setObjectName(QStringLiteral("openWorkspaceAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(open, &QAction::triggered, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a workspace folder"));
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
    file->insertAction(before, open);
    file->insertAction(before, save);
    file->insertAction(before, saveAs);
    file->insertSeparator(before);

    request->addSeparator();
    auto *copy = request->addAction(tr("Copy as &grpcurl"), this, [this] { copyAsGrpcurl(); });
    copy->setObjectName(QStringLiteral("copyGrpcurlAction"));
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    auto *paste = request->addAction(tr("&Paste grpcurl Command…"), this, [this] {
        bool ok = false;
        const QString line = QInputDialog::getMultiLineText(this, tr("Paste grpcurl Command"),
                                                            tr("A grpcurl or wirescope-cli command line:"),
                                                            QApplication::clipboard()->text(), &ok);
        if (ok)
            importGrpcurl(line);
    });
    paste->setObjectName(QStringLiteral("pasteGrpcurlAction"));
}

void MainWindow::openWorkspace(const QString &folder, const QString &request)
{
    showStatus(tr("Opening workspace %1…").arg(folder));
    if (!request.isEmpty()) {
        connect(
            m_store, &models::WorkspaceStore::opened, this,
            [this, request] {
                if (const auto *r = m_store->workspace().request(request))
                    openSavedRequest(*r, true);
                else
                    showStatus(tr("The workspace has no request %1").arg(request));
            },
            Qt::SingleShotConnection);
    }
    m_store->open(folder);
}

void MainWindow::onWorkspaceOpened()
{
    const models::Workspace &ws = m_store->workspace();
    m_editEnvironments->setEnabled(true);
    fillEnvironments();
    const QString saved = QSettings().value(environmentSettingsKey(ws.folder())).toString();
    if (const int i = m_envBox->findText(saved); i > 0)
        m_envBox->setCurrentIndex(i);
    else if (m_envBox->count() > 1)
        m_envBox->setCurrentIndex(1);
    // The workspace's schema sources; paths are its own, checked when it was read.
    const models::WorkspaceSettings &s = ws.settings();
    if (!s.protoFiles.isEmpty()) {
        QStringList roots;
        for (const QString &p : s.importPaths)
            roots << ws.resolve(p).value_or(QString());
        if (roots.isEmpty())
            roots << ws.folder();
        addProtoSource(roots, s.protoFiles);
    }
    if (!s.protosets.isEmpty()) {
        QStringList files;
        for (const QString &p : s.protosets)
            files << ws.resolve(p).value_or(QString());
        addProtosetSource(files);
    }
    for (const QString &target : s.reflectionTargets) {
        const auto resolved = models::resolveVariables(target, environment(), tr("reflection target"), secretLookup());
        if (resolved && m_reflectionRequested.insert(*resolved).second)
            addReflectionSource(*resolved);
        else if (!resolved)
            showStatus(tr("Reflection target %1 skipped: %2").arg(target, resolved.errorMessage()));
    }
    QString status =
        tr("Workspace %1: %2 requests").arg(QFileInfo(ws.folder()).fileName()).arg(ws.requests().size());
    if (!ws.problems().empty())
        status += tr(", %n problem(s): %1", nullptr, int(ws.problems().size()))
                      .arg(ws.problems().front().toString());
    showStatus(status);
}

void MainWindow::fillEnvironments()
{
    const auto &envs = m_store->workspace().settings().environments;
    QStringList names;
    for (const auto &e : envs)
        names << e.name;
    QStringList current;
    for (int i = 1; i < m_envBox->count(); ++i)
        current << m_envBox->itemText(i);
    if (names == current)
        return;
    const QString before = m_envBox->currentIndex() > 0 ? m_envBox->currentText() : QString();
    // A renamed environment stays chosen under its new name.
    const QString chosen = m_renamedEnvironments.value(before, before);
    m_renamedEnvironments.clear();
    {
        const QSignalBlocker block(m_envBox);
        m_envBox->clear();
        m_envBox->addItem(tr("No environment"));
        m_envBox->addItems(names);
        m_envBox->setEnabled(!names.isEmpty());
        if (const int i = m_envBox->findText(chosen); i > 0)
            m_envBox->setCurrentIndex(i);
    }
    if (m_envBox->currentText() != before && m_store->isOpen())
        environmentChosen(); // remembered, secrets fetched, masking updated, and said
}

const models::Environment *MainWindow::currentEnvironment() const
{
    if (m_envBox->currentIndex() <= 0)
        return nullptr;
    for (const auto &e : m_store->workspace().settings().environments) {
        if (e.name == m_envBox->currentText())
            return &e;
    }
    return nullptr;
}

void MainWindow::environmentChosen()
{
    const models::Environment *env = currentEnvironment();
    if (m_store->isOpen())
        QSettings().setValue(environmentSettingsKey(m_store->workspace().folder()),
                             env ? env->name : QString());
    // Fetch the secrets now (every environment's, for masking and the editor), so sending does
    // not wait for the keychain.
    if (m_store->isOpen()) {
        const QString folder = m_store->workspace().folder();
        for (const auto &e : m_store->workspace().settings().environments) {
            for (const auto &v : e.variables) {
                const QString key = models::SecretStore::keyFor(folder, e.name, v.name);
                if (v.secret && !m_secrets->cached(key))
                    m_secrets->read(key);
            }
        }
    }
    updateMasking();
    showStatus(env ? tr("Environment: %1").arg(env->name) : tr("No environment"));
}

EnvironmentsDialog *MainWindow::editEnvironments()
{
    if (!m_store->isOpen())
        return nullptr;
    const QString folder = m_store->workspace().folder();
    QHash<QString, bool> known;
    for (const auto &e : m_store->workspace().settings().environments) {
        for (const auto &v : e.variables) {
            if (v.secret && m_secrets->cached(models::SecretStore::keyFor(folder, e.name, v.name)))
                known.insert(e.name + QLatin1Char('/') + v.name, true);
        }
    }
    auto *dialog =
        new EnvironmentsDialog(m_store->workspace().settings().environments, known,
                               m_envBox->currentIndex() > 0 ? m_envBox->currentText() : QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, folder] {
        if (!m_store->isOpen() || m_store->workspace().folder() != folder)
            return;
        // Secrets first, so that masking knows them before anything is sent.
        const auto renamed = dialog->renamed();
        for (auto it = renamed.begin(); it != renamed.end(); ++it)
            m_renamedEnvironments.insert(it.value(), it.key()); // old name -> new name
        for (const auto &e : dialog->environments()) {
            const QString before = renamed.value(e.name);
            if (before.isEmpty())
                continue;
            for (const auto &v : e.variables) {
                const auto value =
                    v.secret ? m_secrets->cached(models::SecretStore::keyFor(folder, before, v.name))
                             : std::nullopt;
                if (value)
                    m_secrets->write(models::SecretStore::keyFor(folder, e.name, v.name), *value);
            }
        }
        for (const auto &s : dialog->secretValues())
            m_secrets->write(models::SecretStore::keyFor(folder, s.environment, s.variable), s.value);
        models::WorkspaceSettings settings = m_store->workspace().settings();
        settings.environments = dialog->environments();
        m_store->saveSettings(settings);
        showStatus(tr("Environments saved to %1").arg(QLatin1String(models::Workspace::kSettingsFile)));
    });
    dialog->open();
    return dialog;
}

QStringList MainWindow::secretValues() const
{
    // Every environment's: a timeline or history may hold calls made before a switch.
    QStringList values;
    if (!m_store->isOpen())
        return values;
    for (const auto &env : m_store->workspace().settings().environments) {
        for (const auto &v : env.variables) {
            if (!v.secret)
                continue;
            const auto value = m_secrets->cached(
                models::SecretStore::keyFor(m_store->workspace().folder(), env.name, v.name));
            if (value && !value->isEmpty() && !values.contains(*value))
                values << *value;
        }
    }
    // Longest first, so a secret containing another is masked whole.
    std::sort(values.begin(), values.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    return values;
}

void MainWindow::updateMasking()
{
    m_timeline->setMaskedValues(secretValues());
}

models::Environment MainWindow::environment() const
{
    const models::Environment *current = currentEnvironment();
    return current ? *current : models::Environment{};
}

models::SecretLookup MainWindow::secretLookup()
{
    // Only a token that names the secret exactly asks for it ({{tokenId}} is not {{token}}).
    return [this](const QString &name, const QString &) -> models::Result<QString> {
        const models::Environment env = environment();
        const QString key = models::SecretStore::keyFor(m_store->workspace().folder(), env.name, name);
        if (auto value = m_secrets->cached(key)) {
            updateMasking(); // whatever carries it from now on is masked
            return *value;
        }
        // Asked once; kept in the keychain, or for this session where there is none.
        bool ok = false;
        const QString value = QInputDialog::getText(
            this, tr("Secret %1").arg(name),
            m_secrets->keychainAvailable()
                ? tr("Value of the secret {{%1}} in environment \"%2\" (kept in the system keychain):")
                      .arg(name, env.name)
                : tr("Value of the secret {{%1}} in environment \"%2\" (no keychain here: kept for this "
                     "session only):")
                      .arg(name, env.name),
            QLineEdit::Password, QString(), &ok);
        if (!ok)
            return models::fail(tr("the secret {{%1}} has no value").arg(name));
        m_secrets->write(key, value);
        updateMasking();
        return value;
    };
}

void MainWindow::wireTab(RequestTab *tab, int sourceId)
{
    tab->setProperty(kSourceIdProperty, sourceId);
    if (m_store->isOpen())
        tab->setDefaults(m_store->workspace().settings());
    tab->setVariables([this] { return RequestTab::Variables{environment(), secretLookup()}; });
    // Queued: the timeline takes the same batch of events after the session has.
    connect(
        tab, &RequestTab::callFinished, this, [this, tab] { recordHistory(tab); }, Qt::QueuedConnection);
    connect(tab, &RequestTab::modifiedChanged, this, &MainWindow::scheduleAutosave);
    connect(tab, &RequestTab::titleChanged, this, [this, tab] {
        if (tab->isModified())
            scheduleAutosave();
    });
    connect(tab, &RequestTab::reloadRequested, this, [this, tab] {
        if (const auto *r = m_store->workspace().request(tab->savedPath())) {
            tab->applySaved(*r);
            showStatus(tr("Reloaded %1 from disk").arg(r->path));
        } else {
            tab->hideConflict();
            showStatus(tr("%1 is no longer on disk; save to write it again").arg(tab->savedPath()));
        }
    });
    connect(tab, &RequestTab::overwriteRequested, this,
            [this, tab] { m_store->save(tab->toSaved(), models::WorkspaceStore::SaveMode::Overwrite); });
}

void MainWindow::recordHistory(RequestTab *tab)
{
    models::CallSession &session = tab->session();
    const QStringList secrets = secretValues();
    models::HistoryEntry e;
    e.time = QDateTime::currentDateTimeUtc().addMSecs(-session.totalTime() / 1000000);
    // Everything here runs on the UI thread at the end of the call: a big body or reply is not
    // converted whole only for history to cut it down.
    const qint64 bodyBytes = tab->bodyBytes();
    const bool keepBody = bodyBytes <= models::History::kMaxRequestBodyBytes;
    e.request = tab->toSaved(keepBody);
    if (!keepBody)
        e.bodyOmittedBytes = bodyBytes;
    e.environment = currentEnvironment() ? currentEnvironment()->name : QString();
    e.sentTarget = models::maskSecrets(tab->sentTo(), secrets);
    e.statusCode = session.status().code;
    e.statusName = QString::fromStdString(rpc::statusCodeName(session.status().code));
    e.statusMessage = models::maskSecrets(QString::fromStdString(session.status().message), secrets);
    auto *messages = session.messages();
    for (int row = 0; row < messages->count(); ++row) {
        if (messages->isOutbound(row))
            continue;
        ++e.responseCount;
        if (e.responses.size() >= models::History::kMaxResponses)
            continue;
        QByteArray text = messages->text(row);
        const bool cut = text.size() > models::History::kMaxResponseBytes;
        if (cut) {
            qsizetype end = models::History::kMaxResponseBytes;
            while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
                --end; // not inside a UTF-8 sequence
            text.truncate(end);
        }
        QString shown = models::maskSecrets(QString::fromUtf8(text), secrets);
        if (cut)
            shown += QStringLiteral("…");
        e.responses << shown;
    }
    e.durationMs = double(session.totalTime()) / 1e6;
    m_store->appendHistory(e);
}

RequestTab *MainWindow::tabForPath(const QString &path) const
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto *tab = qobject_cast<RequestTab *>(m_tabs->widget(i));
        if (tab && !path.isEmpty() && tab->savedPath() == path)
            return tab;
    }
    return nullptr;
}

void MainWindow::openSavedRequest(const models::SavedRequest &request, bool keepPath, bool modified,
                                  const std::optional<models::ConnectionSettings> &connection)
{
    m_pending.push_back({std::make_shared<models::SavedRequest>(request), keepPath, modified, connection});
    retryPendingOpens();
    if (m_pending.empty())
        return;
    // No loaded schema has the method: ask the target's reflection, once per target.
    const auto target = models::resolveVariables(request.target, environment(), tr("target"), secretLookup());
    if (target && !target->isEmpty() && m_reflectionRequested.insert(*target).second) {
        addReflectionSource(*target);
        showStatus(tr("Loading the schema of %1 by reflection for %2…").arg(*target, request.method));
    } else if (!target) {
        showStatus(tr("No loaded schema has %1, and its target cannot be resolved: %2")
                       .arg(request.method, target.errorMessage()));
    } else {
        showStatus(tr("Waiting for a schema with %1…").arg(request.method));
    }
}

void MainWindow::retryPendingOpens()
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int found = -1;
        for (int r = 0; r < m_sources.rowCount() && found < 0; ++r) {
            const int id = m_sources.index(r, 0).data(models::SourcesModel::SourceIdRole).toInt();
            if (m_sources.findMethod(id, it->request->method).isValid())
                found = id;
        }
        if (found < 0) {
            ++it;
            continue;
        }
        const PendingOpen pending = *it;
        it = m_pending.erase(it);
        openMethod(found, pending.request->method, pending.request->body, [this, pending](RequestTab *tab) {
            models::SavedRequest r = *pending.request;
            if (!pending.keepPath)
                r.path.clear();
            tab->applySaved(r);
            const QString connection =
                m_store->isOpen() ? models::withDefaults(r, m_store->workspace().settings()).connection
                                  : r.connection;
            if (!connection.isEmpty() && m_store->isOpen()) {
                if (auto settings = models::ConnectionSettings::fromWorkspace(m_store->workspace(), connection))
                    tab->applyConnection(*settings);
                else
                    showStatus(settings.errorMessage());
            }
            if (pending.connection)
                tab->applyConnection(*pending.connection);
            if (pending.modified)
                tab->setModified(true);
        });
        it = m_pending.begin(); // openMethod may have run nested events
    }
}

bool MainWindow::saveCurrentRequest(const QString &path)
{
    RequestTab *tab = currentRequest();
    if (!tab)
        return false;
    if (!m_store->isOpen()) {
        showStatus(tr("Open a workspace folder first (File → Open Workspace…)"));
        return false;
    }
    if (tab->conflictShown() && path.isEmpty()) {
        // The file changed on disk under these edits: the bar above the editor decides.
        showStatus(tr("Not saved: %1 changed on disk; reload it or keep your version").arg(tab->savedPath()));
        return false;
    }
    models::SavedRequest r = tab->toSaved();
    QString target = path.isEmpty() ? r.path : path;
    if (target.isEmpty()) {
        bool ok = false;
        target =
            QInputDialog::getText(this, tr("Save Request"),
                                  tr("Path in the workspace (folders are created):"), QLineEdit::Normal,
                                  QString::fromStdString(tab->method().name) + QStringLiteral(".json"), &ok)
                .trimmed();
        if (!ok || target.isEmpty())
            return false;
    }
    if (!target.endsWith(QLatin1String(".json")))
        target += QStringLiteral(".json");
    r.path = target;
    tab->setProperty("wirescopeSaving", target);
    // Under another name than the tab's own file, an existing file belongs to another request.
    m_store->save(r, target == tab->savedPath() ? models::WorkspaceStore::SaveMode::Normal
                                                : models::WorkspaceStore::SaveMode::AsNewFile);
    return true;
}

void MainWindow::onSaveFinished(const QString &path, const QString &error, bool conflict)
{
    RequestTab *tab = nullptr;
    for (int i = 0; i < m_tabs->count() && !tab; ++i) {
        auto *t = qobject_cast<RequestTab *>(m_tabs->widget(i));
        if (t && t->property("wirescopeSaving").toString() == path)
            tab = t;
    }
    if (!tab)
        tab = tabForPath(path);
    if (tab)
        tab->setProperty("wirescopeSaving", QVariant());
    const bool closeAfterSave = tab && tab->property("wirescopeCloseAfterSave").toBool();
    if (tab)
        tab->setProperty("wirescopeCloseAfterSave", QVariant());
    if (conflict) {
        // The bar offers to overwrite the tab's own file; a new name that is taken is only said.
        if (tab && tab->savedPath() == path)
            tab->showConflict(tr("Not saved: %1.").arg(error));
        showStatus(tr("Not saved: %1").arg(error));
        return;
    }
    if (!error.isEmpty()) {
        showStatus(tr("Saving %1 failed: %2").arg(path, error));
        return;
    }
    if (tab) {
        models::SavedRequest r = tab->toSaved();
        r.path = path;
        tab->markSaved(r);
    }
    showStatus(tr("Saved %1").arg(path));
    if (closeAfterSave) {
        m_tabs->removeTab(m_tabs->indexOf(tab));
        tab->deleteLater();
    }
    scheduleAutosave();
}

bool MainWindow::confirmClose(RequestTab *tab)
{
    if (!tab->isModified())
        return true;
    QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
                    tr("%1 has changes that are not saved.").arg(tab->title().remove(QStringLiteral(" •"))),
                    QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("unsavedChangesBox"));
    QAbstractButton *save = m_store->isOpen() ? box.addButton(QMessageBox::Save) : nullptr;
    if (!save)
        box.setInformativeText(tr("Open a workspace to save requests (File → Open Workspace…)."));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == box.button(QMessageBox::Discard))
        return true;
    if (save && box.clickedButton() == save) {
        // Closed once the save has landed; a failed or refused save keeps it open.
        m_tabs->setCurrentWidget(tab);
        if (saveCurrentRequest())
            tab->setProperty("wirescopeCloseAfterSave", true);
    }
    return false;
}

void MainWindow::onChangedOnDisk(const QStringList &paths)
{
    for (const QString &path : paths) {
        RequestTab *tab = tabForPath(path);
        if (!tab)
            continue;
        const auto *r = m_store->workspace().request(path);
        if (!tab->isModified() && r) {
            tab->applySaved(*r); // nothing of the user's to lose
            showStatus(tr("%1 changed on disk and was reloaded").arg(path));
        } else {
            tab->showConflict(r ? tr("%1 changed on disk while you were editing it.").arg(path)
                                : tr("%1 was deleted on disk while you were editing it.").arg(path));
            showStatus(tr("%1 changed on disk: reload it or keep your version").arg(path));
        }
    }
}

QString MainWindow::copyAsGrpcurl()
{
    RequestTab *tab = currentRequest();
    if (!tab)
        return {};
    QStringList importPaths, protoFiles, protosets;
    if (const auto *spec = m_sources.spec(tab->property(kSourceIdProperty).toInt())) {
        if (spec->kind == models::SourceSpec::Kind::ProtoFiles) {
            for (const auto &p : spec->schema.importPaths)
                importPaths << QString::fromStdString(p);
            for (const auto &p : spec->schema.protoFiles)
                protoFiles << QString::fromStdString(p);
        } else if (spec->kind == models::SourceSpec::Kind::Protoset) {
            for (const auto &p : spec->schema.protosetFiles)
                protosets << QString::fromStdString(p);
        }
    }
    models::Environment env;
    if (const models::Environment *current = currentEnvironment())
        env = *current;
    // As sent: the workspace's defaults fill what the tab leaves empty.
    const models::SavedRequest request =
        m_store->isOpen() ? models::withDefaults(tab->toSaved(), m_store->workspace().settings())
                          : tab->toSaved();
    const auto command =
        models::toGrpcurl(request, tab->connectionSettings(), importPaths, protoFiles, protosets, env);
    if (!command) {
        showStatus(tr("Cannot copy as grpcurl: %1").arg(command.errorMessage()));
        return {};
    }
    QApplication::clipboard()->setText(*command);
    showStatus(tr("Copied the grpcurl command to the clipboard"));
    return *command;
}

bool MainWindow::importGrpcurl(const QString &commandLine)
{
    const auto command = models::parseGrpcurl(commandLine);
    if (!command) {
        showStatus(tr("Cannot import the command: %1").arg(command.errorMessage()));
        return false;
    }
    if (!command->protoFiles.isEmpty())
        addProtoSource(command->importPaths.isEmpty() ? QStringList{QDir::currentPath()}
                                                      : command->importPaths,
                       command->protoFiles);
    if (!command->protosets.isEmpty())
        addProtosetSource(command->protosets);
    // The connection settings go to the tab when it opens (now, or when its schema loads).
    openSavedRequest(command->request, false, true, command->connection);
    return true;
}

QString MainWindow::autosaveFile() const
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/autosave.json");
}

void MainWindow::scheduleAutosave()
{
    m_autosaveTimer->start();
}

void MainWindow::writeAutosaveNow()
{
    m_autosaveTimer->stop();
    QJsonArray tabs;
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto *tab = qobject_cast<RequestTab *>(m_tabs->widget(i));
        if (!tab || !tab->isModified())
            continue;
        tabs.append(QJsonObject{
            {QStringLiteral("saved_path"), tab->savedPath()},
            {QStringLiteral("request"),
             QJsonDocument::fromJson(models::Workspace::serialize(tab->toSaved())).object()},
            {QStringLiteral("editor_text"), tab->editor()->text()}, // as typed, even half-way
        });
    }
    const QString file = autosaveFile();
    QByteArray bytes;
    if (!tabs.isEmpty()) {
        const QJsonObject o{
            {QStringLiteral("workspace"), m_store->isOpen() ? m_store->workspace().folder() : QString()},
            {QStringLiteral("environment"),
             m_envBox->currentIndex() > 0 ? m_envBox->currentText() : QString()},
            {QStringLiteral("tabs"), tabs},
        };
        bytes = QJsonDocument(o).toJson();
    }
    // Written (or removed when nothing is unsaved) on the disk thread, in order.
    m_diskPool.start([file, bytes] {
        if (bytes.isEmpty()) {
            QFile::remove(file);
            return;
        }
        QDir().mkpath(QFileInfo(file).absolutePath());
        models::writeFileAtomically(file, bytes);
    });
}

void MainWindow::restoreAutosave()
{
    auto *watcher = new QFutureWatcher<QByteArray>(this);
    connect(watcher, &QFutureWatcher<QByteArray>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QByteArray bytes = watcher->result();
        if (bytes.isEmpty()) {
            emit autosaveRestored(0);
            return;
        }
        QJsonParseError parseError{};
        const QJsonObject o = QJsonDocument::fromJson(bytes, &parseError).object();
        if (parseError.error != QJsonParseError::NoError) {
            showStatus(tr("The autosave file %1 is damaged (%2); it was left as it is")
                           .arg(autosaveFile(), parseError.errorString()));
            emit autosaveRestored(0);
            return;
        }
        const QString folder = o.value(QStringLiteral("workspace")).toString();
        const QString environment = o.value(QStringLiteral("environment")).toString();
        const QJsonArray tabs = o.value(QStringLiteral("tabs")).toArray();
        auto reopen = [this, tabs, environment] {
            if (const int i = m_envBox->findText(environment); i > 0)
                m_envBox->setCurrentIndex(i);
            for (const QJsonValue &t : tabs) {
                models::WorkspaceProblem problem;
                auto r = models::Workspace::parseRequest(
                    QJsonDocument(t.toObject().value(QStringLiteral("request")).toObject()).toJson(),
                    t.toObject().value(QStringLiteral("saved_path")).toString(), &problem);
                if (!r)
                    continue;
                if (const QJsonValue text = t.toObject().value(QStringLiteral("editor_text"));
                    text.isString())
                    r->body = text.toString();
                openSavedRequest(*r, !r->path.isEmpty(), true);
            }
            showStatus(tr("Restored %n unsaved request(s) from the last session", nullptr, int(tabs.size())));
            emit autosaveRestored(int(tabs.size()));
        };
        if (!folder.isEmpty() && (!m_store->isOpen() || m_store->workspace().folder() != folder)) {
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = connect(m_store, &models::WorkspaceStore::opened, this, [connection, reopen] {
                QObject::disconnect(*connection);
                reopen();
            });
            openWorkspace(folder);
        } else {
            reopen();
        }
    });
    watcher->setFuture(QtConcurrent::run([file = autosaveFile()] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }));
}

} // namespace ui
