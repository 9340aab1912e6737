// SPDX-License-Identifier: GPL-3.0-or-later
// WorkspaceController: opening and closing a workspace, environments and secrets, history, and
// grpcurl/curl export and import. The schema sources requests need and the requests waiting for
// them are in workspacecontroller_requests.cpp; keeping unsaved tabs across sessions (autosave)
// in workspacecontroller_autosave.cpp.
#include "models/workspacecontroller.h"

#include "workspacecontroller_p.h"

#include "models/appsettings.h"
#include "models/grpcurl.h"
#include "models/history.h"
#include "models/runner.h"
#include "models/secretstore.h"
#include "models/softassert.h"
#include "models/workspacestore.h"
#include "rpc/web.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLockFile>
#include <QUuid>

#include <algorithm>
#include <vector>

namespace models {

namespace {

QStringList strings(const std::vector<std::string> &list)
{
    QStringList out;
    for (const auto &s : list)
        out << QString::fromStdString(s);
    return out;
}

// `text` cut to at most `limit` bytes, not inside a UTF-8 sequence, with "…" when cut.
QString capped(const QByteArray &text, qsizetype limit)
{
    if (text.size() <= limit)
        return QString::fromUtf8(text);
    qsizetype end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return QString::fromUtf8(text.left(end)) + QStringLiteral("…");
}

} // namespace

WorkspaceController::WorkspaceController(SourcesModel &sources, QString dataFolder, QObject *parent)
    : QObject(parent)
    , m_sources(sources)
    , m_dataFolder(std::move(dataFolder))
{
    qRegisterMetaType<models::RequestToOpen>();
    m_session = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_diskPool.setMaxThreadCount(1);
    m_store = new WorkspaceStore(this);
    m_secrets = new SecretStore(QStringLiteral("Wirescope"), this);
    m_store->openHistoryOnly(historyWithoutWorkspace());
    m_autosaveTimer.setObjectName(QStringLiteral("autosave")); // named for traces
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(1000);
    connect(&m_autosaveTimer, &QTimer::timeout, this, &WorkspaceController::writeAutosaveNow);
    // This window's autosave file is its own for as long as it runs: a window starting meanwhile
    // leaves it alone, and one starting after a crash finds the lock stale and takes it over.
    m_diskPool.start([this, lock = QString(autosaveFile() + QStringLiteral(".lock"))] {
        QDir().mkpath(QFileInfo(lock).absolutePath());
        m_lock = std::make_unique<QLockFile>(lock);
        m_lock->setStaleLockTime(0); // stale only when its process is gone, however old
        if (!m_lock->tryLock(0))
            qWarning("wirescope: the autosave lock %s was not taken (error %d)", qPrintable(lock),
                     int(m_lock->error()));
    });
    connect(m_store, &WorkspaceStore::opened, this, &WorkspaceController::onStoreOpened);
    connect(m_store, &WorkspaceStore::changed, this, &WorkspaceController::onStoreChanged);
    connect(m_store, &WorkspaceStore::operationFailed, this, &WorkspaceController::statusMessage);
    auto masking = [this] { emit maskedValuesChanged(secretValues()); };
    connect(m_secrets, &SecretStore::readFinished, this, masking);
    connect(m_secrets, &SecretStore::writeFinished, this, masking);
    // What could not reopen is said after the window has said what loaded.
    connect(&m_sources, &SourcesModel::sourceLoaded, this, [this] {
        retryPending();
        QTimer::singleShot(0, this, &WorkspaceController::reportStalled);
    });
    connect(&m_sources, &SourcesModel::loadFailed, this,
            [this] { QTimer::singleShot(0, this, &WorkspaceController::reportStalled); });
}

WorkspaceController::~WorkspaceController()
{
    // After the writes queued before it: the file is complete when another window may take it.
    m_diskPool.start([this] { m_lock.reset(); });
    m_diskPool.waitForDone();
}

bool WorkspaceController::isOpen() const
{
    return m_store->isOpen() && !m_opening && !m_folder.isEmpty();
}

void WorkspaceController::openWorkspace(const QString &folder, const std::function<void()> &then)
{
    const QString absolute = absoluteFolder(folder);
    if (absolute == m_folder && !absolute.isEmpty()) {
        if (then && m_opening)
            m_afterOpen.push_back(then);
        else if (then)
            then();
        return;
    }
    // Another workspace open: it closes first, as Close Workspace closes it. Its tabs meant its
    // environments; what they hold unsaved is parked for when it opens again, and said so.
    QString closed;
    if (!m_folder.isEmpty()) {
        const QString name = QFileInfo(m_folder).fileName();
        const int parked = closeCurrent();
        closed = parked ? tr(" (%1 closed; %n unsaved request(s) of it kept until it is opened again)", nullptr,
                             parked)
                              .arg(name)
                        : tr(" (%1 closed)").arg(name);
    }
    m_folder = absolute;
    m_opening = true;
    m_afterOpen.clear();
    if (then)
        m_afterOpen.push_back(then);
    emit statusMessage(tr("Opening workspace %1…").arg(folder) + closed);
    m_store->open(absolute);
}

void WorkspaceController::openRecentWorkspace(const QString &folder)
{
    m_diskPool.start([this, folder] {
        const bool there = QFileInfo(QDir(folder).filePath(QString::fromLatin1(Workspace::kSettingsFile))).isFile();
        QMetaObject::invokeMethod(
            this,
            [this, folder, there] {
                if (there) {
                    openWorkspace(folder);
                    return;
                }
                AppSettings::forgetWorkspace(folder);
                emit statusMessage(tr("The workspace %1 is not there any more (moved or deleted); it was taken "
                                      "off Open Recent")
                                       .arg(QDir::toNativeSeparators(folder)));
            },
            Qt::QueuedConnection);
    });
}

QString WorkspaceController::historyWithoutWorkspace() const
{
    return m_dataFolder + QStringLiteral("/history.jsonl");
}

void WorkspaceController::closeWorkspace()
{
    if (m_folder.isEmpty())
        return;
    const QString name = QFileInfo(m_folder).fileName();
    const int parked = closeCurrent();
    emit statusMessage(parked ? tr("Closed the workspace %1; %n unsaved request(s) of it kept until it is "
                                   "opened again",
                                   nullptr, parked)
                                    .arg(name)
                              : tr("Closed the workspace %1").arg(name));
}

int WorkspaceController::closeCurrent()
{
    // Its tabs close with it (their {{variables}} mean nothing without it); what they hold
    // unsaved is parked and comes back when the workspace is opened again.
    const QString folder = m_folder;
    const int parked = parkUnsaved(folder);
    m_folder.clear();
    m_opening = false;
    m_afterOpen.clear();
    m_environment.clear();
    m_renamed.clear();
    m_store->close(historyWithoutWorkspace());
    emit environmentsChanged();
    emit maskedValuesChanged(secretValues());
    emit workspaceClosed(folder);
    writeAutosaveNow(); // the parked drafts, without the closed tabs
    return parked;
}

void WorkspaceController::onStoreOpened()
{
    // An earlier open that a later one replaced: only the last one counts.
    if (m_store->workspace().folder() != m_folder)
        return;
    m_opening = false;
    const Workspace &ws = m_store->workspace();
    const QStringList names = environmentNames();
    const QString remembered = AppSettings::environmentFor(ws.folder());
    m_environment = names.contains(remembered) ? remembered : names.value(0);
    m_renamed.clear();
    emit environmentsChanged();
    chooseEnvironment(m_environment); // remembered, secrets fetched, masking updated, and said
    addWorkspaceSources();
    QString status = tr("Workspace %1: %n request(s)", nullptr, int(ws.requests().size()))
                         .arg(QFileInfo(ws.folder()).fileName());
    if (!ws.problems().empty())
        status += tr(", %n problem(s): %1", nullptr, int(ws.problems().size()))
                      .arg(ws.problems().front().toString());
    emit statusMessage(status);
    AppSettings::rememberWorkspace(m_folder); // opened from a menu, a drop or the command line
    emit workspaceOpened();
    // Unsaved tabs of this workspace from an earlier session (or restored after a crash),
    // parked until it opened; before what waited for it, which may count them.
    if (const auto parked = m_parked.find(m_folder); parked != m_parked.end()) {
        const QJsonObject section = parked->second;
        m_parked.erase(parked);
        reopen(section.value(QStringLiteral("tabs")).toArray(), m_folder,
               section.value(QStringLiteral("environment")).toString());
    }
    const auto callbacks = std::exchange(m_afterOpen, {});
    for (const auto &callback : callbacks)
        callback();
    retryPending();
}

void WorkspaceController::onStoreChanged()
{
    if (!isOpen())
        return;
    // A renamed environment stays chosen under its new name; a removed one is unchosen.
    const QStringList names = environmentNames();
    QString chosen = m_renamed.value(m_environment, m_environment);
    m_renamed.clear();
    if (!names.contains(chosen))
        chosen.clear();
    emit workspaceChanged();
    if (chosen != m_environment)
        chooseEnvironment(chosen);
    else
        emit environmentsChanged();
}

QStringList WorkspaceController::environmentNames() const
{
    QStringList names;
    if (!isOpen())
        return names;
    for (const auto &e : m_store->workspace().settings().environments)
        names << e.name;
    return names;
}

void WorkspaceController::chooseEnvironment(const QString &name)
{
    m_environment = name;
    if (isOpen())
        AppSettings::setEnvironmentFor(m_folder, name);
    fetchSecrets();
    emit maskedValuesChanged(secretValues());
    emit environmentsChanged();
    emit statusMessage(name.isEmpty() ? tr("No environment") : tr("Environment: %1").arg(name));
}

void WorkspaceController::fetchSecrets()
{
    // Every environment's secrets, now: sending then does not wait for the keychain, and the
    // timeline and history can mask calls made before a switch.
    if (!isOpen())
        return;
    for (const auto &e : m_store->workspace().settings().environments) {
        for (const auto &v : e.variables) {
            const QString key = SecretStore::keyFor(m_folder, e.name, v.name);
            if (v.secret && !m_secrets->cached(key))
                m_secrets->read(key);
        }
    }
}

Environment WorkspaceController::environment() const
{
    if (m_store->isOpen() && !m_environment.isEmpty()) {
        for (const auto &e : m_store->workspace().settings().environments) {
            if (e.name == m_environment)
                return e;
        }
    }
    return {};
}

bool WorkspaceController::knowsSecret(const QString &environment, const QString &variable) const
{
    return m_secrets->cached(SecretStore::keyFor(m_folder, environment, variable)).has_value();
}

void WorkspaceController::saveEnvironments(const std::vector<Environment> &environments,
                                           const QHash<QString, QString> &renamed,
                                           const std::vector<SecretValue> &values)
{
    WIRESCOPE_ASSERT(isOpen(), return );
    // Secrets first, so that masking knows them before anything is sent.
    for (auto it = renamed.begin(); it != renamed.end(); ++it)
        m_renamed.insert(it.value(), it.key()); // old name -> new name
    for (const auto &e : environments) {
        const QString before = renamed.value(e.name);
        if (before.isEmpty())
            continue;
        for (const auto &v : e.variables) {
            const auto value =
                v.secret ? m_secrets->cached(SecretStore::keyFor(m_folder, before, v.name)) : std::nullopt;
            if (value)
                m_secrets->write(SecretStore::keyFor(m_folder, e.name, v.name), *value);
        }
    }
    for (const auto &s : values)
        m_secrets->write(SecretStore::keyFor(m_folder, s.environment, s.variable), s.value);
    WorkspaceSettings settings = m_store->workspace().settings();
    settings.environments = environments;
    m_store->saveSettings(settings);
    emit statusMessage(tr("Environments saved to %1").arg(QLatin1String(Workspace::kSettingsFile)));
}

SecretLookup WorkspaceController::secretLookup()
{
    return [this](const QString &name, const QString &) -> Result<QString> {
        const QString key = SecretStore::keyFor(m_folder, m_environment, name);
        if (auto value = m_secrets->cached(key)) {
            emit maskedValuesChanged(secretValues()); // whatever carries it from now on is masked
            return *value;
        }
        // Asked once; kept in the keychain, or for this session where there is none.
        const auto value =
            m_prompt ? m_prompt(name, m_environment, m_secrets->keychainAvailable()) : std::nullopt;
        if (!value)
            return fail(tr("the secret {{%1}} has no value").arg(name));
        m_secrets->write(key, *value);
        emit maskedValuesChanged(secretValues());
        return *value;
    };
}

QStringList WorkspaceController::secretValues() const
{
    QStringList values;
    if (!isOpen())
        return values;
    for (const auto &env : m_store->workspace().settings().environments) {
        for (const auto &v : env.variables) {
            if (!v.secret)
                continue;
            const auto value = m_secrets->cached(SecretStore::keyFor(m_folder, env.name, v.name));
            if (value && !value->isEmpty() && !values.contains(*value))
                values << *value;
        }
    }
    // Longest first, so a secret containing another is masked whole.
    std::sort(values.begin(), values.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    return values;
}

Result<QString> WorkspaceController::resolve(const QString &text, const QString &where)
{
    return resolveVariables(text, environment(), where, secretLookup());
}

void WorkspaceController::recordCall(const CallRecord &record)
{
    const QStringList secrets = secretValues();
    HistoryEntry e;
    e.time = record.started;
    e.request = record.request;
    e.bodyOmittedBytes = record.bodyOmittedBytes;
    e.environment = m_environment;
    e.sentTarget = maskSecrets(record.sentTarget, secrets);
    e.statusCode = record.statusCode;
    e.statusName = QString::fromStdString(rpc::statusCodeName(record.statusCode));
    e.statusMessage = maskSecrets(record.statusMessage, secrets);
    for (const QByteArray &response : record.responses) {
        if (e.responses.size() >= History::kMaxResponses)
            break;
        e.responses << maskSecrets(capped(response, History::kMaxResponseBytes), secrets);
    }
    e.responseCount = record.responseCount;
    e.durationMs = record.durationMs;
    m_store->appendHistory(e);
}

Result<QString> WorkspaceController::exportGrpcurl(const SavedRequest &request,
                                                   const ConnectionSettings &connection,
                                                   const SourceSpec *source)
{
    QStringList importPaths, protoFiles, protosets;
    if (source && source->kind == SourceSpec::Kind::ProtoFiles) {
        importPaths = strings(source->schema.importPaths);
        protoFiles = strings(source->schema.protoFiles);
    } else if (source && source->kind == SourceSpec::Kind::Protoset) {
        protosets = strings(source->schema.protosetFiles);
    }
    return toGrpcurl(asSent(request), connection, importPaths, protoFiles, protosets, environment());
}

SavedRequest WorkspaceController::asSent(const SavedRequest &request) const
{
    return isOpen() ? withDefaults(request, m_store->workspace().settings()) : request;
}

Result<QString> WorkspaceController::exportCurl(const SavedRequest &request,
                                                const ConnectionSettings &connection, rpc::MethodKind kind)
{
    return toCurl(asSent(request), connection, kind, environment());
}

Status WorkspaceController::importGrpcurl(const QString &commandLine)
{
    auto command = parseGrpcurl(commandLine);
    if (!command)
        return command.error();
    if (!command->protoFiles.isEmpty()) {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::ProtoFiles;
        for (const QString &p :
             command->importPaths.isEmpty() ? QStringList{QDir::currentPath()} : command->importPaths)
            spec.schema.importPaths.push_back(p.toStdString());
        for (const QString &p : command->protoFiles)
            spec.schema.protoFiles.push_back(p.toStdString());
        addSourceOnce(spec);
    }
    if (!command->protosets.isEmpty()) {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::Protoset;
        for (const QString &p : command->protosets)
            spec.schema.protosetFiles.push_back(p.toStdString());
        addSourceOnce(spec);
    }
    RequestToOpen open;
    open.request = command->request;
    open.modified = true;
    open.connection = command->connection;
    openRequest(std::move(open));
    return {};
}

} // namespace models
