// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/callrequest.h"

#include "rpc/jsonutil.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <string_view>

namespace models {

namespace {

struct Token
{
    qsizetype open = 0;  // the first '{'
    qsizetype end = 0;   // one past the last '}'
    QString name;
};

// Every {{name}} in `text`, in order. An opening "{{" without a closing "}}" is text.
std::vector<Token> tokens(const QString &text)
{
    std::vector<Token> found;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0)
            break;
        found.push_back({open, close + 2, text.mid(open + 2, close - open - 2).trimmed()});
        pos = close + 2;
    }
    return found;
}

// The top-level elements of a valid JSON array, each as its own text (numbers keep every digit:
// a 64-bit id is not rounded through a double).
std::vector<std::string> arrayElements(const QByteArray &json)
{
    std::vector<std::string> elements;
    int depth = 0;
    bool inString = false;
    qsizetype start = -1;
    auto flush = [&](qsizetype end) {
        QByteArray element = json.mid(start, end - start).trimmed();
        if (!element.isEmpty())
            elements.push_back(element.toStdString());
    };
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth == 1 && c == '[')
                start = i + 1;
        } else if (c == ']' || c == '}') {
            if (--depth == 0)
                flush(i);
        } else if (c == ',' && depth == 1) {
            flush(i);
            start = i + 1;
        }
    }
    return elements;
}

} // namespace

QStringList variableTokens(const QString &text)
{
    QStringList names;
    for (const Token &t : tokens(text))
        names << t.name;
    return names;
}

Result<QString> resolveVariables(const QString &text, const Environment &environment, const QString &where,
                                 const SecretLookup &secrets)
{
    const std::vector<Token> found = tokens(text);
    if (found.empty())
        return text;
    QString out;
    qsizetype pos = 0;
    for (const Token &t : found) {
        const Environment::Variable *variable = environment.find(t.name);
        if (!variable) {
            return fail(environment.name.isEmpty()
                            ? QStringLiteral("{{%1}} in the %2: no environment is chosen").arg(t.name, where)
                            : QStringLiteral("{{%1}} in the %2 is not a variable of environment \"%3\"")
                                  .arg(t.name, where, environment.name),
                        where);
        }
        QString value = variable->value;
        if (variable->secret && value.isEmpty()) {
            if (!secrets)
                return fail(QStringLiteral("the secret {{%1}} in the %2 has no value").arg(t.name, where), where);
            Result<QString> secret = secrets(t.name, where);
            if (!secret)
                return secret.error();
            value = *secret;
        }
        out += QStringView(text).mid(pos, t.open - pos);
        out += value;
        pos = t.end;
    }
    out += QStringView(text).mid(pos);
    return out;
}

Result<std::pair<std::string, std::string>> metadataEntry(const QString &key, const QString &value)
{
    std::string name = key.trimmed().toLower().toStdString();
    std::string bytes = value.toStdString();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "-bin") == 0) {
        std::string decoded;
        if (!rpc::base64Decode(value.trimmed().toStdString(), &decoded))
            return fail(QStringLiteral("header \"%1\": the value of a -bin header must be base64")
                            .arg(QString::fromStdString(name)),
                        QStringLiteral("metadata %1").arg(key));
        bytes = std::move(decoded);
    }
    return std::pair{std::move(name), std::move(bytes)};
}

Result<std::int64_t> deadlineMilliseconds(double seconds)
{
    if (seconds == 0)
        return std::int64_t{0};
    auto ms = millisecondsFromSeconds(seconds, QStringLiteral("the deadline"));
    if (!ms)
        return ms.error();
    return std::int64_t{*ms};
}

std::optional<std::vector<std::string>> arrayMessages(const QString &body)
{
    const QByteArray utf8 = body.toUtf8();
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray())
        return std::nullopt;
    return arrayElements(utf8);
}

Result<ResolvedRequest> resolveRequest(const SavedRequest &request, const ConnectionSettings &connection,
                                       const Environment &environment, const SecretLookup &secrets,
                                       const CallOptions &options)
{
    ResolvedRequest r;
    auto target = resolveVariables(request.target.trimmed(), environment, QStringLiteral("target"), secrets);
    if (!target)
        return target.error();
    r.target = target->trimmed();
    if (r.target.isEmpty())
        return fail(QStringLiteral("the request has no target (host:port)"), QStringLiteral("target"));
    r.channel = connection.toOptions(r.target, options.userAgent);
    for (const auto &[key, value] : request.metadata) {
        const QString where = QStringLiteral("metadata %1").arg(key);
        auto resolved = resolveVariables(value, environment, where, secrets);
        if (!resolved)
            return resolved.error();
        auto entry = metadataEntry(key, *resolved);
        if (!entry)
            return entry.error();
        r.metadata.push_back(std::move(*entry));
    }
    if (request.deadlineSeconds > 0) {
        auto deadline = deadlineMilliseconds(request.deadlineSeconds);
        if (!deadline)
            return deadline.error();
        r.deadlineMs = *deadline;
    } else {
        r.deadlineMs = options.defaultDeadlineMs;
    }
    r.body = options.utf8Body ? *options.utf8Body : request.body.toUtf8();
    // A plain search: QByteArray::contains() with a two-byte needle went byte by byte, 130 ms
    // for a 20 MiB body as the call started (wirescope-uibench).
    if (std::string_view(r.body.constData(), std::size_t(r.body.size())).find("{{") != std::string_view::npos) {
        auto body = resolveVariables(QString::fromUtf8(r.body), environment, QStringLiteral("body"), secrets);
        if (!body)
            return body.error();
        r.body = body->toUtf8();
    }
    return r;
}

Result<rpc::CallRequest> toCallRequest(const ResolvedRequest &resolved, rpc::SchemaPtr schema,
                                       const rpc::MethodInfo &method, BodyMode mode)
{
    rpc::CallRequest call;
    call.schema = std::move(schema);
    call.method = method.serviceName + '/' + method.name;
    call.channel = resolved.channel;
    call.metadata = resolved.metadata;
    call.deadlineMs = resolved.deadlineMs;
    // A saved stream: a JSON array on a client or bidi stream, one message per element.
    if (method.clientStreams() && resolved.body.trimmed().startsWith('[')) {
        if (auto messages = arrayMessages(QString::fromUtf8(resolved.body))) {
            call.messages = std::move(*messages);
            call.closeAfterMessages = true;
            return call;
        }
    }
    if (mode == BodyMode::Interactive) {
        call.messages.push_back(resolved.body.toStdString());
        call.closeAfterMessages = !method.clientStreams();
        return call;
    }
    auto split = rpc::splitJsonValues(std::string_view(resolved.body.constData(), std::size_t(resolved.body.size())));
    if (!split)
        return fail(QStringLiteral("the body is not JSON: %1")
                        .arg(QString::fromStdString(split.error().diagnostics.empty()
                                                        ? split.error().message
                                                        : split.error().diagnostics.front().toString())),
                    QStringLiteral("body"));
    call.messages = std::move(split.value());
    call.closeAfterMessages = true;
    return call;
}

Result<rpc::CallRequest> buildCallRequest(const SavedRequest &request, const ConnectionSettings &connection,
                                          const Environment &environment, const SecretLookup &secrets,
                                          rpc::SchemaPtr schema, const rpc::MethodInfo &method, BodyMode mode,
                                          const CallOptions &options)
{
    auto resolved = resolveRequest(request, connection, environment, secrets, options);
    if (!resolved)
        return resolved.error();
    return toCallRequest(*resolved, std::move(schema), method, mode);
}

} // namespace models
