// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/protocolchoice.h"

#include "rpc/engine.h"
#include "rpc/web.h"

#include <QJsonValue>

namespace models {

ProtocolChoice ProtocolChoice::over(const ProtocolChoice &fallback) const
{
    if (protocol)
        return *this;
    ProtocolChoice c = fallback;
    if (httpVersion)
        c.httpVersion = httpVersion;
    if (codec)
        c.codec = codec;
    return c;
}

rpc::ContentCodec ProtocolChoice::effectiveCodec() const
{
    return effectiveProtocol() == rpc::Protocol::Connect ? codec.value_or(rpc::ContentCodec::Proto)
                                                          : rpc::ContentCodec::Proto;
}

void ProtocolChoice::applyTo(rpc::CallRequest &call) const
{
    call.protocol = effectiveProtocol();
    call.httpVersion = effectiveHttpVersion();
    call.contentCodec = effectiveCodec();
}

QString ProtocolChoice::problem(rpc::MethodKind kind, bool tls) const
{
    return QString::fromStdString(rpc::protocolProblem(effectiveProtocol(), effectiveHttpVersion(), kind, tls));
}

Result<ProtocolChoice> ProtocolChoice::fromJson(const QJsonObject &object)
{
    ProtocolChoice c;
    auto text = [&](const char *key, std::optional<QString> *out) -> Status {
        const QJsonValue v = object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString())
            return fail(QStringLiteral("\"%1\" must be a string").arg(QLatin1String(key)), QLatin1String(key));
        *out = v.toString();
        return {};
    };
    std::optional<QString> protocol, version, codec;
    for (auto [key, out] : {std::pair{"protocol", &protocol}, std::pair{"http_version", &version},
                            std::pair{"codec", &codec}}) {
        if (Status s = text(key, out); !s)
            return s.error();
    }
    if (protocol) {
        c.protocol = rpc::protocolFromName(protocol->toStdString());
        if (!c.protocol)
            return fail(QStringLiteral("\"protocol\" must be \"grpc\", \"grpcweb\", \"grpcweb-text\" or \"connect\", "
                                       "not \"%1\"")
                            .arg(*protocol),
                        QStringLiteral("protocol"));
    }
    if (version) {
        if (*version == QLatin1String("1.1"))
            c.httpVersion = rpc::HttpVersion::Http1;
        else if (*version == QLatin1String("2"))
            c.httpVersion = rpc::HttpVersion::Http2;
        else
            return fail(QStringLiteral("\"http_version\" must be \"1.1\" or \"2\", not \"%1\"").arg(*version),
                        QStringLiteral("http_version"));
    }
    if (codec) {
        if (*codec == QLatin1String("proto"))
            c.codec = rpc::ContentCodec::Proto;
        else if (*codec == QLatin1String("json"))
            c.codec = rpc::ContentCodec::Json;
        else
            return fail(QStringLiteral("\"codec\" must be \"proto\" or \"json\", not \"%1\"").arg(*codec),
                        QStringLiteral("codec"));
    }
    return c;
}

void ProtocolChoice::writeTo(QJsonObject &object) const
{
    for (const char *key : kProtocolKeys)
        object.remove(QLatin1String(key));
    if (protocol)
        object.insert(QStringLiteral("protocol"), QLatin1String(rpc::protocolName(*protocol)));
    if (httpVersion && *httpVersion != rpc::HttpVersion::Default)
        object.insert(QStringLiteral("http_version"),
                      *httpVersion == rpc::HttpVersion::Http1 ? QStringLiteral("1.1") : QStringLiteral("2"));
    if (codec)
        object.insert(QStringLiteral("codec"),
                      *codec == rpc::ContentCodec::Json ? QStringLiteral("json") : QStringLiteral("proto"));
}

QString protocolLabel(rpc::Protocol protocol)
{
    switch (protocol) {
    case rpc::Protocol::Grpc:
        return QStringLiteral("gRPC");
    case rpc::Protocol::GrpcWeb:
        return QStringLiteral("gRPC-Web");
    case rpc::Protocol::GrpcWebText:
        return QStringLiteral("gRPC-Web (base64)");
    case rpc::Protocol::Connect:
        return QStringLiteral("Connect");
    }
    return {};
}

} // namespace models
