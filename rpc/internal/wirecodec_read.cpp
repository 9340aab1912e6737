// SPDX-License-Identifier: GPL-3.0-or-later
// Protobuf wire bytes read against a plan: to proto3 JSON (the Decoder) and the check that
// protobuf would parse them (wireCheck). Split from rpc/internal/wirecodec.cpp, which writes.
#include "rpc/internal/wirecodec.h"
#include "rpc/internal/wirecodec_p.h"

#include "rpc/internal/jsonscalars.h"
#include "rpc/jsonutil.h"

#include <bit>
#include <unordered_set>

namespace rpc::internal {

namespace {

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

bool packable(FD::Type t)
{
    return wireTypeOf(t) != kLength && t != FD::TYPE_GROUP;
}

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
        // A length is at most five bytes and under 2 GiB: protobuf refuses a longer one, even
        // zero-padded ("80 80 80 80 80 00" for 0).
        std::uint64_t length = 0;
        const std::uint8_t *lengthStart = *p;
        if (!readVarint(p, end, &length) || *p - lengthStart > 5 || length > 0x7FFFFFFFULL ||
            length > static_cast<std::uint64_t>(end - *p))
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
