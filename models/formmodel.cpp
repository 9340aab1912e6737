// SPDX-License-Identifier: GPL-3.0-or-later
// FormModel: building the tree from JSON and writing it back as JSON. The item model and paths
// are in formmodel_items.cpp, the edits in formmodel_edits.cpp.
#include "models/formmodel.h"

#include "formmodel_p.h"

#include <set>

namespace models {

namespace {

bool isRawJsonType(const std::string &t)
{
    return t == "google.protobuf.Struct" || t == "google.protobuf.Value" || t == "google.protobuf.ListValue";
}

QString typeLabel(const rpc::FieldShape &f)
{
    if (f.map && f.mapEntry.size() == 2)
        return QStringLiteral("map<%1, %2>").arg(typeLabel(f.mapEntry[0]), typeLabel(f.mapEntry[1]));
    const QString t = f.typeName.empty() ? scalarName(f.type) : QString::fromStdString(f.typeName);
    return f.repeated ? QStringLiteral("repeated ") + t : t;
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
