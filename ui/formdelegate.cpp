// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/formdelegate.h"

#include "models/formmodel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QHelpEvent>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QTimer>

namespace ui {

using models::FormModel;
using Kind = FormModel::Kind;

namespace {

Kind kindOf(const QModelIndex &index)
{
    return Kind(index.data(FormModel::KindRole).toInt());
}

bool isMapKey(const QModelIndex &index)
{
    return index.column() == FormModel::NameColumn && index.parent().isValid() &&
           kindOf(index.parent()) == Kind::Map;
}

const char kOriginal[] = "formOriginalText";

} // namespace

FormDelegate::FormDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

QString FormDelegate::buttonText(const QModelIndex &index) const
{
    if (index.column() != FormModel::ValueColumn)
        return {};
    if (index.data(FormModel::CanAddRole).toBool())
        return QStringLiteral("+");
    if (index.data(FormModel::CanRemoveRole).toBool())
        return QString(QChar(0x2212)); // minus sign
    return {};
}

QRect FormDelegate::buttonRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QString text = buttonText(index);
    if (text.isEmpty())
        return {};
    const int side = std::max(option.rect.height() - 2, option.fontMetrics.height() + 2);
    const int width = std::max(side, option.fontMetrics.horizontalAdvance(text) + 12);
    return QRect(option.rect.right() - width, option.rect.top() + (option.rect.height() - side) / 2, width,
                 side);
}

void FormDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (index.column() != FormModel::ValueColumn)
        return;
    const Kind kind = kindOf(index);
    // An unset value shows what it means, in the palette's placeholder colour.
    if ((kind == Kind::Scalar || kind == Kind::WellKnown) && !index.data(FormModel::IsSetRole).toBool()) {
        option->text = index.data(FormModel::DefaultTextRole).toString();
        option->palette.setBrush(QPalette::Text, option->palette.placeholderText());
        option->palette.setBrush(QPalette::HighlightedText, option->palette.placeholderText());
    }
}

void FormDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    const QRect button = buttonRect(option, index);
    if (button.isNull()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem text = option;
    text.rect.setRight(button.left() - 2);
    QStyledItemDelegate::paint(painter, text, index);
    QStyleOptionButton b;
    b.rect = button;
    b.text = buttonText(index);
    b.state = QStyle::State_Enabled | QStyle::State_Raised;
    b.palette = option.palette;
    b.fontMetrics = option.fontMetrics;
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_PushButton, &b, painter, widget);
}

QSize FormDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (!buttonText(index).isEmpty())
        size.rwidth() += option.fontMetrics.height() + 16;
    return size;
}

bool FormDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                               const QModelIndex &index)
{
    const bool mouse = event->type() == QEvent::MouseButtonPress ||
                       event->type() == QEvent::MouseButtonRelease ||
                       event->type() == QEvent::MouseButtonDblClick;
    if (mouse) {
        const auto *e = static_cast<QMouseEvent *>(event);
        const QRect button = buttonRect(option, index);
        if (!button.isNull() && button.contains(e->position().toPoint())) {
            if (event->type() == QEvent::MouseButtonRelease && e->button() == Qt::LeftButton) {
                // Queued: the click adds or removes rows, and the view is still in its mouse handler.
                const QPersistentModelIndex at(index.siblingAtColumn(FormModel::NameColumn));
                const bool add = index.data(FormModel::CanAddRole).toBool();
                QMetaObject::invokeMethod(
                    this,
                    [this, at, add] {
                        if (!at.isValid())
                            return;
                        if (add)
                            emit addClicked(at);
                        else
                            emit removeClicked(at);
                    },
                    Qt::QueuedConnection);
            }
            return true; // the button's clicks neither select nor start an editor
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

bool FormDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                             const QModelIndex &index)
{
    const QRect button = buttonRect(option, index);
    if (event->type() == QEvent::ToolTip && !button.isNull() && button.contains(event->pos())) {
        QString tip;
        if (index.data(FormModel::CanAddRole).toBool())
            tip = kindOf(index) == Kind::Map ? tr("Add an entry (Insert)") : tr("Add an element (Insert)");
        else
            tip = tr("Remove this element (Delete)");
        QToolTip::showText(event->globalPos(), tip, view);
        return true;
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

QWidget *FormDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    auto combo = [&](const QStringList &items, bool none) {
        auto *box = new QComboBox(parent);
        if (none)
            box->addItem(FormModel::tr("(none)"));
        box->addItems(items);
        return box;
    };
    // A list to pick from opens with its choices shown (they took Alt+Down), and the pick is
    // the edit; Escape closes the list, and an enum can then be typed as a number. (An Any's
    // type, typed with completion, opens as a field.)
    auto dropDown = [this](QComboBox *box) {
        QTimer::singleShot(0, box, [box] {
            if (box->isVisible())
                box->showPopup();
        });
        auto *self = const_cast<FormDelegate *>(this);
        connect(box, &QComboBox::activated, self, [self, box] {
            emit self->commitData(box);
            emit self->closeEditor(box);
        });
        return box;
    };
    if (isMapKey(index)) {
        const QStringList keys = index.data(FormModel::ChoicesRole).toStringList();
        if (!keys.isEmpty())
            return dropDown(combo(keys, false));
        return new QLineEdit(parent);
    }
    if (index.column() != FormModel::ValueColumn)
        return QStyledItemDelegate::createEditor(parent, option, index);
    const QStringList choices = index.data(FormModel::ChoicesRole).toStringList();
    switch (kindOf(index)) {
    case Kind::Oneof:
        return dropDown(combo(choices, true));
    case Kind::Any: {
        const auto *model = qobject_cast<const FormModel *>(index.model());
        QStringList types;
        if (model) {
            for (const auto &t : model->anyTypes())
                types << QString::fromStdString(t);
        }
        auto *box = combo(types, true);
        box->setEditable(true);
        box->completer()->setFilterMode(Qt::MatchContains);
        box->completer()->setCompletionMode(QCompleter::PopupCompletion);
        return box;
    }
    case Kind::WellKnown:
        if (index.data(FormModel::TypeNameRole).toString() == QLatin1String("google.protobuf.Timestamp")) {
            auto *edit = new QDateTimeEdit(parent);
            edit->setTimeSpec(Qt::UTC);
            edit->setDisplayFormat(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
            edit->setCalendarPopup(true);
            return edit;
        }
        break;
    case Kind::Scalar:
        if (!choices.isEmpty()) {
            auto *box = combo(choices, false);
            // An enum given by number stays editable as a number.
            box->setEditable(index.data(FormModel::ScalarTypeRole).toInt() ==
                             int(rpc::FieldShape::Type::Enum));
            return dropDown(box);
        }
        break;
    default:
        break;
    }
    return new QLineEdit(parent);
}

void FormDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    const QString text = index.data(Qt::EditRole).toString();
    editor->setProperty(kOriginal, text);
    if (auto *box = qobject_cast<QComboBox *>(editor)) {
        int i = text.isEmpty() && kindOf(index) != Kind::Oneof && kindOf(index) != Kind::Any
                    ? box->findText(index.data(FormModel::DefaultTextRole).toString())
                    : box->findText(text);
        if (i < 0 && text.isEmpty())
            i = 0;
        if (i >= 0)
            box->setCurrentIndex(i);
        else if (box->isEditable())
            box->setEditText(text);
        editor->setProperty(kOriginal, box->currentText()); // what it showed: unchanged is no edit
    } else if (auto *dt = qobject_cast<QDateTimeEdit *>(editor)) {
        const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
        dt->setDateTime(t.isValid() ? t.toUTC() : QDateTime::currentDateTimeUtc());
        editor->setProperty(kOriginal, dt->dateTime());
    } else if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->setText(text);
    }
}

void FormDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    // An editor closed without a change is no edit: the JSON keeps what was written.
    const QVariant original = editor->property(kOriginal);
    QString text;
    if (auto *box = qobject_cast<QComboBox *>(editor)) {
        text = box->currentText();
        if (text == original.toString())
            return;
        if ((kindOf(index) == Kind::Oneof || kindOf(index) == Kind::Any) && !isMapKey(index) &&
            text == FormModel::tr("(none)"))
            text.clear();
    } else if (auto *dt = qobject_cast<QDateTimeEdit *>(editor)) {
        // Compared as times: a Timestamp may carry more digits than the editor shows.
        if (dt->dateTime() == original.toDateTime())
            return;
        text = dt->dateTime().toUTC().toString(Qt::ISODateWithMs);
    } else if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        text = line->text();
        if (text == original.toString())
            return;
    }
    model->setData(index, text, Qt::EditRole);
}

void FormDelegate::updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                                        const QModelIndex &index) const
{
    QStyledItemDelegate::updateEditorGeometry(editor, option, index);
    const QRect button = buttonRect(option, index);
    if (!button.isNull()) {
        QRect r = editor->geometry();
        r.setRight(button.left() - 2);
        editor->setGeometry(r);
    }
}

} // namespace ui
