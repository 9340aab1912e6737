// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSpinBox>

namespace ui {

// A spin box that holds a value in the engine's exact unit and shows it the way people read it:
//   Bytes:        "4 MiB", "512 KiB", "1000000 bytes"; typed the same ways (a bare number is
//                 bytes); the arrows step by whole MiB.
//   Milliseconds: "10 s", "0.5 s", "0.05 s"; typed in seconds or with "ms"; the arrows step by
//                 whole seconds.
// value() is always bytes or milliseconds, so nothing is rounded on the way to a call.
class UnitSpinBox final : public QSpinBox
{
    Q_OBJECT

public:
    enum class Unit { Bytes, Milliseconds };

    explicit UnitSpinBox(Unit unit, QWidget *parent = nullptr);

    void stepBy(int steps) override;

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString &text) const override;
    QValidator::State validate(QString &text, int &pos) const override;

private:
    Unit m_unit;
};

} // namespace ui
