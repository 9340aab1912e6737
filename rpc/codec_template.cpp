// SPDX-License-Identifier: GPL-3.0-or-later
// Example requests: the JSON template of a message type that the request editor starts from,
// every field with a value of its type, bounded in depth and size. Split from rpc/codec.cpp.
#include "rpc/internal/codec_p.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/internal/wirecodec.h"
#include "rpc/jsonutil.h"

#include <map>
#include <set>
#include <string>

namespace pb = google::protobuf;

namespace rpc {

namespace {

using FD = pb::FieldDescriptor;

void appendQuoted(std::string *out, const std::string &s)
{
    out->push_back('"');
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20) {
            // A control character (protoc takes one in json_name) is escaped: raw, it made the
            // example request invalid JSON (proto_fuzz).
            static const char hex[] = "0123456789abcdef";
            *out += "\\u00";
            out->push_back(hex[(c >> 4) & 0xf]);
            out->push_back(hex[c & 0xf]);
            continue;
        }
        if (c == '"' || c == '\\')
            out->push_back('\\');
        out->push_back(c);
    }
    out->push_back('"');
}

void templateValue(const FD *f, std::set<const pb::Descriptor *> *stack, std::string *out);

// Past these, a message in the template is written as {}. Types that share children (two fields
// of one type, each with two fields of the next…) made the template grow exponentially: 31
// such levels ran out of memory. A chain of thousands of types overflowed the stack, and
// protobuf's JSON parser refuses more than 100 levels anyway.
constexpr std::size_t kTemplateDepth = 32;
constexpr std::size_t kTemplateBytes = 64 * 1024;

void templateMessage(const pb::Descriptor *d, std::set<const pb::Descriptor *> *stack, std::string *out)
{
    const std::string &n = d->full_name();
    // Well-known types are written in their JSON forms.
    static const std::map<std::string, std::string> examples = {
        {"google.protobuf.Timestamp", "\"1970-01-01T00:00:00Z\""},
        {"google.protobuf.Duration", "\"0s\""},
        {"google.protobuf.FieldMask", "\"\""},
        {"google.protobuf.Struct", "{}"},
        {"google.protobuf.ListValue", "[]"},
        {"google.protobuf.Value", "null"},
        {"google.protobuf.Any", R"({"@type": "type.googleapis.com/google.protobuf.Empty"})"},
    };
    if (auto it = examples.find(n); it != examples.end()) {
        *out += it->second;
        return;
    }
    if (isWrapper(d)) {
        templateValue(d->FindFieldByName("value"), stack, out);
        return;
    }
    // A cycle stops here, and so does a template that is deep or big already.
    if (stack->count(d) || stack->size() >= kTemplateDepth || out->size() >= kTemplateBytes) {
        *out += "{}";
        return;
    }
    stack->insert(d);
    *out += '{';
    bool first = true;
    std::set<const pb::OneofDescriptor *> oneofs;
    for (int i = 0; i < d->field_count(); ++i) {
        const FD *f = d->field(i);
        if (const auto *o = f->real_containing_oneof(); o && !oneofs.insert(o).second)
            continue; // one member per oneof keeps the template valid
        if (!first)
            *out += ',';
        first = false;
        // A json_name that is not UTF-8 (protoc takes any bytes) cannot be sent as JSON: the
        // field's own name, which JSON parsers accept too, keeps the template a valid request.
        const std::string &jsonName = f->json_name();
        appendQuoted(out, internal::validUtf8(reinterpret_cast<const std::uint8_t *>(jsonName.data()), jsonName.size())
                              ? jsonName
                              : f->name());
        *out += ':';
        if (f->is_map()) {
            *out += '{';
            const FD *key = f->message_type()->map_key();
            std::string k;
            switch (key->cpp_type()) {
            case FD::CPPTYPE_STRING:
                k = "key";
                break;
            case FD::CPPTYPE_BOOL:
                k = "true";
                break;
            default:
                k = "0";
            }
            appendQuoted(out, k);
            *out += ':';
            templateValue(f->message_type()->map_value(), stack, out);
            *out += '}';
        } else if (f->is_repeated()) {
            *out += '[';
            templateValue(f, stack, out);
            *out += ']';
        } else {
            templateValue(f, stack, out);
        }
    }
    *out += '}';
    stack->erase(d);
}

void templateValue(const FD *f, std::set<const pb::Descriptor *> *stack, std::string *out)
{
    switch (f->cpp_type()) {
    case FD::CPPTYPE_MESSAGE:
        templateMessage(f->message_type(), stack, out);
        break;
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_UINT32:
        *out += '0';
        break;
    case FD::CPPTYPE_INT64:
    case FD::CPPTYPE_UINT64:
        *out += "\"0\"";
        break;
    case FD::CPPTYPE_DOUBLE:
    case FD::CPPTYPE_FLOAT:
        *out += "0.0";
        break;
    case FD::CPPTYPE_BOOL:
        *out += "false";
        break;
    case FD::CPPTYPE_ENUM:
        appendQuoted(out, f->enum_type()->value(0)->name());
        break;
    case FD::CPPTYPE_STRING:
        *out += "\"\"";
        break;
    }
}

} // namespace

Result<std::string> Schema::messageTemplate(std::string_view typeName) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return Error("unknown message type \"" + std::string(typeName) + "\"");
    std::set<const pb::Descriptor *> stack;
    std::string out;
    templateMessage(d, &stack, &out);
    return prettyJson(out);
}

} // namespace rpc
