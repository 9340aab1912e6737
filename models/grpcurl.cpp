// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/grpcurl.h"

#include "models/callrequest.h"
#include "models/runner.h"

#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/web.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace models {

namespace {

// Stands for a secret inside text until it is quoted; U+E000 is a private-use character no
// request holds by accident.
const QChar kSecretMark(0xE000);

bool isPlain(QChar c)
{
    return c.isLetterOrNumber() || QStringLiteral("@%+=:,./_-").contains(c);
}

// Double quotes, with $ ` " \ escaped, and every secret mark replaced by ${NAME}.
QString quoteWithSecrets(const QString &text, const QStringList &secretNames)
{
    QString out = QStringLiteral("\"");
    int next = 0;
    for (const QChar c : text) {
        if (c == kSecretMark) {
            out += QStringLiteral("${%1}").arg(secretNames.value(next++));
            continue;
        }
        if (c == QLatin1Char('$') || c == QLatin1Char('`') || c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out + QLatin1Char('"');
}

struct Resolved
{
    QString text;
    QStringList secrets; // environment variable names, in order of their marks
};

Result<Resolved> resolveForShell(const QString &text, const Environment &environment, const QString &where)
{
    // Secrets become marks (their values, even when known, never reach the text); the rest
    // resolves as at send time.
    Environment withoutSecrets = environment;
    for (auto &v : withoutSecrets.variables) {
        if (v.secret)
            v.value.clear();
    }
    QStringList order; // which secret each mark stands for, in text order
    auto resolved = resolveVariables(text, withoutSecrets, where,
                                     [&order](const QString &name, const QString &) -> Result<QString> {
                                         order << secretEnvironmentName(name);
                                         return QString(kSecretMark);
                                     });
    if (!resolved)
        return resolved.error();
    return Resolved{*resolved, order};
}

QString argument(const Resolved &r)
{
    return r.secrets.isEmpty() ? shellQuote(r.text) : quoteWithSecrets(r.text, r.secrets);
}

// A JSON object on one line, as written (key order, number spelling); other text as it is.
QString objectOnOneLine(const QString &body)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return body;
    return QString::fromStdString(rpc::prettyJson(body.toStdString(), 0)).remove(QLatin1Char('\n'));
}

} // namespace

QString shellQuote(const QString &argument)
{
    if (!argument.isEmpty() && std::all_of(argument.begin(), argument.end(), isPlain))
        return argument;
    QString out = argument;
    out.replace(QLatin1String("'"), QLatin1String("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

Result<QStringList> shellSplit(const QString &commandLine)
{
    QStringList words;
    QString word;
    bool inWord = false;
    for (qsizetype i = 0; i < commandLine.size(); ++i) {
        const QChar c = commandLine.at(i);
        if (c == QLatin1Char('\\')) {
            if (i + 1 < commandLine.size() && commandLine.at(i + 1) == QLatin1Char('\n')) {
                ++i; // a line continuation
                continue;
            }
            if (i + 1 < commandLine.size()) {
                word += commandLine.at(++i);
                inWord = true;
            }
            continue;
        }
        if (c == QLatin1Char('\'')) {
            const qsizetype close = commandLine.indexOf(QLatin1Char('\''), i + 1);
            if (close < 0) {
                return fail(QStringLiteral("the quote ' at character %1 is never closed").arg(i + 1));
            }
            word += commandLine.mid(i + 1, close - i - 1);
            inWord = true;
            i = close;
            continue;
        }
        if (c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            for (; j < commandLine.size() && commandLine.at(j) != QLatin1Char('"'); ++j) {
                if (commandLine.at(j) == QLatin1Char('\\') && j + 1 < commandLine.size() &&
                    QStringLiteral("$`\"\\\n").contains(commandLine.at(j + 1))) {
                    if (commandLine.at(++j) != QLatin1Char('\n'))
                        word += commandLine.at(j);
                    continue;
                }
                word += commandLine.at(j);
            }
            if (j >= commandLine.size()) {
                return fail(QStringLiteral("the quote \" at character %1 is never closed").arg(i + 1));
            }
            inWord = true;
            i = j;
            continue;
        }
        if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
            continue;
        }
        word += c;
        inWord = true;
    }
    if (inWord)
        words << word;
    return words;
}

Result<QString> toGrpcurl(const SavedRequest &request, const ConnectionSettings &connection,
                          const QStringList &importPaths, const QStringList &protoFiles,
                          const QStringList &protosets, const Environment &environment)
{
    if (const rpc::Protocol protocol = request.protocol.effectiveProtocol(); protocol != rpc::Protocol::Grpc)
        return fail(QStringLiteral("grpcurl speaks gRPC only, and this request goes over %1 (Copy as curl makes "
                                   "Connect unary calls)")
                        .arg(protocolLabel(protocol)),
                    QStringLiteral("protocol"));
    QStringList args;
    // grpcurl has no proxy flag: it takes the proxy from the environment, like gRPC does.
    if (connection.proxy == QLatin1String(rpc::kNoProxy))
        args << QStringLiteral("NO_PROXY='*'");
    else if (!connection.proxy.isEmpty())
        args << QStringLiteral("https_proxy=") + shellQuote(connection.proxy);
    args << QStringLiteral("grpcurl");
    if (connection.plaintext)
        args << QStringLiteral("-plaintext");
    else if (connection.skipVerify)
        args << QStringLiteral("-insecure");
    auto flag = [&](const char *name, const QString &value) {
        if (!value.isEmpty())
            args << QLatin1String(name) << shellQuote(value);
    };
    auto seconds = [](qint64 ms) { return QString::number(double(ms) / 1000.0, 'g', 12); };
    if (!connection.plaintext) {
        flag("-cacert", connection.caFile);
        flag("-cert", connection.certFile);
        flag("-key", connection.keyFile);
        flag("-servername", connection.serverName);
    }
    flag("-authority", connection.authority);
    // Each path as given, an empty one too: dropping it changed the schema the command loads.
    auto paths = [&](const char *name, const QStringList &list) {
        for (const QString &p : list)
            args << QLatin1String(name) << shellQuote(p);
    };
    paths("-import-path", importPaths);
    paths("-proto", protoFiles);
    paths("-protoset", protosets);
    if (connection.maxReceiveBytes > 0)
        flag("-max-msg-sz", QString::number(connection.maxReceiveBytes));
    if (connection.keepaliveMs > 0)
        flag("-keepalive-time", seconds(connection.keepaliveMs));
    // 0 too: no connect timeout, which is not the default.
    if (connection.connectTimeoutMs >= 0 && connection.connectTimeoutMs != ConnectionSettings::kDefaultConnectTimeoutMs)
        flag("-connect-timeout", seconds(connection.connectTimeoutMs));
    if (request.deadlineSeconds > 0) {
        auto ms = deadlineMilliseconds(request.deadlineSeconds);
        if (!ms)
            return ms.error();
        flag("-max-time", seconds(*ms));
    }
    for (const auto &[key, value] : request.metadata) {
        const QString where = QStringLiteral("metadata %1").arg(key);
        auto v = resolveForShell(value, environment, where);
        if (!v)
            return v.error();
        // The one -bin rule: what grpcurl would refuse is refused here, naming the header.
        if (v->secrets.isEmpty()) {
            if (auto entry = metadataEntry(key, v->text); !entry)
                return entry.error();
        }
        v->text = QStringLiteral("%1: %2").arg(key, v->text);
        args << QStringLiteral("-H") << argument(*v);
    }
    // The body as compact JSON; several messages (a JSON array) one after another, as -d takes them.
    QString body = request.body.trimmed();
    if (const auto messages = arrayMessages(body)) {
        // Each element as `run` sends it (a number or a string is a message too, of a wrapper
        // or Value type): reading each as an object turned them into {}.
        QStringList parts;
        for (const std::string &element : *messages)
            parts << QString::fromStdString(rpc::prettyJson(element, 0)).remove(QLatin1Char('\n'));
        body = parts.join(QLatin1Char(' '));
    } else {
        body = objectOnOneLine(body);
    }
    if (!body.isEmpty()) {
        const auto d = resolveForShell(body, environment, QStringLiteral("body"));
        if (!d)
            return d.error();
        args << QStringLiteral("-d") << argument(*d);
    }
    auto target = resolveForShell(request.target, environment, QStringLiteral("target"));
    if (!target)
        return target.error();
    // grpcurl dials a unix socket given as a path with -unix; a path that starts with '-' would
    // be read as a flag, and one that starts with "unix:" as a target again (unix:unix:x came
    // back as unix:x, found by grpcurl_fuzz), so those stay unix: targets (which gRPC, under
    // grpcurl too, dials).
    const QString socketPath = target->text.mid(5);
    if (target->text.startsWith(QLatin1String("unix:")) && !socketPath.startsWith(QLatin1Char('-')) &&
        !socketPath.startsWith(QLatin1String("unix:"))) {
        args << QStringLiteral("-unix");
        target->text.remove(0, 5);
    }
    args << argument(*target) << shellQuote(request.method);
    return args.join(QLatin1Char(' '));
}

QString curlProblem(const SavedRequest &request, rpc::MethodKind kind)
{
    const rpc::Protocol protocol = request.protocol.effectiveProtocol();
    if (protocol != rpc::Protocol::Connect)
        return QStringLiteral("Copy as curl makes Connect unary calls, and this request goes over %1%2")
            .arg(protocolLabel(protocol),
                 protocol == rpc::Protocol::Grpc ? QStringLiteral(" (Copy as grpcurl makes it)") : QString());
    if (kind != rpc::MethodKind::Unary)
        return QStringLiteral("Copy as curl makes Connect unary calls, and %1 is a %2 call, whose messages "
                              "Connect frames one by one")
            .arg(request.method, QLatin1String(rpc::methodKindName(kind)));
    return {};
}

Result<QString> toCurl(const SavedRequest &request, const ConnectionSettings &connection, rpc::MethodKind kind,
                       const Environment &environment)
{
    if (const QString why = curlProblem(request, kind); !why.isEmpty())
        return fail(why, QStringLiteral("protocol"));
    QStringList args{QStringLiteral("curl")};
    auto target = resolveForShell(request.target.trimmed(), environment, QStringLiteral("target"));
    if (!target)
        return target.error();
    // Where to: a unix socket, a URL (its scheme says TLS, its path is a prefix), or host:port.
    QString &t = target->text;
    bool tls = !connection.plaintext;
    QString hostPort = t, prefix;
    if (t.startsWith(QLatin1String("unix-abstract:"))) {
        args << QStringLiteral("--abstract-unix-socket") << shellQuote(t.mid(14));
        hostPort = QStringLiteral("localhost");
    } else if (t.startsWith(QLatin1String("unix:"))) {
        const QString path = t.startsWith(QLatin1String("unix://")) ? t.mid(7) : t.mid(5);
        args << QStringLiteral("--unix-socket") << shellQuote(path);
        hostPort = QStringLiteral("localhost");
    } else if (rpc::isUrlTarget(t.toStdString())) {
        auto url = rpc::parseUrlTarget(t.toStdString());
        if (!url)
            return fail(QString::fromStdString(url.error().message), QStringLiteral("target"));
        tls = url->tls;
        hostPort = QString::fromStdString(url->hostPort);
        prefix = QString::fromStdString(url->prefix);
    }
    const rpc::HttpVersion version = request.protocol.effectiveHttpVersion();
    if (version == rpc::HttpVersion::Http1)
        args << QStringLiteral("--http1.1");
    else if (version == rpc::HttpVersion::Http2)
        args << (tls ? QStringLiteral("--http2") : QStringLiteral("--http2-prior-knowledge"));
    if (connection.proxy == QLatin1String(rpc::kNoProxy))
        args << QStringLiteral("--noproxy") << shellQuote(QStringLiteral("*"));
    else if (!connection.proxy.isEmpty())
        args << QStringLiteral("--proxy") << shellQuote(connection.proxy);
    auto flag = [&](const char *name, const QString &value) {
        if (!value.isEmpty())
            args << QLatin1String(name) << shellQuote(value);
    };
    if (tls) {
        if (connection.skipVerify)
            args << QStringLiteral("--insecure");
        flag("--cacert", connection.caFile);
        flag("--cert", connection.certFile);
        flag("--key", connection.keyFile);
        // The name the certificate must carry (grpcurl's rule: the authority unless a server
        // name is given) goes in the URL; --connect-to still reaches the real address.
        const QString name = connection.serverName.isEmpty() ? connection.authority : connection.serverName;
        const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
        if (!name.isEmpty() && colon > 0) {
            args << QStringLiteral("--connect-to")
                 << shellQuote(name + QStringLiteral("::") + hostPort.left(colon) + hostPort.mid(colon));
            hostPort = name + hostPort.mid(colon);
        }
    } else if (!connection.authority.isEmpty()) {
        args << QStringLiteral("-H") << shellQuote(QStringLiteral("Host: ") + connection.authority);
    }
    if (connection.connectTimeoutMs > 0 && connection.connectTimeoutMs != ConnectionSettings::kDefaultConnectTimeoutMs)
        flag("--connect-timeout", QString::number(double(connection.connectTimeoutMs) / 1000.0, 'g', 12));
    args << QStringLiteral("-H") << shellQuote(QStringLiteral("Content-Type: application/json")) << QStringLiteral("-H")
         << shellQuote(QStringLiteral("Connect-Protocol-Version: 1"));
    if (request.deadlineSeconds > 0) {
        auto ms = deadlineMilliseconds(request.deadlineSeconds);
        if (!ms)
            return ms.error();
        args << QStringLiteral("-H") << shellQuote(QStringLiteral("Connect-Timeout-Ms: %1").arg(*ms));
    }
    for (const auto &[key, value] : request.metadata) {
        auto v = resolveForShell(value, environment, QStringLiteral("metadata %1").arg(key));
        if (!v)
            return v.error();
        if (v->secrets.isEmpty()) {
            auto entry = metadataEntry(key, v->text);
            if (!entry)
                return entry.error();
            // Checked as the engine checks it: a header curl would send broken is refused here.
            if (const auto problem = rpc::headerProblem(entry->first, entry->first.ends_with("-bin")
                                                                          ? std::string("x")
                                                                          : entry->second);
                !problem.empty())
                return fail(QString::fromStdString(problem), QStringLiteral("metadata %1").arg(key));
        }
        v->text = QStringLiteral("%1: %2").arg(key.trimmed(), v->text);
        args << QStringLiteral("-H") << argument(*v);
    }
    const QString body = request.body.trimmed().isEmpty() ? QStringLiteral("{}") : request.body.trimmed();
    auto data = resolveForShell(objectOnOneLine(body), environment, QStringLiteral("body"));
    if (!data)
        return data.error();
    // --data-raw: a body starting with '@' is not read as a file name.
    args << QStringLiteral("--data-raw") << argument(*data);
    QString method = request.method.trimmed();
    if (!method.contains(QLatin1Char('/')) && method.lastIndexOf(QLatin1Char('.')) > 0)
        method[method.lastIndexOf(QLatin1Char('.'))] = QLatin1Char('/');
    target->text = (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + hostPort + prefix +
                   QLatin1Char('/') + method;
    args << argument(*target);
    return args.join(QLatin1Char(' '));
}

Result<GrpcurlCommand> parseGrpcurl(const QString &commandLine)
{
    const auto words = shellSplit(commandLine.trimmed());
    if (!words)
        return words.error();
    QStringList args = *words;
    if (args.isEmpty())
        return fail(QStringLiteral("the command is empty"));
    GrpcurlCommand command;
    // Variables set for the command: the proxy ones count (grpcurl and gRPC read them); others
    // do not change the request.
    // The value may hold a newline (quoted): '.' must match it too, or the word is not seen as one.
    static const QRegularExpression assignment(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$"),
                                               QRegularExpression::DotMatchesEverythingOption);
    QString proxyVariable;
    for (auto match = assignment.match(args.front()); match.hasMatch() && args.size() > 1;
         match = assignment.match(args.front())) {
        const QString name = match.captured(1).toLower();
        const QString value = match.captured(2);
        // grpc_proxy wins over https_proxy, which wins over http_proxy.
        static const QStringList kProxyVariables = {
            QStringLiteral("grpc_proxy"), QStringLiteral("https_proxy"), QStringLiteral("http_proxy")};
        if (kProxyVariables.contains(name) &&
            (proxyVariable.isEmpty() ||
             kProxyVariables.indexOf(name) < kProxyVariables.indexOf(proxyVariable))) {
            proxyVariable = name;
            command.connection.proxy = value.isEmpty() ? QString::fromLatin1(rpc::kNoProxy) : value;
        } else if (name == QLatin1String("no_proxy") && value == QLatin1String("*")) {
            proxyVariable = QStringLiteral("no_proxy");
            command.connection.proxy = QString::fromLatin1(rpc::kNoProxy);
        }
        args.removeFirst();
    }
    if (!args.front().startsWith(QLatin1Char('-'))) {
        // curl (a Connect unary call, as Copy as curl writes it), grpcurl, wirescope-cli, or a
        // path to one of them.
        const QString program = args.takeFirst().section(QLatin1Char('/'), -1);
        if (program == QLatin1String("curl"))
            return parseCurl(args, std::move(command));
    }

    static const QStringList kBoolFlags = {QStringLiteral("plaintext"),
                                           QStringLiteral("insecure"),
                                           QStringLiteral("v"),
                                           QStringLiteral("vv"),
                                           QStringLiteral("emit-defaults"),
                                           QStringLiteral("allow-unknown-fields"),
                                           QStringLiteral("use-reflection"),
                                           QStringLiteral("format-error"),
                                           QStringLiteral("msg-template"),
                                           QStringLiteral("unix")};
    static const QStringList kValueFlags = {
        QStringLiteral("cacert"),         QStringLiteral("cert"),           QStringLiteral("key"),
        QStringLiteral("authority"),      QStringLiteral("servername"),     QStringLiteral("H"),
        QStringLiteral("rpc-header"),     QStringLiteral("reflect-header"), QStringLiteral("d"),
        QStringLiteral("format"),         QStringLiteral("import-path"),    QStringLiteral("proto"),
        QStringLiteral("protoset"),       QStringLiteral("max-time"),       QStringLiteral("connect-timeout"),
        QStringLiteral("keepalive-time"), QStringLiteral("max-msg-sz"),     QStringLiteral("user-agent"),
        QStringLiteral("proxy"),          QStringLiteral("protocol"),       QStringLiteral("http-version"),
        QStringLiteral("codec")};

    bool unixSocket = false;
    command.request.body = QStringLiteral("{}");
    command.connection.plaintext = false; // grpcurl speaks TLS unless told -plaintext
    QStringList positional;
    bool haveBody = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString a = args.at(i);
        if (!a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")) {
            positional << a;
            continue;
        }
        const QString typed = a.section(QLatin1Char('='), 0, 0); // as the user wrote it, for errors
        a.remove(0, a.startsWith(QLatin1String("--")) ? 2 : 1);
        QString name = a, value;
        bool hasValue = false;
        if (const qsizetype eq = a.indexOf(QLatin1Char('=')); eq > 0) {
            name = a.left(eq);
            value = a.mid(eq + 1);
            hasValue = true;
        }
        if (kBoolFlags.contains(name)) {
            const bool on = !hasValue || value == QLatin1String("true") || value == QLatin1String("1");
            if (name == QLatin1String("plaintext"))
                command.connection.plaintext = on;
            else if (name == QLatin1String("insecure"))
                command.connection.skipVerify = on;
            else if (name == QLatin1String("unix"))
                unixSocket = on;
            continue;
        }
        if (!kValueFlags.contains(name))
            return fail(QStringLiteral("the flag %1 is not one Wirescope knows").arg(typed));
        if (!hasValue) {
            if (i + 1 >= args.size())
                return fail(QStringLiteral("the flag %1 needs a value").arg(typed));
            value = args.at(++i);
        }
        // Times in seconds become exact milliseconds; a value that is not one is named.
        auto secondsFlag = [&]() -> Result<int> {
            bool ok = false;
            const double s = value.toDouble(&ok);
            if (!ok)
                return fail(QStringLiteral("the flag %1 needs a number of seconds, not \"%2\"").arg(typed, value));
            return millisecondsFromSeconds(s, typed);
        };
        if (name == QLatin1String("H") || name == QLatin1String("rpc-header")) {
            const qsizetype colon = value.indexOf(QLatin1Char(':'));
            if (colon <= 0 || value.left(colon).trimmed().isEmpty()) // "   : v" has no name either
                return fail(QStringLiteral("the header \"%1\" is not \"name: value\"").arg(value));
            const QString key = value.left(colon).trimmed().toLower();
            const QString headerValue = value.mid(colon + 1).trimmed();
            if (!headerValue.contains(QLatin1String("{{"))) {
                if (auto entry = metadataEntry(key, headerValue); !entry)
                    return entry.error();
            }
            command.request.metadata.emplace_back(key, headerValue);
        } else if (name == QLatin1String("d")) {
            if (value == QLatin1String("@"))
                return fail(QStringLiteral("-d @ reads the body from standard input; paste the body into the request "
                                           "instead"));
            haveBody = true;
            command.request.body = value;
        } else if (name == QLatin1String("format")) {
            if (value != QLatin1String("json"))
                return fail(QStringLiteral("-format %1: only JSON bodies can be imported").arg(value));
        } else if (name == QLatin1String("cacert")) {
            command.connection.caFile = value;
        } else if (name == QLatin1String("cert")) {
            command.connection.certFile = value;
        } else if (name == QLatin1String("key")) {
            command.connection.keyFile = value;
        } else if (name == QLatin1String("authority")) {
            command.connection.authority = value;
        } else if (name == QLatin1String("servername")) {
            command.connection.serverName = value;
        } else if (name == QLatin1String("import-path")) {
            command.importPaths << value;
        } else if (name == QLatin1String("proto")) {
            command.protoFiles << value;
        } else if (name == QLatin1String("protoset")) {
            command.protosets << value;
        } else if (name == QLatin1String("max-time")) {
            auto ms = secondsFlag();
            if (!ms)
                return ms.error();
            // Kept at the millisecond the call is sent with, as export writes it: the raw
            // 2.21474836485 came back from export as 2.215, another deadline (grpcurl_fuzz).
            command.request.deadlineSeconds = double(*ms) / 1000.0;
        } else if (name == QLatin1String("connect-timeout")) {
            auto ms = secondsFlag();
            if (!ms)
                return ms.error();
            command.connection.connectTimeoutMs = *ms;
        } else if (name == QLatin1String("keepalive-time")) {
            auto ms = secondsFlag();
            if (!ms)
                return ms.error();
            command.connection.keepaliveMs = *ms;
        } else if (name == QLatin1String("max-msg-sz")) {
            bool ok = false;
            const int bytes = value.toInt(&ok);
            if (!ok || bytes <= 0)
                return fail(QStringLiteral("the flag -max-msg-sz needs a positive number of bytes, not \"%1\"").arg(value));
            command.connection.maxReceiveBytes = bytes;
        } else if (name == QLatin1String("protocol") || name == QLatin1String("http-version") ||
                   name == QLatin1String("codec")) { // wirescope-cli's, read as a request file's keys
            const QString key = name == QLatin1String("http-version") ? QStringLiteral("http_version") : name;
            auto choice = ProtocolChoice::fromJson(QJsonObject{{key, value}});
            if (!choice)
                return fail(QStringLiteral("-%1: %2").arg(name, choice.errorMessage()));
            ProtocolChoice &p = command.request.protocol;
            p.protocol = choice->protocol ? choice->protocol : p.protocol;
            p.httpVersion = choice->httpVersion ? choice->httpVersion : p.httpVersion;
            p.codec = choice->codec ? choice->codec : p.codec;
        } else if (name == QLatin1String("proxy")) { // wirescope-cli's
            command.connection.proxy = value.isEmpty() ? QString::fromLatin1(rpc::kNoProxy) : value;
        }
    }
    if (!positional.isEmpty() &&
        (positional.contains(QLatin1String("list")) || positional.contains(QLatin1String("describe")))) {
        return fail(QStringLiteral("this is a \"%1\" command, not a call")
                        .arg(positional.contains(QLatin1String("list")) ? QStringLiteral("list")
                                                                        : QStringLiteral("describe")));
    }
    if (positional.size() != 2) {
        return fail(positional.size() < 2
                        ? QStringLiteral("the command needs an address and a method")
                        : QStringLiteral("unexpected arguments: %1").arg(positional.mid(2).join(QLatin1Char(' '))));
    }
    const QString &address = positional.at(0);
    command.request.target = unixSocket && !address.startsWith(QLatin1String("unix:"))
                                 ? QStringLiteral("unix:") + address
                                 : address;
    QString method = positional.at(1);
    if (!method.contains(QLatin1Char('/'))) {
        const qsizetype dot = method.lastIndexOf(QLatin1Char('.'));
        if (dot > 0)
            method[dot] = QLatin1Char('/');
    }
    command.request.method = method;
    if (haveBody) {
        // Several concatenated messages become a JSON array, one element each.
        auto split = rpc::splitJsonValues(command.request.body.toStdString());
        if (!split) {
            return fail(QStringLiteral("the -d body is not JSON: %1")
                            .arg(QString::fromStdString(split.error().diagnostics.front().toString())));
        }
        if (split->size() > 1) {
            QString array = QStringLiteral("[\n");
            for (std::size_t i = 0; i < split->size(); ++i)
                array += QString::fromStdString(rpc::prettyJson((*split)[i])) +
                         QLatin1String(i + 1 < split->size() ? ",\n" : "\n");
            command.request.body = array + QLatin1Char(']');
        } else if (split->size() == 1) {
            command.request.body = QString::fromStdString(rpc::prettyJson(split->front()));
        } else {
            command.request.body = QStringLiteral("{}"); // -d '' is no -d, as in grpcurl
        }
    }
    return command;
}

} // namespace models
