// SPDX-License-Identifier: GPL-3.0-or-later
#include "common.h"

#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "rpc/connectproblem.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/web.h"
#include "wirescope_version.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <limits>

namespace cli {

int usageError(const std::string &message, const std::string &command)
{
    std::cerr << message << "\nSee '" << command << " -help' for the usage and the flags.\n";
    return kExitUsage;
}

int connectFailed(const std::string &lead, const std::string &message, const std::string &address,
                  bool plaintext, bool verbose)
{
    const auto problem = rpc::classifyConnectProblem(message, plaintext);
    const std::string said = rpc::connectProblemText(problem, message, address);
    std::cerr << lead << said << "\n";
    // A URL says with its scheme whether it uses TLS; -plaintext cannot change that.
    const bool url = rpc::isUrlTarget(address);
    switch (problem) {
    case rpc::ConnectProblem::ServerWithoutTls:
        std::cerr << (url ? "(is it a plaintext server? try http://)\n" : "(is it a plaintext server? try -plaintext)\n");
        break;
    case rpc::ConnectProblem::ServerExpectsTls:
        std::cerr << (url ? "(is it a TLS server? try https://)\n" : "(is it a TLS server? try without -plaintext)\n");
        break;
    case rpc::ConnectProblem::CertificateRejected:
        std::cerr << "(give the CA that signed it with -cacert, the name it is for with -servername, or skip "
                     "the check with -insecure)\n";
        break;
    case rpc::ConnectProblem::Refused:
    case rpc::ConnectProblem::Unknown:
        break;
    }
    if (verbose && said != message)
        std::cerr << "  (" << message << ")\n";
    return kExitError;
}

void defineProtocolFlags(Flags &f)
{
    using K = Flags::Kind;
    f.define("protocol", K::Value,
             "The protocol of the call: grpc (the default), grpcweb (gRPC-Web, binary), grpcweb-text (gRPC-Web "
             "with base64 bodies) or connect. gRPC-Web cannot stream requests (client-streaming and bidi "
             "methods); a bidi stream needs HTTP/2.");
    f.define("http-version", K::Value,
             "HTTP version for grpcweb and connect: 1.1 or 2 (without TLS HTTP/2 with prior knowledge). "
             "Default: 1.1 without TLS, and with TLS what ALPN agrees (HTTP/2 offered first). gRPC is always 2.");
    f.define("codec", K::Value, "Message encoding of -protocol connect: proto (the default) or json.");
}

void defineCommonFlags(Flags &f)
{
    using K = Flags::Kind;
    f.define("plaintext", K::Bool, "Use plain-text HTTP/2 when connecting to the server (no TLS).");
    f.define("insecure", K::Bool, "Skip server certificate and domain verification (NOT SECURE).");
    f.define("cacert", K::Value, "File containing trusted root certificates for verifying the server.");
    f.define("cert", K::Value, "File containing the client certificate (public key), for mutual TLS.");
    f.define("key", K::Value, "File containing the client private key, for mutual TLS.");
    f.define("authority", K::Value,
             "The value of the :authority pseudo-header; with TLS also the name checked against the server "
             "certificate.");
    f.define("servername", K::Value, "Override the server name used to verify the server certificate.");
    f.define("unix", K::Bool,
             "The address is the path of a unix domain socket (as unix:PATH; unix-abstract:NAME also works "
             "as an address).");
    f.define(
        "proxy", K::Value,
        "HTTP CONNECT proxy, http://[USER:PASSWORD@]HOST:PORT, or 'none' to connect directly. Without it the "
        "grpc_proxy, https_proxy, http_proxy, no_grpc_proxy and no_proxy variables decide, as in gRPC.");
    defineProtocolFlags(f);
    f.define("H", K::List,
             "Additional header in 'name: value' form, for the RPC and reflection. Repeatable.");
    f.define("rpc-header", K::List, "Additional header for the RPC only. Repeatable.");
    f.define("reflect-header", K::List, "Additional header for reflection requests only. Repeatable.");
    f.define("import-path", K::List,
             "Path to a directory from which proto sources can be imported (protoc -I). Repeatable.");
    f.define("proto", K::List, "Name of a proto source file, relative to an import path. Repeatable.");
    f.define("protoset", K::List, "File containing an encoded FileDescriptorSet. Repeatable.");
    f.define("use-reflection", K::Bool,
             "Use server reflection (the default unless -proto or -protoset is given).");
    f.define("max-time", K::Value,
             "Maximum total time for the operation, in seconds (may be fractional; at most 2147483).");
    f.define("connect-timeout", K::Value,
             "Maximum time to wait for the connection, in seconds (default 10; at most 2147483).");
    f.define("keepalive-time", K::Value,
             "Idle time after which a keepalive ping is sent, in seconds (at most 2147483).");
    f.define("max-msg-sz", K::Value, "Maximum encoded size of a response message, in bytes (default 4 MiB).");
    f.define("d", K::Value,
             "Request data: JSON (or text) messages; '@' reads them from standard input and sends each "
             "as soon as it has been read.");
    f.define("format", K::Value, "Request and response format: json (default) or text.");
    f.define("emit-defaults", K::Bool, "Print fields that hold their default value in JSON output.");
    f.define("allow-unknown-fields", K::Bool,
             "Accept (and drop) fields the schema does not know in JSON requests.");
    f.define("v", K::Bool,
             "Verbose: print headers, trailers and the resolved method, and (on stderr) what was repaired in "
             "the files a reflection server sent, or gRPC's own words for a server that cannot be reached.");
    f.define("vv", K::Bool, "Very verbose: also message sizes and timing data.");
    f.define("help", K::Bool, "Print this help.");
    f.define("version", K::Bool, "Print the version and exit.");
}

namespace {
std::string trim(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}
} // namespace

bool parseHeaders(const std::vector<std::string> &lines, rpc::Metadata *out, std::string *error)
{
    for (const auto &line : lines) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) {
            *error = "invalid header \"" + line + "\": expected 'name: value'";
            return false;
        }
        std::string key = trim(line.substr(0, colon));
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        // The one -bin rule of the window, `run` and grpcurl import (models/callrequest.h).
        auto entry = models::metadataEntry(QString::fromStdString(key),
                                           QString::fromStdString(trim(line.substr(colon + 1))));
        if (!entry) {
            *error = entry.errorMessage().toStdString();
            return false;
        }
        if (auto problem = rpc::headerProblem(entry->first, entry->second); !problem.empty()) {
            *error = problem;
            return false;
        }
        out->push_back(std::move(*entry));
    }
    return true;
}

bool parseSeconds(const std::string &text, double *seconds)
{
    try {
        std::size_t used = 0;
        *seconds = std::stod(text, &used);
        return used == text.size() && *seconds >= 0;
    } catch (...) {
        return false;
    }
}

rpc::ChannelOptions channelOptions(const Flags &f, const std::string &address)
{
    // The flags as connection settings, turned into the engine's options by the one conversion
    // the window and `run` use too (models/connectionsettings.h).
    auto text = [&f](const char *name) { return QString::fromStdString(f.value(name)); };
    models::ConnectionSettings c;
    if (f.isSet("proxy"))
        c.proxy = f.value("proxy").empty() ? QString::fromLatin1(rpc::kNoProxy) : text("proxy");
    c.plaintext = f.boolean("plaintext");
    // A URL target ("https://host:port/prefix") says itself whether it uses TLS; the channel
    // goes to its host and port.
    std::string target = f.boolean("unix") && address.rfind("unix:", 0) != 0 ? "unix:" + address : address;
    if (rpc::isUrlTarget(address)) {
        if (auto url = rpc::parseUrlTarget(address)) {
            target = url->hostPort;
            c.plaintext = !url->tls;
        }
    }
    c.skipVerify = f.boolean("insecure");
    c.caFile = text("cacert");
    c.certFile = text("cert");
    c.keyFile = text("key");
    c.authority = text("authority");
    c.serverName = text("servername");
    double s = 0;
    if (f.isSet("connect-timeout") && parseSeconds(f.value("connect-timeout"), &s))
        c.connectTimeoutMs = models::millisecondsFromSeconds(s, QString()).valueOr(c.connectTimeoutMs);
    if (f.isSet("keepalive-time") && parseSeconds(f.value("keepalive-time"), &s))
        c.keepaliveMs = models::millisecondsFromSeconds(s, QString()).valueOr(0);
    if (f.isSet("max-msg-sz"))
        c.maxReceiveBytes = std::atoi(f.value("max-msg-sz").c_str());
    return c.toOptions(QString::fromStdString(target), std::string("wirescope-cli/") + WIRESCOPE_VERSION);
}

bool checkProtocolFlags(const Flags &f, const std::string &address, std::string *error)
{
    const auto protocol = rpc::protocolFromName(f.value("protocol", "grpc"));
    if (!protocol) {
        *error = "The -protocol value must be grpc, grpcweb, grpcweb-text or connect, not \"" + f.value("protocol") +
                 "\".";
        return false;
    }
    const std::string version = f.value("http-version", "");
    if (f.isSet("http-version") && version != "1.1" && version != "2") {
        *error = "The -http-version value must be 1.1 or 2, not \"" + version + "\".";
        return false;
    }
    const std::string codec = f.value("codec", "proto");
    if (codec != "proto" && codec != "json") {
        *error = "The -codec value must be proto or json, not \"" + codec + "\".";
        return false;
    }
    if (f.isSet("codec") && *protocol != rpc::Protocol::Connect) {
        *error = "The -codec option is for -protocol connect; gRPC and gRPC-Web send protobuf binary.";
        return false;
    }
    if (*protocol == rpc::Protocol::Grpc && version == "1.1") {
        *error = "gRPC needs HTTP/2: -http-version 1.1 is for -protocol grpcweb and connect.";
        return false;
    }
    if (!rpc::isUrlTarget(address))
        return true;
    auto url = rpc::parseUrlTarget(address);
    if (!url) {
        *error = "Bad address: " + url.error().message + ".";
        return false;
    }
    if (f.boolean("unix")) {
        *error = "The -unix option takes a socket path, not a URL.";
        return false;
    }
    if (url->tls && f.boolean("plaintext")) {
        *error = "The address " + address + " asks for TLS (https://), and -plaintext for none.";
        return false;
    }
    if (!url->tls && (f.boolean("insecure") || f.isSet("cacert") || f.isSet("cert"))) {
        *error = "The address " + address + " has no TLS (http://): -insecure, -cacert, -cert and -key need https://.";
        return false;
    }
    if (*protocol == rpc::Protocol::Grpc && !url->prefix.empty()) {
        *error = "gRPC cannot put a path prefix (" + url->prefix +
                 ") before the method; use -protocol grpcweb or connect, or leave the path out.";
        return false;
    }
    return true;
}

void applyProtocolFlags(const Flags &f, const std::string &address, rpc::CallRequest *request)
{
    request->protocol = rpc::protocolFromName(f.value("protocol", "grpc")).value_or(rpc::Protocol::Grpc);
    const std::string version = f.value("http-version", "");
    request->httpVersion = version == "1.1" ? rpc::HttpVersion::Http1
                           : version == "2" ? rpc::HttpVersion::Http2
                                            : rpc::HttpVersion::Default;
    request->contentCodec = f.value("codec", "proto") == "json" ? rpc::ContentCodec::Json : rpc::ContentCodec::Proto;
    if (request->protocol != rpc::Protocol::Grpc && rpc::isUrlTarget(address))
        request->channel.target = address;
}

int checkProxy(const Flags &f, const std::string &address)
{
    if (address.empty())
        return 0;
    const auto proxy = rpc::proxyFor(channelOptions(f, address));
    if (proxy)
        return 0;
    std::cerr << "Failed to dial target host \"" << address << "\": " << proxy.error().message << "\n";
    return f.isSet("proxy") ? kExitUsage : kExitError;
}

bool checkNumericFlags(const Flags &f, std::string *error)
{
    // At most what int milliseconds hold (models::millisecondsFromSeconds, the one seconds-to-ms
    // rule): a larger time would otherwise become no timeout at all.
    for (const char *name : {"connect-timeout", "keepalive-time", "max-time"}) {
        double s = 0;
        if (f.isSet(name) && (!parseSeconds(f.value(name), &s) || s <= 0 ||
                              !models::millisecondsFromSeconds(s, QString()))) {
            *error = std::string("The -") + name + " value must be a positive number of seconds up to " +
                     std::to_string(std::numeric_limits<int>::max() / 1000) + ", not \"" + f.value(name) + "\".";
            return false;
        }
    }
    if (f.isSet("max-msg-sz")) {
        const std::string v = f.value("max-msg-sz");
        char *end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n <= 0 || n > std::numeric_limits<int>::max()) {
            *error = "The -max-msg-sz value must be a positive number of bytes, not \"" + v + "\".";
            return false;
        }
    }
    return true;
}

} // namespace cli
