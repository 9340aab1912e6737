// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

// Request data read in pieces (standard input for -d @), split into messages the moment each
// one is complete, as grpcurl reads it: JSON values one after another, separated by whitespace
// or by nothing; in the text format, messages separated by the record separator 0x1E (blank
// ones skipped). JSON syntax is checked as the bytes arrive, so an error is reported where it
// is, not when the value would have ended. Every byte is looked at once and a message's bytes
// are appended once, so input in a million pieces costs what it costs in one.
class RequestSplitter
{
public:
    enum class Format { Json, Text };

    struct Message
    {
        std::string text;
        // Where the message starts in the whole input: 1-based line and byte column, byte offset.
        int line = 1;
        int column = 1;
        std::uint64_t offset = 0;
    };

    explicit RequestSplitter(Format format);

    // Scans the next piece and appends each message it completes to `out`, in order. Returns
    // false on malformed JSON: error() says what and where in the whole input; the messages
    // completed before the error are in `out`, and no further input is taken.
    bool feed(std::string_view piece, std::vector<Message> *out);
    // The end of the input: completes a last message (a top-level number, the text after the
    // last separator). A JSON value left open is an error.
    bool finish(std::vector<Message> *out);

    // Part of a message has been read, but not all of it.
    bool inMessage() const;
    // Where the message in progress starts (valid while inMessage()).
    int messageLine() const { return m_msgLine; }
    int messageColumn() const { return m_msgColumn; }
    std::uint64_t messageOffset() const { return m_msgOffset; }

    const rpc::Diagnostic &error() const { return m_error; }

private:
    enum class State : std::uint8_t {
        Between,     // at the top level, between values
        Value,       // a value must come (after ':', or after ',' in an array)
        ArrayFirst,  // after '[': a value or ']'
        ObjectFirst, // after '{': a member name or '}'
        Name,        // after ',' in an object: a member name
        Colon,       // after a member name
        AfterValue,  // in a container after a value: ',' or its closer
        String,
        Escape,  // after a backslash in a string
        Hex,     // in the four digits of \uXXXX
        Minus,   // number: after '-'
        Zero,    // number: a leading 0
        Int,     // number: in the integer digits
        Dot,     // number: after '.'
        Frac,    // number: in the fraction digits
        Exp,     // number: after 'e'
        ExpSign, // number: after the exponent's sign
        ExpDigits,
        Literal, // in true, false or null
    };

    bool feedJson(std::string_view piece, std::vector<Message> *out);
    bool feedText(std::string_view piece, std::vector<Message> *out);
    // Starts the value whose first byte is piece[at]; false (and failed) if none starts there.
    bool startValue(std::string_view piece, std::size_t at);
    void valueDone(std::string_view piece, std::size_t end, std::vector<Message> *out);
    void beginMessage(std::size_t at);
    void countLines(std::string_view piece, std::size_t from, std::size_t to);
    // What the current state expects next, for error messages.
    std::string expectation() const;
    bool fail(std::uint64_t offset, std::string message);
    bool failHere(std::string_view piece, std::size_t at);

    Format m_format;
    State m_state = State::Between;
    bool m_inName = false;          // the string being read is a member name
    std::vector<char> m_containers; // '{' or '[' for each open container
    int m_hexLeft = 0;
    std::string_view m_literal;
    std::size_t m_literalAt = 0;
    bool m_textHasContent = false; // text format: the current part is not blank

    std::string m_current;  // the bytes of the message in progress from earlier pieces
    std::size_t m_from = 0; // where the message in progress starts in the current piece

    std::uint64_t m_base = 0; // offset of the current piece in the whole input
    int m_line = 1;
    std::uint64_t m_lineStart = 0; // offset of the current line's first byte
    int m_msgLine = 1;
    int m_msgColumn = 1;
    std::uint64_t m_msgOffset = 0;

    bool m_failed = false;
    rpc::Diagnostic m_error;
};

// Reads `fd` to its end through a splitter and returns every message, or the first error: a
// diagnostic with line, column and offset for malformed input; for a failed read, no diagnostic
// and the system's reason as the message.
rpc::Result<std::vector<std::string>> readMessages(int fd, RequestSplitter::Format format);

} // namespace cli
