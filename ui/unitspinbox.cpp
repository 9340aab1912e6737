// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/unitspinbox.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace ui {

namespace {

constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * 1024;

struct UnitName
{
    const char *name;
    double factor;
};

const std::vector<UnitName> &unitNames(UnitSpinBox::Unit unit)
{
    static const std::vector<UnitName> bytes = {{"b", 1},     {"byte", 1},     {"bytes", 1}, {"k", kKiB},
                                                {"kib", kKiB}, {"m", kMiB},     {"mib", kMiB}};
    static const std::vector<UnitName> times = {{"s", 1000}, {"ms", 1}, {"min", 60000}};
    return unit == UnitSpinBox::Unit::Bytes ? bytes : times;
}

} // namespace

UnitSpinBox::UnitSpinBox(Unit unit, QWidget *parent)
    : QSpinBox(parent)
    , m_unit(unit)
{
    setRange(0, std::numeric_limits<int>::max());
    setSingleStep(unit == Unit::Bytes ? int(kMiB) : 1000);
}

void UnitSpinBox::stepBy(int steps)
{
    // From a value that is no whole step (1000000 bytes, 0.5 s), the first step goes to the
    // nearest whole one in that direction.
    const qint64 step = singleStep();
    const qint64 whole = (qint64(value()) + (steps > 0 ? 0 : step - 1)) / step;
    setValue(int(std::clamp<qint64>((whole + steps) * step, minimum(), maximum())));
    selectAll();
}

QString UnitSpinBox::textFromValue(int value) const
{
    if (m_unit == Unit::Milliseconds) {
        QString seconds = QString::number(double(value) / 1000.0, 'f', 3);
        static const QRegularExpression kTrailingZeros(QStringLiteral("\\.?0+$"));
        seconds.remove(kTrailingZeros);
        return tr("%1 s").arg(seconds);
    }
    if (value > 0 && value % kMiB == 0)
        return tr("%1 MiB").arg(value / kMiB);
    if (value > 0 && value % kKiB == 0)
        return tr("%1 KiB").arg(value / kKiB);
    return tr("%n byte(s)", nullptr, value);
}

namespace {

// "<number> [unit]" in the box's unit, before rounding; nothing when the text is not that.
std::optional<double> parse(const QString &text, const QString &special, UnitSpinBox::Unit unit)
{
    const QString t = text.trimmed();
    if (!special.isEmpty() && t == special)
        return 0.0;
    static const QRegularExpression kPattern(QStringLiteral("^([0-9]*\\.?[0-9]+)\\s*([A-Za-z]*)$"));
    const auto m = kPattern.match(t);
    if (!m.hasMatch())
        return std::nullopt;
    const double number = m.captured(1).toDouble();
    const QString suffix = m.captured(2);
    std::optional<double> factor;
    if (suffix.isEmpty())
        factor = unit == UnitSpinBox::Unit::Bytes ? 1 : 1000;
    for (const UnitName &u : unitNames(unit)) {
        if (suffix.compare(QLatin1String(u.name), Qt::CaseInsensitive) == 0)
            factor = u.factor;
    }
    if (!factor)
        return std::nullopt;
    // Decimal seconds are not exact in binary: 0.05 * 1000 is 50.000000000000007.
    return std::round(number * *factor * 1e6) / 1e6;
}

} // namespace

int UnitSpinBox::valueFromText(const QString &text) const
{
    const auto v = parse(text, specialValueText(), m_unit);
    return v ? int(std::clamp<double>(std::round(*v), minimum(), maximum())) : value();
}

QValidator::State UnitSpinBox::validate(QString &text, int &) const
{
    // Only whole units: half a byte, or "0.0005 s", is not a value the engine can take.
    const auto v = parse(text, specialValueText(), m_unit);
    if (!v || *v != std::floor(*v) || *v > maximum() || *v < minimum())
        return QValidator::Intermediate;
    return QValidator::Acceptable;
}

} // namespace ui
