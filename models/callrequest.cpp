// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/callrequest.h"

#include "rpc/jsondom.h"
#include "rpc/jsonutil.h"
#include "rpc/web.h"


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
    // Only ASCII is lowercased: QString::toLower made the Kelvin sign a 'k' the user never
    // typed; left as it is, the header check refuses it by position.
    std::string name = key.trimmed().toStdString();
    for (char &c : name) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
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
    // Read by the engine's JSON parser, not QJsonDocument: a number a double cannot hold
    // (2147483e621474836488) made QJsonDocument refuse the array, and the stream pasted from
    // grpcurl as two messages was then sent as one (found by grpcurl_fuzz). Each element is its
    // own text, as written: a 64-bit id keeps every digit.
    const std::string utf8 = body.toStdString();
    auto document = rpc::json::parseDocument(utf8);
    if (!document || document->type != rpc::json::Value::Type::Array)
        return std::nullopt;
    std::vector<std::string> elements;
    elements.reserve(document->items.size());
    for (const rpc::json::Value &item : document->items)
        elements.push_back(utf8.substr(item.offset, item.end - item.offset));
    return elements;
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
    r.protocol = request.protocol;
    // gRPC takes a URL as the server it names, TLS as its scheme says, here rather than in the
    // engine: the wire tap and reflection need host:port too (the tap read the URL as a host).
    // gRPC-Web and Connect keep the URL, whose path goes before the method.
    if (r.protocol.effectiveProtocol() == rpc::Protocol::Grpc && rpc::isUrlTarget(r.target.toStdString())) {
        auto url = rpc::parseUrlTarget(r.target.toStdString());
        if (!url)
            return fail(QString::fromStdString(url.error().message), QStringLiteral("target"));
        if (!url->prefix.empty())
            return fail(QStringLiteral("gRPC cannot put the path prefix \"%1\" before the method; gRPC-Web and "
                                       "Connect can (Options → Protocol)")
                            .arg(QString::fromStdString(url->prefix)),
                        QStringLiteral("target"));
        ConnectionSettings byScheme = connection;
        byScheme.plaintext = !url->tls;
        r.channel = byScheme.toOptions(QString::fromStdString(url->hostPort), options.userAgent);
    }
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
    resolved.protocol.applyTo(call);
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
