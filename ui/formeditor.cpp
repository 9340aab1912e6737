// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/formeditor.h"

#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QStyledItemDelegate>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <limits>
#include <set>

namespace ui {

using Type = rpc::FieldShape::Type;
using Kind = FormEditor::Kind;

namespace {

const char kTimestamp[] = "google.protobuf.Timestamp";
const char kDuration[] = "google.protobuf.Duration";
const char kAny[] = "google.protobuf.Any";

bool isRawJsonType(const std::string &t)
{
    return t == "google.protobuf.Struct" || t == "google.protobuf.Value" || t == "google.protobuf.ListValue";
}

QString quoted(const QString &s)
{
    QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

QString typeLabel(const rpc::FieldShape &f)
{
    static const char *names[] = {"double", "float",  "int64", "uint64", "int32",  "uint32",
                                  "bool",   "string", "bytes", "enum",   "message"};
    QString t =
        f.typeName.empty() ? QString::fromLatin1(names[int(f.type)]) : QString::fromStdString(f.typeName);
    if (f.map && f.mapEntry.size() == 2)
        return QStringLiteral("map<%1, %2>").arg(typeLabel(f.mapEntry[0]), typeLabel(f.mapEntry[1]));
    if (f.repeated)
        t = QStringLiteral("repeated ") + t;
    return t;
}

// The field a wrapper type (Int64Value, …) wraps, as a scalar.
rpc::FieldShape wrapped(const rpc::MessageShape &wrapper, const rpc::FieldShape &outer)
{
    rpc::FieldShape inner = wrapper.fields.empty() ? rpc::FieldShape{} : wrapper.fields.front();
    inner.name = outer.name;
    inner.jsonName = outer.jsonName;
    inner.repeated = false;
    return inner;
}

bool inRange(const QString &text, Type type)
{
    bool ok = false;
    switch (type) {
    case Type::Int32: {
        const qlonglong v = text.toLongLong(&ok);
        return ok && v >= std::numeric_limits<qint32>::min() && v <= std::numeric_limits<qint32>::max();
    }
    case Type::UInt32: {
        const qulonglong v = text.toULongLong(&ok);
        return ok && !text.startsWith(u'-') && v <= std::numeric_limits<quint32>::max();
    }
    case Type::Int64:
        text.toLongLong(&ok);
        return ok;
    case Type::UInt64:
        text.toULongLong(&ok);
        return ok && !text.startsWith(u'-');
    default:
        return false;
    }
}

// A JSON literal for a scalar's text, by the proto3 JSON mapping.
QString literal(const QString &text, Type type)
{
    switch (type) {
    case Type::Int32:
    case Type::UInt32:
        return text.isEmpty() ? QStringLiteral("0") : text;
    case Type::Float:
    case Type::Double:
        if (text.isEmpty())
            return QStringLiteral("0");
        if (text == QLatin1String("NaN") || text.endsWith(QLatin1String("Infinity")))
            return quoted(text);
        return text;
    case Type::Bool:
        return text.isEmpty() ? QStringLiteral("false") : text;
    case Type::Int64:
    case Type::UInt64:
        return quoted(text.isEmpty() ? QStringLiteral("0") : text);
    case Type::Enum:
    case Type::String:
    case Type::Bytes:
    case Type::Message:
        return quoted(text);
    }
    return quoted(text);
}

QString textOf(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::floor(d) == d && std::fabs(d) < 9.0e15)
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', 17);
    }
    case QJsonValue::Array:
    case QJsonValue::Object: {
        const QJsonDocument doc = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
        return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
    }
    default:
        return {};
    }
}

QJsonValue member(const QJsonObject &o, const rpc::FieldShape &f)
{
    const auto json = o.value(QString::fromStdString(f.jsonName));
    return json.isUndefined() ? o.value(QString::fromStdString(f.name)) : json;
}

void indent(QString &out, int depth)
{
    out += QString(qsizetype{2} * depth, u' ');
}

// Value editors for the value column (and map keys in the name column).
class FormDelegate final : public QStyledItemDelegate
{
public:
    FormDelegate(FormEditor *form, std::function<QTreeWidgetItem *(const QModelIndex &)> itemAt)
        : QStyledItemDelegate(form)
        , m_form(form)
        , m_itemAt(std::move(itemAt))
    {}

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        const auto *n = m_form->node(m_itemAt(index));
        if (!n || index.column() == FormEditor::NameColumn)
            return QStyledItemDelegate::createEditor(parent, option, index);
        auto combo = [&](const std::vector<std::string> &items, bool none) {
            auto *box = new QComboBox(parent);
            if (none)
                box->addItem(QObject::tr("(none)"));
            for (const auto &i : items)
                box->addItem(QString::fromStdString(i));
            return box;
        };
        switch (n->kind) {
        case Kind::Oneof:
            return combo(n->cases, true);
        case Kind::Any: {
            auto *box = combo(m_form->anyTypes(), true);
            box->setEditable(true);
            box->completer()->setFilterMode(Qt::MatchContains);
            return box;
        }
        case Kind::WellKnown:
            if (n->field.typeName == kTimestamp) {
                auto *edit = new QDateTimeEdit(parent);
                edit->setTimeSpec(Qt::UTC);
                edit->setDisplayFormat(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
                edit->setCalendarPopup(true);
                return edit;
            }
            break;
        case Kind::Scalar:
            if (n->field.type == Type::Enum)
                return combo(n->field.enumValues, false);
            if (n->field.type == Type::Bool)
                return combo({"false", "true"}, false);
            break;
        default:
            break;
        }
        return new QLineEdit(parent);
    }

    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        const QString text = index.data(Qt::EditRole).toString();
        if (auto *box = qobject_cast<QComboBox *>(editor)) {
            const int i = box->findText(text);
            box->setCurrentIndex(i >= 0 ? i : 0);
            if (box->isEditable() && i < 0)
                box->setEditText(text);
        } else if (auto *dt = qobject_cast<QDateTimeEdit *>(editor)) {
            QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
            dt->setDateTime(t.isValid() ? t.toUTC() : QDateTime::currentDateTimeUtc());
        } else if (auto *line = qobject_cast<QLineEdit *>(editor)) {
            line->setText(text);
        }
    }

    void setModelData(QWidget *editor, QAbstractItemModel *, const QModelIndex &index) const override
    {
        QTreeWidgetItem *item = m_itemAt(index);
        const auto *n = m_form->node(item);
        QString text;
        if (auto *box = qobject_cast<QComboBox *>(editor))
            text = box->currentText();
        else if (auto *dt = qobject_cast<QDateTimeEdit *>(editor))
            text = dt->dateTime().toUTC().toString(Qt::ISODateWithMs);
        else if (auto *line = qobject_cast<QLineEdit *>(editor))
            text = line->text();
        if (!n)
            return;
        if (index.column() == FormEditor::NameColumn) {
            m_form->setValue(item, text); // a map key
            return;
        }
        if (n->kind == Kind::Oneof)
            m_form->chooseOneof(item, text == QObject::tr("(none)") ? QString() : text);
        else if (n->kind == Kind::Any)
            m_form->chooseAnyType(item, text == QObject::tr("(none)") ? QString() : text);
        else
            m_form->setValue(item, text);
    }

private:
    FormEditor *m_form;
    std::function<QTreeWidgetItem *(const QModelIndex &)> m_itemAt;
};

} // namespace

FormEditor::FormEditor(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Field"), tr("Value"), tr("Type")});
    header()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    setColumnWidth(NameColumn, 220);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::SelectedClicked);
    setItemDelegate(new FormDelegate(this, [this](const QModelIndex &i) { return itemFromIndex(i); }));
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &FormEditor::showMenu);
    connect(this, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        // The presence box of an optional message.
        const Node *n = node(item);
        if (m_building || column != NameColumn || !n || n->kind != Kind::Message || n->element)
            return;
        const bool present = item->checkState(NameColumn) == Qt::Checked;
        if (present != (item->childCount() > 0 || item->data(NameColumn, Qt::UserRole).toBool()))
            setPresent(item, present);
    });
}

const FormEditor::Node *FormEditor::node(const QTreeWidgetItem *item) const
{
    const auto it = m_nodes.find(item);
    return it == m_nodes.end() ? nullptr : &it->second;
}

const rpc::MessageShape *FormEditor::shape(const std::string &typeName) const
{
    auto it = m_shapes.find(typeName);
    if (it != m_shapes.end())
        return &it->second;
    if (!m_schema)
        return nullptr;
    auto s = m_schema->messageShape(typeName);
    if (!s)
        return nullptr;
    return &m_shapes.emplace(typeName, std::move(*s)).first->second;
}

std::vector<std::string> FormEditor::anyTypes() const
{
    if (m_anyTypes.empty() && m_schema)
        m_anyTypes = m_schema->messageNames();
    return m_anyTypes;
}

void FormEditor::setMessageType(rpc::SchemaPtr schema, const std::string &typeName)
{
    m_schema = std::move(schema);
    m_type = typeName;
    m_shapes.clear();
    m_anyTypes.clear();
    setJson("{}");
}

bool FormEditor::setJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc =
        QJsonDocument::fromJson(json.trimmed().isEmpty() ? QByteArray("{}") : json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error) {
            const QByteArray before = json.left(parseError.offset);
            const int line = int(before.count('\n')) + 1;
            const int column = int(parseError.offset - (before.lastIndexOf('\n') + 1)) + 1;
            *error = parseError.error != QJsonParseError::NoError
                         ? tr("%1:%2: %3").arg(line).arg(column).arg(parseError.errorString())
                         : tr("the request must be a JSON object");
        }
        return false;
    }
    m_building = true;
    clear();
    m_nodes.clear();
    fillMessage(invisibleRootItem(), m_type, doc.object());
    m_building = false;
    expandToDepth(0);
    return true;
}

void FormEditor::fillMessage(QTreeWidgetItem *parent, const std::string &typeName, const QJsonObject &object)
{
    const rpc::MessageShape *s = shape(typeName);
    if (!s)
        return;
    std::set<std::string> oneofsDone;
    for (const auto &field : s->fields) {
        if (field.oneof.empty()) {
            addField(parent, field, member(object, field));
            continue;
        }
        if (!oneofsDone.insert(field.oneof).second)
            continue;
        // A oneof is one row: choose the case, then edit it below.
        auto *group = new QTreeWidgetItem(parent);
        group->setText(NameColumn, QString::fromStdString(field.oneof));
        group->setText(TypeColumn, tr("oneof"));
        group->setFlags(group->flags() | Qt::ItemIsEditable);
        Node n;
        n.kind = Kind::Oneof;
        n.oneofName = field.oneof;
        const rpc::FieldShape *chosen = nullptr;
        for (const auto &f : s->fields) {
            if (f.oneof != field.oneof)
                continue;
            n.cases.push_back(f.jsonName);
            if (!chosen && !member(object, f).isUndefined())
                chosen = &f;
        }
        n.field = field;
        m_nodes[group] = n;
        group->setText(ValueColumn, chosen ? QString::fromStdString(chosen->jsonName) : tr("(none)"));
        if (chosen)
            addField(group, *chosen, member(object, *chosen));
    }
}

QTreeWidgetItem *FormEditor::addField(QTreeWidgetItem *parent, const rpc::FieldShape &field,
                                      const QJsonValue &value)
{
    const QString label = QString::fromStdString(field.jsonName);
    if (field.repeated) {
        auto *container = new QTreeWidgetItem(parent);
        container->setText(NameColumn, label);
        container->setText(TypeColumn, typeLabel(field));
        Node n;
        n.kind = field.map ? Kind::Map : Kind::Repeated;
        n.field = field;
        m_nodes[container] = n;
        if (field.map) {
            const QJsonObject entries = value.toObject();
            for (auto it = entries.begin(); it != entries.end(); ++it)
                addValue(container, field.mapEntry.at(1), it.value(), it.key(), true);
        } else {
            const QJsonArray elements = value.toArray();
            for (qsizetype i = 0; i < elements.size(); ++i)
                addValue(container, field, elements.at(i), QStringLiteral("[%1]").arg(i), true);
        }
        renumber(container);
        return container;
    }
    return addValue(parent, field, value, label, false);
}

QTreeWidgetItem *FormEditor::addValue(QTreeWidgetItem *parent, const rpc::FieldShape &field,
                                      const QJsonValue &value, const QString &label, bool element, int index)
{
    auto *item = new QTreeWidgetItem;
    if (index < 0)
        parent->addChild(item);
    else
        parent->insertChild(index, item);
    item->setText(NameColumn, label);
    rpc::FieldShape single = field;
    single.repeated = false;
    single.map = false;
    item->setText(TypeColumn, typeLabel(single));
    Node n;
    n.field = single;
    n.element = element;
    const bool mapEntry = element && parent && node(parent) && node(parent)->kind == Kind::Map;
    if (mapEntry)
        item->setFlags(item->flags() | Qt::ItemIsEditable); // the key, in the name column
    if (field.type != Type::Message) {
        n.kind = Kind::Scalar;
        item->setText(ValueColumn, textOf(value));
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_nodes[item] = n;
        return item;
    }
    const rpc::MessageShape *s = shape(field.typeName);
    const std::string &wkt = s ? s->wellKnown : std::string();
    if (field.typeName == kAny) {
        n.kind = Kind::Any;
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        QString type = value.toObject().value(QStringLiteral("@type")).toString();
        type = type.mid(type.lastIndexOf(u'/') + 1);
        n.messageType = type.toStdString();
        m_nodes[item] = n;
        item->setText(ValueColumn, type.isEmpty() ? tr("(none)") : type);
        if (!type.isEmpty()) {
            const rpc::MessageShape *inner = shape(n.messageType);
            if (inner && !inner->wellKnown.empty()) {
                rpc::FieldShape v;
                v.name = v.jsonName = "value";
                v.type = Type::Message;
                v.typeName = n.messageType;
                addValue(item, v, value.toObject().value(QStringLiteral("value")), QStringLiteral("value"),
                         true);
            } else {
                fillMessage(item, n.messageType, value.toObject());
            }
        }
        return item;
    }
    if (!wkt.empty() && wkt != "google.protobuf.Empty") {
        n.kind = isRawJsonType(wkt) ? Kind::RawJson : Kind::WellKnown;
        n.field.typeName = wkt;
        if (n.kind == Kind::WellKnown && wkt != kTimestamp && wkt != kDuration &&
            wkt != "google.protobuf.FieldMask" && s) {
            // A wrapper: edited as the scalar it wraps, empty meaning unset.
            rpc::FieldShape inner = wrapped(*s, single);
            n.kind = Kind::Scalar;
            n.field = inner;
            n.field.presence = true;
            n.field.typeName = wkt;
        }
        // Struct and Value are edited as the JSON they are: a string keeps its quotes.
        const bool raw = n.kind == Kind::RawJson;
        item->setText(ValueColumn, raw && value.isString() ? quoted(value.toString())
                                   : raw && value.isNull() ? QStringLiteral("null")
                                                           : textOf(value));
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_nodes[item] = n;
        return item;
    }
    n.kind = Kind::Message;
    n.messageType = field.typeName;
    m_nodes[item] = n;
    const bool present = element || value.isObject();
    if (!element) {
        // Optional: a box says whether it is set; its fields appear when it is.
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(NameColumn, present ? Qt::Checked : Qt::Unchecked);
    }
    item->setData(NameColumn, Qt::UserRole, present);
    if (present)
        fillMessage(item, field.typeName, value.toObject());
    return item;
}

void FormEditor::renumber(QTreeWidgetItem *container)
{
    const Node *n = node(container);
    if (!n)
        return;
    if (n->kind == Kind::Repeated) {
        for (int i = 0; i < container->childCount(); ++i)
            container->child(i)->setText(NameColumn, QStringLiteral("[%1]").arg(i));
    }
    container->setText(ValueColumn, n->kind == Kind::Map
                                        ? tr("%n entries", nullptr, container->childCount())
                                        : tr("%n elements", nullptr, container->childCount()));
}

void FormEditor::forget(QTreeWidgetItem *item)
{
    for (int i = 0; i < item->childCount(); ++i)
        forget(item->child(i));
    m_nodes.erase(item);
}

void FormEditor::changed()
{
    if (!m_building)
        emit edited();
}

QTreeWidgetItem *FormEditor::addElement(QTreeWidgetItem *container, const QString &mapKey)
{
    const Node *n = node(container);
    if (!n || (n->kind != Kind::Repeated && n->kind != Kind::Map))
        return nullptr;
    m_building = true;
    QTreeWidgetItem *item = nullptr;
    if (n->kind == Kind::Map) {
        QString key = mapKey;
        if (key.isEmpty()) {
            // A fresh key that fits the key type.
            const bool numeric = n->field.mapEntry.at(0).type != Type::String;
            auto taken = [container](const QString &k) {
                for (int c = 0; c < container->childCount(); ++c) {
                    if (container->child(c)->text(NameColumn) == k)
                        return true;
                }
                return false;
            };
            for (int i = container->childCount();; ++i) {
                key = numeric ? QString::number(i) : QStringLiteral("key%1").arg(i);
                if (!taken(key))
                    break;
            }
        }
        item = addValue(container, n->field.mapEntry.at(1), QJsonValue(), key, true);
    } else {
        item = addValue(container, n->field, QJsonValue(), {}, true);
    }
    renumber(container);
    container->setExpanded(true);
    m_building = false;
    changed();
    return item;
}

void FormEditor::removeElement(QTreeWidgetItem *element)
{
    const Node *n = node(element);
    if (!n || !n->element || !element->parent())
        return;
    QTreeWidgetItem *container = element->parent();
    forget(element);
    delete element;
    renumber(container);
    changed();
}

void FormEditor::moveElement(QTreeWidgetItem *element, int delta)
{
    QTreeWidgetItem *container = element ? element->parent() : nullptr;
    const Node *n = node(container);
    if (!n || n->kind != Kind::Repeated)
        return;
    const int from = container->indexOfChild(element);
    const int to = from + delta;
    if (to < 0 || to >= container->childCount())
        return;
    const bool expanded = element->isExpanded();
    container->takeChild(from);
    container->insertChild(to, element);
    element->setExpanded(expanded);
    renumber(container);
    setCurrentItem(element);
    changed();
}

void FormEditor::setPresent(QTreeWidgetItem *item, bool present)
{
    const Node *n = node(item);
    if (!n || n->kind != Kind::Message)
        return;
    m_building = true;
    while (item->childCount()) {
        forget(item->child(0));
        delete item->takeChild(0);
    }
    if (!n->element)
        item->setCheckState(NameColumn, present ? Qt::Checked : Qt::Unchecked);
    item->setData(NameColumn, Qt::UserRole, present);
    if (present) {
        fillMessage(item, n->messageType, QJsonObject());
        item->setExpanded(true);
    }
    m_building = false;
    changed();
}

void FormEditor::chooseOneof(QTreeWidgetItem *group, const QString &fieldName)
{
    const Node *n = node(group);
    if (!n || n->kind != Kind::Oneof)
        return;
    const rpc::MessageShape *s = nullptr;
    // The oneof's message: the type of the item above the group (or the root type).
    const Node *owner = node(group->parent());
    s = shape(owner ? owner->messageType : m_type);
    if (!s)
        return;
    m_building = true;
    while (group->childCount()) {
        forget(group->child(0));
        delete group->takeChild(0);
    }
    group->setText(ValueColumn, fieldName.isEmpty() ? tr("(none)") : fieldName);
    for (const auto &f : s->fields) {
        if (f.oneof == n->oneofName && QString::fromStdString(f.jsonName) == fieldName) {
            QTreeWidgetItem *child = addField(group, f, QJsonValue());
            if (const Node *cn = node(child); cn && cn->kind == Kind::Message && !cn->element)
                setPresent(child, true), m_building = true;
            group->setExpanded(true);
        }
    }
    m_building = false;
    changed();
}

void FormEditor::chooseAnyType(QTreeWidgetItem *item, const QString &typeName)
{
    auto it = m_nodes.find(item);
    if (it == m_nodes.end() || it->second.kind != Kind::Any)
        return;
    if (!typeName.isEmpty() && !shape(typeName.toStdString())) {
        emit valueRejected(tr("unknown message type %1").arg(typeName));
        return;
    }
    const bool wasBuilding = m_building;
    m_building = true;
    it->second.messageType = typeName.toStdString();
    while (item->childCount()) {
        forget(item->child(0));
        delete item->takeChild(0);
    }
    item->setText(ValueColumn, typeName.isEmpty() ? tr("(none)") : typeName);
    if (!typeName.isEmpty()) {
        const rpc::MessageShape *inner = shape(typeName.toStdString());
        if (!inner->wellKnown.empty()) {
            rpc::FieldShape v;
            v.name = v.jsonName = "value";
            v.type = Type::Message;
            v.typeName = inner->fullName;
            addValue(item, v, QJsonValue(), QStringLiteral("value"), true);
        } else {
            fillMessage(item, inner->fullName, QJsonObject());
        }
        item->setExpanded(true);
    }
    m_building = wasBuilding;
    changed();
}

bool FormEditor::setValue(QTreeWidgetItem *item, const QString &text, QString *error)
{
    const Node *n = node(item);
    if (!n)
        return false;
    QString reason;
    const Type type = n->field.type;
    const QString t = text.trimmed();
    if (n->kind == Kind::Scalar && !t.isEmpty()) {
        switch (type) {
        case Type::Int32:
        case Type::UInt32:
        case Type::Int64:
        case Type::UInt64:
            if (!inRange(t, type))
                reason = tr("%1 is not a valid %2").arg(t, typeLabel(n->field));
            break;
        case Type::Float:
        case Type::Double: {
            bool ok = false;
            t.toDouble(&ok);
            if (!ok && t != QLatin1String("NaN") && t != QLatin1String("Infinity") &&
                t != QLatin1String("-Infinity"))
                reason = tr("%1 is not a number").arg(t);
            break;
        }
        case Type::Bool:
            if (t != QLatin1String("true") && t != QLatin1String("false"))
                reason = tr("a bool is true or false");
            break;
        case Type::Enum:
            if (std::find(n->field.enumValues.begin(), n->field.enumValues.end(), t.toStdString()) ==
                n->field.enumValues.end())
                reason = tr("%1 is not a value of %2").arg(t, QString::fromStdString(n->field.typeName));
            break;
        case Type::Bytes: {
            auto decoded =
                QByteArray::fromBase64Encoding(t.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                decoded = QByteArray::fromBase64Encoding(
                    t.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                reason = tr("bytes are entered as base64 (or use Set from hex… / Load file…)");
            break;
        }
        default:
            break;
        }
    } else if (n->kind == Kind::WellKnown && !t.isEmpty()) {
        if (n->field.typeName == kTimestamp && !QDateTime::fromString(t, Qt::ISODateWithMs).isValid())
            reason = tr("a Timestamp looks like 2024-05-01T12:00:00Z");
        if (n->field.typeName == kDuration &&
            !QRegularExpression(QStringLiteral("^-?\\d+(\\.\\d{1,9})?s$")).match(t).hasMatch())
            reason = tr("a Duration looks like 1.5s");
    } else if (n->kind == Kind::RawJson && !t.isEmpty()) {
        QJsonParseError e;
        QJsonDocument::fromJson("[" + t.toUtf8() + "]", &e);
        if (e.error != QJsonParseError::NoError)
            reason = tr("not valid JSON: %1").arg(e.errorString());
    }
    if (!reason.isEmpty()) {
        if (error)
            *error = reason;
        emit valueRejected(reason);
        return false;
    }
    item->setText(ValueColumn, t);
    changed();
    return true;
}

void FormEditor::loadBytesFromFile(QTreeWidgetItem *item, const QString &file)
{
    // Read on a pool thread; the item may be gone by the time the bytes are there.
    auto *watcher = new QFutureWatcher<QByteArray>(this);
    connect(watcher, &QFutureWatcher<QByteArray>::finished, this, [this, watcher, item] {
        watcher->deleteLater();
        if (m_nodes.count(item))
            setValue(item, QString::fromLatin1(watcher->result().toBase64()));
    });
    watcher->setFuture(QtConcurrent::run([file] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }));
}

QTreeWidgetItem *FormEditor::findItem(const QString &path) const
{
    QTreeWidgetItem *at = invisibleRootItem();
    static const QRegularExpression part(
        QStringLiteral(R"re(([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\["([^"]*)"\])re"));
    auto it = part.globalMatch(path);
    while (it.hasNext()) {
        const auto m = it.next();
        QTreeWidgetItem *next = nullptr;
        auto search = [&](QTreeWidgetItem *in, const QString &name) -> QTreeWidgetItem * {
            for (int i = 0; i < in->childCount(); ++i) {
                QTreeWidgetItem *c = in->child(i);
                if (c->text(NameColumn) == name)
                    return c;
                // Look through oneof groups for their chosen field.
                if (const Node *n = node(c);
                    n && n->kind == Kind::Oneof && c->childCount() && c->child(0)->text(NameColumn) == name)
                    return c->child(0);
            }
            return nullptr;
        };
        if (!m.captured(1).isEmpty())
            next = search(at, m.captured(1));
        else if (!m.captured(2).isEmpty())
            next = m.captured(2).toInt() < at->childCount() ? at->child(m.captured(2).toInt()) : nullptr;
        else
            next = search(at, m.captured(3));
        if (!next)
            return nullptr;
        at = next;
    }
    return at == invisibleRootItem() ? nullptr : at;
}

QByteArray FormEditor::toJson() const
{
    // Written by hand: field order follows the declaration, and 64-bit values stay strings.
    std::function<QString(const QTreeWidgetItem *, int)> value;
    std::function<QString(const QTreeWidgetItem *, int, const QString &)> object =
        [&](const QTreeWidgetItem *parent, int depth, const QString &first) -> QString {
        QStringList members;
        if (!first.isEmpty())
            members << first;
        std::function<void(const QTreeWidgetItem *)> collect = [&](const QTreeWidgetItem *p) {
            for (int i = 0; i < p->childCount(); ++i) {
                const QTreeWidgetItem *c = p->child(i);
                const Node *n = node(c);
                if (!n)
                    continue;
                if (n->kind == Kind::Oneof) {
                    collect(c); // its chosen field, always written
                    continue;
                }
                const bool inOneof = node(p) && node(p)->kind == Kind::Oneof;
                QString v = value(c, depth + 1);
                if (v.isEmpty() && inOneof)
                    v = literal({}, n->field.type);
                if (v.isEmpty())
                    continue;
                QString m;
                indent(m, depth + 1);
                m += quoted(c->text(NameColumn)) + QStringLiteral(": ") + v;
                members << m;
            }
        };
        collect(parent);
        if (members.isEmpty())
            return QStringLiteral("{}");
        QString out = QStringLiteral("{\n") + members.join(QStringLiteral(",\n")) + QStringLiteral("\n");
        indent(out, depth);
        return out + QStringLiteral("}");
    };
    value = [&](const QTreeWidgetItem *item, int depth) -> QString {
        const Node *n = node(item);
        const QString text = item->text(ValueColumn);
        switch (n->kind) {
        case Kind::Scalar:
            if (text.isEmpty() && !n->element)
                return {};
            return literal(text, n->field.type);
        case Kind::WellKnown:
            return text.isEmpty() ? (n->element ? QStringLiteral("null") : QString()) : quoted(text);
        case Kind::RawJson:
            return text.isEmpty() ? (n->element ? QStringLiteral("null") : QString()) : text;
        case Kind::Message:
            if (!n->element && !item->data(NameColumn, Qt::UserRole).toBool())
                return {};
            return object(item, depth, {});
        case Kind::Any: {
            if (n->messageType.empty())
                return {};
            QString first;
            indent(first, depth + 1);
            first += QStringLiteral("\"@type\": ") +
                     quoted(QStringLiteral("type.googleapis.com/") + QString::fromStdString(n->messageType));
            return object(item, depth, first);
        }
        case Kind::Repeated:
        case Kind::Map: {
            if (item->childCount() == 0)
                return {};
            QStringList parts;
            for (int i = 0; i < item->childCount(); ++i) {
                QString p;
                indent(p, depth + 1);
                if (n->kind == Kind::Map)
                    p += quoted(item->child(i)->text(NameColumn)) + QStringLiteral(": ");
                p += value(item->child(i), depth + 1);
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
    };
    return (object(invisibleRootItem(), 0, {}) + QStringLiteral("\n")).toUtf8();
}

void FormEditor::showMenu(const QPoint &pos)
{
    QTreeWidgetItem *item = itemAt(pos);
    const Node *n = node(item);
    if (!n)
        return;
    QMenu menu(this);
    if (n->kind == Kind::Repeated || n->kind == Kind::Map)
        menu.addAction(n->kind == Kind::Map ? tr("Add entry") : tr("Add element"), this,
                       [this, item] { addElement(item); });
    if (n->element && item->parent() && node(item->parent())) {
        menu.addAction(tr("Remove"), this, [this, item] { removeElement(item); });
        if (node(item->parent())->kind == Kind::Repeated) {
            menu.addAction(tr("Move up"), this, [this, item] { moveElement(item, -1); });
            menu.addAction(tr("Move down"), this, [this, item] { moveElement(item, 1); });
        }
    }
    if (n->kind == Kind::Scalar && n->field.type == Type::Bytes) {
        menu.addAction(tr("Set from hex…"), this, [this, item] {
            bool ok = false;
            const QString hex = QInputDialog::getText(this, tr("Bytes as hex"), tr("Hex digits:"),
                                                      QLineEdit::Normal, {}, &ok);
            if (ok)
                setValue(item, QString::fromLatin1(QByteArray::fromHex(hex.toLatin1()).toBase64()));
        });
        menu.addAction(tr("Load file…"), this, [this, item] {
            const QString file = QFileDialog::getOpenFileName(this, tr("Load bytes from a file"));
            if (!file.isEmpty())
                loadBytesFromFile(item, file);
        });
    }
    if (!menu.isEmpty())
        menu.exec(viewport()->mapToGlobal(pos));
}

} // namespace ui
