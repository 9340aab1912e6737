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
        const std::string line = d.toString();
        if (line != message)
            s += "\n  " + line;
    }
    return s;
}

namespace {
int decode64(char c)
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

} // namespace

bool base64Decode(const std::string &in, std::string *out)
{
    unsigned buffer = 0;
    int bits = 0;
    out->clear();
    for (char c : in) {
        if (c == '=')
            break;
        const int v = decode64(c);
        if (v < 0)
            return false;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return true;
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
