// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/recentsources.h"

#include "models/appsettings.h"

#include <QStringList>
#include <QVariantMap>

#include <algorithm>

namespace models {

namespace {

QStringList toList(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

std::vector<std::string> fromList(const QStringList &l)
{
    std::vector<std::string> out;
    for (const auto &s : l)
        out.push_back(s.toStdString());
    return out;
}

} // namespace

QVariantMap sourceSpecToMap(const SourceSpec &spec)
{
    QVariantMap m;
    m[QStringLiteral("kind")] = int(spec.kind);
    m[QStringLiteral("importPaths")] = toList(spec.schema.importPaths);
    m[QStringLiteral("protoFiles")] = toList(spec.schema.protoFiles);
    m[QStringLiteral("protosetFiles")] = toList(spec.schema.protosetFiles);
    m[QStringLiteral("target")] = QString::fromStdString(spec.schema.reflectionChannel.target);
    if (!spec.folder.isEmpty())
        m[QStringLiteral("folder")] = spec.folder;
    // A reflection source's TLS: kept only when it differs from plaintext defaults, so entries
    // written before TLS was kept still compare equal.
    const ConnectionSettings &c = spec.connection;
    if (spec.kind == SourceSpec::Kind::Reflection && !(c == ConnectionSettings{})) {
        QVariantMap tls;
        tls[QStringLiteral("plaintext")] = c.plaintext;
        tls[QStringLiteral("skipVerify")] = c.skipVerify;
        tls[QStringLiteral("caFile")] = c.caFile;
        tls[QStringLiteral("certFile")] = c.certFile;
        tls[QStringLiteral("keyFile")] = c.keyFile;
        tls[QStringLiteral("serverName")] = c.serverName;
        tls[QStringLiteral("authority")] = c.authority;
        tls[QStringLiteral("maxReceiveBytes")] = c.maxReceiveBytes;
        tls[QStringLiteral("connectTimeoutMs")] = c.connectTimeoutMs;
        tls[QStringLiteral("proxy")] = c.proxy;
        m[QStringLiteral("connection")] = tls;
    }
    return m;
}

SourceSpec sourceSpecFromMap(const QVariantMap &m)
{
    SourceSpec spec;
    const int kind = m.value(QStringLiteral("kind")).toInt();
    spec.kind = kind == int(SourceSpec::Kind::Protoset)     ? SourceSpec::Kind::Protoset
                : kind == int(SourceSpec::Kind::Reflection) ? SourceSpec::Kind::Reflection
                                                            : SourceSpec::Kind::ProtoFiles;
    spec.schema.importPaths = fromList(m.value(QStringLiteral("importPaths")).toStringList());
    spec.schema.protoFiles = fromList(m.value(QStringLiteral("protoFiles")).toStringList());
    spec.schema.protosetFiles = fromList(m.value(QStringLiteral("protosetFiles")).toStringList());
    spec.schema.reflectionChannel.target = m.value(QStringLiteral("target")).toString().toStdString();
    spec.schema.useReflection = spec.kind == SourceSpec::Kind::Reflection;
    spec.folder = m.value(QStringLiteral("folder")).toString();
    const QVariantMap tls = m.value(QStringLiteral("connection")).toMap();
    if (spec.kind == SourceSpec::Kind::Reflection && !tls.isEmpty()) {
        ConnectionSettings c;
        c.plaintext = tls.value(QStringLiteral("plaintext"), true).toBool();
        c.skipVerify = tls.value(QStringLiteral("skipVerify")).toBool();
        c.caFile = tls.value(QStringLiteral("caFile")).toString();
        c.certFile = tls.value(QStringLiteral("certFile")).toString();
        c.keyFile = tls.value(QStringLiteral("keyFile")).toString();
        c.serverName = tls.value(QStringLiteral("serverName")).toString();
        c.authority = tls.value(QStringLiteral("authority")).toString();
        c.maxReceiveBytes = std::max(0, tls.value(QStringLiteral("maxReceiveBytes")).toInt());
        c.connectTimeoutMs = std::max(
            0, tls.value(QStringLiteral("connectTimeoutMs"), ConnectionSettings::kDefaultConnectTimeoutMs).toInt());
        c.proxy = tls.value(QStringLiteral("proxy")).toString();
        spec.setReflection(QString::fromStdString(spec.schema.reflectionChannel.target), c);
    }
    return spec;
}

void RecentSources::remember(const SourceSpec &spec)
{
    QVariantList entries = AppSettings::recentSources();
    const QVariantMap entry = sourceSpecToMap(spec);
    entries.removeAll(entry);
    entries.prepend(entry);
    while (entries.size() > kMaxEntries)
        entries.removeLast();
    AppSettings::setRecentSources(entries);
}

QList<SourceSpec> RecentSources::load()
{
    QList<SourceSpec> out;
    for (const QVariant &v : AppSettings::recentSources())
        out << sourceSpecFromMap(v.toMap());
    return out;
}

void RecentSources::clear()
{
    AppSettings::setRecentSources({});
}

} // namespace models
