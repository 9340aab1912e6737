// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/jsondom.h"

#include "rpc/jsonutil.h"

#include <cstdint>

namespace rpc::json {

namespace {

constexpr int kMaxDepth = 512;

class Parser
{
public:
    explicit Parser(std::string_view text)
        : m_text(text)
    {}

    bool parse(std::size_t *pos, Value *out)
    {
        m_pos = *pos;
        if (!parseAny(out, 0))
            return false;
        *pos = m_pos;
        return true;
    }

    Diagnostic error() const { return m_error; }

private:
    bool fail(std::size_t at, std::string message)
    {
        m_error = diagnosticAt(m_text, at, {}, std::move(message));
        return false;
    }

    std::string describeHere() const
    {
        if (m_pos >= m_text.size())
            return "end of input";
        const auto c = static_cast<unsigned char>(m_text[m_pos]);
        if (c < 0x20)
            return "a control character";
        return '\'' + std::string(1, static_cast<char>(c)) + '\'';
    }

    bool parseAny(Value *out, int depth)
    {
        m_pos = skipSpace(m_text, m_pos);
        if (m_pos >= m_text.size())
            return fail(m_pos, "expected a JSON value, found end of input");
        if (depth > kMaxDepth)
            return fail(m_pos, "JSON nested deeper than 512 levels");
        out->offset = m_pos;
        const char c = m_text[m_pos];
        bool ok = false;
        switch (c) {
        case '{':
            ok = parseObject(out, depth);
            break;
        case '[':
            ok = parseArray(out, depth);
            break;
        case '"':
            out->type = Value::Type::String;
            ok = parseString(&out->text);
            break;
        case 't':
            ok = parseWord("true", out, Value::Type::Bool, true);
            break;
        case 'f':
            ok = parseWord("false", out, Value::Type::Bool, false);
            break;
        case 'n':
            ok = parseWord("null", out, Value::Type::Null, false);
            break;
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                ok = parseNumber(out);
            else
                return fail(m_pos, "expected a JSON value, found " + describeHere());
        }
        out->end = m_pos;
        return ok;
    }

    bool parseWord(std::string_view word, Value *out, Value::Type type, bool value)
    {
        if (m_text.substr(m_pos, word.size()) != word)
            return fail(m_pos, "invalid literal; expected " + std::string(word));
        m_pos += word.size();
        out->type = type;
        out->boolean = value;
        return true;
    }

    bool parseNumber(Value *out)
    {
        const std::size_t start = m_pos;
        auto digits = [&] {
            const std::size_t s = m_pos;
            while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                ++m_pos;
            return m_pos - s;
        };
        if (m_text[m_pos] == '-')
            ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '0') {
            ++m_pos;
            if (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                return fail(start, "numbers cannot have leading zeros");
        } else if (digits() == 0) {
            return fail(m_pos, "expected a digit, found " + describeHere());
        }
        if (m_pos < m_text.size() && m_text[m_pos] == '.') {
            ++m_pos;
            if (digits() == 0)
                return fail(m_pos, "expected a digit after the decimal point");
        }
        if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-'))
                ++m_pos;
            if (digits() == 0)
                return fail(m_pos, "expected a digit in the exponent");
        }
        out->type = Value::Type::Number;
        out->text.assign(m_text.substr(start, m_pos - start));
        return true;
    }

    static void appendUtf8(std::string *s, std::uint32_t cp)
    {
        if (cp < 0x80) {
            s->push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
            s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    bool parseHex4(std::uint32_t *out)
    {
        if (m_pos + 4 > m_text.size())
            return fail(m_pos, "truncated \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos + i];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return fail(m_pos + i, "invalid hex digit in \\u escape");
        }
        m_pos += 4;
        *out = v;
        return true;
    }

    bool parseString(std::string *out)
    {
        const std::size_t start = m_pos;
        ++m_pos; // opening quote
        out->clear();
        while (true) {
            // copy plain runs in one go
            std::size_t run = m_pos;
            while (run < m_text.size()) {
                const auto c = static_cast<unsigned char>(m_text[run]);
                if (c == '"' || c == '\\' || c < 0x20)
                    break;
                ++run;
            }
            out->append(m_text.data() + m_pos, run - m_pos);
            m_pos = run;
            if (m_pos >= m_text.size())
                return fail(start, "unterminated string");
            const char c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c != '\\')
                return fail(m_pos, "control character in string; escape it");
            ++m_pos;
            if (m_pos >= m_text.size())
                return fail(start, "unterminated string");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"':
                out->push_back('"');
                break;
            case '\\':
                out->push_back('\\');
                break;
            case '/':
                out->push_back('/');
                break;
            case 'b':
                out->push_back('\b');
                break;
            case 'f':
                out->push_back('\f');
                break;
            case 'n':
                out->push_back('\n');
                break;
            case 'r':
                out->push_back('\r');
                break;
            case 't':
                out->push_back('\t');
                break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!parseHex4(&cp))
                    return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t lo = 0;
                    if (m_text.substr(m_pos, 2) != "\\u")
                        return fail(m_pos, "unpaired UTF-16 surrogate in \\u escape");
                    m_pos += 2;
                    if (!parseHex4(&lo))
                        return false;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(m_pos - 6, "invalid UTF-16 surrogate pair");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail(m_pos - 6, "unpaired UTF-16 surrogate in \\u escape");
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                return fail(m_pos - 2, std::string("invalid escape \\") + e);
            }
        }
    }

    bool parseArray(Value *out, int depth)
    {
        out->type = Value::Type::Array;
        ++m_pos;
        m_pos = skipSpace(m_text, m_pos);
        if (m_pos < m_text.size() && m_text[m_pos] == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            out->items.emplace_back();
            if (!parseAny(&out->items.back(), depth + 1))
                return false;
            m_pos = skipSpace(m_text, m_pos);
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            return fail(m_pos, "expected ',' or ']' in array, found " + describeHere());
        }
    }

    bool parseObject(Value *out, int depth)
    {
        out->type = Value::Type::Object;
        ++m_pos;
        m_pos = skipSpace(m_text, m_pos);
        if (m_pos < m_text.size() && m_text[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        while (true) {
            m_pos = skipSpace(m_text, m_pos);
            if (m_pos >= m_text.size() || m_text[m_pos] != '"')
                return fail(m_pos, "expected a quoted member name, found " + describeHere());
            Value::Member member;
            member.nameOffset = m_pos;
            if (!parseString(&member.name))
                return false;
            m_pos = skipSpace(m_text, m_pos);
            if (m_pos >= m_text.size() || m_text[m_pos] != ':')
                return fail(m_pos, "expected ':' after member name, found " + describeHere());
            ++m_pos;
            if (!parseAny(&member.value, depth + 1))
                return false;
            out->members.push_back(std::move(member));
            m_pos = skipSpace(m_text, m_pos);
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            return fail(m_pos, "expected ',' or '}' in object, found " + describeHere());
        }
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    Diagnostic m_error;
};

} // namespace

const char *Value::typeName() const
{
    switch (type) {
    case Type::Null:
        return "null";
    case Type::Bool:
        return "a boolean";
    case Type::Number:
        return "a number";
    case Type::String:
        return "a string";
    case Type::Array:
        return "an array";
    case Type::Object:
        return "an object";
    }
    return "a value";
}

std::size_t skipSpace(std::string_view text, std::size_t pos)
{
    while (pos < text.size()) {
        const char c = text[pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        ++pos;
    }
    return pos;
}

Diagnostic diagnosticAt(std::string_view text, std::size_t offset, std::string path, std::string message)
{
    Diagnostic d;
    d.offset = static_cast<std::int64_t>(offset);
    lineColumnAt(text, offset, &d.line, &d.column);
    d.path = std::move(path);
    d.message = std::move(message);
    return d;
}

Result<Value> parseValue(std::string_view text, std::size_t *pos)
{
    Parser parser(text);
    Value v;
    if (!parser.parse(pos, &v)) {
        Diagnostic d = parser.error();
        return Error("invalid JSON: " + d.message, {d});
    }
    return v;
}

Result<Value> parseDocument(std::string_view text)
{
    std::size_t pos = 0;
    auto v = parseValue(text, &pos);
    if (!v)
        return v;
    pos = skipSpace(text, pos);
    if (pos != text.size()) {
        Diagnostic d = diagnosticAt(text, pos, {}, "unexpected text after the JSON value");
        return Error("invalid JSON: " + d.message, {d});
    }
    return v;
}

} // namespace rpc::json

namespace rpc {

void lineColumnAt(std::string_view text, std::size_t offset, int *line, int *column)
{
    int l = 1;
    std::size_t lineStart = 0;
    const std::size_t end = std::min(offset, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++l;
            lineStart = i + 1;
        }
    }
    *line = l;
    *column = static_cast<int>(end - lineStart) + 1;
}

Result<std::vector<std::string>> splitJsonValues(std::string_view text)
{
    std::vector<std::string> values;
    std::size_t pos = json::skipSpace(text, 0);
    while (pos < text.size()) {
        const std::size_t start = pos;
        auto v = json::parseValue(text, &pos);
        if (!v)
            return v.error();
        values.emplace_back(text.substr(start, pos - start));
        pos = json::skipSpace(text, pos);
    }
    return values;
}

std::string prettyJson(std::string_view in, int indent)
{
    std::string out;
    out.reserve(in.size() + in.size() / 4);
    int depth = 0;
    auto newline = [&] {
        out.push_back('\n');
        out.append(static_cast<std::size_t>(depth) * static_cast<std::size_t>(indent), ' ');
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        switch (c) {
        case '"': {
            const std::size_t start = i++;
            while (i < in.size() && in[i] != '"') {
                if (in[i] == '\\')
                    ++i;
                ++i;
            }
            out.append(in.substr(start, i - start + 1));
            break;
        }
        case '{':
        case '[': {
            const std::size_t next = json::skipSpace(in, i + 1);
            const char close = c == '{' ? '}' : ']';
            if (next < in.size() && in[next] == close) { // empty container stays on one line
                out.push_back(c);
                out.push_back(close);
                i = next;
                break;
            }
            out.push_back(c);
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            --depth;
            newline();
            out.push_back(c);
            break;
        case ',':
            out.push_back(',');
            newline();
            break;
        case ':':
            out.append(": ");
            break;
        case ' ':
        case '\n':
        case '\t':
        case '\r':
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

} // namespace rpc
