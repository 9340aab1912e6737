// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpc {

enum class MethodKind { Unary, ServerStreaming, ClientStreaming, BidiStreaming };

const char *methodKindName(MethodKind kind);

struct MethodInfo
{
    std::string fullName;    // "pkg.Service.Method"
    std::string serviceName; // "pkg.Service"
    std::string name;        // "Method"
    std::string inputType;   // "pkg.Request"
    std::string outputType;  // "pkg.Response"
    MethodKind kind = MethodKind::Unary;

    bool clientStreams() const
    {
        return kind == MethodKind::ClientStreaming || kind == MethodKind::BidiStreaming;
    }
    bool serverStreams() const
    {
        return kind == MethodKind::ServerStreaming || kind == MethodKind::BidiStreaming;
    }
    // The HTTP/2 :path, "/pkg.Service/Method".
    std::string path() const { return '/' + serviceName + '/' + name; }
};

struct ServiceInfo
{
    std::string fullName;
    std::string file; // the .proto file that declares it
    std::vector<MethodInfo> methods;
};

// Request or response metadata in order. Keys ending in "-bin" carry raw bytes as values.
using Metadata = std::vector<std::pair<std::string, std::string>>;

// Why a request header cannot be sent as it is, or an empty string when it can. gRPC core
// aborts the process on a header it considers invalid, so everything that reaches it is checked
// here first. `name` must already be lowercase (HTTP/2 sends lowercase names). The rules: a name
// of 0-9 a-z - _ . only; not a pseudo-header, not one gRPC or HTTP/2 reserves (grpc-*,
// content-type, te, connection-specific headers), since gRPC drops or misreads them; a value of
// printable ASCII (0x20-0x7E) unless the name ends in "-bin", whose value is raw bytes.
// The text names the header and, for a bad byte, its position and value.
std::string headerProblem(std::string_view name, std::string_view value);
// The first problem of `metadata` (see headerProblem), or an empty string.
std::string metadataProblem(const Metadata &metadata);
// Why `target` cannot be reached as written (empty when it can), before gRPC guesses: a port
// outside 1-65535 (gRPC would wrap 99999 around to another port), an empty port, an empty unix
// socket path, bytes that are not printable ASCII. Forms: host:port, [v6]:port, dns:[//auth/]host:port,
// ipv4:/ipv6: lists, unix:PATH, unix-abstract:NAME; other schemes are left to gRPC.
std::string targetProblem(std::string_view target);
// Why `authority` cannot be the :authority of a request (empty when it can): a host[:port] of
// printable ASCII without spaces.
std::string authorityProblem(std::string_view authority);

// How a call goes over the wire. Grpc is gRPC's own engine (HTTP/2); the others go through the
// engine's HTTP client (libcurl): gRPC-Web with binary bodies (application/grpc-web+proto), its
// base64 variant (application/grpc-web-text, requests and responses in base64), and the Connect
// protocol (unary calls as plain HTTP requests, streams as enveloped messages).
enum class Protocol { Grpc, GrpcWeb, GrpcWebText, Connect };
// "grpc", "grpcweb", "grpcweb-text", "connect".
const char *protocolName(Protocol protocol);
// The HTTP version of a call of a web protocol. Default: HTTP/1.1 without TLS, and on TLS what
// ALPN agrees (HTTP/2 offered first). Http2 without TLS is HTTP/2 with prior knowledge (h2c).
// gRPC itself always speaks HTTP/2.
enum class HttpVersion { Default, Http1, Http2 };
// How Connect encodes messages: protobuf binary (application/proto) or JSON (application/json).
// gRPC and gRPC-Web always send protobuf binary here.
enum class ContentCodec { Proto, Json };

// How to reach a server. Two calls with equal options share one channel.
struct ChannelOptions
{
    std::string target;      // "host:port", "unix:/path" or any gRPC target URI
    bool plaintext = true;   // false: TLS
    std::string caFile;      // PEM roots; empty: the system roots
    std::string certFile;    // PEM client certificate (mTLS)
    std::string keyFile;     // PEM client key (mTLS)
    bool skipVerify = false; // TLS without verifying the server: insecure
    std::string authority;   // :authority override
    std::string serverName;  // name checked against the server certificate
    int maxReceiveBytes = 0; // 0: gRPC's default (4 MiB)
    int maxSendBytes = 0;    // 0: unlimited
    int keepaliveTimeMs = 0; // 0: no keepalive pings
    bool gzip = false;       // compress requests with gzip
    int connectTimeoutMs = 10000;
    std::string userAgent; // put before gRPC's own user-agent, e.g. "wirescope-cli/0.1.0"
    // Set by wire::routeThroughTap: the server's own address. `target` is then the tap's, and
    // status messages name this address instead.
    std::string tappedTarget;
    // The HTTP CONNECT proxy: empty, the environment's (grpc_proxy, https_proxy, http_proxy,
    // no_proxy, as gRPC reads them); "none" (rpc::kNoProxy), no proxy; or a URL,
    // "http://[user:password@]host:port". rpc/proxy.h has the rules.
    std::string proxy;

    // A stable key: equal options give equal keys.
    std::string cacheKey() const;
};

enum class PayloadFormat { Json, Text };

struct CodecOptions
{
    PayloadFormat format = PayloadFormat::Json;
    bool emitDefaults = false;       // print fields that hold their default value
    bool originalNames = false;      // print proto field names instead of lowerCamelCase
    bool allowUnknownFields = false; // accept (and drop) JSON fields the schema does not know
    bool pretty = true;              // indented output
};

// The final status of a call, with google.rpc.Status details decoded where present.
struct RpcStatus
{
    int code = 0;
    std::string message;
    std::vector<std::string> details; // each detail as JSON ({"@type": ..., ...})
    std::string rawDetails;           // grpc-status-details-bin, undecoded
    bool local = false;               // produced by Wirescope, not by the server
    // UNAVAILABLE before any connection to the server was up (refused, unreachable, a TLS or
    // HTTP/2 handshake that failed, the connect timeout): grpcurl's "Failed to dial target host".
    bool connectFailed = false;

    bool ok() const { return code == 0; }
};

// "OK", "NOT_FOUND", ... as in google.rpc.Code; "CODE(n)" for others.
std::string statusCodeName(int code);
// grpcurl's spelling: "OK", "NotFound", ...
std::string statusCodeCamelName(int code);

enum class EventKind {
    Started,         // the call was created; `metadata` is the request metadata
    MessageSent,     // one request message was written
    HalfClosed,      // the client finished sending
    ResponseHeaders, // `metadata` holds the response headers
    MessageReceived, // one response message; `payload` holds it decoded
    Finished,        // `metadata` holds the trailers, `status` the outcome
};

enum class Direction { Outbound, Inbound, Local };

const char *eventKindName(EventKind kind);

// Everything the engine reports. Values only: safe to carry to any thread.
struct CallEvent
{
    std::uint64_t callId = 0;
    MethodKind callKind = MethodKind::Unary;
    EventKind kind = EventKind::Started;
    Direction direction = Direction::Local;
    std::int64_t timeNs = 0;        // steady clock, nanoseconds
    std::size_t wireSize = 0;       // serialized message bytes (without the 5-byte gRPC prefix)
    std::uint64_t index = 0;        // 0-based number of the message in its direction; on
                                    // Finished, the number of messages received
    std::uint64_t messagesSent = 0; // on Finished: the number of request messages sent
    std::string payload;            // message as JSON or text format
    std::string raw;                // message bytes, when the request asked to keep them
    std::string error;              // a message that could not be decoded says why here
    bool undecoded = false;         // MessageReceived left for the consumer to decode (`raw`)
    Metadata metadata;
    RpcStatus status;
};

// Monotonic time in nanoseconds, the clock of CallEvent::timeNs.
inline std::int64_t monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace rpc

namespace rpc {
// Versions of the libraries the engine was built with, for --version.
std::string grpcVersion();
std::string protobufVersion();

// A library the engine is built on, for the About box: its name, the version it runs with (empty
// where the library does not say), its licence as an SPDX expression, and what it does here.
struct LibraryInfo
{
    std::string name;
    std::string version;
    std::string licence;
    std::string purpose;
};
// The engine's libraries (gRPC and what it brings, protobuf, nghttp2, OpenSSL, libcurl), in that order.
std::vector<LibraryInfo> engineLibraries();
// gRPC prints its own errors (failed TLS handshakes, say) to stderr; the engine already
// reports each of them in the call's status. Off keeps a command line's stderr for results.
void setLibraryLogging(bool on);
} // namespace rpc
