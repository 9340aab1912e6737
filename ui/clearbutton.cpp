// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/clearbutton.h"

#include "ui/icons.h"

#include <QAction>
#include <QLineEdit>

namespace ui {

QAction *addClearButton(QLineEdit *edit)
{
    QAction *clear = edit->addAction(icons::clearText(), QLineEdit::TrailingPosition);
    clear->setObjectName(QStringLiteral("clearTextAction"));
    clear->setToolTip(QLineEdit::tr("Clear"));
    const auto update = [edit, clear] { clear->setVisible(!edit->text().isEmpty() && !edit->isReadOnly()); };
    update();
    QObject::connect(edit, &QLineEdit::textChanged, clear, update);
    QObject::connect(clear, &QAction::triggered, edit, [edit] {
        edit->clear();
        edit->setFocus(Qt::OtherFocusReason);
    });
    return clear;
}

} // namespace ui
