// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/formmodel.h"
#include "rpc/schema.h"

#include <QTreeView>

class QLabel;
class QTimer;

namespace ui {

class FormDelegate;

// The request as a form: a tree view over models::FormModel, which holds the values (numbers
// exactly as written) and reads and writes the same JSON the JSON editor holds, so the two stay
// in sync. Repeated fields and maps have a "+" button in their row and elements a "−" one;
// Insert and Delete do the same from the keyboard, Ctrl+Up/Down reorder, and the context menu
// also sets bytes from hex or a file.
class FormEditor final : public QTreeView
{
    Q_OBJECT

public:
    enum Column {
        NameColumn = models::FormModel::NameColumn,
        ValueColumn = models::FormModel::ValueColumn,
        TypeColumn = models::FormModel::TypeColumn
    };
    using Kind = models::FormModel::Kind;

    explicit FormEditor(QWidget *parent = nullptr);

    models::FormModel *formModel() const { return m_model; }
    FormDelegate *formDelegate() const { return m_delegate; }

    void setMessageType(rpc::SchemaPtr schema, const std::string &typeName);
    // Rebuilds the form from JSON. On a syntax error the form is left as it was and the error
    // says where.
    models::Status setJson(const QByteArray &json);
    // The form as pretty JSON, fields in declaration order, unset fields left out.
    QByteArray toJson() const;

    // Editing, as the buttons, keys and the context menu do it (indexes of formModel()). What is
    // refused is said by the model's valueRejected(); the new element is invalid then.
    QModelIndex addElement(const QModelIndex &container, const QString &mapKey = {});
    void removeElement(const QModelIndex &element);
    void moveElement(const QModelIndex &element, int delta);
    void setPresent(const QModelIndex &message, bool present);
    void chooseOneof(const QModelIndex &oneof, const QString &fieldName);
    void chooseAnyType(const QModelIndex &any, const QString &typeName);
    // Sets a value as if typed; an error (and nothing changes) when it does not fit the field.
    models::Status setValue(const QModelIndex &index, const QString &text);
    // Reads the file on a pool thread, then sets the bytes (base64) if the field is still there.
    void loadBytesFromFile(const QModelIndex &index, const QString &file);

    // Finds a row by path: "inner.name", "items[1]", "counts[\"a\"]", "choice", "nameChoice".
    QModelIndex findItem(const QString &path) const;
    // The value column's text at `path`, "<missing>" when there is no such row.
    QString valueText(const QString &path) const;
    // Where the "+" or "−" button of a row is, in viewport coordinates (empty: none or hidden).
    QRect buttonRect(const QModelIndex &index) const;

signals:
    void edited();                             // the user changed the form
    void valueRejected(const QString &reason); // an edit did not fit its field

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showMenu(const QPoint &pos);
    void added(const QModelIndex &element);
    void fitColumns();

    void sayRefused(const QString &reason);

    models::FormModel *m_model;
    FormDelegate *m_delegate;
    QLabel *m_refused = nullptr; // why the last edit was refused, under its field for a while
    QTimer *m_refusedTimer = nullptr;
    bool m_fitting = false;   // the columns are being fitted to the width
    bool m_userSized = false; // the user set a column's width: no more fitting
};

} // namespace ui
