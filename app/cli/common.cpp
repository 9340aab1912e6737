// SPDX-License-Identifier: GPL-3.0-or-later
#include "common.h"

#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "wirescope_version.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <limits>

namespace cli {

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
             "the files a reflection server sent.");
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
        std::string value = trim(line.substr(colon + 1));
        if (key.size() > 4 && key.compare(key.size() - 4, 4, "-bin") == 0) {
            std::string raw;
            if (!rpc::base64Decode(value, &raw)) {
                *error = "header \"" + key + "\": the value of a -bin header must be base64";
                return false;
            }
            value = raw;
        }
        if (auto problem = rpc::headerProblem(key, value); !problem.empty()) {
            *error = problem;
            return false;
        }
        out->emplace_back(std::move(key), std::move(value));
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
    rpc::ChannelOptions o;
    o.target = f.boolean("unix") && address.rfind("unix:", 0) != 0 ? "unix:" + address : address;
    if (f.isSet("proxy"))
        o.proxy = f.value("proxy").empty() ? rpc::kNoProxy : f.value("proxy");
    o.plaintext = f.boolean("plaintext");
    o.skipVerify = f.boolean("insecure");
    o.caFile = f.value("cacert");
    o.certFile = f.value("cert");
    o.keyFile = f.value("key");
    o.authority = f.value("authority");
    o.serverName = f.value("servername");
    if (!o.plaintext && o.serverName.empty() && !o.authority.empty())
        o.serverName = o.authority;
    double s = 0;
    if (parseSeconds(f.value("connect-timeout", "10"), &s) && s <= rpc::kMaxSeconds)
        o.connectTimeoutMs = rpc::millisecondsFromSeconds(s);
    if (f.isSet("keepalive-time") && parseSeconds(f.value("keepalive-time"), &s) && s <= rpc::kMaxSeconds)
        o.keepaliveTimeMs = rpc::millisecondsFromSeconds(s);
    if (f.isSet("max-msg-sz"))
        o.maxReceiveBytes = std::atoi(f.value("max-msg-sz").c_str());
    o.userAgent = std::string("wirescope-cli/") + WIRESCOPE_VERSION;
    return o;
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
    // At most kMaxSeconds: the engine takes these as int milliseconds (a larger double converted
    // to int was undefined behaviour, in practice no timeout at all).
    for (const char *name : {"connect-timeout", "keepalive-time", "max-time"}) {
        double s = 0;
        if (f.isSet(name) && (!parseSeconds(f.value(name), &s) || s <= 0 || s > rpc::kMaxSeconds)) {
            *error = std::string("The -") + name + " value must be a positive number of seconds up to " +
                     std::to_string(static_cast<int>(rpc::kMaxSeconds)) + ", not \"" + f.value(name) + "\".";
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
