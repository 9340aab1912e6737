// SPDX-License-Identifier: GPL-3.0-or-later
// WorkspaceController: the schema sources a workspace and its requests need, and requests that
// wait for their schema to load before they open (said once when they stall, with the nearest
// method when theirs is missing).
#include "models/workspacecontroller.h"

#include "workspacecontroller_p.h"

#include "models/workspacestore.h"
#include "rpc/web.h"

#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <vector>

namespace models {

namespace {

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

} // namespace

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
    const bool demo = request.demo;
    if (demo && !m_demoAddress.isEmpty())
        request.request.target = m_demoAddress; // this session's demo, not the dead one's port
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
    if (demo) {
        emit statusMessage(m_demoAddress.isEmpty()
                               ? tr("%1 was a request to the demo service: File → Start Demo Service brings it back")
                                     .arg(method)
                               : tr("Waiting for the demo service's schema with %1…").arg(method));
        return;
    }
    if (ownSource) {
        // Its source may have been there already, loaded without the method: nothing would
        // ever come (a pasted command with a misspelt method waited for ever).
        if (!m_opening && !sourcesLoading())
            reportMissing();
        else
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
    else if (!m_opening && !sourcesLoading())
        reportMissing(); // the target's schema is here already, without the method
    else
        emit statusMessage(tr("Waiting for a schema with %1…").arg(method));
}

void WorkspaceController::retryPending()
{
    std::vector<std::pair<RequestToOpen, int>> ready;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int found = -1;
        if (it->demo && m_demoAddress.isEmpty()) {
            ++it; // waits for the demo to start: its schema from elsewhere would send to a dead port
            continue;
        }
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
    if (m_opening || sourcesLoading())
        return;
    reportMissing();
    // They stay waiting (and in the autosave file): a schema loaded later still brings them back.
    QStringList methods, demo;
    for (RequestToOpen &r : m_pending) {
        if (r.autosaved.isEmpty() || r.reported)
            continue;
        r.reported = true;
        (r.demo && m_demoAddress.isEmpty() ? demo : methods) << r.request.method;
    }
    QStringList said;
    if (!methods.isEmpty())
        said << tr("%n unsaved request(s) could not be reopened yet, as no loaded schema has %1; they open "
                   "when a schema with their method loads, and are kept in %2",
                   nullptr, int(methods.size()))
                    .arg(methods.join(QStringLiteral(", ")), autosaveFile());
    if (!demo.isEmpty())
        said << tr("%n unsaved request(s) to the demo service (%1) wait for it: File → Start Demo Service "
                   "brings them back",
                   nullptr, int(demo.size()))
                    .arg(demo.join(QStringLiteral(", ")));
    if (!said.isEmpty())
        emit statusMessage(said.join(QStringLiteral("; ")));
}

bool WorkspaceController::sourcesLoading() const
{
    for (int r = 0; r < m_sources.rowCount(); ++r) {
        const int id = m_sources.index(r, 0).data(SourcesModel::SourceIdRole).toInt();
        if (m_sources.state(id) == SourcesModel::State::Loading)
            return true;
    }
    return false;
}

namespace {

// Edits (insert, delete, replace) between two strings, case ignored.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> row(std::size_t(b.size()) + 1);
    for (std::size_t j = 0; j < row.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[std::size_t(j)];
            const bool same = a[i - 1].toCaseFolded() == b[j - 1].toCaseFolded();
            row[std::size_t(j)] = std::min({above + 1, row[std::size_t(j - 1)] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row.back();
}

} // namespace

QString WorkspaceController::nearestMethod(const QString &method) const
{
    // Sources, their services, their methods: the nearest path within a few typos. A pasted
    // name far longer than any method path is no typo: not compared (the comparison runs on
    // the UI thread and costs the product of the two lengths).
    QString best;
    if (method.size() > 512)
        return best;
    int bestDistance = int(std::max<qsizetype>(2, method.size() / 6)) + 1;
    for (int r = 0; r < m_sources.rowCount(); ++r) {
        const QModelIndex source = m_sources.index(r, 0);
        for (int s = 0; s < m_sources.rowCount(source); ++s) {
            const QModelIndex service = m_sources.index(s, 0, source);
            for (int m = 0; m < m_sources.rowCount(service); ++m) {
                const QString path = m_sources.index(m, 0, service).data(SourcesModel::MethodPathRole).toString();
                if (path.isEmpty())
                    continue;
                if (const int d = editDistance(path, method); d < bestDistance) {
                    bestDistance = d;
                    best = path;
                }
            }
        }
    }
    return best;
}

void WorkspaceController::reportMissing()
{
    // Requests asked for by the user (pasted, opened) whose method no loaded schema has, now
    // that nothing more is loading: said, with the nearest method there is, and dropped.
    // Restored tabs are reportStalled's: kept for a later session.
    bool failed = false;
    for (int r = 0; r < m_sources.rowCount(); ++r)
        failed = failed || m_sources.state(m_sources.index(r, 0).data(SourcesModel::SourceIdRole).toInt()) ==
                               SourcesModel::State::Failed;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (!it->autosaved.isEmpty()) {
            ++it;
            continue;
        }
        const QString method = it->request.method;
        QString text = tr("Not opened: no loaded schema has %1").arg(method);
        if (const QString nearest = nearestMethod(method); !nearest.isEmpty())
            text += tr(" (did you mean %1?)").arg(nearest);
        if (failed)
            text += tr("; a source failed to load, see the services tree");
        emit statusMessage(text);
        it = m_pending.erase(it);
    }
}

} // namespace models
