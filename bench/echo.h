// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The request both call benchmarks and the codec benchmark send: a few scalar fields, a nested
// message, repeated strings and an enum, as JSON (for the engine) and as a compiled message.

#include "wirescope/testing/test.pb.h"

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

} // namespace bench
