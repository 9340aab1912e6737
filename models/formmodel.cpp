// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/formmodel.h"

#include "rpc/jsonutil.h"

#include <QDate>
#include <QRegularExpression>
#include <QTime>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <set>

namespace models {

using Type = rpc::FieldShape::Type;
using Kind = FormModel::Kind;
using rpc::json::Value;

namespace {

const char kTimestamp[] = "google.protobuf.Timestamp";
const char kDuration[] = "google.protobuf.Duration";
const char kFieldMask[] = "google.protobuf.FieldMask";
const char kAny[] = "google.protobuf.Any";
const char kEmpty[] = "google.protobuf.Empty";

bool isRawJsonType(const std::string &t)
{
    return t == "google.protobuf.Struct" || t == "google.protobuf.Value" || t == "google.protobuf.ListValue";
}

QString quoted(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return QString::fromStdString(
        rpc::jsonQuote(std::string_view(utf8.constData(), std::size_t(utf8.size()))));
}

QString scalarName(Type type)
{
    static const char *const names[] = {"double", "float",  "int64", "uint64", "int32",  "uint32",
                                        "bool",   "string", "bytes", "enum",   "message"};
    return QString::fromLatin1(names[int(type)]);
}

QString typeLabel(const rpc::FieldShape &f)
{
    if (f.map && f.mapEntry.size() == 2)
        return QStringLiteral("map<%1, %2>").arg(typeLabel(f.mapEntry[0]), typeLabel(f.mapEntry[1]));
    const QString t = f.typeName.empty() ? scalarName(f.type) : QString::fromStdString(f.typeName);
    return f.repeated ? QStringLiteral("repeated ") + t : t;
}

rpc::FieldShape single(rpc::FieldShape f)
{
    f.repeated = false;
    f.map = false;
    f.mapEntry.clear();
    return f;
}

// JSON text without the white space between tokens; numbers and strings stay as written.
QString compact(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            const std::size_t start = i++;
            while (i < text.size() && text[i] != '"')
                i += text[i] == '\\' ? 2 : 1;
            out.append(text.substr(start, std::min(i, text.size() - 1) - start + 1));
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            out.push_back(c);
        }
    }
    return QString::fromStdString(out);
}

bool isInteger(const QString &t)
{
    static const QRegularExpression re(QStringLiteral("^-?(0|[1-9][0-9]*)$"));
    return re.match(t).hasMatch();
}

bool isJsonNumber(const QString &t)
{
    static const QRegularExpression re(QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
    return re.match(t).hasMatch();
}

bool isSpecialFloat(const QString &t)
{
    return t == QLatin1String("NaN") || t == QLatin1String("Infinity") || t == QLatin1String("-Infinity");
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

struct FormModel::Node
{
    Kind kind = Kind::Scalar;
    rpc::FieldShape field;              // for elements: the field they belong to, as a single value
    bool element = false;               // in a repeated field or a map
    bool always = false;                // written even when unset: elements, oneof cases, an Any's value
    QString name;                       // field name, "[i]" or the map key
    QString typeText;                   // the type column
    QString text;                       // Scalar, WellKnown, RawJson: the value as shown and edited
    QString token;                      // the JSON written for it; empty: unset
    bool present = false;               // Message: set
    std::string messageType;            // Message; Any: the type it holds
    QString typeUrl;                    // Any: "@type" as written
    std::vector<rpc::FieldShape> cases; // Oneof
    QStringList extras;                 // Message, Any: members the schema does not know, as `"name": value`
    Node *parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;

    Node *child(const QString &childName) const
    {
        for (const auto &c : children) {
            if (c->name == childName)
                return c.get();
        }
        return nullptr;
    }
};

namespace {

// What an unset value means, as the form shows it.
QString defaultText(const rpc::FieldShape &f, Kind kind)
{
    if (kind == Kind::WellKnown) {
        if (f.typeName == kTimestamp)
            return QStringLiteral("1970-01-01T00:00:00Z");
        if (f.typeName == kDuration)
            return QStringLiteral("0s");
        return {};
    }
    if (kind == Kind::RawJson) {
        if (f.typeName == "google.protobuf.Struct")
            return QStringLiteral("{}");
        if (f.typeName == "google.protobuf.ListValue")
            return QStringLiteral("[]");
        return QStringLiteral("null");
    }
    switch (f.type) {
    case Type::Bool:
        return QStringLiteral("false");
    case Type::String:
    case Type::Bytes:
    case Type::Message:
        return {};
    case Type::Enum:
        return f.enumValues.empty() ? QStringLiteral("0") : QString::fromStdString(f.enumValues.front());
    default:
        return QStringLiteral("0");
    }
}

// The JSON for a value typed into the form, by the proto3 JSON mapping.
QString literal(const QString &text, const rpc::FieldShape &f, Kind kind)
{
    if (kind == Kind::RawJson) {
        const QByteArray utf8 = text.toUtf8();
        return compact(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    }
    if (kind != Kind::Scalar)
        return quoted(text);
    switch (f.type) {
    case Type::Int32:
    case Type::UInt32:
    case Type::Bool:
        return text;
    case Type::Float:
    case Type::Double:
        return isSpecialFloat(text) ? quoted(text) : text;
    case Type::Enum:
        return isInteger(text) ? text : quoted(text);
    default:
        return quoted(text);
    }
}

} // namespace

FormModel::FormModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_root->kind = Kind::Message;
    m_root->present = true;
}

FormModel::~FormModel() = default;

const rpc::MessageShape *FormModel::shape(const std::string &typeName) const
{
    if (const auto it = m_shapes.find(typeName); it != m_shapes.end())
        return &it->second;
    if (!m_schema)
        return nullptr;
    auto s = m_schema->messageShape(typeName);
    if (!s)
        return nullptr;
    return &m_shapes.emplace(typeName, std::move(*s)).first->second;
}

std::vector<std::string> FormModel::anyTypes() const
{
    if (m_anyTypes.empty() && m_schema)
        m_anyTypes = m_schema->messageNames();
    return m_anyTypes;
}

void FormModel::setMessageType(rpc::SchemaPtr schema, const std::string &typeName)
{
    m_schema = std::move(schema);
    m_type = typeName;
    m_shapes.clear();
    m_anyTypes.clear();
    (void)setJson("{}"); // an empty object always parses
}

Status FormModel::setJson(const QByteArray &json)
{
    const std::string_view text(json.constData(), std::size_t(json.size()));
    const bool blank = json.trimmed().isEmpty();
    auto doc = rpc::json::parseDocument(blank ? std::string_view("{}") : text);
    if (!doc) {
        const rpc::Diagnostic d =
            doc.error().diagnostics.empty() ? rpc::Diagnostic{} : doc.error().diagnostics.front();
        return fail(QStringLiteral("%1:%2: %3")
                        .arg(d.line)
                        .arg(d.column)
                        .arg(QString::fromStdString(d.message.empty() ? doc.error().message : d.message)));
    }
    if (doc->type != Value::Type::Object)
        return fail(tr("1:1: a request is a JSON object, not %1").arg(QString::fromLatin1(doc->typeName())));
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->kind = Kind::Message;
    m_root->present = true;
    m_root->messageType = m_type;
    m_reading = blank ? std::string_view("{}") : text;
    fillMessage(m_root.get(), m_type, &doc.value());
    m_reading = {};
    endResetModel();
    return {};
}

namespace {

const Value *member(const Value *object, const rpc::FieldShape &f)
{
    if (!object || object->type != Value::Type::Object)
        return nullptr;
    const Value *byProtoName = nullptr;
    for (const auto &m : object->members) {
        if (m.name == f.jsonName)
            return &m.value;
        if (!byProtoName && m.name == f.name)
            byProtoName = &m.value;
    }
    return byProtoName;
}

} // namespace

QString FormModel::rawText(const Value &v) const
{
    if (v.end <= v.offset || v.end > m_reading.size())
        return {};
    return compact(m_reading.substr(v.offset, v.end - v.offset));
}

void FormModel::keepUnknown(Node *message, const Value *object, const std::set<const Value *> &used)
{
    if (!object || object->type != Value::Type::Object)
        return;
    for (const auto &m : object->members) {
        if (!used.count(&m.value) && m.name != "@type")
            message->extras << quoted(QString::fromStdString(m.name)) + QStringLiteral(": ") +
                                   rawText(m.value);
    }
}

void FormModel::fillMessage(Node *parent, const std::string &typeName, const Value *object)
{
    const rpc::MessageShape *s = shape(typeName);
    if (!s)
        return;
    std::set<const Value *> used;
    std::set<std::string> oneofsDone;
    for (const auto &field : s->fields) {
        if (field.oneof.empty()) {
            const Value *v = member(object, field);
            used.insert(v);
            auto child = makeField(field, v);
            child->parent = parent;
            child->row = int(parent->children.size());
            parent->children.push_back(std::move(child));
            continue;
        }
        if (!oneofsDone.insert(field.oneof).second)
            continue;
        // A oneof is one row: choose the case, then edit it below.
        auto group = std::make_unique<Node>();
        group->kind = Kind::Oneof;
        group->name = QString::fromStdString(field.oneof);
        group->typeText = tr("oneof");
        group->field = field;
        group->parent = parent;
        group->row = int(parent->children.size());
        const rpc::FieldShape *chosen = nullptr;
        const Value *chosenValue = nullptr;
        for (const auto &f : s->fields) {
            if (f.oneof != field.oneof)
                continue;
            group->cases.push_back(f);
            if (const Value *v = member(object, f); v && !chosen) {
                chosen = &f;
                chosenValue = v;
            }
        }
        used.insert(chosenValue);
        if (chosen) {
            auto child = makeField(*chosen, chosenValue);
            child->always = true;
            if (child->kind == Kind::Message)
                child->present = true;
            child->parent = group.get();
            group->children.push_back(std::move(child));
        }
        parent->children.push_back(std::move(group));
    }
    used.erase(nullptr);
    keepUnknown(parent, object, used);
}

std::unique_ptr<FormModel::Node> FormModel::makeField(const rpc::FieldShape &field, const Value *value)
{
    if (!field.repeated)
        return makeValue(field, value, false);
    auto container = std::make_unique<Node>();
    container->kind = field.map ? Kind::Map : Kind::Repeated;
    container->field = field;
    container->name = QString::fromStdString(field.jsonName);
    container->typeText = typeLabel(field);
    if (field.map && field.mapEntry.size() == 2 && value && value->type == Value::Type::Object) {
        for (const auto &m : value->members) {
            auto entry = makeValue(field.mapEntry[1], &m.value, true);
            entry->name = QString::fromStdString(m.name);
            entry->parent = container.get();
            entry->row = int(container->children.size());
            container->children.push_back(std::move(entry));
        }
    } else if (!field.map && value && value->type == Value::Type::Array) {
        for (const auto &item : value->items) {
            auto element = makeValue(single(field), &item, true);
            element->parent = container.get();
            element->row = int(container->children.size());
            container->children.push_back(std::move(element));
        }
    }
    renumber(container.get());
    return container;
}

std::unique_ptr<FormModel::Node> FormModel::makeValue(const rpc::FieldShape &shapeOfField, const Value *value,
                                                      bool element)
{
    auto n = std::make_unique<Node>();
    const rpc::FieldShape field = single(shapeOfField);
    n->field = field;
    n->element = element;
    n->always = element;
    n->name = QString::fromStdString(field.jsonName);
    n->typeText = typeLabel(field);
    const bool isNull = !value || value->type == Value::Type::Null;
    // A scalar-like value: shown as text, written as the JSON it was read from.
    auto takeText = [&](bool rawJson) {
        if (!value || (isNull && !rawJson && !element))
            return;
        n->token = rawText(*value);
        if (rawJson)
            n->text = n->token;
        else if (value->type == Value::Type::String || value->type == Value::Type::Number)
            n->text = QString::fromStdString(value->text);
        else if (value->type == Value::Type::Bool)
            n->text = value->boolean ? QStringLiteral("true") : QStringLiteral("false");
        else if (!isNull)
            n->text = n->token;
    };
    if (field.type != Type::Message) {
        n->kind = Kind::Scalar;
        takeText(false);
        return n;
    }
    const rpc::MessageShape *s = shape(field.typeName);
    const std::string wkt = s ? s->wellKnown : std::string();
    if (field.typeName == kAny) {
        n->kind = Kind::Any;
        fillAny(n.get(), isNull ? nullptr : value);
        return n;
    }
    if (!wkt.empty() && wkt != kEmpty) {
        n->field.typeName = wkt;
        if (isRawJsonType(wkt)) {
            n->kind = Kind::RawJson;
        } else if (wkt == kTimestamp || wkt == kDuration || wkt == kFieldMask) {
            n->kind = Kind::WellKnown;
        } else {
            // A wrapper (Int64Value, …): edited as the scalar it wraps, empty meaning unset.
            n->kind = Kind::Scalar;
            rpc::FieldShape inner = s->fields.empty() ? rpc::FieldShape{} : s->fields.front();
            inner.name = field.name;
            inner.jsonName = field.jsonName;
            inner.number = field.number;
            inner.repeated = false;
            inner.presence = true;
            inner.typeName = wkt;
            n->field = inner;
        }
        takeText(n->kind == Kind::RawJson);
        return n;
    }
    n->kind = Kind::Message;
    n->messageType = field.typeName;
    n->present = element || (value && value->type == Value::Type::Object);
    if (n->present)
        fillMessage(n.get(), field.typeName, value);
    return n;
}

void FormModel::fillAny(Node *any, const Value *object)
{
    any->kind = Kind::Any;
    any->messageType.clear();
    any->typeUrl.clear();
    any->token.clear();
    any->text.clear();
    if (!object)
        return;
    const Value *type = nullptr;
    if (object->type == Value::Type::Object) {
        for (const auto &m : object->members) {
            if (m.name == "@type" && m.value.type == Value::Type::String)
                type = &m.value;
        }
    }
    const std::string url = type ? type->text : std::string();
    const std::string name =
        url.substr(url.find_last_of('/') == std::string::npos ? 0 : url.find_last_of('/') + 1);
    const rpc::MessageShape *inner = name.empty() ? nullptr : shape(name);
    if (!inner) {
        // No type, or one the schema does not know: kept whole, edited as JSON.
        if (object->type == Value::Type::Object && object->members.empty())
            return;
        any->kind = Kind::RawJson;
        any->token = any->text = rawText(*object);
        return;
    }
    any->messageType = inner->fullName;
    any->typeUrl = QString::fromStdString(url);
    if (!inner->wellKnown.empty()) {
        rpc::FieldShape v;
        v.name = v.jsonName = "value";
        v.type = Type::Message;
        v.typeName = inner->fullName;
        const Value *packed = nullptr;
        std::set<const Value *> used;
        for (const auto &m : object->members) {
            if (m.name == "value")
                packed = &m.value;
        }
        auto child = makeValue(v, packed, false);
        child->always = true;
        child->parent = any;
        any->children.push_back(std::move(child));
        used.insert(packed);
        keepUnknown(any, object, used);
    } else {
        fillMessage(any, inner->fullName, object);
    }
}

void FormModel::reindex(Node *container)
{
    for (std::size_t i = 0; i < container->children.size(); ++i)
        container->children[i]->row = int(i);
}

void FormModel::renumber(Node *container)
{
    for (std::size_t i = 0; i < container->children.size(); ++i) {
        Node *c = container->children[i].get();
        c->row = int(i);
        if (container->kind == Kind::Repeated)
            c->name = QStringLiteral("[%1]").arg(i);
    }
}

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

// ---------------------------------------------------------------------------------------------
// Writing

namespace {

void indent(QString &out, int depth)
{
    out += QString(qsizetype{2} * depth, u' ');
}

} // namespace

QString FormModel::writeObject(const Node *node, int depth, const QString &first) const
{
    QStringList members;
    if (!first.isEmpty())
        members << first;
    std::function<void(const Node *)> collect = [&](const Node *p) {
        for (const auto &c : p->children) {
            if (c->kind == Kind::Oneof) {
                collect(c.get()); // its chosen case, always written
                continue;
            }
            const QString v = writeValue(c.get(), depth + 1);
            if (v.isEmpty())
                continue;
            QString m;
            indent(m, depth + 1);
            m += quoted(c->name) + QStringLiteral(": ") + v;
            members << m;
        }
    };
    collect(node);
    for (const QString &extra : node->extras) {
        QString m;
        indent(m, depth + 1);
        members << m + extra;
    }
    if (members.isEmpty())
        return QStringLiteral("{}");
    QString out = QStringLiteral("{\n") + members.join(QStringLiteral(",\n")) + QStringLiteral("\n");
    indent(out, depth);
    return out + QStringLiteral("}");
}

QString FormModel::writeValue(const Node *n, int depth) const
{
    switch (n->kind) {
    case Kind::Scalar:
    case Kind::WellKnown:
    case Kind::RawJson:
        if (!n->token.isEmpty())
            return n->token;
        return n->always ? literal(defaultText(n->field, n->kind), n->field, n->kind) : QString();
    case Kind::Message:
        if (!n->present && !n->always)
            return {};
        return writeObject(n, depth, {});
    case Kind::Any: {
        if (n->messageType.empty())
            return n->always ? QStringLiteral("{}") : QString();
        QString first;
        indent(first, depth + 1);
        first += QStringLiteral("\"@type\": ") + quoted(n->typeUrl);
        return writeObject(n, depth, first);
    }
    case Kind::Repeated:
    case Kind::Map: {
        if (n->children.empty())
            return {};
        QStringList parts;
        for (const auto &c : n->children) {
            QString p;
            indent(p, depth + 1);
            if (n->kind == Kind::Map)
                p += quoted(c->name) + QStringLiteral(": ");
            p += writeValue(c.get(), depth + 1);
            parts << p;
        }
        QString out = n->kind == Kind::Map ? QStringLiteral("{\n") : QStringLiteral("[\n");
        out += parts.join(QStringLiteral(",\n")) + QStringLiteral("\n");
        indent(out, depth);
        return out + (n->kind == Kind::Map ? QStringLiteral("}") : QStringLiteral("]"));
    }
    case Kind::Oneof:
        return {};
    }
    return {};
}

QByteArray FormModel::toJson() const
{
    return (writeObject(m_root.get(), 0, {}) + QStringLiteral("\n")).toUtf8();
}

} // namespace models
