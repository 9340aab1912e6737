// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP/1.1 decoder of the wire tap on byte strings written by the rules of RFC 9112: heads,
// Content-Length, chunked and close-delimited bodies with the envelopes of gRPC-Web and Connect
// inside, fed whole and byte by byte, and malformed input from a server.
#include "rpc/http1wire.h"

#include <gtest/gtest.h>

#include <string>

using rpc::wire::Http1Decoder;
using rpc::wire::Http1Part;
using Kind = rpc::wire::Http1Part::Kind;

namespace {

std::string envelope(std::uint8_t flags, const std::string &payload)
{
    std::string m(1, char(flags));
    const auto n = static_cast<std::uint32_t>(payload.size());
    m += char(n >> 24);
    m += char(n >> 16);
    m += char(n >> 8);
    m += char(n);
    return m + payload;
}

std::string chunk(const std::string &bytes)
{
    char size[16];
    std::snprintf(size, sizeof size, "%zx", bytes.size());
    return std::string(size) + "\r\n" + bytes + "\r\n";
}

std::vector<Http1Part> decode(Http1Decoder &d, const std::string &bytes, bool byteByByte)
{
    std::vector<Http1Part> all;
    for (std::size_t at = 0; at < bytes.size(); at += byteByByte ? 1 : bytes.size()) {
        auto r = d.feed(std::string_view(bytes).substr(at, byteByByte ? 1 : bytes.size()));
        EXPECT_EQ(r.error, "");
        for (auto &p : r.parts)
            all.push_back(std::move(p));
        if (!r.error.empty())
            break;
    }
    return all;
}

// The error the decoder gives for `bytes` followed by the connection's end.
std::string errorOf(Http1Decoder::Side side, const std::string &bytes)
{
    Http1Decoder d(side);
    auto r = d.feed(bytes);
    if (!r.error.empty())
        return r.error;
    auto end = d.finish();
    return end.error.empty() ? std::string("no error") : end.error;
}

const std::string kRequest = "POST /prefix/api/wirescope.testing.TestService/ServerStream HTTP/1.1\r\n"
                             "Host: 127.0.0.1:8080\r\n"
                             "Content-Type: application/connect+proto\r\n"
                             "Content-Length: 12\r\n"
                             "\r\n";

} // namespace

TEST(Http1Wire, ARequestWithContentLengthAndItsEnvelopes)
{
    for (bool byteByByte : {false, true}) {
        Http1Decoder d(Http1Decoder::Side::Client);
        const auto parts = decode(d, kRequest + envelope(0, "\x0a\x05hello"), byteByByte);
        ASSERT_GE(parts.size(), 2u);
        EXPECT_EQ(parts[0].kind, Kind::Head);
        EXPECT_EQ(parts[0].exchange, 1u);
        EXPECT_EQ(parts[0].startLine, "POST /prefix/api/wirescope.testing.TestService/ServerStream HTTP/1.1");
        EXPECT_EQ(parts[0].size, kRequest.size());
        EXPECT_EQ(parts[0].headers, rpc::Metadata({{"host", "127.0.0.1:8080"},
                                                   {"content-type", "application/connect+proto"},
                                                   {"content-length", "12"}}));
        EXPECT_FALSE(parts[0].endsMessage);
        // The body as it arrived: one piece, or twelve.
        std::size_t bytes = 0, messages = 0;
        for (std::size_t i = 1; i < parts.size(); ++i) {
            EXPECT_EQ(parts[i].kind, Kind::Body);
            bytes += parts[i].size;
            messages += parts[i].messages.size();
            EXPECT_EQ(parts[i].endsMessage, i + 1 == parts.size());
        }
        EXPECT_EQ(parts.size(), byteByByte ? 13u : 2u);
        EXPECT_EQ(bytes, 12u);
        ASSERT_EQ(messages, 1u);
        EXPECT_EQ(parts.back().messages[0].bytes, "\x0a\x05hello");
        EXPECT_EQ(parts.back().messages[0].frames, byteByByte ? 12u : 1u);
        auto end = d.finish();
        EXPECT_EQ(end.error, "");
        EXPECT_TRUE(end.parts.empty());
    }
}

TEST(Http1Wire, AChunkedResponseGivesEachChunkWithItsSizeAndTheTrailers)
{
    const std::string head = "HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n"
                             "transfer-encoding: chunked\r\n\r\n";
    const std::string first = envelope(0, "one");
    const std::string second = envelope(0, "second") + envelope(0x80, "grpc-status: 0\r\n");
    const std::string bytes = head + chunk(first) + chunk(second) + "0\r\nx-trailer: done\r\n\r\n";
    for (bool byteByByte : {false, true}) {
        Http1Decoder d(Http1Decoder::Side::Server);
        const auto parts = decode(d, bytes, byteByByte);
        ASSERT_EQ(parts.size(), 4u);
        EXPECT_EQ(parts[0].kind, Kind::Head);
        EXPECT_EQ(parts[0].startLine, "HTTP/1.1 200 OK");
        EXPECT_EQ(parts[1].kind, Kind::Chunk);
        EXPECT_EQ(parts[1].size, first.size());
        ASSERT_EQ(parts[1].messages.size(), 1u);
        EXPECT_EQ(parts[1].messages[0].bytes, "one");
        EXPECT_EQ(parts[1].messages[0].streamId, 1u); // the exchange
        EXPECT_EQ(parts[2].kind, Kind::Chunk);
        EXPECT_EQ(parts[2].size, second.size());
        ASSERT_EQ(parts[2].messages.size(), 1u); // the trailer block is no message
        EXPECT_EQ(parts[2].messages[0].bytes, "second");
        EXPECT_EQ(parts[3].kind, Kind::End);
        EXPECT_TRUE(parts[3].endsMessage);
        EXPECT_EQ(parts[3].headers, rpc::Metadata({{"x-trailer", "done"}}));
    }
}

TEST(Http1Wire, InterimHeadsPipelinedExchangesAndABodyThatRunsToTheClose)
{
    Http1Decoder d(Http1Decoder::Side::Server);
    const auto parts = decode(d,
                              "HTTP/1.1 100 Continue\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                              "HTTP/1.1 204 No Content\r\n\r\n"
                              "HTTP/1.0 200 OK\r\ncontent-type: application/connect+json\r\n\r\n" +
                                  envelope(0, "{}"),
                              false);
    ASSERT_EQ(parts.size(), 6u);
    EXPECT_TRUE(parts[0].interim);
    EXPECT_EQ(parts[0].exchange, 1u);
    EXPECT_EQ(parts[1].exchange, 1u);
    EXPECT_FALSE(parts[1].interim);
    EXPECT_EQ(parts[2].kind, Kind::Body);
    EXPECT_TRUE(parts[2].endsMessage);
    EXPECT_EQ(parts[3].exchange, 2u);
    EXPECT_TRUE(parts[3].endsMessage); // 204: no body
    EXPECT_EQ(parts[4].exchange, 3u);
    EXPECT_EQ(parts[5].kind, Kind::Body);
    EXPECT_EQ(parts[5].messages.size(), 1u);
    EXPECT_FALSE(parts[5].endsMessage);
    auto end = d.finish();
    ASSERT_EQ(end.error, "");
    ASSERT_EQ(end.parts.size(), 1u);
    EXPECT_EQ(end.parts.front().kind, Kind::End);
    EXPECT_TRUE(end.parts.front().endsMessage);
    // A request without a length has no body; the next one is exchange 2.
    Http1Decoder client(Http1Decoder::Side::Client);
    const auto requests =
        decode(client, "GET / HTTP/1.1\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", false);
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_TRUE(requests[0].endsMessage);
    EXPECT_EQ(requests[1].exchange, 2u);
    EXPECT_EQ(requests[1].startLine, "GET /b HTTP/1.1");
}

// What a broken server sends: each is an error that says what is wrong, and the decoder stays
// failed.
TEST(Http1Wire, MalformedInputIsAnErrorThatSaysWhat)
{
    using Side = Http1Decoder::Side;
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"HTTP/1.1 OK\r\n\r\n", "response 1 does not start with HTTP/1.x CODE REASON: \"HTTP/1.1 OK\""},
        {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "does not start with HTTP/1.x CODE REASON: \"SSH-2.0-OpenSSH_9.2\""},
        {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
         "header line that is not NAME: VALUE: \"no colon here\""},
        {"HTTP/1.1 200 OK\r\nx-a: 1\r\n folded\r\n\r\n", "folds a header line"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "not one length in digits"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not one length in digits"},
        // Found by wire_fuzz: an empty value threw out of std::stoull and ended the process.
        {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "gives an empty content-length"},
        {"HTTP/1.1 200 OK\r\nContent-Length:   \r\nContent-Length: 5\r\n\r\n", "gives an empty content-length"},
        {chunked + "zz\r\n", "has the size line \"zz\", not a hexadecimal size"},
        // The size says 3, but 10 bytes come before the CRLF: the size lied.
        {chunked + "3\r\n0123456789\r\n", "said 3 bytes, but \"3456789\\x0d\\x0a\" follows them"},
        // The size says 32 and the connection ends after 5.
        {chunked + "20\r\nhello",
         "the connection closed inside a chunk of the response of exchange 1: 5 of its 32 bytes arrived"},
        {chunked + "5\r\nhello\r\n",
         "closed inside the chunked body of the response of exchange 1, before its last chunk"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "closed after 3 of the 10 body bytes"},
        {"HTTP/1.1 200 OK\r\nContent-Ty",
         "the connection closed inside a response head (27 bytes of it arrived)"},
        {"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\ncontent-length: 6\r\n\r\n" +
             envelope(0, "ab").substr(0, 6),
         "the response of exchange 1 ended inside a message (6 bytes left)"},
        {"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web\r\ncontent-length: 5\r\n\r\n" +
             envelope(7, ""),
         "compressed flag 7"},
        {std::string(70 * 1024, 'x'), "a response head is longer than 64 KiB"},
    };
    for (const auto &[bytes, expected] : cases) {
        const std::string error = errorOf(Side::Server, bytes);
        EXPECT_NE(error.find(expected), std::string::npos) << error << "\n  for: " << bytes.substr(0, 80);
    }
    EXPECT_NE(
        errorOf(Side::Client, "POST\r\n\r\n").find("request 1 does not start with METHOD TARGET HTTP/1.x"),
        std::string::npos);
    Http1Decoder d(Side::Server);
    EXPECT_NE(d.feed("HTTP/2 200\r\n\r\n").error, "");
    auto again = d.feed("HTTP/1.1 200 OK\r\n\r\n");
    EXPECT_TRUE(again.parts.empty());
    EXPECT_NE(again.error.find("HTTP/2 200"), std::string::npos);
    // What came before the error in the same bytes is still given.
    Http1Decoder lying(Side::Server);
    const auto both = lying.feed(chunked + "3\r\n0123456789\r\n");
    ASSERT_EQ(both.parts.size(), 1u);
    EXPECT_EQ(both.parts[0].startLine, "HTTP/1.1 200 OK");
    EXPECT_NE(both.error.find("said 3 bytes"), std::string::npos);
}
