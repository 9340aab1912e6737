// SPDX-License-Identifier: GPL-3.0-or-later
// How calls and channels are sent through the wire tap: the upstream a tap relays to for a
// channel or a web request, and the rewriting of the target to the tap's address.
#include "rpc/tap.h"

#include "rpc/types.h"
#include "rpc/web.h"

#include <string>

namespace rpc::wire {

TapTls tapTlsFor(const ChannelOptions &channel)
{
    TapTls tls;
    tls.enabled = !channel.plaintext;
    if (!tls.enabled)
        return tls;
    tls.caFile = channel.caFile;
    tls.certFile = channel.certFile;
    tls.keyFile = channel.keyFile;
    tls.skipVerify = channel.skipVerify;
    tls.serverName = channel.serverName;
    if (tls.serverName.empty() && !channel.authority.empty())
        tls.serverName = channel.authority.substr(0, channel.authority.rfind(':'));
    return tls;
}

Result<TapUpstream> tapUpstreamFor(const ChannelOptions &channel)
{
    TapUpstream upstream;
    upstream.target = channel.target;
    upstream.tls = tapTlsFor(channel);
    upstream.connectTimeoutMs = channel.connectTimeoutMs;
    auto proxy = proxyFor(channel);
    if (!proxy)
        return proxy.error();
    upstream.proxy = std::move(proxy.value());
    return upstream;
}

std::string TapUpstream::key() const
{
    std::string k = target + '\n' + std::to_string(connectTimeoutMs) + '\n';
    if (tls.enabled)
        k += "tls\n" + tls.caFile + '\n' + tls.certFile + '\n' + tls.keyFile + '\n' + tls.serverName +
             (tls.skipVerify ? "\nskip\n" : "\n");
    else
        k += "plaintext\n";
    if (http1)
        k += "http/1.1\n";
    if (proxy)
        k += "proxy\n" + proxy->address + '\n' + proxy->authorization + '\n' + proxy->connectTo;
    return k;
}

void routeThroughTap(ChannelOptions &channel, const std::string &tapAddress)
{
    if (channel.authority.empty()) {
        const auto server = parseTarget(channel.target);
        channel.authority = server ? server->authority : channel.target;
    }
    channel.tappedTarget = channel.target;
    channel.target = tapAddress;
    channel.proxy = kNoProxy; // the hop to the tap is local; the tap makes the CONNECT itself
    channel.plaintext = true;
    channel.skipVerify = false;
    channel.caFile.clear();
    channel.certFile.clear();
    channel.keyFile.clear();
    channel.serverName.clear();
}

Result<TapUpstream> tapUpstreamFor(const CallRequest &request)
{
    if (request.protocol == Protocol::Grpc)
        return tapUpstreamFor(request.channel);
    ChannelOptions server = request.channel;
    if (isUrlTarget(server.target)) {
        auto url = parseUrlTarget(server.target);
        if (!url)
            return url.error();
        server.target = url->hostPort;
        server.plaintext = !url->tls;
    }
    auto upstream = tapUpstreamFor(server);
    if (upstream)
        upstream->http1 = request.httpVersion == HttpVersion::Http1 ||
                          (request.httpVersion == HttpVersion::Default && server.plaintext);
    return upstream;
}

void routeThroughTap(CallRequest &request, const std::string &tapAddress)
{
    if (request.protocol == Protocol::Grpc) {
        routeThroughTap(request.channel, tapAddress);
        return;
    }
    const std::string shown = request.channel.target;
    std::string prefix;
    if (isUrlTarget(shown)) {
        if (auto url = parseUrlTarget(shown)) {
            request.channel.target = url->hostPort;
            request.channel.plaintext = !url->tls;
            prefix = url->prefix;
        }
    }
    const bool http1 = request.httpVersion == HttpVersion::Http1 ||
                       (request.httpVersion == HttpVersion::Default && request.channel.plaintext);
    routeThroughTap(request.channel, tapAddress);
    request.channel.target = "http://" + tapAddress + prefix;
    request.channel.tappedTarget = shown;
    request.httpVersion = http1 ? HttpVersion::Http1 : HttpVersion::Http2;
}

} // namespace rpc::wire
