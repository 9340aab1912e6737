// SPDX-License-Identifier: GPL-3.0-or-later
// FormModel's insides that its three .cpp files share: the tree's node and the helpers more than
// one of them uses. A private header (wirescope_public_headers leaves *_p.h out of the public
// include tree): only formmodel.cpp, formmodel_items.cpp and formmodel_edits.cpp include it.
#pragma once

#include "models/formmodel.h"

#include "rpc/jsonutil.h"

#include <QRegularExpression>

#include <algorithm>

namespace models {

using Type = rpc::FieldShape::Type;
using Kind = FormModel::Kind;
using rpc::json::Value;

// Unnamed as when they lived in one file, so each .cpp has its own; inline, so a file that uses
// only some of them is not warned about the rest.
namespace {

const char kTimestamp[] = "google.protobuf.Timestamp";
const char kDuration[] = "google.protobuf.Duration";
const char kFieldMask[] = "google.protobuf.FieldMask";
const char kAny[] = "google.protobuf.Any";
const char kEmpty[] = "google.protobuf.Empty";

inline QString quoted(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return QString::fromStdString(
        rpc::jsonQuote(std::string_view(utf8.constData(), std::size_t(utf8.size()))));
}

inline QString scalarName(Type type)
{
    static const char *const names[] = {"double", "float",  "int64", "uint64", "int32",  "uint32",
                                        "bool",   "string", "bytes", "enum",   "message"};
    return QString::fromLatin1(names[int(type)]);
}

inline rpc::FieldShape single(rpc::FieldShape f)
{
    f.repeated = false;
    f.map = false;
    f.mapEntry.clear();
    return f;
}

// JSON text without the white space between tokens; numbers and strings stay as written.
inline QString compact(std::string_view text)
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

inline bool isInteger(const QString &t)
{
    static const QRegularExpression re(QStringLiteral("^-?(0|[1-9][0-9]*)$"));
    return re.match(t).hasMatch();
}

inline bool isSpecialFloat(const QString &t)
{
    return t == QLatin1String("NaN") || t == QLatin1String("Infinity") || t == QLatin1String("-Infinity");
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
inline QString defaultText(const rpc::FieldShape &f, Kind kind)
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
inline QString literal(const QString &text, const rpc::FieldShape &f, Kind kind)
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

} // namespace models
