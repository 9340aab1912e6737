// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpc::json {

// A parsed JSON value that remembers where it stood in the input, so that schema errors can
// point at the offending byte.
struct Value
{
    enum class Type { Null, Bool, Number, String, Array, Object };
    struct Member;

    Type type = Type::Null;
    std::size_t offset = 0; // first byte of the value
    std::size_t end = 0;    // one past its last byte
    bool boolean = false;
    std::string text; // decoded string, or the number exactly as written
    std::vector<Value> items;
    std::vector<Member> members;

    const char *typeName() const;
};

struct Value::Member
{
    std::string name;
    std::size_t nameOffset = 0;
    Value value;
};

// Parses one value starting at `*pos` (leading white space allowed) and advances `*pos` past
// it. Errors are diagnostics with offset, line and column.
Result<Value> parseValue(std::string_view text, std::size_t *pos);
// Parses a whole document: exactly one value, nothing but white space after it.
Result<Value> parseDocument(std::string_view text);

std::size_t skipSpace(std::string_view text, std::size_t pos);

// A diagnostic at `offset` of `text`, with line and column filled in.
Diagnostic diagnosticAt(std::string_view text, std::size_t offset, std::string path, std::string message);

} // namespace rpc::json
