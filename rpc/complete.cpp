// SPDX-License-Identifier: GPL-3.0-or-later
// Completion for JSON requests: where in the message the cursor is, and what may be typed there.
#include "rpc/internal/schemaimpl.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace rpc {

namespace pb = google::protobuf;

namespace {

struct Frame
{
    bool object = true;
    const pb::Descriptor *message = nullptr;    // object frames of a known message type
    const pb::FieldDescriptor *field = nullptr; // array frames: the repeated field; map frames: the map
    bool map = false;
    bool expectKey = true;
    std::string key;
    std::set<std::string> seen;
    int index = 0; // array frames
    std::string path;
};

const pb::FieldDescriptor *findField(const pb::Descriptor *d, const std::string &key)
{
    if (!d)
        return nullptr;
    if (const auto *f = d->FindFieldByName(key))
        return f;
    for (int i = 0; i < d->field_count(); ++i) {
        if (d->field(i)->json_name() == key)
            return d->field(i);
    }
    return nullptr;
}

bool startsWithNoCase(const std::string &text, const std::string &prefix)
{
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

// The type an element of `field` has (the value type for maps).
const pb::FieldDescriptor *elementOf(const pb::FieldDescriptor *field)
{
    return field && field->is_map() ? field->message_type()->map_value() : field;
}

// Well-known types have JSON forms that are not objects of their fields.
bool plainObject(const pb::Descriptor *d)
{
    return d && !internal::isWellKnownType(d);
}

} // namespace

Completion Schema::complete(std::string_view typeName, std::string_view json, std::size_t offset) const
{
    Completion out;
    const pb::Descriptor *root = m_impl->message(typeName);
    if (!root)
        return out;
    offset = std::min(offset, json.size());
    std::vector<Frame> stack;
    // Opens an object or array in value position.
    auto open = [&](bool object) {
        Frame f;
        f.object = object;
        if (stack.empty()) {
            f.message = object ? root : nullptr;
            stack.push_back(std::move(f));
            return;
        }
        Frame &parent = stack.back();
        const pb::FieldDescriptor *field = nullptr;
        std::string path = parent.path;
        if (parent.object) {
            field = parent.map ? elementOf(parent.field) : findField(parent.message, parent.key);
            path += (path.empty() ? "" : ".") + parent.key;
            if (parent.map)
                path = parent.path + "[\"" + parent.key + "\"]";
        } else {
            field = parent.field;
            path += '[' + std::to_string(parent.index) + ']';
        }
        f.path = path;
        const bool elementPosition = !parent.object || parent.map;
        if (object) {
            if (field && field->is_map() && !elementPosition) {
                f.map = true;
                f.field = field;
            } else if (field && field->message_type() && (elementPosition || !field->is_repeated())) {
                f.message = field->message_type();
            }
        } else if (field && field->is_repeated() && !field->is_map() && !elementPosition) {
            f.field = field;
        }
        stack.push_back(std::move(f));
    };

    std::size_t i = 0;
    std::size_t stringStart = std::string::npos;
    std::string token;
    while (i < offset) {
        const char c = json[i];
        if (c == '"') {
            stringStart = i;
            token.clear();
            ++i;
            bool closed = false;
            while (i < offset) {
                if (json[i] == '\\' && i + 1 < offset) {
                    token += json[i + 1];
                    i += 2;
                    continue;
                }
                if (json[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                token += json[i++];
            }
            if (!closed)
                break; // the cursor is inside this string
            stringStart = std::string::npos;
            if (!stack.empty() && stack.back().object && stack.back().expectKey) {
                stack.back().key = token;
                stack.back().seen.insert(token);
            }
            continue;
        }
        switch (c) {
        case '{':
        case '[':
            open(c == '{');
            break;
        case '}':
        case ']':
            if (!stack.empty())
                stack.pop_back();
            break;
        case ':':
            if (!stack.empty() && stack.back().object)
                stack.back().expectKey = false;
            break;
        case ',':
            if (!stack.empty()) {
                if (stack.back().object)
                    stack.back().expectKey = true;
                else
                    ++stack.back().index;
            }
            break;
        default:
            break;
        }
        ++i;
    }
    if (stack.empty())
        return out;

    out.inString = stringStart != std::string::npos;
    if (out.inString) {
        out.prefix = token;
        out.replaceFrom = static_cast<std::int64_t>(stringStart + 1);
    } else {
        std::size_t start = offset;
        while (start > 0 &&
               (std::isalnum(static_cast<unsigned char>(json[start - 1])) || json[start - 1] == '_'))
            --start;
        out.prefix = std::string(json.substr(start, offset - start));
        out.replaceFrom = static_cast<std::int64_t>(start);
    }

    const Frame &top = stack.back();
    const pb::FieldDescriptor *valueField = nullptr;
    if (top.object && top.expectKey) {
        out.path = top.path;
        if (!plainObject(top.message))
            return out;
        out.kind = Completion::Kind::FieldName;
        for (int f = 0; f < top.message->field_count(); ++f) {
            const pb::FieldDescriptor *field = top.message->field(f);
            if (top.seen.count(field->json_name()) || top.seen.count(field->name()))
                continue;
            if (!startsWithNoCase(field->json_name(), out.prefix))
                continue;
            std::string detail =
                field->is_map()
                    ? "map<" + std::string(field->message_type()->map_key()->type_name()) + ", " +
                          (elementOf(field)->message_type() ? elementOf(field)->message_type()->full_name()
                           : elementOf(field)->enum_type()  ? elementOf(field)->enum_type()->full_name()
                                                            : elementOf(field)->type_name()) +
                          ">"
                : field->message_type() ? field->message_type()->full_name()
                : field->enum_type()    ? field->enum_type()->full_name()
                                        : std::string(field->type_name());
            if (field->is_repeated() && !field->is_map())
                detail = "repeated " + detail;
            if (field->real_containing_oneof())
                detail += " (oneof " + field->real_containing_oneof()->name() + ")";
            out.items.push_back({field->json_name(), detail});
        }
        return out;
    }
    if (top.object) {
        valueField = top.map ? elementOf(top.field) : findField(top.message, top.key);
        out.path =
            top.map ? top.path + "[\"" + top.key + "\"]" : top.path + (top.path.empty() ? "" : ".") + top.key;
    } else {
        valueField = top.field;
        out.path = top.path + '[' + std::to_string(top.index) + ']';
    }
    if (!valueField)
        return out;
    out.kind = Completion::Kind::Value;
    if (const pb::EnumDescriptor *e = valueField->enum_type()) {
        if (e->full_name() == "google.protobuf.NullValue") {
            if (!out.inString)
                out.items.push_back({"null", e->full_name()});
            return out;
        }
        for (int v = 0; v < e->value_count(); ++v) {
            const std::string &name = e->value(v)->name();
            if (startsWithNoCase(name, out.prefix))
                out.items.push_back({out.inString ? name : '"' + name + '"',
                                     e->full_name() + " = " + std::to_string(e->value(v)->number())});
        }
    } else if (valueField->type() == pb::FieldDescriptor::TYPE_BOOL && !out.inString) {
        for (const char *b : {"true", "false"}) {
            if (startsWithNoCase(b, out.prefix))
                out.items.push_back({b, "bool"});
        }
    }
    return out;
}

} // namespace rpc
