// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/runner.h"

#include "models/callrequest.h"

#include "rpc/engine.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/schema.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cmath>
#include <map>

namespace models {

namespace {

const QString kMask = QStringLiteral("•••");

QString compact(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("(nothing)");
}

// Quoted for messages: strings in quotes, everything else as compact JSON.
QString shown(const QJsonValue &value)
{
    if (value.isString())
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    return compact(value);
}

// JSON equality where a number and a string holding the same number are equal: proto3 JSON
// writes 64-bit integers as strings, and an assertion may give them either way.
bool jsonEquals(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual.isDouble() && expected.isString()) {
        bool ok = false;
        const double d = expected.toString().toDouble(&ok);
        return ok && d == actual.toDouble();
    }
    if (actual.isString() && expected.isDouble()) {
        bool ok = false;
        const double d = actual.toString().toDouble(&ok);
        return ok && d == expected.toDouble();
    }
    if (actual.isArray() && expected.isArray()) {
        const QJsonArray a = actual.toArray(), e = expected.toArray();
        if (a.size() != e.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!jsonEquals(a.at(i), e.at(i)))
                return false;
        }
        return true;
    }
    if (actual.isObject() && expected.isObject()) {
        const QJsonObject a = actual.toObject(), e = expected.toObject();
        if (a.size() != e.size())
            return false;
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key()) || !jsonEquals(a.value(it.key()), it.value()))
                return false;
        }
        return true;
    }
    return actual == expected;
}

// "contains": a substring of a string, an element of an array, a subset of an object.
bool jsonContains(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual.isString())
        return actual.toString().contains(expected.isString() ? expected.toString() : compact(expected));
    if (actual.isArray()) {
        const QJsonArray a = actual.toArray();
        return std::any_of(a.begin(), a.end(), [&](const QJsonValue &element) {
            return jsonEquals(element, expected) ||
                   (element.isObject() && expected.isObject() && jsonContains(element, expected));
        });
    }
    if (actual.isObject() && expected.isObject()) {
        const QJsonObject a = actual.toObject(), e = expected.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key()))
                return false;
            const QJsonValue v = a.value(it.key());
            if (!(jsonEquals(v, it.value()) ||
                  (v.isObject() && it.value().isObject() && jsonContains(v, it.value()))))
                return false;
        }
        return true;
    }
    return false;
}

std::optional<int> statusCodeFromJson(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toInt();
    const QString text = value.toString();
    for (int code = 0; code <= 16; ++code) {
        if (text.compare(QString::fromStdString(rpc::statusCodeName(code)), Qt::CaseInsensitive) == 0 ||
            text.compare(QString::fromStdString(rpc::statusCodeCamelName(code)), Qt::CaseInsensitive) == 0)
            return code;
    }
    return std::nullopt;
}

QString messages(qsizetype n)
{
    return n == 1 ? QStringLiteral("1 message") : QStringLiteral("%1 messages").arg(n);
}

QString statusName(int code)
{
    return QString::fromStdString(rpc::statusCodeName(code));
}

AssertionOutcome checkJson(const QJsonObject &spec, const CallOutcome &outcome)
{
    const QString path = spec.value(QStringLiteral("path")).toString(QStringLiteral("$"));
    static const QStringList kOps = {QStringLiteral("equals"), QStringLiteral("contains"),
                                     QStringLiteral("matches"), QStringLiteral("exists")};
    QString op;
    for (const QString &candidate : kOps) {
        if (spec.contains(candidate)) {
            if (!op.isEmpty())
                return {QStringLiteral("json %1").arg(path), false,
                        QStringLiteral("has both \"%1\" and \"%2\"; give one").arg(op, candidate)};
            op = candidate;
        }
    }
    AssertionOutcome result{QStringLiteral("json %1 %2").arg(path, op), false, {}};
    if (op.isEmpty()) {
        result.what = QStringLiteral("json %1").arg(path);
        result.detail = QStringLiteral("needs one of equals, contains, matches or exists");
        return result;
    }
    for (auto it = spec.begin(); it != spec.end(); ++it) {
        if (it.key() != QLatin1String("path") && it.key() != QLatin1String("message") &&
            !kOps.contains(it.key())) {
            result.detail = QStringLiteral("unknown key \"%1\"").arg(it.key());
            return result;
        }
    }
    const QJsonValue expected = spec.value(op);
    QRegularExpression regex;
    if (op == QLatin1String("matches")) {
        regex.setPattern(expected.toString());
        if (!expected.isString() || !regex.isValid()) {
            result.detail = expected.isString() ? QStringLiteral("the pattern is not valid: %1 at offset %2")
                                                      .arg(regex.errorString())
                                                      .arg(regex.patternErrorOffset())
                                                : QStringLiteral("\"matches\" needs a string pattern");
            return result;
        }
    }

    // Which messages: an index (negative from the end), "all" or "any".
    const QJsonValue which = spec.value(QStringLiteral("message"));
    std::vector<qsizetype> indexes;
    const qsizetype count = outcome.responses.size();
    const bool all = which.toString() == QLatin1String("all");
    const bool any = which.toString() == QLatin1String("any");
    if (all || any) {
        for (qsizetype i = 0; i < count; ++i)
            indexes.push_back(i);
        if (indexes.empty()) {
            result.detail = QStringLiteral("no message was received");
            return result;
        }
    } else if (which.isUndefined() || which.isDouble()) {
        qsizetype index = which.isUndefined() ? 0 : which.toInt();
        if (index < 0)
            index += count;
        if (index < 0 || index >= count) {
            result.detail =
                QStringLiteral("there is no message %1 (%2 received)").arg(which.toInt()).arg(count);
            return result;
        }
        indexes.push_back(index);
    } else {
        result.detail = QStringLiteral("\"message\" must be a number, \"all\" or \"any\"");
        return result;
    }

    QString firstFailure;
    int passes = 0;
    for (qsizetype index : indexes) {
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(outcome.responses.at(index).toUtf8(), &parseError);
        const QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        const auto found = jsonPathValue(root, path);
        if (!found) {
            result.detail = found.errorMessage();
            return result;
        }
        const std::optional<QJsonValue> &value = *found;
        bool ok = false;
        QString why; // what was seen, worded for the outcome
        const QString where =
            indexes.size() > 1 || index > 0 ? QStringLiteral(" in message %1").arg(index) : QString();
        if (op == QLatin1String("exists")) {
            ok = value.has_value() == expected.toBool(true);
            why = value ? QStringLiteral("%1 is there%2: %3").arg(path, where, shown(*value))
                        : QStringLiteral("%1 is not there%2").arg(path, where);
        } else if (!value) {
            why = QStringLiteral("%1 is not there%2").arg(path, where);
        } else if (op == QLatin1String("equals")) {
            ok = jsonEquals(*value, expected);
            why = QStringLiteral("expected %1, got %2%3").arg(shown(expected), shown(*value), where);
        } else if (op == QLatin1String("contains")) {
            ok = jsonContains(*value, expected);
            why =
                QStringLiteral("%1 %2 %3%4")
                    .arg(shown(*value), ok ? QStringLiteral("contains") : QStringLiteral("does not contain"),
                         shown(expected), where);
        } else {
            ok = regex.match(compact(*value)).hasMatch();
            why = QStringLiteral("%1 %2 /%3/%4")
                      .arg(shown(*value), ok ? QStringLiteral("matches") : QStringLiteral("does not match"),
                           expected.toString(), where);
        }
        if (ok)
            ++passes;
        else if (firstFailure.isEmpty())
            firstFailure = why;
        if (ok && indexes.size() == 1)
            result.detail = why;
    }
    result.passed = any ? passes > 0 : passes == static_cast<int>(indexes.size());
    if (!result.passed)
        result.detail = any ? QStringLiteral("no message passed; %1").arg(firstFailure) : firstFailure;
    else if (indexes.size() > 1)
        result.detail = QStringLiteral("%1 of %2 messages passed").arg(passes).arg(indexes.size());
    return result;
}

} // namespace

Result<std::optional<QJsonValue>> jsonPathValue(const QJsonValue &root, const QString &path)
{
    const QString p = path.trimmed();
    qsizetype i = 0;
    if (p.startsWith(QLatin1Char('$')))
        i = 1;
    QJsonValue current = root;
    auto bad = [&](const QString &why) -> Result<std::optional<QJsonValue>> {
        return fail(QStringLiteral("the path %1 is not valid at offset %2: %3").arg(path).arg(i).arg(why));
    };
    const Result<std::optional<QJsonValue>> missing = std::optional<QJsonValue>();
    while (i < p.size()) {
        const QChar c = p.at(i);
        if (c == QLatin1Char('.') || (i == 0 && c.isLetter())) {
            if (c == QLatin1Char('.'))
                ++i;
            const qsizetype start = i;
            while (i < p.size() && p.at(i) != QLatin1Char('.') && p.at(i) != QLatin1Char('['))
                ++i;
            if (i == start)
                return bad(QStringLiteral("a field name is missing"));
            const QString key = p.mid(start, i - start);
            if (!current.isObject() || !current.toObject().contains(key))
                return missing;
            current = current.toObject().value(key);
        } else if (c == QLatin1Char('[')) {
            const qsizetype close = p.indexOf(QLatin1Char(']'), i);
            if (close < 0)
                return bad(QStringLiteral("'[' without ']'"));
            const QString inside = p.mid(i + 1, close - i - 1).trimmed();
            if (inside.size() >= 2 &&
                (inside.front() == QLatin1Char('\'') || inside.front() == QLatin1Char('"')) &&
                inside.back() == inside.front()) {
                const QString key = inside.mid(1, inside.size() - 2);
                if (!current.isObject() || !current.toObject().contains(key))
                    return missing;
                current = current.toObject().value(key);
            } else {
                bool ok = false;
                qsizetype index = inside.toLongLong(&ok);
                if (!ok)
                    return bad(QStringLiteral("\"%1\" is neither an index nor a quoted name").arg(inside));
                if (!current.isArray())
                    return missing;
                const QJsonArray array = current.toArray();
                if (index < 0)
                    index += array.size();
                if (index < 0 || index >= array.size())
                    return missing;
                current = array.at(index);
            }
            i = close + 1;
        } else {
            return bad(QStringLiteral("expected '.' or '['"));
        }
    }
    return std::optional<QJsonValue>(current);
}

std::vector<AssertionOutcome> evaluateAssertions(const QJsonObject &assertions, const CallOutcome &outcome)
{
    std::vector<AssertionOutcome> results;
    static const QStringList kKeys = {QStringLiteral("status"), QStringLiteral("message_count"),
                                      QStringLiteral("max_latency_ms"), QStringLiteral("json")};
    for (auto it = assertions.begin(); it != assertions.end(); ++it) {
        if (!kKeys.contains(it.key()))
            results.push_back({it.key(), false,
                               QStringLiteral("unknown assertion \"%1\" (known: %2)")
                                   .arg(it.key(), kKeys.join(QStringLiteral(", ")))});
    }

    const QString got =
        outcome.statusMessage.isEmpty()
            ? statusName(outcome.statusCode)
            : QStringLiteral("%1 (%2)").arg(statusName(outcome.statusCode), outcome.statusMessage);
    const QJsonValue status = assertions.value(QStringLiteral("status"));
    if (status.isUndefined()) {
        results.push_back({QStringLiteral("status"), outcome.statusCode == 0,
                           QStringLiteral("expected OK (the default), got %1").arg(got)});
    } else if (const auto code = statusCodeFromJson(status)) {
        results.push_back({QStringLiteral("status"), outcome.statusCode == *code,
                           QStringLiteral("expected %1, got %2").arg(statusName(*code), got)});
    } else {
        results.push_back({QStringLiteral("status"), false,
                           QStringLiteral("%1 is not a status code name or number").arg(shown(status))});
    }

    const QJsonValue countSpec = assertions.value(QStringLiteral("message_count"));
    if (!countSpec.isUndefined()) {
        const qsizetype n = outcome.responses.size();
        AssertionOutcome r{QStringLiteral("message_count"), false, {}};
        if (countSpec.isDouble()) {
            r.passed = n == countSpec.toInt();
            r.detail =
                QStringLiteral("expected %1, got %2").arg(messages(countSpec.toInt()), QString::number(n));
        } else if (countSpec.isObject()) {
            const QJsonObject o = countSpec.toObject();
            const int min = o.value(QStringLiteral("min")).toInt(0);
            const int max = o.value(QStringLiteral("max")).toInt(std::numeric_limits<int>::max());
            r.passed = n >= min && n <= max;
            r.detail = o.contains(QStringLiteral("max"))
                           ? QStringLiteral("expected %1 to %2 messages, got %3").arg(min).arg(max).arg(n)
                           : QStringLiteral("expected at least %1 messages, got %2").arg(min).arg(n);
        } else {
            r.detail = QStringLiteral("must be a number or {\"min\": …, \"max\": …}");
        }
        results.push_back(r);
    }

    const QJsonValue latency = assertions.value(QStringLiteral("max_latency_ms"));
    if (!latency.isUndefined()) {
        results.push_back(latency.isDouble()
                              ? AssertionOutcome{QStringLiteral("max_latency_ms"),
                                                 outcome.latencyMs <= latency.toDouble(),
                                                 QStringLiteral("took %1 ms, at most %2 ms allowed")
                                                     .arg(outcome.latencyMs, 0, 'f', 1)
                                                     .arg(latency.toDouble())}
                              : AssertionOutcome{QStringLiteral("max_latency_ms"), false,
                                                 QStringLiteral("must be a number of milliseconds")});
    }

    const QJsonValue json = assertions.value(QStringLiteral("json"));
    if (!json.isUndefined() && !json.isArray()) {
        results.push_back({QStringLiteral("json"), false, QStringLiteral("must be a list of checks")});
    } else {
        for (const QJsonValue &spec : json.toArray()) {
            if (!spec.isObject())
                results.push_back({QStringLiteral("json"), false,
                                   QStringLiteral("%1 is not an object with a path").arg(shown(spec))});
            else
                results.push_back(checkJson(spec.toObject(), outcome));
        }
    }
    return results;
}

bool RunResult::passed() const
{
    return error.isEmpty() && std::all_of(assertions.begin(), assertions.end(),
                                          [](const AssertionOutcome &a) { return a.passed; });
}

bool globMatches(const QString &glob, const QString &text)
{
    // Iterative matching with one backtrack point: linear enough for paths.
    qsizetype g = 0, t = 0, starG = -1, starT = 0;
    while (t < text.size()) {
        if (g < glob.size() && (glob.at(g) == QLatin1Char('?') || glob.at(g) == text.at(t))) {
            ++g;
            ++t;
        } else if (g < glob.size() && glob.at(g) == QLatin1Char('*')) {
            starG = g++;
            starT = t;
        } else if (starG >= 0) {
            g = starG + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob.at(g) == QLatin1Char('*'))
        ++g;
    return g == glob.size();
}

Runner::Runner(const Workspace &workspace)
    : m_workspace(workspace)
{}

Result<std::vector<const SavedRequest *>> Runner::select(const RunOptions &options) const
{
    if (!options.environment.isEmpty()) {
        const auto &envs = m_workspace.settings().environments;
        if (std::none_of(envs.begin(), envs.end(),
                         [&](const Environment &e) { return e.name == options.environment; })) {
            QStringList names;
            for (const auto &e : envs)
                names << e.name;
            return fail(QStringLiteral("no environment \"%1\" in the workspace (it has: %2)")
                            .arg(options.environment, names.isEmpty() ? QStringLiteral("none")
                                                                      : names.join(QStringLiteral(", "))));
        }
    }
    std::vector<const SavedRequest *> selected;
    for (const SavedRequest &r : m_workspace.requests()) {
        if (options.filter.isEmpty() || globMatches(options.filter, r.path))
            selected.push_back(&r);
    }
    std::sort(selected.begin(), selected.end(),
              [](const SavedRequest *a, const SavedRequest *b) { return a->path < b->path; });
    return selected;
}

namespace {

// Variables in every string of a JSON value (assertions compare with {{city}} as the body does).
template<typename Resolve> Result<QJsonValue> resolveInJson(const QJsonValue &value, const Resolve &resolve)
{
    if (value.isString()) {
        Result<QString> resolved = resolve(value.toString());
        if (!resolved)
            return resolved.error();
        return QJsonValue(*resolved);
    }
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray()) {
            auto element = resolveInJson(v, resolve);
            if (!element)
                return element;
            out.append(*element);
        }
        return QJsonValue(out);
    }
    if (value.isObject()) {
        QJsonObject out;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            auto member = resolveInJson(it.value(), resolve);
            if (!member)
                return member;
            out.insert(it.key(), *member);
        }
        return QJsonValue(out);
    }
    return value;
}

} // namespace

QString maskSecrets(QString text, QStringList secrets)
{
    std::sort(secrets.begin(), secrets.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &s : std::as_const(secrets)) {
        if (!s.isEmpty())
            text.replace(s, kMask);
    }
    return text;
}

std::vector<RunResult> Runner::run(const RunOptions &options,
                                   const std::function<void(const RunResult &)> &progress)
{
    std::vector<RunResult> results;
    const auto selected = select(options);
    if (!selected)
        return results;

    // The environment, with the caller's values laid over it.
    Environment env;
    for (const auto &e : m_workspace.settings().environments) {
        if (e.name == options.environment)
            env = e;
    }
    env.name = options.environment;
    for (auto it = options.variables.begin(); it != options.variables.end(); ++it) {
        auto v = std::find_if(env.variables.begin(), env.variables.end(),
                              [&](const Environment::Variable &x) { return x.name == it.key(); });
        if (v == env.variables.end())
            env.variables.push_back({it.key(), it.value(), false});
        else
            v->value = it.value();
    }
    QStringList secrets;
    for (const auto &v : env.variables) {
        if (v.secret && !v.value.isEmpty())
            secrets << v.value;
    }
    // A secret without a value is named, never guessed.
    const SecretLookup noSecret = [](const QString &name, const QString &where) -> Result<QString> {
        return fail(
            QStringLiteral("the secret {{%1}} in the %2 has no value here: give it with --var %1=… or "
                           "the environment variable %3")
                .arg(name, where, secretEnvironmentName(name)),
            where);
    };
    CallOptions callOptions;
    callOptions.userAgent = "wirescope-run";
    callOptions.defaultDeadlineMs = options.defaultTimeoutMs;

    const WorkspaceSettings &settings = m_workspace.settings();
    const bool haveLocal = !settings.protoFiles.isEmpty() || !settings.protosets.isEmpty();
    std::map<std::string, rpc::SchemaPtr> schemas; // by reflection channel, or "" for local files
    std::map<std::string, QString> schemaErrors;
    rpc::Engine engine;
    std::uint64_t nextId = 1;

    // A request file that cannot be read (truncated, binary, wrong types) is a test that failed,
    // in its place among the others: skipping it with a warning let a run report "all passed".
    struct Item
    {
        QString path;
        const SavedRequest *request = nullptr;
        const WorkspaceProblem *problem = nullptr;
    };
    std::vector<Item> items;
    for (const SavedRequest *saved : *selected)
        items.push_back({saved->path, saved, nullptr});
    for (const WorkspaceProblem &problem : m_workspace.problems()) {
        if (problem.file != QLatin1String(Workspace::kSettingsFile) &&
            problem.file.endsWith(QLatin1String(".json")) &&
            (options.filter.isEmpty() || globMatches(options.filter, problem.file)))
            items.push_back({problem.file, nullptr, &problem});
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const Item &a, const Item &b) { return a.path < b.path; });

    for (const Item &item : items) {
        if (item.problem) {
            RunResult result;
            result.path = item.path;
            result.error = QStringLiteral("cannot read the request file: %1").arg(item.problem->toString());
            if (progress)
                progress(result);
            results.push_back(std::move(result));
            continue;
        }
        const SavedRequest *saved = item.request;
        // The request's own protocol, else the run's flags, else the workspace's defaults.
        SavedRequest own = *saved;
        own.protocol = own.protocol.over(options.protocol);
        const SavedRequest effective = withDefaults(own, settings);
        const SavedRequest *request = &effective;
        RunResult result;
        result.path = request->path;
        result.method = request->method;
        auto finish = [&] {
            result.target = maskSecrets(result.target, secrets);
            result.statusMessage = maskSecrets(result.statusMessage, secrets);
            result.error = maskSecrets(result.error, secrets);
            for (QString &r : result.responses)
                r = maskSecrets(r, secrets);
            for (QString &d : result.statusDetails)
                d = maskSecrets(d, secrets);
            for (auto &a : result.assertions)
                a.detail = maskSecrets(a.detail, secrets);
            if (progress)
                progress(result);
            results.push_back(std::move(result));
        };
        if (request->method.trimmed().isEmpty()) {
            result.error =
                QStringLiteral("the request names no method (\"method\": \"package.Service/Method\")");
            finish();
            continue;
        }

        // Variables, secrets, headers and the connection, as everywhere a request is sent.
        const auto connection = ConnectionSettings::fromWorkspace(m_workspace, request->connection);
        if (!connection) {
            result.error = connection.errorMessage();
            finish();
            continue;
        }
        auto resolved = resolveRequest(*request, *connection, env, noSecret, callOptions);
        if (!resolved) {
            result.error = resolved.errorMessage();
            if (env.name.isEmpty() && !m_workspace.settings().environments.empty() &&
                resolved.error().message.contains(QLatin1String("no environment is chosen"))) {
                QStringList names;
                for (const auto &e : m_workspace.settings().environments)
                    names << e.name;
                result.error +=
                    QStringLiteral(" (the workspace has: %1)").arg(names.join(QStringLiteral(", ")));
            }
            finish();
            continue;
        }
        // Checked before the headers reach reflection or a call (gRPC core aborts on a bad one),
        // so a bad request fails alone and its headers never load the schema others share.
        if (const auto problem = rpc::metadataProblem(resolved->metadata); !problem.empty()) {
            result.error = QString::fromStdString(problem);
            finish();
            continue;
        }
        result.target = resolved->target;
        const rpc::ChannelOptions &channelOptions = resolved->channel;
        // A proxy that does not parse fails here, naming the connection, before any schema work.
        if (const auto proxy = rpc::proxyFor(channelOptions); !proxy) {
            result.error = request->connection.isEmpty()
                               ? QString::fromStdString(proxy.error().message)
                               : QStringLiteral("connection \"%1\": %2")
                                     .arg(request->connection, QString::fromStdString(proxy.error().message));
            finish();
            continue;
        }

        // The schema: the workspace's files, plus reflection when the target is listed for it
        // (or when there are no files at all, as grpcurl does).
        const bool reflect =
            !haveLocal || settings.reflects(request->target) || settings.reflects(resolved->target);
        const std::string schemaKey = reflect ? channelOptions.cacheKey() : std::string();
        if (!schemas.count(schemaKey) && !schemaErrors.count(schemaKey)) {
            rpc::SchemaSpec spec;
            for (const QString &p : settings.importPaths)
                spec.importPaths.push_back(m_workspace.resolve(p).value_or(QString()).toStdString());
            if (spec.importPaths.empty() && !settings.protoFiles.isEmpty())
                spec.importPaths.push_back(m_workspace.folder().toStdString());
            for (const QString &p : settings.protoFiles)
                spec.protoFiles.push_back(p.toStdString());
            for (const QString &p : settings.protosets)
                spec.protosetFiles.push_back(m_workspace.resolve(p).value_or(QString()).toStdString());
            spec.useReflection = reflect;
            spec.reflectionChannel = channelOptions;
            spec.reflectionHeaders = resolved->metadata;
            rpc::SchemaLoader loader;
            auto loaded = loader.load(spec);
            if (loaded)
                schemas[schemaKey] = *loaded;
            else
                schemaErrors[schemaKey] = QStringLiteral("cannot load the schema: %1")
                                              .arg(QString::fromStdString(loaded.error().toString()));
        }
        if (schemaErrors.count(schemaKey)) {
            result.error = schemaErrors[schemaKey];
            finish();
            continue;
        }
        const rpc::SchemaPtr schema = schemas[schemaKey];
        auto method = schema->findMethod(request->method.toStdString());
        if (!method) {
            result.error = QStringLiteral("no method \"%1\": %2")
                               .arg(request->method, QString::fromStdString(method.error().message));
            finish();
            continue;
        }
        auto built = toCallRequest(*resolved, schema, *method, BodyMode::Complete);
        if (!built) {
            result.error = built.errorMessage();
            finish();
            continue;
        }
        rpc::CallRequest call = std::move(*built);
        call.callId = nextId++;
        call.codec.pretty = false;
        engine.start(call);

        std::int64_t startNs = 0;
        bool done = false;
        while (!done) {
            for (auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(200))) {
                if (e.callId != call.callId)
                    continue;
                if (e.kind == rpc::EventKind::Started) {
                    startNs = e.timeNs;
                } else if (e.kind == rpc::EventKind::MessageReceived) {
                    result.responses << (e.error.empty()
                                             ? QString::fromStdString(e.payload)
                                             : QStringLiteral("{\"error\":%1}")
                                                   .arg(QString::fromStdString(rpc::jsonQuote(e.error))));
                } else if (e.kind == rpc::EventKind::Finished) {
                    result.latencyMs = startNs ? static_cast<double>(e.timeNs - startNs) / 1e6 : 0;
                    result.statusCode = e.status.code;
                    result.statusName = statusName(e.status.code);
                    result.statusMessage = QString::fromStdString(e.status.message);
                    for (const auto &d : e.status.details)
                        result.statusDetails << QString::fromStdString(d);
                    if (e.status.local && e.status.code == 3 && !startNs)
                        result.error =
                            QStringLiteral("cannot encode the request: %1").arg(result.statusMessage);
                    done = true;
                }
            }
        }
        if (result.error.isEmpty()) {
            CallOutcome outcome;
            outcome.statusCode = result.statusCode;
            outcome.statusMessage = result.statusMessage;
            outcome.responses = result.responses;
            outcome.latencyMs = result.latencyMs;
            const auto assertions = resolveInJson(QJsonValue(request->assertions), [&](const QString &text) {
                return resolveVariables(text, env, QStringLiteral("assertions"), noSecret);
            });
            if (!assertions)
                result.error = assertions.errorMessage();
            else
                result.assertions = evaluateAssertions(assertions->toObject(), outcome);
        }
        finish();
    }
    return results;
}

QString secretEnvironmentName(const QString &variable)
{
    QString name = QStringLiteral("WIRESCOPE_VAR_");
    for (const QChar c : variable)
        name += c.isLetterOrNumber() && c.unicode() < 128 ? c.toUpper() : QLatin1Char('_');
    return name;
}

namespace {

// XML 1.0 holds tab, newline, carriage return and characters from U+0020 on (minus U+FFFE/F).
QString xmlSafe(const QString &text)
{
    QString out = text;
    for (QChar &c : out) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != 0x09 && u != 0x0A && u != 0x0D) || u == 0xFFFE || u == 0xFFFF)
            c = QChar(0xFFFD);
    }
    return out;
}

} // namespace

QByteArray junitXml(const QString &suiteName, const std::vector<RunResult> &results, double seconds)
{
    int failures = 0, errors = 0;
    for (const auto &r : results) {
        if (!r.error.isEmpty())
            ++errors;
        else if (!r.passed())
            ++failures;
    }
    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("wirescope-cli run"));
    xml.writeAttribute(QStringLiteral("tests"), QString::number(results.size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), QString::number(seconds, 'f', 3));
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), xmlSafe(suiteName));
    xml.writeAttribute(QStringLiteral("tests"), QString::number(results.size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), QString::number(seconds, 'f', 3));
    for (const auto &r : results) {
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("name"), xmlSafe(r.path));
        xml.writeAttribute(QStringLiteral("classname"), xmlSafe(r.method));
        xml.writeAttribute(QStringLiteral("time"), QString::number(r.latencyMs / 1000.0, 'f', 3));
        if (!r.error.isEmpty()) {
            xml.writeStartElement(QStringLiteral("error"));
            xml.writeAttribute(QStringLiteral("message"), xmlSafe(r.error));
            xml.writeCharacters(xmlSafe(r.error));
            xml.writeEndElement();
        } else if (!r.passed()) {
            QStringList failed;
            for (const auto &a : r.assertions) {
                if (!a.passed)
                    failed << QStringLiteral("%1: %2").arg(a.what, a.detail);
            }
            xml.writeStartElement(QStringLiteral("failure"));
            xml.writeAttribute(QStringLiteral("message"), xmlSafe(failed.front()));
            xml.writeAttribute(QStringLiteral("type"), QStringLiteral("assertion"));
            xml.writeCharacters(xmlSafe(failed.join(QLatin1Char('\n'))));
            xml.writeEndElement();
        }
        QString out = QStringLiteral("target: %1\nstatus: %2").arg(r.target, r.statusName);
        if (!r.statusMessage.isEmpty())
            out += QStringLiteral(" (%1)").arg(r.statusMessage);
        out += QStringLiteral("\nmessages: %1").arg(r.responses.size());
        xml.writeTextElement(QStringLiteral("system-out"), xmlSafe(out));
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

} // namespace models
