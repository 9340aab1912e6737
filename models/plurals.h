// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTranslator>

namespace models {

// English plural forms for texts written with tr("%n request(s)", nullptr, n): without a
// translation loaded, Qt would print "1 request(s)". This translator turns "(s)" into "" for
// one and "s" otherwise; a real translation installed later is asked first.
class EnglishPlurals final : public QTranslator
{
public:
    using QTranslator::QTranslator;
    QString translate(const char *context, const char *sourceText, const char *disambiguation = nullptr,
                      int n = -1) const override;
    bool isEmpty() const override { return false; }
};

// Installs one EnglishPlurals in the running application (once; later calls do nothing).
void installPluralForms();

} // namespace models
