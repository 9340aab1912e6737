// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/http1wire.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace rpc::wire {

namespace {

constexpr std::size_t kMaxHead = 64 * 1024; // libcurl's own limit for a response head is larger; this is
                                            // what a relay keeps while it waits for a head's end
constexpr std::size_t kMaxChunkLine = 4096;

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

// A line of a malformed message as an error shows it: control bytes escaped, long ones cut.
std::string shown(std::string_view text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 100)) {
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return text.size() > 100 ? out + "…" : out;
}

bool isTokenChar(unsigned char c)
{
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool isToken(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return isTokenChar(c); });
}

bool isVersion(std::string_view text)
{
    return text.size() == 8 && text.substr(0, 7) == "HTTP/1." &&
           std::isdigit(static_cast<unsigned char>(text[7]));
}

// Where the head that starts `buffer` ends (after its empty line), or npos. `from`: where an
// earlier search stopped, so a head that arrives byte by byte is not scanned again and again.
std::size_t headEnd(std::string_view buffer, std::size_t from = 0)
{
    for (std::size_t at = buffer.find('\n', from > 3 ? from - 3 : 0); at != std::string_view::npos;
         at = buffer.find('\n', at + 1)) {
        if (at + 1 < buffer.size() && buffer[at + 1] == '\n')
            return at + 2;
        if (at + 2 < buffer.size() && buffer[at + 1] == '\r' && buffer[at + 2] == '\n')
            return at + 3;
    }
    return std::string_view::npos;
}

} // namespace

std::string Http1Part::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Head:
        return "HEAD";
    case Kind::Chunk:
        return "CHUNK";
    case Kind::Body:
        return "BODY";
    case Kind::End:
        return "END";
    }
    return {};
}

struct Http1Decoder::Impl
{
    enum class State { Head, Fixed, UntilClose, ChunkSize, ChunkData, ChunkEnd, Trailers, Opaque };
    Side side = Side::Client;
    State state = State::Head;
    std::string buffer;
    std::string failed;
    std::uint32_t exchange = 0; // of the message being read
    std::uint32_t finals = 0;   // final responses (or requests) seen
    std::uint64_t left = 0;     // Fixed: body bytes to come; ChunkData: bytes of the chunk to come
    std::uint64_t total = 0;    // Fixed: the Content-Length; ChunkData: the chunk's size
    std::size_t pieces = 0;     // body parts so far, for the messages' piece numbers
    std::size_t scanned = 0;    // bytes of a head or trailers searched for their end so far
    EnvelopeSplitter envelopes;
    std::vector<GrpcMessage> messages; // completed by the part being read

    const char *what() const { return side == Side::Client ? "request" : "response"; }
    std::string where() const
    {
        return std::string("the ") + what() + " of exchange " + std::to_string(exchange);
    }

    Error fail(std::string message)
    {
        failed = std::move(message);
        buffer.clear();
        return Error(failed);
    }

    Status addBody(std::string_view bytes)
    {
        return envelopes.add(bytes, exchange, pieces, &messages, where());
    }

    // The part that ends a message: its body must not stop inside an envelope.
    Status endMessage(Http1Part &part)
    {
        part.endsMessage = true;
        state = State::Head;
        if (envelopes.pending() > 0)
            return fail(where() + " ended inside a message (" + std::to_string(envelopes.pending()) +
                        " bytes left)");
        return Ok{};
    }

    Result<Metadata> fields(std::string_view lines, const std::string &in)
    {
        Metadata out;
        while (!lines.empty()) {
            const auto nl = lines.find('\n');
            std::string_view line = lines.substr(0, nl);
            lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            if (line.empty())
                continue;
            if (line.front() == ' ' || line.front() == '\t')
                return Error(in + " folds a header line (obsolete, RFC 9112 section 5.2): \"" + shown(line) +
                             "\"");
            const auto colon = line.find(':');
            if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
                return Error(in + " has a header line that is not NAME: VALUE: \"" + shown(line) + "\"");
            out.emplace_back(lower(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
        }
        return out;
    }

    static std::vector<std::string> values(const Metadata &headers, std::string_view name)
    {
        std::vector<std::string> out;
        for (const auto &[k, v] : headers) {
            if (k == name)
                out.push_back(v);
        }
        return out;
    }

    // A head: its part, and the state its body puts the decoder in.
    Status head(std::string_view text, std::vector<Http1Part> *out)
    {
        Http1Part part;
        part.kind = Http1Part::Kind::Head;
        part.size = text.size();
        const auto nl = text.find('\n');
        std::string_view start = text.substr(0, nl);
        if (!start.empty() && start.back() == '\r')
            start.remove_suffix(1);
        part.startLine = std::string(start);
        int status = 0;
        if (side == Side::Client) {
            exchange = ++finals;
            const auto a = start.find(' ');
            const auto b = a == std::string_view::npos ? a : start.find(' ', a + 1);
            if (b == std::string_view::npos || !isToken(start.substr(0, a)) || b == a + 1 ||
                !isVersion(start.substr(b + 1)))
                return fail("request " + std::to_string(exchange) +
                            " does not start with METHOD TARGET HTTP/1.x: \"" + shown(start) + "\"");
        } else {
            exchange = finals + 1;
            const bool ok = start.size() >= 12 && isVersion(start.substr(0, 8)) && start[8] == ' ' &&
                            std::all_of(start.begin() + 9, start.begin() + 12,
                                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
                            (start.size() == 12 || start[12] == ' ');
            if (!ok)
                return fail("response " + std::to_string(exchange) +
                            " does not start with HTTP/1.x CODE REASON: \"" + shown(start) + "\"");
            status = std::stoi(std::string(start.substr(9, 3)));
            part.interim = status >= 100 && status < 200;
            if (!part.interim)
                ++finals;
        }
        auto headers = fields(nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1),
                              "the head of " + where());
        if (!headers)
            return fail(headers.error().message);
        part.headers = std::move(headers.value());
        part.exchange = exchange;
        envelopes = EnvelopeSplitter();
        const auto types = values(part.headers, "content-type");
        envelopes.framing = types.empty() ? BodyFraming::None : bodyFramingFor(types.front());

        std::string codings;
        for (const auto &v : values(part.headers, "transfer-encoding"))
            codings += (codings.empty() ? "" : ",") + v;
        const auto lengths = values(part.headers, "content-length");
        if (status == 101) {
            state = State::Opaque; // another protocol from here on: nothing more to decode
            part.endsMessage = true;
        } else if (part.interim || status == 204 || status == 304) {
            part.endsMessage = !part.interim;
            state = State::Head;
        } else if (!codings.empty()) {
            const std::string last = lower(trim(codings.substr(codings.rfind(',') + 1)));
            if (last == "chunked")
                state = State::ChunkSize;
            else if (side == Side::Server)
                state = State::UntilClose;
            else
                return fail("the head of " + where() + " gives transfer-encoding \"" + shown(codings) +
                            "\" without chunked last: its length is unknown");
        } else if (!lengths.empty()) {
            std::string first;
            for (const auto &value : lengths) {
                std::string_view rest = value;
                // An empty value says no length at all (wire_fuzz: stoull("") threw, and the
                // process ended).
                if (trim(rest).empty())
                    return fail("the head of " + where() + " gives an empty content-length");
                while (!rest.empty()) { // "5, 5" is one length said twice
                    const auto comma = rest.find(',');
                    const std::string one(trim(rest.substr(0, comma)));
                    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
                    if (one.empty() || one.size() > 15 ||
                        !std::all_of(one.begin(), one.end(),
                                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
                        (!first.empty() && one != first))
                        return fail("the head of " + where() + " gives content-length \"" + shown(value) +
                                    "\", not one length in digits");
                    first = one;
                }
            }
            total = left = std::stoull(first);
            state = left > 0 ? State::Fixed : State::Head;
            part.endsMessage = left == 0;
        } else if (side == Side::Server) {
            state = State::UntilClose;
        } else {
            part.endsMessage = true; // a request without a length has no body
        }
        out->push_back(std::move(part));
        return Ok{};
    }

    Status step(std::size_t &at, std::vector<Http1Part> *out, bool *progress)
    {
        const std::string_view data = std::string_view(buffer).substr(at);
        *progress = false;
        switch (state) {
        case State::Head: {
            std::size_t skip = 0; // empty lines before a message are ignored (RFC 9112 section 2.2)
            while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n'))
                ++skip;
            at += skip;
            const std::string_view rest = data.substr(skip);
            const auto end = headEnd(rest, skip ? 0 : scanned);
            scanned = end == std::string_view::npos ? rest.size() : 0;
            if (end == std::string_view::npos) {
                if (rest.size() > kMaxHead)
                    return fail(std::string("a ") + what() + " head is longer than " +
                                std::to_string(kMaxHead / 1024) + " KiB without its end");
                return Ok{};
            }
            at += end;
            *progress = true;
            return head(rest.substr(0, end), out);
        }
        case State::Fixed:
        case State::UntilClose: {
            if (data.empty())
                return Ok{};
            const std::size_t n =
                state == State::Fixed ? std::size_t(std::min<std::uint64_t>(left, data.size())) : data.size();
            Http1Part part;
            part.kind = Http1Part::Kind::Body;
            part.exchange = exchange;
            part.size = n;
            if (auto ok = addBody(data.substr(0, n)); !ok)
                return fail(ok.error().message);
            ++pieces;
            part.messages = std::exchange(messages, {});
            at += n;
            *progress = true;
            if (state == State::Fixed && (left -= n) == 0) {
                if (auto ok = endMessage(part); !ok)
                    return ok;
            }
            out->push_back(std::move(part));
            return Ok{};
        }
        case State::ChunkSize: {
            const auto nl = data.find('\n');
            if (nl == std::string_view::npos) {
                if (data.size() > kMaxChunkLine)
                    return fail("a chunk size line of " + where() + " is longer than " +
                                std::to_string(kMaxChunkLine) + " bytes");
                return Ok{};
            }
            const std::string_view line = data.substr(0, nl);
            std::string_view size = trim(line.substr(0, line.find(';')));
            if (size.empty() || size.size() > 15 || !std::all_of(size.begin(), size.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c));
                }))
                return fail("a chunk of " + where() + " has the size line \"" + shown(trim(line)) +
                            "\", not a hexadecimal size");
            total = left = std::stoull(std::string(size), nullptr, 16);
            at += nl + 1;
            *progress = true;
            state = left == 0 ? State::Trailers : State::ChunkData;
            return Ok{};
        }
        case State::ChunkData: {
            if (data.empty())
                return Ok{};
            const auto n = std::size_t(std::min<std::uint64_t>(left, data.size()));
            if (auto ok = addBody(data.substr(0, n)); !ok)
                return fail(ok.error().message);
            left -= n;
            at += n;
            *progress = true;
            if (left == 0)
                state = State::ChunkEnd;
            return Ok{};
        }
        case State::ChunkEnd: {
            if (data.empty() || data == "\r")
                return Ok{}; // the CRLF has not arrived yet
            const std::size_t eol = data.substr(0, 2) == "\r\n" ? 2 : data[0] == '\n' ? 1 : 0;
            if (eol == 0)
                return fail("a chunk of " + where() + " said " + std::to_string(total) + " bytes, but \"" +
                            shown(data.substr(0, 16)) + "\" follows them where the chunk's CRLF belongs");
            Http1Part part;
            part.kind = Http1Part::Kind::Chunk;
            part.exchange = exchange;
            part.size = total;
            ++pieces;
            part.messages = std::exchange(messages, {});
            out->push_back(std::move(part));
            at += eol;
            *progress = true;
            state = State::ChunkSize;
            return Ok{};
        }
        case State::Trailers: {
            std::size_t end = std::string_view::npos;
            if (data.substr(0, 2) == "\r\n")
                end = 2;
            else if (data.substr(0, 1) == "\n")
                end = 1;
            else if (!data.empty() && data[0] != '\r')
                end = headEnd(data, scanned);
            scanned = end == std::string_view::npos ? data.size() : 0;
            if (end == std::string_view::npos) {
                if (data.size() > kMaxHead)
                    return fail("the trailers of " + where() + " are longer than " +
                                std::to_string(kMaxHead / 1024) + " KiB");
                return Ok{};
            }
            auto trailers = fields(data.substr(0, end), "the trailers of " + where());
            if (!trailers)
                return fail(trailers.error().message);
            Http1Part part;
            part.kind = Http1Part::Kind::End;
            part.exchange = exchange;
            part.headers = std::move(trailers.value());
            if (auto ok = endMessage(part); !ok)
                return ok;
            out->push_back(std::move(part));
            at += end;
            *progress = true;
            return Ok{};
        }
        case State::Opaque:
            at = buffer.size();
            return Ok{};
        }
        return Ok{};
    }
};

Http1Decoder::Http1Decoder(Side side)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->side = side;
}

Http1Decoder::~Http1Decoder() = default;

Http1Decoder::Decoded Http1Decoder::feed(std::string_view bytes)
{
    Impl &d = *m_impl;
    Decoded out;
    if (!d.failed.empty()) {
        out.error = d.failed;
        return out;
    }
    d.buffer.append(bytes);
    std::size_t at = 0;
    for (bool progress = true; progress;) {
        if (auto ok = d.step(at, &out.parts, &progress); !ok) {
            out.error = ok.error().message;
            return out;
        }
    }
    d.buffer.erase(0, at);
    return out;
}

Http1Decoder::Decoded Http1Decoder::finish()
{
    Impl &d = *m_impl;
    using State = Impl::State;
    Decoded out;
    if (!d.failed.empty()) {
        out.error = d.failed;
        return out;
    }
    auto fail = [&](std::string why) {
        out.error = d.fail(std::move(why)).message;
        return out;
    };
    switch (d.state) {
    case State::Head:
        if (d.buffer.find_first_not_of("\r\n") != std::string::npos)
            return fail(std::string("the connection closed inside a ") + d.what() + " head (" +
                        std::to_string(d.buffer.size()) + " bytes of it arrived)");
        break;
    case State::Fixed:
        return fail("the connection closed after " + std::to_string(d.total - d.left) + " of the " +
                    std::to_string(d.total) + " body bytes the content-length of " + d.where() + " gave");
    case State::UntilClose: {
        Http1Part part;
        part.kind = Http1Part::Kind::End;
        part.exchange = d.exchange;
        if (auto ok = d.endMessage(part); !ok)
            out.error = ok.error().message;
        else
            out.parts.push_back(std::move(part));
        break;
    }
    case State::ChunkData:
        return fail("the connection closed inside a chunk of " + d.where() + ": " +
                    std::to_string(d.total - d.left) + " of its " + std::to_string(d.total) +
                    " bytes arrived");
    case State::ChunkSize:
    case State::ChunkEnd:
    case State::Trailers:
        return fail("the connection closed inside the chunked body of " + d.where() +
                    ", before its last chunk");
    case State::Opaque:
        break;
    }
    return out;
}

} // namespace rpc::wire
