// SPDX-License-Identifier: GPL-3.0-or-later
// FormModel's edits: adding, removing and moving elements, choosing oneof cases and Any types,
// and setting values and map keys after checking them against the field.
#include "models/formmodel.h"

#include "formmodel_p.h"

#include <QDate>
#include <QRegularExpression>
#include <QTime>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace models {

namespace {

bool isJsonNumber(const QString &t)
{
    static const QRegularExpression re(QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
    return re.match(t).hasMatch();
}

// Why `t` is not an integer of `type`, or empty.
QString integerProblem(const QString &t, Type type)
{
    if (!isInteger(t))
        return FormModel::tr("%1 is not an integer").arg(t);
    bool ok = false;
    switch (type) {
    case Type::Int32: {
        const qlonglong v = t.toLongLong(&ok);
        ok = ok && v >= std::numeric_limits<qint32>::min() && v <= std::numeric_limits<qint32>::max();
        break;
    }
    case Type::UInt32:
        ok = !t.startsWith(u'-') && t.toULongLong(&ok) <= std::numeric_limits<quint32>::max() && ok;
        break;
    case Type::Int64:
        t.toLongLong(&ok);
        break;
    case Type::UInt64:
        t.toULongLong(&ok);
        ok = ok && !t.startsWith(u'-');
        break;
    default:
        break;
    }
    return ok ? QString() : FormModel::tr("%1 is out of range for %2").arg(t, scalarName(type));
}

bool decodesAsBase64(const QString &t)
{
    const QByteArray latin = t.toLatin1();
    return bool(QByteArray::fromBase64Encoding(latin, QByteArray::AbortOnBase64DecodingErrors)) ||
           bool(QByteArray::fromBase64Encoding(latin, QByteArray::Base64UrlEncoding |
                                                          QByteArray::AbortOnBase64DecodingErrors));
}

bool isTimestamp(const QString &t)
{
    static const QRegularExpression re(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$)"));
    const auto m = re.match(t);
    return m.hasMatch() &&
           QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()).isValid() &&
           QTime(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt()).isValid();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Edits

Error FormModel::reject(const QString &reason)
{
    emit valueRejected(reason);
    return fail(reason);
}

void FormModel::insertChild(Node *parent, int row, std::unique_ptr<Node> child)
{
    beginInsertRows(indexOf(parent), row, row);
    child->parent = parent;
    parent->children.insert(parent->children.begin() + row, std::move(child));
    renumber(parent);
    endInsertRows();
}

void FormModel::replaceChildren(Node *node, const std::function<void(Node *)> &fill)
{
    const QModelIndex at = indexOf(node);
    if (!node->children.empty()) {
        beginRemoveRows(at, 0, int(node->children.size()) - 1);
        node->children.clear();
        endRemoveRows();
    }
    Node fresh;
    fresh.kind = node->kind;
    fill(&fresh);
    node->extras = fresh.extras;
    if (fresh.children.empty())
        return;
    beginInsertRows(at, 0, int(fresh.children.size()) - 1);
    node->children = std::move(fresh.children);
    for (auto &c : node->children)
        c->parent = node;
    renumber(node);
    endInsertRows();
}

Result<QModelIndex> FormModel::addElement(const QModelIndex &containerIndex, const QString &mapKey)
{
    Node *container = nodeOf(containerIndex);
    if (!container || (container->kind != Kind::Repeated && container->kind != Kind::Map))
        return fail(tr("elements are added to a repeated field or a map"));
    std::unique_ptr<Node> element;
    if (container->kind == Kind::Map) {
        if (container->field.mapEntry.size() != 2)
            return fail(tr("%1 is not a map with a key and a value").arg(container->name));
        QString key = mapKey;
        if (key.isEmpty()) {
            // A fresh key that fits the key type.
            const Type keyType = container->field.mapEntry[0].type;
            const int taken = int(container->children.size());
            for (int i = 0; i <= taken + 1; ++i) {
                const QString candidate = keyType == Type::Bool     ? (i == 0   ? QStringLiteral("false")
                                                                       : i == 1 ? QStringLiteral("true")
                                                                                : QString())
                                          : keyType == Type::String ? QStringLiteral("key%1").arg(taken + i)
                                                                    : QString::number(taken + i);
                if (!candidate.isEmpty() && !container->child(candidate)) {
                    key = candidate;
                    break;
                }
            }
            if (key.isEmpty())
                return reject(tr("every key of %1 is taken").arg(container->name));
        } else if (const QString problem = validateKey(container, key); !problem.isEmpty()) {
            return reject(problem);
        }
        element = makeValue(container->field.mapEntry[1], nullptr, true);
        element->name = key;
    } else {
        element = makeValue(single(container->field), nullptr, true);
    }
    const int row = int(container->children.size());
    insertChild(container, row, std::move(element));
    const QModelIndex count = indexOf(container, ValueColumn);
    emit dataChanged(count, count);
    emit edited();
    return index(row, 0, containerIndex.siblingAtColumn(0));
}

bool FormModel::removeElement(const QModelIndex &elementIndex)
{
    Node *n = nodeOf(elementIndex);
    if (!n || !n->element || !n->parent)
        return false;
    Node *container = n->parent;
    const int row = n->row;
    beginRemoveRows(indexOf(container), row, row);
    container->children.erase(container->children.begin() + row);
    reindex(container);
    endRemoveRows();
    renumber(container); // the names after it change now, announced below
    if (row < int(container->children.size()))
        emit dataChanged(indexOf(container->children[std::size_t(row)].get()),
                         indexOf(container->children.back().get()));
    const QModelIndex count = indexOf(container, ValueColumn);
    emit dataChanged(count, count);
    emit edited();
    return true;
}

bool FormModel::moveElement(const QModelIndex &elementIndex, int delta)
{
    Node *n = nodeOf(elementIndex);
    if (!n || !n->element || !n->parent || n->parent->kind != Kind::Repeated)
        return false;
    Node *container = n->parent;
    const int from = n->row;
    const int to = from + delta;
    if (delta == 0 || to < 0 || to >= int(container->children.size()))
        return false;
    const QModelIndex parentIndex = indexOf(container);
    if (!beginMoveRows(parentIndex, from, from, parentIndex, to > from ? to + 1 : to))
        return false;
    auto moving = std::move(container->children[std::size_t(from)]);
    container->children.erase(container->children.begin() + from);
    container->children.insert(container->children.begin() + to, std::move(moving));
    reindex(container);
    endMoveRows();
    renumber(container);
    emit dataChanged(index(std::min(from, to), NameColumn, parentIndex),
                     index(std::max(from, to), NameColumn, parentIndex));
    emit edited();
    return true;
}

void FormModel::setPresent(const QModelIndex &messageIndex, bool present)
{
    Node *n = nodeOf(messageIndex);
    if (!n || n->kind != Kind::Message || (n->always && !present) || n->present == present)
        return;
    n->present = present;
    const std::string type = n->messageType;
    replaceChildren(n, [&](Node *fresh) {
        if (present)
            fillMessage(fresh, type, nullptr);
    });
    const QModelIndex name = indexOf(n, NameColumn);
    emit dataChanged(name, indexOf(n, ValueColumn));
    emit edited();
}

bool FormModel::chooseOneof(const QModelIndex &groupIndex, const QString &fieldName)
{
    Node *group = nodeOf(groupIndex);
    if (!group || group->kind != Kind::Oneof)
        return false;
    const rpc::FieldShape *chosen = nullptr;
    for (const auto &c : group->cases) {
        if (QString::fromStdString(c.jsonName) == fieldName || QString::fromStdString(c.name) == fieldName)
            chosen = &c;
    }
    if (!chosen && !fieldName.isEmpty()) {
        reject(tr("%1 is not a case of %2").arg(fieldName, group->name));
        return false;
    }
    replaceChildren(group, [&](Node *fresh) {
        if (!chosen)
            return;
        auto child = makeValue(*chosen, nullptr, false);
        child->always = true;
        if (child->kind == Kind::Message) {
            child->present = true;
            fillMessage(child.get(), child->messageType, nullptr);
        }
        fresh->children.push_back(std::move(child));
    });
    const QModelIndex value = indexOf(group, ValueColumn);
    emit dataChanged(value, value);
    emit edited();
    return true;
}

bool FormModel::chooseAnyType(const QModelIndex &anyIndex, const QString &typeName)
{
    Node *any = nodeOf(anyIndex);
    if (!any || any->field.typeName != kAny || (any->kind != Kind::Any && any->kind != Kind::RawJson))
        return false;
    const rpc::MessageShape *inner = typeName.isEmpty() ? nullptr : shape(typeName.toStdString());
    if (!typeName.isEmpty() && !inner) {
        reject(tr("unknown message type %1").arg(typeName));
        return false;
    }
    replaceChildren(any, [&](Node *fresh) {
        if (!inner) {
            fillAny(any, nullptr);
            return;
        }
        any->kind = Kind::Any;
        any->token.clear();
        any->text.clear();
        any->messageType = inner->fullName;
        any->typeUrl = QStringLiteral("type.googleapis.com/") + QString::fromStdString(inner->fullName);
        if (!inner->wellKnown.empty()) {
            rpc::FieldShape v;
            v.name = v.jsonName = "value";
            v.type = Type::Message;
            v.typeName = inner->fullName;
            auto child = makeValue(v, nullptr, false);
            child->always = true;
            fresh->children.push_back(std::move(child));
        } else {
            fillMessage(fresh, inner->fullName, nullptr);
        }
    });
    const QModelIndex row = indexOf(any, NameColumn);
    emit dataChanged(row, indexOf(any, TypeColumn));
    emit edited();
    return true;
}

QString FormModel::validate(const Node *n, const QString &t) const
{
    if (t.isEmpty())
        return {};
    if (n->kind == Kind::WellKnown) {
        if (n->field.typeName == kTimestamp && !isTimestamp(t))
            return tr("a Timestamp looks like 2024-05-01T12:00:00Z");
        static const QRegularExpression duration(QStringLiteral("^-?\\d+(\\.\\d{1,9})?s$"));
        if (n->field.typeName == kDuration && !duration.match(t).hasMatch())
            return tr("a Duration looks like 1.5s");
        return {};
    }
    if (n->kind == Kind::RawJson) {
        const QByteArray utf8 = t.toUtf8();
        auto doc = rpc::json::parseDocument(std::string_view(utf8.constData(), std::size_t(utf8.size())));
        if (!doc)
            return tr("not valid JSON: %1").arg(QString::fromStdString(doc.error().message));
        return {};
    }
    if (n->kind != Kind::Scalar)
        return {};
    switch (n->field.type) {
    case Type::Int32:
    case Type::UInt32:
    case Type::Int64:
    case Type::UInt64:
        return integerProblem(t, n->field.type);
    case Type::Float:
    case Type::Double: {
        if (isSpecialFloat(t))
            return {};
        if (!isJsonNumber(t))
            return tr("%1 is not a number").arg(t);
        const double v = t.toDouble();
        const double max = n->field.type == Type::Float ? double(FLT_MAX) : DBL_MAX;
        if (!std::isfinite(v) || std::fabs(v) > max)
            return tr("%1 is out of range for %2")
                .arg(t, n->field.type == Type::Float ? QStringLiteral("float") : QStringLiteral("double"));
        return {};
    }
    case Type::Bool:
        return t == QLatin1String("true") || t == QLatin1String("false") ? QString()
                                                                         : tr("a bool is true or false");
    case Type::Enum:
        if (isInteger(t))
            return integerProblem(t, Type::Int32);
        if (std::find(n->field.enumValues.begin(), n->field.enumValues.end(), t.toStdString()) ==
            n->field.enumValues.end())
            return tr("%1 is not a value of %2").arg(t, QString::fromStdString(n->field.typeName));
        return {};
    case Type::Bytes:
        return decodesAsBase64(t) ? QString()
                                  : tr("bytes are entered as base64 (or use Set from hex… / Load file…)");
    default:
        return {};
    }
}

Status FormModel::setValue(const QModelIndex &index, const QString &text)
{
    Node *n = nodeOf(index);
    if (!n || (n->kind != Kind::Scalar && n->kind != Kind::WellKnown && n->kind != Kind::RawJson))
        return fail(tr("%1 does not take a value").arg(n ? n->name : tr("this row")));
    // Strings are taken as typed; everything else without surrounding blanks.
    const bool verbatim = n->kind == Kind::Scalar && n->field.type == Type::String;
    const QString t = verbatim ? text : text.trimmed();
    if (const QString problem = validate(n, t); !problem.isEmpty())
        return reject(problem);
    if (t.isEmpty() && !(verbatim && n->always)) {
        n->text.clear();
        n->token.clear();
    } else {
        n->text = n->kind == Kind::RawJson ? literal(t, n->field, n->kind) : t;
        n->token = literal(t, n->field, n->kind);
    }
    const QModelIndex value = indexOf(n, ValueColumn);
    emit dataChanged(value, value);
    emit edited();
    return {};
}

QString FormModel::validateKey(const Node *container, const QString &key) const
{
    if (container->field.mapEntry.size() != 2)
        return tr("not a map");
    const Type type = container->field.mapEntry[0].type;
    if (type == Type::Bool && key != QLatin1String("true") && key != QLatin1String("false"))
        return tr("a bool key is true or false");
    if (type == Type::Int32 || type == Type::UInt32 || type == Type::Int64 || type == Type::UInt64) {
        if (QString problem = integerProblem(key, type); !problem.isEmpty())
            return problem;
    }
    if (container->child(key))
        return tr("%1 already has the key %2").arg(container->name, key);
    return {};
}

Status FormModel::setMapKey(const QModelIndex &entry, const QString &key)
{
    Node *n = nodeOf(entry);
    if (!n || !n->parent || n->parent->kind != Kind::Map)
        return fail(tr("only a map entry has a key"));
    if (key == n->name)
        return {};
    if (const QString problem = validateKey(n->parent, key); !problem.isEmpty())
        return reject(problem);
    n->name = key;
    const QModelIndex name = indexOf(n, NameColumn);
    emit dataChanged(name, name);
    emit edited();
    return {};
}

} // namespace models
