// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The bytes of the web protocols, without any network: gRPC-Web and Connect envelopes, the
// gRPC-Web trailer block, base64 bodies that arrive in pieces, Connect's error and end-of-stream
// JSON, timeouts, status codes and gzip. Used by the HTTP engine (httpengine_call.cpp and
// httpengine_request.cpp) and tested on their own.

#include "rpc/result.h"
#include "rpc/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpc::internal::web {

// Envelope flags. gRPC-Web: bit 0 compressed, bit 7 the trailer block. Connect: bit 0
// compressed, bit 1 the end-of-stream message.
constexpr std::uint8_t kCompressed = 0x01;
constexpr std::uint8_t kConnectEndStream = 0x02;
constexpr std::uint8_t kGrpcWebTrailers = 0x80;

// Appends a 5-byte prefix (flags, big-endian length) and the payload.
void appendEnvelope(std::string *out, std::uint8_t flags, std::string_view payload);

// Splits a body into envelopes as its bytes arrive.
class EnvelopeReader
{
public:
    struct Frame
    {
        std::uint8_t flags = 0;
        std::string payload;
    };
    explicit EnvelopeReader(std::size_t maxPayload)
        : m_max(maxPayload)
    {}
    // Adds bytes and moves every complete envelope to `frames`. False when an envelope says it
    // is longer than the limit: then declaredSize() is its length and nothing more is read.
    bool feed(std::string_view bytes, std::vector<Frame> *frames);
    // Bytes of an envelope not yet complete.
    std::size_t pending() const { return m_buffer.size() - m_used; }
    std::uint64_t declaredSize() const { return m_declared; }

private:
    std::size_t m_max;
    std::string m_buffer;
    std::size_t m_used = 0;
    std::uint64_t m_declared = 0;
};

// Decodes standard base64 that arrives in pieces of any size, where a piece may end with its own
// padding and the next piece start anew (gRPC-Web text responses are encoded chunk by chunk).
class Base64Stream
{
public:
    // Appends the decoded bytes; false on a byte that is not base64 (its offset in errorAt()).
    bool feed(std::string_view text, std::string *out);
    // True when no partial group of four characters is left over.
    bool complete() const { return m_count == 0; }
    std::uint64_t errorAt() const { return m_offset; }

private:
    unsigned m_quad[4] = {};
    int m_count = 0;
    int m_padding = 0;
    std::uint64_t m_offset = 0;
};

// The trailer block of gRPC-Web: "name: value" lines ending in CRLF (or LF), names lowercased.
Metadata parseTrailerBlock(std::string_view block);
// grpc-message's percent-encoding undone; a broken escape stays as it is, as gRPC leaves it.
std::string decodeGrpcMessage(std::string_view text);
// The grpc-timeout value for `ms` milliseconds: at most 8 digits and a unit.
std::string grpcTimeout(std::int64_t ms);

// The gRPC code for an HTTP status where the answer carries none (gRPC's HTTP mapping, which
// Connect uses too): 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404
// UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN.
int codeFromHttpStatus(int httpStatus);
// Connect's code names ("not_found") to gRPC codes; nothing for an unknown name.
std::optional<int> codeFromConnectName(std::string_view name);

// A Connect error, as a gRPC status would carry it: `statusBytes` is a serialized
// google.rpc.Status (code, message, each detail as an Any), the bytes of grpc-status-details-bin.
struct ConnectError
{
    int code = 2;
    std::string message;
    std::string statusBytes; // empty when there are no details
};
// Parses Connect's error JSON ({"code": "...", "message": "...", "details": [{"type", "value"}]}).
// A code that is missing or unknown becomes `fallbackCode`; JSON that is not such an object is
// an error.
Result<ConnectError> parseConnectError(std::string_view json, int fallbackCode);

// Connect's end-of-stream message: the trailers, and the error if the call failed.
struct EndStream
{
    Metadata trailers; // "-bin" values decoded from base64
    std::optional<ConnectError> error;
};
Result<EndStream> parseEndStream(std::string_view json);

// A serialized google.rpc.Status.
std::string encodeRpcStatus(int code, std::string_view message,
                            const std::vector<std::pair<std::string, std::string>> &anyDetails);

// gzip (RFC 1952) through zlib.
std::string gzipCompress(std::string_view bytes);
// Inflates gzip data. Fails when it is not gzip, or would be longer than `limit` bytes (then
// `*tooLarge` is set).
Result<std::string> gzipDecompress(std::string_view bytes, std::size_t limit, bool *tooLarge);

} // namespace rpc::internal::web
