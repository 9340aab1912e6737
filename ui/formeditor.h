// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/schema.h"

#include <QTreeWidget>

#include <map>
#include <string>
#include <unordered_map>

namespace ui {

// The request as a form generated from the message's descriptor: nested messages (set or
// not), repeated fields (add, remove, reorder), maps, oneofs (choose the case), enums, bool,
// integers with range checks (64-bit as text), floats, strings, bytes (base64, hex or a file),
// Timestamp and Duration, Any (choose the type, then edit it), Struct and Value as JSON text.
// It reads and writes the same JSON the JSON editor holds, so the two stay in sync.
class FormEditor final : public QTreeWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, ValueColumn, TypeColumn };

    explicit FormEditor(QWidget *parent = nullptr);

    void setMessageType(rpc::SchemaPtr schema, const std::string &typeName);
    // Rebuilds the form from JSON. On a syntax error the form is left as it was and `error`
    // says where.
    bool setJson(const QByteArray &json, QString *error = nullptr);
    // The form as pretty JSON, fields in declaration order, unset fields left out.
    QByteArray toJson() const;

    // Editing, as the context menu and the value editors do it.
    QTreeWidgetItem *addElement(QTreeWidgetItem *container, const QString &mapKey = {});
    void removeElement(QTreeWidgetItem *element);
    void moveElement(QTreeWidgetItem *element, int delta);
    void setPresent(QTreeWidgetItem *messageItem, bool present);
    void chooseOneof(QTreeWidgetItem *oneofItem, const QString &fieldName);
    void chooseAnyType(QTreeWidgetItem *anyItem, const QString &typeName);
    // Sets a value as if typed; false (and nothing changes) when it does not fit the field.
    bool setValue(QTreeWidgetItem *item, const QString &text, QString *error = nullptr);
    void loadBytesFromFile(QTreeWidgetItem *item, const QString &file);

    // Finds an item by path: "inner.name", "items[1]", "counts[\"a\"]", "choice".
    QTreeWidgetItem *findItem(const QString &path) const;
    std::vector<std::string> anyTypes() const;
    // What a value editor needs to know about an item.
    enum class Kind { Message, Scalar, Repeated, Map, Oneof, Any, WellKnown, RawJson };
    struct Node
    {
        Kind kind = Kind::Scalar;
        rpc::FieldShape field;   // the field (for elements: the field they belong to)
        bool element = false;    // an element of a repeated field or a map value
        std::string messageType; // Message and Any: the type shown
        std::string oneofName;   // Oneof groups
        std::vector<std::string> cases;
    };
    const Node *node(const QTreeWidgetItem *item) const;

signals:
    void edited();                             // the user changed the form
    void valueRejected(const QString &reason); // an edit did not fit its field

private:
    const rpc::MessageShape *shape(const std::string &typeName) const;
    void fillMessage(QTreeWidgetItem *parent, const std::string &typeName, const QJsonObject &object);
    QTreeWidgetItem *addField(QTreeWidgetItem *parent, const rpc::FieldShape &field, const QJsonValue &value);
    QTreeWidgetItem *addValue(QTreeWidgetItem *parent, const rpc::FieldShape &field, const QJsonValue &value,
                              const QString &label, bool element, int index = -1);
    void renumber(QTreeWidgetItem *container);
    void forget(QTreeWidgetItem *item);
    void showMenu(const QPoint &pos);
    void changed();

    rpc::SchemaPtr m_schema;
    std::string m_type;
    mutable std::map<std::string, rpc::MessageShape> m_shapes;
    std::unordered_map<const QTreeWidgetItem *, Node> m_nodes;
    mutable std::vector<std::string> m_anyTypes;
    bool m_building = false;
};

} // namespace ui
