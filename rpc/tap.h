// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"
#include "rpc/http1wire.h"
#include "rpc/proxy.h"
#include "rpc/result.h"
#include "rpc/wire.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rpc::wire {

enum class WireDirection { ClientToServer, ServerToClient };

// One frame (HTTP/2) or part (HTTP/1.1: a head, a chunk, body bytes) seen by the tap, or the
// end of a connection.
struct WireEvent
{
    enum class Kind { Frame, Closed, Error, Http1 };
    Kind kind = Kind::Frame;
    std::uint64_t connection = 0; // 1, 2, … in the order the tap accepted them
    WireDirection direction = WireDirection::ClientToServer;
    std::int64_t timeNs = 0; // rpc::monotonicNs() when the bytes that completed it arrived
    Frame frame;
    Http1Part http1;                   // Http1: the part (its messages are in `messages`)
    std::vector<GrpcMessage> messages; // gRPC messages this frame or part completed
    // Error: why decoding stopped (bytes still pass through), or, with `connecting`, why the
    // server could not be reached (the client's connection was closed). Closed: how the
    // connection ended when one side broke it off ("the server reset the connection").
    std::string error;
    bool connecting = false;
};

// How the tap reaches a TLS server. The client talks plaintext to the tap; the tap makes the TLS
// connection itself (ALPN h2, or http/1.1 for an HTTP/1.1 tap), so what it decodes is the same
// either way.
struct TapTls
{
    bool enabled = false;
    std::string caFile;      // PEM roots; empty: the system roots
    std::string certFile;    // client certificate (mTLS)
    std::string keyFile;     // client key (mTLS)
    std::string serverName;  // SNI and the name checked; empty: the upstream's host
    bool skipVerify = false; // accept any server certificate: insecure
};

// Where and how a tap reaches its server.
struct TapUpstream
{
    std::string target; // as a channel takes it: host:port, dns:///…, unix:PATH, unix-abstract:NAME
    TapTls tls;
    std::optional<ProxyRoute> proxy; // the tap makes the HTTP CONNECT through this proxy itself
    // The limit for each of connecting (to the proxy or the server), the proxy's answer and the
    // TLS handshake; 0 or less: 60 s, so that a silent server never holds the tap for good.
    int connectTimeoutMs = 10000;
    // The connections speak HTTP/1.1 (web calls over HTTP/1.1), not HTTP/2: the tap decodes
    // heads and bodies, and asks a TLS server for http/1.1 by ALPN.
    bool http1 = false;

    // Equal keys: one tap serves both.
    std::string key() const;
};

// The TLS settings a tap needs to reach the server of `channel` as the channel itself would:
// its CA, client certificate, skip-verify, and the server name (or, as gRPC does, the host of
// an overridden :authority). Disabled for plaintext channels.
TapTls tapTlsFor(const ChannelOptions &channel);
// Everything a tap needs to reach the server of `channel` as the channel would: its target,
// TLS settings, connect timeout and the proxy it would go through (rpc::proxyFor). Fails on
// a proxy setting or variable that does not parse.
Result<TapUpstream> tapUpstreamFor(const ChannelOptions &channel);
// Points `channel` at a tap listening on `tapAddress`: plaintext and no proxy to the tap (the
// tap holds the TLS settings and makes the proxy's CONNECT), and the :authority the server
// would have seen (the target's, as gRPC makes it, unless one is set); the server's address is
// kept as tappedTarget, for messages.
void routeThroughTap(ChannelOptions &channel, const std::string &tapAddress);
// The tap a call needs. For gRPC, tapUpstreamFor(request.channel). For a web call (gRPC-Web,
// Connect) a URL target is the server's host:port with TLS from its scheme, and the tap speaks
// HTTP/1.1 when the call does (HttpVersion::Http1, or the default without TLS); otherwise
// HTTP/2 (the default with TLS goes as HTTP/2: the tap offers only h2 then).
Result<TapUpstream> tapUpstreamFor(const CallRequest &request);
// Points `request` at the tap on `tapAddress` made for tapUpstreamFor(request): a web call keeps
// its URL's path prefix and speaks the tap's HTTP version to it (h2c with prior knowledge for
// HTTP/2); messages still name the server as the user gave it.
void routeThroughTap(CallRequest &request, const std::string &tapAddress);

// A local relay between a client and an HTTP/2 (or, with TapUpstream::http1, HTTP/1.1) server:
// it listens on 127.0.0.1, connects each accepted connection to the upstream (TCP or a unix
// socket, through an HTTP CONNECT proxy and over TLS when asked), passes the bytes both ways
// unchanged, and decodes the frames (or heads and body parts) of both directions. Runs on its own thread; writing to a peer that has gone never raises SIGPIPE.
// When one side resets its connection or cannot be written to, the other side's connection is
// reset too, so the client sees what it would have seen without the tap.
class Tap
{
public:
    Tap();
    ~Tap(); // closes every connection and joins the thread

    Tap(const Tap &) = delete;
    Tap &operator=(const Tap &) = delete;

    // Starts listening; returns "127.0.0.1:<port>" for the client to connect to. The target
    // is checked and TLS files are read here, so a bad one is an error at once. When the
    // server cannot be reached (refused, a proxy that says no, a failed TLS handshake, no
    // answer in time) the client's connection is closed and an Error event says why.
    Result<std::string> start(const TapUpstream &upstream);
    Result<std::string> start(const std::string &upstream, const TapTls &tls = {});
    // Called on the tap's thread when events become pending after a drain took them all; like
    // EventQueue's notifier it should only schedule a drain. Set it before start().
    void setNotifier(std::function<void()> notifier);
    std::vector<WireEvent> drain();
    std::vector<WireEvent> waitAndDrain(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// One line for a frame or part, as `wirescope-cli --wire` prints it:
// "+12.345ms c1 -> HEADERS stream=1 flags=END_HEADERS len=75 :method=POST …",
// "+12.345ms c1 -> HEAD #1 len=301 POST /pkg.Svc/Method HTTP/1.1 host=… content-type=…",
// "+13.002ms c1 <- CHUNK #1 size=27 grpc-message=22B"
std::string describe(const WireEvent &event, std::int64_t startNs);

} // namespace rpc::wire
