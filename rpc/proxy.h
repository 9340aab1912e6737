// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <optional>
#include <string>

namespace rpc {

struct ChannelOptions;

// Where a channel target points, as the wire tap and the proxy rules need it.
struct TargetAddress
{
    enum class Kind { Tcp, Unix, UnixAbstract };
    Kind kind = Kind::Tcp;
    std::string host;      // Tcp: a name or an address, IPv6 without brackets
    std::string port;      // Tcp: "443" when the target names none, as gRPC's resolver assumes
    std::string path;      // Unix: the socket file; UnixAbstract: the name (no leading NUL)
    std::string authority; // the :authority gRPC sends by default ("localhost" for unix sockets)

    // "host:port" (IPv6 in brackets) for Tcp.
    std::string hostPort() const;
};

// Parses the targets gRPC takes: "host:port", "host" (port 443), "[::1]:port",
// "dns:[//authority/]host[:port]", "ipv4:ADDR:PORT[,…]" and "ipv6:[ADDR]:PORT[,…]" (the
// first address), "unix:PATH", "unix:///ABSOLUTE" and "unix-abstract:NAME". The error names
// the target and what is wrong with it.
Result<TargetAddress> parseTarget(const std::string &target);

// The HTTP CONNECT proxy a connection goes through.
struct ProxyRoute
{
    std::string url;           // as given, a password shown as "***": for messages
    std::string address;       // the proxy's "host:port"
    std::string authorization; // the Proxy-Authorization value ("Basic …"), or empty
    std::string connectTo;     // the CONNECT request's target: the server's "host:port"
    std::string source;        // where it was set: "the proxy setting", "grpc_proxy", …

    bool operator==(const ProxyRoute &other) const = default;
};

// The environment variables that choose a proxy, as gRPC 1.51 reads them: lower-case names
// only. An unset variable is nothing; a set but empty one is "".
struct ProxyEnvironment
{
    std::optional<std::string> grpcProxy;   // grpc_proxy
    std::optional<std::string> httpsProxy;  // https_proxy
    std::optional<std::string> httpProxy;   // http_proxy
    std::optional<std::string> noGrpcProxy; // no_grpc_proxy
    std::optional<std::string> noProxy;     // no_proxy

    static ProxyEnvironment fromProcess();
};

// ChannelOptions::proxy's value for "connect directly, whatever the environment says".
inline constexpr const char *kNoProxy = "none";

// Whether `channel` goes through an HTTP CONNECT proxy, and which. ChannelOptions::proxy
// decides first: "none" is no proxy; a URL is that proxy for every target but unix sockets.
// When it is empty, the environment decides the way gRPC 1.51 does:
//  - the first of grpc_proxy, https_proxy and http_proxy that is set names the proxy; set
//    but empty means no proxy;
//  - no_grpc_proxy, or no_proxy when that is not set, lists hosts (comma-separated) that go
//    directly: a target whose host ends with an entry (case-insensitive) is not proxied.
//    Unlike gRPC 1.51, spaces around entries are ignored;
//  - unix: and unix-abstract: targets never go through a proxy.
// A proxy URL is "http://[user[:password]@]host[:port]"; the port defaults to 443 (as gRPC's
// resolver assumes) and the credentials, percent-decoded, go to the proxy as HTTP Basic
// authentication. Only http:// proxies exist for gRPC: another scheme, or a URL that does not
// parse, is an error naming the setting or the variable (gRPC itself would log it and connect
// directly).
Result<std::optional<ProxyRoute>>
proxyFor(const ChannelOptions &channel,
         const ProxyEnvironment &environment = ProxyEnvironment::fromProcess());

} // namespace rpc
