// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/wire.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string_view>

namespace rpc::wire {

namespace {

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::size_t kHeaderSize = 9;

std::uint32_t be32(const unsigned char *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

std::string hex(unsigned value)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", value);
    return buf;
}

} // namespace

std::string frameTypeName(std::uint8_t type)
{
    static const char *names[] = {"DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
                                  "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};
    return type < 10 ? names[type] : "UNKNOWN(" + hex(type) + ")";
}

std::string Frame::flagNames() const
{
    std::vector<std::pair<std::uint8_t, const char *>> known;
    switch (FrameType(type)) {
    case FrameType::Data:
        known = {{flags::EndStream, "END_STREAM"}, {flags::Padded, "PADDED"}};
        break;
    case FrameType::Headers:
        known = {{flags::EndStream, "END_STREAM"},
                 {flags::EndHeaders, "END_HEADERS"},
                 {flags::Padded, "PADDED"},
                 {flags::Priority, "PRIORITY"}};
        break;
    case FrameType::PushPromise:
        known = {{flags::EndHeaders, "END_HEADERS"}, {flags::Padded, "PADDED"}};
        break;
    case FrameType::Continuation:
        known = {{flags::EndHeaders, "END_HEADERS"}};
        break;
    case FrameType::Settings:
    case FrameType::Ping:
        known = {{flags::Ack, "ACK"}};
        break;
    default:
        break;
    }
    std::string out;
    std::uint8_t rest = flags;
    for (const auto &[bit, name] : known) {
        if (flags & bit) {
            out += (out.empty() ? "" : "|") + std::string(name);
            rest &= std::uint8_t(~bit);
        }
    }
    if (rest)
        out += (out.empty() ? "" : "|") + hex(rest);
    return out;
}

BodyFraming bodyFramingFor(std::string_view contentType)
{
    std::string type(contentType);
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto starts = [&](std::string_view prefix) { return type.rfind(prefix, 0) == 0; };
    if (starts("application/grpc-web-text"))
        return BodyFraming::None; // base64
    if (starts("application/grpc-web"))
        return BodyFraming::GrpcWeb;
    if (starts("application/grpc"))
        return BodyFraming::Grpc;
    if (starts("application/connect+"))
        return BodyFraming::Connect;
    return BodyFraming::None;
}

Status EnvelopeSplitter::add(std::string_view bytes, std::uint32_t stream, std::size_t piece,
                             std::vector<GrpcMessage> *out, const std::string &where)
{
    if (framing == BodyFraming::None || bytes.empty())
        return Ok{};
    if (m_data.empty()) {
        m_pieces = 0;
        m_firstPiece = piece;
    }
    ++m_pieces;
    const std::uint8_t last = framing == BodyFraming::GrpcWeb   ? 0x80
                              : framing == BodyFraming::Connect ? 0x02
                                                                : 0;
    m_data.append(bytes);
    std::size_t at = 0;
    while (m_data.size() - at >= 5) {
        const auto *p = reinterpret_cast<const unsigned char *>(m_data.data() + at);
        if ((p[0] & ~std::uint8_t(1 | last)) != 0) {
            const std::string flag = std::to_string(p[0]);
            m_data.clear();
            return Error("gRPC message on " + where + " has compressed flag " + flag + " (0 or 1" +
                         (last ? ", plus " + std::to_string(last) : "") + " expected)");
        }
        const std::uint32_t len = be32(p + 1);
        if (m_data.size() - at - 5 < std::size_t(len))
            break;
        if ((p[0] & last) == 0) { // a trailer block or end-of-stream message is not a message
            GrpcMessage m;
            m.streamId = stream;
            m.compressed = (p[0] & 1) != 0;
            m.bytes = m_data.substr(at + 5, len);
            m.frames = m_pieces;
            m.firstFrame = m_firstPiece;
            out->push_back(std::move(m));
        }
        at += 5 + std::size_t(len);
        // What is left started in the latest piece.
        m_pieces = 1;
        m_firstPiece = piece;
    }
    m_data.erase(0, at);
    return Ok{};
}

struct FrameDecoder::Impl
{
    Side side;
    bool prefaceDone = false;
    std::string buffer;
    std::string failed; // set once: the error every later feed returns
    nghttp2_hd_inflater *inflater = nullptr;
    // An open header block: the stream it belongs to, and its fragments so far.
    std::uint32_t blockStream = 0;
    bool inBlock = false;
    std::string block;
    std::size_t framesSeen = 0;
    struct Stream
    {
        EnvelopeSplitter envelopes; // gRPC framing until HEADERS say otherwise
    };
    std::map<std::uint32_t, Stream> streams;
    std::vector<GrpcMessage> messages;

    Status fail(std::string message)
    {
        failed = std::move(message);
        return Error(failed);
    }

    Result<Metadata> inflate(const std::string &in, std::uint32_t stream)
    {
        Metadata out;
        const auto *p = reinterpret_cast<const std::uint8_t *>(in.data());
        std::size_t left = in.size();
        for (;;) {
            nghttp2_nv nv;
            int inflateFlags = 0;
            const auto n = nghttp2_hd_inflate_hd2(inflater, &nv, &inflateFlags, p, left, 1);
            if (n < 0)
                return Error("bad HPACK block on stream " + std::to_string(stream) + ": " +
                             nghttp2_strerror(static_cast<int>(n)));
            p += n;
            left -= static_cast<std::size_t>(n);
            if (inflateFlags & NGHTTP2_HD_INFLATE_EMIT)
                out.emplace_back(std::string(reinterpret_cast<const char *>(nv.name), nv.namelen),
                                 std::string(reinterpret_cast<const char *>(nv.value), nv.valuelen));
            if (inflateFlags & NGHTTP2_HD_INFLATE_FINAL) {
                nghttp2_hd_inflate_end_headers(inflater);
                return out;
            }
            if (!(inflateFlags & NGHTTP2_HD_INFLATE_EMIT) && left == 0)
                return Error("truncated HPACK block on stream " + std::to_string(stream));
        }
    }

    // Padding and priority fields taken off a DATA, HEADERS or PUSH_PROMISE payload.
    Result<std::string_view> content(const Frame &f, std::size_t fixed)
    {
        std::string_view body = f.payload;
        std::size_t pad = 0;
        if (f.flags & flags::Padded) {
            if (body.empty())
                return Error(frameTypeName(f.type) + " on stream " + std::to_string(f.streamId) +
                             " is PADDED but has no pad length");
            pad = static_cast<unsigned char>(body[0]);
            body.remove_prefix(1);
        }
        if (fixed > body.size() || pad > body.size() - fixed)
            return Error(frameTypeName(f.type) + " on stream " + std::to_string(f.streamId) +
                         ": padding of " + std::to_string(pad) + " bytes exceeds the payload");
        body.remove_prefix(fixed);
        body.remove_suffix(pad);
        return body;
    }

    Status data(const Frame &f, std::string_view body)
    {
        Stream &s = streams[f.streamId];
        if (s.envelopes.framing != BodyFraming::None) {
            if (auto ok = s.envelopes.add(body, f.streamId, framesSeen, &messages,
                                          "stream " + std::to_string(f.streamId));
                !ok)
                return fail(ok.error().message);
            if ((f.flags & flags::EndStream) && s.envelopes.pending() > 0)
                return fail("stream " + std::to_string(f.streamId) + " ended inside a gRPC message (" +
                            std::to_string(s.envelopes.pending()) + " bytes left)");
        }
        if (f.flags & flags::EndStream)
            streams.erase(f.streamId);
        return Ok{};
    }

    // The framing of a stream whose first header block names a content-type; the stream's
    // entry goes when the block ends it (trailers, or a request without a body).
    void noteFraming(const Frame &f)
    {
        if (f.flags & flags::EndStream) {
            streams.erase(blockStream);
            return;
        }
        for (const auto &[name, value] : f.headers) {
            if (name == "content-type")
                streams[blockStream].envelopes.framing = bodyFramingFor(value);
        }
    }

    Status check(Frame &f)
    {
        const auto type = FrameType(f.type);
        const std::string where = frameTypeName(f.type) + " on stream " + std::to_string(f.streamId);
        if (inBlock && (type != FrameType::Continuation || f.streamId != blockStream))
            return fail(where + " inside the header block of stream " + std::to_string(blockStream) +
                        " (CONTINUATION expected)");
        const auto *p = reinterpret_cast<const unsigned char *>(f.payload.data());
        switch (type) {
        case FrameType::Data: {
            if (f.streamId == 0)
                return fail("DATA on stream 0");
            auto body = content(f, 0);
            if (!body)
                return fail(body.error().message);
            return data(f, *body);
        }
        case FrameType::Headers:
        case FrameType::PushPromise: {
            if (f.streamId == 0)
                return fail(where);
            const bool push = type == FrameType::PushPromise;
            auto body = content(f, push ? 4 : (f.flags & flags::Priority) ? 5 : 0);
            if (!body)
                return fail(body.error().message);
            if (push)
                f.promisedStreamId = be32(p + ((f.flags & flags::Padded) ? 1 : 0)) & 0x7fffffffU;
            block.assign(*body);
            blockStream = f.streamId;
            inBlock = true;
            break;
        }
        case FrameType::Continuation:
            if (!inBlock)
                return fail("CONTINUATION on stream " + std::to_string(f.streamId) +
                            " without an open header block");
            block.append(f.payload);
            break;
        case FrameType::Priority:
            if (f.length != 5 || f.streamId == 0)
                return fail(where + " must have a 5-byte payload on a stream");
            return Ok{};
        case FrameType::RstStream:
            if (f.length != 4 || f.streamId == 0)
                return fail(where + " must have a 4-byte payload on a stream");
            f.errorCode = be32(p);
            streams.erase(f.streamId);
            return Ok{};
        case FrameType::Settings:
            if (f.streamId != 0 || f.length % 6 != 0 || ((f.flags & flags::Ack) && f.length != 0))
                return fail(where + " with a " + std::to_string(f.length) +
                            "-byte payload (stream 0, a multiple of 6, empty when ACK)");
            for (std::size_t i = 0; i < f.length; i += 6)
                f.settings.emplace_back(std::uint16_t((p[i] << 8) | p[i + 1]), be32(p + i + 2));
            return Ok{};
        case FrameType::Ping:
            if (f.streamId != 0 || f.length != 8)
                return fail(where + " must have an 8-byte payload on stream 0");
            return Ok{};
        case FrameType::GoAway:
            if (f.streamId != 0 || f.length < 8)
                return fail(where + " must have at least 8 bytes on stream 0");
            f.lastStreamId = be32(p) & 0x7fffffffU;
            f.errorCode = be32(p + 4);
            return Ok{};
        case FrameType::WindowUpdate:
            if (f.length != 4)
                return fail(where + " must have a 4-byte payload");
            f.windowIncrement = be32(p) & 0x7fffffffU;
            if (f.windowIncrement == 0)
                return fail(where + " has a zero increment");
            return Ok{};
        default:
            return Ok{}; // unknown types are passed over, as RFC 9113 requires
        }
        if (f.flags & flags::EndHeaders) {
            auto headers = inflate(block, blockStream);
            inBlock = false;
            block.clear();
            if (!headers)
                return fail(headers.error().message);
            f.headers = std::move(*headers);
            f.endsHeaderBlock = true;
            if (FrameType(f.type) == FrameType::Headers)
                noteFraming(f);
        }
        return Ok{};
    }
};

FrameDecoder::FrameDecoder(Side side)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->side = side;
    m_impl->prefaceDone = side == Side::Server;
    nghttp2_hd_inflate_new(&m_impl->inflater);
}

FrameDecoder::~FrameDecoder()
{
    nghttp2_hd_inflate_del(m_impl->inflater);
}

std::size_t FrameDecoder::pending() const
{
    return m_impl->buffer.size();
}

std::vector<GrpcMessage> FrameDecoder::takeMessages()
{
    return std::exchange(m_impl->messages, {});
}

Result<std::vector<Frame>> FrameDecoder::feed(std::string_view bytes)
{
    Impl &d = *m_impl;
    if (!d.failed.empty())
        return Error(d.failed);
    d.buffer.append(bytes);
    std::vector<Frame> frames;
    if (!d.prefaceDone) {
        const std::size_t n = std::min(d.buffer.size(), kPreface.size());
        if (d.buffer.compare(0, n, kPreface.substr(0, n)) != 0)
            return Error(d.fail("the client did not start with the HTTP/2 connection preface").error());
        if (d.buffer.size() < kPreface.size())
            return frames;
        d.buffer.erase(0, kPreface.size());
        d.prefaceDone = true;
    }
    std::size_t at = 0;
    while (d.buffer.size() - at >= kHeaderSize) {
        const auto *h = reinterpret_cast<const unsigned char *>(d.buffer.data() + at);
        Frame f;
        f.length = (std::uint32_t(h[0]) << 16) | (std::uint32_t(h[1]) << 8) | h[2];
        f.type = h[3];
        f.flags = h[4];
        f.streamId = be32(h + 5) & 0x7fffffffU;
        if (d.buffer.size() - at - kHeaderSize < f.length)
            break; // the rest of this frame has not arrived
        f.payload = d.buffer.substr(at + kHeaderSize, f.length);
        at += kHeaderSize + f.length;
        if (auto ok = d.check(f); !ok) {
            d.buffer.clear();
            return ok.error();
        }
        ++d.framesSeen;
        frames.push_back(std::move(f));
    }
    d.buffer.erase(0, at);
    return frames;
}

} // namespace rpc::wire
