// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"
#include "rpc/types.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <string>

namespace models {

class Workspace;

// How a request reaches its server, in the engine's exact units (bytes, milliseconds), the same
// for the window, `wirescope-cli run`, the CLI's flags and grpcurl commands. The target is the
// request's, not part of these settings.
struct ConnectionSettings
{
    static constexpr int kDefaultConnectTimeoutMs = 10000;

    bool plaintext = true;
    QString caFile, certFile, keyFile; // PEM files; used with TLS only
    bool skipVerify = false;
    QString authority;  // :authority override; with TLS also the name checked, unless serverName
    QString serverName; // the name checked against the server certificate
    bool gzip = false;
    int maxReceiveBytes = 0; // 0: gRPC's default (4 MiB)
    int maxSendBytes = 0;    // 0: unlimited
    int keepaliveMs = 0;     // 0: no keepalive pings
    int connectTimeoutMs = kDefaultConnectTimeoutMs; // 0: wait as long as the call may
    // As rpc::ChannelOptions::proxy: empty, the environment's; "none", no proxy; or a URL.
    QString proxy;

    // The engine's options for a call to `target` (variables already resolved): the one
    // conversion from settings to a channel.
    rpc::ChannelOptions toOptions(const QString &target, const std::string &userAgent) const;

    // A named connection of a workspace's wirescope.json ("plaintext", "ca_file", "cert_file",
    // "key_file", "skip_verify", "authority", "server_name", "gzip", "max_receive_bytes",
    // "max_send_bytes", "keepalive_seconds", "connect_timeout_seconds", "proxy"). File paths are
    // relative to the workspace and may not leave it. An empty name gives the defaults. A value
    // of the wrong kind is an error naming the connection and the key.
    static Result<ConnectionSettings> fromWorkspace(const Workspace &workspace, const QString &name);

    bool operator==(const ConnectionSettings &other) const = default;
};

// Seconds (a workspace file, a grpcurl flag) as whole milliseconds, rounded to the nearest; a
// positive time never becomes 0 (which means "none" to the engine). Nothing for a negative or
// non-finite value, or one beyond what the engine holds (about 24 days).
Result<int> millisecondsFromSeconds(double seconds, const QString &what);

} // namespace models
