// SPDX-License-Identifier: GPL-3.0-or-later
#include "requestsplitter.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace cli {

namespace {

constexpr char kTextSeparator = '\x1e';
// As deep as the engine's JSON parser goes: deeper input would only fail there, later.
constexpr std::size_t kMaxDepth = 512;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHex(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string describe(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20)
        return "a control character";
    if (u >= 0x80)
        return "a non-ASCII byte";
    return '\'' + std::string(1, c) + '\'';
}

} // namespace

RequestSplitter::RequestSplitter(Format format)
    : m_format(format)
{}

bool RequestSplitter::inMessage() const
{
    return m_format == Format::Text ? m_textHasContent : m_state != State::Between;
}

bool RequestSplitter::feed(std::string_view piece, std::vector<Message> *out)
{
    if (m_failed)
        return false;
    m_from = 0;
    const bool ok = m_format == Format::Text ? feedText(piece, out) : feedJson(piece, out);
    m_base += piece.size();
    return ok;
}

bool RequestSplitter::finish(std::vector<Message> *out)
{
    if (m_failed)
        return false;
    m_from = 0;
    if (m_format == Format::Text) {
        if (m_textHasContent)
            out->push_back({std::move(m_current), m_msgLine, m_msgColumn, m_msgOffset});
        m_current.clear();
        m_textHasContent = false;
        return true;
    }
    switch (m_state) {
    case State::Between:
        return true;
    case State::String:
    case State::Escape:
    case State::Hex:
        return fail(m_base, "unterminated string, found end of input");
    case State::Zero:
    case State::Int:
    case State::Frac:
    case State::ExpDigits:
        if (m_containers.empty()) { // a top-level number ends where the input does
            valueDone({}, 0, out);
            return true;
        }
        m_state = State::AfterValue;
        break;
    default:
        break;
    }
    return fail(m_base, expectation() + ", found end of input");
}

std::string RequestSplitter::expectation() const
{
    switch (m_state) {
    case State::Between:
    case State::Value:
        return "expected a JSON value";
    case State::ArrayFirst:
        return "expected a JSON value or ']'";
    case State::ObjectFirst:
        return "expected a quoted member name or '}'";
    case State::Name:
        return "expected a quoted member name";
    case State::Colon:
        return "expected ':' after the member name";
    case State::AfterValue:
        return m_containers.back() == '{' ? "expected ',' or '}' in an object"
                                          : "expected ',' or ']' in an array";
    case State::String:
        return "expected the end of the string";
    case State::Escape:
        return "expected one of \"\\/bfnrtu after a backslash";
    case State::Hex:
        return "expected four hex digits after \\u";
    case State::Minus:
    case State::Zero:
    case State::Int:
        return "expected a digit";
    case State::Dot:
    case State::Frac:
        return "expected a digit after the decimal point";
    case State::Exp:
    case State::ExpSign:
    case State::ExpDigits:
        return "expected a digit in the exponent";
    case State::Literal:
        return "expected the literal " + std::string(m_literal);
    }
    return "unexpected input";
}

void RequestSplitter::beginMessage(std::size_t at)
{
    m_from = at;
    m_msgOffset = m_base + at;
    m_msgLine = m_line;
    m_msgColumn = static_cast<int>(m_msgOffset - m_lineStart) + 1;
}

void RequestSplitter::valueDone(std::string_view piece, std::size_t end, std::vector<Message> *out)
{
    if (!m_containers.empty()) {
        m_state = State::AfterValue;
        return;
    }
    m_state = State::Between;
    Message m;
    m.line = m_msgLine;
    m.column = m_msgColumn;
    m.offset = m_msgOffset;
    const std::string_view tail = piece.substr(m_from, end - m_from);
    if (m_current.empty()) {
        m.text.assign(tail);
    } else {
        m_current.append(tail);
        m.text = std::move(m_current);
        m_current.clear();
    }
    out->push_back(std::move(m));
}

bool RequestSplitter::fail(std::uint64_t offset, std::string message)
{
    m_failed = true;
    m_error = {};
    m_error.line = m_line;
    m_error.column = static_cast<int>(offset - m_lineStart) + 1;
    m_error.offset = static_cast<std::int64_t>(offset);
    m_error.message = std::move(message);
    return false;
}

bool RequestSplitter::failHere(std::string_view piece, std::size_t at)
{
    return fail(m_base + at, expectation() + ", found " + describe(piece[at]));
}

bool RequestSplitter::startValue(std::string_view piece, std::size_t at)
{
    switch (piece[at]) {
    case '{':
    case '[':
        if (m_containers.size() > kMaxDepth)
            return fail(m_base + at, "JSON nested deeper than 512 levels");
        m_containers.push_back(piece[at]);
        m_state = piece[at] == '{' ? State::ObjectFirst : State::ArrayFirst;
        return true;
    case '"':
        m_state = State::String;
        m_inName = false;
        return true;
    case '-':
        m_state = State::Minus;
        return true;
    case '0':
        m_state = State::Zero;
        return true;
    case 't':
    case 'f':
    case 'n':
        m_literal = piece[at] == 't' ? "true" : piece[at] == 'f' ? "false" : "null";
        m_literalAt = 1;
        m_state = State::Literal;
        return true;
    default:
        if (isDigit(piece[at])) {
            m_state = State::Int;
            return true;
        }
        return failHere(piece, at);
    }
}

bool RequestSplitter::feedJson(std::string_view piece, std::vector<Message> *out)
{
    const std::size_t n = piece.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = piece[i];
        // Whitespace between tokens, in every state that is not inside a token.
        if (m_state <= State::AfterValue && isSpace(c)) {
            if (c == '\n') {
                ++m_line;
                m_lineStart = m_base + i + 1;
            }
            ++i;
            continue;
        }
        switch (m_state) {
        case State::Between:
            beginMessage(i);
            if (!startValue(piece, i))
                return false;
            ++i;
            break;
        case State::Value:
            if (!startValue(piece, i))
                return false;
            ++i;
            break;
        case State::ArrayFirst:
            if (c == ']') {
                m_containers.pop_back();
                valueDone(piece, ++i, out);
            } else if (!startValue(piece, i)) {
                return false;
            } else {
                ++i;
            }
            break;
        case State::ObjectFirst:
        case State::Name:
            if (c == '}' && m_state == State::ObjectFirst) {
                m_containers.pop_back();
                valueDone(piece, ++i, out);
            } else if (c == '"') {
                m_state = State::String;
                m_inName = true;
                ++i;
            } else {
                return failHere(piece, i);
            }
            break;
        case State::Colon:
            if (c != ':')
                return failHere(piece, i);
            m_state = State::Value;
            ++i;
            break;
        case State::AfterValue: {
            const bool object = m_containers.back() == '{';
            if (c == ',') {
                m_state = object ? State::Name : State::Value;
                ++i;
            } else if (c == (object ? '}' : ']')) {
                m_containers.pop_back();
                valueDone(piece, ++i, out);
            } else {
                return failHere(piece, i);
            }
            break;
        }
        case State::String: {
            // Most of a big message is string content: skip it without the state machine.
            std::size_t j = i;
            while (j < n && piece[j] != '"' && piece[j] != '\\' &&
                   static_cast<unsigned char>(piece[j]) >= 0x20)
                ++j;
            i = j;
            if (i == n)
                break;
            if (piece[i] == '"') {
                ++i;
                if (m_inName) {
                    m_inName = false;
                    m_state = State::Colon;
                } else {
                    valueDone(piece, i, out);
                }
            } else if (piece[i] == '\\') {
                m_state = State::Escape;
                ++i;
            } else {
                return fail(m_base + i, "a control character in a string must be escaped");
            }
            break;
        }
        case State::Escape:
            if (c == 'u') {
                m_state = State::Hex;
                m_hexLeft = 4;
            } else if (std::strchr("\"\\/bfnrt", c) && c != '\0') {
                m_state = State::String;
            } else {
                return failHere(piece, i);
            }
            ++i;
            break;
        case State::Hex:
            if (!isHex(c))
                return failHere(piece, i);
            if (--m_hexLeft == 0)
                m_state = State::String;
            ++i;
            break;
        case State::Minus:
            if (!isDigit(c))
                return failHere(piece, i);
            m_state = c == '0' ? State::Zero : State::Int;
            ++i;
            break;
        case State::Zero:
        case State::Int:
        case State::Frac:
        case State::ExpDigits:
            if (isDigit(c)) {
                if (m_state == State::Zero)
                    return fail(m_base + i, "numbers cannot have leading zeros");
                ++i;
            } else if (c == '.' && (m_state == State::Zero || m_state == State::Int)) {
                m_state = State::Dot;
                ++i;
            } else if ((c == 'e' || c == 'E') && m_state != State::ExpDigits) {
                m_state = State::Exp;
                ++i;
            } else {
                valueDone(piece, i, out); // the number ended before this byte: look at it again
            }
            break;
        case State::Dot:
            if (!isDigit(c))
                return failHere(piece, i);
            m_state = State::Frac;
            ++i;
            break;
        case State::Exp:
        case State::ExpSign:
            if (isDigit(c))
                m_state = State::ExpDigits;
            else if ((c == '+' || c == '-') && m_state == State::Exp)
                m_state = State::ExpSign;
            else
                return failHere(piece, i);
            ++i;
            break;
        case State::Literal:
            if (c != m_literal[m_literalAt])
                return failHere(piece, i);
            ++i;
            if (++m_literalAt == m_literal.size())
                valueDone(piece, i, out);
            break;
        }
    }
    if (inMessage())
        m_current.append(piece.substr(m_from));
    return true;
}

void RequestSplitter::countLines(std::string_view piece, std::size_t from, std::size_t to)
{
    while (from < to) {
        const void *nl = std::memchr(piece.data() + from, '\n', to - from);
        if (!nl)
            return;
        const auto at = static_cast<std::size_t>(static_cast<const char *>(nl) - piece.data());
        ++m_line;
        m_lineStart = m_base + at + 1;
        from = at + 1;
    }
}

bool RequestSplitter::feedText(std::string_view piece, std::vector<Message> *out)
{
    std::size_t i = 0;
    while (i < piece.size()) {
        const void *sep = std::memchr(piece.data() + i, kTextSeparator, piece.size() - i);
        const std::size_t end =
            sep ? static_cast<std::size_t>(static_cast<const char *>(sep) - piece.data()) : piece.size();
        for (std::size_t k = i; k < end && !m_textHasContent; ++k)
            m_textHasContent = !isSpace(piece[k]);
        countLines(piece, i, end);
        m_current.append(piece.substr(i, end - i));
        if (!sep)
            break;
        if (m_textHasContent)
            out->push_back({std::move(m_current), m_msgLine, m_msgColumn, m_msgOffset});
        m_current.clear();
        m_textHasContent = false;
        i = end + 1;
        m_msgOffset = m_base + i;
        m_msgLine = m_line;
        m_msgColumn = static_cast<int>(m_msgOffset - m_lineStart) + 1;
    }
    return true;
}

rpc::Result<std::vector<std::string>> readMessages(int fd, RequestSplitter::Format format)
{
    RequestSplitter splitter(format);
    std::vector<RequestSplitter::Message> found;
    std::vector<std::string> messages;
    std::vector<char> buffer(std::size_t(1) << 20);
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rpc::Error(std::strerror(errno));
        const bool ok = n == 0 ? splitter.finish(&found)
                               : splitter.feed({buffer.data(), static_cast<std::size_t>(n)}, &found);
        for (auto &m : found)
            messages.push_back(std::move(m.text));
        found.clear();
        if (!ok)
            return rpc::Error(splitter.error().message, {splitter.error()});
        if (n == 0)
            return messages;
    }
}

} // namespace cli
