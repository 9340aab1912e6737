// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QAction;
class QLineEdit;

namespace ui {

// A button inside the line edit's right end that empties it, shown while it holds text: what
// QLineEdit::setClearButtonEnabled gives, with the project's own icon. The style's icon is
// looked up in the desktop's icon theme for each field, its fallback image read through Qt's
// image plugins: for the window's three fields, 2-3 ms of its first making at start (perf).
QAction *addClearButton(QLineEdit *edit);

} // namespace ui
