// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The web protocols (gRPC-Web, Connect): what a user types for them and what they cannot do.

#include "rpc/result.h"
#include "rpc/types.h"

#include <optional>
#include <string>
#include <string_view>

namespace rpc {

// A target written as a URL: "http://host[:port][/prefix]" or "https://...".
struct UrlTarget
{
    bool tls = false;
    std::string host;     // a name or an address, IPv6 without brackets
    int port = 0;         // 80 or 443 when the URL names none
    std::string hostPort; // "host:port", IPv6 in brackets
    std::string prefix;   // "" or "/a/b": goes before "/pkg.Service/Method"
};

// Whether `target` is written as an http:// or https:// URL (case ignored).
bool isUrlTarget(std::string_view target);
// Parses a URL target. The error names the URL and what is wrong with it: another scheme, no
// host, a bad port, a query or fragment, bytes that are not printable ASCII.
Result<UrlTarget> parseUrlTarget(std::string_view target);

// "grpc", "grpcweb", "grpcweb-text" or "connect" (also "grpc-web", "grpc-web-text").
std::optional<Protocol> protocolFromName(std::string_view name);

// Why a `kind` call cannot go over `protocol` at `version` (empty when it can): gRPC-Web has
// no request streams (client-streaming and bidi methods); HTTP/1.1 sends the whole request
// before the response starts, so it cannot carry a bidi stream; gRPC needs HTTP/2. `tls`:
// whether the connection uses TLS (the default version differs).
std::string protocolProblem(Protocol protocol, HttpVersion version, MethodKind kind, bool tls);

} // namespace rpc
