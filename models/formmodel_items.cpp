// SPDX-License-Identifier: GPL-3.0-or-later
// FormModel as a QAbstractItemModel (indexes, data, flags, setData) and the paths that name its rows.
#include "models/formmodel.h"

#include "formmodel_p.h"

#include <QRegularExpression>

namespace models {

// ---------------------------------------------------------------------------------------------
// The item model

FormModel::Node *FormModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    return static_cast<Node *>(index.internalPointer());
}

QModelIndex FormModel::indexOf(const Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node *>(node));
}

QModelIndex FormModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0 || (parent.isValid() && parent.column() != 0))
        return {};
    const Node *p = parent.isValid() ? nodeOf(parent) : m_root.get();
    if (!p || row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex FormModel::parent(const QModelIndex &child) const
{
    const Node *n = nodeOf(child);
    return n ? indexOf(n->parent) : QModelIndex();
}

int FormModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    const Node *p = parent.isValid() ? nodeOf(parent) : m_root.get();
    return p ? int(p->children.size()) : 0;
}

int FormModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FormModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Field");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    default:
        return {};
    }
}

Qt::ItemFlags FormModel::flags(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    if (!n)
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == ValueColumn) {
        switch (n->kind) {
        case Kind::Scalar:
        case Kind::WellKnown:
        case Kind::RawJson:
        case Kind::Oneof:
        case Kind::Any:
            f |= Qt::ItemIsEditable;
            break;
        default:
            break;
        }
    } else if (index.column() == NameColumn) {
        if (n->parent && n->parent->kind == Kind::Map)
            f |= Qt::ItemIsEditable; // the key
        if (n->kind == Kind::Message && !n->always)
            f |= Qt::ItemIsUserCheckable;
    }
    return f;
}

QVariant FormModel::data(const QModelIndex &index, int role) const
{
    const Node *n = nodeOf(index);
    if (!n)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case NameColumn:
            return n->name;
        case TypeColumn:
            return n->typeText;
        case ValueColumn:
            switch (n->kind) {
            case Kind::Repeated:
                return n->children.size() == 1 ? tr("1 element")
                                               : tr("%n elements", nullptr, int(n->children.size()));
            case Kind::Map:
                return n->children.size() == 1 ? tr("1 entry")
                                               : tr("%n entries", nullptr, int(n->children.size()));
            case Kind::Oneof:
                return n->children.empty() ? (role == Qt::EditRole ? QString() : tr("(none)"))
                                           : n->children.front()->name;
            case Kind::Any:
                return n->messageType.empty() ? (role == Qt::EditRole ? QString() : tr("(none)"))
                                              : QString::fromStdString(n->messageType);
            case Kind::Message:
                return {};
            default:
                break;
            }
            if (role == Qt::DisplayRole && n->kind == Kind::Scalar && n->field.type == Type::Enum &&
                isInteger(n->text)) {
                // An enum given by number: say which name it is.
                const int number = n->text.toInt();
                for (std::size_t i = 0; i < n->field.enumNumbers.size() && i < n->field.enumValues.size();
                     ++i) {
                    if (n->field.enumNumbers[i] == number)
                        return QStringLiteral("%1 (%2)").arg(n->text,
                                                             QString::fromStdString(n->field.enumValues[i]));
                }
            }
            return n->text;
        default:
            return {};
        }
    case Qt::CheckStateRole:
        if (index.column() == NameColumn && n->kind == Kind::Message && !n->always)
            return n->present ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ToolTipRole:
        if (index.column() == NameColumn && n->field.number && !n->element && n->kind != Kind::Oneof)
            return QStringLiteral("%1 = %2").arg(QString::fromStdString(n->field.name)).arg(n->field.number);
        if (index.column() == ValueColumn && n->kind == Kind::RawJson && n->field.typeName == kAny)
            return tr("The Any's type is not in the schema: it is kept as written and edited as JSON.");
        if (index.column() == ValueColumn && !n->extras.isEmpty())
            return tr("Also kept from the JSON, not in the schema: %1")
                .arg(n->extras.join(QStringLiteral(", ")));
        if (index.column() == ValueColumn && !n->text.isEmpty())
            return n->text.left(2000); // the whole value, where the cell cuts it short
        if (index.column() == TypeColumn)
            return n->typeText;
        return {};
    case KindRole:
        return int(n->kind);
    case ChoicesRole: {
        QStringList choices;
        if (n->kind == Kind::Oneof) {
            for (const auto &c : n->cases)
                choices << QString::fromStdString(c.jsonName);
        } else if (n->kind == Kind::Scalar && n->field.type == Type::Enum) {
            for (const auto &v : n->field.enumValues)
                choices << QString::fromStdString(v);
        } else if (n->kind == Kind::Scalar && n->field.type == Type::Bool) {
            choices << QStringLiteral("false") << QStringLiteral("true");
        }
        if (index.column() == NameColumn && n->parent && n->parent->kind == Kind::Map &&
            n->parent->field.mapEntry.size() == 2 && n->parent->field.mapEntry[0].type == Type::Bool)
            return QStringList{QStringLiteral("false"), QStringLiteral("true")};
        return choices;
    }
    case ScalarTypeRole:
        return int(n->field.type);
    case TypeNameRole:
        return QString::fromStdString(n->field.typeName);
    case ElementRole:
        return n->element;
    case IsSetRole:
        switch (n->kind) {
        case Kind::Scalar:
        case Kind::WellKnown:
        case Kind::RawJson:
            return !n->token.isEmpty();
        case Kind::Message:
            return n->present;
        case Kind::Any:
            return !n->messageType.empty();
        case Kind::Oneof:
            return !n->children.empty();
        case Kind::Repeated:
        case Kind::Map:
            return !n->children.empty();
        }
        return false;
    case DefaultTextRole:
        return defaultText(n->field, n->kind);
    case CanAddRole:
        return n->kind == Kind::Repeated || n->kind == Kind::Map;
    case CanRemoveRole:
        return n->element;
    case PathRole:
        return path(index);
    default:
        return {};
    }
}

bool FormModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const Node *n = nodeOf(index);
    if (!n)
        return false;
    if (role == Qt::CheckStateRole && index.column() == NameColumn && n->kind == Kind::Message &&
        !n->always) {
        setPresent(index, value.value<Qt::CheckState>() == Qt::Checked);
        return true;
    }
    if (role != Qt::EditRole)
        return false;
    const QString text = value.toString();
    if (index.column() == NameColumn)
        return setMapKey(index, text).ok();
    if (index.column() != ValueColumn)
        return false;
    if (n->kind == Kind::Oneof)
        return chooseOneof(index, text);
    if (n->kind == Kind::Any)
        return chooseAnyType(index, text);
    return setValue(index, text).ok();
}

FormModel::Kind FormModel::kind(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n ? n->kind : Kind::Message;
}

rpc::FieldShape FormModel::field(const QModelIndex &index) const
{
    const Node *n = nodeOf(index);
    return n ? n->field : rpc::FieldShape{};
}

// ---------------------------------------------------------------------------------------------
// Paths

QString FormModel::path(const QModelIndex &index) const
{
    QStringList parts; // from the leaf up
    for (const Node *n = nodeOf(index); n && n != m_root.get(); n = n->parent) {
        const Node *p = n->parent;
        if (p && p->kind == Kind::Repeated)
            parts << QStringLiteral("[%1]").arg(n->row);
        else if (p && p->kind == Kind::Map)
            parts << QStringLiteral("[\"%1\"]").arg(n->name);
        else
            parts << n->name;
        if (p && p->kind == Kind::Oneof)
            n = p; // a case is found by its own name, not through its group
    }
    QString out;
    for (auto it = parts.crbegin(); it != parts.crend(); ++it)
        out += (it->startsWith(u'[') || out.isEmpty() ? QString() : QStringLiteral(".")) + *it;
    return out;
}

QModelIndex FormModel::findIndex(const QString &path) const
{
    static const QRegularExpression part(
        QStringLiteral(R"re(([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\["([^"]*)"\])re"));
    const Node *at = m_root.get();
    auto it = part.globalMatch(path);
    while (it.hasNext()) {
        const auto m = it.next();
        const Node *next = nullptr;
        auto search = [&](const QString &name) -> const Node * {
            for (const auto &c : at->children) {
                if (c->name == name)
                    return c.get();
                // Look through oneof groups for their chosen case.
                if (c->kind == Kind::Oneof && !c->children.empty() && c->children.front()->name == name)
                    return c->children.front().get();
            }
            return nullptr;
        };
        if (!m.captured(1).isEmpty()) {
            next = search(m.captured(1));
        } else if (!m.captured(2).isEmpty()) {
            const int i = m.captured(2).toInt();
            next = i < int(at->children.size()) ? at->children[std::size_t(i)].get() : nullptr;
        } else {
            next = search(m.captured(3));
        }
        if (!next)
            return {};
        at = next;
    }
    return indexOf(at);
}

} // namespace models
