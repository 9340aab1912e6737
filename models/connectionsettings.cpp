// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/connectionsettings.h"

#include "models/workspace.h"

#include <QJsonValue>

#include <cmath>
#include <limits>

namespace models {

Result<int> millisecondsFromSeconds(double seconds, const QString &what)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return fail(QStringLiteral("%1 must be a number of seconds, 0 or more").arg(what), what);
    const double ms = std::round(seconds * 1000.0);
    if (ms > double(std::numeric_limits<int>::max()))
        return fail(QStringLiteral("%1 is too long (at most %2 seconds)")
                        .arg(what)
                        .arg(std::numeric_limits<int>::max() / 1000),
                    what);
    if (seconds > 0 && ms < 1)
        return 1;
    return static_cast<int>(ms);
}

rpc::ChannelOptions ConnectionSettings::toOptions(const QString &target, const std::string &userAgent) const
{
    rpc::ChannelOptions o;
    o.target = target.trimmed().toStdString();
    o.plaintext = plaintext;
    if (!plaintext) {
        o.caFile = caFile.toStdString();
        o.certFile = certFile.toStdString();
        o.keyFile = keyFile.toStdString();
        // grpcurl's rule: with TLS the authority is also the name the certificate must carry,
        // unless a server name says otherwise.
        o.serverName = (serverName.isEmpty() ? authority : serverName).toStdString();
    }
    o.skipVerify = skipVerify;
    o.authority = authority.toStdString();
    o.gzip = gzip;
    o.maxReceiveBytes = maxReceiveBytes;
    o.maxSendBytes = maxSendBytes;
    o.keepaliveTimeMs = keepaliveMs;
    o.connectTimeoutMs = connectTimeoutMs;
    o.proxy = proxy.trimmed().toStdString();
    o.userAgent = userAgent;
    return o;
}

Result<ConnectionSettings> ConnectionSettings::fromWorkspace(const Workspace &workspace, const QString &name)
{
    ConnectionSettings c;
    if (name.isEmpty())
        return c;
    const QJsonValue value = workspace.settings().connections.value(name);
    if (!value.isObject())
        return fail(QStringLiteral("no connection \"%1\" in %2").arg(name, QLatin1String(Workspace::kSettingsFile)),
                    QStringLiteral("connection"));
    const QJsonObject o = value.toObject();
    auto problem = [&](const char *key, const QString &what) {
        return fail(QStringLiteral("connection \"%1\": %2 %3").arg(name, QLatin1String(key), what),
                    QLatin1String(key));
    };
    // Strings and booleans of the wrong kind are refused rather than read as empty.
    for (const char *key : {"ca_file", "cert_file", "key_file", "authority", "server_name", "proxy"}) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isNull() && !v.isString())
            return problem(key, QStringLiteral("must be a string"));
    }
    for (const char *key : {"plaintext", "skip_verify", "gzip"}) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isNull() && !v.isBool())
            return problem(key, QStringLiteral("must be true or false"));
    }
    auto file = [&](const char *key, QString *out) -> Status {
        const QString relative = o.value(QLatin1String(key)).toString();
        if (relative.isEmpty())
            return {};
        const auto path = workspace.resolve(relative);
        if (!path)
            return problem(key, QStringLiteral("\"%1\" leaves the workspace folder").arg(relative));
        *out = *path;
        return {};
    };
    for (auto [key, out] : {std::pair{"ca_file", &c.caFile}, std::pair{"cert_file", &c.certFile},
                            std::pair{"key_file", &c.keyFile}}) {
        if (Status s = file(key, out); !s)
            return s.error();
    }
    auto bytes = [&](const char *key, int *out) -> Status {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d != std::floor(d) || d > std::numeric_limits<int>::max())
            return problem(key, QStringLiteral("must be a whole number of bytes from 0 to %1")
                                    .arg(std::numeric_limits<int>::max()));
        *out = static_cast<int>(d);
        return {};
    };
    auto milliseconds = [&](const char *key, int *out) -> Status {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isDouble())
            return problem(key, QStringLiteral("must be a number of seconds"));
        auto ms = millisecondsFromSeconds(v.toDouble(), QStringLiteral("connection \"%1\": %2").arg(name, QLatin1String(key)));
        if (!ms)
            return ms.error();
        *out = *ms;
        return {};
    };
    for (auto [key, out] : {std::pair{"max_receive_bytes", &c.maxReceiveBytes},
                            std::pair{"max_send_bytes", &c.maxSendBytes}}) {
        if (Status s = bytes(key, out); !s)
            return s.error();
    }
    for (auto [key, out] : {std::pair{"keepalive_seconds", &c.keepaliveMs},
                            std::pair{"connect_timeout_seconds", &c.connectTimeoutMs}}) {
        if (Status s = milliseconds(key, out); !s)
            return s.error();
    }
    c.plaintext = o.value(QStringLiteral("plaintext")).toBool(true);
    c.skipVerify = o.value(QStringLiteral("skip_verify")).toBool();
    c.authority = o.value(QStringLiteral("authority")).toString();
    c.serverName = o.value(QStringLiteral("server_name")).toString();
    c.gzip = o.value(QStringLiteral("gzip")).toBool();
    c.proxy = o.value(QStringLiteral("proxy")).toString().trimmed();
    return c;
}

} // namespace models
