// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/types.h"
#include "rpc/internal/jsonscalars.h"
#include "rpc/jsonutil.h"
#include "rpc/result.h"

#include <cstdio>
#include <sstream>

namespace rpc {

const char *methodKindName(MethodKind kind)
{
    switch (kind) {
    case MethodKind::Unary:
        return "unary";
    case MethodKind::ServerStreaming:
        return "server streaming";
    case MethodKind::ClientStreaming:
        return "client streaming";
    case MethodKind::BidiStreaming:
        return "bidi streaming";
    }
    return "?";
}

const char *protocolName(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Grpc:
        return "grpc";
    case Protocol::GrpcWeb:
        return "grpcweb";
    case Protocol::GrpcWebText:
        return "grpcweb-text";
    case Protocol::Connect:
        return "connect";
    }
    return "grpc";
}

const char *eventKindName(EventKind kind)
{
    switch (kind) {
    case EventKind::Started:
        return "start";
    case EventKind::MessageSent:
        return "message";
    case EventKind::HalfClosed:
        return "half-close";
    case EventKind::ResponseHeaders:
        return "headers";
    case EventKind::MessageReceived:
        return "message";
    case EventKind::Finished:
        return "trailers";
    }
    return "?";
}

namespace {
const char *const kCodes[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
const char *const kCamel[] = {
    "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated"};
} // namespace

std::string statusCodeName(int code)
{
    if (code >= 0 && code <= 16)
        return kCodes[code];
    return "CODE(" + std::to_string(code) + ")";
}

std::string statusCodeCamelName(int code)
{
    if (code >= 0 && code <= 16)
        return kCamel[code];
    return "Code(" + std::to_string(code) + ")";
}

namespace {
std::string byteAt(std::string_view text, std::size_t i)
{
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[i]));
    return "byte " + std::to_string(i + 1) + " (" + hex + ")";
}
bool isPrintableAscii(char c)
{
    return c >= 0x20 && c <= 0x7e;
}
} // namespace

std::string headerProblem(std::string_view name, std::string_view value)
{
    const std::string quoted = '"' + std::string(name) + '"';
    if (name.empty())
        return "a header has an empty name";
    if (name.front() == ':')
        return "header " + quoted + ": pseudo-headers are set by gRPC (use the authority setting for :authority)";
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return "header " + quoted + ": " + byteAt(name, i) +
                   " of the name is not allowed; names are lowercase letters, digits, '-', '_' and '.'";
    }
    if (name.substr(0, 5) == "grpc-")
        return "header " + quoted + ": names starting with \"grpc-\" are reserved for gRPC itself "
                                    "(a deadline is set with the deadline setting, compression with gzip)";
    static constexpr std::string_view kReserved[] = {"content-type", "te", "connection", "keep-alive",
                                                     "proxy-connection", "transfer-encoding", "upgrade"};
    for (auto reserved : kReserved) {
        if (name == reserved)
            return "header " + quoted + ": set by gRPC or not allowed in HTTP/2";
    }
    const bool binary = name.size() > 4 && name.substr(name.size() - 4) == "-bin";
    if (!binary) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!isPrintableAscii(value[i]))
                return "header " + quoted + ": " + byteAt(value, i) +
                       " of the value is not printable ASCII; a value with other bytes (UTF-8 text, "
                       "control characters) needs a name ending in \"-bin\" and a base64 value";
        }
    }
    return {};
}

std::string metadataProblem(const Metadata &metadata)
{
    for (const auto &[name, value] : metadata) {
        if (auto problem = headerProblem(name, value); !problem.empty())
            return problem;
    }
    return {};
}

namespace {
// "host:port" or "[v6]:port" (the port may be left out): why it is not usable, or empty.
std::string hostPortProblem(std::string_view hostPort)
{
    std::string_view port;
    bool hasPort = false;
    if (!hostPort.empty() && hostPort.front() == '[') {
        const auto close = hostPort.find(']');
        if (close == std::string_view::npos)
            return "'[' without ']'";
        if (close + 1 < hostPort.size()) {
            if (hostPort[close + 1] != ':')
                return "expected ':' and a port after ']'";
            port = hostPort.substr(close + 2);
            hasPort = true;
        }
    } else if (const auto colon = hostPort.rfind(':'); colon != std::string_view::npos) {
        if (colon == 0)
            return "no host before the port";
        if (hostPort.find(':') != colon) // a bare IPv6 address: gRPC wants it in brackets
            return "an IPv6 address goes in brackets, as in [::1]:50051";
        port = hostPort.substr(colon + 1);
        hasPort = true;
    }
    if (!hasPort)
        return {};
    if (port.empty())
        return "no port after ':'";
    long value = 0;
    for (char c : port) {
        if (c < '0' || c > '9')
            return "the port \"" + std::string(port) + "\" is not a number";
        value = value * 10 + (c - '0');
        if (value > 65535)
            break;
    }
    if (value < 1 || value > 65535)
        return "port " + std::string(port) + " is out of range (1-65535)";
    return {};
}
} // namespace

std::string targetProblem(std::string_view target)
{
    if (target.empty())
        return "no target: give host:port, unix:PATH or another gRPC target";
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (!isPrintableAscii(target[i]) || target[i] == ' ')
            return "target \"" + std::string(target) + "\": " + byteAt(target, i) +
                   " is not allowed (a host name that is not ASCII needs its xn-- form)";
    }
    auto problem = [&](const std::string &why) { return "target \"" + std::string(target) + "\": " + why; };
    for (std::string_view scheme : {"unix:", "unix-abstract:"}) {
        if (target.substr(0, scheme.size()) == scheme) {
            if (target.size() == scheme.size() || target.substr(scheme.size()) == "//")
                return problem("no socket path after " + std::string(scheme));
            return {};
        }
    }
    for (std::string_view scheme : {"ipv4:", "ipv6:"}) {
        if (target.substr(0, scheme.size()) != scheme)
            continue;
        std::string_view list = target.substr(scheme.size());
        if (list.empty())
            return problem("no address after " + std::string(scheme));
        while (!list.empty()) {
            const auto comma = list.find(',');
            const auto one = list.substr(0, comma);
            if (one.empty() || one.find(':') == std::string_view::npos)
                return problem("each address of an " + std::string(scheme) + " list needs a port");
            if (auto why = hostPortProblem(one); !why.empty())
                return problem(std::string(one) + ": " + why);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
        return {};
    }
    std::string_view hostPort = target;
    if (target.substr(0, 4) == "dns:") {
        hostPort = target.substr(4);
        if (hostPort.substr(0, 2) == "//") { // dns://[authority]/host:port
            const auto slash = hostPort.find('/', 2);
            if (slash == std::string_view::npos)
                return problem("expected dns:///host:port");
            hostPort = hostPort.substr(slash + 1);
        }
        if (hostPort.empty())
            return problem("no host after dns:");
    } else if (target.find("://") != std::string_view::npos) {
        return {}; // another resolver's scheme (xds:///…): gRPC's to judge
    }
    if (auto why = hostPortProblem(hostPort); !why.empty())
        return problem(why);
    return {};
}

std::string authorityProblem(std::string_view authority)
{
    // What a URL's host[:port] may hold (RFC 3986: unreserved, percent-escapes, sub-delims, the
    // port's colon, an IPv6 address's brackets). No user: HTTP/2's :authority carries none, and
    // an "@" read back from a URL would be one.
    constexpr std::string_view kAllowed = "-._~%!$&'()*+,;=:[]";
    for (std::size_t i = 0; i < authority.size(); ++i) {
        const char c = authority[i];
        if (c == '@')
            return "authority \"" + std::string(authority) +
                   "\": an authority names no user (\"@\"); it is host[:port]";
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && kAllowed.find(c) == std::string_view::npos)
            return "authority \"" + std::string(authority) + "\": " + byteAt(authority, i) +
                   " is not allowed; an authority is host[:port] (letters, digits, -._~ and the "
                   "characters a URL allows in a host)";
    }
    return {};
}

std::string ChannelOptions::cacheKey() const
{
    // Built for every call the engine starts: plain appends (a string stream costs a locale).
    const std::string receive = std::to_string(maxReceiveBytes), send = std::to_string(maxSendBytes),
                      keepalive = std::to_string(keepaliveTimeMs);
    const std::string_view parts[] = {target,    plaintext ? "1" : "0",
                                      caFile,    certFile,
                                      keyFile,   skipVerify ? "1" : "0",
                                      authority, serverName,
                                      receive,   send,
                                      keepalive, gzip ? "1" : "0",
                                      userAgent, proxy};
    std::string k;
    for (std::size_t i = 0; i < std::size(parts); ++i) {
        if (i > 0)
            k += '\x1f';
        k += parts[i];
    }
    return k;
}

std::string Diagnostic::toString() const
{
    std::string s;
    if (!file.empty())
        s += file;
    if (line > 0) {
        s += (s.empty() ? "" : ":") + std::to_string(line);
        if (column > 0)
            s += ':' + std::to_string(column);
    }
    if (!path.empty())
        s += (s.empty() ? "" : ": ") + std::string("at ") + path;
    if (offset >= 0 && file.empty())
        s += (s.empty() ? "" : " ") + std::string("(offset ") + std::to_string(offset) + ")";
    if (!s.empty())
        s += ": ";
    return s + message;
}

std::string Error::toString() const
{
    std::string s = message;
    for (const auto &d : diagnostics) {
        // A summary often quotes its first diagnostic: each is said once.
        const std::string line = d.toString();
        if (message.find(line) == std::string::npos)
            s += "\n  " + line;
    }
    return s;
}

int base64DigitValue(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool base64Decode(const std::string &in, std::string *out)
{
    unsigned buffer = 0;
    int bits = 0;
    std::size_t data = 0;
    std::size_t padding = 0;
    out->clear();
    for (char c : in) {
        if (c == '=') {
            ++padding;
            continue;
        }
        const int v = base64DigitValue(c);
        if (v < 0 || padding > 0) // text after the padding was dropped unread
            return false;
        ++data;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    // A lone last character holds 6 bits, no byte: it was read as nothing. Padding, when there
    // is some, completes the last group of four.
    if (data % 4 == 1)
        return false;
    return padding == 0 || (data % 4 != 0 && (data + padding) % 4 == 0);
}

void base64Append(std::string_view in, std::string *out)
{
    static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::size_t start = out->size();
    out->resize(start + (in.size() + 2) / 3 * 4);
    char *o = out->data() + start;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size())
            n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size())
            n |= static_cast<unsigned char>(in[i + 2]);
        *o++ = t[(n >> 18) & 63];
        *o++ = t[(n >> 12) & 63];
        *o++ = i + 1 < in.size() ? t[(n >> 6) & 63] : '=';
        *o++ = i + 2 < in.size() ? t[n & 63] : '=';
    }
}

std::string base64Encode(const std::string &in)
{
    std::string out;
    base64Append(in, &out);
    return out;
}

std::string jsonQuote(std::string_view text)
{
    std::string out;
    internal::appendJsonString(&out, text);
    return out;
}

} // namespace rpc
