// SPDX-License-Identifier: GPL-3.0-or-later
// Runner: selecting a workspace's saved requests, running them through the engine, masking secrets,
// and the JUnit report. The assertions they are checked with are in runner_assertions.cpp.
#include "models/runner.h"

#include "runner_p.h"

#include "models/callrequest.h"

#include "rpc/engine.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/schema.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cmath>
#include <map>

namespace models {

namespace {

const QString kMask = QStringLiteral("•••");

} // namespace

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

Result<QJsonObject> resolveAssertions(const QJsonObject &assertions, const Environment &environment,
                                      const SecretLookup &secrets)
{
    auto resolved = resolveInJson(QJsonValue(assertions), [&](const QString &text) {
        return resolveVariables(text, environment, QStringLiteral("assertions"), secrets);
    });
    if (!resolved)
        return resolved.error();
    return resolved->toObject();
}

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
            const auto assertions = resolveAssertions(request->assertions, env, noSecret);
            if (!assertions)
                result.error = assertions.errorMessage();
            else
                result.assertions = evaluateAssertions(*assertions, outcome);
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
