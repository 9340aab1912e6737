// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/workspace.h"

#include "models/connectionsettings.h"
#include "rpc/jsondom.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace models {

namespace {

// Known keys of a request file, so the rest can be kept as they were.
const QStringList kRequestKeys = {
    QStringLiteral("format_version"), QStringLiteral("method"),     QStringLiteral("target"),
    QStringLiteral("metadata"),       QStringLiteral("body"),       QStringLiteral("deadline_seconds"),
    QStringLiteral("connection"),     QStringLiteral("assertions"), QStringLiteral("protocol"),
    QStringLiteral("http_version"),   QStringLiteral("codec")};
const QStringList kSettingsKeys = {QStringLiteral("format_version"), QStringLiteral("import_paths"),
                                   QStringLiteral("proto_files"),    QStringLiteral("protosets"),
                                   QStringLiteral("reflection"),     QStringLiteral("connections"),
                                   QStringLiteral("defaults"),       QStringLiteral("environments")};

// 1-based line and column of a byte offset.
std::pair<int, int> lineColumn(const QByteArray &bytes, qsizetype offset)
{
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < std::min(offset, bytes.size()); ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

Result<QJsonObject, WorkspaceProblem> parseObject(const QByteArray &bytes, const QString &file)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        const auto [line, column] = lineColumn(bytes, error.offset);
        return WorkspaceProblem{file, line, column, error.errorString()};
    }
    if (!doc.isObject())
        return WorkspaceProblem{file, 1, 1, QStringLiteral("expected a JSON object")};
    return doc.object();
}

QJsonArray toArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &s : list)
        array.append(s);
    return array;
}

QStringList toList(const QJsonValue &value)
{
    QStringList list;
    for (const auto &v : value.toArray())
        list << v.toString();
    return list;
}

// The "reflection" list: targets, or objects with a target and a connection's name. An entry
// of another shape is reported and left out.
std::vector<ReflectionServer> reflectionServers(const QJsonValue &value,
                                                std::vector<WorkspaceProblem> &problems)
{
    std::vector<ReflectionServer> servers;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue entry = array.at(i);
        if (entry.isString()) {
            servers.push_back({entry.toString(), {}});
            continue;
        }
        const QJsonObject o = entry.toObject();
        const QJsonValue target = o.value(QStringLiteral("target"));
        const QJsonValue connection = o.value(QStringLiteral("connection"));
        if (entry.isObject() && target.isString() && !target.toString().isEmpty() &&
            (connection.isUndefined() || connection.isString())) {
            servers.push_back({target.toString(), connection.toString()});
            continue;
        }
        problems.push_back(
            {QLatin1String(Workspace::kSettingsFile), 0, 0,
             QStringLiteral("\"reflection\" entry %1 is neither a target nor {\"target\": \"host:port\", "
                            "\"connection\": \"name\"}; it is ignored")
                 .arg(i + 1)});
    }
    return servers;
}

QJsonObject unknownKeys(const QJsonObject &object, const QStringList &known)
{
    QJsonObject extra;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            extra.insert(it.key(), it.value());
    }
    return extra;
}

// Why a "deadline_seconds" value cannot be used (empty when it can, or when it is not there):
// `run` and the window send it as milliseconds the engine adds to the clock.
QString deadlineProblem(const QJsonValue &value)
{
    const double seconds = value.toDouble();
    if (seconds < 0)
        return QStringLiteral("must not be negative");
    // The one seconds-to-milliseconds rule: more than an int of milliseconds (about 24 days) is
    // refused here rather than sent as no deadline at all.
    if (const auto ms = millisecondsFromSeconds(seconds, QString()); !ms)
        return QStringLiteral("must be at most %1 seconds (24 days)")
            .arg(std::numeric_limits<int>::max() / 1000);
    return {};
}

QByteArray documentBytes(const QJsonObject &object)
{
    // QJsonObject keeps keys sorted, so the same content always gives the same bytes.
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

// A body that is a JSON object or array is stored as JSON, so that a diff shows its fields, but
// as the text it was written: through QJsonDocument, keys were sorted, numbers rewritten (2.50
// as 2.5, integers beyond 64 bits rounded to a double) and the user's layout lost. Its text goes in verbatim
// as the value of "body", each line after the first indented by the 4 spaces of a top-level member (JSON
// strings cannot hold a raw line break, so only white space between tokens moves), and comes out with those 4
// spaces taken off again.
constexpr std::string_view kBodyKey = "body";
constexpr qsizetype kMemberIndent = 4; // QJsonDocument::Indented's indentation of a member

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), std::size_t(bytes.size())};
}

bool isJsonContainer(const QByteArray &text)
{
    const auto value = rpc::json::parseDocument(view(text));
    return value &&
           (value->type == rpc::json::Value::Type::Object || value->type == rpc::json::Value::Type::Array);
}

// Where the text of the top-level "body" member stands in `document`: from just after the ": "
// that follows its name to the ',' or '}' that ends it, white space included.
std::optional<std::pair<qsizetype, qsizetype>> bodySpan(const QByteArray &document)
{
    const auto doc = rpc::json::parseDocument(view(document));
    if (!doc || doc->type != rpc::json::Value::Type::Object)
        return std::nullopt;
    const rpc::json::Value *body = nullptr;
    for (const auto &member : doc->members) {
        if (member.name == kBodyKey)
            body = &member.value; // the last one, as QJsonObject keeps it
    }
    if (!body)
        return std::nullopt;
    qsizetype begin = qsizetype(body->offset);
    while (begin > 0 && document[begin - 1] != ':')
        --begin;
    if (begin < document.size() && document[begin] == ' ')
        ++begin;
    qsizetype end = qsizetype(body->end);
    while (end < document.size() && document[end] != ',' && document[end] != '}')
        ++end;
    return std::pair{begin, end};
}

QByteArray indentBody(const QByteArray &text)
{
    const QByteArray lineBreak = QByteArray(1, '\n') + QByteArray(kMemberIndent, ' ');
    return QByteArray(text).replace('\n', lineBreak);
}

QByteArray unindentBody(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        out.append(text[i]);
        if (text[i] != '\n')
            continue;
        for (qsizetype n = 0; n < kMemberIndent && i + 1 < text.size() && text[i + 1] == ' '; ++n)
            ++i;
    }
    return out;
}

} // namespace

const Environment::Variable *Environment::find(const QString &variable) const
{
    const auto it = std::find_if(variables.begin(), variables.end(),
                                 [&](const Variable &v) { return v.name == variable; });
    return it == variables.end() ? nullptr : &*it;
}

SavedRequest withDefaults(const SavedRequest &request, const WorkspaceSettings &settings)
{
    const QJsonObject &d = settings.defaults;
    SavedRequest r = request;
    if (r.target.trimmed().isEmpty())
        r.target = d.value(QStringLiteral("target")).toString();
    if (r.connection.isEmpty())
        r.connection = d.value(QStringLiteral("connection")).toString();
    r.protocol = r.protocol.over(ProtocolChoice::fromJson(d).valueOr({})); // a bad one is reported on open
    // A default the engine cannot take is reported when the workspace opens, and not used.
    if (r.deadlineSeconds <= 0 && deadlineProblem(d.value(QStringLiteral("deadline_seconds"))).isEmpty())
        r.deadlineSeconds = d.value(QStringLiteral("deadline_seconds")).toDouble();
    std::vector<std::pair<QString, QString>> inherited;
    for (const QJsonValue &pair : d.value(QStringLiteral("metadata")).toArray()) {
        const QJsonArray kv = pair.toArray();
        const QString key = kv.at(0).toString();
        if (key.isEmpty())
            continue;
        const bool own = std::any_of(r.metadata.begin(), r.metadata.end(), [&](const auto &m) {
            return m.first.compare(key, Qt::CaseInsensitive) == 0;
        });
        if (!own)
            inherited.emplace_back(key, kv.at(1).toString());
    }
    r.metadata.insert(r.metadata.begin(), inherited.begin(), inherited.end());
    return r;
}

QString WorkspaceProblem::toString() const
{
    if (line > 0)
        return QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message);
    return QStringLiteral("%1: %2").arg(file, message);
}

QByteArray Workspace::serialize(const SavedRequest &r)
{
    QJsonObject o = r.extra;
    o.insert(QStringLiteral("format_version"), kFormatVersion);
    o.insert(QStringLiteral("method"), r.method);
    o.insert(QStringLiteral("target"), r.target);
    QJsonArray metadata;
    for (const auto &[k, v] : r.metadata)
        metadata.append(QJsonArray{k, v});
    o.insert(QStringLiteral("metadata"), metadata);
    // A body that is JSON (an object, or a stream's messages as an array) is stored as JSON,
    // exactly as written (see bodySpan); anything else as a string.
    const QByteArray body = r.body.toUtf8();
    const bool jsonBody = isJsonContainer(body);
    o.insert(QStringLiteral("body"), jsonBody ? QJsonValue(QJsonValue::Null) : QJsonValue(r.body));
    o.insert(QStringLiteral("deadline_seconds"), r.deadlineSeconds);
    o.insert(QStringLiteral("connection"), r.connection);
    o.insert(QStringLiteral("assertions"), r.assertions);
    r.protocol.writeTo(o);
    QByteArray bytes = documentBytes(o);
    if (jsonBody) {
        const auto span = bodySpan(bytes);
        if (!span) // QJsonDocument wrote what the JSON parser cannot read: never expected
            return bytes;
        // The null and the ",\n" after it give way to the body and the same separator.
        bytes.replace(span->first, span->second - span->first, indentBody(body));
    }
    return bytes;
}

bool WorkspaceSettings::reflects(const QString &target) const
{
    return std::any_of(reflection.begin(), reflection.end(),
                       [&](const ReflectionServer &server) { return server.target == target; });
}

QByteArray Workspace::serialize(const WorkspaceSettings &s)
{
    QJsonObject o = s.extra;
    o.insert(QStringLiteral("format_version"), kFormatVersion);
    o.insert(QStringLiteral("import_paths"), toArray(s.importPaths));
    o.insert(QStringLiteral("proto_files"), toArray(s.protoFiles));
    o.insert(QStringLiteral("protosets"), toArray(s.protosets));
    QJsonArray reflection;
    for (const ReflectionServer &server : s.reflection) {
        if (server.connection.isEmpty())
            reflection.append(server.target);
        else
            reflection.append(QJsonObject{{QStringLiteral("target"), server.target},
                                          {QStringLiteral("connection"), server.connection}});
    }
    o.insert(QStringLiteral("reflection"), reflection);
    o.insert(QStringLiteral("connections"), s.connections);
    o.insert(QStringLiteral("defaults"), s.defaults);
    QJsonArray environments;
    for (const Environment &env : s.environments) {
        QJsonArray variables;
        for (const auto &v : env.variables) {
            QJsonObject variable{{QStringLiteral("name"), v.name}};
            if (v.secret)
                variable.insert(QStringLiteral("secret"), true); // the value stays in the keychain
            else
                variable.insert(QStringLiteral("value"), v.value);
            variables.append(variable);
        }
        environments.append(
            QJsonObject{{QStringLiteral("name"), env.name}, {QStringLiteral("variables"), variables}});
    }
    o.insert(QStringLiteral("environments"), environments);
    return documentBytes(o);
}

// Half a UTF-16 surrogate pair ("\ud800") cannot be written back as UTF-8. The first key (a path
// such as metadata[2][1]) whose name or value holds one, or nothing.
static bool hasLoneSurrogate(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            return true;
    }
    return false;
}

static std::optional<QString> loneSurrogateAt(const QJsonValue &value, const QString &where)
{
    if (value.isString())
        return hasLoneSurrogate(value.toString()) ? std::optional(where) : std::nullopt;
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            if (auto at = loneSurrogateAt(array.at(i), QStringLiteral("%1[%2]").arg(where).arg(i)))
                return at;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = where.isEmpty() ? it.key() : where + QLatin1Char('.') + it.key();
            if (hasLoneSurrogate(it.key()))
                return key;
            if (auto at = loneSurrogateAt(it.value(), key))
                return at;
        }
    }
    return std::nullopt;
}

Result<SavedRequest, WorkspaceProblem> Workspace::parseRequest(const QByteArray &bytes, const QString &path)
{
    const auto object = parseObject(bytes, path);
    if (!object)
        return object.error();
    const QJsonObject &o = *object;
    if (o.value(QStringLiteral("format_version")).toInt(1) > kFormatVersion)
        return WorkspaceProblem{path, 0, 0,
                                QStringLiteral("written by a newer Wirescope (format %1)")
                                    .arg(o.value(QStringLiteral("format_version")).toInt())};
    // Known keys of the wrong type are refused by name rather than read as empty.
    static const std::pair<const char *, QJsonValue::Type> kTypes[] = {
        {"method", QJsonValue::String},         {"target", QJsonValue::String},
        {"metadata", QJsonValue::Array},        {"deadline_seconds", QJsonValue::Double},
        {"connection", QJsonValue::String},     {"assertions", QJsonValue::Object},
        {"format_version", QJsonValue::Double},
    };
    for (const auto &[key, type] : kTypes) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isNull() && v.type() != type) {
            static const QHash<int, QString> kNames{{QJsonValue::String, QStringLiteral("a string")},
                                                    {QJsonValue::Array, QStringLiteral("an array")},
                                                    {QJsonValue::Double, QStringLiteral("a number")},
                                                    {QJsonValue::Object, QStringLiteral("an object")},
                                                    {QJsonValue::Bool, QStringLiteral("true or false")}};
            return WorkspaceProblem{path, 0, 0,
                                    QStringLiteral("\"%1\" must be %2, not %3")
                                        .arg(QLatin1String(key), kNames.value(type), kNames.value(v.type()))};
        }
    }
    if (const auto at = loneSurrogateAt(o, QString()))
        return WorkspaceProblem{
            path, 0, 0,
            QStringLiteral("\"%1\" holds half of a UTF-16 surrogate pair (\\ud800-\\udfff "
                           "alone), which is not text")
                .arg(*at)};
    for (const auto &entry : o.value(QStringLiteral("metadata")).toArray()) {
        const QJsonArray pair = entry.toArray();
        if (!entry.isArray() || pair.size() != 2 || !pair.at(0).isString() || !pair.at(1).isString())
            return WorkspaceProblem{path, 0, 0,
                                    QStringLiteral("each \"metadata\" entry must be [\"name\", \"value\"]")};
    }
    if (const QString why = deadlineProblem(o.value(QStringLiteral("deadline_seconds"))); !why.isEmpty())
        return WorkspaceProblem{path, 0, 0, QStringLiteral("\"deadline_seconds\" %1").arg(why)};
    const auto protocol = ProtocolChoice::fromJson(o);
    if (!protocol)
        return WorkspaceProblem{path, 0, 0, protocol.errorMessage()};
    SavedRequest r;
    r.path = path;
    r.protocol = *protocol;
    r.method = o.value(QStringLiteral("method")).toString();
    r.target = o.value(QStringLiteral("target")).toString();
    for (const auto &entry : o.value(QStringLiteral("metadata")).toArray()) {
        const QJsonArray pair = entry.toArray();
        r.metadata.emplace_back(pair.at(0).toString(), pair.at(1).toString());
    }
    const QJsonValue body = o.value(QStringLiteral("body"));
    if (body.isObject() || body.isArray()) {
        // The body's own text, not QJsonDocument's reading of it.
        const auto span = bodySpan(bytes);
        r.body = span ? QString::fromUtf8(unindentBody(bytes.mid(span->first, span->second - span->first)))
                 : body.isObject()
                     ? QString::fromUtf8(QJsonDocument(body.toObject()).toJson(QJsonDocument::Indented))
                     : QString::fromUtf8(QJsonDocument(body.toArray()).toJson(QJsonDocument::Indented));
    } else {
        r.body = body.toString();
    }
    r.deadlineSeconds = o.value(QStringLiteral("deadline_seconds")).toDouble();
    r.connection = o.value(QStringLiteral("connection")).toString();
    r.assertions = o.value(QStringLiteral("assertions")).toObject();
    r.extra = unknownKeys(o, kRequestKeys);
    return r;
}

std::optional<QString> Workspace::resolve(const QString &relative) const
{
    if (relative.isEmpty() || QDir::isAbsolutePath(relative))
        return std::nullopt;
    const QString root = QDir(m_folder).canonicalPath();
    const QString joined = QDir::cleanPath(root + QLatin1Char('/') + relative);
    if (!joined.startsWith(root + QLatin1Char('/')))
        return std::nullopt;
    // A symbolic link inside may still point out: check where the nearest existing part leads.
    QFileInfo existing(joined);
    while (!existing.exists() && existing.absoluteFilePath() != root)
        existing = QFileInfo(existing.absolutePath());
    const QString real = existing.canonicalFilePath();
    if (real != root && !real.startsWith(root + QLatin1Char('/')))
        return std::nullopt;
    return joined;
}

Workspace Workspace::open(const QString &folder)
{
    Workspace ws;
    ws.m_folder = QDir(folder).absolutePath();
    QDir().mkpath(ws.m_folder);
    const QString settingsPath = ws.m_folder + QLatin1Char('/') + QLatin1String(kSettingsFile);
    QFile settingsFile(settingsPath);
    if (!settingsFile.exists()) {
        if (const Status written = writeFileAtomically(settingsPath, serialize(ws.m_settings)); !written)
            ws.m_problems.push_back({QLatin1String(kSettingsFile), 0, 0, written.errorMessage()});
    } else if (settingsFile.open(QIODevice::ReadOnly)) {
        const QByteArray bytes = settingsFile.readAll();
        if (const auto o = parseObject(bytes, QLatin1String(kSettingsFile))) {
            WorkspaceSettings &s = ws.m_settings;
            s.importPaths = toList(o->value(QStringLiteral("import_paths")));
            s.protoFiles = toList(o->value(QStringLiteral("proto_files")));
            s.protosets = toList(o->value(QStringLiteral("protosets")));
            s.reflection = reflectionServers(o->value(QStringLiteral("reflection")), ws.m_problems);
            s.connections = o->value(QStringLiteral("connections")).toObject();
            s.defaults = o->value(QStringLiteral("defaults")).toObject();
            if (const QString why = deadlineProblem(s.defaults.value(QStringLiteral("deadline_seconds")));
                !why.isEmpty())
                ws.m_problems.push_back(
                    {QLatin1String(kSettingsFile), 0, 0,
                     QStringLiteral("\"defaults\": \"deadline_seconds\" %1; it is ignored").arg(why)});
            if (const auto protocol = ProtocolChoice::fromJson(s.defaults); !protocol)
                ws.m_problems.push_back(
                    {QLatin1String(kSettingsFile), 0, 0,
                     QStringLiteral("\"defaults\": %1; it is ignored").arg(protocol.errorMessage())});
            for (const auto &e : o->value(QStringLiteral("environments")).toArray()) {
                Environment env;
                env.name = e.toObject().value(QStringLiteral("name")).toString();
                for (const auto &v : e.toObject().value(QStringLiteral("variables")).toArray()) {
                    const QJsonObject variable = v.toObject();
                    const bool secret = variable.value(QStringLiteral("secret")).toBool();
                    env.variables.push_back(
                        {variable.value(QStringLiteral("name")).toString(),
                         secret ? QString() : variable.value(QStringLiteral("value")).toString(), secret});
                }
                s.environments.push_back(std::move(env));
            }
            s.extra = unknownKeys(*o, kSettingsKeys);
            // Schema paths are the workspace's own: one pointing out is not followed.
            for (QStringList *list : {&s.importPaths, &s.protoFiles, &s.protosets}) {
                for (const QString &p : std::as_const(*list)) {
                    if (!ws.resolve(p))
                        ws.m_problems.push_back(
                            {QLatin1String(kSettingsFile), 0, 0,
                             QStringLiteral("the path \"%1\" leaves the workspace folder; "
                                            "it is ignored")
                                 .arg(p)});
                }
                list->erase(std::remove_if(list->begin(), list->end(),
                                           [&ws](const QString &p) { return !ws.resolve(p); }),
                            list->end());
            }
        } else {
            ws.m_problems.push_back(o.error());
        }
    }
    // Temporary files of a save that was killed halfway are ours to clear: the target of each
    // still holds its old content.
    QDirIterator leftovers(ws.m_folder, {QStringLiteral("*.json.tmp-??????")}, QDir::Files,
                           QDirIterator::Subdirectories);
    while (leftovers.hasNext())
        QFile::remove(leftovers.next());
    // Every other .json file below the folder is a request; hidden folders (.git) are skipped.
    QDirIterator it(ws.m_folder, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
    std::vector<QString> files;
    while (it.hasNext()) {
        const QString file = it.next();
        const QString relative = QDir(ws.m_folder).relativeFilePath(file);
        if (relative == QLatin1String(kSettingsFile) || relative.startsWith(QLatin1Char('.')) ||
            relative.contains(QStringLiteral("/.")))
            continue;
        files.push_back(relative);
    }
    std::sort(files.begin(), files.end());
    for (const QString &relative : files) {
        if (!ws.resolve(relative)) {
            ws.m_problems.push_back(
                {relative, 0, 0, QStringLiteral("links outside the workspace folder; skipped")});
            continue;
        }
        QFile file(ws.m_folder + QLatin1Char('/') + relative);
        if (!file.open(QIODevice::ReadOnly)) {
            ws.m_problems.push_back({relative, 0, 0, file.errorString()});
            continue;
        }
        if (auto r = parseRequest(file.readAll(), relative))
            ws.m_requests.push_back(std::move(*r));
        else
            ws.m_problems.push_back(r.error());
    }
    return ws;
}

} // namespace models
