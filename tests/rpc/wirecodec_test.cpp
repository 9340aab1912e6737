// SPDX-License-Identifier: GPL-3.0-or-later
// The direct JSON <-> wire codec against the path through a message object (fastjson) and
// against protobuf itself, on random messages of the test types, and on wire bytes protobuf's
// own serializer never writes but other implementations may.
#include "support.h"

#include "rpc/internal/fastjson.h"
#include "rpc/internal/jsondom.h"
#include "rpc/internal/wirecodec.h"
#include "rpc/schema.h"

#include "wirescope/testing/test.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wire_format_lite.h>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace {

namespace pb = google::protobuf;
namespace wt = wirescope::testing;
using FD = pb::FieldDescriptor;
using WFL = pb::internal::WireFormatLite;

bool isWellKnown(const pb::Descriptor *d)
{
    return d->file()->name().rfind("google/protobuf/", 0) == 0;
}

// Fills `msg` with random values by reflection. Fields of well-known types stay unset (the
// direct codec leaves those to protobuf); maps get at most `maxMapEntries` entries.
class Filler
{
public:
    Filler(unsigned seed, int maxMapEntries)
        : m_rng(seed)
        , m_maxMapEntries(maxMapEntries)
    {}

    void fill(pb::Message *msg, int depth = 0)
    {
        const auto *d = msg->GetDescriptor();
        const auto *r = msg->GetReflection();
        for (int i = 0; i < d->field_count(); ++i) {
            const FD *f = d->field(i);
            if (f->cpp_type() == FD::CPPTYPE_MESSAGE && !f->is_map() && isWellKnown(f->message_type()))
                continue;
            if (f->cpp_type() == FD::CPPTYPE_MESSAGE && depth >= 3)
                continue;
            if (chance(2))
                continue;
            if (f->is_map()) {
                const int n = pick(0, m_maxMapEntries);
                for (int k = 0; k < n; ++k) {
                    pb::Message *entry = r->AddMessage(msg, f);
                    const FD *val = f->message_type()->map_value();
                    if (val->cpp_type() == FD::CPPTYPE_MESSAGE && isWellKnown(val->message_type()))
                        continue;
                    set(entry, f->message_type()->map_key(), depth);
                    set(entry, val, depth);
                }
            } else if (f->is_repeated()) {
                const int n = pick(0, 4);
                for (int k = 0; k < n; ++k)
                    set(msg, f, depth);
            } else {
                set(msg, f, depth);
            }
        }
    }

private:
    bool chance(int oneIn) { return pick(0, oneIn - 1) == 0; }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    std::uint64_t bits() { return m_rng(); }

    std::string text()
    {
        static const char *pieces[] = {"a",    "Z", " ", "\"", "\\", "\n", "\t",
                                       "\x01", "é", "€", "𝄞",  "{}", "0"};
        std::string s;
        for (int n = pick(0, 6); n > 0; --n)
            s += pieces[pick(0, std::size(pieces) - 1)];
        return s;
    }

    double real()
    {
        switch (pick(0, 7)) {
        case 0:
            return 0.0;
        case 1:
            return -0.0;
        case 2:
            return std::numeric_limits<double>::quiet_NaN();
        case 3:
            return -std::numeric_limits<double>::infinity();
        case 4:
            return std::numeric_limits<double>::denorm_min();
        case 5:
            return 1e300;
        default:
            return std::uniform_real_distribution<double>(-1e6, 1e6)(m_rng);
        }
    }

    // Small numbers, zero, and the extremes, so that defaults and long varints both occur.
    template<typename T> T integer()
    {
        switch (pick(0, 4)) {
        case 0:
            return 0;
        case 1:
            return std::numeric_limits<T>::min();
        case 2:
            return std::numeric_limits<T>::max();
        case 3:
            return static_cast<T>(pick(-3, 3));
        default:
            return static_cast<T>(bits());
        }
    }

    void set(pb::Message *msg, const FD *f, int depth)
    {
        const auto *r = msg->GetReflection();
        const bool add = f->is_repeated();
        switch (f->cpp_type()) {
        case FD::CPPTYPE_INT32:
            add ? r->AddInt32(msg, f, integer<std::int32_t>()) : r->SetInt32(msg, f, integer<std::int32_t>());
            break;
        case FD::CPPTYPE_INT64:
            add ? r->AddInt64(msg, f, integer<std::int64_t>()) : r->SetInt64(msg, f, integer<std::int64_t>());
            break;
        case FD::CPPTYPE_UINT32:
            add ? r->AddUInt32(msg, f, integer<std::uint32_t>())
                : r->SetUInt32(msg, f, integer<std::uint32_t>());
            break;
        case FD::CPPTYPE_UINT64:
            add ? r->AddUInt64(msg, f, integer<std::uint64_t>())
                : r->SetUInt64(msg, f, integer<std::uint64_t>());
            break;
        case FD::CPPTYPE_DOUBLE:
            add ? r->AddDouble(msg, f, real()) : r->SetDouble(msg, f, real());
            break;
        case FD::CPPTYPE_FLOAT:
            add ? r->AddFloat(msg, f, static_cast<float>(real()))
                : r->SetFloat(msg, f, static_cast<float>(real()));
            break;
        case FD::CPPTYPE_BOOL:
            add ? r->AddBool(msg, f, chance(2)) : r->SetBool(msg, f, chance(2));
            break;
        case FD::CPPTYPE_ENUM: {
            // Mostly known values; sometimes a number the enum does not name (proto3 keeps it).
            const auto *e = f->enum_type();
            const int n = chance(5) ? 77 : e->value(pick(0, e->value_count() - 1))->number();
            add ? r->AddEnumValue(msg, f, n) : r->SetEnumValue(msg, f, n);
            break;
        }
        case FD::CPPTYPE_STRING: {
            std::string s = text();
            if (f->type() == FD::TYPE_BYTES)
                for (int n = pick(0, 5); n > 0; --n)
                    s.push_back(static_cast<char>(bits()));
            add ? r->AddString(msg, f, s) : r->SetString(msg, f, s);
            break;
        }
        case FD::CPPTYPE_MESSAGE:
            fill(add ? r->AddMessage(msg, f) : r->MutableMessage(msg, f), depth + 1);
            break;
        }
    }

    std::mt19937_64 m_rng;
    int m_maxMapEntries;
};

void treatMapsAsMaps(const pb::Descriptor *d, pb::util::MessageDifferencer *differ,
                     std::set<const pb::Descriptor *> *seen)
{
    if (!seen->insert(d).second)
        return;
    for (int i = 0; i < d->field_count(); ++i) {
        const FD *f = d->field(i);
        if (f->is_map())
            differ->TreatAsMap(f, f->message_type()->map_key());
        if (f->cpp_type() == FD::CPPTYPE_MESSAGE)
            treatMapsAsMaps(f->message_type(), differ, seen);
    }
}

// Equal as protobuf sees it: map entries in any order, NaN equal to NaN.
bool same(const pb::Message &a, const pb::Message &b)
{
    pb::util::DefaultFieldComparator comparator;
    comparator.set_treat_nan_as_equal(true);
    pb::util::MessageDifferencer differ;
    differ.set_field_comparator(&comparator);
    std::set<const pb::Descriptor *> seen;
    treatMapsAsMaps(a.GetDescriptor(), &differ, &seen);
    return differ.Compare(a, b);
}

std::string viaMessage(const pb::Message &m, bool emitDefaults, bool originalNames)
{
    std::string out;
    rpc::internal::messageToJson(m, emitDefaults, originalNames, &out);
    return out;
}

// `wellKnownFields`: the type has fields of well-known types, which the direct path leaves to
// protobuf when defaults are printed (they would be printed too).
template<typename T> void checkRandom(int maxMapEntries, bool exact, bool wellKnownFields = false)
{
    rpc::internal::WirePlans plans;
    const auto *plan = plans.plan(T::descriptor());
    for (unsigned seed = 1; seed <= 400; ++seed) {
        // Filled through reflection, a map can hold one key twice; a round through the wire
        // leaves the last, as a received message would have it.
        T filled, original;
        Filler(seed, maxMapEntries).fill(&filled);
        ASSERT_TRUE(original.ParseFromString(filled.SerializeAsString()));
        const std::string bytes = original.SerializeAsString();
        for (bool defaults : {false, true}) {
            for (bool names : {false, true}) {
                // Decode: wire bytes to JSON.
                std::string direct;
                const bool taken = rpc::internal::wireToJson(*plan, bytes, defaults, names, &direct);
                if (defaults && wellKnownFields) {
                    EXPECT_FALSE(taken);
                    continue;
                }
                ASSERT_TRUE(taken) << "seed " << seed << ": " << original.ShortDebugString();
                if (exact) {
                    EXPECT_EQ(direct, viaMessage(original, defaults, names)) << "seed " << seed;
                }
                // protobuf's JSON parser reads -0 as 0, which a proto3 field then does not keep;
                // the round trip below checks those.
                const bool negativeZero = direct.find(":-0,") != std::string::npos ||
                                          direct.find(":-0}") != std::string::npos ||
                                          direct.find("-0]") != std::string::npos;
                T back;
                ASSERT_TRUE(pb::util::JsonStringToMessage(direct, &back).ok()) << direct;
                if (!negativeZero) {
                    EXPECT_TRUE(same(back, original)) << "seed " << seed << "\n" << direct;
                }

                // Encode: that JSON back to wire bytes.
                auto dom = rpc::json::parseDocument(direct);
                ASSERT_TRUE(dom) << direct;
                std::string encoded;
                ASSERT_TRUE(rpc::internal::jsonToWire(*plan, *dom, &encoded)) << direct;
                T reparsed;
                ASSERT_TRUE(reparsed.ParseFromString(encoded));
                EXPECT_TRUE(same(reparsed, original)) << "seed " << seed << "\n" << direct;
                if (exact) {
                    T viaObject;
                    rpc::internal::jsonToMessage(*dom, &viaObject);
                    EXPECT_EQ(encoded, viaObject.SerializeAsString()) << "seed " << seed << "\n" << direct;
                }
            }
        }
    }
}

// Wire bytes written by hand.
struct Writer
{
    std::string bytes;
    void varint(int number, std::uint64_t v)
    {
        tag(number, WFL::WIRETYPE_VARINT);
        raw(v);
    }
    void length(int number, const std::string &payload)
    {
        tag(number, WFL::WIRETYPE_LENGTH_DELIMITED);
        raw(payload.size());
        bytes += payload;
    }
    void fixed32(int number, std::uint32_t v)
    {
        tag(number, WFL::WIRETYPE_FIXED32);
        for (int i = 0; i < 4; ++i)
            bytes.push_back(static_cast<char>(v >> (8 * i)));
    }
    void tag(int number, int wireType) { raw((static_cast<std::uint64_t>(number) << 3) | wireType); }
    void raw(std::uint64_t v)
    {
        while (v >= 0x80) {
            bytes.push_back(static_cast<char>(v | 0x80));
            v >>= 7;
        }
        bytes.push_back(static_cast<char>(v));
    }
};

std::string decodeDirect(const pb::Descriptor *d, const std::string &bytes, bool *taken)
{
    static rpc::internal::WirePlans plans;
    std::string out;
    *taken = rpc::internal::wireToJson(*plans.plan(d), bytes, false, false, &out);
    return out;
}

} // namespace

TEST(WireCodec, RandomPlainRecordsMatchTheMessagePathExactly)
{
    checkRandom<wt::PlainRecord>(1, true);
}

TEST(WireCodec, RandomEchoRequestsWithoutWellKnownFieldsMatch)
{
    checkRandom<wt::EchoRequest>(1, true, true);
}

TEST(WireCodec, RandomMapsOfManyEntriesMeanTheSame)
{
    checkRandom<wt::PlainRecord>(40, false);
}

// What other implementations may send: packed fields unpacked, a zero written out, a scalar
// repeated (the last wins), a field with the wrong wire type and an unknown field (both not
// shown), a negative int32 as a ten-byte varint.
TEST(WireCodec, ReadsWhatProtobufAcceptsButDoesNotWrite)
{
    Writer w;
    w.varint(18, 5); // longs, unpacked
    w.varint(18, 6);
    w.varint(1, 0);           // i32 = 0, written out
    w.varint(3, 1);           // u32 = 1 ...
    w.varint(3, 2);           // ... then 2: the last wins
    w.fixed32(2, 9);          // i64 with a 32-bit wire type: unknown
    w.length(99, "whatever"); // unknown field
    w.varint(5, static_cast<std::uint64_t>(std::int64_t{-3}) << 1 >> 1); // s32 with high bits
    Writer packed;
    packed.raw(7);
    w.length(18, packed.bytes); // longs, packed, after the unpacked ones
    Writer negative;
    negative.varint(2, static_cast<std::uint64_t>(std::int64_t{-1})); // Inner.value = -1
    w.length(17, negative.bytes);

    wt::PlainRecord reference;
    ASSERT_TRUE(reference.ParseFromString(w.bytes));
    bool taken = false;
    const std::string json = decodeDirect(wt::PlainRecord::descriptor(), w.bytes, &taken);
    ASSERT_TRUE(taken);
    EXPECT_EQ(json, viaMessage(reference, false, false));
    EXPECT_NE(json.find(R"("longs":["5","6","7"])"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("u32":2)"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("inner":{"value":-1})"), std::string::npos) << json;
    EXPECT_EQ(json.find("i32"), std::string::npos) << json;
    EXPECT_EQ(json.find("i64"), std::string::npos) << json;
}

// Where protobuf's semantics need more than one pass, the direct path steps aside, and
// Schema::decode (which then goes through protobuf) still prints what protobuf understood.
TEST(WireCodec, LeavesMergesAndConflictsToProtobuf)
{
    auto schema = testsupport::testSchema();
    rpc::CodecOptions options;
    options.pretty = false;
    struct Case
    {
        const char *what;
        std::string bytes;
    };
    std::vector<Case> cases;
    {
        Writer a, b, w; // the same message field twice: protobuf merges the two
        a.length(1, "x");
        b.varint(2, 4);
        w.length(17, a.bytes);
        w.length(17, b.bytes);
        cases.push_back({"merged message", w.bytes});
    }
    {
        Writer w; // two members of one oneof: the last stays
        w.length(23, "label");
        w.varint(24, 3);
        cases.push_back({"oneof conflict", w.bytes});
    }
    {
        Writer e1, e2, w; // one map key twice: the last entry stays
        e1.varint(1, 4);
        e1.length(2, "first");
        e2.varint(1, 4);
        e2.length(2, "second");
        w.length(21, e1.bytes);
        w.length(21, e2.bytes);
        cases.push_back({"repeated map key", w.bytes});
    }
    for (const auto &c : cases) {
        bool taken = true;
        decodeDirect(wt::PlainRecord::descriptor(), c.bytes, &taken);
        EXPECT_FALSE(taken) << c.what;
        wt::PlainRecord reference;
        ASSERT_TRUE(reference.ParseFromString(c.bytes)) << c.what;
        auto json = schema->decode("wirescope.testing.PlainRecord", c.bytes, options);
        ASSERT_TRUE(json) << c.what << ": " << json.error().message;
        wt::PlainRecord back;
        ASSERT_TRUE(pb::util::JsonStringToMessage(*json, &back).ok()) << *json;
        EXPECT_TRUE(same(back, reference)) << c.what << ": " << *json;
    }
    EXPECT_NE(schema->decode("wirescope.testing.PlainRecord", cases[0].bytes, options)
                  ->find(R"("inner":{"name":"x","value":4})"),
              std::string::npos);
    EXPECT_NE(schema->decode("wirescope.testing.PlainRecord", cases[2].bytes, options)
                  ->find(R"("byNumber":{"4":"second"})"),
              std::string::npos);
}

TEST(WireCodec, BadBytesAreRefusedHereAndReportedByTheSlowPath)
{
    auto schema = testsupport::testSchema();
    Writer w;
    w.length(14, "ok");
    const std::string good = w.bytes;
    const std::vector<std::pair<const char *, std::string>> bad = {
        {"truncated", good.substr(0, good.size() - 1)},
        {"invalid UTF-8", std::string("\x72\x02\xc3\x28", 4)},
        {"field number 0", std::string("\x00\x01", 2)},
        {"group", std::string("\x0b\x0c", 2)},
        {"overlong length", std::string("\x72\x7f", 2)},
        // Found by tests/fuzz/codec_fuzz.cpp: protobuf checks a string a later value replaces,
        // also a map entry's key, and refuses a tag longer than five bytes.
        {"invalid UTF-8, then replaced", std::string("\x72\x02\xc3\x28\x72\x00", 6)},
        {"invalid map key, then replaced", std::string("\xa2\x01\x06\x0a\x02\xc3\x28\x0a\x00", 9)},
        {"six-byte tag", std::string("\xd2\xff\xf5\xff\x85\x00\x00", 7)},
        // And a length longer than five bytes (a packed field's, here an empty one).
        {"six-byte length", std::string("\x18\x3d\x92\x01\x80\x80\x80\x80\x80\x00", 10)},
    };
    for (const auto &[what, bytes] : bad) {
        bool taken = true;
        decodeDirect(wt::PlainRecord::descriptor(), bytes, &taken);
        EXPECT_FALSE(taken) << what;
        wt::PlainRecord reference;
        const bool protobufAccepts = reference.ParseFromString(bytes);
        auto json = schema->decode("wirescope.testing.PlainRecord", bytes, {});
        EXPECT_EQ(bool(json), protobufAccepts) << what;
    }
    bool taken = false;
    EXPECT_EQ(decodeDirect(wt::PlainRecord::descriptor(), good, &taken), R"({"text":"ok"})");
    EXPECT_TRUE(taken);
}

// Well-known types are protobuf's job both ways; the rest of the same message is not.
TEST(WireCodec, WellKnownTypesGoToProtobuf)
{
    rpc::internal::WirePlans plans;
    const auto *plan = plans.plan(wt::EchoRequest::descriptor());
    wt::EchoRequest r;
    r.set_text("t");
    std::string out;
    EXPECT_TRUE(rpc::internal::wireToJson(*plan, r.SerializeAsString(), false, false, &out));
    out.clear();
    EXPECT_FALSE(rpc::internal::wireToJson(*plan, r.SerializeAsString(), true, false, &out))
        << "with defaults emitted, unset well-known fields would be printed";
    r.mutable_when()->set_seconds(5);
    out.clear();
    EXPECT_FALSE(rpc::internal::wireToJson(*plan, r.SerializeAsString(), false, false, &out));
    auto dom = rpc::json::parseDocument(R"({"text": "t", "when": "1970-01-01T00:00:05Z"})");
    ASSERT_TRUE(dom);
    out.clear();
    EXPECT_FALSE(rpc::internal::jsonToWire(*plan, *dom, &out));

    auto schema = testsupport::testSchema();
    rpc::CodecOptions options;
    options.pretty = false;
    auto json = schema->decode("wirescope.testing.EchoRequest", r.SerializeAsString(), options);
    ASSERT_TRUE(json);
    EXPECT_EQ(*json, R"({"text":"t","when":"1970-01-01T00:00:05Z"})");
    auto bytes = schema->encode("wirescope.testing.EchoRequest",
                                R"({"text": "t", "when": "1970-01-01T00:00:05Z"})", {});
    ASSERT_TRUE(bytes);
    wt::EchoRequest encoded;
    ASSERT_TRUE(encoded.ParseFromString(*bytes));
    EXPECT_TRUE(same(encoded, r)) << encoded.ShortDebugString();
}

// A long run of one field after another in reverse declaration order stays linear (a sort
// that is quadratic on such input took minutes here).
TEST(WireCodec, ManyOccurrencesOutOfDeclarationOrder)
{
    wt::PlainRecord r;
    for (int i = 0; i < 200000; ++i) {
        r.add_doubles(i);
        r.add_longs(i);
    }
    Writer w; // unpacked, interleaved: doubles (27) before longs (18) each time
    for (int i = 0; i < 200000; ++i) {
        w.tag(27, WFL::WIRETYPE_FIXED64);
        const double d = i;
        std::uint64_t b;
        std::memcpy(&b, &d, 8);
        for (int k = 0; k < 8; ++k)
            w.bytes.push_back(static_cast<char>(b >> (8 * k)));
        w.varint(18, static_cast<std::uint64_t>(i));
    }
    bool taken = false;
    const std::string json = decodeDirect(wt::PlainRecord::descriptor(), w.bytes, &taken);
    ASSERT_TRUE(taken);
    EXPECT_EQ(json, viaMessage(r, false, false));
}

// Schema::check (a load run's test of each reply) says what protobuf's parser says, on random
// messages of both test types, well-known fields included, and on the same bytes cut short or
// with a byte changed; the walk alone never accepts what protobuf refuses.
TEST(WireCodec, CheckAgreesWithProtobufsParser)
{
    auto schema = testsupport::testSchema();
    rpc::internal::WirePlans plans;
    pb::LogSilencer quiet; // protobuf logs each invalid string it meets
    int refused = 0, walked = 0;
    auto compare = [&](const pb::Message &type, const std::string &bytes, const std::string &what) {
        std::unique_ptr<pb::Message> reference(type.New());
        const bool protobufAccepts = reference->ParseFromString(bytes);
        const auto checked = schema->check(type.GetDescriptor()->full_name(), bytes);
        EXPECT_EQ(checked.ok(), protobufAccepts) << what << (checked ? "" : ": " + checked.error().message);
        const bool walkAccepts = rpc::internal::wireCheck(*plans.plan(type.GetDescriptor()), bytes);
        if (walkAccepts) {
            EXPECT_TRUE(protobufAccepts) << what;
        }
        refused += !protobufAccepts;
        walked += walkAccepts;
    };
    std::mt19937_64 rng(7);
    auto mutate = [&](const pb::Message &type, const std::string &bytes, unsigned seed) {
        compare(type, bytes, "seed " + std::to_string(seed));
        if (bytes.empty())
            return;
        for (int i = 0; i < 4; ++i) {
            const std::size_t at = rng() % bytes.size();
            compare(type, bytes.substr(0, at), "seed " + std::to_string(seed) + " cut at " + std::to_string(at));
            std::string changed = bytes;
            changed[at] = static_cast<char>(rng());
            compare(type, changed, "seed " + std::to_string(seed) + " byte " + std::to_string(at) + " changed");
        }
    };
    for (unsigned seed = 1; seed <= 300; ++seed) {
        wt::PlainRecord record;
        Filler(seed, 3).fill(&record);
        mutate(record, record.SerializeAsString(), seed);
        wt::EchoRequest echo;
        Filler(seed, 3).fill(&echo);
        if (seed % 3 == 0) { // well-known types are plain proto3 messages to the walk
            echo.mutable_when()->set_seconds(static_cast<std::int64_t>(seed));
            (*echo.mutable_attrs()->mutable_fields())["k"].set_string_value("v\xc3\xa9");
            echo.mutable_extra()->set_type_url("type.googleapis.com/wirescope.testing.Inner");
            echo.mutable_wrapped()->set_value(-1);
        }
        mutate(echo, echo.SerializeAsString(), seed);
    }
    EXPECT_GT(refused, 100); // the mutations did produce bad bytes
    EXPECT_GT(walked, 1000); // and most good ones never needed protobuf

    // A packed field whose last varint is cut, and a nested invalid string: refused by both.
    Writer packed;
    packed.length(18, std::string("\x01\x80", 2));
    compare(wt::PlainRecord::default_instance(), packed.bytes, "cut packed varint");
    Writer inner, outer;
    inner.length(1, std::string("\xc3\x28", 2));
    outer.length(17, inner.bytes);
    compare(wt::PlainRecord::default_instance(), outer.bytes, "invalid UTF-8 one level down");

    // Deeper than the walk goes (100 levels) but within what Wirescope decodes: protobuf decides.
    wt::Tree tree;
    wt::Tree *node = &tree;
    for (int i = 0; i < 150; ++i)
        node = node->add_children();
    node->set_label("leaf");
    const std::string deep = tree.SerializeAsString();
    EXPECT_FALSE(rpc::internal::wireCheck(*plans.plan(wt::Tree::descriptor()), deep));
    EXPECT_TRUE(schema->check("wirescope.testing.Tree", deep).ok());
    EXPECT_FALSE(schema->check("wirescope.testing.Nope", deep).ok());
}
