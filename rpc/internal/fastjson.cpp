// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/fastjson.h"

#include "rpc/internal/jsonscalars.h"
#include "rpc/internal/wirecodec.h"

#include "rpc/jsonutil.h"

#include <google/protobuf/reflection.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace rpc::internal {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using json::Value;

bool PlainTypes::isPlain(const pb::Descriptor *d)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_plain.find(d); it != m_plain.end())
        return it->second;
    std::unordered_map<const pb::Descriptor *, bool> visiting;
    const bool plain = compute(d, &visiting);
    m_plain.emplace(d, plain);
    return plain;
}

bool PlainTypes::compute(const pb::Descriptor *d, std::unordered_map<const pb::Descriptor *, bool> *visiting)
{
    if (isWellKnownType(d))
        return false;
    if (!visiting->emplace(d, true).second)
        return true; // a cycle: decided by the rest of the tree
    for (int i = 0; i < d->field_count(); ++i) {
        const FD *f = d->field(i);
        if (f->cpp_type() == FD::CPPTYPE_MESSAGE && !compute(f->message_type(), visiting))
            return false;
    }
    return true;
}

namespace {

// ----- JSON to message --------------------------------------------------------------------

template<typename T> T integer(const Value &v)
{
    return integerFromText<T>(v.text);
}

double floating(const Value &v)
{
    return floatingFrom(v);
}

const pb::EnumValueDescriptor *enumValue(const FD *f, const Value &v, int *number)
{
    if (v.type == Value::Type::String)
        return f->enum_type()->FindValueByName(v.text);
    *number = integer<int>(v);
    return nullptr;
}

// Sets field `f` of `msg` from `v`, or adds `v` to it when `add` (repeated fields).
void store(pb::Message *msg, const FD *f, const Value &v, bool add)
{
    const auto *r = msg->GetReflection();
    switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32: {
        const auto x = integer<std::int32_t>(v);
        add ? r->AddInt32(msg, f, x) : r->SetInt32(msg, f, x);
        break;
    }
    case FD::CPPTYPE_INT64: {
        const auto x = integer<std::int64_t>(v);
        add ? r->AddInt64(msg, f, x) : r->SetInt64(msg, f, x);
        break;
    }
    case FD::CPPTYPE_UINT32: {
        const auto x = integer<std::uint32_t>(v);
        add ? r->AddUInt32(msg, f, x) : r->SetUInt32(msg, f, x);
        break;
    }
    case FD::CPPTYPE_UINT64: {
        const auto x = integer<std::uint64_t>(v);
        add ? r->AddUInt64(msg, f, x) : r->SetUInt64(msg, f, x);
        break;
    }
    case FD::CPPTYPE_DOUBLE:
        add ? r->AddDouble(msg, f, floating(v)) : r->SetDouble(msg, f, floating(v));
        break;
    case FD::CPPTYPE_FLOAT: {
        const auto x = static_cast<float>(floating(v));
        add ? r->AddFloat(msg, f, x) : r->SetFloat(msg, f, x);
        break;
    }
    case FD::CPPTYPE_BOOL:
        add ? r->AddBool(msg, f, v.boolean) : r->SetBool(msg, f, v.boolean);
        break;
    case FD::CPPTYPE_STRING: {
        std::string x = v.text;
        if (f->type() == FD::TYPE_BYTES)
            base64Decode(v.text, &x);
        add ? r->AddString(msg, f, std::move(x)) : r->SetString(msg, f, std::move(x));
        break;
    }
    case FD::CPPTYPE_ENUM: {
        int number = 0;
        if (const auto *e = enumValue(f, v, &number))
            number = e->number();
        add ? r->AddEnumValue(msg, f, number) : r->SetEnumValue(msg, f, number);
        break;
    }
    case FD::CPPTYPE_MESSAGE:
        jsonToMessage(v, add ? r->AddMessage(msg, f) : r->MutableMessage(msg, f));
        break;
    }
}

const FD *findField(const pb::Descriptor *d, const std::string &name)
{
    if (const FD *f = d->FindFieldByName(name))
        return f;
    if (const FD *f = d->FindFieldByCamelcaseName(name))
        return f;
    for (int i = 0; i < d->field_count(); ++i) // a custom json_name
        if (d->field(i)->json_name() == name)
            return d->field(i);
    return nullptr;
}

// ----- message to JSON --------------------------------------------------------------------

void appendValue(std::string *out, const pb::Message &msg, const FD *f, int index, bool emitDefaults,
                 bool originalNames);

void appendEnum(std::string *out, const FD *f, int number)
{
    if (const auto *e = f->enum_type()->FindValueByNumber(number))
        *out += jsonQuote(e->name());
    else
        appendNumber(out, number);
}

void appendMapKey(std::string *out, const pb::Message &entry, const FD *key)
{
    const auto *r = entry.GetReflection();
    switch (key->cpp_type()) {
    case FD::CPPTYPE_STRING:
        *out += jsonQuote(r->GetString(entry, key));
        return;
    case FD::CPPTYPE_BOOL:
        *out += r->GetBool(entry, key) ? "\"true\"" : "\"false\"";
        return;
    default:
        break;
    }
    out->push_back('"');
    switch (key->cpp_type()) {
    case FD::CPPTYPE_INT32:
        appendNumber(out, r->GetInt32(entry, key));
        break;
    case FD::CPPTYPE_INT64:
        appendNumber(out, r->GetInt64(entry, key));
        break;
    case FD::CPPTYPE_UINT32:
        appendNumber(out, r->GetUInt32(entry, key));
        break;
    case FD::CPPTYPE_UINT64:
        appendNumber(out, r->GetUInt64(entry, key));
        break;
    default:
        break;
    }
    out->push_back('"');
}

void appendMessage(std::string *out, const pb::Message &msg, bool emitDefaults, bool originalNames)
{
    const auto *d = msg.GetDescriptor();
    const auto *r = msg.GetReflection();
    out->push_back('{');
    bool first = true;
    for (int i = 0; i < d->field_count(); ++i) {
        const FD *f = d->field(i);
        bool present = false;
        if (f->is_repeated())
            present = r->FieldSize(msg, f) > 0 || emitDefaults;
        else if (f->has_presence())
            present = r->HasField(msg, f); // messages, oneof members, proto3 optional, proto2
        else
            present = r->HasField(msg, f) || emitDefaults;
        if (!present)
            continue;
        if (!first)
            out->push_back(',');
        first = false;
        out->push_back('"');
        *out += originalNames ? f->name() : f->json_name();
        *out += "\":";
        if (f->is_map()) {
            const FD *key = f->message_type()->map_key();
            const FD *val = f->message_type()->map_value();
            // A key received twice is kept twice in the entries seen through reflection; as a
            // map it holds the last value, at the place where the key first came.
            std::vector<std::pair<std::string, int>> entries; // rendered key, entry index
            std::unordered_map<std::string, std::size_t> slots;
            for (int k = 0; k < r->FieldSize(msg, f); ++k) {
                std::string rendered;
                appendMapKey(&rendered, r->GetRepeatedMessage(msg, f, k), key);
                if (auto [it, added] = slots.emplace(rendered, entries.size()); !added)
                    entries[it->second].second = k;
                else
                    entries.emplace_back(std::move(rendered), k);
            }
            out->push_back('{');
            for (std::size_t k = 0; k < entries.size(); ++k) {
                if (k)
                    out->push_back(',');
                *out += entries[k].first;
                out->push_back(':');
                appendValue(out, r->GetRepeatedMessage(msg, f, entries[k].second), val, -1, emitDefaults,
                            originalNames);
            }
            out->push_back('}');
        } else if (f->is_repeated()) {
            out->push_back('[');
            for (int k = 0; k < r->FieldSize(msg, f); ++k) {
                if (k)
                    out->push_back(',');
                appendValue(out, msg, f, k, emitDefaults, originalNames);
            }
            out->push_back(']');
        } else {
            appendValue(out, msg, f, -1, emitDefaults, originalNames);
        }
    }
    out->push_back('}');
}

// One value of field `f`: element `index` of a repeated field, or the singular value (-1).
void appendValue(std::string *out, const pb::Message &msg, const FD *f, int index, bool emitDefaults,
                 bool originalNames)
{
    const auto *r = msg.GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
        appendNumber(out, rep ? r->GetRepeatedInt32(msg, f, index) : r->GetInt32(msg, f));
        break;
    case FD::CPPTYPE_UINT32:
        appendNumber(out, rep ? r->GetRepeatedUInt32(msg, f, index) : r->GetUInt32(msg, f));
        break;
    case FD::CPPTYPE_INT64:
        out->push_back('"');
        appendNumber(out, rep ? r->GetRepeatedInt64(msg, f, index) : r->GetInt64(msg, f));
        out->push_back('"');
        break;
    case FD::CPPTYPE_UINT64:
        out->push_back('"');
        appendNumber(out, rep ? r->GetRepeatedUInt64(msg, f, index) : r->GetUInt64(msg, f));
        out->push_back('"');
        break;
    case FD::CPPTYPE_DOUBLE:
        appendFloating(out, rep ? r->GetRepeatedDouble(msg, f, index) : r->GetDouble(msg, f));
        break;
    case FD::CPPTYPE_FLOAT:
        appendFloating(out, rep ? r->GetRepeatedFloat(msg, f, index) : r->GetFloat(msg, f));
        break;
    case FD::CPPTYPE_BOOL:
        *out += (rep ? r->GetRepeatedBool(msg, f, index) : r->GetBool(msg, f)) ? "true" : "false";
        break;
    case FD::CPPTYPE_STRING: {
        std::string scratch;
        const std::string &s = rep ? r->GetRepeatedStringReference(msg, f, index, &scratch)
                                   : r->GetStringReference(msg, f, &scratch);
        *out += f->type() == FD::TYPE_BYTES ? '"' + base64Encode(s) + '"' : jsonQuote(s);
        break;
    }
    case FD::CPPTYPE_ENUM:
        appendEnum(out, f, rep ? r->GetRepeatedEnumValue(msg, f, index) : r->GetEnumValue(msg, f));
        break;
    case FD::CPPTYPE_MESSAGE:
        appendMessage(out, rep ? r->GetRepeatedMessage(msg, f, index) : r->GetMessage(msg, f), emitDefaults,
                      originalNames);
        break;
    }
}

} // namespace

bool usesWellKnown(const pb::Descriptor *d, const Value &value)
{
    if (value.type != Value::Type::Object)
        return false;
    for (const auto &m : value.members) {
        const FD *f = findField(d, m.name);
        if (!f || f->cpp_type() != FD::CPPTYPE_MESSAGE)
            continue;
        if (m.value.type == Value::Type::Null) {
            // null leaves a field unset, except a google.protobuf.Value, where it is the value
            // null (null_value set): the converter's job.
            if (!f->is_repeated() && f->message_type()->full_name() == "google.protobuf.Value")
                return true;
            continue;
        }
        if (f->is_map()) {
            const FD *val = f->message_type()->map_value();
            if (val->cpp_type() != FD::CPPTYPE_MESSAGE)
                continue;
            for (const auto &entry : m.value.members)
                if (isWellKnownType(val->message_type()) || usesWellKnown(val->message_type(), entry.value))
                    return true;
            continue;
        }
        if (isWellKnownType(f->message_type()))
            return true;
        if (f->is_repeated()) {
            for (const auto &item : m.value.items)
                if (usesWellKnown(f->message_type(), item))
                    return true;
        } else if (usesWellKnown(f->message_type(), m.value)) {
            return true;
        }
    }
    return false;
}

bool usesWellKnown(const pb::Message &msg)
{
    const auto *r = msg.GetReflection();
    std::vector<const FD *> fields;
    r->ListFields(msg, &fields);
    for (const FD *f : fields) {
        if (f->cpp_type() != FD::CPPTYPE_MESSAGE)
            continue;
        if (f->is_repeated()) {
            for (int i = 0; i < r->FieldSize(msg, f); ++i)
                if ((!f->is_map() && isWellKnownType(f->message_type())) ||
                    usesWellKnown(r->GetRepeatedMessage(msg, f, i)))
                    return true;
        } else if (isWellKnownType(f->message_type()) || usesWellKnown(r->GetMessage(msg, f))) {
            return true;
        }
    }
    return false;
}

void jsonToMessage(const Value &value, pb::Message *msg)
{
    if (value.type != Value::Type::Object)
        return;
    const auto *d = msg->GetDescriptor();
    const auto *r = msg->GetReflection();
    for (const auto &m : value.members) {
        const FD *f = findField(d, m.name);
        if (!f || m.value.type == Value::Type::Null)
            continue;
        if (f->is_map()) {
            const FD *key = f->message_type()->map_key();
            const FD *val = f->message_type()->map_value();
            for (const auto &entry : m.value.members) {
                pb::Message *e = r->AddMessage(msg, f);
                Value k;
                k.type = key->cpp_type() == FD::CPPTYPE_BOOL ? Value::Type::Bool : Value::Type::String;
                k.boolean = entry.name == "true";
                k.text = entry.name;
                store(e, key, k, false);
                if (entry.value.type != Value::Type::Null)
                    store(e, val, entry.value, false);
            }
        } else if (f->is_repeated()) {
            for (const auto &item : m.value.items)
                store(msg, f, item, true);
        } else {
            store(msg, f, m.value, false);
        }
    }
}

void messageToJson(const pb::Message &msg, bool emitDefaults, bool originalNames, std::string *out)
{
    appendMessage(out, msg, emitDefaults, originalNames);
}

} // namespace rpc::internal
