// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/workspacecontroller.h"

#include "models/appsettings.h"
#include "models/grpcurl.h"
#include "models/history.h"
#include "models/recentsources.h"
#include "models/runner.h"
#include "models/secretstore.h"
#include "models/softassert.h"
#include "models/workspacestore.h"
#include "rpc/web.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QUuid>

namespace models {

namespace {

constexpr int kAutosaveFormat = 2;

// A reflection source named by a URL is asked at its host:port (gRPC takes a URL so too), with
// TLS when its scheme says so.
SourceSpec atHostPort(SourceSpec spec)
{
    const std::string &target = spec.schema.reflectionChannel.target;
    if (auto url = rpc::parseUrlTarget(target); url && rpc::isUrlTarget(target)) {
        spec.schema.reflectionChannel.target = url->hostPort;
        spec.schema.reflectionChannel.plaintext = !url->tls;
    }
    return spec;
}

QString absoluteFolder(const QString &folder)
{
    return folder.isEmpty() ? QString() : QDir(folder).absolutePath();
}

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

// An unsaved tab as the autosave file keeps it. Built on the disk thread: for a big body the
// request's JSON, parsed back into an object, and the editor's text are copies of many MB.
QJsonObject autosaveEntry(const UnsavedTab &tab, const QString &session)
{
    QJsonObject entry{
        {QStringLiteral("saved_path"), tab.request.path},
        {QStringLiteral("request"), QJsonDocument::fromJson(Workspace::serialize(tab.request)).object()},
        {QStringLiteral("editor_text"), tab.request.body}, // as typed, even half-way
        {QStringLiteral("session"), session},
    };
    if (tab.source)
        entry.insert(QStringLiteral("source"), QJsonObject::fromVariantMap(sourceSpecToMap(*tab.source)));
    return entry;
}

// The sections of an autosave file by workspace folder ("" for tabs of no workspace). The first
// format had one workspace and its tabs at the top.
std::map<QString, QJsonObject> autosaveSections(const QJsonObject &file)
{
    std::map<QString, QJsonObject> sections;
    if (file.contains(QStringLiteral("sections"))) {
        for (const QJsonValue &v : file.value(QStringLiteral("sections")).toArray()) {
            const QJsonObject section = v.toObject();
            QJsonObject &into = sections[section.value(QStringLiteral("workspace")).toString()];
            QJsonArray tabs = into.value(QStringLiteral("tabs")).toArray();
            for (const QJsonValue &tab : section.value(QStringLiteral("tabs")).toArray())
                tabs.append(tab);
            into = section;
            into.insert(QStringLiteral("tabs"), tabs);
        }
    } else if (file.contains(QStringLiteral("tabs"))) {
        sections[file.value(QStringLiteral("workspace")).toString()] = file;
    }
    return sections;
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
    m_folder = absolute;
    m_opening = true;
    m_afterOpen.clear();
    if (then)
        m_afterOpen.push_back(then);
    emit statusMessage(tr("Opening workspace %1…").arg(folder));
    m_store->open(absolute);
}

QString WorkspaceController::historyWithoutWorkspace() const
{
    return m_dataFolder + QStringLiteral("/history.jsonl");
}

void WorkspaceController::closeWorkspace()
{
    if (m_folder.isEmpty())
        return;
    writeAutosaveNow(); // the unsaved tabs of this workspace, while it is still theirs
    const QString folder = m_folder;
    m_folder.clear();
    m_opening = false;
    m_afterOpen.clear();
    m_environment.clear();
    m_renamed.clear();
    m_store->close(historyWithoutWorkspace());
    emit environmentsChanged();
    emit maskedValuesChanged(secretValues());
    emit workspaceClosed();
    emit statusMessage(tr("Closed the workspace %1").arg(QFileInfo(folder).fileName()));
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
    emit workspaceOpened();
    const auto callbacks = std::exchange(m_afterOpen, {});
    for (const auto &callback : callbacks)
        callback();
    // Unsaved tabs of this workspace from an earlier session, parked until it opened.
    if (const auto parked = m_parked.find(m_folder); parked != m_parked.end()) {
        const QJsonObject section = parked->second;
        m_parked.erase(parked);
        m_restoredFolders.insert(m_folder);
        reopen(section.value(QStringLiteral("tabs")).toArray(), m_folder,
               section.value(QStringLiteral("environment")).toString());
    }
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

int WorkspaceController::addSourceOnce(const SourceSpec &spec, bool quiet)
{
    if (const int id = m_sources.findSource(spec); id >= 0)
        return id;
    return m_sources.addSource(spec, quiet);
}

void WorkspaceController::addWorkspaceSources()
{
    // The workspace's schema sources; paths are its own, checked when it was read. A source
    // that is already there (the workspace opened again, or a restored tab's) is not added twice.
    const Workspace &ws = m_store->workspace();
    const WorkspaceSettings &s = ws.settings();
    if (!s.protoFiles.isEmpty()) {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::ProtoFiles;
        for (const QString &p : s.importPaths)
            spec.schema.importPaths.push_back(ws.resolve(p).value_or(QString()).toStdString());
        if (spec.schema.importPaths.empty())
            spec.schema.importPaths.push_back(ws.folder().toStdString());
        for (const QString &p : s.protoFiles)
            spec.schema.protoFiles.push_back(p.toStdString());
        addSourceOnce(spec);
    }
    if (!s.protosets.isEmpty()) {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::Protoset;
        for (const QString &p : s.protosets)
            spec.schema.protosetFiles.push_back(ws.resolve(p).value_or(QString()).toStdString());
        addSourceOnce(spec);
    }
    for (const ReflectionServer &server : s.reflection) {
        const auto resolved = resolve(server.target, tr("reflection target"));
        if (!resolved) {
            emit statusMessage(
                tr("Reflection target %1 skipped: %2").arg(server.target, resolved.errorMessage()));
            continue;
        }
        // TLS, certificates and the rest from the named connection, as a request gets them.
        const auto connection = ConnectionSettings::fromWorkspace(ws, server.connection);
        if (!connection) {
            emit statusMessage(
                tr("Reflection target %1 skipped: %2").arg(server.target, connection.errorMessage()));
            continue;
        }
        SourceSpec spec;
        spec.setReflection(*resolved, *connection);
        // A server named by the workspace may simply not be running now: said when used.
        addSourceOnce(atHostPort(spec), true);
    }
}

void WorkspaceController::openRequest(RequestToOpen request)
{
    if (request.workspace.isEmpty() && request.autosaved.isEmpty())
        request.workspace = m_folder;
    const bool ownSource = request.source.has_value();
    // A tab restored from the last session may name a server that is gone (the demo's random
    // port): its source stays quiet until the user turns to it.
    const bool restored = !request.autosaved.isEmpty();
    if (ownSource)
        addSourceOnce(*request.source, restored);
    const QString method = request.request.method;
    const QString target = request.request.target;
    const rpc::Protocol protocol = asSent(request.request).protocol.effectiveProtocol();
    m_pending.push_back(std::move(request));
    retryPending();
    const bool waiting = std::any_of(m_pending.begin(), m_pending.end(),
                                     [&](const RequestToOpen &r) { return r.request.method == method; });
    if (!waiting)
        return;
    if (ownSource) {
        emit statusMessage(tr("Waiting for a schema with %1…").arg(method));
        return;
    }
    // Reflection is asked over gRPC: a gRPC-Web or Connect request waits for the schema its
    // workspace's files give (asking a URL as a gRPC target only listed a failed source).
    if (protocol != rpc::Protocol::Grpc) {
        emit statusMessage(
            tr("Waiting for a schema with %1 (server reflection is asked over gRPC; a %2 request "
               "takes its schema from .proto files or a protoset)")
                .arg(method, protocolLabel(protocol)));
        return;
    }
    // No loaded schema has the method: ask the target's reflection, once per target.
    const auto resolved = resolve(target, tr("target"));
    if (!resolved) {
        emit statusMessage(tr("No loaded schema has %1, and its target cannot be resolved: %2")
                               .arg(method, resolved.errorMessage()));
        return;
    }
    const int before = m_sources.sourceCount();
    if (!resolved->isEmpty()) {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::Reflection;
        spec.schema.useReflection = true;
        spec.schema.reflectionChannel.target = resolved->toStdString();
        addSourceOnce(atHostPort(spec), restored);
    }
    if (m_sources.sourceCount() > before)
        emit statusMessage(tr("Loading the schema of %1 by reflection for %2…").arg(*resolved, method));
    else
        emit statusMessage(tr("Waiting for a schema with %1…").arg(method));
}

void WorkspaceController::retryPending()
{
    std::vector<std::pair<RequestToOpen, int>> ready;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int found = -1;
        for (int r = 0; r < m_sources.rowCount() && found < 0; ++r) {
            const int id = m_sources.index(r, 0).data(SourcesModel::SourceIdRole).toInt();
            if (m_sources.findMethod(id, it->request.method).isValid())
                found = id;
        }
        if (found < 0) {
            ++it;
            continue;
        }
        ready.emplace_back(std::move(*it), found);
        it = m_pending.erase(it);
    }
    for (auto &[request, sourceId] : ready) {
        // The workspace connection the request names (or its defaults name), unless the request
        // brings its own settings (a pasted command).
        if (!request.connection && isOpen()) {
            const QString name = withDefaults(request.request, m_store->workspace().settings()).connection;
            if (!name.isEmpty()) {
                auto settings = ConnectionSettings::fromWorkspace(m_store->workspace(), name);
                if (settings)
                    request.connection = *settings;
                else
                    emit statusMessage(settings.errorMessage());
            }
        }
        emit requestReady(request, sourceId);
    }
}

void WorkspaceController::reportStalled()
{
    // Restored tabs whose schema never came: said and kept, once nothing is loading any more.
    if (m_opening)
        return;
    for (int r = 0; r < m_sources.rowCount(); ++r) {
        const int id = m_sources.index(r, 0).data(SourcesModel::SourceIdRole).toInt();
        if (m_sources.state(id) == SourcesModel::State::Loading)
            return;
    }
    QStringList methods;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->autosaved.isEmpty()) {
            ++it;
            continue;
        }
        methods << it->request.method;
        m_kept[it->workspace].append(it->autosaved);
        it = m_pending.erase(it);
    }
    if (!methods.isEmpty())
        emit statusMessage(tr("%n unsaved request(s) could not be reopened, as no loaded schema has %1; "
                              "they are kept in %2",
                              nullptr, int(methods.size()))
                               .arg(methods.join(QStringLiteral(", ")), autosaveFile()));
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

QString WorkspaceController::autosaveFile() const
{
    return m_dataFolder + QStringLiteral("/autosave.json");
}

void WorkspaceController::scheduleAutosave()
{
    m_autosaveTimer.start();
}

void WorkspaceController::writeAutosaveNow()
{
    m_autosaveTimer.stop();
    // The UI thread only takes the tabs' values; their entries are built on the disk thread
    // (with a 45 MiB request open, building them here stalled the window).
    std::vector<UnsavedTab> tabs;
    if (!m_discarded && m_unsaved)
        tabs = m_unsaved();
    // Not this window's tabs, but never to be lost: entries that could not reopen, entries still
    // waiting for their schema, and sections waiting for their workspace. By workspace folder,
    // after the tabs' own.
    std::map<QString, QJsonArray> others;
    for (const auto &[folder, entries] : m_kept) {
        for (const QJsonValue &e : entries)
            others[folder].append(e);
    }
    for (const RequestToOpen &r : m_pending) {
        if (!r.autosaved.isEmpty())
            others[r.workspace].append(r.autosaved);
    }
    for (const auto &[folder, section] : m_parked) {
        for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray())
            others[folder].append(e);
    }
    QJsonObject top{{QStringLiteral("version"), kAutosaveFormat},
                    {QStringLiteral("workspace"), m_folder},
                    {QStringLiteral("environment"), m_environment}};
    QHash<QString, QString> environments; // the one chosen in each section, as last known
    for (const auto &[folder, section] : m_parked)
        environments.insert(folder, section.value(QStringLiteral("environment")).toString());
    environments.insert(m_folder, m_environment);
    // Sections this window never read (another window's, or written before it restored) are
    // merged in on the disk thread from what the file holds then.
    m_diskPool.start([file = autosaveFile(), tabs = std::move(tabs), others = std::move(others), top,
                      environments, restored = m_restoredFolders, session = m_session]() mutable {
        std::map<QString, QJsonArray> mine; // by workspace folder
        for (const UnsavedTab &tab : tabs)
            mine[tab.workspace].append(autosaveEntry(tab, session));
        for (const auto &[folder, entries] : others) {
            for (const QJsonValue &e : entries)
                mine[folder].append(e);
        }
        QFile existing(file);
        std::map<QString, QJsonObject> onDisk;
        if (existing.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = existing.readAll();
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
            if (error.error == QJsonParseError::NoError)
                onDisk = autosaveSections(doc.object());
            else if (!bytes.isEmpty())
                QFile::copy(file, file + QStringLiteral(".damaged")); // not overwritten unseen
        }
        QJsonArray sections;
        std::map<QString, QJsonArray> all = mine;
        for (const auto &[folder, section] : onDisk) {
            if (restored.count(folder))
                continue;
            for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray()) {
                // This window's own entries on disk are what `mine` replaces.
                if (e.toObject().value(QStringLiteral("session")).toString() != session &&
                    !all[folder].contains(e))
                    all[folder].append(e);
            }
            if (!environments.contains(folder))
                environments.insert(folder, section.value(QStringLiteral("environment")).toString());
        }
        for (const auto &[folder, entries] : all) {
            if (!entries.isEmpty())
                sections.append(QJsonObject{{QStringLiteral("workspace"), folder},
                                            {QStringLiteral("environment"), environments.value(folder)},
                                            {QStringLiteral("tabs"), entries}});
        }
        if (sections.isEmpty()) {
            QFile::remove(file);
            return;
        }
        QJsonObject out = top;
        out.insert(QStringLiteral("sections"), sections);
        QDir().mkpath(QFileInfo(file).absolutePath());
        // On the disk thread, nobody to answer to: the next autosave tries again, and the log says why.
        if (const Status written = writeFileAtomically(file, QJsonDocument(out).toJson()); !written)
            qWarning("wirescope: the autosave was not written: %s", qPrintable(written.errorMessage()));
    });
}

void WorkspaceController::discardUnsaved()
{
    m_discarded = true;
    writeAutosaveNow();
}

void WorkspaceController::waitForDisk()
{
    m_diskPool.waitForDone();
}

void WorkspaceController::restoreAutosave()
{
    auto bytes = std::make_shared<QByteArray>();
    auto *done = new QObject(this);
    m_diskPool.start([file = autosaveFile(), bytes, done] {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            *bytes = f.readAll();
        QMetaObject::invokeMethod(
            done, [done] { done->deleteLater(); }, Qt::QueuedConnection);
    });
    connect(done, &QObject::destroyed, this, [this, bytes] {
        if (bytes->isEmpty()) {
            emit autosaveRestored(0);
            return;
        }
        QJsonParseError parseError{};
        const QJsonObject file = QJsonDocument::fromJson(*bytes, &parseError).object();
        if (parseError.error != QJsonParseError::NoError) {
            emit statusMessage(tr("The autosave file %1 is damaged (%2); it was left as it is")
                                   .arg(autosaveFile(), parseError.errorString()));
            emit autosaveRestored(0);
            return;
        }
        std::map<QString, QJsonObject> sections = autosaveSections(file);
        // The workspace asked for wins; without one, the last session's opens.
        QString target = m_folder;
        if (target.isEmpty())
            target = absoluteFolder(file.value(QStringLiteral("workspace")).toString());
        if (target.isEmpty() && sections.size() == 1)
            target = sections.begin()->first;
        QJsonArray loose, own;
        QString ownEnvironment;
        QStringList elsewhere;
        for (auto &[folder, section] : sections) {
            const QString absolute = absoluteFolder(folder);
            if (absolute.isEmpty()) {
                for (const QJsonValue &e : section.value(QStringLiteral("tabs")).toArray())
                    loose.append(e);
            } else if (absolute == target) {
                own = section.value(QStringLiteral("tabs")).toArray();
                ownEnvironment = section.value(QStringLiteral("environment")).toString();
            } else if (!m_parked.count(absolute)) {
                m_parked[absolute] = section;
                elsewhere << QStringLiteral("%1 (%2)")
                                 .arg(QFileInfo(absolute).fileName())
                                 .arg(section.value(QStringLiteral("tabs")).toArray().size());
            }
        }
        m_restoredFolders.insert(QString());
        if (!target.isEmpty())
            m_restoredFolders.insert(target);
        const int count = int(loose.size() + own.size());
        auto finish = [this, loose, own, target, ownEnvironment, elsewhere, count] {
            reopen(loose, QString(), QString());
            reopen(own, target, ownEnvironment);
            QString status = tr("Restored %n unsaved request(s) from the last session", nullptr, count);
            if (!elsewhere.isEmpty())
                status += tr("; those of other workspaces are kept until they are opened: %1")
                              .arg(elsewhere.join(QStringLiteral(", ")));
            emit statusMessage(status);
            emit autosaveRestored(count);
            QTimer::singleShot(0, this, &WorkspaceController::reportStalled);
        };
        // After the workspace is open: its environment is chosen and its sources are loading.
        if (!target.isEmpty())
            openWorkspace(target, finish);
        else
            finish();
    });
}

void WorkspaceController::reopen(const QJsonArray &entries, const QString &folder, const QString &environment)
{
    if (!environment.isEmpty() && environmentNames().contains(environment) && environment != m_environment)
        chooseEnvironment(environment);
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        auto r =
            Workspace::parseRequest(QJsonDocument(entry.value(QStringLiteral("request")).toObject()).toJson(),
                                    entry.value(QStringLiteral("saved_path")).toString());
        if (!r) {
            // Kept as it was; a later version may read it.
            m_kept[folder].append(entry);
            emit statusMessage(tr("An unsaved request could not be read back (%1); it is kept in %2")
                                   .arg(r.error().toString(), autosaveFile()));
            continue;
        }
        if (const QJsonValue text = entry.value(QStringLiteral("editor_text")); text.isString())
            r->body = text.toString();
        RequestToOpen open;
        open.request = std::move(*r);
        open.keepPath = !open.request.path.isEmpty();
        open.modified = true;
        open.workspace = folder;
        open.autosaved = entry;
        if (const QJsonValue source = entry.value(QStringLiteral("source")); source.isObject())
            open.source = sourceSpecFromMap(source.toObject().toVariantMap());
        openRequest(std::move(open));
    }
}

} // namespace models
