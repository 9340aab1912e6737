// SPDX-License-Identifier: GPL-3.0-or-later
// A pasted curl command that makes a Connect unary call, read back into a request: what Copy as
// curl writes, and what Postman or a browser's "Copy as cURL" gives for such a call.
#include "models/grpcurl.h"

#include "models/callrequest.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/types.h"
#include "rpc/web.h"

#include <QRegularExpression>

namespace models {

namespace {

// curl's flags that take a value, long and short, and those that change nothing Wirescope sends
// (output, progress, redirects: a Connect call answers once).
const QStringList kValueFlags = {
    QStringLiteral("X"),           QStringLiteral("request"),      QStringLiteral("H"),
    QStringLiteral("header"),      QStringLiteral("d"),            QStringLiteral("data"),
    QStringLiteral("data-raw"),    QStringLiteral("data-binary"),  QStringLiteral("data-ascii"),
    QStringLiteral("json"),        QStringLiteral("cacert"),       QStringLiteral("cert"),
    QStringLiteral("E"),           QStringLiteral("key"),          QStringLiteral("connect-to"),
    QStringLiteral("x"),           QStringLiteral("proxy"),        QStringLiteral("noproxy"),
    QStringLiteral("connect-timeout"), QStringLiteral("m"),        QStringLiteral("max-time"),
    QStringLiteral("unix-socket"), QStringLiteral("abstract-unix-socket"), QStringLiteral("url"),
    QStringLiteral("A"),           QStringLiteral("user-agent"),   QStringLiteral("o"),
    QStringLiteral("output"),      QStringLiteral("w"),            QStringLiteral("write-out")};
const QStringList kIgnoredFlags = {
    QStringLiteral("s"),          QStringLiteral("silent"),   QStringLiteral("S"),
    QStringLiteral("show-error"), QStringLiteral("v"),        QStringLiteral("verbose"),
    QStringLiteral("i"),          QStringLiteral("include"),  QStringLiteral("L"),
    QStringLiteral("location"),   QStringLiteral("compressed"), QStringLiteral("f"),
    QStringLiteral("fail"),       QStringLiteral("fail-with-body"), QStringLiteral("N"),
    QStringLiteral("no-buffer")};
// Short flags that may be run together ("-sSk").
const QString kShortSwitches = QStringLiteral("sSvikLfN");

// Splits "-sSk" into "-s", "-S", "-k"; other words are kept.
QStringList expandClusters(const QStringList &args)
{
    QStringList out;
    for (const QString &a : args) {
        const bool cluster = a.size() > 2 && a.startsWith(QLatin1Char('-')) && !a.startsWith(QLatin1String("--")) &&
                             std::all_of(a.begin() + 1, a.end(), [](QChar c) { return kShortSwitches.contains(c); });
        if (!cluster) {
            out << a;
            continue;
        }
        for (qsizetype i = 1; i < a.size(); ++i)
            out << QStringLiteral("-") + a.at(i);
    }
    return out;
}

struct Header
{
    QString name; // lower case
    QString value;
};

Result<Header> header(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0 || text.left(colon).trimmed().isEmpty())
        return fail(QStringLiteral("the header \"%1\" is not \"Name: value\"").arg(text));
    return Header{text.left(colon).trimmed().toLower(), text.mid(colon + 1).trimmed()};
}

} // namespace

Result<GrpcurlCommand> parseCurl(const QStringList &arguments, GrpcurlCommand command)
{
    const QStringList args = expandClusters(arguments);
    QString url, body, contentType, unixSocket;
    QStringList connectTo; // curl uses the first that matches the URL
    bool haveBody = false, tlsFlags = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (!a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")) {
            if (!url.isEmpty())
                return fail(QStringLiteral("curl is given two URLs, %1 and %2: paste one call").arg(url, a));
            url = a;
            continue;
        }
        QString name = a.mid(a.startsWith(QLatin1String("--")) ? 2 : 1);
        QString value;
        const qsizetype eq = a.startsWith(QLatin1String("--")) ? name.indexOf(QLatin1Char('=')) : -1;
        const bool inline_ = eq > 0;
        if (inline_) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        }
        if (kIgnoredFlags.contains(name))
            continue;
        if (name == QLatin1String("k") || name == QLatin1String("insecure")) {
            command.connection.skipVerify = true;
            continue;
        }
        if (name == QLatin1String("http1.1")) {
            command.request.protocol.httpVersion = rpc::HttpVersion::Http1;
            continue;
        }
        if (name == QLatin1String("http2") || name == QLatin1String("http2-prior-knowledge")) {
            command.request.protocol.httpVersion = rpc::HttpVersion::Http2;
            continue;
        }
        if (!kValueFlags.contains(name))
            return fail(QStringLiteral("the curl flag %1 is not one Wirescope knows").arg(inline_ ? a.left(a.indexOf(QLatin1Char('='))) : a));
        if (!inline_) {
            if (i + 1 >= args.size())
                return fail(QStringLiteral("the curl flag %1 needs a value").arg(a));
            value = args.at(++i);
        }
        if (name == QLatin1String("X") || name == QLatin1String("request")) {
            if (value.compare(QLatin1String("POST"), Qt::CaseInsensitive) != 0)
                return fail(QStringLiteral("curl -X %1: a Connect call is a POST").arg(value));
        } else if (name == QLatin1String("H") || name == QLatin1String("header")) {
            auto h = header(value);
            if (!h)
                return h.error();
            if (h->name == QLatin1String("content-type"))
                contentType = h->value.toLower();
            else if (h->name == QLatin1String("connect-protocol-version") || h->name == QLatin1String("content-length") ||
                     h->name == QLatin1String("accept") || h->name == QLatin1String("accept-encoding"))
                continue; // set by the engine for each call
            else if (h->name == QLatin1String("connect-timeout-ms")) {
                bool ok = false;
                const qint64 ms = h->value.toLongLong(&ok);
                if (!ok || ms <= 0 || ms > 9999999999LL) // Connect allows at most 10 digits
                    return fail(QStringLiteral("the header Connect-Timeout-Ms needs a positive number of milliseconds, "
                                               "not \"%1\"").arg(h->value));
                command.request.deadlineSeconds = double(ms) / 1000.0;
            } else if (h->name == QLatin1String("host")) {
                if (!h->value.contains(QLatin1String("{{"))) {
                    if (const std::string problem = rpc::authorityProblem(h->value.toStdString()); !problem.empty())
                        return fail(QStringLiteral("the header Host: %1").arg(QString::fromStdString(problem)));
                }
                command.connection.authority = h->value;
            } else {
                if (!h->value.contains(QLatin1String("{{"))) {
                    if (auto entry = metadataEntry(h->name, h->value); !entry)
                        return entry.error();
                }
                command.request.metadata.emplace_back(h->name, h->value);
            }
        } else if (name == QLatin1String("json") || name.startsWith(QLatin1String("data")) || name == QLatin1String("d")) {
            if (value.startsWith(QLatin1Char('@')) && name != QLatin1String("data-raw"))
                return fail(QStringLiteral("curl %1 %2 reads the body from a file: paste the body itself").arg(a, value));
            if (haveBody)
                return fail(QStringLiteral("curl is given the body twice: a Connect unary call sends one message"));
            haveBody = true;
            body = value;
            if (name == QLatin1String("json") && contentType.isEmpty())
                contentType = QStringLiteral("application/json");
        } else if (name == QLatin1String("cacert")) {
            command.connection.caFile = value;
            tlsFlags = true;
        } else if (name == QLatin1String("cert") || name == QLatin1String("E")) {
            command.connection.certFile = value;
            tlsFlags = true;
        } else if (name == QLatin1String("key")) {
            command.connection.keyFile = value;
            tlsFlags = true;
        } else if (name == QLatin1String("connect-to")) {
            connectTo << value;
        } else if (name == QLatin1String("x") || name == QLatin1String("proxy")) {
            command.connection.proxy = value;
        } else if (name == QLatin1String("noproxy")) {
            if (value == QLatin1String("*"))
                command.connection.proxy = QString::fromLatin1(rpc::kNoProxy);
        } else if (name == QLatin1String("connect-timeout") || name == QLatin1String("m") ||
                   name == QLatin1String("max-time")) {
            bool ok = false;
            const double s = value.toDouble(&ok);
            if (!ok)
                return fail(QStringLiteral("the curl flag %1 needs a number of seconds, not \"%2\"").arg(a, value));
            auto ms = millisecondsFromSeconds(s, a);
            if (!ms)
                return ms.error();
            if (name == QLatin1String("connect-timeout"))
                command.connection.connectTimeoutMs = *ms;
            else if (command.request.deadlineSeconds <= 0)
                command.request.deadlineSeconds = double(*ms) / 1000.0;
        } else if (name == QLatin1String("unix-socket")) {
            unixSocket = QStringLiteral("unix:") + value;
        } else if (name == QLatin1String("abstract-unix-socket")) {
            unixSocket = QStringLiteral("unix-abstract:") + value;
        } else if (name == QLatin1String("url")) {
            if (!url.isEmpty())
                return fail(QStringLiteral("curl is given two URLs, %1 and %2: paste one call").arg(url, value));
            url = value;
        } else if (name == QLatin1String("A") || name == QLatin1String("user-agent")) {
            command.request.metadata.emplace_back(QStringLiteral("user-agent"), value);
        } // -o and -w: where curl writes, nothing sent
    }

    // What is sent: JSON, as a Connect unary call over curl. A binary or a gRPC body cannot be
    // pasted as text.
    const QString type = contentType.section(QLatin1Char(';'), 0, 0).trimmed();
    if (type.startsWith(QLatin1String("application/grpc")))
        return fail(QStringLiteral("this curl command sends %1, which curl cannot frame: paste a grpcurl command "
                                   "for a gRPC call").arg(type));
    if (!type.isEmpty() && type != QLatin1String("application/json"))
        return fail(QStringLiteral("this curl command sends %1: only JSON bodies can be pasted").arg(type));

    // The URL: http or https, the server, an optional path prefix, then /package.Service/Method.
    if (url.isEmpty())
        return fail(QStringLiteral("the curl command has no URL"));
    static const QRegularExpression shape(QStringLiteral("^(https?://[^/?#]+)(/[^?#]*)?/([^/?#]+)/([^/?#]+)$"),
                                          QRegularExpression::CaseInsensitiveOption);
    const auto m = shape.match(url);
    if (!m.hasMatch())
        return fail(QStringLiteral("the URL %1 does not end in /package.Service/Method after http:// or https:// and "
                                   "the server").arg(url));
    auto server = rpc::parseUrlTarget(QString(m.captured(1) + m.captured(2)).toStdString());
    if (!server)
        return fail(QString::fromStdString(server.error().message));
    command.request.method = m.captured(3) + QLatin1Char('/') + m.captured(4);
    command.connection.plaintext = !server->tls;
    if (!server->tls && tlsFlags)
        return fail(QStringLiteral("the curl command gives TLS files for %1, which is not https").arg(url));
    QString hostPort = QString::fromStdString(server->hostPort);
    // --connect-to NAME::HOST:PORT: the URL names the certificate's name (and the Host
    // header), the connection goes to HOST:PORT. The first that matches counts, as in curl.
    static const QRegularExpression hop(QStringLiteral("^([^:]*):([^:]*):(.+):(\\d+)$"));
    for (const QString &to : std::as_const(connectTo)) {
        const auto c = hop.match(to);
        if (!c.hasMatch())
            return fail(QStringLiteral("--connect-to %1 is not HOST1:PORT1:HOST2:PORT2").arg(to));
        const bool applies =
            (c.captured(1).isEmpty() ||
             c.captured(1).compare(QString::fromStdString(server->host), Qt::CaseInsensitive) == 0) &&
            (c.captured(2).isEmpty() || c.captured(2).toInt() == server->port);
        if (!applies)
            continue;
        if (server->tls)
            command.connection.serverName = QString::fromStdString(server->host);
        else if (command.connection.authority.isEmpty())
            command.connection.authority = QString::fromStdString(server->hostPort);
        hostPort = c.captured(3) + QLatin1Char(':') + c.captured(4);
        break;
    }
    const QString prefix = m.captured(2);
    if (!unixSocket.isEmpty() && !prefix.isEmpty())
        return fail(QStringLiteral("a call over a unix socket takes no path prefix (%1 before the method)").arg(prefix));
    if (!unixSocket.isEmpty())
        command.request.target = unixSocket;
    else if (!prefix.isEmpty())
        command.request.target = (server->tls ? QStringLiteral("https://") : QStringLiteral("http://")) + hostPort + prefix;
    else
        command.request.target = hostPort;
    command.request.protocol.protocol = rpc::Protocol::Connect;
    command.request.protocol.codec = rpc::ContentCodec::Json;

    if (!haveBody || body.trimmed().isEmpty()) {
        command.request.body = QStringLiteral("{}");
        return command;
    }
    auto values = rpc::splitJsonValues(body.toStdString());
    if (!values)
        return fail(QStringLiteral("the curl body is not JSON: %1")
                        .arg(QString::fromStdString(values.error().diagnostics.front().toString())));
    if (values->size() != 1)
        return fail(QStringLiteral("the curl body holds %1 JSON values: a Connect unary call sends one message")
                        .arg(values->size()));
    command.request.body = QString::fromStdString(rpc::prettyJson(values->front()));
    return command;
}

} // namespace models
