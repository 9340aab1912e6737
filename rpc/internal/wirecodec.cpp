// SPDX-License-Identifier: GPL-3.0-or-later
// JSON to protobuf wire bytes (the Encoder), the per-type plans both directions walk, and the
// UTF-8 and well-known type tests. Reading wire bytes back is in wirecodec_read.cpp.
#include "rpc/internal/wirecodec.h"
#include "rpc/internal/wirecodec_p.h"

#include "rpc/internal/jsonscalars.h"
#include "rpc/jsonutil.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace rpc::internal {

using json::Value;

namespace {

// Field numbers up to this one are found by index; the few above it by hash.
constexpr int kDenseNumbers = 4096;

std::string quotedKey(const std::string &name)
{
    std::string key;
    appendJsonString(&key, name);
    key.push_back(':');
    return key;
}

// ----- writing wire bytes -----------------------------------------------------------------

void putVarint(std::string *out, std::uint64_t v)
{
    char buf[10];
    int n = 0;
    while (v >= 0x80) {
        buf[n++] = static_cast<char>(v | 0x80);
        v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out->append(buf, static_cast<std::size_t>(n));
}

void putTag(std::string *out, int number, int wireType)
{
    putVarint(out, (static_cast<std::uint64_t>(number) << 3) | static_cast<std::uint64_t>(wireType));
}

void putFixed(std::string *out, std::uint64_t v, int bytes)
{
    char buf[8];
    for (int i = 0; i < bytes; ++i)
        buf[i] = static_cast<char>(v >> (8 * i));
    out->append(buf, static_cast<std::size_t>(bytes));
}

// A length-delimited value is written with a one-byte length first; endLength() fixes the
// length up and, for 128 bytes or more, makes room for its longer varint.
std::size_t beginLength(std::string *out)
{
    out->push_back('\0');
    return out->size();
}

void endLength(std::string *out, std::size_t start)
{
    const std::size_t length = out->size() - start;
    if (length < 0x80) {
        (*out)[start - 1] = static_cast<char>(length);
        return;
    }
    std::string varint;
    putVarint(&varint, length);
    (*out)[start - 1] = varint[0];
    out->insert(start, varint, 1, std::string::npos);
}

// The wire value of a scalar that is not a string, bytes or message.
std::uint64_t scalarBits(const WireField &f, const Value &v)
{
    switch (f.type) {
    case FD::TYPE_INT32:
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(integerFromText<std::int32_t>(v.text)));
    case FD::TYPE_SINT32: {
        const auto n = integerFromText<std::int32_t>(v.text);
        return (static_cast<std::uint32_t>(n) << 1) ^ static_cast<std::uint32_t>(n >> 31);
    }
    case FD::TYPE_SFIXED32:
        return static_cast<std::uint32_t>(integerFromText<std::int32_t>(v.text));
    case FD::TYPE_UINT32:
    case FD::TYPE_FIXED32:
        return integerFromText<std::uint32_t>(v.text);
    case FD::TYPE_INT64:
    case FD::TYPE_SFIXED64:
        return static_cast<std::uint64_t>(integerFromText<std::int64_t>(v.text));
    case FD::TYPE_SINT64: {
        const auto n = integerFromText<std::int64_t>(v.text);
        return (static_cast<std::uint64_t>(n) << 1) ^ static_cast<std::uint64_t>(n >> 63);
    }
    case FD::TYPE_UINT64:
    case FD::TYPE_FIXED64:
        return integerFromText<std::uint64_t>(v.text);
    case FD::TYPE_FLOAT:
        return std::bit_cast<std::uint32_t>(static_cast<float>(floatingFrom(v)));
    case FD::TYPE_DOUBLE:
        return std::bit_cast<std::uint64_t>(floatingFrom(v));
    case FD::TYPE_BOOL:
        return v.boolean ? 1 : 0;
    case FD::TYPE_ENUM: {
        std::int32_t n = 0;
        if (v.type == Value::Type::String) {
            if (const auto *e = f.enumType->FindValueByName(v.text))
                n = e->number();
        } else {
            n = integerFromText<std::int32_t>(v.text);
        }
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(n));
    }
    default:
        return 0;
    }
}

void putScalar(std::string *out, FD::Type type, std::uint64_t bits)
{
    switch (wireTypeOf(type)) {
    case kFixed64:
        putFixed(out, bits, 8);
        break;
    case kFixed32:
        putFixed(out, bits, 4);
        break;
    default:
        putVarint(out, bits);
    }
}

struct Item
{
    const WireField *field;
    const Value *value;
};

class Encoder
{
public:
    explicit Encoder(std::string *out)
        : m_out(out)
    {
        m_items.reserve(32);
    }

    bool message(const WireMessage &m, const Value &v)
    {
        if (!m.direct || ++m_depth > kMaxDepth)
            return false;
        if (v.type != Value::Type::Object) {
            --m_depth;
            return true; // null: the empty message
        }
        const std::size_t base = m_items.size();
        for (const auto &member : v.members) {
            const auto it = m.byName.find(member.name);
            if (it == m.byName.end()) // unknown fields were refused by the validator, or are allowed
                continue;
            const WireField &f = m.fields[static_cast<std::size_t>(it->second)];
            if (member.value.type == Value::Type::Null) {
                // null leaves a field unset, but for a google.protobuf.Value it is a value: not ours.
                if (f.message && !f.repeated && !f.message->direct)
                    return false;
                continue;
            }
            m_items.push_back({&f, &member.value});
        }
        // protobuf writes fields in number order; so does this, for the same bytes.
        stableSort(m_items.begin() + static_cast<std::ptrdiff_t>(base), m_items.end(),
                   [](const Item &a, const Item &b) { return a.field->number < b.field->number; });
        const std::size_t end = m_items.size();
        for (std::size_t i = base; i < end;) {
            const WireField &f = *m_items[i].field;
            std::size_t j = i + 1;
            while (j < end && m_items[j].field == &f)
                ++j;
            if (!group(f, i, j))
                return false;
            i = j;
        }
        m_items.resize(base);
        --m_depth;
        return true;
    }

private:
    // The members [from, to) of one message that all name field `f`.
    bool group(const WireField &f, std::size_t from, std::size_t to)
    {
        if (f.map) {
            for (std::size_t k = from; k < to; ++k)
                for (const auto &entry : m_items[k].value->members)
                    if (!mapEntry(f, entry))
                        return false;
            return true;
        }
        if (f.repeated && f.packed) {
            std::size_t count = 0;
            for (std::size_t k = from; k < to; ++k)
                count += m_items[k].value->items.size();
            if (count == 0)
                return true;
            putTag(m_out, f.number, kLength);
            const std::size_t at = beginLength(m_out);
            for (std::size_t k = from; k < to; ++k)
                for (const Value &item : m_items[k].value->items)
                    putScalar(m_out, f.type, scalarBits(f, item));
            endLength(m_out, at);
            return true;
        }
        if (f.repeated) {
            for (std::size_t k = from; k < to; ++k)
                for (const Value &item : m_items[k].value->items)
                    if (!value(f, item, false))
                        return false;
            return true;
        }
        // A singular field named twice: the last value wins, as protobuf's parser would have
        // it; two objects for one message field would be merged, which is left to protobuf.
        if (f.type == FD::TYPE_MESSAGE && to - from > 1)
            return false;
        return value(f, *m_items[to - 1].value, !f.presence);
    }

    // One value with its tag. `skipDefault`: a field without presence holding its default is
    // not written at all.
    bool value(const WireField &f, const Value &v, bool skipDefault)
    {
        switch (f.type) {
        case FD::TYPE_MESSAGE: {
            putTag(m_out, f.number, kLength);
            const std::size_t at = beginLength(m_out);
            if (!message(*f.message, v))
                return false;
            endLength(m_out, at);
            return true;
        }
        case FD::TYPE_STRING:
            if (!(skipDefault && v.text.empty())) {
                putTag(m_out, f.number, kLength);
                putVarint(m_out, v.text.size());
                m_out->append(v.text);
            }
            return true;
        case FD::TYPE_BYTES: {
            std::string raw;
            base64Decode(v.text, &raw);
            if (!(skipDefault && raw.empty())) {
                putTag(m_out, f.number, kLength);
                putVarint(m_out, raw.size());
                m_out->append(raw);
            }
            return true;
        }
        case FD::TYPE_GROUP:
            return false;
        default: {
            const std::uint64_t bits = scalarBits(f, v);
            if (!(skipDefault && bits == 0)) {
                putTag(m_out, f.number, wireTypeOf(f.type));
                putScalar(m_out, f.type, bits);
            }
            return true;
        }
        }
    }

    bool mapEntry(const WireField &f, const Value::Member &entry)
    {
        const WireField *key = f.message->field(1);
        const WireField *val = f.message->field(2);
        if (!key || !val)
            return false;
        putTag(m_out, f.number, kLength);
        const std::size_t at = beginLength(m_out);
        if (key->type == FD::TYPE_STRING) {
            putTag(m_out, 1, kLength);
            putVarint(m_out, entry.name.size());
            m_out->append(entry.name);
        } else {
            Value k;
            k.type = key->type == FD::TYPE_BOOL ? Value::Type::Bool : Value::Type::String;
            k.boolean = entry.name == "true";
            k.text = entry.name;
            if (!value(*key, k, false))
                return false;
        }
        if (entry.value.type != Value::Type::Null && !value(*val, entry.value, false))
            return false;
        endLength(m_out, at);
        return true;
    }

    std::string *m_out;
    std::vector<Item> m_items; // members of the messages being written, innermost last
    int m_depth = 0;
};

} // namespace

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), as protobuf
// demands of proto3 strings.
bool validUtf8(const std::uint8_t *s, std::size_t n)
{
    std::size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, s + i, 8);
            if (!(word & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        const std::uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (i + length > n || s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (std::size_t k = 2; k < length; ++k)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += length;
    }
    return true;
}

bool isWellKnownType(const pb::Descriptor *d)
{
    return d->file()->name().rfind("google/protobuf/", 0) == 0;
}

const WireMessage *WirePlans::plan(const pb::Descriptor *d)
{
    std::lock_guard lock(m_mutex);
    return build(d);
}

WireMessage *WirePlans::build(const pb::Descriptor *d)
{
    if (auto it = m_plans.find(d); it != m_plans.end())
        return it->second.get();
    auto owned = std::make_unique<WireMessage>();
    WireMessage *m = owned.get();
    m_plans.emplace(d, std::move(owned)); // before the fields: a recursive type finds itself
    m->descriptor = d;
    m->proto3 = d->file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO3;
    m->direct = m->proto3 && !isWellKnownType(d);
    int maxNumber = 0;
    m->fields.reserve(static_cast<std::size_t>(d->field_count()));
    for (int i = 0; i < d->field_count(); ++i) {
        const FD *fd = d->field(i);
        WireField f;
        f.descriptor = fd;
        f.number = fd->number();
        f.type = fd->type();
        f.oneof = fd->real_containing_oneof() ? fd->real_containing_oneof()->index() : -1;
        f.repeated = fd->is_repeated();
        f.packed = fd->is_packed();
        f.map = fd->is_map();
        f.presence = fd->has_presence();
        f.jsonKey = quotedKey(fd->json_name());
        f.originalKey = quotedKey(fd->name());
        f.enumType = fd->enum_type();
        if (f.type == FD::TYPE_GROUP)
            m->direct = m->proto3 = false;
        if (fd->cpp_type() == FD::CPPTYPE_MESSAGE) {
            f.message = build(fd->message_type());
            if (!f.map && !f.message->direct)
                m->nonDirectFields = true;
        }
        maxNumber = std::max(maxNumber, f.number);
        m->fields.push_back(std::move(f));
    }
    m->byNumber.assign(static_cast<std::size_t>(std::min(maxNumber, kDenseNumbers) + 1), -1);
    for (std::size_t i = 0; i < m->fields.size(); ++i) {
        const int n = m->fields[i].number;
        if (n <= kDenseNumbers)
            m->byNumber[static_cast<std::size_t>(n)] = static_cast<std::int16_t>(i);
        else
            m->sparse.emplace(n, static_cast<int>(i));
    }
    // The same precedence as a lookup by name, then camel-case name, then JSON name.
    for (std::size_t i = 0; i < m->fields.size(); ++i)
        m->byName.emplace(m->fields[i].descriptor->name(), static_cast<int>(i));
    for (std::size_t i = 0; i < m->fields.size(); ++i)
        m->byName.emplace(m->fields[i].descriptor->camelcase_name(), static_cast<int>(i));
    for (std::size_t i = 0; i < m->fields.size(); ++i)
        m->byName.emplace(m->fields[i].descriptor->json_name(), static_cast<int>(i));
    return m;
}

bool jsonToWire(const WireMessage &m, const Value &value, std::string *out)
{
    return Encoder(out).message(m, value);
}

} // namespace rpc::internal
