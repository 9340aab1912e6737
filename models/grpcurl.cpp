// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/grpcurl.h"

#include "rpc/jsonutil.h"
#include "rpc/proxy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>

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

std::optional<Resolved> resolveForShell(const QString &text, const Environment &environment,
                                        const QString &where, QString *error)
{
    // Secrets become marks; the rest resolves as at send time.
    Environment marked = environment;
    QStringList order;
    for (auto &v : marked.variables) {
        if (v.secret)
            v.value = kSecretMark;
    }
    // Record which secret each mark stands for, in text order.
    qsizetype pos = 0;
    while ((pos = text.indexOf(QLatin1String("{{"), pos)) >= 0) {
        const qsizetype close = text.indexOf(QLatin1String("}}"), pos + 2);
        if (close < 0)
            break;
        const QString name = text.mid(pos + 2, close - pos - 2).trimmed();
        if (const auto *v = environment.find(name); v && v->secret)
            order << secretEnvironmentName(name);
        pos = close + 2;
    }
    auto resolved = resolveVariables(text, marked, where, error);
    if (!resolved)
        return std::nullopt;
    return Resolved{*resolved, order};
}

QString argument(const Resolved &r)
{
    return r.secrets.isEmpty() ? shellQuote(r.text) : quoteWithSecrets(r.text, r.secrets);
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

std::optional<QStringList> shellSplit(const QString &commandLine, QString *error)
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
                *error = QStringLiteral("the quote ' at character %1 is never closed").arg(i + 1);
                return std::nullopt;
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
                *error = QStringLiteral("the quote \" at character %1 is never closed").arg(i + 1);
                return std::nullopt;
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

std::optional<QString> toGrpcurl(const SavedRequest &request, const Runner::Channel &channel,
                                 const QStringList &importPaths, const QStringList &protoFiles,
                                 const QStringList &protosets, const Environment &environment, QString *error)
{
    QStringList args;
    // grpcurl has no proxy flag: it takes the proxy from the environment, like gRPC does.
    if (channel.proxy == QLatin1String(rpc::kNoProxy))
        args << QStringLiteral("NO_PROXY='*'");
    else if (!channel.proxy.isEmpty())
        args << QStringLiteral("https_proxy=") + shellQuote(channel.proxy);
    args << QStringLiteral("grpcurl");
    if (channel.plaintext)
        args << QStringLiteral("-plaintext");
    else if (channel.skipVerify)
        args << QStringLiteral("-insecure");
    auto flag = [&](const char *name, const QString &value) {
        if (!value.isEmpty())
            args << QLatin1String(name) << shellQuote(value);
    };
    if (!channel.plaintext) {
        flag("-cacert", channel.caFile);
        flag("-cert", channel.certFile);
        flag("-key", channel.keyFile);
        flag("-servername", channel.serverName);
    }
    flag("-authority", channel.authority);
    // Each path as given, an empty one too: dropping it changed the schema the command loads.
    auto paths = [&](const char *name, const QStringList &list) {
        for (const QString &p : list)
            args << QLatin1String(name) << shellQuote(p);
    };
    paths("-import-path", importPaths);
    paths("-proto", protoFiles);
    paths("-protoset", protosets);
    if (channel.maxReceiveBytes > 0)
        flag("-max-msg-sz", QString::number(channel.maxReceiveBytes));
    // Every digit: QString::number's default six would turn a 1.2345678 s deadline into 1.23457.
    auto seconds = [](double s) { return QString::number(s, 'g', QLocale::FloatingPointShortest); };
    if (channel.keepaliveMs > 0)
        flag("-keepalive-time", seconds(channel.keepaliveMs / 1000.0));
    if (channel.connectTimeoutMs != 10000) // 0 too: no connect timeout, which is not the default
        flag("-connect-timeout", seconds(std::max(channel.connectTimeoutMs, 0) / 1000.0));
    if (request.deadlineSeconds > 0)
        flag("-max-time", seconds(request.deadlineSeconds));
    for (const auto &[key, value] : request.metadata) {
        const auto v = resolveForShell(QStringLiteral("%1: %2").arg(key, value), environment,
                                       QStringLiteral("metadata %1").arg(key), error);
        if (!v)
            return std::nullopt;
        args << QStringLiteral("-H") << argument(*v);
    }
    // The body as compact JSON; several messages (a JSON array) one after another, as -d takes them.
    QString body = request.body.trimmed();
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body.toUtf8(), &parseError);
    if (const auto messages = arrayMessages(body)) {
        // Each element as `run` sends it (a number or a string is a message too, of a wrapper
        // or Value type): reading each as an object turned them into {}.
        QStringList parts;
        for (const std::string &message : *messages)
            parts << QString::fromStdString(message);
        body = parts.join(QLatin1Char(' '));
    } else if (parseError.error == QJsonParseError::NoError && doc.isObject()) {
        // Keep the user's text (key order, number spelling) but on one line.
        body = QString::fromStdString(rpc::prettyJson(body.toStdString(), 0));
        body.replace(QLatin1Char('\n'), QString());
    }
    if (!body.isEmpty()) {
        const auto d = resolveForShell(body, environment, QStringLiteral("body"), error);
        if (!d)
            return std::nullopt;
        args << QStringLiteral("-d") << argument(*d);
    }
    auto target = resolveForShell(request.target, environment, QStringLiteral("target"), error);
    if (!target)
        return std::nullopt;
    // grpcurl dials a unix socket given as a path with -unix; a path that starts with '-' would
    // be read as a flag, so it stays a unix: target (which gRPC, under grpcurl too, dials).
    if (target->text.startsWith(QLatin1String("unix:")) && !target->text.startsWith(QLatin1String("unix:-"))) {
        args << QStringLiteral("-unix");
        target->text.remove(0, 5);
    }
    args << argument(*target) << shellQuote(request.method);
    return args.join(QLatin1Char(' '));
}

std::optional<GrpcurlCommand> parseGrpcurl(const QString &commandLine, QString *error)
{
    const auto words = shellSplit(commandLine.trimmed(), error);
    if (!words)
        return std::nullopt;
    QStringList args = *words;
    if (args.isEmpty()) {
        *error = QStringLiteral("the command is empty");
        return std::nullopt;
    }
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
            command.channel.proxy = value.isEmpty() ? QString::fromLatin1(rpc::kNoProxy) : value;
        } else if (name == QLatin1String("no_proxy") && value == QLatin1String("*")) {
            proxyVariable = QStringLiteral("no_proxy");
            command.channel.proxy = QString::fromLatin1(rpc::kNoProxy);
        }
        args.removeFirst();
    }
    if (!args.front().startsWith(QLatin1Char('-')))
        args.removeFirst(); // grpcurl, wirescope-cli or a path to either

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
        QStringLiteral("proxy")};

    bool unixSocket = false;
    command.request.body = QStringLiteral("{}");
    command.channel.plaintext = false; // grpcurl speaks TLS unless told -plaintext
    QStringList positional;
    bool haveBody = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString a = args.at(i);
        if (!a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")) {
            positional << a;
            continue;
        }
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
                command.channel.plaintext = on;
            else if (name == QLatin1String("insecure"))
                command.channel.skipVerify = on;
            else if (name == QLatin1String("unix"))
                unixSocket = on;
            continue;
        }
        if (!kValueFlags.contains(name)) {
            *error = QStringLiteral("the flag -%1 is not one Wirescope knows").arg(name);
            return std::nullopt;
        }
        if (!hasValue) {
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("the flag -%1 needs a value").arg(name);
                return std::nullopt;
            }
            value = args.at(++i);
        }
        if (name == QLatin1String("H") || name == QLatin1String("rpc-header")) {
            const qsizetype colon = value.indexOf(QLatin1Char(':'));
            if (colon <= 0 || value.left(colon).trimmed().isEmpty()) { // "   : v" has no name either
                *error = QStringLiteral("the header \"%1\" is not \"name: value\"").arg(value);
                return std::nullopt;
            }
            command.request.metadata.emplace_back(value.left(colon).trimmed().toLower(),
                                                  value.mid(colon + 1).trimmed());
        } else if (name == QLatin1String("d")) {
            if (value == QLatin1String("@")) {
                *error =
                    QStringLiteral("-d @ reads the body from standard input; paste the body into the request "
                                   "instead");
                return std::nullopt;
            }
            haveBody = true;
            command.request.body = value;
        } else if (name == QLatin1String("format")) {
            if (value != QLatin1String("json")) {
                *error = QStringLiteral("-format %1: only JSON bodies can be imported").arg(value);
                return std::nullopt;
            }
        } else if (name == QLatin1String("cacert")) {
            command.channel.caFile = value;
        } else if (name == QLatin1String("cert")) {
            command.channel.certFile = value;
        } else if (name == QLatin1String("key")) {
            command.channel.keyFile = value;
        } else if (name == QLatin1String("authority")) {
            command.channel.authority = value;
        } else if (name == QLatin1String("servername")) {
            command.channel.serverName = value;
        } else if (name == QLatin1String("import-path")) {
            command.importPaths << value;
        } else if (name == QLatin1String("proto")) {
            command.protoFiles << value;
        } else if (name == QLatin1String("protoset")) {
            command.protosets << value;
        } else if (name == QLatin1String("max-time") || name == QLatin1String("connect-timeout") ||
                   name == QLatin1String("keepalive-time")) {
            // A value that is not a number was read as 0, which means "none": refused, as
            // grpcurl refuses it; a huge one did not fit the engine's milliseconds.
            bool ok = false;
            const double seconds = value.toDouble(&ok);
            if (!ok || !(seconds >= 0 && seconds <= rpc::kMaxSeconds)) {
                *error = QStringLiteral("the flag -%1 needs a number of seconds from 0 to %2, not \"%3\"")
                             .arg(name)
                             .arg(rpc::kMaxSeconds, 0, 'f', 0)
                             .arg(value);
                return std::nullopt;
            }
            if (name == QLatin1String("max-time"))
                command.request.deadlineSeconds = seconds;
            else if (name == QLatin1String("connect-timeout"))
                command.channel.connectTimeoutMs = rpc::millisecondsFromSeconds(seconds);
            else
                command.channel.keepaliveMs = rpc::millisecondsFromSeconds(seconds);
        } else if (name == QLatin1String("max-msg-sz")) {
            bool ok = false;
            command.channel.maxReceiveBytes = value.toInt(&ok);
            if (!ok || command.channel.maxReceiveBytes < 0) {
                *error = QStringLiteral("the flag -max-msg-sz needs a number of bytes, not \"%1\"").arg(value);
                return std::nullopt;
            }
        } else if (name == QLatin1String("proxy")) { // wirescope-cli's
            command.channel.proxy = value.isEmpty() ? QString::fromLatin1(rpc::kNoProxy) : value;
        }
    }
    if (!positional.isEmpty() &&
        (positional.contains(QLatin1String("list")) || positional.contains(QLatin1String("describe")))) {
        *error = QStringLiteral("this is a \"%1\" command, not a call")
                     .arg(positional.contains(QLatin1String("list")) ? QStringLiteral("list")
                                                                     : QStringLiteral("describe"));
        return std::nullopt;
    }
    if (positional.size() != 2) {
        *error =
            positional.size() < 2
                ? QStringLiteral("the command needs an address and a method")
                : QStringLiteral("unexpected arguments: %1").arg(positional.mid(2).join(QLatin1Char(' ')));
        return std::nullopt;
    }
    const QString &address = positional.at(0);
    command.request.target = unixSocket && !address.startsWith(QLatin1String("unix:"))
                                 ? QStringLiteral("unix:") + address
                                 : address;
    command.channel.target = command.request.target;
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
            *error = QStringLiteral("the -d body is not JSON: %1")
                         .arg(QString::fromStdString(split.error().diagnostics.front().toString()));
            return std::nullopt;
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
