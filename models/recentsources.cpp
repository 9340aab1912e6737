// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/recentsources.h"

#include "models/appsettings.h"

#include <QStringList>
#include <QVariantMap>

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
