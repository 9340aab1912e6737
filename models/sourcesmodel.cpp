// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sourcesmodel.h"

#include "models/recentsources.h"

#include <QFileInfo>
#include <QMetaObject>

namespace models {

QString SourceSpec::displayName() const
{
    auto fileNames = [](const std::vector<std::string> &paths) -> QString {
        QStringList names;
        for (const auto &p : paths)
            names << QFileInfo(QString::fromStdString(p)).fileName();
        if (names.size() > 3)
            return names.mid(0, 3).join(QStringLiteral(", ")) + QStringLiteral(" +%1").arg(names.size() - 3);
        return names.join(QStringLiteral(", "));
    };
    switch (kind) {
    case Kind::ProtoFiles:
        if (!folder.isEmpty()) {
            const QString name = QFileInfo(folder).fileName();
            return (name.isEmpty() ? folder : name) + u'/';
        }
        return fileNames(schema.protoFiles);
    case Kind::Protoset:
        return fileNames(schema.protosetFiles);
    case Kind::Reflection:
        return QString::fromStdString(schema.reflectionChannel.target) + QStringLiteral(" (reflection)");
    }
    return {};
}

QString SourceSpec::description() const
{
    auto lines = [](const QString &title, const std::vector<std::string> &items) {
        QString out = title;
        for (const auto &i : items)
            out += QStringLiteral("\n  ") + QString::fromStdString(i);
        return out;
    };
    switch (kind) {
    case Kind::ProtoFiles:
        return lines(QObject::tr("Import roots:"), schema.importPaths) + QStringLiteral("\n") +
               lines(QObject::tr("Files:"), schema.protoFiles);
    case Kind::Protoset:
        return lines(QObject::tr("Protosets:"), schema.protosetFiles);
    case Kind::Reflection:
        return QObject::tr("Server reflection from %1 (%2)")
            .arg(QString::fromStdString(schema.reflectionChannel.target),
                 connection.plaintext ? QObject::tr("plaintext")
                 : connection.skipVerify ? QObject::tr("TLS, not verified")
                                         : QObject::tr("TLS"));
    }
    return {};
}

void SourceSpec::setReflection(const QString &target, const ConnectionSettings &settings)
{
    kind = Kind::Reflection;
    schema.useReflection = true;
    connection = settings;
    schema.reflectionChannel = settings.toOptions(target, schema.reflectionChannel.userAgent);
}

SourcesModel::SourcesModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

// Jobs are destroyed here, on the owner thread: each cancels and waits for its thread, whose
// last post back to this object is then discarded with the object.
SourcesModel::~SourcesModel() = default;

quintptr SourcesModel::packId(int sourceRow, int serviceRow, int methodRow)
{
    return (quintptr(sourceRow) << 32) | (quintptr(methodRow + 1) << 16) | quintptr(serviceRow + 1);
}

int SourcesModel::rowOf(int sourceId) const
{
    for (std::size_t i = 0; i < m_sources.size(); ++i) {
        if (m_sources[i]->id == sourceId)
            return static_cast<int>(i);
    }
    return -1;
}

int SourcesModel::addSource(SourceSpec spec, bool quiet)
{
    const int row = static_cast<int>(m_sources.size());
    beginInsertRows({}, row, row);
    auto source = std::make_unique<Source>();
    source->id = m_nextId++;
    source->spec = std::move(spec);
    source->quiet = quiet;
    m_sources.push_back(std::move(source));
    endInsertRows();
    startLoad(*m_sources.back());
    return m_sources.back()->id;
}

void SourcesModel::startLoad(Source &source)
{
    const int row = rowOf(source.id);
    if (source.job) {
        retire(source);
        source.loader = std::make_shared<rpc::SchemaLoader>(); // the old job may still use its loader
    }
    if (!source.services.empty()) {
        beginRemoveRows(index(row, 0), 0, static_cast<int>(source.services.size()) - 1);
        source.services.clear();
        endRemoveRows();
    }
    source.repairs = {};
    source.state = State::Loading;
    source.progress = {};
    source.error.reset();
    const int generation = ++source.generation;
    const int id = source.id;
    const int jobKey = m_nextJobKey++;
    source.jobKey = jobKey;
    // The callbacks run on the job's thread: they only post to this object's thread.
    source.job = std::make_unique<rpc::SchemaLoadJob>(
        source.spec.schema,
        [this, id, generation](const rpc::LoadProgress &p) {
            QMetaObject::invokeMethod(
                this, [this, id, generation, p] { onProgress(id, generation, p); }, Qt::QueuedConnection);
        },
        [this, id, generation, jobKey](rpc::Result<rpc::SchemaPtr> result) {
            auto shared = std::make_shared<Outcome>(describe(std::move(result)));
            QMetaObject::invokeMethod(
                this,
                [this, id, generation, jobKey, shared] {
                    onFinished(id, generation, jobKey, std::move(*shared));
                },
                Qt::QueuedConnection);
        },
        source.loader);
    const QModelIndex idx = index(row, 0);
    emit dataChanged(idx, idx);
    emit loadStarted(id);
}

void SourcesModel::retire(Source &source)
{
    source.job->cancel();
    m_retired.emplace(source.jobKey, std::move(source.job));
}

void SourcesModel::reload(int sourceId)
{
    const int row = rowOf(sourceId);
    if (row < 0)
        return;
    m_sources[row]->quiet = false;
    startLoad(*m_sources[row]);
}

void SourcesModel::setSpec(int sourceId, SourceSpec spec)
{
    const int row = rowOf(sourceId);
    if (row < 0)
        return;
    m_sources[row]->spec = std::move(spec);
    reload(sourceId);
}

bool SourcesModel::isQuiet(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row >= 0 && m_sources[row]->quiet && m_sources[row]->state == State::Failed;
}

void SourcesModel::cancelLoad(int sourceId)
{
    const int row = rowOf(sourceId);
    if (row < 0 || !m_sources[row]->job)
        return;
    // The job reports back with "cancelled"; that result is shown like any failure.
    m_sources[row]->job->cancel();
}

void SourcesModel::removeSource(int sourceId)
{
    const int row = rowOf(sourceId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    auto source = std::move(m_sources[row]);
    m_sources.erase(m_sources.begin() + row);
    endRemoveRows();
    if (source->job)
        retire(*source);
    emit sourceRemoved(sourceId);
}

void SourcesModel::onProgress(int sourceId, int generation, rpc::LoadProgress progress)
{
    const int row = rowOf(sourceId);
    if (row < 0 || m_sources[row]->generation != generation || m_sources[row]->state != State::Loading)
        return;
    m_sources[row]->progress = progress;
    const QModelIndex idx = index(row, 0);
    emit dataChanged(idx, idx);
    emit loadProgressed(sourceId, progress.done, progress.total);
}

void SourcesModel::onFinished(int sourceId, int generation, int jobKey, Outcome outcome)
{
    // A retired job (its source reloaded or removed) only needs its thread joined.
    if (m_retired.erase(jobKey))
        return;
    const int row = rowOf(sourceId);
    if (row < 0 || m_sources[row]->generation != generation)
        return;
    Source &source = *m_sources[row];
    source.job.reset(); // its thread has finished its work: joining is immediate
    const QModelIndex idx = index(row, 0);
    // Only a first load may be quiet: what loaded once and fails later is news.
    if (outcome.services)
        source.quiet = false;
    if (!outcome.services) {
        source.state = State::Failed;
        source.error = std::make_unique<rpc::Error>(outcome.services.error());
        emit dataChanged(idx, idx);
        emit loadFailed(sourceId, *source.error);
        return;
    }
    source.schema = std::move(outcome.schema);
    source.repairs = std::move(outcome.repairs);
    source.state = State::Loaded;
    auto &services = *outcome.services;
    if (!services.empty()) {
        beginInsertRows(idx, 0, static_cast<int>(services.size()) - 1);
        source.services = std::move(services);
        endInsertRows();
    }
    emit dataChanged(idx, idx);
    emit sourceLoaded(sourceId);
}

// Runs on the job's thread: listing services can still fetch from a reflection server.
SourcesModel::Outcome SourcesModel::describe(rpc::Result<rpc::SchemaPtr> result)
{
    if (!result)
        return {nullptr, result.error(), {}};
    auto names = (*result)->serviceNames();
    if (!names)
        return {nullptr, names.error(), {}};
    std::vector<rpc::ServiceInfo> services;
    for (const auto &name : *names) {
        // The reflection service answers every server that offers it; users rarely call it.
        if (name.rfind("grpc.reflection.", 0) == 0)
            continue;
        auto service = (*result)->service(name);
        if (!service)
            return {nullptr, service.error(), {}};
        services.push_back(std::move(*service));
    }
    // Resolving every service has fetched and linked their files: the repairs are known now.
    auto repairs = (*result)->reflectionRepairs();
    return {std::move(*result), std::move(services), std::move(repairs)};
}

int SourcesModel::findSource(const SourceSpec &spec) const
{
    const QVariantMap wanted = sourceSpecToMap(spec);
    for (const auto &source : m_sources) {
        if (sourceSpecToMap(source->spec) == wanted)
            return source->id;
    }
    return -1;
}

QModelIndex SourcesModel::sourceIndex(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? QModelIndex() : index(row, 0);
}

const SourceSpec *SourcesModel::spec(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? nullptr : &m_sources[row]->spec;
}

SourcesModel::State SourcesModel::state(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? State::Failed : m_sources[row]->state;
}

rpc::SchemaPtr SourcesModel::schema(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? nullptr : m_sources[row]->schema;
}

const rpc::Error *SourcesModel::loadError(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? nullptr : m_sources[row]->error.get();
}

QString SourcesModel::note(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? QString() : QString::fromStdString(m_sources[row]->repairs.summary());
}

rpc::LoadProgress SourcesModel::progress(int sourceId) const
{
    const int row = rowOf(sourceId);
    return row < 0 ? rpc::LoadProgress{} : m_sources[row]->progress;
}

const rpc::MethodInfo *SourcesModel::method(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const quintptr id = index.internalId();
    const int serviceRow = int(id & 0xffff) - 1;
    const int methodRow = int((id >> 16) & 0xffff) - 1;
    const int sourceRow = int(id >> 32);
    if (serviceRow < 0 || methodRow < 0)
        return nullptr;
    return &m_sources[sourceRow]->services[serviceRow].methods[methodRow];
}

QModelIndex SourcesModel::findMethod(int sourceId, const QString &path) const
{
    const int row = rowOf(sourceId);
    if (row < 0)
        return {};
    QString wanted = path;
    if (wanted.startsWith(u'/'))
        wanted.remove(0, 1);
    const auto &services = m_sources[row]->services;
    for (std::size_t s = 0; s < services.size(); ++s) {
        for (std::size_t m = 0; m < services[s].methods.size(); ++m) {
            const auto &info = services[s].methods[m];
            const QString slash = QString::fromStdString(info.serviceName + '/' + info.name);
            if (wanted == slash || wanted == QString::fromStdString(info.fullName))
                return index(int(m), 0, index(int(s), 0, index(row, 0)));
        }
    }
    return {};
}

QModelIndex SourcesModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column != 0)
        return {};
    if (!parent.isValid()) {
        if (row >= static_cast<int>(m_sources.size()))
            return {};
        return createIndex(row, column, packId(row, -1, -1));
    }
    const quintptr pid = parent.internalId();
    const int sourceRow = int(pid >> 32);
    const int serviceRow = int(pid & 0xffff) - 1;
    const int methodRow = int((pid >> 16) & 0xffff) - 1;
    if (methodRow >= 0)
        return {};
    const auto &services = m_sources[sourceRow]->services;
    if (serviceRow < 0) {
        if (row >= static_cast<int>(services.size()))
            return {};
        return createIndex(row, column, packId(sourceRow, row, -1));
    }
    if (row >= static_cast<int>(services[serviceRow].methods.size()))
        return {};
    return createIndex(row, column, packId(sourceRow, serviceRow, row));
}

QModelIndex SourcesModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const quintptr id = child.internalId();
    const int sourceRow = int(id >> 32);
    const int serviceRow = int(id & 0xffff) - 1;
    const int methodRow = int((id >> 16) & 0xffff) - 1;
    if (serviceRow < 0)
        return {};
    if (methodRow < 0)
        return createIndex(sourceRow, 0, packId(sourceRow, -1, -1));
    return createIndex(serviceRow, 0, packId(sourceRow, serviceRow, -1));
}

int SourcesModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_sources.size());
    if (parent.column() != 0)
        return 0;
    const quintptr id = parent.internalId();
    const int sourceRow = int(id >> 32);
    const int serviceRow = int(id & 0xffff) - 1;
    const int methodRow = int((id >> 16) & 0xffff) - 1;
    if (methodRow >= 0)
        return 0;
    const auto &services = m_sources[sourceRow]->services;
    if (serviceRow < 0)
        return static_cast<int>(services.size());
    return static_cast<int>(services[serviceRow].methods.size());
}

int SourcesModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant SourcesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const quintptr id = index.internalId();
    const int sourceRow = int(id >> 32);
    const int serviceRow = int(id & 0xffff) - 1;
    const int methodRow = int((id >> 16) & 0xffff) - 1;
    const Source &source = *m_sources[sourceRow];
    if (role == SourceIdRole)
        return source.id;
    if (serviceRow < 0) {
        switch (role) {
        case Qt::DisplayRole:
            switch (source.state) {
            case State::Loading:
                if (source.progress.total > 0)
                    return tr("%1 — loading %2/%3")
                        .arg(source.spec.displayName())
                        .arg(source.progress.done)
                        .arg(source.progress.total);
                return tr("%1 — loading…").arg(source.spec.displayName());
            case State::Failed:
                if (source.quiet)
                    return tr("%1 — not connected").arg(source.spec.displayName());
                return tr("%1 — failed").arg(source.spec.displayName());
            case State::Loaded:
                if (!source.repairs.empty())
                    return tr("%1 — %2").arg(source.spec.displayName(),
                                             QString::fromStdString(source.repairs.summary()));
                return source.spec.displayName();
            }
            return {};
        case Qt::ToolTipRole: {
            if (source.error && source.quiet)
                return tr("Not connected when it was restored; select it or reload it to try again.\n%1")
                    .arg(QString::fromStdString(source.error->message));
            if (source.error)
                return QString::fromStdString(source.error->toString());
            QString tip = source.spec.description();
            if (!source.repairs.empty()) {
                tip += QStringLiteral("\n") +
                       tr("The server's files did not link as sent; %1:")
                           .arg(QString::fromStdString(source.repairs.summary()));
                for (const auto &d : source.repairs.details)
                    tip += QStringLiteral("\n  ") + QString::fromStdString(d);
            }
            return tip;
        }
        case NoteRole:
            return QString::fromStdString(source.repairs.summary());
        case NodeTypeRole:
            return int(NodeType::Source);
        case StateRole:
            return int(source.state);
        case QuietRole:
            return source.quiet && source.state == State::Failed;
        default:
            return {};
        }
    }
    const rpc::ServiceInfo &service = source.services[serviceRow];
    if (methodRow < 0) {
        switch (role) {
        case Qt::DisplayRole:
            return QString::fromStdString(service.fullName);
        case Qt::ToolTipRole:
            return QString::fromStdString(service.fullName + "\n" + service.file);
        case NodeTypeRole:
            return int(NodeType::Service);
        default:
            return {};
        }
    }
    const rpc::MethodInfo &method = service.methods[methodRow];
    switch (role) {
    case Qt::DisplayRole:
        return QString::fromStdString(method.name);
    case Qt::ToolTipRole:
        return QStringLiteral("%1 (%2) → %3 · %4")
            .arg(QString::fromStdString(method.fullName), QString::fromStdString(method.inputType),
                 QString::fromStdString(method.outputType),
                 QString::fromLatin1(rpc::methodKindName(method.kind)));
    case NodeTypeRole:
        return int(NodeType::Method);
    case MethodKindRole:
        return int(method.kind);
    case MethodPathRole:
        return QString::fromStdString(method.serviceName + '/' + method.name);
    default:
        return {};
    }
}

} // namespace models
