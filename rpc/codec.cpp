// SPDX-License-Identifier: GPL-3.0-or-later
// Request payloads: JSON (proto3 mapping) or text format to wire bytes. JSON is first checked
// against the message type, every problem reported with its path (validateJson, encode).
// Decoding replies is in rpc/codec_decode.cpp, example requests in rpc/codec_template.cpp.
#include "rpc/internal/codec_p.h"
#include "rpc/internal/fastjson.h"
#include "rpc/internal/jsondom.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/internal/wirecodec.h"
#include "rpc/jsonutil.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

namespace pb = google::protobuf;

namespace rpc {

namespace {

using json::Value;
using FD = pb::FieldDescriptor;

bool digits(std::string_view s, std::size_t at, std::size_t count)
{
    if (at + count > s.size())
        return false;
    for (std::size_t i = at; i < at + count; ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

std::size_t skipDigits(std::string_view s, std::size_t *i)
{
    const std::size_t start = *i;
    while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9')
        ++*i;
    return *i - start;
}

// An optional ".123456789": one to nine digits after a dot.
bool skipFraction(std::string_view s, std::size_t *i)
{
    if (*i >= s.size() || s[*i] != '.')
        return true;
    ++*i;
    const std::size_t n = skipDigits(s, i);
    return n >= 1 && n <= 9;
}

// "1972-01-01T10:00:20.021Z" or with an offset "+05:30": the shape the JSON mapping prints.
bool isTimestamp(std::string_view s)
{
    if (!digits(s, 0, 4) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
        !digits(s, 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2) || s[13] != ':' ||
        !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2))
        return false;
    std::size_t i = 19;
    if (!skipFraction(s, &i))
        return false;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z'))
        return i + 1 == s.size();
    return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(s, i + 1, 2) && s[i + 3] == ':' &&
           digits(s, i + 4, 2);
}

// "-1.5s", "3s", "0.000000001s".
bool isDuration(std::string_view s)
{
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-')
        ++i;
    if (skipDigits(s, &i) == 0 || !skipFraction(s, &i))
        return false;
    return i + 1 == s.size() && s[i] == 's';
}

// Where a value stands in the request ("items[2].name"), kept as a chain of nodes on the stack
// and spelled out only when there is something to report.
struct JsonPath
{
    enum class Kind { Root, Member, Index, Key };
    const JsonPath *parent = nullptr;
    Kind kind = Kind::Root;
    std::string_view name; // member name or map key
    std::size_t index = 0;

    JsonPath member(std::string_view n) const { return {this, Kind::Member, n, 0}; }
    JsonPath element(std::size_t i) const { return {this, Kind::Index, {}, i}; }
    JsonPath key(std::string_view k) const { return {this, Kind::Key, k, 0}; }

    std::string str() const
    {
        std::string out = parent ? parent->str() : std::string();
        switch (kind) {
        case Kind::Root:
            break;
        case Kind::Member:
            if (!out.empty())
                out += '.';
            out += name;
            break;
        case Kind::Index:
            out += '[' + std::to_string(index) + ']';
            break;
        case Kind::Key:
            out += '[';
            out += name;
            out += ']';
            break;
        }
        return out;
    }
};

// Walks a JSON DOM against a message type and reports every mismatch with its place.
class Validator
{
public:
    Validator(const Schema::Impl &impl, std::string_view text, const CodecOptions &options)
        : m_impl(impl)
        , m_text(text)
        , m_options(options)
    {}

    std::vector<Diagnostic> take() { return std::move(m_diags); }

    void message(const pb::Descriptor *d, const Value &v, const JsonPath &path)
    {
        if (v.type == Value::Type::Null)
            return;
        if (internal::isWellKnownType(d) && wellKnown(d, v, path))
            return;
        if (v.type != Value::Type::Object) {
            report(v.offset, path, "expected an object for " + d->full_name() + ", found " + v.typeName());
            return;
        }
        std::map<const pb::OneofDescriptor *, std::string> oneofs;
        for (const auto &m : v.members) {
            const FD *f = d->FindFieldByName(m.name);
            for (int i = 0; !f && i < d->field_count(); ++i)
                if (d->field(i)->json_name() == m.name)
                    f = d->field(i);
            const JsonPath childPath = path.member(m.name);
            if (!f) {
                if (!m_options.allowUnknownFields)
                    report(m.nameOffset, childPath, "unknown field \"" + m.name + "\" in " + d->full_name());
                continue;
            }
            if (const auto *o = f->real_containing_oneof(); o && m.value.type != Value::Type::Null) {
                auto [it, inserted] = oneofs.emplace(o, m.name);
                if (!inserted)
                    report(m.nameOffset, childPath,
                           "oneof \"" + o->name() + "\" already has \"" + it->second + "\" set");
            }
            field(f, m.value, childPath);
        }
    }

private:
    void report(std::size_t offset, const JsonPath &path, std::string message)
    {
        m_diags.push_back(json::diagnosticAt(m_text, offset, path.str(), std::move(message)));
    }

    // True when the type was handled here.
    bool wellKnown(const pb::Descriptor *d, const Value &v, const JsonPath &path)
    {
        const std::string &n = d->full_name();
        auto expect = [&](Value::Type t, const char *what) {
            if (v.type != t)
                report(v.offset, path,
                       std::string("expected ") + what + " for " + n + ", found " + v.typeName());
        };
        if (isWrapper(d)) {
            field(d->FindFieldByName("value"), v, path);
            return true;
        }
        if (n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
            n == "google.protobuf.FieldMask") {
            expect(Value::Type::String, "a string");
            if (v.type != Value::Type::String)
                return true;
            if (n == "google.protobuf.Timestamp" && !isTimestamp(v.text))
                report(v.offset, path,
                       "\"" + v.text + "\" is not an RFC 3339 time such as \"2024-05-01T12:00:00Z\"");
            else if (n == "google.protobuf.Duration" && !isDuration(v.text))
                report(v.offset, path, "\"" + v.text + "\" is not a duration such as \"1.5s\"");
            return true;
        }
        if (n == "google.protobuf.Struct") {
            expect(Value::Type::Object, "an object");
            return true;
        }
        if (n == "google.protobuf.ListValue") {
            expect(Value::Type::Array, "an array");
            return true;
        }
        if (n == "google.protobuf.Value")
            return true;
        if (n == "google.protobuf.Any") {
            if (v.type != Value::Type::Object) {
                expect(Value::Type::Object, "an object");
                return true;
            }
            const Value::Member *type = nullptr;
            for (const auto &m : v.members)
                if (m.name == "@type")
                    type = &m;
            if (!type) {
                if (!v.members.empty())
                    report(v.offset, path, "an Any needs \"@type\"");
                return true;
            }
            if (type->value.type != Value::Type::String) {
                report(type->value.offset, path.member("@type"), "\"@type\" must be a string");
                return true;
            }
            const std::string &url = type->value.text;
            const auto slash = url.rfind('/');
            const pb::Descriptor *inner =
                m_impl.message(slash == std::string::npos ? url : url.substr(slash + 1));
            if (!inner) {
                report(type->value.offset, path.member("@type"), "unknown type \"" + url + "\" in Any");
                return true;
            }
            if (internal::isWellKnownType(inner) && inner->full_name() != "google.protobuf.Empty") {
                for (const auto &m : v.members)
                    if (m.name == "value")
                        message(inner, m.value, path.member("value"));
                return true;
            }
            Value rest = v;
            rest.members.clear();
            for (const auto &m : v.members)
                if (m.name != "@type")
                    rest.members.push_back(m);
            message(inner, rest, path);
            return true;
        }
        return false; // Empty, Api, Type, ... are ordinary messages in JSON
    }

    void field(const FD *f, const Value &v, const JsonPath &path)
    {
        if (v.type == Value::Type::Null)
            return;
        if (f->is_map()) {
            if (v.type != Value::Type::Object) {
                report(v.offset, path,
                       std::string("expected an object for map field, found ") + v.typeName());
                return;
            }
            const FD *key = f->message_type()->map_key();
            const FD *val = f->message_type()->map_value();
            for (const auto &m : v.members) {
                const JsonPath childPath = path.key(m.name);
                mapKey(key, m.name, m.nameOffset, childPath);
                single(val, m.value, childPath);
            }
            return;
        }
        if (f->is_repeated()) {
            if (v.type != Value::Type::Array) {
                report(v.offset, path,
                       std::string("expected an array for repeated field, found ") + v.typeName());
                return;
            }
            for (std::size_t i = 0; i < v.items.size(); ++i)
                single(f, v.items[i], path.element(i));
            return;
        }
        single(f, v, path);
    }

    void mapKey(const FD *key, const std::string &name, std::size_t offset, const JsonPath &path)
    {
        switch (key->cpp_type()) {
        case FD::CPPTYPE_BOOL:
            if (name != "true" && name != "false")
                report(offset, path, "map key must be \"true\" or \"false\"");
            break;
        case FD::CPPTYPE_STRING:
            break;
        default: {
            Value k;
            k.type = Value::Type::String;
            k.text = name;
            k.offset = offset;
            integer(key, k, path);
        }
        }
    }

    void integer(const FD *f, const Value &v, const JsonPath &path)
    {
        if (v.type != Value::Type::Number && v.type != Value::Type::String) {
            report(v.offset, path,
                   std::string("expected an integer for ") + f->type_name() + ", found " + v.typeName());
            return;
        }
        const std::string &t = v.text;
        const bool isUnsigned = f->cpp_type() == FD::CPPTYPE_UINT32 || f->cpp_type() == FD::CPPTYPE_UINT64;
        const bool is32 = f->cpp_type() == FD::CPPTYPE_INT32 || f->cpp_type() == FD::CPPTYPE_UINT32;
        // Integers may be written with a fraction or exponent if the value is whole.
        errno = 0;
        char *end = nullptr;
        bool whole = true;
        long double value = 0;
        if (!t.empty() && t.find_first_of(".eE") == std::string::npos) {
            if (isUnsigned) {
                if (t[0] == '-') {
                    report(v.offset, path, std::string("negative value for ") + f->type_name());
                    return;
                }
                value = static_cast<long double>(std::strtoull(t.c_str(), &end, 10));
            } else {
                value = static_cast<long double>(std::strtoll(t.c_str(), &end, 10));
            }
        } else {
            value = std::strtold(t.c_str(), &end);
            whole = std::isfinite(value) && std::floor(value) == value;
        }
        if (t.empty() || end != t.c_str() + t.size() ||
            (v.type == Value::Type::String && t.find(' ') != std::string::npos)) {
            report(v.offset, path, "\"" + t + "\" is not an integer");
            return;
        }
        if (!whole) {
            report(v.offset, path, t + " is not a whole number");
            return;
        }
        long double lo = 0, hi = 0;
        switch (f->cpp_type()) {
        case FD::CPPTYPE_INT32:
            lo = std::numeric_limits<std::int32_t>::min();
            hi = std::numeric_limits<std::int32_t>::max();
            break;
        case FD::CPPTYPE_UINT32:
            lo = 0;
            hi = std::numeric_limits<std::uint32_t>::max();
            break;
        case FD::CPPTYPE_INT64:
            lo = static_cast<long double>(std::numeric_limits<std::int64_t>::min());
            hi = static_cast<long double>(std::numeric_limits<std::int64_t>::max());
            break;
        default:
            lo = 0;
            hi = static_cast<long double>(std::numeric_limits<std::uint64_t>::max());
            break;
        }
        if (errno == ERANGE || value < lo || value > hi)
            report(v.offset, path, t + " is out of range for " + f->type_name());
        (void)is32;
    }

    void single(const FD *f, const Value &v, const JsonPath &path)
    {
        if (v.type == Value::Type::Null)
            return;
        switch (f->cpp_type()) {
        case FD::CPPTYPE_MESSAGE:
            message(f->message_type(), v, path);
            break;
        case FD::CPPTYPE_INT32:
        case FD::CPPTYPE_INT64:
        case FD::CPPTYPE_UINT32:
        case FD::CPPTYPE_UINT64:
            integer(f, v, path);
            break;
        case FD::CPPTYPE_DOUBLE:
        case FD::CPPTYPE_FLOAT: {
            if (v.type != Value::Type::String && v.type != Value::Type::Number) {
                report(v.offset, path, std::string("expected a number, found ") + v.typeName());
                break;
            }
            // Infinity and NaN only by name: a number too big for the type (1e400) is an error,
            // not silently infinite.
            if (v.type == Value::Type::String && (v.text == "NaN" || v.text == "Infinity" || v.text == "-Infinity"))
                break;
            char *end = nullptr;
            const double d = std::strtod(v.text.c_str(), &end);
            const bool isFloat = f->cpp_type() == FD::CPPTYPE_FLOAT;
            if (v.text.empty() || end != v.text.c_str() + v.text.size())
                report(v.offset, path, "\"" + v.text + "\" is not a number");
            else if (!std::isfinite(d) || (isFloat && std::fabs(d) > std::numeric_limits<float>::max()))
                report(v.offset, path, v.text + " is out of range for " + (isFloat ? "float" : "double"));
            break;
        }
        case FD::CPPTYPE_BOOL:
            if (v.type != Value::Type::Bool)
                report(v.offset, path, std::string("expected true or false, found ") + v.typeName());
            break;
        case FD::CPPTYPE_ENUM:
            if (v.type == Value::Type::String) {
                if (!f->enum_type()->FindValueByName(v.text))
                    report(v.offset, path,
                           "unknown value \"" + v.text + "\" for enum " + f->enum_type()->full_name());
            } else if (v.type == Value::Type::Number) {
                integer(f, v, path);
            } else {
                report(v.offset, path, std::string("expected an enum name or number, found ") + v.typeName());
            }
            break;
        case FD::CPPTYPE_STRING:
            if (v.type != Value::Type::String) {
                report(v.offset, path, std::string("expected a string, found ") + v.typeName());
            } else if (f->type() == FD::TYPE_BYTES) {
                const auto bad = std::find_if(v.text.begin(), v.text.end(), [](char c) {
                    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' ||
                             c == '_' || c == '=');
                });
                std::string raw;
                if (bad != v.text.end())
                    report(v.offset, path, "bytes must be base64; found '" + std::string(1, *bad) + "'");
                else if (!base64Decode(v.text, &raw)) // "QQ==junk" was sent as "A", "Q" as nothing
                    report(v.offset, path, "bytes must be base64; the length or the '=' padding is wrong");
            }
            break;
        }
    }

    const Schema::Impl &m_impl;
    std::string_view m_text;
    const CodecOptions &m_options;
    std::vector<Diagnostic> m_diags;
};

std::string plural(std::size_t n, const char *word)
{
    return std::to_string(n) + ' ' + word + (n == 1 ? "" : "s");
}

class TextErrors final : public pb::io::ErrorCollector
{
public:
    void AddError(int line, pb::io::ColumnNumber column, const std::string &message) override
    {
        Diagnostic d;
        d.line = line + 1;
        d.column = column + 1;
        d.message = message;
        diags.push_back(std::move(d));
    }
    std::vector<Diagnostic> diags;
};

} // namespace

std::vector<Diagnostic> Schema::validateJson(std::string_view typeName, std::string_view text,
                                             const CodecOptions &options) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return {Diagnostic{{}, 0, 0, -1, {}, "unknown message type \"" + std::string(typeName) + "\""}};
    auto dom = json::parseDocument(text);
    if (!dom)
        return dom.error().diagnostics;
    Validator validator(*m_impl, text, options);
    validator.message(d, *dom, JsonPath{});
    return validator.take();
}

Result<std::string> Schema::encode(std::string_view typeName, std::string_view input,
                                   const CodecOptions &options) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return Error("unknown message type \"" + std::string(typeName) + "\"");
    std::string out;
    if (options.format == PayloadFormat::Text) {
        std::unique_ptr<pb::Message> msg(m_impl->prototype(d)->New());
        TextErrors errors;
        pb::TextFormat::Parser parser;
        parser.RecordErrorsTo(&errors);
        parser.AllowUnknownField(options.allowUnknownFields);
        if (!parser.ParseFromString(std::string(input), msg.get())) {
            std::string first =
                errors.diags.empty() ? std::string("cannot parse") : errors.diags.front().toString();
            return Error("invalid text format for " + d->full_name() + ": " + first, errors.diags);
        }
        msg->SerializeToString(&out);
        return out;
    }

    auto dom = json::parseDocument(input);
    if (!dom) {
        auto diags = dom.error().diagnostics;
        std::string summary = "invalid request for " + d->full_name() + ": " +
                              (diags.empty() ? dom.error().message : diags.front().toString());
        return Error(std::move(summary), std::move(diags));
    }
    Validator validator(*m_impl, input, options);
    validator.message(d, *dom, JsonPath{});
    auto diags = validator.take();
    if (!diags.empty()) {
        std::string summary = "invalid request for " + d->full_name() + ": " + diags.front().toString();
        if (diags.size() > 1)
            summary += " (and " + plural(diags.size() - 1, "more problem") + ")";
        return Error(summary, std::move(diags));
    }
    if (internal::jsonToWire(*m_impl->wirePlans.plan(d), *dom, &out))
        return out;
    out.clear();
    if (m_impl->plainTypes.isPlain(d) || !internal::usesWellKnown(d, *dom)) {
        std::unique_ptr<pb::Message> msg(m_impl->prototype(d)->New());
        internal::jsonToMessage(*dom, msg.get());
        msg->SerializeToString(&out);
        return out;
    }
    pb::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = options.allowUnknownFields;
    auto status = pb::util::JsonToBinaryString(m_impl->resolver.get(), m_impl->typeUrl(d),
                                               pb::StringPiece(input.data(), input.size()), &out, parse);
    if (!status.ok())
        return Error("invalid request for " + d->full_name() + ": " + std::string(status.message()));
    return out;
}

} // namespace rpc
