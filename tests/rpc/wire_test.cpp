// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP/2 frame decoder on byte vectors built by the rules of RFC 9113 (framing) and the
// examples of RFC 7541 appendix C (HPACK), fed whole and byte by byte, and on malformed input.
#include "rpc/wire.h"

#include <gtest/gtest.h>

#include <string>

using rpc::wire::Frame;
using rpc::wire::FrameDecoder;

namespace {

std::string fromHex(std::string_view hex)
{
    std::string out;
    int hi = -1;
    for (char c : hex) {
        const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out += char(hi * 16 + v);
            hi = -1;
        }
    }
    return out;
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, const std::string &payload)
{
    std::string f;
    const auto n = static_cast<std::uint32_t>(payload.size());
    f += char(n >> 16);
    f += char(n >> 8);
    f += char(n);
    f += char(type);
    f += char(flags);
    f += char(stream >> 24);
    f += char(stream >> 16);
    f += char(stream >> 8);
    f += char(stream);
    return f + payload;
}

std::string grpcMessage(const std::string &bytes)
{
    std::string m(1, '\0');
    const auto n = static_cast<std::uint32_t>(bytes.size());
    m += char(n >> 24);
    m += char(n >> 16);
    m += char(n >> 8);
    m += char(n);
    return m + bytes;
}

const std::string kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Feeds everything, one byte at a time when asked, and returns every frame.
std::vector<Frame> decode(FrameDecoder &d, const std::string &bytes, bool byteByByte = false)
{
    std::vector<Frame> all;
    if (!byteByByte) {
        auto r = d.feed(bytes);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? std::move(*r) : all;
    }
    for (char c : bytes) {
        auto r = d.feed(std::string_view(&c, 1));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        if (!r.ok())
            break;
        for (auto &f : *r)
            all.push_back(std::move(f));
    }
    return all;
}

std::string error(FrameDecoder &d, const std::string &bytes)
{
    auto r = d.feed(bytes);
    return r.ok() ? std::string("no error") : r.error().message;
}

rpc::Metadata md(std::initializer_list<std::pair<std::string, std::string>> l)
{
    return rpc::Metadata(l);
}

} // namespace

// RFC 7541 C.3: three requests on one connection without Huffman coding; the dynamic table
// carries over from block to block. C.4 is the first of them with Huffman coding.
TEST(Wire, HpackExamplesOfRfc7541)
{
    for (bool byteByByte : {false, true}) {
        FrameDecoder d(FrameDecoder::Side::Client);
        const std::string bytes =
            kPreface + frame(0x1, 0x4, 1, fromHex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")) +
            frame(0x1, 0x4, 3, fromHex("8286 84be 5808 6e6f 2d63 6163 6865")) +
            frame(0x1, 0x4, 5,
                  fromHex("8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"));
        auto frames = decode(d, bytes, byteByByte);
        ASSERT_EQ(frames.size(), 3u);
        EXPECT_EQ(
            frames[0].headers,
            md({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}));
        EXPECT_EQ(frames[1].headers, md({{":method", "GET"},
                                         {":scheme", "http"},
                                         {":path", "/"},
                                         {":authority", "www.example.com"},
                                         {"cache-control", "no-cache"}}));
        EXPECT_EQ(frames[2].headers, md({{":method", "GET"},
                                         {":scheme", "https"},
                                         {":path", "/index.html"},
                                         {":authority", "www.example.com"},
                                         {"custom-key", "custom-value"}}));
        EXPECT_EQ(frames[2].streamId, 5u);
        EXPECT_EQ(frames[2].flagNames(), "END_HEADERS");
        EXPECT_EQ(d.pending(), 0u);
    }
    FrameDecoder huffman(FrameDecoder::Side::Server);
    auto frames = decode(huffman, frame(0x1, 0x5, 1, fromHex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")));
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].headers[3],
              std::make_pair(std::string(":authority"), std::string("www.example.com")));
    EXPECT_EQ(frames[0].flagNames(), "END_STREAM|END_HEADERS");
}

TEST(Wire, HeaderBlockSplitOverContinuation)
{
    FrameDecoder d(FrameDecoder::Side::Server);
    const std::string block = fromHex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
    auto frames = decode(d, frame(0x1, 0x0, 1, block.substr(0, 4)) + frame(0x9, 0x0, 1, block.substr(4, 6)) +
                                frame(0x9, 0x4, 1, block.substr(10)));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_TRUE(frames[0].headers.empty());
    EXPECT_FALSE(frames[1].endsHeaderBlock);
    EXPECT_TRUE(frames[2].endsHeaderBlock);
    EXPECT_EQ(frames[2].headers.size(), 4u);
    EXPECT_EQ(frames[2].typeName(), "CONTINUATION");
}

TEST(Wire, ConnectionFramesAreDecoded)
{
    FrameDecoder d(FrameDecoder::Side::Server);
    const std::string settings = fromHex("0003 0000 0064 0004 0001 0000"); // MAX_CONCURRENT 100, WINDOW 65536
    auto frames = decode(
        d,
        frame(0x4, 0x0, 0, settings) + frame(0x4, 0x1, 0, "") + frame(0x6, 0x0, 0, std::string(8, '\x07')) +
            frame(0x8, 0x0, 0, fromHex("0000 1000")) + frame(0x3, 0x0, 3, fromHex("0000 0008")) +
            frame(0x7, 0x0, 0, fromHex("0000 0005 0000 0000") + "bye") +
            frame(0x2, 0x0, 3, fromHex("0000 0001 10")) + frame(0xfa, 0x3, 0, "ext"),
        true);
    ASSERT_EQ(frames.size(), 8u);
    EXPECT_EQ(frames[0].settings,
              (std::vector<std::pair<std::uint16_t, std::uint32_t>>{{3, 100}, {4, 65536}}));
    EXPECT_EQ(frames[1].flagNames(), "ACK");
    EXPECT_EQ(frames[2].typeName(), "PING");
    EXPECT_EQ(frames[3].windowIncrement, 4096u);
    EXPECT_EQ(frames[4].errorCode, 8u); // CANCEL
    EXPECT_EQ(frames[5].lastStreamId, 5u);
    EXPECT_EQ(frames[6].typeName(), "PRIORITY");
    EXPECT_EQ(frames[7].typeName(), "UNKNOWN(0xfa)"); // passed over, not an error
    EXPECT_EQ(frames[7].flagNames(), "0x03");
}

TEST(Wire, GrpcMessagesAreReassembledAcrossDataFrames)
{
    FrameDecoder d(FrameDecoder::Side::Server);
    const std::string one = grpcMessage("first message");
    const std::string two = grpcMessage(std::string(300, 'x'));
    const std::string three = grpcMessage("");
    // One message over two frames (the second padded), then two in one frame.
    std::string padded(1, '\x03');
    padded += one.substr(7) + std::string(3, '\0');
    auto frames = decode(d, frame(0x0, 0x0, 1, one.substr(0, 7)) + frame(0x0, 0x8, 1, padded) +
                                frame(0x0, 0x1, 1, two + three));
    ASSERT_EQ(frames.size(), 3u);
    const auto messages = d.takeMessages();
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0].bytes, "first message");
    EXPECT_EQ(messages[0].frames, 2u);
    EXPECT_EQ(messages[0].firstFrame, 0u);
    EXPECT_EQ(messages[1].bytes, std::string(300, 'x'));
    EXPECT_EQ(messages[1].frames, 1u);
    EXPECT_EQ(messages[1].firstFrame, 2u);
    EXPECT_EQ(messages[2].bytes, "");
    EXPECT_TRUE(d.takeMessages().empty());
}

TEST(Wire, MalformedInputGivesErrorsNeverACrash)
{
    auto fresh = [] { return std::make_unique<FrameDecoder>(FrameDecoder::Side::Server); };
    EXPECT_NE(error(*fresh(), frame(0x4, 0x0, 0, "12345")).find("multiple of 6"), std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x4, 0x1, 0, "123456")).find("SETTINGS"), std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x6, 0x0, 1, std::string(8, 'p'))).find("PING on stream 1"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x8, 0x0, 0, std::string(4, '\0'))).find("zero increment"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x3, 0x0, 0, std::string(4, '\0'))).find("RST_STREAM"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x0, 0x8, 1, std::string(1, '\x09') + "abc")).find("padding"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x0, 0x0, 0, "x")).find("DATA on stream 0"), std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x9, 0x4, 1, "")).find("without an open header block"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x1, 0x0, 1, "") + frame(0x0, 0x0, 1, "")).find("CONTINUATION expected"),
              std::string::npos);
    // Index 62 with an empty dynamic table does not exist.
    EXPECT_NE(error(*fresh(), frame(0x1, 0x4, 1, fromHex("be"))).find("bad HPACK block on stream 1"),
              std::string::npos);
    // A header block cut in the middle of a literal.
    EXPECT_NE(error(*fresh(), frame(0x1, 0x4, 1, fromHex("4108 7777"))).find("HPACK"), std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x0, 0x1, 1, grpcMessage("abc").substr(0, 6))).find("ended inside"),
              std::string::npos);
    EXPECT_NE(error(*fresh(), frame(0x0, 0x0, 1, std::string(1, '\x05') + "xxxx")).find("compressed flag"),
              std::string::npos);

    FrameDecoder client(FrameDecoder::Side::Client);
    EXPECT_NE(error(client, "GET / HTTP/1.1\r\n").find("connection preface"), std::string::npos);
    EXPECT_NE(error(client, kPreface).find("connection preface"), std::string::npos); // stays failed

    // A truncated frame is not an error: the decoder waits for the rest.
    auto d = fresh();
    auto partial = d->feed(frame(0x6, 0x0, 0, std::string(8, 'p')).substr(0, 12));
    ASSERT_TRUE(partial.ok());
    EXPECT_TRUE(partial->empty());
    EXPECT_EQ(d->pending(), 12u);

    // Every prefix of a valid stream, followed by garbage, ends in frames or an error.
    const std::string valid =
        frame(0x4, 0, 0, "") +
        frame(0x1, 0x4, 1, fromHex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")) +
        frame(0x0, 0x1, 1, grpcMessage("payload"));
    for (std::size_t cut = 0; cut <= valid.size(); ++cut) {
        FrameDecoder f(FrameDecoder::Side::Server);
        (void)f.feed(valid.substr(0, cut) + std::string("\xff\xff\xff\x01\x04\x00\x00\x00\x01garbage", 16));
    }
}

// gRPC-Web and Connect over HTTP/2: the envelope that ends a stream (gRPC-Web's trailer block,
// flag 0x80; Connect's end-of-stream JSON, flag 0x02) is no message, and bodies that are not
// enveloped (a Connect unary call, base64 gRPC-Web text) are passed over, not misread.
TEST(Wire, WebProtocolsFrameTheirStreamsByContentType)
{
    // A header block of one literal field (RFC 7541 6.2.2, new name, no Huffman coding).
    auto contentType = [](const std::string &value) {
        const std::string name = "content-type";
        return std::string(1, '\0') + char(name.size()) + name + char(value.size()) + value;
    };
    auto flagged = [](char flags, const std::string &bytes) { return std::string(1, flags) + grpcMessage(bytes).substr(1); };
    FrameDecoder d(FrameDecoder::Side::Server);
    decode(d, frame(0x1, 0x4, 1, contentType("application/grpc-web+proto")) +
                  frame(0x0, 0x0, 1, grpcMessage("reply") + flagged('\x80', "grpc-status:0\r\n")) +
                  frame(0x0, 0x1, 1, ""));
    decode(d, frame(0x1, 0x4, 3, contentType("application/connect+proto")) +
                  frame(0x0, 0x1, 3, flagged('\x01', "zipped") + flagged('\x02', "{}")));
    decode(d, frame(0x1, 0x4, 5, contentType("application/proto")) + frame(0x0, 0x1, 5, "\x0a\x03raw"));
    decode(d, frame(0x1, 0x4, 7, contentType("application/grpc-web-text+proto")) + frame(0x0, 0x1, 7, "AAAAAAA="));
    const auto messages = d.takeMessages();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].streamId, 1u);
    EXPECT_EQ(messages[0].bytes, "reply");
    EXPECT_EQ(messages[1].streamId, 3u);
    EXPECT_EQ(messages[1].bytes, "zipped");
    EXPECT_TRUE(messages[1].compressed);
    // gRPC itself has no such flags.
    FrameDecoder grpc(FrameDecoder::Side::Server);
    EXPECT_NE(error(grpc, frame(0x1, 0x4, 1, contentType("application/grpc")) +
                              frame(0x0, 0x1, 1, flagged('\x80', "x"))).find("compressed flag 128"),
              std::string::npos);
}
