// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"
#include "rpc/wire.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// HTTP/1.1 messages as they cross the wire (RFC 9112): heads, and bodies delimited by
// Content-Length, by chunked transfer coding or by the connection's end, with the enveloped
// messages of gRPC-Web and Connect put together from the body. Value types only.
namespace rpc::wire {

// One piece of an HTTP/1.1 connection, in the order it arrived.
struct Http1Part
{
    enum class Kind : std::uint8_t {
        Head,  // a request or response head
        Chunk, // one chunk of a chunked body, complete with its CRLF
        Body,  // body bytes as they arrived (a Content-Length body or one ended by the close)
        End,   // the last chunk of a chunked body, with its trailers; or the close that ends a body
    };
    Kind kind = Kind::Head;
    std::uint32_t exchange = 0; // 1 for the connection's first request and its response, 2, …
    // Head: bytes of the head; Chunk: the size its size line gave; Body: bytes in this piece.
    std::uint64_t size = 0;
    std::string startLine;    // Head: "POST /pkg.Svc/Method HTTP/1.1", "HTTP/1.1 200 OK"
    Metadata headers;         // Head: its header fields; End: a chunked body's trailers. Names lowercase.
    bool interim = false;     // Head: a 1xx response; the final head of the exchange follows
    bool endsMessage = false; // the request or response is complete with this part
    std::vector<GrpcMessage> messages; // enveloped messages this part completed (streamId: exchange)

    // "HEAD", "CHUNK", "BODY", "END".
    static std::string kindName(Kind kind);
};

// Decodes one direction of one HTTP/1.1 connection, fed in pieces of any size. After an error
// the decoder stays failed: once a length is wrong nothing says where the next message starts.
class Http1Decoder
{
public:
    enum class Side { Client, Server }; // who sends what this decoder reads
    explicit Http1Decoder(Side side);
    ~Http1Decoder();
    Http1Decoder(const Http1Decoder &) = delete;
    Http1Decoder &operator=(const Http1Decoder &) = delete;

    // What some bytes gave: the parts they completed, in order, and when what follows them is
    // malformed, why (what and where; the parts before it are still given).
    struct Decoded
    {
        std::vector<Http1Part> parts;
        std::string error; // empty: no error
    };
    Decoded feed(std::string_view bytes);
    // The sender closed its side: a body that runs to the close ends here; a message cut short
    // (inside a head, a chunk, or before its Content-Length) is an error.
    Decoded finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc::wire
