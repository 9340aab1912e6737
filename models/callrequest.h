// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"
#include "rpc/engine.h"
#include "rpc/schema.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace models {

// The one path from a saved request, its connection settings, an environment and secrets to an
// engine request. The window, `wirescope-cli run`, the CLI and grpcurl import/export all use it,
// so a request means the same wherever it is sent.

// The value of a secret variable, asked for by its exact name, with where it is used ("metadata
// authorization") for the question or the error. The window asks the keychain or the user; `run`
// answers from --var and WIRESCOPE_VAR_<NAME>.
using SecretLookup = std::function<Result<QString>(const QString &variable, const QString &where)>;

// The names of the {{name}} tokens in `text`, in order (spaces inside the braces trimmed).
QStringList variableTokens(const QString &text);

// `text` with every {{name}} replaced by the value of the variable of exactly that name. A
// secret takes its value from the environment when it has one (run --var), otherwise from
// `secrets`; it is only looked up when a token names it. An unknown name, or a secret without a
// value, is an error naming it and `where` ("target", "metadata x-token", "body").
Result<QString> resolveVariables(const QString &text, const Environment &environment, const QString &where,
                                 const SecretLookup &secrets = {});

// One request header as the engine takes it: the name in lower case; a "-bin" value is base64
// (standard or URL-safe, padding optional) and becomes its bytes. Anything else in a -bin value
// is an error naming the header. The one -bin rule of the window, `run`, the CLI and grpcurl.
Result<std::pair<std::string, std::string>> metadataEntry(const QString &key, const QString &value);

// A deadline in seconds (a request file, a grpcurl -max-time) as the engine's milliseconds:
// 0 for none; a positive deadline is never rounded down to "none".
Result<std::int64_t> deadlineMilliseconds(double seconds);

// The messages of a saved stream body: one per element when `body` is a JSON array (compact
// JSON each); nothing when it is not an array.
std::optional<std::vector<std::string>> arrayMessages(const QString &body);

struct CallOptions
{
    std::string userAgent;             // "wirescope/0.1.0", "wirescope-run"
    std::int64_t defaultDeadlineMs = 0; // for a request without a deadline of its own; 0: none
    // The body as UTF-8 when the caller holds it so (an editor's text): used instead of
    // request.body, and not converted to UTF-16 and back unless it has variables.
    std::optional<QByteArray> utf8Body;
};

// A request with its variables and secrets resolved, before a schema is known (reflection
// needs the channel and the headers first).
struct ResolvedRequest
{
    QString target; // resolved
    rpc::ChannelOptions channel;
    rpc::Metadata metadata; // "-bin" values decoded
    std::int64_t deadlineMs = 0;
    QByteArray body; // UTF-8, resolved
    ProtocolChoice protocol; // the request's, defaults applied: what it leaves unset is gRPC's
};

// Resolves target, metadata and body (in that order; the first problem is the error), and
// turns `connection` into the channel for the resolved target. `request` is as sent: the
// workspace's defaults already applied (withDefaults).
Result<ResolvedRequest> resolveRequest(const SavedRequest &request, const ConnectionSettings &connection,
                                       const Environment &environment, const SecretLookup &secrets,
                                       const CallOptions &options);

// How the body becomes messages. A JSON array on a client or bidi stream is a saved stream:
// one message per element, then half-close, in both modes.
enum class BodyMode {
    Interactive, // the window: otherwise the body is one message; a stream stays open for more
    Complete,    // run, the CLI: the body holds every message (JSON values one after another)
};

// The engine request for a resolved request and its method (call id not set), over the
// request's protocol, HTTP version and codec.
Result<rpc::CallRequest> toCallRequest(const ResolvedRequest &resolved, rpc::SchemaPtr schema,
                                       const rpc::MethodInfo &method, BodyMode mode);

// resolveRequest, then toCallRequest.
Result<rpc::CallRequest> buildCallRequest(const SavedRequest &request, const ConnectionSettings &connection,
                                          const Environment &environment, const SecretLookup &secrets,
                                          rpc::SchemaPtr schema, const rpc::MethodInfo &method, BodyMode mode,
                                          const CallOptions &options);

} // namespace models
