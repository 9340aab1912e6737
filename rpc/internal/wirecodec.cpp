// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/wirecodec.h"

#include "rpc/internal/jsonscalars.h"
#include "rpc/jsonutil.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>

namespace rpc::internal {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using json::Value;

namespace {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLength = 2, kStartGroup = 3, kFixed32 = 5 };

// Field numbers up to this one are found by index; the few above it by hash.
constexpr int kDenseNumbers = 4096;
// protobuf's own parser refuses messages nested deeper than this.
constexpr int kMaxDepth = 100;

int wireTypeOf(FD::Type t)
{
    switch (t) {
    case FD::TYPE_DOUBLE:
    case FD::TYPE_FIXED64:
    case FD::TYPE_SFIXED64:
        return kFixed64;
    case FD::TYPE_FLOAT:
    case FD::TYPE_FIXED32:
    case FD::TYPE_SFIXED32:
        return kFixed32;
    case FD::TYPE_STRING:
    case FD::TYPE_BYTES:
    case FD::TYPE_MESSAGE:
        return kLength;
    case FD::TYPE_GROUP:
        return kStartGroup;
    default:
        return kVarint;
    }
}

bool packable(FD::Type t)
{
    return wireTypeOf(t) != kLength && t != FD::TYPE_GROUP;
}

// A stable sort. The few fields of a typical message, usually in order already, are sorted in
// place with no buffer to allocate (std::stable_sort allocates one); long runs, where insertion
// could take quadratic time, go to std::stable_sort.
template<typename It, typename Less> void stableSort(It first, It last, Less less)
{
    if (last - first > 32) {
        std::stable_sort(first, last, less);
        return;
    }
    for (It i = first; i != last; ++i) {
        auto moving = std::move(*i);
        It j = i;
        for (; j != first && less(moving, *(j - 1)); --j)
            *j = std::move(*(j - 1));
        *j = std::move(moving);
    }
}

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

// ----- reading wire bytes -----------------------------------------------------------------

bool readVarint(const std::uint8_t **p, const std::uint8_t *end, std::uint64_t *v)
{
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p == end)
            return false;
        const std::uint8_t b = *(*p)++;
        result |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = result;
            return true;
        }
    }
    return false;
}

std::uint64_t readFixed(const std::uint8_t *p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
}

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

namespace {

// One field value as it stood on the wire.
struct Occurrence
{
    const WireField *field = nullptr;
    const std::uint8_t *data = nullptr; // length-delimited values
    std::size_t size = 0;
    std::uint64_t value = 0; // varint and fixed values
    int wireType = kVarint;
};

// Reads one field (tag and value) at *p. False for malformed bytes, field number 0, groups and
// invalid wire types: all left to protobuf.
bool readField(const std::uint8_t **p, const std::uint8_t *end, std::uint32_t *number, Occurrence *o)
{
    std::uint64_t key = 0;
    const std::uint8_t *start = *p;
    // A tag is at most five bytes (protobuf refuses a longer one, even zero-padded).
    if (!readVarint(p, end, &key) || *p - start > 5 || key > 0xFFFFFFFFULL || (key >> 3) == 0)
        return false;
    *number = static_cast<std::uint32_t>(key >> 3);
    o->wireType = static_cast<int>(key & 7);
    switch (o->wireType) {
    case kVarint:
        return readVarint(p, end, &o->value);
    case kFixed64:
    case kFixed32: {
        const int width = o->wireType == kFixed64 ? 8 : 4;
        if (end - *p < width)
            return false;
        o->value = readFixed(*p, width);
        *p += width;
        return true;
    }
    case kLength: {
        std::uint64_t length = 0;
        if (!readVarint(p, end, &length) || length > static_cast<std::uint64_t>(end - *p))
            return false;
        o->data = *p;
        o->size = static_cast<std::size_t>(length);
        *p += length;
        return true;
    }
    default:
        return false;
    }
}

// Reads the field at *p into `o` and finds it in `m`: `*f` is null for a field `m` does not
// know. False for malformed bytes (see readField).
bool nextField(const WireMessage &m, const std::uint8_t **p, const std::uint8_t *end, Occurrence *o,
               const WireField **f)
{
    std::uint32_t number = 0;
    if (!readField(p, end, &number, o))
        return false;
    *f = m.field(number);
    return true;
}

// The value of a varint or fixed field as the field's type reads it (32-bit types drop the
// high bits, as protobuf's parser does), so that zero means the type's default.
std::uint64_t normalized(FD::Type type, std::uint64_t v)
{
    switch (type) {
    case FD::TYPE_INT32:
    case FD::TYPE_UINT32:
    case FD::TYPE_SINT32:
    case FD::TYPE_ENUM:
        return v & 0xFFFFFFFFULL;
    case FD::TYPE_BOOL:
        return v != 0;
    default:
        return v;
    }
}

class Decoder
{
public:
    Decoder(bool emitDefaults, bool originalNames, std::string *out)
        : m_emitDefaults(emitDefaults)
        , m_originalNames(originalNames)
        , m_out(out)
    {
        m_seen.reserve(32);
    }

    bool message(const WireMessage &m, const std::uint8_t *p, const std::uint8_t *end)
    {
        // With defaults emitted an unset well-known field would be printed: protobuf's job.
        if (!m.direct || (m_emitDefaults && m.nonDirectFields) || ++m_depth > kMaxDepth)
            return false;
        const std::size_t base = m_seen.size();
        while (p < end) {
            Occurrence o;
            const WireField *f = nullptr;
            if (!nextField(m, &p, end, &o, &f))
                return false;
            if (!f)
                continue; // unknown fields are not shown in JSON
            if (o.wireType != wireTypeOf(f->type) &&
                !(o.wireType == kLength && f->repeated && !f->map && packable(f->type)))
                continue; // protobuf keeps a mismatched wire type as an unknown field
            // protobuf checks every string it reads, also one a later value replaces.
            if (f->type == FD::TYPE_STRING && !validUtf8(o.data, o.size))
                return false;
            o.field = f;
            m_seen.push_back(o);
        }
        // Printed in declaration order, each field's values in wire order.
        const WireField *first = m.fields.data();
        stableSort(
            m_seen.begin() + static_cast<std::ptrdiff_t>(base), m_seen.end(),
            [first](const Occurrence &a, const Occurrence &b) { return a.field - first < b.field - first; });
        const std::size_t end2 = m_seen.size();
        std::uint64_t oneofsSeen = 0;
        bool any = false;
        m_out->push_back('{');
        std::size_t i = base;
        for (const WireField &f : m.fields) {
            std::size_t j = i;
            while (j < end2 && m_seen[j].field == &f)
                ++j;
            const std::size_t from = i;
            i = j;
            if (from == j) {
                if (!m_emitDefaults || (f.presence && !f.repeated))
                    continue;
                separator(&any, f);
                if (f.map)
                    *m_out += "{}";
                else if (f.repeated)
                    *m_out += "[]";
                else if (!value(f, Occurrence{}))
                    return false;
                continue;
            }
            if (f.oneof >= 0) {
                // Two members of one oneof: only the last stays set in protobuf. Rare; left to it.
                if (f.oneof >= 64 || (oneofsSeen & (1ULL << f.oneof)))
                    return false;
                oneofsSeen |= 1ULL << f.oneof;
            }
            if (f.map) {
                separator(&any, f);
                if (!map(f, from, j))
                    return false;
            } else if (f.repeated) {
                separator(&any, f);
                m_out->push_back('[');
                bool firstItem = true;
                for (std::size_t k = from; k < j; ++k)
                    if (!repeatedValues(f, m_seen[k], &firstItem))
                        return false;
                m_out->push_back(']');
            } else {
                if (f.type == FD::TYPE_MESSAGE && j - from > 1)
                    return false;                    // protobuf merges the parts
                const Occurrence &o = m_seen[j - 1]; // the last value wins
                if (!f.presence && !m_emitDefaults && isDefault(f, o))
                    continue;
                separator(&any, f);
                if (!value(f, o))
                    return false;
            }
        }
        m_out->push_back('}');
        m_seen.resize(base);
        --m_depth;
        return true;
    }

private:
    void separator(bool *any, const WireField &f)
    {
        if (*any)
            m_out->push_back(',');
        *any = true;
        *m_out += m_originalNames ? f.originalKey : f.jsonKey;
    }

    static bool isDefault(const WireField &f, const Occurrence &o)
    {
        if (o.wireType == kLength)
            return o.size == 0;
        return normalized(f.type, o.value) == 0;
    }

    bool repeatedValues(const WireField &f, const Occurrence &o, bool *firstItem)
    {
        auto comma = [&] {
            if (!*firstItem)
                m_out->push_back(',');
            *firstItem = false;
        };
        if (o.wireType != kLength || !packable(f.type)) {
            comma();
            return value(f, o);
        }
        const std::uint8_t *p = o.data, *end = o.data + o.size;
        const int wt = wireTypeOf(f.type);
        while (p < end) {
            Occurrence item;
            item.wireType = wt;
            if (wt == kVarint) {
                if (!readVarint(&p, end, &item.value))
                    return false;
            } else {
                const int width = wt == kFixed64 ? 8 : 4;
                if (end - p < width)
                    return false;
                item.value = readFixed(p, width);
                p += width;
            }
            comma();
            if (!value(f, item))
                return false;
        }
        return true;
    }

    bool map(const WireField &f, std::size_t from, std::size_t to)
    {
        const WireField *keyField = f.message->field(1);
        const WireField *valueField = f.message->field(2);
        if (!keyField || !valueField)
            return false;
        m_out->push_back('{');
        std::vector<std::pair<std::size_t, std::size_t>> keys; // spans in *m_out, to find repeats
        std::unordered_set<std::string> keySet;                // for big maps
        for (std::size_t k = from; k < to; ++k) {
            const Occurrence entry = m_seen[k];
            Occurrence key, val;
            int values = 0;
            const std::uint8_t *p = entry.data, *end = entry.data + entry.size;
            while (p < end) {
                Occurrence o;
                std::uint32_t number = 0;
                if (!readField(&p, end, &number, &o))
                    return false;
                const WireField *f = number == 1 ? keyField : number == 2 ? valueField : nullptr;
                if (!f || o.wireType != wireTypeOf(f->type))
                    continue;
                if (f->type == FD::TYPE_STRING && !validUtf8(o.data, o.size))
                    return false; // also a value the entry replaces
                if (number == 1) {
                    key = o;
                } else {
                    val = o;
                    ++values;
                }
            }
            if (valueField->type == FD::TYPE_MESSAGE && values > 1)
                return false; // merged by protobuf
            if (k > from)
                m_out->push_back(',');
            const std::size_t keyStart = m_out->size();
            if (!mapKey(*keyField, key))
                return false;
            // A repeated key: protobuf keeps the last entry. Rare; left to it.
            const std::string_view rendered(m_out->data() + keyStart, m_out->size() - keyStart);
            if (to - from <= 16) {
                for (const auto &[at, length] : keys)
                    if (std::string_view(m_out->data() + at, length) == rendered)
                        return false;
                keys.emplace_back(keyStart, rendered.size());
            } else if (!keySet.emplace(rendered).second) {
                return false;
            }
            m_out->push_back(':');
            if (!value(*valueField, val))
                return false;
        }
        m_out->push_back('}');
        return true;
    }

    bool mapKey(const WireField &f, const Occurrence &o)
    {
        if (f.type == FD::TYPE_STRING)
            return value(f, o);
        if (f.type == FD::TYPE_BOOL) {
            *m_out += o.value ? "\"true\"" : "\"false\"";
            return true;
        }
        m_out->push_back('"'); // integer keys are strings in JSON
        integer(f.type, o.value);
        m_out->push_back('"');
        return true;
    }

    // An integer of any of the integer types, unquoted.
    void integer(FD::Type type, std::uint64_t v)
    {
        switch (type) {
        case FD::TYPE_SINT32: {
            const auto u = static_cast<std::uint32_t>(v);
            appendNumber(m_out, static_cast<std::int32_t>((u >> 1) ^ (~(u & 1) + 1)));
            break;
        }
        case FD::TYPE_UINT32:
        case FD::TYPE_FIXED32:
            appendNumber(m_out, static_cast<std::uint32_t>(v));
            break;
        case FD::TYPE_INT64:
        case FD::TYPE_SFIXED64:
            appendNumber(m_out, static_cast<std::int64_t>(v));
            break;
        case FD::TYPE_SINT64:
            appendNumber(m_out, static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1)));
            break;
        case FD::TYPE_UINT64:
        case FD::TYPE_FIXED64:
            appendNumber(m_out, v);
            break;
        default: // int32, sfixed32, enum numbers
            appendNumber(m_out, static_cast<std::int32_t>(static_cast<std::uint32_t>(v)));
        }
    }

    bool value(const WireField &f, const Occurrence &o)
    {
        const std::uint64_t v = o.value;
        switch (f.type) {
        case FD::TYPE_INT32:
        case FD::TYPE_SFIXED32:
        case FD::TYPE_SINT32:
        case FD::TYPE_UINT32:
        case FD::TYPE_FIXED32:
            integer(f.type, v);
            return true;
        case FD::TYPE_INT64:
        case FD::TYPE_SFIXED64:
        case FD::TYPE_SINT64:
        case FD::TYPE_UINT64:
        case FD::TYPE_FIXED64:
            m_out->push_back('"'); // 64-bit integers are strings in JSON
            integer(f.type, v);
            m_out->push_back('"');
            return true;
        case FD::TYPE_FLOAT:
            appendFloating(m_out, std::bit_cast<float>(static_cast<std::uint32_t>(v)));
            return true;
        case FD::TYPE_DOUBLE:
            appendFloating(m_out, std::bit_cast<double>(v));
            return true;
        case FD::TYPE_BOOL:
            *m_out += v ? "true" : "false";
            return true;
        case FD::TYPE_ENUM: {
            const auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
            if (const auto *e = f.enumType->FindValueByNumber(n))
                appendJsonString(m_out, e->name());
            else
                appendNumber(m_out, n);
            return true;
        }
        case FD::TYPE_STRING:
            if (!validUtf8(o.data, o.size))
                return false;
            appendJsonString(m_out, std::string_view(reinterpret_cast<const char *>(o.data), o.size));
            return true;
        case FD::TYPE_BYTES:
            m_out->push_back('"');
            base64Append(std::string_view(reinterpret_cast<const char *>(o.data), o.size), m_out);
            m_out->push_back('"');
            return true;
        case FD::TYPE_MESSAGE:
            return message(*f.message, o.data, o.data + o.size);
        default:
            return false;
        }
    }

    bool m_emitDefaults;
    bool m_originalNames;
    std::string *m_out;
    std::vector<Occurrence> m_seen; // fields of the messages being printed, innermost last
    int m_depth = 0;
};

// The values of a packed field: whole varints, or a whole number of fixed-width values.
bool checkPacked(int wireType, const std::uint8_t *p, const std::uint8_t *end)
{
    if (wireType == kFixed64 || wireType == kFixed32)
        return (end - p) % (wireType == kFixed64 ? 8 : 4) == 0;
    std::uint64_t ignored = 0;
    while (p < end)
        if (!readVarint(&p, end, &ignored))
            return false;
    return true;
}

bool checkMessage(const WireMessage &m, const std::uint8_t *p, const std::uint8_t *end, int depth)
{
    if (!m.proto3 || depth > kMaxDepth)
        return false;
    while (p < end) {
        Occurrence o;
        const WireField *f = nullptr;
        if (!nextField(m, &p, end, &o, &f))
            return false;
        if (!f)
            continue; // an unknown field: kept as bytes
        const int wireType = wireTypeOf(f->type);
        if (o.wireType != wireType) {
            // The packed form of a repeated number; any other mismatch is an unknown field.
            if (o.wireType == kLength && f->repeated && !f->map && packable(f->type) &&
                !checkPacked(wireType, o.data, o.data + o.size))
                return false;
            continue;
        }
        if (f->type == FD::TYPE_STRING && !validUtf8(o.data, o.size))
            return false;
        if (f->type == FD::TYPE_MESSAGE && !checkMessage(*f->message, o.data, o.data + o.size, depth + 1))
            return false; // map entries are messages too
    }
    return true;
}

} // namespace

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

bool wireToJson(const WireMessage &m, std::string_view bytes, bool emitDefaults, bool originalNames,
                std::string *out)
{
    const auto *p = reinterpret_cast<const std::uint8_t *>(bytes.data());
    return Decoder(emitDefaults, originalNames, out).message(m, p, p + bytes.size());
}

bool wireCheck(const WireMessage &m, std::string_view bytes)
{
    const auto *p = reinterpret_cast<const std::uint8_t *>(bytes.data());
    return checkMessage(m, p, p + bytes.size(), 1);
}

} // namespace rpc::internal
