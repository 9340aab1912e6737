// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Scalar conversions shared by the engine's two JSON paths (fastjson: through a message object;
// wirecodec: straight to and from wire bytes), so both print and read numbers the same way.

#include "rpc/internal/jsondom.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

namespace rpc::internal {

template<typename T> void appendNumber(std::string *out, T value)
{
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out->append(buf, res.ptr);
}

// The proto3 JSON forms of floating-point values: NaN and infinities as strings, the rest as
// the shortest text that reads back to the same value.
template<typename T> void appendFloating(std::string *out, T value)
{
    if (std::isnan(value))
        *out += "\"NaN\"";
    else if (std::isinf(value))
        *out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    else
        appendNumber(out, value);
}

// `text` as a JSON string literal, quotes included, appended to `out`.
inline void appendJsonString(std::string *out, std::string_view text)
{
    static const char hex[] = "0123456789abcdef";
    out->push_back('"');
    std::size_t plain = 0; // start of the run of characters that need no escape
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out->append(text.data() + plain, i - plain);
        plain = i + 1;
        switch (c) {
        case '"':
            *out += "\\\"";
            break;
        case '\\':
            *out += "\\\\";
            break;
        case '\n':
            *out += "\\n";
            break;
        case '\r':
            *out += "\\r";
            break;
        case '\t':
            *out += "\\t";
            break;
        default: {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out->append(esc, sizeof esc);
        }
        }
    }
    out->append(text.data() + plain, text.size() - plain);
    out->push_back('"');
}

// An integer from a JSON number or string the validator accepted: "12", "-3", "1e3", "5.0".
template<typename T> T integerFromText(std::string_view t)
{
    if (!t.empty() && t.front() == '+')
        t.remove_prefix(1);
    if (t.find_first_of(".eE") == std::string_view::npos) {
        T out{};
        std::from_chars(t.data(), t.data() + t.size(), out);
        return out;
    }
    return static_cast<T>(std::strtod(std::string(t).c_str(), nullptr)); // checked integral
}

// A floating-point value from a JSON number or one of the strings the mapping allows.
inline double floatingFrom(const json::Value &v)
{
    if (v.type == json::Value::Type::String) {
        if (v.text == "NaN")
            return std::numeric_limits<double>::quiet_NaN();
        if (v.text == "Infinity")
            return std::numeric_limits<double>::infinity();
        if (v.text == "-Infinity")
            return -std::numeric_limits<double>::infinity();
    }
    return std::strtod(v.text.c_str(), nullptr);
}

} // namespace rpc::internal
