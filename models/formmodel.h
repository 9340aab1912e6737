// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"
#include "rpc/jsondom.h"
#include "rpc/schema.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace models {

// A request message as a tree of values, built from the schema's message shapes: nested
// messages (set or not), repeated fields, maps, oneofs (one row whose value is the chosen case),
// enums, scalars, bytes, Timestamp, Duration, FieldMask, wrappers, Any (its type, then its
// fields) and Struct/Value/ListValue (as JSON text).
//
// It reads and writes the JSON the request editor holds. Every value keeps the JSON text it was
// read from until it is edited, so numbers are never rounded (int64 beyond 2^53, doubles as
// written), strings keep their escapes and map entries their order; fields the schema does not
// know and Any values of unknown types are kept and written back as they were. Edits are
// checked against the field's type and range and rejected (valueRejected) when they do not fit.
class FormModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ValueColumn, TypeColumn, ColumnCount };
    enum class Kind { Message, Scalar, Repeated, Map, Oneof, Any, WellKnown, RawJson };
    enum Role {
        KindRole = Qt::UserRole + 1, // Kind, as int
        ChoicesRole,                 // QStringList: enum names, oneof cases, "false"/"true"
        ScalarTypeRole,              // rpc::FieldShape::Type, as int
        TypeNameRole,                // QString: message, enum or well-known type name
        ElementRole,                 // bool: an element of a repeated field or a map's value
        IsSetRole,                   // bool: the value is written to the JSON
        DefaultTextRole,             // QString: what an unset scalar means ("0", "false", …)
        CanAddRole,                  // bool: a repeated field or map (elements can be added)
        CanRemoveRole,               // bool: an element (it can be removed)
        PathRole,                    // QString: "items[1].name", as findIndex takes it
    };

    explicit FormModel(QObject *parent = nullptr);
    ~FormModel() override;

    // The message type the form shows; the form is emptied.
    void setMessageType(rpc::SchemaPtr schema, const std::string &typeName);
    const std::string &messageType() const { return m_type; }
    // Rebuilds the tree from JSON (one reset). On a syntax error the tree is left as it was and
    // the error says where ("1:10: …").
    Status setJson(const QByteArray &json);
    // The form as pretty JSON (two spaces), fields in declaration order, unset fields left out.
    QByteArray toJson() const;

    // Edits, as a user makes them; each emits edited() when it changed something.
    // Adds an element (a map entry: with `mapKey`, or a free key that fits the key type).
    // Refusals (here and in the edits below) are also emitted as valueRejected().
    Result<QModelIndex> addElement(const QModelIndex &container, const QString &mapKey = {});
    bool removeElement(const QModelIndex &element);
    bool moveElement(const QModelIndex &element, int delta);
    void setPresent(const QModelIndex &message, bool present);
    bool chooseOneof(const QModelIndex &oneof, const QString &fieldName); // empty: none
    bool chooseAnyType(const QModelIndex &any, const QString &typeName);  // empty: none
    // Sets a value as if typed; an error (and nothing changes) when it does not fit the field.
    // Empty text unsets a field (an element gets its type's default).
    Status setValue(const QModelIndex &index, const QString &text);
    Status setMapKey(const QModelIndex &entry, const QString &key);

    // "inner.name", "items[1]", "counts[\"a\"]", "choice" (a oneof row), "nameChoice" (its case).
    QModelIndex findIndex(const QString &path) const;
    QString path(const QModelIndex &index) const;
    Kind kind(const QModelIndex &index) const;
    // The field an index edits (for elements: the field they belong to, as a single value).
    rpc::FieldShape field(const QModelIndex &index) const;
    // Message types an Any can hold.
    std::vector<std::string> anyTypes() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void edited();                             // the user changed the form
    void valueRejected(const QString &reason); // an edit did not fit its field

private:
    struct Node;
    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(const Node *node, int column = 0) const;
    const rpc::MessageShape *shape(const std::string &typeName) const;
    void fillMessage(Node *parent, const std::string &typeName, const rpc::json::Value *object);
    std::unique_ptr<Node> makeField(const rpc::FieldShape &field, const rpc::json::Value *value);
    std::unique_ptr<Node> makeValue(const rpc::FieldShape &field, const rpc::json::Value *value,
                                    bool element);
    void fillAny(Node *any, const rpc::json::Value *object);
    QString rawText(const rpc::json::Value &value) const;
    void keepUnknown(Node *message, const rpc::json::Value *object,
                     const std::set<const rpc::json::Value *> &used);
    void replaceChildren(Node *node, const std::function<void(Node *)> &fill);
    void insertChild(Node *parent, int row, std::unique_ptr<Node> child);
    void reindex(Node *container);  // rows
    void renumber(Node *container); // rows and the names of repeated elements
    Error reject(const QString &reason); // emits valueRejected
    QString validate(const Node *node, const QString &text) const;
    QString validateKey(const Node *entry, const QString &key) const;
    QString writeValue(const Node *node, int depth) const;
    QString writeObject(const Node *node, int depth, const QString &first) const;

    rpc::SchemaPtr m_schema;
    std::string m_type;
    std::unique_ptr<Node> m_root;
    mutable std::map<std::string, rpc::MessageShape> m_shapes;
    mutable std::vector<std::string> m_anyTypes;
    std::string_view m_reading; // the JSON being read, while setJson builds the tree
};

} // namespace models
