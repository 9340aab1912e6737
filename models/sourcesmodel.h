// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"
#include "rpc/result.h"
#include "rpc/schema.h"

#include <QAbstractItemModel>
#include <QString>

#include <map>
#include <memory>
#include <vector>

namespace models {

// One schema source in the workspace tree.
struct SourceSpec
{
    enum class Kind { ProtoFiles, Protoset, Reflection };
    Kind kind = Kind::ProtoFiles;
    rpc::SchemaSpec schema;
    // A folder opened whole (its .proto files are `schema.protoFiles`): the source is named
    // after it. Empty for files picked one by one.
    QString folder;
    // How a reflection source reaches its server (TLS, files, names, limits), as the user set
    // it; schema.reflectionChannel is made from it by setReflection().
    ConnectionSettings connection;

    QString displayName() const;
    QString description() const; // import roots and files, for a tooltip
    // Makes this a reflection source for `target` reached with `settings` (the one conversion,
    // ConnectionSettings::toOptions).
    void setReflection(const QString &target, const ConnectionSettings &settings);
};

// The workspace tree: schema sources at the top, their services under them and the methods
// under those. Each source loads on its own thread (rpc::SchemaLoadJob) and reports progress;
// its rows appear when it has loaded. A source that failed keeps its diagnostics.
class SourcesModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum class NodeType { Source, Service, Method };
    enum class State { Loading, Loaded, Failed };
    enum Role {
        NodeTypeRole = Qt::UserRole + 1, // NodeType as int
        MethodKindRole,                  // rpc::MethodKind as int (methods)
        MethodPathRole,                  // "pkg.Svc/Method" (methods)
        StateRole,                       // State as int (sources)
        SourceIdRole,                    // the source's id (every node)
        NoteRole,                        // a loaded source's note, e.g. what reflection repaired
        QuietRole,                       // bool: a quiet source whose load failed (sources)
    };

    explicit SourcesModel(QObject *parent = nullptr);
    ~SourcesModel() override;

    // Adds a source and starts loading it. Returns its id. A source added `quiet` (restored
    // from an earlier session, not asked for now) that fails to load is held back: it is
    // shown as not connected, isQuiet() is true and the window lists no problem until the
    // user reloads it.
    int addSource(SourceSpec spec, bool quiet = false);
    // Reloading is asked for by the user: the source is no longer quiet.
    void reload(int sourceId);
    // Replaces what the source loads (edited files, roots, target, TLS) and reloads it.
    void setSpec(int sourceId, SourceSpec spec);
    bool isQuiet(int sourceId) const;
    void cancelLoad(int sourceId);
    void removeSource(int sourceId);

    int sourceCount() const { return static_cast<int>(m_sources.size()); }
    // The source that loads what `spec` names (as remembered: files, roots, target, TLS), or -1.
    int findSource(const SourceSpec &spec) const;
    QModelIndex sourceIndex(int sourceId) const;
    const SourceSpec *spec(int sourceId) const;
    State state(int sourceId) const;
    rpc::SchemaPtr schema(int sourceId) const;
    const rpc::Error *loadError(int sourceId) const;
    rpc::LoadProgress progress(int sourceId) const;
    // What a reflection source's server sent that had to be repaired to link ("repaired: 2
    // missing imports, 3 map entries"), or "" (also for other sources).
    QString note(int sourceId) const;
    // The method behind a method node.
    const rpc::MethodInfo *method(const QModelIndex &index) const;
    // Finds a method node by "pkg.Svc/Method" or "pkg.Svc.Method" in a source.
    QModelIndex findMethod(int sourceId, const QString &path) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

signals:
    void loadStarted(int sourceId);
    void loadProgressed(int sourceId, int done, int total);
    void sourceLoaded(int sourceId);
    void loadFailed(int sourceId, const rpc::Error &error);
    // The source is gone (its rows already removed).
    void sourceRemoved(int sourceId);

private:
    struct Source
    {
        int id = 0;
        SourceSpec spec;
        State state = State::Loading;
        bool quiet = false;
        int generation = 0; // results of older loads are dropped
        rpc::LoadProgress progress;
        rpc::SchemaPtr schema;
        std::vector<rpc::ServiceInfo> services;
        rpc::ReflectionRepairs repairs;
        std::unique_ptr<rpc::Error> error;
        std::unique_ptr<rpc::SchemaLoadJob> job;
        int jobKey = 0;
        std::shared_ptr<rpc::SchemaLoader> loader = std::make_shared<rpc::SchemaLoader>();
    };

    // Internal ids: bits 0-15 service row + 1 (0: source node), bits 16-31 method row + 1
    // (0: not a method), bits 32+ the source's row.
    static quintptr packId(int sourceRow, int serviceRow, int methodRow);

    int rowOf(int sourceId) const;
    void startLoad(Source &source);
    void retire(Source &source);
    void onProgress(int sourceId, int generation, rpc::LoadProgress progress);
    struct Outcome
    {
        rpc::SchemaPtr schema;
        rpc::Result<std::vector<rpc::ServiceInfo>> services;
        rpc::ReflectionRepairs repairs; // as they stood once every service was resolved
    };
    static Outcome describe(rpc::Result<rpc::SchemaPtr> result);
    void onFinished(int sourceId, int generation, int jobKey, Outcome outcome);

    std::vector<std::unique_ptr<Source>> m_sources;
    // Jobs whose source moved on (reloaded, removed, cancelled) wait here until their thread
    // reports back, so the UI thread never waits for a load to notice its cancellation.
    std::map<int, std::unique_ptr<rpc::SchemaLoadJob>> m_retired;
    int m_nextId = 1;
    int m_nextJobKey = 1;
};

} // namespace models
