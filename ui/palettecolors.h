// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QPalette>

namespace ui {

// Colours the platform palette has no role for, chosen for the palette in use: the same hues,
// lighter where the window is dark, each with at least 4.5:1 contrast against the window.

// Whether the palette's window is dark (a dark theme).
inline bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// Text that says a call went well, or failed.
inline QColor okTextColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0x7d, 0xe0, 0xa8) : QColor(0x1e, 0x7a, 0x4a);
}

inline QColor errorTextColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x30, 0x22);
}

// A warning bar's background and its text.
inline QColor warningBackground(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0x4a, 0x3b, 0x00) : QColor(0xff, 0xf3, 0xcd);
}

inline QColor warningText(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xff, 0xe0, 0x8a) : QColor(0x66, 0x4d, 0x03);
}

} // namespace ui
