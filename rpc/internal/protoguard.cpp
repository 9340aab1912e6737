// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/protoguard.h"

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <map>
#include <set>

namespace pb = google::protobuf;

namespace rpc::internal {

namespace {

bool isIdentStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isIdentChar(char c)
{
    return isIdentStart(c) || (c >= '0' && c <= '9');
}

// The bytes of a file, owned by the stream that hands them to the parser.
class OwningStream final : public pb::io::ZeroCopyInputStream
{
public:
    explicit OwningStream(std::string data)
        : m_data(std::move(data))
        , m_array(m_data.data(), static_cast<int>(m_data.size()))
    {}
    bool Next(const void **data, int *size) override { return m_array.Next(data, size); }
    void BackUp(int count) override { m_array.BackUp(count); }
    bool Skip(int count) override { return m_array.Skip(count); }
    std::int64_t ByteCount() const override { return m_array.ByteCount(); }

private:
    std::string m_data;
    pb::io::ArrayInputStream m_array;
};

} // namespace

namespace {

// The few tokens the checks need, read without recursion: identifiers, string literals (their
// text without quotes or escapes resolved) and single punctuation characters. Comments and
// whitespace are skipped; positions are 1-based.
struct Token
{
    enum Kind { End, Identifier, String, Symbol } kind = End;
    std::string_view text;
    int line = 0;
    int column = 0;
    std::size_t offset = 0;
};

class Scanner
{
public:
    explicit Scanner(std::string_view text)
        : m_text(text)
    {}

    Token next()
    {
        while (m_i < m_text.size()) {
            const char c = m_text[m_i];
            if (c == '\n') {
                ++m_line;
                m_lineStart = ++m_i;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++m_i;
            } else if (c == '/' && peek(1) == '/') {
                while (m_i < m_text.size() && m_text[m_i] != '\n')
                    ++m_i;
            } else if (c == '/' && peek(1) == '*') {
                m_i += 2;
                while (m_i < m_text.size() && !(m_text[m_i] == '*' && peek(1) == '/')) {
                    if (m_text[m_i] == '\n') {
                        ++m_line;
                        m_lineStart = m_i + 1;
                    }
                    ++m_i;
                }
                m_i += 2;
            } else {
                break;
            }
        }
        Token t;
        t.line = m_line;
        t.column = static_cast<int>(m_i - m_lineStart) + 1;
        t.offset = m_i;
        if (m_i >= m_text.size())
            return t;
        const char c = m_text[m_i];
        if (c == '"' || c == '\'') {
            const std::size_t start = ++m_i;
            while (m_i < m_text.size() && m_text[m_i] != c && m_text[m_i] != '\n')
                m_i += m_text[m_i] == '\\' ? 2 : 1;
            t.kind = Token::String;
            t.text = m_text.substr(start, std::min(m_i, m_text.size()) - start);
            ++m_i;
        } else if (isIdentStart(c)) {
            const std::size_t start = m_i;
            while (m_i < m_text.size() && isIdentChar(m_text[m_i]))
                ++m_i;
            t.kind = Token::Identifier;
            t.text = m_text.substr(start, m_i - start);
        } else {
            t.kind = Token::Symbol;
            t.text = m_text.substr(m_i++, 1);
        }
        return t;
    }

private:
    char peek(std::size_t ahead) const { return m_i + ahead < m_text.size() ? m_text[m_i + ahead] : '\0'; }

    std::string_view m_text;
    std::size_t m_i = 0;
    std::size_t m_lineStart = 0;
    int m_line = 1;
};

std::optional<std::string> readAll(pb::compiler::SourceTree &tree, const std::string &name)
{
    std::unique_ptr<pb::io::ZeroCopyInputStream> in(tree.Open(name));
    if (!in)
        return std::nullopt;
    std::string data;
    const void *chunk = nullptr;
    int size = 0;
    while (in->Next(&chunk, &size))
        data.append(static_cast<const char *>(chunk), static_cast<std::size_t>(size));
    return data;
}

} // namespace

std::optional<Diagnostic> checkProtoNesting(std::string_view text)
{
    std::vector<bool> blocks; // true: a message (or group) block
    int messages = 0;
    bool messageKeyword = false; // "message" or "group" seen since the last ; { or }
    Scanner scanner(text);
    for (Token t = scanner.next(); t.kind != Token::End; t = scanner.next()) {
        if (t.kind == Token::Identifier) {
            if (t.text == "message" || t.text == "group")
                messageKeyword = true;
            continue;
        }
        if (t.kind != Token::Symbol)
            continue;
        if (t.text == "{") {
            blocks.push_back(messageKeyword);
            messages += messageKeyword ? 1 : 0;
            messageKeyword = false;
            Diagnostic d;
            d.line = t.line;
            d.column = t.column;
            d.offset = static_cast<std::int64_t>(t.offset);
            if (messages > kMaxProtoMessageNesting) {
                d.message = "Reached maximum recursion limit for nested messages: more than " +
                            std::to_string(kMaxProtoMessageNesting) + " levels (protoc's limit too)";
                return d;
            }
            if (static_cast<int>(blocks.size()) > kMaxProtoBraceNesting) {
                d.message = "blocks nested more than " + std::to_string(kMaxProtoBraceNesting) + " levels deep";
                return d;
            }
        } else if (t.text == "}") {
            if (!blocks.empty()) {
                messages -= blocks.back() ? 1 : 0;
                blocks.pop_back();
            }
            messageKeyword = false;
        } else if (t.text == ";") {
            messageKeyword = false;
        }
    }
    return std::nullopt;
}

std::vector<std::string> protoImports(std::string_view text)
{
    std::vector<std::string> imports;
    Scanner scanner(text);
    bool atStatementStart = true;
    for (Token t = scanner.next(); t.kind != Token::End; t = scanner.next()) {
        if (atStatementStart && t.kind == Token::Identifier && t.text == "import") {
            Token name = scanner.next();
            if (name.kind == Token::Identifier && (name.text == "public" || name.text == "weak"))
                name = scanner.next();
            if (name.kind == Token::String)
                imports.emplace_back(name.text);
            atStatementStart = false;
            continue;
        }
        atStatementStart = t.kind == Token::Symbol && (t.text == ";" || t.text == "{" || t.text == "}");
    }
    return imports;
}

std::optional<Diagnostic> checkImportDepth(pb::compiler::SourceTree &tree, const std::vector<std::string> &files,
                                           int limit)
{
    // Longest chain of imports below each file, by a depth-first walk with an explicit stack;
    // a file on the current path again (a cycle) is left to protobuf, which reports it.
    std::map<std::string, int> height; // finished files: the longest chain they start
    std::set<std::string> onPath;
    struct Frame
    {
        std::string file;
        std::vector<std::string> imports;
        std::size_t next = 0;
        int tallest = 0;
    };
    for (const auto &root : files) {
        if (height.count(root))
            continue;
        std::vector<Frame> stack;
        auto enter = [&](const std::string &file) {
            auto text = readAll(tree, file);
            stack.push_back({file, text ? protoImports(*text) : std::vector<std::string>{}});
            onPath.insert(file);
        };
        enter(root);
        while (!stack.empty()) {
            Frame &top = stack.back();
            if (top.next < top.imports.size()) {
                const std::string child = top.imports[top.next++];
                if (auto h = height.find(child); h != height.end()) {
                    top.tallest = std::max(top.tallest, h->second);
                } else if (!onPath.count(child)) {
                    if (static_cast<int>(stack.size()) >= limit) {
                        Diagnostic d;
                        d.file = stack.front().file;
                        d.message = "imports nested more than " + std::to_string(limit) + " files deep (" +
                                    stack.front().file + " → " + stack[1].file + " → … → " + child + ")";
                        return d;
                    }
                    enter(child);
                }
                continue;
            }
            const int h = top.tallest + 1;
            height[top.file] = h;
            onPath.erase(top.file);
            stack.pop_back();
            if (!stack.empty())
                stack.back().tallest = std::max(stack.back().tallest, h);
            else if (h > limit)
                return Diagnostic{root, 0, 0, -1, {}, "imports nested more than " + std::to_string(limit) + " files deep"};
        }
    }
    return std::nullopt;
}

GuardedSourceTree::GuardedSourceTree(pb::compiler::SourceTree *inner)
    : m_inner(inner)
{}

GuardedSourceTree::~GuardedSourceTree() = default;

pb::io::ZeroCopyInputStream *GuardedSourceTree::Open(const std::string &filename)
{
    auto data = readAll(*m_inner, filename);
    if (!data) {
        m_lastError = m_inner->GetLastErrorMessage();
        return nullptr;
    }
    if (auto problem = checkProtoNesting(*data)) {
        problem->file = filename;
        m_lastError = problem->toString();
        m_refusals.push_back(std::move(*problem));
        return nullptr;
    }
    return new OwningStream(std::move(*data));
}

std::string GuardedSourceTree::GetLastErrorMessage()
{
    return m_lastError;
}

std::vector<Diagnostic> GuardedSourceTree::refusals() const
{
    return m_refusals;
}

} // namespace rpc::internal
