// SPDX-License-Identifier: GPL-3.0-or-later
// Starting a web call (HttpEngine::Impl::start): checking the request, where it goes
// (endpointFor), its headers and libcurl transfer, and handing that to libcurl or holding it
// for a fresh HTTP/2 connection (H2cServer). Split from httpengine.cpp, which keeps the loop.
#include "rpc/internal/httpengineimpl.h"

#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/web.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace rpc::internal {

namespace {

// Why a request header cannot go out on a web protocol, beyond rpc::headerProblem's rules: names
// that HTTP/1.1, gRPC-Web or Connect set themselves.
std::string webHeaderProblem(std::string_view name)
{
    static constexpr std::string_view kReserved[] = {
        "host", "content-length", "content-encoding", "accept-encoding", "expect", "x-grpc-web", "trailer"};
    if (std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved))
        return "header \"" + std::string(name) +
               "\": set by HTTP or the protocol itself (use the authority setting for the host, gzip for "
               "compression)";
    if (startsWith(name, "connect-"))
        return "header \"" + std::string(name) +
               "\": names starting with \"connect-\" are reserved for the Connect protocol (a deadline is "
               "set "
               "with the deadline setting)";
    return {};
}

bool readable(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return static_cast<bool>(in);
}

curl_socket_t openSocket(void *clientp, curlsocktype, curl_sockaddr *address)
{
    const curl_socket_t fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd != CURL_SOCKET_BAD)
        ++static_cast<H2cServer *>(clientp)->sockets;
    return fd;
}

int closeSocket(void *clientp, curl_socket_t fd)
{
    --static_cast<H2cServer *>(clientp)->sockets;
    return ::close(fd);
}

Result<Endpoint> endpointFor(const ChannelOptions &channel)
{
    Endpoint e;
    std::string host, hostPort;
    int port = 0;
    std::string prefix;
    // Through the wire tap, messages name the server the user gave, not the tap.
    e.shown = channel.tappedTarget.empty() ? channel.target : channel.tappedTarget;
    if (isUrlTarget(channel.target)) {
        auto url = parseUrlTarget(channel.target);
        if (!url)
            return url.error();
        e.tls = url->tls;
        host = url->host;
        port = url->port;
        hostPort = url->hostPort;
        prefix = url->prefix;
    } else {
        if (auto problem = targetProblem(channel.target); !problem.empty())
            return Error(problem);
        auto target = parseTarget(channel.target);
        if (!target)
            return target.error();
        e.tls = !channel.plaintext;
        if (target->kind == TargetAddress::Kind::Tcp) {
            host = target->host;
            port = std::atoi(target->port.c_str());
            hostPort = target->hostPort();
        } else {
            e.unixPath = target->path;
            e.abstractUnix = target->kind == TargetAddress::Kind::UnixAbstract;
            host = "localhost";
            hostPort = "localhost";
        }
    }
    const std::string scheme = e.tls ? "https://" : "http://";
    e.server = scheme + hostPort + "|" + e.unixPath;
    if (e.tls && !channel.serverName.empty() && channel.serverName != host && e.unixPath.empty()) {
        // The URL names the server name (SNI and the certificate check follow it) while the
        // connection goes to the address given.
        const bool v6 = host.find(':') != std::string::npos;
        e.connectTo = channel.serverName + ":" + std::to_string(port) + ":" + (v6 ? "[" + host + "]" : host) +
                      ":" + std::to_string(port);
        e.base = scheme + channel.serverName + ":" + std::to_string(port) + prefix;
    } else {
        e.base = scheme + hostPort + prefix;
    }
    return e;
}

} // namespace

bool HttpEngine::Impl::start(CallRequest request, std::uint64_t loadId)
{
    const auto id = request.callId;
    if (stopping)
        return failLocally(id, MethodKind::Unary, kCancelled, "the engine is shutting down");
    if (calls.count(id))
        return failLocally(id, MethodKind::Unary, kAlreadyExists,
                           "call id " + std::to_string(id) + " is in use");
    if (!request.schema)
        return failLocally(id, MethodKind::Unary, kFailedPrecondition, "no schema loaded");
    LoadShared *load = nullptr;
    if (auto *run = loadId ? loads.find(loadId) : nullptr)
        load = &run->extra;
    std::optional<MethodInfo> found;
    if (!load || !load->method) {
        auto method = request.schema->findMethod(request.method);
        if (!method)
            return failLocally(id, MethodKind::Unary, kUnimplemented, method.error().message);
        found = std::move(method.value());
        if (load)
            load->method = found;
    }
    const MethodInfo &info = load ? *load->method : *found;
    if (!info.clientStreams() && request.messages.size() > 1)
        return failLocally(id, info.kind, kInvalidArgument,
                           std::string("a ") + methodKindName(info.kind) +
                               " call takes one request message, " + std::to_string(request.messages.size()) +
                               " were given");

    auto endpoint = endpointFor(request.channel);
    if (!endpoint)
        return failLocally(id, info.kind, kInvalidArgument, endpoint.error().message);
    if (auto problem = protocolProblem(request.protocol, request.httpVersion, info.kind, endpoint->tls);
        !problem.empty())
        return failLocally(id, info.kind, kInvalidArgument, problem);
    for (auto &entry : request.metadata)
        entry.first = lowercase(entry.first);
    std::string problem = metadataProblem(request.metadata);
    for (std::size_t i = 0; problem.empty() && i < request.metadata.size(); ++i)
        problem = webHeaderProblem(request.metadata[i].first);
    if (problem.empty())
        problem = authorityProblem(request.channel.authority);
    for (const std::string *file :
         {&request.channel.caFile, &request.channel.certFile, &request.channel.keyFile}) {
        if (problem.empty() && !file->empty() && !readable(*file))
            problem = "cannot read " + *file;
    }
    if (!problem.empty())
        return failLocally(id, info.kind, kInvalidArgument, problem);
    auto proxy = endpoint->unixPath.empty() ? proxyFor(request.channel)
                                            : Result<std::optional<ProxyRoute>>(std::optional<ProxyRoute>());
    if (!proxy)
        return failLocally(id, info.kind, kInvalidArgument, proxy.error().message);

    auto call = std::make_unique<Call>(this, std::move(request), info);
    call->endpoint = std::move(endpoint.value());
    for (auto &text : call->request.messages) {
        std::string error;
        if (!call->queueMessage(std::move(text), &error))
            return failLocally(id, info.kind, kInvalidArgument, error);
    }
    call->request.messages.clear();
    if (!info.clientStreams() && call->writes.empty()) {
        std::string error;
        if (!call->queueMessage("{}", &error))
            return failLocally(id, info.kind, kInvalidArgument, error);
    }
    if (call->request.closeAfterMessages || !info.clientStreams())
        call->closeRequested = true;
    call->quiet = loadId != 0;
    call->loadId = loadId;

    // The request.
    const auto &r = call->request;
    const bool web = r.protocol != Protocol::Connect;
    std::vector<std::string> lines;
    if (web) {
        lines.push_back(call->textRequest ? "Content-Type: application/grpc-web-text"
                                          : "Content-Type: application/grpc-web+proto");
        lines.push_back(call->textRequest ? "Accept: application/grpc-web-text"
                                          : "Accept: application/grpc-web+proto");
        lines.push_back("X-Grpc-Web: 1");
        lines.push_back("Grpc-Accept-Encoding: gzip");
        if (r.channel.gzip)
            lines.push_back("Grpc-Encoding: gzip");
        if (r.deadlineMs > 0)
            lines.push_back("Grpc-Timeout: " + web::grpcTimeout(r.deadlineMs));
    } else {
        const char *codec = call->json ? "json" : "proto";
        const bool stream = call->mode == Call::Mode::ConnectStream;
        lines.push_back(std::string("Content-Type: application/") + (stream ? "connect+" : "") + codec);
        lines.push_back("Accept:");
        lines.push_back("Connect-Protocol-Version: 1");
        lines.push_back(stream ? "Connect-Accept-Encoding: gzip" : "Accept-Encoding: gzip");
        if (r.channel.gzip)
            lines.push_back(stream ? "Connect-Content-Encoding: gzip" : "Content-Encoding: gzip");
        if (r.deadlineMs > 0)
            lines.push_back("Connect-Timeout-Ms: " + std::to_string(r.deadlineMs));
    }
    lines.push_back("Expect:"); // no "100 Continue" round trip before the body
    lines.push_back(
        "User-Agent: " + (r.channel.userAgent.empty() ? std::string() : r.channel.userAgent + " ") +
        "wirescope-http libcurl/" + curlVersion());
    if (!r.channel.authority.empty())
        lines.push_back("Host: " + r.channel.authority);
    for (const auto &[name, value] : r.metadata) {
        const std::string shown = isBinaryKey(name) ? base64Encode(value) : value;
        // libcurl sends "name;" as a header with an empty value ("name:" would remove it).
        lines.push_back(shown.empty() ? name + ";" : name + ": " + shown);
    }
    for (const auto &line : lines)
        call->headers = curl_slist_append(call->headers, line.c_str());

    CURL *easy = nullptr;
    if (!spare.empty()) {
        easy = spare.back();
        spare.pop_back();
    } else {
        easy = curl_easy_init();
    }
    if (!easy)
        return failLocally(id, info.kind, kInternal, "libcurl could not make a transfer");
    call->easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, (call->endpoint.base + info.path()).c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, call.get());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->errorBuffer);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Call::readCallback);
    curl_easy_setopt(easy, CURLOPT_READDATA, call.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Call::writeCallback);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, call.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Call::headerCallback);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, call.get());
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    if (r.channel.connectTimeoutMs > 0)
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.channel.connectTimeoutMs));
    if (r.channel.keepaliveTimeMs > 0) {
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE,
                         std::max(1L, static_cast<long>(r.channel.keepaliveTimeMs / 1000)));
    }
    long version = CURL_HTTP_VERSION_1_1;
    if (r.httpVersion == HttpVersion::Http2)
        version = call->endpoint.tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    else if (r.httpVersion == HttpVersion::Default && call->endpoint.tls)
        version = CURL_HTTP_VERSION_2TLS;
    bool hold = false;
    if (r.httpVersion == HttpVersion::Http2) {
        // With TLS, ALPN needs none of the prior-knowledge care, but the resets are the same.
        const bool h2c = version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
        H2cServer &server = h2cServers[call->endpoint.server];
        call->h2c = &server;
        const bool fresh = server.streams >= kStreamsPerConnection && !server.rotating;
        if (server.rotating) {
            version = h2c ? static_cast<long>(CURL_HTTP_VERSION_2_0) : version;
            hold = true;
        } else if ((server.sockets > 0 || server.opening > 0) && !fresh) {
            version = h2c ? static_cast<long>(CURL_HTTP_VERSION_2_0) : version;
        } else {
            ++server.opening;
            call->opensH2c = &server;
            server.streams = 0;
            if (fresh) {
                server.rotating = true;
                server.opener = call.get();
                curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
            }
        }
        ++server.streams;
        curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &openSocket);
        curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &server);
        curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &closeSocket);
        curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, &server);
    }
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, version);
    bool emptyBody = false;
    // A body of known size goes with a Content-Length; a stream that is still open is sent in
    // chunks over HTTP/1.1 (HTTP/2 frames the body itself).
    if (call->closeRequested) {
        curl_off_t total = 0;
        for (const auto &p : call->writes)
            total += static_cast<curl_off_t>(p.bytes.size());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, total);
        emptyBody = total == 0;
    } else if (version == CURL_HTTP_VERSION_1_1) {
        call->headers = curl_slist_append(call->headers, "Transfer-Encoding: chunked");
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers);
    if (!call->endpoint.unixPath.empty())
        curl_easy_setopt(
            easy, call->endpoint.abstractUnix ? CURLOPT_ABSTRACT_UNIX_SOCKET : CURLOPT_UNIX_SOCKET_PATH,
            call->endpoint.unixPath.c_str());
    if (!call->endpoint.connectTo.empty()) {
        call->connectTo = curl_slist_append(nullptr, call->endpoint.connectTo.c_str());
        curl_easy_setopt(easy, CURLOPT_CONNECT_TO, call->connectTo);
    }
    if (call->endpoint.tls) {
        if (!r.channel.caFile.empty())
            curl_easy_setopt(easy, CURLOPT_CAINFO, r.channel.caFile.c_str());
        if (!r.channel.certFile.empty())
            curl_easy_setopt(easy, CURLOPT_SSLCERT, r.channel.certFile.c_str());
        if (!r.channel.keyFile.empty())
            curl_easy_setopt(easy, CURLOPT_SSLKEY, r.channel.keyFile.c_str());
        if (r.channel.skipVerify) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }
    // libcurl reads proxy variables of its own; the proxy is the one gRPC's rules choose.
    if (proxy.value()) {
        const ProxyRoute &route = *proxy.value();
        curl_easy_setopt(easy, CURLOPT_PROXY, ("http://" + route.address).c_str());
        curl_easy_setopt(easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
        curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
        if (!route.authorization.empty()) {
            call->proxyHeaders =
                curl_slist_append(nullptr, ("Proxy-Authorization: " + route.authorization).c_str());
            curl_easy_setopt(easy, CURLOPT_PROXYHEADER, call->proxyHeaders);
            curl_easy_setopt(easy, CURLOPT_HEADEROPT, CURLHEADER_SEPARATE);
        }
    } else {
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
    }
    if (r.deadlineMs > 0)
        call->deadlineNs = monotonicNs() + r.deadlineMs * 1000000;

    CallEvent started = call->event(EventKind::Started, Direction::Outbound);
    started.metadata = call->request.metadata;
    started.payload = info.fullName;
    Call *raw = call.get();
    calls.emplace(id, std::move(call));
    active.fetch_add(1);
    raw->report(std::move(started));
    if (emptyBody) // libcurl will not ask for a body it knows to be empty
        raw->reportHalfClosed();
    if (hold) {
        raw->h2c->held.push_back(id);
        return true;
    }
    return hand(*raw);
}

bool HttpEngine::Impl::hand(Call &call)
{
    if (curl_multi_add_handle(multi, call.easy) != CURLM_OK) {
        RpcStatus s;
        s.code = kInternal;
        s.message = "libcurl refused the transfer";
        s.local = true;
        finish(call, std::move(s), {});
        return false;
    }
    call.added = true;
    return true;
}

void HttpEngine::Impl::releaseHeld(H2cServer &server)
{
    server.rotating = false;
    server.opener = nullptr;
    std::vector<std::uint64_t> held;
    held.swap(server.held);
    for (const auto id : held) {
        if (auto it = calls.find(id); it != calls.end() && !it->second->finished)
            hand(*it->second);
    }
}

} // namespace rpc::internal
