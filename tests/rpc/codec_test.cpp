// SPDX-License-Identifier: GPL-3.0-or-later
// JSON and text format to and from wire bytes, and the errors users see for bad requests.
#include "support.h"

#include "rpc/jsonutil.h"
#include "rpc/schema.h"

#include "wirescope/testing/test.pb.h"

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <gtest/gtest.h>

using namespace testsupport;

namespace {

const char *kEcho = "wirescope.testing.EchoRequest";

rpc::SchemaPtr schema()
{
    static rpc::SchemaPtr s = testSchema();
    return s;
}

std::string roundTrip(const std::string &json, rpc::CodecOptions options = {})
{
    auto bytes = schema()->encode(kEcho, json, options);
    EXPECT_TRUE(bytes) << bytes.error().toString();
    if (!bytes)
        return {};
    options.pretty = false;
    auto back = schema()->decode(kEcho, *bytes, options);
    EXPECT_TRUE(back) << back.error().message;
    return back ? *back : std::string();
}

} // namespace

TEST(Codec, Proto3JsonMappingRoundTrips)
{
    const std::string out = roundTrip(R"({
        "text": "héllo", "i64": "-9007199254740993", "u64": "18446744073709551615",
        "fx64": "1", "sfx64": "-2", "f": 1.5, "d": -0.25, "flag": true,
        "data": "AAEC/w==", "color": "BLUE", "colors": ["RED", 2],
        "inner": {"name": "n", "value": 7}, "items": [{"name": "a"}, {"name": "b"}],
        "counts": {"x": 1}, "byId": {"42": {"name": "forty-two"}},
        "numberChoice": 5,
        "when": "2024-02-29T12:00:00.5Z", "timeout": "3.000000001s",
        "extra": {"@type": "type.googleapis.com/wirescope.testing.Inner", "name": "packed"},
        "attrs": {"a": [1, "two", null, {"b": false}]}, "anyValue": 3,
        "wrapped": "12", "mask": "text,inner.name", "maybe": 0
    })");
    for (const char *expect :
         {R"("i64":"-9007199254740993")", R"("u64":"18446744073709551615")", R"("data":"AAEC/w==")",
          R"("color":"BLUE")", R"("colors":["RED","GREEN"])", R"("byId":{"42":{"name":"forty-two"}})",
          R"("numberChoice":5)", R"("when":"2024-02-29T12:00:00.500Z")", R"("timeout":"3.000000001s")",
          R"("@type":"type.googleapis.com/wirescope.testing.Inner")", R"("wrapped":"12")",
          R"("mask":"text,inner.name")", R"("maybe":0)"})
        EXPECT_NE(out.find(expect), std::string::npos) << expect << " not in " << out;
}

TEST(Codec, EnumsByNumberAndOriginalNamesAndDefaults)
{
    rpc::CodecOptions o;
    o.originalNames = true;
    const std::string out = roundTrip(R"({"color": 1, "by_id": {"1": {}}, "name_choice": "x"})", o);
    EXPECT_NE(out.find(R"("color":"RED")"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("by_id")"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("name_choice":"x")"), std::string::npos) << out;

    rpc::CodecOptions defaults;
    defaults.emitDefaults = true;
    const std::string all = roundTrip("{}", defaults);
    EXPECT_NE(all.find(R"("i32":0)"), std::string::npos) << all;
    EXPECT_NE(all.find(R"("tags":[])"), std::string::npos) << all;
    EXPECT_EQ(roundTrip("{}"), "{}");
}

TEST(Codec, UnknownFieldIsAnErrorWithPathAndOffsetUnlessAllowed)
{
    const std::string json = "{\n  \"inner\": {\"name\": \"a\", \"nmae\": 1}\n}";
    auto r = schema()->encode(kEcho, json, {});
    ASSERT_FALSE(r);
    ASSERT_FALSE(r.error().diagnostics.empty());
    const auto &d = r.error().diagnostics.front();
    EXPECT_EQ(d.path, "inner.nmae");
    EXPECT_EQ(d.offset, static_cast<std::int64_t>(json.find("\"nmae\"")));
    EXPECT_EQ(d.line, 2);
    EXPECT_EQ(d.column, 26); // 1-based, at the opening quote of "nmae"
    EXPECT_NE(d.message.find("nmae"), std::string::npos);

    rpc::CodecOptions allow;
    allow.allowUnknownFields = true;
    EXPECT_TRUE(schema()->encode(kEcho, json, allow));
}

TEST(Codec, UnknownEnumNameIsAnErrorNeverZero)
{
    auto r = schema()->encode(kEcho, R"({"colors": ["RED", "PURPLE"]})", {});
    ASSERT_FALSE(r);
    const auto &d = r.error().diagnostics.front();
    EXPECT_EQ(d.path, "colors[1]");
    EXPECT_NE(d.message.find("PURPLE"), std::string::npos) << d.message;
}

TEST(Codec, EveryProblemIsListed)
{
    const std::string json =
        R"({"i32": "abc", "flag": 3, "i64": 1.5, "inner": [], "data": "%%%", "when": "yesterday"})";
    auto diags = schema()->validateJson(kEcho, json, {});
    std::set<std::string> paths;
    for (const auto &d : diags) {
        paths.insert(d.path);
        EXPECT_GE(d.offset, 0) << d.toString();
    }
    for (const char *p : {"i32", "flag", "i64", "inner", "data", "when"})
        EXPECT_TRUE(paths.count(p)) << p;
}

TEST(Codec, SyntaxErrorsHaveLineAndColumn)
{
    const std::string json = "{\n  \"text\": \"a\",\n  \"i32\": 1,,\n}";
    auto r = schema()->encode(kEcho, json, {});
    ASSERT_FALSE(r);
    const auto &d = r.error().diagnostics.front();
    EXPECT_EQ(d.line, 3);
    EXPECT_EQ(d.column, 12); // the second comma
    EXPECT_NE(r.error().toString().find("3:12"), std::string::npos) << r.error().toString();
    EXPECT_FALSE(schema()->encode(kEcho, "", {}));
    EXPECT_FALSE(schema()->encode(kEcho, "[1]", {}));
    EXPECT_FALSE(schema()->encode(kEcho, R"({"text": "unterminated)", {}));
}

TEST(Codec, RangeChecksOnIntegers)
{
    EXPECT_FALSE(schema()->encode(kEcho, R"({"i32": 2147483648})", {}));
    EXPECT_TRUE(schema()->encode(kEcho, R"({"i32": -2147483648})", {}));
    EXPECT_FALSE(schema()->encode(kEcho, R"({"u32": -1})", {}));
    EXPECT_FALSE(schema()->encode(kEcho, R"({"u64": "18446744073709551616"})", {}));
    EXPECT_TRUE(schema()->encode(kEcho, R"({"i64": 42})", {}));
}

// 1e400 was sent as Infinity without a word (issue 18): a number too big for its type is an
// error at its place; Infinity and NaN are sent only when asked for by name.
TEST(Codec, FloatingPointOutOfRangeIsAnErrorNotInfinity)
{
    for (const char *json : {R"({"d": 1e400})", R"({"d": -1e400})", R"({"d": "1e400"})", R"({"f": 3.5e38})",
                             R"({"f": "-3.5e38"})"}) {
        auto r = schema()->encode(kEcho, json, {});
        ASSERT_FALSE(r) << json;
        EXPECT_NE(r.error().message.find("is out of range for"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("1:7"), std::string::npos) << r.error().message;
    }
    EXPECT_EQ(roundTrip(R"({"d": 1.7976931348623157e308})"), R"({"d":1.7976931348623157e+308})");
    EXPECT_EQ(roundTrip(R"({"f": 3.4e38})"), R"({"f":3.4e+38})");
    EXPECT_EQ(roundTrip(R"({"d": "Infinity", "f": "-Infinity"})"), R"({"f":"-Infinity","d":"Infinity"})");
}

// null leaves a field unset, except where the field is a google.protobuf.Value: there it is the
// value null, and it was dropped (issue 18).
TEST(Codec, NullIsAValueForGoogleProtobufValue)
{
    EXPECT_EQ(roundTrip(R"({"any_value": null})"), R"({"anyValue":null})");
    EXPECT_EQ(roundTrip(R"({"attrs": {"k": null}})"), R"({"attrs":{"k":null}})");
    EXPECT_EQ(roundTrip(R"({"any_value": [null, {"a": null}]})"), R"({"anyValue":[null,{"a":null}]})");
    EXPECT_EQ(roundTrip(R"({"wrapped": null, "when": null, "text": null, "inner": null})"), "{}");
    auto bytes = schema()->encode(kEcho, R"({"any_value": null})", {});
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, std::string("\xea\x01\x02\x08\x00", 5)); // field 29, Value{null_value: NULL_VALUE}
}

TEST(Codec, AnyWithUnknownTypeIsReported)
{
    auto r = schema()->encode(kEcho, R"({"extra": {"@type": "type.googleapis.com/no.Such", "x": 1}})", {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().toString().find("no.Such"), std::string::npos) << r.error().toString();
}

TEST(Codec, TextFormatBothWays)
{
    rpc::CodecOptions text;
    text.format = rpc::PayloadFormat::Text;
    auto bytes = schema()->encode(kEcho, "text: \"hi\" i64: -5 color: GREEN inner { name: \"n\" }", text);
    ASSERT_TRUE(bytes) << bytes.error().toString();
    auto back = schema()->decode(kEcho, *bytes, text);
    ASSERT_TRUE(back);
    EXPECT_NE(back->find("text: \"hi\""), std::string::npos) << *back;
    EXPECT_NE(back->find("color: GREEN"), std::string::npos) << *back;
    auto json = schema()->decode(kEcho, *bytes, {});
    ASSERT_TRUE(json);
    EXPECT_NE(json->find("\"i64\": \"-5\""), std::string::npos) << *json;

    auto bad = schema()->encode(kEcho, "text: \"hi\"\nnope: 1", text);
    ASSERT_FALSE(bad);
    ASSERT_FALSE(bad.error().diagnostics.empty());
    EXPECT_EQ(bad.error().diagnostics.front().line, 2);
}

TEST(Codec, GarbageBytesDoNotDecode)
{
    EXPECT_FALSE(schema()->decode(kEcho, std::string("\xff\xff\xff", 3), {}));
}

namespace {
// A wirescope.testing.Tree with `levels` nested children, built as wire bytes directly (the way a
// server that does not check depth would send it), with a label at the bottom.
std::string nestedTree(int levels, const std::string &label = "leaf")
{
    std::string bytes = std::string("\x0a", 1) + char(label.size()) + label;
    for (int i = 0; i < levels; ++i) {
        std::string varint;
        for (auto n = bytes.size(); ; n >>= 7) {
            varint.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
            if (n < 0x80)
                break;
        }
        bytes = "\x12" + varint + bytes;
    }
    return bytes;
}
} // namespace

// protobuf's parser stops at 100 levels; a valid reply deeper than that used to be "not a valid
// message" (issue 18). Wirescope decodes what it can send and names its limit beyond.
TEST(Codec, DeepRepliesDecodeAndTheLimitIsNamed)
{
    for (int levels : {99, 100, 101, 500, 1000}) {
        for (auto format : {rpc::PayloadFormat::Json, rpc::PayloadFormat::Text}) {
            rpc::CodecOptions o;
            o.format = format;
            o.pretty = false;
            auto json = schema()->decode("wirescope.testing.Tree", nestedTree(levels), o);
            ASSERT_TRUE(json) << levels << ": " << json.error().message;
            EXPECT_NE(json->find("leaf"), std::string::npos);
            std::size_t children = 0;
            for (auto at = json->find("children"); at != std::string::npos; at = json->find("children", at + 1))
                ++children;
            EXPECT_EQ(children, std::size_t(levels));
        }
    }
    for (int levels : {1001, 20000}) {
        auto tooDeep = schema()->decode("wirescope.testing.Tree", nestedTree(levels), {});
        ASSERT_FALSE(tooDeep);
        EXPECT_NE(tooDeep.error().message.find("nested deeper than 1000 levels"), std::string::npos)
            << tooDeep.error().message;
        EXPECT_NE(tooDeep.error().message.find("children.children.children"), std::string::npos);
    }
    // Bytes that are broken stay "not a valid message", deep or not.
    std::string broken = nestedTree(200);
    broken.resize(broken.size() - 3);
    auto bad = schema()->decode("wirescope.testing.Tree", broken, {});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("not a valid message"), std::string::npos) << bad.error().message;
}

TEST(Codec, StatusDetailsDecodeAsJson)
{
    // google.rpc.Status{code: 5, message: "m", details: [Any{ErrorInfo{reason: "R"}}, Any{unknown}]}
    auto statusSchema = testSchema();
    const std::string status = R"({"code": 5, "message": "m", "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "R", "domain": "d"},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]})";
    auto bytes = statusSchema->encode("google.rpc.Status", status, {});
    ASSERT_TRUE(bytes) << bytes.error().toString();
    auto decoded = statusSchema->decodeStatus(5, "m", *bytes);
    ASSERT_EQ(decoded.details.size(), 2u);
    EXPECT_NE(decoded.details[0].find("\"reason\": \"R\""), std::string::npos) << decoded.details[0];
    EXPECT_NE(decoded.details[1].find("\"retryDelay\": \"2s\""), std::string::npos) << decoded.details[1];

    // A detail of a type nobody knows keeps its bytes, as grpcurl shows them.
    const std::string unknownAny = std::string("\x0a\x1atype.googleapis.com/x.Gone\x12\x02\x08\x01", 32);
    std::string raw{char(0x08), char(0x05), char(0x1a), char(unknownAny.size())};
    raw += unknownAny;
    auto withUnknown = statusSchema->decodeStatus(5, "m", raw);
    ASSERT_EQ(withUnknown.details.size(), 1u);
    EXPECT_NE(withUnknown.details[0].find("x.Gone"), std::string::npos) << withUnknown.details[0];
    EXPECT_NE(withUnknown.details[0].find("\"@value\": \"CAE=\""), std::string::npos)
        << withUnknown.details[0];
}

TEST(JsonUtil, SplitsConcatenatedValues)
{
    auto parts = rpc::splitJsonValues(" {\"a\": 1}\n{\"b\": \"}\"} {}");
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[1], "{\"b\": \"}\"}");
    auto bad = rpc::splitJsonValues("{\"a\": 1}\n{\"b\": ");
    ASSERT_FALSE(bad);
    EXPECT_FALSE(bad.error().diagnostics.empty());
    EXPECT_EQ(bad.error().diagnostics.front().line, 2);
    auto empty = rpc::splitJsonValues("  \n");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(JsonUtil, Base64BothAlphabets)
{
    const std::string bytes("\x00\x01\xfb\xff", 4);
    EXPECT_EQ(rpc::base64Encode(bytes), "AAH7/w==");
    std::string out;
    ASSERT_TRUE(rpc::base64Decode("AAH7_w", &out));
    EXPECT_EQ(out, bytes);
    EXPECT_FALSE(rpc::base64Decode("a b", &out));
    // Only base64 (found by header_fuzz): text after the padding and a lone last character were
    // read as nothing, so "QQ==junk" sent "A" and "-" sent no bytes, where grpcurl refuses both.
    for (const char *good : {"QQ==", "QQ", "QUI=", "QUI", "QUJD", "", "AAH_"})
        EXPECT_TRUE(rpc::base64Decode(good, &out)) << good;
    for (const char *bad : {"QQ==junk", "Q", "-", "QUJDR", "QQ=", "QQ===", "==", "QUJD=", "Q=Q="})
        EXPECT_FALSE(rpc::base64Decode(bad, &out)) << bad;
    // A JSON bytes field is checked the same way before it is encoded.
    auto r = schema()->encode(kEcho, R"({"data": "QQ==junk"})", {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().diagnostics.front().path, "data");
    EXPECT_NE(r.error().diagnostics.front().message.find("bytes must be base64"), std::string::npos)
        << r.error().toString();
}

TEST(Codec, TimestampsAndDurationsAreCheckedBeforeEncoding)
{
    for (const char *ok : {R"({"when": "2024-05-01T12:00:00Z", "timeout": "3s"})",
                           R"({"when": "2024-05-01T12:00:00.123456789+02:00", "timeout": "-1.5s"})"})
        EXPECT_TRUE(schema()->encode(kEcho, ok, {})) << ok;
    for (const char *bad : {R"({"when": "2024-05-01 12:00:00"})", R"({"when": "2024-05-01T12:00:00.Z"})",
                            R"({"timeout": "3"})", R"({"timeout": "1.1234567890s"})"}) {
        auto r = schema()->encode(kEcho, bad, {});
        ASSERT_FALSE(r) << bad;
        EXPECT_GE(r.error().diagnostics.front().offset, 0);
    }
}

// The engine's own JSON path (types without well-known types) against protobuf's converter on
// the compiled-in copy of the same type. Both ways the results must mean the same message; the
// text must be identical too, except where the order is the converter's own choice (map entries,
// and oneof members printed last when defaults are emitted).
TEST(Codec, OwnJsonPathMatchesProtobufsConverter)
{
    struct Case
    {
        const char *json;
        bool sameText;
    };
    const Case cases[] = {
        {"{}", true},
        {R"({"i32": -5, "i64": "-9007199254740993", "u32": 4000000000, "u64": "18446744073709551615",)"
         R"( "s32": -7, "s64": "-8", "fx32": 9, "fx64": "10", "sfx32": -11, "sfx64": "-12", "f": 0.1, "d": 1e-300,)"
         R"( "flag": true, "text": "h\u00e9 \"q\" \n\t\\", "data": "AAEC/w==", "color": "BLUE", "inner": {"name": "n"}})",
         true},
        {R"({"longs": ["1", 2, "-3"], "items": [{"value": 1}, {}], "byName": {"a": {"value": 2}, "b": {}},)"
         R"( "byNumber": {"-4": "minus", "5": "five"}, "byFlag": {"true": "1", "false": "0"}, "label": "l",)"
         R"( "maybe": 0, "colors": ["RED", 3, "GREEN"], "doubles": [1.5, "NaN", "-Infinity", 1e21, 0],)"
         R"( "tree": {"label": "root", "children": [{"label": "leaf"}]}, "snake_case_name": "original"})",
         false},
        {R"({"weight": 0, "i32": 1e2, "d": "Infinity", "color": 2, "f": -2.5, "byNumber": {"7": "seven"}})",
         true},
    };
    // NaN counts as equal to NaN here: the inputs carry one on purpose.
    auto same = [](const google::protobuf::Message &a, const google::protobuf::Message &b) {
        google::protobuf::util::DefaultFieldComparator comparator;
        comparator.set_treat_nan_as_equal(true);
        google::protobuf::util::MessageDifferencer differ;
        differ.set_field_comparator(&comparator);
        return differ.Compare(a, b);
    };
    auto s = schema();
    for (const auto &c : cases) {
        auto bytes = s->encode("wirescope.testing.PlainRecord", c.json, {});
        ASSERT_TRUE(bytes) << c.json << "\n" << bytes.error().toString();
        wirescope::testing::PlainRecord compiled, mine;
        ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(c.json, &compiled).ok()) << c.json;
        ASSERT_TRUE(mine.ParseFromString(*bytes));
        EXPECT_TRUE(same(mine, compiled)) << c.json;

        for (bool defaults : {false, true}) {
            for (bool original : {false, true}) {
                rpc::CodecOptions o;
                o.pretty = false;
                o.emitDefaults = defaults;
                o.originalNames = original;
                auto text = s->decode("wirescope.testing.PlainRecord", *bytes, o);
                ASSERT_TRUE(text) << text.error().message;
                wirescope::testing::PlainRecord back;
                ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*text, &back).ok()) << *text;
                EXPECT_TRUE(same(back, compiled)) << *text;
                google::protobuf::util::JsonPrintOptions p;
                p.always_print_primitive_fields = defaults;
                p.preserve_proto_field_names = original;
                std::string theirs;
                ASSERT_TRUE(google::protobuf::util::MessageToJsonString(compiled, &theirs, p).ok());
                if (c.sameText && !defaults) {
                    EXPECT_EQ(*text, theirs) << c.json << " original=" << original;
                }
            }
        }
    }
}

// --- completion --------------------------------------------------------------------------

namespace {

std::vector<std::string> texts(const rpc::Completion &c)
{
    std::vector<std::string> out;
    for (const auto &item : c.items)
        out.push_back(item.text);
    return out;
}

bool has(const rpc::Completion &c, const std::string &text)
{
    const auto t = texts(c);
    return std::find(t.begin(), t.end(), text) != t.end();
}

// Completes at the place marked by '|' in `marked`.
rpc::Completion completeAt(const std::string &type, const std::string &marked)
{
    const auto at = marked.find('|');
    std::string json = marked;
    json.erase(at, 1);
    return testsupport::testSchema()->complete(type, json, at);
}

} // namespace

TEST(Completion, OffersFieldsNotYetSetAtTheTopLevel)
{
    auto c = completeAt(kEcho, R"({"text": "x", |})");
    EXPECT_EQ(c.kind, rpc::Completion::Kind::FieldName);
    EXPECT_EQ(c.path, "");
    EXPECT_TRUE(has(c, "i32"));
    EXPECT_TRUE(has(c, "byId"));  // JSON names
    EXPECT_FALSE(has(c, "text")); // already there
    EXPECT_EQ(c.items.size(), 33u);
}

TEST(Completion, FiltersByWhatIsTypedInsideTheQuote)
{
    auto c = completeAt(kEcho, R"({"na|)");
    EXPECT_EQ(c.kind, rpc::Completion::Kind::FieldName);
    EXPECT_TRUE(c.inString);
    EXPECT_EQ(c.prefix, "na");
    EXPECT_EQ(c.replaceFrom, 2);
    EXPECT_EQ(texts(c), std::vector<std::string>{"nameChoice"});
    EXPECT_NE(c.items[0].detail.find("oneof choice"), std::string::npos);
}

TEST(Completion, KnowsTheMessageAtANestedPath)
{
    auto inner = completeAt(kEcho, R"({"inner": {"name": "a", |)");
    EXPECT_EQ(inner.path, "inner");
    EXPECT_EQ(texts(inner), std::vector<std::string>{"value"});

    auto item = completeAt(kEcho, R"({"items": [{"name": "a"}, {|}]})");
    EXPECT_EQ(item.path, "items[1]");
    EXPECT_TRUE(has(item, "name"));
    EXPECT_TRUE(has(item, "value"));

    auto mapValue = completeAt(kEcho, R"({"byId": {"7": {"value": 1, |}}})");
    EXPECT_EQ(mapValue.path, "byId[\"7\"]");
    EXPECT_EQ(texts(mapValue), std::vector<std::string>{"name"});

    auto deep = completeAt(kEcho, R"({"tree": {"children": [{"children": [{"la|"}]}]}})");
    EXPECT_EQ(deep.path, "tree.children[0].children[0]");
    EXPECT_EQ(texts(deep), std::vector<std::string>{"label"});
}

TEST(Completion, OffersEnumNamesAndBooleansForValues)
{
    auto color = completeAt(kEcho, R"({"color": |)");
    EXPECT_EQ(color.kind, rpc::Completion::Kind::Value);
    EXPECT_EQ(color.path, "color");
    EXPECT_EQ(texts(color),
              (std::vector<std::string>{"\"COLOR_UNSPECIFIED\"", "\"RED\"", "\"GREEN\"", "\"BLUE\""}));

    auto quoted = completeAt(kEcho, R"({"colors": ["RED", "G|)");
    EXPECT_EQ(quoted.path, "colors[1]");
    EXPECT_EQ(texts(quoted), std::vector<std::string>{"GREEN"});

    auto flag = completeAt(kEcho, R"({"flag": t|)");
    EXPECT_EQ(texts(flag), std::vector<std::string>{"true"});
    EXPECT_EQ(flag.replaceFrom, 9);

    // Free-form places offer nothing: map keys, struct fields, strings.
    EXPECT_TRUE(completeAt(kEcho, R"({"counts": {|)").items.empty());
    EXPECT_TRUE(completeAt(kEcho, R"({"attrs": {|)").items.empty());
    EXPECT_TRUE(completeAt(kEcho, R"({"text": "|)").items.empty());
    EXPECT_EQ(completeAt("no.such.Type", "{|").kind, rpc::Completion::Kind::None);
}
