// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// HTTP/2 frames as they cross the wire (RFC 9113), with HPACK header blocks decoded (RFC 7541)
// and gRPC's length-prefixed messages reassembled from DATA frames. Value types only.
namespace rpc::wire {

enum class FrameType : std::uint8_t {
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
};

namespace flags {
constexpr std::uint8_t EndStream = 0x1; // DATA, HEADERS
constexpr std::uint8_t Ack = 0x1;       // SETTINGS, PING
constexpr std::uint8_t EndHeaders = 0x4;
constexpr std::uint8_t Padded = 0x8;
constexpr std::uint8_t Priority = 0x20;
} // namespace flags

// "DATA", "HEADERS", …; "UNKNOWN(0xfa)" for types RFC 9113 does not define.
std::string frameTypeName(std::uint8_t type);

struct Frame
{
    std::uint32_t length = 0; // payload length from the frame header
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::uint32_t streamId = 0;
    std::string payload; // as received, padding included

    // Decoded, by type:
    Metadata headers; // HEADERS / PUSH_PROMISE, on the frame that ends the block
    bool endsHeaderBlock = false;
    std::uint32_t errorCode = 0;                                   // RST_STREAM, GOAWAY
    std::uint32_t lastStreamId = 0;                                // GOAWAY
    std::uint32_t windowIncrement = 0;                             // WINDOW_UPDATE
    std::uint32_t promisedStreamId = 0;                            // PUSH_PROMISE
    std::vector<std::pair<std::uint16_t, std::uint32_t>> settings; // SETTINGS

    std::string typeName() const { return frameTypeName(type); }
    // The flags by name for this type: "END_STREAM|END_HEADERS"; unknown bits in hex.
    std::string flagNames() const;
};

// A gRPC message put together from the DATA frames of one stream.
struct GrpcMessage
{
    std::uint32_t streamId = 0;
    bool compressed = false;
    std::string bytes;          // without the 5-byte prefix
    std::size_t frames = 0;     // DATA frames that carried some of it
    std::size_t firstFrame = 0; // index (in this decoder's frame order) of the first of them
};

// How the messages of a body are enveloped, from its content-type: gRPC's 5-byte envelopes
// (flag 0 or 1); gRPC-Web's (0x80 marks the trailer block) and Connect streams' (0x02 marks the
// end-of-stream JSON), whose last envelope is no message; or none at all (Connect unary bodies,
// base64 grpc-web-text, anything else), whose bytes are not decoded.
enum class BodyFraming : std::uint8_t { Grpc, GrpcWeb, Connect, None };
BodyFraming bodyFramingFor(std::string_view contentType);

// Puts the enveloped messages of one body together as its pieces (DATA frames, HTTP/1.1 chunks)
// arrive. Shared by the HTTP/2 and the HTTP/1.1 decoder.
class EnvelopeSplitter
{
public:
    BodyFraming framing = BodyFraming::Grpc;

    // Adds the body bytes of piece number `piece` (in the decoder's order); the messages they
    // complete go to `out`, tagged with `stream`. Fails on a flag byte the framing does not
    // allow (`where` names the body in the message).
    Status add(std::string_view bytes, std::uint32_t stream, std::size_t piece, std::vector<GrpcMessage> *out,
               const std::string &where);
    // Bytes of a message not complete yet.
    std::size_t pending() const { return m_data.size(); }

private:
    std::string m_data;
    std::size_t m_pieces = 0;     // pieces that carried some of the pending message
    std::size_t m_firstPiece = 0; // the first of them
};

// Decodes one direction of one HTTP/2 connection, fed in chunks of any size. The client side
// starts with the connection preface. After an error the decoder stays failed: HTTP/2 cannot
// find the next frame boundary once one is lost.
class FrameDecoder
{
public:
    enum class Side { Client, Server };
    explicit FrameDecoder(Side side);
    ~FrameDecoder();
    FrameDecoder(const FrameDecoder &) = delete;
    FrameDecoder &operator=(const FrameDecoder &) = delete;

    // The frames these bytes complete, in order.
    Result<std::vector<Frame>> feed(std::string_view bytes);
    // gRPC messages completed so far, in order; taken once.
    std::vector<GrpcMessage> takeMessages();
    // Bytes held while waiting for the rest of a frame.
    std::size_t pending() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc::wire
