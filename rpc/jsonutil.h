// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace rpc {

// Splits text holding zero or more JSON values one after another (grpcurl's -d for streams)
// into the text of each value. Syntax errors carry line, column and offset.
Result<std::vector<std::string>> splitJsonValues(std::string_view text);

// Re-indents valid JSON with `indent` spaces per level; keeps member order and number text.
std::string prettyJson(std::string_view json, int indent = 2);

// 1-based line and column of a byte offset.
void lineColumnAt(std::string_view text, std::size_t offset, int *line, int *column);

// `text` as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view text);

// Standard base64 with padding (what grpcurl prints for -bin metadata).
std::string base64Encode(const std::string &bytes);
void base64Append(std::string_view bytes, std::string *out);
// The value (0-63) of a base64 digit of the standard or the URL-safe alphabet, or -1.
int base64DigitValue(char c);
// Accepts the standard and the URL-safe alphabets, with or without padding; false for other
// characters, text after the padding, padding that does not complete a group of four, and a
// lone last character (6 bits, no byte).
bool base64Decode(const std::string &text, std::string *bytes);

} // namespace rpc
