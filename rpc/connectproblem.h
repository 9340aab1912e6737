// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace rpc {

// Why a connection to a server was never made, told apart from the words gRPC core, libcurl and
// the wire tap use for it. The one classification behind the window's hint and wirescope-cli's
// message (models/callsession.cpp, app/cli).
enum class ConnectProblem {
    Unknown,
    Refused,             // nothing listens at the address
    ServerWithoutTls,    // a TLS handshake was answered by something that is not TLS (a plaintext server)
    ServerExpectsTls,    // plaintext was met by a server that closed at once or answered in TLS
    CertificateRejected, // the TLS handshake failed because the server's certificate was not trusted
};

// A gRPC-Web or Connect call answered by a server that does not speak that protocol, told apart
// from the HTTP engine's words: the other half of what the window's hint and wirescope-cli say
// of such a failure.
enum class WebMismatch {
    None,
    OnlyHttp2,  // an HTTP/1.1 request answered in HTTP/2 (a server that speaks only HTTP/2, as gRPC servers do)
    GrpcServer, // an answer in gRPC's own content type, or gRPC core's refusal of a request without
                // "te: trailers": a server that speaks gRPC and not the protocol asked for
    ResetUnanswered, // an HTTP/2 request reset before any answer: what gRPC core's server does,
                     // some of the time, to a content type it refuses
};

// `message`: the status message of a gRPC-Web or Connect call.
WebMismatch classifyWebMismatch(std::string_view message);

// `message`: the status message of a call or reflection request that never reached the server
// (RpcStatus::connectFailed, or a failed dial through the wire tap); `plaintext`: whether the
// client spoke without TLS. Only words that belong to one cause count: a message with none of
// them is Unknown, and so is a refusal or a closed connection through an HTTP proxy (which may be
// the proxy's).
ConnectProblem classifyConnectProblem(std::string_view message, bool plaintext);

// A short sentence for `problem`, naming `address` as the user typed it: "connection refused by
// 127.0.0.1:1", "TLS handshake with 127.0.0.1:50077 failed: the server does not speak TLS" (with
// OpenSSL's reason where the message gives one, for a rejected certificate). For
// Unknown, `message` without gRPC core's "failed to connect to all addresses; last error: CODE:
// ipv4:ADDRESS:" preamble (which names the resolved address, not the typed one).
std::string connectProblemText(ConnectProblem problem, std::string_view message, std::string_view address);

// Whether `message` is gRPC core's account of a channel that could not connect at all ("failed
// to connect to all addresses", a DNS failure, no address): at its start (a call's status), or
// anywhere (a reflection error that quotes the status).
bool mentionsConnectFailure(std::string_view message, bool atStart = false);

} // namespace rpc
