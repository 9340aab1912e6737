// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/proxy.h"

#include "rpc/jsonutil.h"
#include "rpc/types.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace rpc {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Whitespace and control characters would end up in an HTTP request line or header.
bool hasUnsafeCharacters(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
    });
}

bool validPort(std::string_view port)
{
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    const long n = std::strtol(std::string(port).c_str(), nullptr, 10);
    return n >= 1 && n <= 65535;
}

// Splits "host:port", "[v6]:port", "host" or a bare IPv6 address; the port is empty when
// none is given. False when brackets do not match.
bool splitHostPort(std::string_view text, std::string *host, std::string *port)
{
    if (startsWith(text, "[")) {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return false;
        *host = std::string(text.substr(1, close - 1));
        const std::string_view rest = text.substr(close + 1);
        if (rest.empty()) {
            port->clear();
            return true;
        }
        if (rest.front() != ':')
            return false;
        *port = std::string(rest.substr(1));
        return true;
    }
    const auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
        *host = std::string(text); // a bare IPv6 address: no port
        port->clear();
        return true;
    }
    *host = std::string(text.substr(0, colon));
    *port = colon == std::string_view::npos ? std::string() : std::string(text.substr(colon + 1));
    return true;
}

Result<TargetAddress> tcpTarget(const std::string &target, std::string_view hostPort, std::string authority)
{
    TargetAddress a;
    a.authority = std::move(authority);
    if (hostPort.empty())
        return Error("the target \"" + target + "\" names no host");
    if (hasUnsafeCharacters(hostPort))
        return Error("the target \"" + target + "\" contains spaces or control characters");
    if (!splitHostPort(hostPort, &a.host, &a.port) || a.host.empty())
        return Error("the target \"" + target + "\" is not host:port");
    if (a.port.empty())
        a.port = "443";
    else if (!validPort(a.port))
        return Error("the target \"" + target + "\" has no valid port (1-65535)");
    return a;
}

// %XX escapes of a URL's user information; false on a broken escape.
bool percentDecode(std::string_view text, std::string *out)
{
    out->clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            *out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
            return false;
        *out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
    }
    return true;
}

struct ParsedProxy
{
    std::string shown;
    std::string address;
    std::string authorization;
};

Result<ParsedProxy> parseProxyUrl(const std::string &url, const std::string &source)
{
    auto bad = [&](const std::string &why) {
        return Error("the proxy \"" + url + "\" (" + source + ") " + why);
    };
    if (hasUnsafeCharacters(url))
        return bad("contains spaces or control characters");
    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string::npos)
        return bad("is not a URL: write http://HOST:PORT");
    if (!iequals(std::string_view(url).substr(0, schemeEnd), "http"))
        return bad("is not supported: gRPC reaches servers only through http:// proxies (HTTP CONNECT)");
    const std::string_view rest = std::string_view(url).substr(schemeEnd + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (std::count(authority.begin(), authority.end(), '@') > 1)
        return bad("has more than one '@': write an '@' in a user name or password as %40");
    const auto at = authority.find('@');
    const std::string_view userInfo =
        at == std::string_view::npos ? std::string_view() : authority.substr(0, at);
    const std::string_view hostPort = at == std::string_view::npos ? authority : authority.substr(at + 1);
    ParsedProxy p;
    std::string host, port;
    if (hostPort.empty() || !splitHostPort(hostPort, &host, &port) || host.empty())
        return bad("names no host");
    if (port.empty())
        port = "443"; // what gRPC's resolver assumes for a name without a port
    else if (!validPort(port))
        return bad("has no valid port (1-65535)");
    p.address = (host.find(':') != std::string::npos ? '[' + host + ']' : host) + ':' + port;
    p.shown = url;
    if (at != std::string_view::npos) {
        std::string credentials;
        if (!percentDecode(userInfo, &credentials))
            return bad("has a broken %-escape in its user name or password");
        // RFC 7617: "user:password" in base64, as gRPC sends the URL's user information.
        p.authorization = "Basic " + base64Encode(credentials);
        const auto colon = userInfo.find(':');
        if (colon != std::string_view::npos) {
            p.shown = url.substr(0, schemeEnd + 3) + std::string(userInfo.substr(0, colon)) + ":***@" +
                      std::string(rest.substr(at + 1));
        }
    }
    return p;
}

// gRPC 1.51's no_proxy rule: the host ends with an entry, ignoring case.
bool bypassed(const std::string &host, const std::string &list)
{
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(',', start);
        if (end == std::string::npos)
            end = list.size();
        std::string_view entry = std::string_view(list).substr(start, end - start);
        while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.front())))
            entry.remove_prefix(1);
        while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back())))
            entry.remove_suffix(1);
        if (!entry.empty() && entry.size() <= host.size() &&
            iequals(std::string_view(host).substr(host.size() - entry.size()), entry))
            return true;
        start = end + 1;
    }
    return false;
}

std::optional<std::string> environmentValue(const char *name)
{
    const char *value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
}

} // namespace

std::string TargetAddress::hostPort() const
{
    return (host.find(':') != std::string::npos ? '[' + host + ']' : host) + ':' + port;
}

Result<TargetAddress> parseTarget(const std::string &target)
{
    const std::string_view t = target;
    if (startsWith(t, "unix:")) {
        std::string_view path = t.substr(5);
        if (startsWith(path, "//")) {
            path.remove_prefix(2);
            if (!startsWith(path, "/"))
                return Error("the target \"" + target + "\" names an authority: write unix:///ABSOLUTE/PATH");
        }
        if (path.empty())
            return Error("the target \"" + target + "\" names no socket file");
        TargetAddress a;
        a.kind = TargetAddress::Kind::Unix;
        a.path = std::string(path);
        a.authority = "localhost";
        return a;
    }
    if (startsWith(t, "unix-abstract:")) {
        if (t.size() == 14)
            return Error("the target \"" + target + "\" names no abstract socket");
        TargetAddress a;
        a.kind = TargetAddress::Kind::UnixAbstract;
        a.path = std::string(t.substr(14));
        a.authority = "localhost";
        return a;
    }
    if (startsWith(t, "dns:")) {
        std::string_view rest = t.substr(4);
        if (startsWith(rest, "//")) {
            const auto slash = rest.find('/', 2);
            if (slash == std::string_view::npos)
                return Error("the target \"" + target + "\" is not dns:///HOST:PORT");
            rest = rest.substr(slash + 1);
        }
        return tcpTarget(target, rest, std::string(rest));
    }
    if (startsWith(t, "ipv4:") || startsWith(t, "ipv6:")) {
        const std::string_view list = t.substr(5);
        const std::string_view first = list.substr(0, list.find(','));
        std::string host, port;
        if (splitHostPort(first, &host, &port) && port.empty())
            return Error("the target \"" + target + "\" names no port");
        return tcpTarget(target, first, std::string(list));
    }
    return tcpTarget(target, t, target);
}

ProxyEnvironment ProxyEnvironment::fromProcess()
{
    ProxyEnvironment e;
    e.grpcProxy = environmentValue("grpc_proxy");
    e.httpsProxy = environmentValue("https_proxy");
    e.httpProxy = environmentValue("http_proxy");
    e.noGrpcProxy = environmentValue("no_grpc_proxy");
    e.noProxy = environmentValue("no_proxy");
    return e;
}

Result<std::optional<ProxyRoute>> proxyFor(const ChannelOptions &channel, const ProxyEnvironment &environment)
{
    using Route = std::optional<ProxyRoute>;
    if (channel.proxy == kNoProxy)
        return Route();
    std::string url = channel.proxy;
    std::string source = "the proxy setting";
    const bool explicitProxy = !url.empty();
    if (!explicitProxy) {
        const std::pair<const std::optional<std::string> *, const char *> order[] = {
            {&environment.grpcProxy, "grpc_proxy"},
            {&environment.httpsProxy, "https_proxy"},
            {&environment.httpProxy, "http_proxy"}};
        const auto set = std::find_if(std::begin(order), std::end(order),
                                      [](const auto &variable) { return variable.first->has_value(); });
        if (set == std::end(order) || (*set->first)->empty())
            return Route(); // none set, or the first one set says "no proxy"
        url = **set->first;
        source = set->second;
    }
    auto proxy = parseProxyUrl(url, source);
    if (!proxy)
        return proxy.error();

    auto target = parseTarget(channel.target);
    if (!target) {
        // gRPC connects directly to a target it cannot make sense of; a proxy the user chose
        // for this very call should not be dropped silently.
        if (explicitProxy)
            return Error("cannot use the proxy " + proxy->shown + ": " + target.error().message);
        return Route();
    }
    if (target->kind != TargetAddress::Kind::Tcp)
        return Route(); // unix sockets are local: never proxied
    if (!explicitProxy) {
        const auto &list = environment.noGrpcProxy ? environment.noGrpcProxy : environment.noProxy;
        if (list && bypassed(target->host, *list))
            return Route();
    }
    ProxyRoute route;
    route.url = proxy->shown;
    route.address = proxy->address;
    route.authorization = proxy->authorization;
    route.connectTo = target->hostPort();
    route.source = source;
    return Route(std::move(route));
}

} // namespace rpc
