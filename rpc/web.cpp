// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/web.h"

#include <algorithm>
#include <cctype>

namespace rpc {

namespace {
bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}
} // namespace

bool isUrlTarget(std::string_view target)
{
    return startsWithNoCase(target, "http://") || startsWithNoCase(target, "https://");
}

Result<UrlTarget> parseUrlTarget(std::string_view target)
{
    const std::string quoted = "\"" + std::string(target) + "\"";
    UrlTarget url;
    std::string_view rest;
    if (startsWithNoCase(target, "https://")) {
        url.tls = true;
        rest = target.substr(8);
    } else if (startsWithNoCase(target, "http://")) {
        rest = target.substr(7);
    } else {
        return Error("the URL " + quoted + " does not start with http:// or https://");
    }
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return Error("the URL " + quoted + " has a space or a byte that is not printable ASCII");
    }
    if (rest.find_first_of("?#") != std::string_view::npos)
        return Error("the URL " + quoted + " has a query or a fragment; only a path prefix may follow the host");
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos)
        return Error("the URL " + quoted + " has a user name; give credentials as headers (-H)");
    std::string_view portText;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return Error("the URL " + quoted + " has '[' without ']'");
        url.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':')
                return Error("the URL " + quoted + " needs ':' and a port after ']'");
            portText = authority.substr(close + 2);
            if (portText.empty())
                return Error("the URL " + quoted + " has no port after ':'");
        }
    } else {
        const auto colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = authority.substr(colon + 1);
            if (portText.empty())
                return Error("the URL " + quoted + " has no port after ':'");
        }
    }
    if (url.host.empty())
        return Error("the URL " + quoted + " names no host");
    if (portText.empty()) {
        url.port = url.tls ? 443 : 80;
    } else {
        long port = 0;
        for (char c : portText) {
            if (c < '0' || c > '9')
                return Error("the URL " + quoted + ": the port \"" + std::string(portText) + "\" is not a number");
            port = port * 10 + (c - '0');
            if (port > 65535)
                break;
        }
        if (port < 1 || port > 65535)
            return Error("the URL " + quoted + ": port " + std::string(portText) + " is out of range (1-65535)");
        url.port = static_cast<int>(port);
    }
    const bool v6 = url.host.find(':') != std::string::npos;
    url.hostPort = (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
    std::string prefix(path);
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    url.prefix = std::move(prefix);
    return url;
}

std::optional<Protocol> protocolFromName(std::string_view name)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "grpc")
        return Protocol::Grpc;
    if (lower == "grpcweb" || lower == "grpc-web")
        return Protocol::GrpcWeb;
    if (lower == "grpcweb-text" || lower == "grpc-web-text")
        return Protocol::GrpcWebText;
    if (lower == "connect")
        return Protocol::Connect;
    return std::nullopt;
}

std::string protocolProblem(Protocol protocol, HttpVersion version, MethodKind kind, bool tls)
{
    const bool requestStream = kind == MethodKind::ClientStreaming || kind == MethodKind::BidiStreaming;
    if (protocol == Protocol::Grpc)
        return version == HttpVersion::Http1 ? "gRPC needs HTTP/2; HTTP/1.1 carries gRPC-Web and Connect only"
                                             : std::string();
    if ((protocol == Protocol::GrpcWeb || protocol == Protocol::GrpcWebText) && requestStream)
        return std::string("gRPC-Web cannot stream requests, and this is a ") + methodKindName(kind) +
               " method; call it over gRPC or Connect";
    if (kind == MethodKind::BidiStreaming &&
        (version == HttpVersion::Http1 || (version == HttpVersion::Default && !tls)))
        return version == HttpVersion::Http1
                   ? "a bidi stream needs HTTP/2: over HTTP/1.1 the whole request is sent before the response "
                     "starts"
                   : "a bidi stream needs HTTP/2, and calls without TLS use HTTP/1.1 unless HTTP/2 is asked "
                     "for (-http-version 2)";
    return {};
}

} // namespace rpc
