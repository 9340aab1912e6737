// SPDX-License-Identifier: GPL-3.0-or-later
// One web call's HTTP exchange (HttpEngine::Impl::Call): framing and sending the request
// messages, reading the response's headers, body and trailers (gRPC-Web, its text variant,
// Connect), and the call's status. Split from httpengine.cpp, which keeps the engine's loop.
#include "rpc/internal/httpengineimpl.h"

#include "rpc/internal/received.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace rpc::internal {

namespace {

constexpr std::size_t kDefaultMaxReceive = 4 * 1024 * 1024; // gRPC's default
constexpr std::size_t kErrorBodyLimit = 64 * 1024;          // an error body kept for its message

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
    // Closed without a byte of answer: gRPC core counts a connection that closes before the
    // server's first frame as never made too ("Socket closed"); a TLS server met without TLS
    // does so. Not after a TLS handshake: the server then took the request and may have acted
    // on it (it crashed, or closed on purpose), which is the call's failure.
    case CURLE_GOT_NOTHING: {
        curl_off_t handshake = 0;
        curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &handshake);
        return handshake == 0;
    }
    case CURLE_OPERATION_TIMEDOUT:
        return connected == 0;
    default:
        return false;
    }
}

} // namespace

HttpEngine::Impl::Call::Call(Impl *engine, CallRequest req, MethodInfo info)
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

CallEvent HttpEngine::Impl::Call::event(EventKind kind, Direction dir) const
{
    CallEvent e;
    e.callId = request.callId;
    e.callKind = method.kind;
    e.kind = kind;
    e.direction = dir;
    e.timeNs = monotonicNs();
    return e;
}

void HttpEngine::Impl::Call::report(CallEvent e)
{
    if (quiet && e.kind != EventKind::Started && e.kind != EventKind::Finished)
        return;
    impl->emit(std::move(e));
}

// Ends the call from inside a callback: the status is kept and the transfer aborted.
void HttpEngine::Impl::Call::failInside(int code, std::string message)
{
    if (!status) {
        RpcStatus s;
        s.code = code;
        s.message = std::move(message);
        status = std::move(s);
    }
}

// The message bytes (protobuf, or JSON for Connect's JSON codec) for `text`.
Result<std::string> HttpEngine::Impl::Call::encodeMessage(std::string_view text) const
{
    auto bytes = request.schema->encode(method.inputType, text, request.codec);
    if (!bytes || !json)
        return bytes;
    CodecOptions options;
    options.pretty = false;
    return request.schema->decode(method.inputType, *bytes, options);
}

// A message as it goes into the body.
HttpEngine::Impl::Call::Pending HttpEngine::Impl::Call::frame(std::string payload, std::string text) const
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

bool HttpEngine::Impl::Call::queueMessage(std::string text, std::string *error)
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

void HttpEngine::Impl::Call::reportSent(Pending &p)
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

void HttpEngine::Impl::Call::reportHalfClosed()
{
    if (halfClosedReported)
        return;
    halfClosedReported = true;
    report(event(EventKind::HalfClosed, Direction::Outbound));
}

// libcurl asks for request body bytes.
std::size_t HttpEngine::Impl::Call::onRead(char *buffer, std::size_t room)
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

void HttpEngine::Impl::Call::resumeUpload()
{
    if (paused && easy && !finished) {
        paused = false;
        curl_easy_pause(easy, CURLPAUSE_CONT);
    }
}

void HttpEngine::Impl::Call::onHeaderLine(std::string_view line)
{
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.remove_suffix(1);
    if (startsWith(line, "HTTP/")) {
        const auto space = line.find(' ');
        httpStatus =
            space == std::string_view::npos ? 0 : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
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

void HttpEngine::Impl::Call::onHeadersDone()
{
    const std::string contentType = lowercase(headerValue(responseHeaders, "content-type"));
    if (method.kind == MethodKind::BidiStreaming) {
        long version = 0;
        curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
        if (version == CURL_HTTP_VERSION_1_0 || version == CURL_HTTP_VERSION_1_1) {
            failInside(kUnimplemented, "the server answered over HTTP/1.1, which cannot carry a bidi stream; "
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
std::size_t HttpEngine::Impl::Call::onBody(const char *data, std::size_t size)
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
bool HttpEngine::Impl::Call::inflate(std::string *payload)
{
    if (encoding != "gzip") {
        failInside(kInternal,
                   "a compressed message arrived with " +
                       (encoding.empty() ? std::string("no encoding") : "the encoding \"" + encoding + "\"") +
                       "; only gzip is understood");
        return false;
    }
    bool tooLarge = false;
    auto plain = web::gzipDecompress(*payload, maxReceive, &tooLarge);
    if (!plain) {
        failInside(tooLarge ? kResourceExhausted : kInternal,
                   tooLarge ? "Received message larger than max (more than " + std::to_string(maxReceive) +
                                  " bytes once decompressed)"
                            : "a compressed message could not be inflated: " + plain.error().message);
        return false;
    }
    *payload = std::move(plain.value());
    return true;
}

bool HttpEngine::Impl::Call::handleFrame(std::uint8_t flags, std::string payload)
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
            s = request.schema->decodeStatus(end->error->code, end->error->message, end->error->statusBytes);
        status = std::move(s);
        return true;
    }
    deliver(std::move(payload));
    return true;
}

// Decodes one response message and reports it, as the gRPC engine does.
void HttpEngine::Impl::Call::deliver(std::string bytes)
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
            e.error =
                "the JSON message cannot be read as " + method.outputType + ": " + proto.error().toString();
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
RpcStatus HttpEngine::Impl::Call::grpcStatusFrom(Metadata &md)
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
bool HttpEngine::Impl::Call::answerComplete() const
{
    if (trailersOnly || endSeen)
        return true;
    if (!headersDone || (mode != Mode::ConnectUnary && !errorBody))
        return false;
    const std::string length = headerValue(responseHeaders, "content-length");
    return !length.empty() &&
           body.size() >= static_cast<std::size_t>(std::strtoull(length.c_str(), nullptr, 10));
}

std::size_t HttpEngine::Impl::Call::readCallback(char *buffer, std::size_t size, std::size_t count,
                                                 void *userdata)
{
    return static_cast<Call *>(userdata)->onRead(buffer, size * count);
}

std::size_t HttpEngine::Impl::Call::writeCallback(char *data, std::size_t size, std::size_t count,
                                                  void *userdata)
{
    const std::size_t n = size * count;
    return static_cast<Call *>(userdata)->onBody(data, n) == n ? n : 0;
}

std::size_t HttpEngine::Impl::Call::headerCallback(char *data, std::size_t size, std::size_t count,
                                                   void *userdata)
{
    auto *call = static_cast<Call *>(userdata);
    call->onHeaderLine(std::string_view(data, size * count));
    return call->status ? 0 : size * count;
}

// The status of a call libcurl has finished with `rc`.
RpcStatus HttpEngine::Impl::Call::outcome(CURLcode rc)
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
            s.message = (headersDone ? "the connection to " : "could not reach ") + endpoint.shown + ": " +
                        (errorBuffer[0] ? std::string(errorBuffer) : std::string(curl_easy_strerror(rc)));
        // libcurl says "Couldn't connect to server" for every failed connect(); the errno tells
        // a refusal (nothing listens there) apart.
        long osErrno = 0;
        if (rc == CURLE_COULDNT_CONNECT && curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &osErrno) == CURLE_OK &&
            osErrno == ECONNREFUSED)
            s.message += " (Connection refused)";
        if (!headersDone && (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_WEIRD_SERVER_REPLY) &&
            request.httpVersion != HttpVersion::Http2)
            // libcurl reads the HTTP/2 frames of a server that speaks nothing else as an HTTP/0.9
            // reply. What to try is for the front end to say (rpc::classifyWebMismatch): a flag
            // in wirescope-cli, a choice in the window.
            s.message = endpoint.shown + " answered an HTTP/1.1 request in HTTP/2: it speaks only HTTP/2 (libcurl: " +
                        (errorBuffer[0] ? std::string(errorBuffer) : std::string(curl_easy_strerror(rc))) + ")";
        else if (!headersDone && rc == CURLE_SSL_CONNECT_ERROR)
            s.message += " (a server without TLS answers a TLS handshake so)";
        s.connectFailed = !headersDone && httpStatus == 0 && neverConnected(easy, rc, connected);
        if (!headersDone && rc != CURLE_OPERATION_TIMEDOUT) {
            if (auto proxy = proxyFor(request.channel); proxy && proxy.value())
                s.message +=
                    " (through the HTTP proxy " + proxy.value()->url + " from " + proxy.value()->source + ")";
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

} // namespace rpc::internal
