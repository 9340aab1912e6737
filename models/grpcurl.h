// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"
#include "rpc/types.h"

#include <QString>
#include <QStringList>

namespace models {

// A request as a grpcurl command line, both ways.
struct GrpcurlCommand
{
    SavedRequest request; // method, target, metadata, body (a JSON array for several messages), deadline
    ConnectionSettings connection; // the target is the request's
    QStringList importPaths;
    QStringList protoFiles;
    QStringList protosets;
};

// The command that sends `request` over `connection`: grpcurl's flags (sizes in bytes and
// times in seconds, exactly), the body as -d, the schema flags when the schema comes from files.
// Variables of `environment` are replaced as when the request is sent; a secret becomes a
// reference to the shell variable WIRESCOPE_VAR_<NAME>, so the command works where that is set
// and the secret itself is never in the text. A variable the environment does not have, or a
// -bin header that is not base64, is an error naming it.
Result<QString> toGrpcurl(const SavedRequest &request, const ConnectionSettings &connection,
                          const QStringList &importPaths, const QStringList &protoFiles,
                          const QStringList &protosets, const Environment &environment);

// Why `request` (its protocol as sent, the workspace's defaults applied) cannot be copied as a
// curl command, or empty when it can: curl makes one plain HTTP request, which is what a Connect
// unary call is; streams and the other protocols frame their messages.
QString curlProblem(const SavedRequest &request, rpc::MethodKind kind);

// A curl command that makes the Connect unary call of `request` over `connection`: a POST to
// the target (host:port with http:// or https:// as the connection says, or the URL with its
// path prefix) and "/package.Service/Method", the body as compact JSON with
// "Content-Type: application/json" whatever the request's codec (so the command holds all it
// sends), "Connect-Protocol-Version: 1", the deadline as "Connect-Timeout-Ms", metadata as -H,
// --http1.1 or --http2-prior-knowledge (--http2 with TLS) for a chosen HTTP version, and TLS and
// proxy settings as curl's flags. Variables and secrets as in toGrpcurl. Every argument is
// quoted for a POSIX shell. The error says why when curlProblem() is not empty.
Result<QString> toCurl(const SavedRequest &request, const ConnectionSettings &connection, rpc::MethodKind kind,
                       const Environment &environment);

// Parses a pasted grpcurl (or wirescope-cli) command line: shell quoting ('…', "…", \),
// line continuations, "-flag value" and "-flag=value"; wirescope-cli's -protocol, -http-version
// and -codec become the request's protocol choice. What cannot become a request (list,
// describe, -d @, an unknown flag, a value that is not a number, a -bin header that is not
// base64) is an error that names it.
// A command line that starts with curl is read by parseCurl.
Result<GrpcurlCommand> parseGrpcurl(const QString &commandLine);

// Reads the arguments of a curl command (after "curl") that makes a Connect unary call, as
// toCurl writes it or as Postman or a browser copies one: a POST of a JSON body to
// http(s)://server[/prefix]/package.Service/Method, headers (Connect-Timeout-Ms the deadline,
// Host the authority, the rest metadata), --http1.1 / --http2(-prior-knowledge), TLS files,
// -k, --connect-to, proxies, unix sockets, timeouts; flags that change nothing sent (-s, -v,
// -i, -L, -o ...) are skipped. `command` comes with what was set before the program name (a
// proxy variable). A binary or gRPC body, a body from a file, another HTTP method or a flag
// Wirescope does not know is an error that names it.
Result<GrpcurlCommand> parseCurl(const QStringList &arguments, GrpcurlCommand command);

// Splits a command line as a POSIX shell would (without expansions); an error on an unclosed quote.
Result<QStringList> shellSplit(const QString &commandLine);
// One argument quoted for a POSIX shell, only when it needs it.
QString shellQuote(const QString &argument);

} // namespace models
