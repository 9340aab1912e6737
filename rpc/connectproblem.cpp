// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectproblem.h"

#include <initializer_list>

namespace rpc {

namespace {

bool containsAny(std::string_view text, std::initializer_list<std::string_view> needles)
{
    for (auto needle : needles)
        if (text.find(needle) != std::string_view::npos)
            return true;
    return false;
}

} // namespace

ConnectProblem classifyConnectProblem(std::string_view message, bool plaintext)
{
    // Through an HTTP proxy (the engines add "through the HTTP proxy URL", the tap names "the
    // proxy URL") a refusal or a closed connection may be the proxy's: not said of the server.
    const bool proxied = containsAny(message, {"HTTP proxy ", "the proxy "});
    // gRPC core (the kernel's words) and the HTTP engine say "Connection refused"; the wire tap
    // "connection refused by".
    if (containsAny(message, {"Connection refused", "connection refused"}))
        return proxied ? ConnectProblem::Unknown : ConnectProblem::Refused;
    if (!plaintext) {
        // OpenSSL reading a first reply that is no TLS record (an HTTP/2 SETTINGS frame, an
        // HTTP/1.1 status line): gRPC core, libcurl and the tap all pass its reason on.
        if (containsAny(message, {"wrong version number", "WRONG_VERSION_NUMBER", "packet length too long",
                                  "PACKET_LENGTH_TOO_LONG", "record layer failure", "RECORD_LAYER_FAILURE"}))
            return ConnectProblem::ServerWithoutTls;
        if (containsAny(message, {"certificate verify failed", "CERTIFICATE_VERIFY_FAILED",
                                  "SSL certificate problem"}))
            return ConnectProblem::CertificateRejected;
        return ConnectProblem::Unknown;
    }
    // A TLS server reads the HTTP/2 preface (or an HTTP/1.1 request) as a broken TLS record and
    // closes without a byte of answer: gRPC core's "Socket closed", libcurl's "Empty reply".
    // The wire tap says "... the connection without answering" when the server sent nothing.
    if (!proxied && containsAny(message, {"Socket closed", "reset by peer", "Empty reply from server",
                                          "the connection without answering"}))
        return ConnectProblem::ServerExpectsTls;
    return ConnectProblem::Unknown;
}

WebMismatch classifyWebMismatch(std::string_view message)
{
    // libcurl reads an HTTP/2 server's SETTINGS frame, sent in answer to an HTTP/1.1 request, as
    // an HTTP/0.9 reply and refuses it; the HTTP engine then says so in these words.
    if (containsAny(message, {"Received HTTP/0.9 when not allowed", "it speaks only HTTP/2"}))
        return WebMismatch::OnlyHttp2;
    // The HTTP engine names a reply's unexpected content type: gRPC's own is application/grpc,
    // with or without a codec ("+proto"), where gRPC-Web's is application/grpc-web.
    constexpr std::string_view grpcType = "content-type \"application/grpc";
    if (const auto at = message.find(grpcType); at != std::string_view::npos) {
        const char next = at + grpcType.size() < message.size() ? message[at + grpcType.size()] : '\0';
        if (next == '"' || next == '+' || next == ';')
            return WebMismatch::GrpcServer;
    }
    // gRPC core's server refuses a request without "te: trailers" (gRPC-Web over HTTP/2 sends none).
    if (containsAny(message, {"Missing :te header"}))
        return WebMismatch::GrpcServer;
    // libcurl's words for a reset HTTP/2 stream; "could not reach" is the HTTP engine's lead for a
    // failure before any response head.
    if (message.substr(0, 16) == "could not reach " &&
        containsAny(message, {"Stream error in the HTTP/2 framing layer"}))
        return WebMismatch::ResetUnanswered;
    return WebMismatch::None;
}

std::string connectProblemText(ConnectProblem problem, std::string_view message, std::string_view address)
{
    const std::string at(address);
    switch (problem) {
    case ConnectProblem::Refused:
        return "connection refused by " + at;
    case ConnectProblem::ServerWithoutTls:
        return "TLS handshake with " + at + " failed: the server does not speak TLS";
    case ConnectProblem::ServerExpectsTls:
        return at + " closed the connection without answering: the server may expect TLS";
    case ConnectProblem::CertificateRejected: {
        // The wire tap says why OpenSSL rejected it, "certificate verify failed (REASON)", and
        // libcurl "SSL certificate problem: REASON"; gRPC core does not.
        std::string said = "TLS handshake with " + at + " failed: certificate verify failed";
        constexpr std::string_view verify = "certificate verify failed (", curl = "SSL certificate problem: ";
        if (const auto from = message.find(verify); from != std::string_view::npos) {
            const auto reason = message.substr(from + verify.size() - 1);
            if (const auto end = reason.find(')'); end != std::string_view::npos)
                said += " " + std::string(reason.substr(0, end + 1));
        } else if (const auto pos = message.find(curl); pos != std::string_view::npos) {
            const auto reason = message.substr(pos + curl.size());
            said += " (" + std::string(reason.substr(0, reason.find(" ("))) + ")";
        }
        return said;
    }
    case ConnectProblem::Unknown:
        break;
    }
    // "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50077: Ssl
    // handshake failed: ..." keeps what follows the resolved address.
    constexpr std::string_view chain = "failed to connect to all addresses; last error: ";
    const auto start = message.find(chain);
    if (start == std::string_view::npos)
        return std::string(message);
    std::string_view rest = message.substr(start + chain.size());
    // "CODE: " then "ipv4:HOST:PORT: ", "ipv6:[...]:PORT: " or "unix:PATH: ".
    if (const auto code = rest.find(": "); code != std::string_view::npos)
        rest.remove_prefix(code + 2);
    for (std::string_view scheme : {"ipv4:", "ipv6:", "unix:", "unix-abstract:"}) {
        if (rest.substr(0, scheme.size()) == scheme) {
            if (const auto end = rest.find(": "); end != std::string_view::npos)
                rest.remove_prefix(end + 2);
            break;
        }
    }
    return std::string(message.substr(0, start)) + std::string(rest);
}

bool mentionsConnectFailure(std::string_view message, bool atStart)
{
    for (std::string_view phrase : {"failed to connect to all addresses", "DNS resolution failed", "empty address list"}) {
        const auto at = message.find(phrase);
        if (at == 0 || (!atStart && at != std::string_view::npos))
            return true;
    }
    return false;
}

} // namespace rpc
