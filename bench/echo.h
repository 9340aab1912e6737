// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The requests the call benchmark and the codec benchmark send, as JSON (for the engine) and as a
// compiled message: a rich one (a few scalar fields, a nested message, repeated strings and an
// enum) and a payload of a given size.

#include "wirescope/testing/test.pb.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace bench {

inline constexpr char kEchoJson[] =
    R"({"text": "benchmark request", "i32": 42, "i64": "1234567890123", "flag": true, "d": 2.5,)"
    R"( "inner": {"name": "inner", "value": 7}, "tags": ["a", "b", "c"], "color": "GREEN"})";

inline wirescope::testing::EchoRequest echoMessage()
{
    wirescope::testing::EchoRequest r;
    r.set_text("benchmark request");
    r.set_i32(42);
    r.set_i64(1234567890123);
    r.set_flag(true);
    r.set_d(2.5);
    r.mutable_inner()->set_name("inner");
    r.mutable_inner()->set_value(7);
    for (const char *t : {"a", "b", "c"})
        r.add_tags(t);
    r.set_color(wirescope::testing::GREEN);
    return r;
}

// The small request of the payload-sized benchmarks: `data` only, `size` bytes of 'x'.
inline std::string payloadEchoJson(int size)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string bytes(static_cast<std::size_t>(size), 'x');
    std::string base64;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 3; ++k)
            v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        for (std::size_t k = 0; k < 4; ++k)
            base64 += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
    }
    return R"({"data": ")" + base64 + R"("})";
}

inline wirescope::testing::EchoRequest payloadEchoMessage(int size)
{
    wirescope::testing::EchoRequest r;
    r.set_data(std::string(static_cast<std::size_t>(size), 'x'));
    return r;
}

} // namespace bench
