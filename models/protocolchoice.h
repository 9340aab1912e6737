// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"
#include "rpc/types.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace rpc {
struct CallRequest;
}

namespace models {

// How a request goes over the wire, as a request file or the workspace's "defaults" say it:
// "protocol" ("grpc", "grpcweb", "grpcweb-text", "connect"), "http_version" ("1.1" or "2") and
// "codec" ("proto" or "json", Connect's message encoding). Each may be left out; what is left
// out comes from a fallback (over()), and in the end gRPC, the protocol's HTTP version and
// protobuf binary.
struct ProtocolChoice
{
    std::optional<rpc::Protocol> protocol;
    std::optional<rpc::HttpVersion> httpVersion; // Http1 or Http2; unset: the protocol's default
    std::optional<rpc::ContentCodec> codec;

    bool isEmpty() const { return !protocol && !httpVersion && !codec; }
    // This choice with what it leaves unset taken from `fallback`. A choice that names its
    // protocol keeps its own HTTP version and codec (unset: that protocol's defaults): a request
    // saying "grpc" does not inherit a default "http_version": "1.1" meant for Connect. One that
    // names none takes the fallback's protocol, and its HTTP version and codec where it says none.
    ProtocolChoice over(const ProtocolChoice &fallback) const;
    rpc::Protocol effectiveProtocol() const { return protocol.value_or(rpc::Protocol::Grpc); }
    // A web protocol's HTTP version. gRPC always speaks HTTP/2: a version left over from a web
    // protocol chosen before (the window's box keeps it, disabled) is not gRPC's.
    rpc::HttpVersion effectiveHttpVersion() const
    {
        return effectiveProtocol() == rpc::Protocol::Grpc ? rpc::HttpVersion::Default
                                                          : httpVersion.value_or(rpc::HttpVersion::Default);
    }
    // Connect's codec; gRPC and gRPC-Web always send protobuf binary.
    rpc::ContentCodec effectiveCodec() const;
    // Sets the call's protocol, HTTP version and codec.
    void applyTo(rpc::CallRequest &call) const;
    // Why a `kind` call cannot go this way (rpc::protocolProblem), or empty when it can. `tls`:
    // whether the connection uses TLS (a https:// target, or TLS chosen).
    QString problem(rpc::MethodKind kind, bool tls) const;

    // The three keys of `object` (a request file, or "defaults"). A value that is not one of
    // those allowed is an error that names the key, the value and what it may be.
    static Result<ProtocolChoice> fromJson(const QJsonObject &object);
    // Writes the keys that are set into `object`, and takes out the others.
    void writeTo(QJsonObject &object) const;

    bool operator==(const ProtocolChoice &other) const = default;
};

// The keys ProtocolChoice reads and writes.
inline constexpr const char *kProtocolKeys[] = {"protocol", "http_version", "codec"};

// "gRPC", "gRPC-Web", "gRPC-Web (base64)", "Connect": the protocol as the window names it.
QString protocolLabel(rpc::Protocol protocol);

} // namespace models
