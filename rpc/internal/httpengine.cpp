// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/httpengine.h"

#include "rpc/internal/loadruns.h"
#include "rpc/internal/received.h"
#include "rpc/internal/webwire.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/web.h"

#include <curl/curl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace rpc::internal {

namespace {

namespace web = rpc::internal::web;

constexpr int kUnknown = 2, kInvalidArgument = 3, kDeadlineExceeded = 4, kAlreadyExists = 6,
              kResourceExhausted = 8, kFailedPrecondition = 9, kUnimplemented = 12, kInternal = 13,
              kUnavailable = 14, kCancelled = 1;
constexpr std::size_t kDefaultMaxReceive = 4 * 1024 * 1024; // gRPC's default
constexpr std::size_t kErrorBodyLimit = 64 * 1024;          // an error body kept for its message

// libcurl is initialised once per process; curl_global_init is not thread-safe before 7.84.
std::once_flag g_curlInit;

std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

bool isBinaryKey(std::string_view key)
{
    return key.size() > 4 && key.substr(key.size() - 4) == "-bin";
}

// Headers that belong to HTTP or to the protocol itself rather than to the call's metadata: gRPC
// leaves the same ones out of what it reports (content-type, its own grpc-* headers).
bool isProtocolHeader(std::string_view name)
{
    static constexpr std::string_view kNames[] = {"content-type",
                                                  "content-length",
                                                  "content-encoding",
                                                  "transfer-encoding",
                                                  "connection",
                                                  "keep-alive",
                                                  "date",
                                                  "te",
                                                  "trailer",
                                                  "vary",
                                                  "accept-encoding",
                                                  "grpc-encoding",
                                                  "grpc-accept-encoding",
                                                  "grpc-status",
                                                  "grpc-message",
                                                  "connect-content-encoding",
                                                  "connect-accept-encoding"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

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

Metadata toMetadata(const Metadata &headers, bool connectTrailers, Metadata *trailers)
{
    Metadata out;
    for (const auto &[name, value] : headers) {
        if (connectTrailers && startsWith(name, "trailer-")) {
            std::string key = name.substr(8);
            std::string raw;
            if (isBinaryKey(key) && base64Decode(value, &raw))
                trailers->emplace_back(std::move(key), std::move(raw));
            else
                trailers->emplace_back(std::move(key), value);
            continue;
        }
        if (isProtocolHeader(name))
            continue;
        std::string raw;
        if (isBinaryKey(name) && base64Decode(value, &raw))
            out.emplace_back(name, std::move(raw));
        else
            out.emplace_back(name, value);
    }
    return out;
}

std::string headerValue(const Metadata &headers, std::string_view name)
{
    for (const auto &[k, v] : headers) {
        if (k == name)
            return v;
    }
    return {};
}

bool hasHeader(const Metadata &headers, std::string_view name)
{
    return std::any_of(headers.begin(), headers.end(), [&](const auto &h) { return h.first == name; });
}

bool readable(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return static_cast<bool>(in);
}

// Whether a transfer that ended with `rc` before any answer never had a connection to talk
// over: the name, the TCP connection, the proxy's tunnel or the TLS handshake failed, or the
// connect timeout passed (`connected`: libcurl's CONNECT_TIME, 0 when TCP never came up). gRPC
// reports the same failures as "failed to connect to all addresses" (RpcStatus::connectFailed).
bool neverConnected(CURL *easy, CURLcode rc, curl_off_t connected)
{
    long proxyAnswer = 0; // the proxy's answer to CONNECT; libcurl 7.88 reports a refusal as a receive error
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &proxyAnswer);
    if (proxyAnswer != 0 && (proxyAnswer < 200 || proxyAnswer > 299))
        return true;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_PROXY:
        return true;
    case CURLE_OPERATION_TIMEDOUT:
        return connected == 0;
    default:
        return false;
    }
}

// An event the engine itself reports about a call (not something that crossed the wire).
CallEvent localEvent(std::uint64_t id, MethodKind kind, EventKind what)
{
    CallEvent e;
    e.callId = id;
    e.callKind = kind;
    e.kind = what;
    e.direction = Direction::Local;
    e.timeNs = monotonicNs();
    return e;
}

// Where a call goes: its URL, and how libcurl reaches it.
struct Endpoint
{
    std::string base; // "http://host:port/prefix" without the method's path
    bool tls = false;
    std::string connectTo; // CURLOPT_CONNECT_TO entry when the TLS name differs from the address
    std::string unixPath;
    bool abstractUnix = false;
    std::string shown;  // the address as the user gave it, for messages
    std::string server; // the connection's end: address or socket, without the prefix
};

// HTTP/2 to one server (asked for with HttpVersion::Http2). Without TLS (h2c) libcurl 7.88 (Debian 12) has a
// bug: a transfer asking for HTTP/2 with prior knowledge that reuses a connection (or joins one as a
// multiplexed stream) switches HTTP/2 on a second time and fails with "Error in the HTTP2 framing layer"
// (curl issue 10634, fixed in 8.0). So only a transfer that will open the connection asks for
// prior knowledge; the others ask for HTTP/2 and wait (PIPEWAIT) to join the one there is. The
// engine counts the sockets it opens to the server, and the prior-knowledge calls under way.
//
// libcurl 7.88 also resets every HTTP/2 stream it has finished with (RST_STREAM STREAM_CLOSED,
// after the server's END_STREAM). Servers built on nghttp2 1.57 or later (Node among them) take
// a thousand such resets on one connection for the "rapid reset" attack and end it with GOAWAY,
// failing the calls under way. So after kStreamsPerConnection calls the next call opens a fresh
// connection, and calls that start meanwhile wait for it (`held`) rather than join the old one.
constexpr int kStreamsPerConnection = 500;
struct H2cServer
{
    int sockets = 0;
    int opening = 0;                 // calls started with prior knowledge and not finished
    int streams = 0;                 // calls since the newest connection was asked for
    bool rotating = false;           // a call is opening a fresh connection; new calls wait
    const void *opener = nullptr;    // that call
    std::vector<std::uint64_t> held; // calls waiting for it
};

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

struct HttpEngine::Impl
{
    struct Call;

    Impl(EventQueue &queue, std::atomic<int> &activeCount, bool http2)
        : events(queue)
        , active(activeCount)
    {
        std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        multi = curl_multi_init();
        // Calls to one server share a connection: HTTP/2 streams on one connection, and a new
        // call waits for a connection being set up rather than opening another.
        curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
        // h2c: while the first connection's SETTINGS have not arrived, libcurl 7.88 would open
        // further connections for waiting calls, and those (not asking for prior knowledge, see
        // H2cServer) would try an HTTP/1.1 upgrade. One connection per server prevents that, and
        // lets a fresh connection replace the old one (H2cServer) on TLS too.
        if (http2)
            curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
        thread = std::thread([this] { run(); });
    }

    ~Impl()
    {
        stopRequested = true;
        curl_multi_wakeup(multi);
        thread.join();
        for (CURL *easy : spare)
            curl_easy_cleanup(easy);
        curl_multi_cleanup(multi);
    }

    void post(std::function<void()> fn)
    {
        {
            std::lock_guard lock(inboxMutex);
            inbox.push_back(std::move(fn));
        }
        curl_multi_wakeup(multi);
    }

    void run();
    void runInbox()
    {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(inboxMutex);
            batch.swap(inbox);
        }
        for (auto &fn : batch)
            fn();
    }

    void emit(CallEvent e) { outbox.push_back(std::move(e)); }
    void flush()
    {
        if (outbox.empty())
            return;
        events.push(std::move(outbox));
        outbox = {};
        outbox.reserve(64);
    }

    bool start(CallRequest request, std::uint64_t loadId = 0);
    bool failLocally(std::uint64_t id, MethodKind kind, int code, std::string message);
    void finish(Call &call, RpcStatus status, Metadata trailers);
    bool hand(Call &call); // adds the call's transfer to libcurl
    void releaseHeld(H2cServer &server);
    void reapDone();
    void sweep();
    int waitMs();

    // What a load run keeps besides its counts (LoadRuns): the method, found once.
    struct LoadShared
    {
        std::optional<MethodInfo> method;
    };
    void startLoad(LoadRequest request);
    void loadCallDone(std::uint64_t loadId);
    bool launchLoadCall(LoadRuns<LoadShared>::Run &run, std::uint64_t loadId, std::uint64_t callId);

    void disown(std::uint64_t id)
    {
        std::lock_guard lock(ownedMutex);
        owned.erase(id);
    }

    EventQueue &events;
    std::atomic<int> &active;
    CURLM *multi = nullptr;
    std::mutex inboxMutex;
    std::vector<std::function<void()>> inbox;
    mutable std::mutex ownedMutex;
    std::set<std::uint64_t> owned; // guarded by ownedMutex
    std::atomic<bool> stopRequested{false};

    // engine thread only
    std::map<std::uint64_t, std::unique_ptr<Call>> calls;
    LoadRuns<LoadShared> loads;
    std::vector<CURL *> spare;                   // easy handles of ended calls, reset, for the next calls
    std::map<std::string, H2cServer> h2cServers; // by address; never erased (sockets refer to them)
    std::vector<CallEvent> outbox;
    bool stopping = false;
    std::thread thread;
};

// One call: one HTTP request whose body carries the request messages and whose response carries
// the answer. gRPC-Web and Connect streams frame messages in 5-byte envelopes; a Connect unary
// call sends and receives one bare message. Callbacks from libcurl only record what happened;
// the call is ended (and its handle removed) by the loop, never from inside a callback.
struct HttpEngine::Impl::Call
{
    enum class Mode { GrpcWeb, ConnectUnary, ConnectStream };

    Call(Impl *engine, CallRequest req, MethodInfo info)
        : impl(engine)
        , request(std::move(req))
        , method(std::move(info))
        , maxReceive(request.channel.maxReceiveBytes > 0
                         ? static_cast<std::size_t>(request.channel.maxReceiveBytes)
                         : kDefaultMaxReceive)
        , reader(maxReceive)
    {
        if (request.protocol == Protocol::Connect)
            mode = method.kind == MethodKind::Unary ? Mode::ConnectUnary : Mode::ConnectStream;
        textRequest = request.protocol == Protocol::GrpcWebText;
        json = request.protocol == Protocol::Connect && request.contentCodec == ContentCodec::Json;
    }

    Impl *impl;
    CallRequest request;
    MethodInfo method;
    Mode mode = Mode::GrpcWeb;
    bool textRequest = false; // the request body is base64 (grpc-web-text)
    bool json = false;        // Connect with the JSON codec
    std::size_t maxReceive;
    Endpoint endpoint;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    curl_slist *connectTo = nullptr;
    curl_slist *proxyHeaders = nullptr;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    struct Pending
    {
        std::string bytes;    // as they go on the wire (framed, compressed, base64)
        std::size_t size = 0; // the message's own size
        std::string text;
    };
    std::deque<Pending> writes;
    std::size_t writeOffset = 0;
    bool closeRequested = false;
    bool halfClosedReported = false;
    bool bodyDone = false; // the read callback has said end of body
    bool paused = false;   // the read callback paused the upload for want of messages
    std::uint64_t sent = 0;
    std::uint64_t received = 0;

    int httpStatus = 0;
    bool interim = false; // reading a 1xx response's headers
    bool headersDone = false;
    Metadata responseHeaders; // as received, names lowercase
    Metadata httpTrailers;    // HTTP trailers after the body
    bool textResponse = false;
    bool errorBody = false; // a non-200 answer: the body says why
    bool trailersOnly = false;
    std::string encoding; // how compressed messages of the response are compressed
    web::EnvelopeReader reader;
    web::Base64Stream base64;
    std::string body;
    bool endSeen = false;             // the trailer block or the end-of-stream message arrived
    std::int64_t completeSinceNs = 0; // when the answer was seen complete while libcurl went on
    std::optional<RpcStatus> status;
    Metadata trailers;

    H2cServer *h2c = nullptr;      // the h2c server's bookkeeping, for calls over h2c
    H2cServer *opensH2c = nullptr; // asked for prior knowledge: it opens the h2c connection
    bool added = false;            // handed to libcurl (a held call is not yet)
    std::int64_t deadlineNs = 0;
    bool quiet = false;
    std::uint64_t loadId = 0;
    bool finished = false;

    CallEvent event(EventKind kind, Direction dir) const
    {
        CallEvent e;
        e.callId = request.callId;
        e.callKind = method.kind;
        e.kind = kind;
        e.direction = dir;
        e.timeNs = monotonicNs();
        return e;
    }

    void report(CallEvent e)
    {
        if (quiet && e.kind != EventKind::Started && e.kind != EventKind::Finished)
            return;
        impl->emit(std::move(e));
    }

    // Ends the call from inside a callback: the status is kept and the transfer aborted.
    void failInside(int code, std::string message)
    {
        if (!status) {
            RpcStatus s;
            s.code = code;
            s.message = std::move(message);
            status = std::move(s);
        }
    }

    // The message bytes (protobuf, or JSON for Connect's JSON codec) for `text`.
    Result<std::string> encodeMessage(std::string_view text) const
    {
        auto bytes = request.schema->encode(method.inputType, text, request.codec);
        if (!bytes || !json)
            return bytes;
        CodecOptions options;
        options.pretty = false;
        return request.schema->decode(method.inputType, *bytes, options);
    }

    // A message as it goes into the body.
    Pending frame(std::string payload, std::string text) const
    {
        Pending p;
        p.size = payload.size();
        p.text = std::move(text);
        const bool gzip = request.channel.gzip;
        if (mode == Mode::ConnectUnary) {
            p.bytes = gzip ? web::gzipCompress(payload) : std::move(payload);
            return p;
        }
        std::string framed;
        if (gzip)
            web::appendEnvelope(&framed, web::kCompressed, web::gzipCompress(payload));
        else
            web::appendEnvelope(&framed, 0, payload);
        if (textRequest)
            base64Append(framed, &p.bytes);
        else
            p.bytes = std::move(framed);
        return p;
    }

    bool queueMessage(std::string text, std::string *error)
    {
        auto payload = encodeMessage(text);
        if (!payload) {
            *error = payload.error().toString();
            return false;
        }
        if (request.channel.maxSendBytes > 0 &&
            payload->size() > static_cast<std::size_t>(request.channel.maxSendBytes)) {
            *error = "Sent message larger than max (" + std::to_string(payload->size()) + " vs. " +
                     std::to_string(request.channel.maxSendBytes) + ")";
            return false;
        }
        writes.push_back(frame(std::move(payload.value()), std::move(text)));
        return true;
    }

    void reportSent(Pending &p)
    {
        const bool last = writes.empty() && closeRequested;
        if (quiet) {
            ++sent;
        } else {
            CallEvent e = event(EventKind::MessageSent, Direction::Outbound);
            e.wireSize = p.size;
            e.index = sent++;
            e.payload = std::move(p.text);
            report(std::move(e));
        }
        if (last)
            reportHalfClosed();
    }

    void reportHalfClosed()
    {
        if (halfClosedReported)
            return;
        halfClosedReported = true;
        report(event(EventKind::HalfClosed, Direction::Outbound));
    }

    // libcurl asks for request body bytes.
    std::size_t onRead(char *buffer, std::size_t room)
    {
        std::size_t copied = 0;
        while (copied < room && !writes.empty()) {
            Pending &p = writes.front();
            const std::size_t take = std::min(room - copied, p.bytes.size() - writeOffset);
            std::memcpy(buffer + copied, p.bytes.data() + writeOffset, take);
            copied += take;
            writeOffset += take;
            if (writeOffset == p.bytes.size()) {
                Pending done = std::move(p);
                writes.pop_front();
                writeOffset = 0;
                reportSent(done);
            }
        }
        if (copied > 0)
            return copied;
        if (closeRequested) {
            bodyDone = true;
            reportHalfClosed();
            return 0;
        }
        paused = true;
        return CURL_READFUNC_PAUSE;
    }

    void resumeUpload()
    {
        if (paused && easy && !finished) {
            paused = false;
            curl_easy_pause(easy, CURLPAUSE_CONT);
        }
    }

    void onHeaderLine(std::string_view line)
    {
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.remove_suffix(1);
        if (startsWith(line, "HTTP/")) {
            const auto space = line.find(' ');
            httpStatus = space == std::string_view::npos
                             ? 0
                             : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
            interim = httpStatus >= 100 && httpStatus < 200;
            if (!headersDone)
                responseHeaders.clear();
            return;
        }
        if (line.empty()) {
            if (interim)
                interim = false;
            else if (!headersDone && httpStatus != 0) {
                headersDone = true;
                onHeadersDone();
            }
            return;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || interim)
            return;
        std::string name = lowercase(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
            value.remove_suffix(1);
        (headersDone ? httpTrailers : responseHeaders).emplace_back(std::move(name), std::string(value));
    }

    void onHeadersDone()
    {
        const std::string contentType = lowercase(headerValue(responseHeaders, "content-type"));
        if (method.kind == MethodKind::BidiStreaming) {
            long version = 0;
            curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
            if (version == CURL_HTTP_VERSION_1_0 || version == CURL_HTTP_VERSION_1_1) {
                failInside(kUnimplemented,
                           "the server answered over HTTP/1.1, which cannot carry a bidi stream; "
                           "ask for HTTP/2 (-http-version 2)");
                return;
            }
        }
        Metadata *connectTrailers = request.protocol == Protocol::Connect ? &trailers : nullptr;
        if (mode == Mode::GrpcWeb) {
            if (hasHeader(responseHeaders, "grpc-status")) {
                // Trailers-only: the status and the trailers came as the headers, as in gRPC.
                trailersOnly = true;
                return;
            }
            if (httpStatus != 200) {
                errorBody = true;
                return;
            }
            if (!startsWith(contentType, "application/grpc-web")) {
                failInside(kUnknown, "the server answered with content-type \"" + contentType +
                                         "\", not a gRPC-Web response");
                return;
            }
            textResponse = startsWith(contentType, "application/grpc-web-text");
            encoding = headerValue(responseHeaders, "grpc-encoding");
        } else if (httpStatus != 200) {
            errorBody = true;
            encoding = headerValue(responseHeaders, "content-encoding"); // the error JSON may be compressed
        } else {
            const bool stream = mode == Mode::ConnectStream;
            const std::string expected =
                std::string(stream ? "application/connect+" : "application/") + (json ? "json" : "proto");
            if (contentType != expected && !startsWith(contentType, expected + ";")) {
                failInside(kUnknown,
                           "the server answered with content-type \"" + contentType + "\", not " + expected);
                return;
            }
            encoding = headerValue(responseHeaders, stream ? "connect-content-encoding" : "content-encoding");
        }
        CallEvent e = event(EventKind::ResponseHeaders, Direction::Inbound);
        e.metadata = toMetadata(responseHeaders, connectTrailers != nullptr, connectTrailers);
        report(std::move(e));
    }

    // libcurl hands over response body bytes. Returning less than `size` aborts the transfer.
    std::size_t onBody(const char *data, std::size_t size)
    {
        if (status || finished)
            return 0;
        if (errorBody || trailersOnly) {
            body.append(data, std::min(size, kErrorBodyLimit - std::min(kErrorBodyLimit, body.size())));
            return size;
        }
        if (mode == Mode::ConnectUnary) {
            // Compressed or not, a unary answer is held until it is complete; its size is bounded
            // by the limit (a compressed body cannot be larger than what it inflates to, nearly).
            if (body.size() + size > maxReceive + 1024) {
                failInside(kResourceExhausted, "Received message larger than max (" +
                                                   std::to_string(body.size() + size) + " vs. " +
                                                   std::to_string(maxReceive) + ")");
                return 0;
            }
            body.append(data, size);
            return size;
        }
        std::string decoded;
        std::string_view bytes(data, size);
        if (textResponse) {
            if (!base64.feed(bytes, &decoded)) {
                failInside(kInternal, "the grpc-web-text response is not base64 (byte " +
                                          std::to_string(base64.errorAt()) + ")");
                return 0;
            }
            bytes = decoded;
        }
        std::vector<web::EnvelopeReader::Frame> frames;
        const bool fits = reader.feed(bytes, &frames);
        for (auto &f : frames) {
            if (!handleFrame(f.flags, std::move(f.payload)))
                return 0;
        }
        if (!fits) {
            failInside(kResourceExhausted, "Received message larger than max (" +
                                               std::to_string(reader.declaredSize()) + " vs. " +
                                               std::to_string(maxReceive) + ")");
            return 0;
        }
        return size;
    }

    // Inflates a compressed message; false (with the status set) when it cannot.
    bool inflate(std::string *payload)
    {
        if (encoding != "gzip") {
            failInside(kInternal, "a compressed message arrived with " +
                                      (encoding.empty() ? std::string("no encoding")
                                                        : "the encoding \"" + encoding + "\"") +
                                      "; only gzip is understood");
            return false;
        }
        bool tooLarge = false;
        auto plain = web::gzipDecompress(*payload, maxReceive, &tooLarge);
        if (!plain) {
            failInside(tooLarge ? kResourceExhausted : kInternal,
                       tooLarge ? "Received message larger than max (more than " +
                                      std::to_string(maxReceive) + " bytes once decompressed)"
                                : "a compressed message could not be inflated: " + plain.error().message);
            return false;
        }
        *payload = std::move(plain.value());
        return true;
    }

    bool handleFrame(std::uint8_t flags, std::string payload)
    {
        if (endSeen) {
            failInside(kInternal, "the server sent data after the end of the stream");
            return false;
        }
        if ((flags & web::kCompressed) && !inflate(&payload))
            return false;
        if (mode == Mode::GrpcWeb && (flags & web::kGrpcWebTrailers)) {
            endSeen = true;
            trailers = web::parseTrailerBlock(payload);
            return true;
        }
        if (mode == Mode::ConnectStream && (flags & web::kConnectEndStream)) {
            endSeen = true;
            auto end = web::parseEndStream(payload);
            if (!end) {
                failInside(kInternal, "the end-of-stream message cannot be read: " + end.error().message);
                return false;
            }
            trailers.insert(trailers.end(), end->trailers.begin(), end->trailers.end());
            RpcStatus s;
            if (end->error)
                s = request.schema->decodeStatus(end->error->code, end->error->message,
                                                 end->error->statusBytes);
            status = std::move(s);
            return true;
        }
        deliver(std::move(payload));
        return true;
    }

    // Decodes one response message and reports it, as the gRPC engine does.
    void deliver(std::string bytes)
    {
        CallEvent e = event(EventKind::MessageReceived, Direction::Inbound);
        e.wireSize = bytes.size();
        e.index = received++;
        if (json) {
            // The message arrives as JSON; the engine's consumers get it as any other message.
            CodecOptions options;
            options.allowUnknownFields = true;
            auto proto = request.schema->encode(method.outputType, bytes, options);
            if (!proto) {
                e.error = "the JSON message cannot be read as " + method.outputType + ": " +
                          proto.error().toString();
                e.raw = std::move(bytes);
                report(std::move(e));
                return;
            }
            bytes = std::move(proto.value());
        }
        takeReceivedBytes(e, std::move(bytes), request, method.outputType);
        report(std::move(e));
    }

    // The status from grpc-status, grpc-message and grpc-status-details-bin in `md`, which then
    // holds the trailers as gRPC reports them (without grpc-status and grpc-message).
    RpcStatus grpcStatusFrom(Metadata &md)
    {
        std::string code = headerValue(md, "grpc-status");
        std::string message = web::decodeGrpcMessage(headerValue(md, "grpc-message"));
        std::string details;
        Metadata kept;
        for (auto &[k, v] : md) {
            if (k == "grpc-status" || k == "grpc-message")
                continue;
            if (isBinaryKey(k)) {
                std::string raw;
                if (base64Decode(v, &raw))
                    v = std::move(raw);
                if (k == "grpc-status-details-bin")
                    details = v;
            }
            kept.emplace_back(std::move(k), std::move(v));
        }
        md = std::move(kept);
        char *end = nullptr;
        const long value = std::strtol(code.c_str(), &end, 10);
        if (code.empty() || *end != '\0' || value < 0 || value > 16) {
            RpcStatus s;
            s.code = kUnknown;
            s.message = code.empty() ? "the server's trailers have no grpc-status"
                                     : "the server sent grpc-status \"" + code + "\"";
            return s;
        }
        return request.schema->decodeStatus(static_cast<int>(value), std::move(message), std::move(details));
    }

    // Whether the whole answer is here: the status came (trailers-only, the trailer block, the
    // end-of-stream message), or a body of the length the headers gave.
    bool answerComplete() const
    {
        if (trailersOnly || endSeen)
            return true;
        if (!headersDone || (mode != Mode::ConnectUnary && !errorBody))
            return false;
        const std::string length = headerValue(responseHeaders, "content-length");
        return !length.empty() &&
               body.size() >= static_cast<std::size_t>(std::strtoull(length.c_str(), nullptr, 10));
    }

    static std::size_t readCallback(char *buffer, std::size_t size, std::size_t count, void *userdata)
    {
        return static_cast<Call *>(userdata)->onRead(buffer, size * count);
    }
    static std::size_t writeCallback(char *data, std::size_t size, std::size_t count, void *userdata)
    {
        const std::size_t n = size * count;
        return static_cast<Call *>(userdata)->onBody(data, n) == n ? n : 0;
    }
    static std::size_t headerCallback(char *data, std::size_t size, std::size_t count, void *userdata)
    {
        auto *call = static_cast<Call *>(userdata);
        call->onHeaderLine(std::string_view(data, size * count));
        return call->status ? 0 : size * count;
    }

    // The status of a call libcurl has finished with `rc`.
    RpcStatus outcome(CURLcode rc)
    {
        if (status)
            return *status;
        RpcStatus s;
        if (rc != CURLE_OK) {
            s.code = kUnavailable;
            curl_off_t connected = 0;
            curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connected);
            if (rc == CURLE_OPERATION_TIMEDOUT && connected == 0 && !headersDone)
                s.message = "could not connect to " + endpoint.shown + " within " +
                            std::to_string(request.channel.connectTimeoutMs) + " ms";
            else
                s.message = (headersDone ? "the connection to " : "could not reach ") + endpoint.shown +
                            ": " +
                            (errorBuffer[0] ? std::string(errorBuffer) : std::string(curl_easy_strerror(rc)));
            if (!headersDone && (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_WEIRD_SERVER_REPLY) &&
                request.httpVersion != HttpVersion::Http2)
                s.message +=
                    " (a server that speaks only HTTP/2 answers HTTP/1.1 so; try HTTP/2, -http-version 2)";
            else if (!headersDone && rc == CURLE_SSL_CONNECT_ERROR)
                s.message += " (a server without TLS answers a TLS handshake so; try http:// or -plaintext)";
            s.connectFailed = !headersDone && httpStatus == 0 && neverConnected(easy, rc, connected);
            if (!headersDone && rc != CURLE_OPERATION_TIMEDOUT) {
                if (auto proxy = proxyFor(request.channel); proxy && proxy.value())
                    s.message += " (through the HTTP proxy " + proxy.value()->url + " from " +
                                 proxy.value()->source + ")";
            }
            return s;
        }
        if (trailersOnly) {
            trailers = responseHeaders;
            trailers.erase(std::remove_if(trailers.begin(), trailers.end(),
                                          [](const auto &h) {
                                              return isProtocolHeader(h.first) && h.first != "grpc-status" &&
                                                     h.first != "grpc-message";
                                          }),
                           trailers.end());
            return grpcStatusFrom(trailers);
        }
        if (errorBody) {
            const int fallback = web::codeFromHttpStatus(httpStatus);
            if (request.protocol == Protocol::Connect && encoding == "gzip") {
                bool tooLarge = false;
                if (auto plain = web::gzipDecompress(body, kErrorBodyLimit, &tooLarge))
                    body = std::move(plain.value());
            }
            if (request.protocol == Protocol::Connect) {
                if (auto error = web::parseConnectError(body, fallback))
                    return request.schema->decodeStatus(error->code, error->message, error->statusBytes);
            }
            s.code = fallback;
            s.message = "the server answered HTTP " + std::to_string(httpStatus);
            std::string shown = body.substr(0, 200);
            if (!shown.empty() && std::all_of(shown.begin(), shown.end(), [](char c) {
                    return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
                }))
                s.message += ": " + shown;
            return s;
        }
        if (mode == Mode::ConnectUnary) {
            if ((!encoding.empty() && encoding != "identity") && !inflate(&body))
                return *status;
            if (body.size() > maxReceive) {
                s.code = kResourceExhausted;
                s.message = "Received message larger than max (" + std::to_string(body.size()) + " vs. " +
                            std::to_string(maxReceive) + ")";
                return s;
            }
            deliver(std::move(body));
            body.clear();
            return s; // OK
        }
        if (reader.pending() > 0 || (textResponse && !base64.complete())) {
            s.code = kInternal;
            s.message = "the response ended inside a message";
            return s;
        }
        if (mode == Mode::GrpcWeb) {
            if (endSeen)
                return grpcStatusFrom(trailers);
            if (hasHeader(httpTrailers, "grpc-status")) { // real HTTP trailers, as over gRPC
                trailers = httpTrailers;
                return grpcStatusFrom(trailers);
            }
            s.code = kInternal;
            s.message = "the server closed the stream without sending trailers";
            return s;
        }
        s.code = kInternal;
        s.message = "the stream ended without Connect's end-of-stream message";
        return s;
    }
};

void HttpEngine::Impl::run()
{
    for (;;) {
        runInbox();
        if (stopRequested && !stopping) {
            stopping = true;
            loads.clear();
            // By id: ending one call can end or start others (held calls, load runs).
            std::vector<std::uint64_t> open;
            for (auto &[id, call] : calls)
                open.push_back(id);
            for (const auto id : open) {
                auto it = calls.find(id);
                if (it == calls.end())
                    continue;
                RpcStatus s;
                s.code = kCancelled;
                s.message = "the engine is shutting down";
                s.local = true;
                finish(*it->second, std::move(s), {});
            }
        }
        if (stopping && calls.empty())
            break;
        int running = 0;
        curl_multi_perform(multi, &running);
        reapDone();
        sweep();
        flush();
        curl_multi_poll(multi, nullptr, 0, waitMs(), nullptr);
    }
    runInbox(); // commands that came during shutdown end with their own Finished
    flush();
}

void HttpEngine::Impl::reapDone()
{
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        Call *call = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&call));
        if (!call || call->finished)
            continue;
        const CURLcode rc = msg->data.result;
        RpcStatus s = call->outcome(rc);
        Metadata trailers = std::move(call->trailers);
        finish(*call, std::move(s), std::move(trailers));
    }
}

// Deadlines that have passed, and calls whose answer is complete while libcurl still waits to
// send more (a server that ends a client stream early).
void HttpEngine::Impl::sweep()
{
    const std::int64_t now = monotonicNs();
    std::vector<std::uint64_t> due; // by id: ending one call can end or start others
    for (auto &[address, server] : h2cServers) {
        if (server.rotating && server.opener && static_cast<const Call *>(server.opener)->headersDone)
            releaseHeld(server);
    }
    // libcurl 7.88 never finishes an HTTP/2 transfer whose stream the server ended (END_STREAM)
    // before the request body had gone out: the call would wait for ever. An answer that is
    // complete while the transfer goes on for longer than kStuckNs ends the call here.
    constexpr std::int64_t kStuckNs = 100 * 1000000;
    for (auto &[id, call] : calls) {
        if (call->finished)
            continue;
        if (call->added && call->answerComplete() && (call->halfClosedReported || call->paused)) {
            if (!call->completeSinceNs)
                call->completeSinceNs = now;
        }
        if ((call->deadlineNs && now >= call->deadlineNs) ||
            (call->completeSinceNs && now - call->completeSinceNs >= kStuckNs) ||
            (call->endSeen && call->paused && !call->bodyDone))
            due.push_back(id);
    }
    for (const auto id : due) {
        auto it = calls.find(id);
        if (it == calls.end())
            continue;
        Call *call = it->second.get();
        if ((call->endSeen && call->paused) || call->completeSinceNs) {
            RpcStatus s = call->outcome(CURLE_OK);
            Metadata trailers = std::move(call->trailers);
            finish(*call, std::move(s), std::move(trailers));
            continue;
        }
        RpcStatus s;
        s.code = kDeadlineExceeded;
        s.message = "Deadline Exceeded";
        finish(*call, std::move(s), {});
    }
}

int HttpEngine::Impl::waitMs()
{
    long curlWait = -1;
    curl_multi_timeout(multi, &curlWait);
    std::int64_t wait = curlWait < 0 ? 1000 : curlWait;
    const std::int64_t now = monotonicNs();
    for (auto &[id, call] : calls) {
        if (call->deadlineNs)
            wait = std::min<std::int64_t>(
                wait, std::max<std::int64_t>(0, (call->deadlineNs - now + 999999) / 1000000));
        if (call->completeSinceNs || (call->added && call->answerComplete()))
            wait = std::min<std::int64_t>(wait, 20);
    }
    return static_cast<int>(std::clamp<std::int64_t>(wait, 0, 1000));
}

bool HttpEngine::Impl::failLocally(std::uint64_t id, MethodKind kind, int code, std::string message)
{
    CallEvent e = localEvent(id, kind, EventKind::Finished);
    e.status.code = code;
    e.status.message = std::move(message);
    e.status.local = true;
    emit(std::move(e));
    disown(id);
    return false;
}

void HttpEngine::Impl::finish(Call &call, RpcStatus status, Metadata trailers)
{
    if (call.finished)
        return;
    call.finished = true;
    CallEvent e = call.event(EventKind::Finished, Direction::Inbound);
    e.index = call.received;
    e.messagesSent = call.sent;
    e.metadata = std::move(trailers);
    e.status = std::move(status);
    call.report(std::move(e));
    if (call.easy) {
        if (call.added)
            curl_multi_remove_handle(multi, call.easy);
        curl_easy_reset(call.easy);
        spare.push_back(call.easy);
        call.easy = nullptr;
    }
    curl_slist_free_all(call.headers);
    curl_slist_free_all(call.connectTo);
    curl_slist_free_all(call.proxyHeaders);
    if (call.opensH2c)
        --call.opensH2c->opening;
    H2cServer *rotated = call.h2c && call.h2c->opener == &call ? call.h2c : nullptr;
    if (call.h2c && !call.added)
        std::erase(call.h2c->held, call.request.callId);
    const std::uint64_t id = call.request.callId;
    const std::uint64_t load = call.loadId;
    disown(id);
    calls.erase(id); // destroys `call`
    if (rotated)     // the fresh connection is there, or could not be made: the held calls go
        releaseHeld(*rotated);
    if (load)
        loadCallDone(load);
    active.fetch_sub(1);
}

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

void HttpEngine::Impl::startLoad(LoadRequest request)
{
    loads.start(std::move(request), stopping, [this](auto &run, std::uint64_t loadId, std::uint64_t callId) {
        return launchLoadCall(run, loadId, callId);
    });
}

bool HttpEngine::Impl::launchLoadCall(LoadRuns<LoadShared>::Run &run, std::uint64_t loadId,
                                      std::uint64_t callId)
{
    CallRequest r = run.base;
    r.callId = callId;
    return start(std::move(r), loadId);
}

void HttpEngine::Impl::loadCallDone(std::uint64_t loadId)
{
    loads.callDone(loadId, stopping, [this](auto &run, std::uint64_t id, std::uint64_t callId) {
        return launchLoadCall(run, id, callId);
    });
}

HttpEngine::HttpEngine(EventQueue &events, std::atomic<int> &active, bool http2)
    : m_impl(std::make_unique<Impl>(events, active, http2))
{}

bool HttpEngine::isHttp2(const CallRequest &request)
{
    return request.protocol != Protocol::Grpc && request.httpVersion == HttpVersion::Http2;
}

HttpEngine::~HttpEngine() = default;

void HttpEngine::start(CallRequest request)
{
    {
        std::lock_guard lock(m_impl->ownedMutex);
        m_impl->owned.insert(request.callId);
    }
    m_impl->post([impl = m_impl.get(), r = std::move(request)]() mutable { impl->start(std::move(r)); });
}

void HttpEngine::startLoad(LoadRequest load)
{
    m_impl->post([impl = m_impl.get(), l = std::move(load)]() mutable { impl->startLoad(std::move(l)); });
}

void HttpEngine::send(std::uint64_t callId, std::string message)
{
    m_impl->post([impl = m_impl.get(), callId, m = std::move(message)]() mutable {
        auto it = impl->calls.find(callId);
        auto refuse = [&](std::string why, MethodKind kind, bool withText) {
            CallEvent e = localEvent(callId, kind, EventKind::MessageSent);
            e.error = std::move(why);
            if (withText)
                e.payload = std::move(m);
            impl->emit(std::move(e));
        };
        if (it == impl->calls.end()) {
            refuse("call " + std::to_string(callId) + " has ended or never started", MethodKind::Unary, true);
            return;
        }
        Impl::Call &call = *it->second;
        if (call.closeRequested || call.endSeen) {
            refuse(call.closeRequested ? "the request stream is already closed" : "the call has ended",
                   call.method.kind, false);
            return;
        }
        if (!call.method.clientStreams()) {
            refuse("a " + std::string(methodKindName(call.method.kind)) + " call takes one request message",
                   call.method.kind, false);
            return;
        }
        std::string error;
        std::string text = m;
        if (!call.queueMessage(std::move(text), &error)) {
            refuse(std::move(error), call.method.kind, true);
            return;
        }
        call.resumeUpload();
    });
}

void HttpEngine::halfClose(std::uint64_t callId)
{
    m_impl->post([impl = m_impl.get(), callId] {
        auto it = impl->calls.find(callId);
        if (it == impl->calls.end() || it->second->closeRequested)
            return;
        it->second->closeRequested = true;
        it->second->resumeUpload();
    });
}

void HttpEngine::cancel(std::uint64_t callId)
{
    m_impl->post([impl = m_impl.get(), callId] {
        auto it = impl->calls.find(callId);
        if (it == impl->calls.end())
            return;
        RpcStatus s;
        s.code = kCancelled;
        s.message = "Cancelled";
        s.local = true;
        impl->finish(*it->second, std::move(s), {});
    });
}

bool HttpEngine::owns(std::uint64_t callId) const
{
    std::lock_guard lock(m_impl->ownedMutex);
    return m_impl->owned.count(callId) > 0;
}

std::string HttpEngine::curlVersion()
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && info->version ? info->version : "";
}

} // namespace rpc::internal
