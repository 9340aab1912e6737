// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/plurals.h"

#include <QCoreApplication>

namespace models {

QString EnglishPlurals::translate(const char *, const char *sourceText, const char *, int n) const
{
    static constexpr QLatin1StringView marker("(s)");
    if (n < 0 || !sourceText)
        return {};
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(marker))
        return {};
    return text.replace(marker, n == 1 ? QString() : QStringLiteral("s"));
}

void installPluralForms()
{
    auto *app = QCoreApplication::instance();
    if (!app || app->findChild<EnglishPlurals *>())
        return;
    QCoreApplication::installTranslator(new EnglishPlurals(app)); // lives as long as the application
}

} // namespace models
