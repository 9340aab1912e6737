// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/wire.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rpc::wire {

enum class WireDirection { ClientToServer, ServerToClient };

// One frame seen by the tap, or the end of a connection.
struct WireEvent
{
    enum class Kind { Frame, Closed, Error };
    Kind kind = Kind::Frame;
    std::uint64_t connection = 0; // 1, 2, … in the order the tap accepted them
    WireDirection direction = WireDirection::ClientToServer;
    std::int64_t timeNs = 0; // rpc::monotonicNs() when the bytes that completed it arrived
    Frame frame;
    std::vector<GrpcMessage> messages; // gRPC messages this frame completed
    std::string error;                 // Error: why decoding stopped (bytes still pass through)
};

// How the tap reaches a TLS server. The client talks plaintext HTTP/2 to the tap; the tap makes
// the TLS connection itself (ALPN h2), so the frames it decodes are the same either way.
struct TapTls
{
    bool enabled = false;
    std::string caFile;      // PEM roots; empty: the system roots
    std::string certFile;    // client certificate (mTLS)
    std::string keyFile;     // client key (mTLS)
    std::string serverName;  // SNI and the name checked; empty: the upstream's host
    bool skipVerify = false; // accept any server certificate: insecure
};

// The TLS settings a tap needs to reach the server of `channel` as the channel itself would:
// its CA, client certificate, skip-verify, and the server name (or, as gRPC does, the host of
// an overridden :authority). Disabled for plaintext channels.
TapTls tapTlsFor(const ChannelOptions &channel);
// Points `channel` at a tap listening on `tapAddress`: plaintext to the tap, TLS settings
// cleared (the tap holds them), and the server's own name kept as the :authority (and its address
// as tappedTarget, for messages).
void routeThroughTap(ChannelOptions &channel, const std::string &tapAddress);

// A local relay between a client and an HTTP/2 server: it listens on 127.0.0.1, connects each
// accepted connection to `upstream` ("host:port", over TLS when asked), passes the bytes both
// ways unchanged, and decodes the frames of both directions. Runs on its own thread.
class Tap
{
public:
    Tap();
    ~Tap(); // closes every connection and joins the thread

    Tap(const Tap &) = delete;
    Tap &operator=(const Tap &) = delete;

    // Starts listening; returns "127.0.0.1:<port>" for the client to connect to. TLS files
    // are read here, so a missing or broken one is an error at once. A failed handshake with
    // the server closes the client's connection and reports an Error event saying why.
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

// One line for a frame, as `wirescope-cli --wire` prints it:
// "+12.345ms c1 → HEADERS stream=1 flags=END_HEADERS len=75 :method=POST …"
std::string describe(const WireEvent &event, std::int64_t startNs);

} // namespace rpc::wire
