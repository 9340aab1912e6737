// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/protocolchoice.h"
#include "models/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

namespace models {

// A problem with one file of a workspace: where (file relative to the workspace, 1-based line
// and column when known) and what.
struct WorkspaceProblem
{
    QString file;
    int line = 0;
    int column = 0;
    QString message;

    QString toString() const; // "requests/a.json:3:14: message"
};

// One saved request, a pretty-printed JSON file in the workspace folder. Fields this version
// does not know are kept in `extra` and written back unchanged.
struct SavedRequest
{
    QString path; // relative to the workspace folder, '/'-separated, ending in ".json"
    QString method;
    QString target;
    std::vector<std::pair<QString, QString>> metadata; // "-bin" values base64, as typed
    QString body;                                      // the request as JSON text
    double deadlineSeconds = 0;
    QString connection; // a named connection setting of the workspace, or empty
    // "protocol", "http_version", "codec"; what the file leaves out comes from the workspace's
    // defaults (then `run -protocol`), and in the end gRPC: files written before these keys
    // existed read as gRPC and are written back without them.
    ProtocolChoice protocol;
    QJsonObject assertions;
    QJsonObject extra;

    bool operator==(const SavedRequest &other) const = default;
};

// A named set of variables ({{host}}, {{token}}) used in targets, metadata and bodies. A secret
// variable's value lives in the OS keychain, never in a workspace file: here it is only named.
struct Environment
{
    struct Variable
    {
        QString name;
        QString value; // empty for a secret in a file; filled from the keychain at run time
        bool secret = false;
        bool operator==(const Variable &other) const = default;
    };
    QString name;
    std::vector<Variable> variables;

    const Variable *find(const QString &variable) const;
    bool operator==(const Environment &other) const = default;
};

// resolveVariables() (models/callrequest.h) fills {{name}} from an environment.

// A server the workspace loads a schema from by reflection: its target (host:port or a URL,
// {{variables}} allowed) and the name of one of the workspace's "connections" for TLS and the
// rest. In wirescope.json a plain string when it names no connection, else
// {"target": ..., "connection": ...}.
struct ReflectionServer
{
    QString target;
    QString connection;

    bool operator==(const ReflectionServer &other) const = default;
};

// The workspace file (wirescope.json) at the folder's root: schema sources with paths relative
// to it, reflection targets, named connection settings and defaults. Unknown fields are kept.
struct WorkspaceSettings
{
    int formatVersion = 1;
    QStringList importPaths;
    QStringList protoFiles;
    QStringList protosets;
    std::vector<ReflectionServer> reflection;
    QJsonObject connections; // name -> settings object
    QJsonObject defaults;
    std::vector<Environment> environments; // secret values are never written
    QJsonObject extra;

    bool operator==(const WorkspaceSettings &other) const = default;
    // Whether `target` is one of the reflection servers' targets, as written.
    bool reflects(const QString &target) const;
};

// The request as sent: the workspace's "defaults" fill what the request leaves empty ("target",
// "connection", "deadline_seconds", the protocol choice as ProtocolChoice::over says) and add
// their "metadata" ([[key, value], ...]) under keys the request does not set itself. The file
// keeps only what the request says.
SavedRequest withDefaults(const SavedRequest &request, const WorkspaceSettings &settings);

// A folder a team keeps in git: wirescope.json and one JSON file per request, sub-folders as
// collections. Files are written atomically (temporary file, fsync, rename) in a stable key
// order with a trailing newline, so saving something unchanged changes no byte. Nothing here
// reaches outside the folder: every path is checked. Disk access happens on the calling thread:
// the GUI calls these from a worker.
class Workspace
{
public:
    static constexpr int kFormatVersion = 1;
    static constexpr const char *kSettingsFile = "wirescope.json";

    // Opens `folder`, creating wirescope.json if it is missing. A corrupt or hostile file is
    // reported in problems() and skipped; the rest still loads.
    static Workspace open(const QString &folder);

    QString folder() const { return m_folder; }
    const WorkspaceSettings &settings() const { return m_settings; }
    const std::vector<SavedRequest> &requests() const { return m_requests; }
    const std::vector<WorkspaceProblem> &problems() const { return m_problems; }
    const SavedRequest *request(const QString &path) const;

    // Saves (creates or replaces) a request at request.path.
    Status save(const SavedRequest &request);
    Status saveSettings(const WorkspaceSettings &settings);
    Status remove(const QString &path);
    // Moves or renames a request; the target must not exist.
    Status move(const QString &from, const QString &to);
    Status duplicate(const QString &from, const QString &to);
    Status createFolder(const QString &path);
    Status removeFolder(const QString &path); // only when no request is left in it
    // Renames or moves a folder with everything in it (one rename on disk); `to` must not exist
    // and may not lie inside `from`.
    Status moveFolder(const QString &from, const QString &to);
    // Copies the requests of a folder (and its sub-folders) to a new folder `to`.
    Status duplicateFolder(const QString &from, const QString &to);

    // The absolute path for a workspace-relative one, or nothing when it would leave the folder
    // (absolute paths, "..", symbolic links pointing out).
    std::optional<QString> resolve(const QString &relative) const;

    static QByteArray serialize(const SavedRequest &request);
    static QByteArray serialize(const WorkspaceSettings &settings);
    // Parses a request file's bytes; the problem says what and where when it fails.
    static Result<SavedRequest, WorkspaceProblem> parseRequest(const QByteArray &bytes, const QString &path);

private:
    // A folder move or copy checked: the absolute paths, or why it cannot be done.
    struct FolderPair
    {
        QString source;
        QString target;
    };
    Result<FolderPair> checkFolderPair(const QString &from, const QString &to) const;

    QString m_folder;
    WorkspaceSettings m_settings;
    std::vector<SavedRequest> m_requests;
    std::vector<WorkspaceProblem> m_problems;
};

// Writes `bytes` to `path` so that a crash at any moment leaves either the old file or the new
// one: a temporary file in the same folder, fsync, rename over the target, fsync the folder.
Status writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace models
