// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace ui {

// Editors and row buttons for the request form (models::FormModel): a combo box for enums,
// bools, oneof cases and an Any's type, a date-time editor for Timestamps, a line edit for the
// rest. A repeated field or map shows a "+" button in its value cell, each element a "−" one,
// so that adding and removing never needs the context menu.
class FormDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit FormDelegate(QObject *parent = nullptr);

    // Where the row's button is drawn for a cell of the value column, empty when it has none.
    QRect buttonRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;
    void updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

signals:
    void addClicked(const QModelIndex &container);
    void removeClicked(const QModelIndex &element);

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    QString buttonText(const QModelIndex &index) const;
};

} // namespace ui
