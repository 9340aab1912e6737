// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/icons.h"

namespace ui::icons {

namespace {

QIcon named(const char *name)
{
    return QIcon(QStringLiteral(":/icons/") + QLatin1StringView(name) + QStringLiteral(".svg"));
}

} // namespace

QIcon method(rpc::MethodKind kind)
{
    // Made once: the tree asks for an icon on every paint of every row.
    static const QIcon icons[] = {named("method-unary"), named("method-server-stream"), named("method-client-stream"),
                                  named("method-bidi")};
    return icons[int(kind)];
}

QIcon source(models::SourceSpec::Kind kind)
{
    static const QIcon icons[] = {named("source-file"), named("source-protoset"), named("source-reflection")};
    return icons[int(kind)];
}

QIcon failedSource()
{
    static const QIcon icon = named("source-failed");
    return icon;
}

QIcon service()
{
    static const QIcon icon = named("service");
    return icon;
}

QIcon clearText()
{
    static const QIcon icon = named("clear");
    return icon;
}

} // namespace ui::icons
