// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/webwire.h"

#include "rpc/internal/jsondom.h"
#include "rpc/jsonutil.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace rpc::internal::web {

void appendEnvelope(std::string *out, std::uint8_t flags, std::string_view payload)
{
    const auto size = static_cast<std::uint32_t>(payload.size());
    const char prefix[5] = {static_cast<char>(flags), static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                            static_cast<char>(size >> 8), static_cast<char>(size)};
    out->append(prefix, 5);
    out->append(payload);
}

bool EnvelopeReader::feed(std::string_view bytes, std::vector<Frame> *frames)
{
    if (m_declared > m_max)
        return false;
    // Most reads hold whole envelopes: take them from `bytes` directly when nothing is pending.
    std::string_view data = bytes;
    if (pending() > 0) {
        m_buffer.append(bytes);
        data = std::string_view(m_buffer).substr(m_used);
    }
    std::size_t at = 0;
    while (data.size() - at >= 5) {
        const auto *p = reinterpret_cast<const unsigned char *>(data.data() + at);
        const std::uint64_t size = (std::uint64_t(p[1]) << 24) | (std::uint64_t(p[2]) << 16) |
                                   (std::uint64_t(p[3]) << 8) | std::uint64_t(p[4]);
        if (size > m_max) {
            m_declared = size;
            return false;
        }
        if (data.size() - at - 5 < size)
            break;
        frames->push_back({p[0], std::string(data.substr(at + 5, size))});
        at += 5 + size;
    }
    if (data.data() == bytes.data()) { // nothing was pending: keep the rest
        m_buffer.assign(bytes.substr(at));
        m_used = 0;
    } else {
        m_used += at;
        if (m_used == m_buffer.size()) {
            m_buffer.clear();
            m_used = 0;
        } else if (m_used > 65536) {
            m_buffer.erase(0, m_used);
            m_used = 0;
        }
    }
    return true;
}

bool Base64Stream::feed(std::string_view text, std::string *out)
{
    for (char c : text) {
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
            ++m_offset;
            continue;
        }
        if (c == '=') {
            // Padding ends a group of 2 or 3 characters (1 or 2 '=').
            if (m_count < 2 || m_count + m_padding >= 4) {
                return false;
            }
            ++m_padding;
        } else {
            const int v = base64DigitValue(c);
            if (v < 0 || m_padding > 0)
                return false;
            m_quad[m_count++] = static_cast<unsigned>(v);
        }
        ++m_offset;
        if (m_count + m_padding == 4) {
            const unsigned n = (m_quad[0] << 18) | (m_quad[1] << 12) | (m_count > 2 ? m_quad[2] << 6 : 0) |
                               (m_count > 3 ? m_quad[3] : 0);
            out->push_back(static_cast<char>(n >> 16));
            if (m_count > 2)
                out->push_back(static_cast<char>((n >> 8) & 0xFF));
            if (m_count > 3)
                out->push_back(static_cast<char>(n & 0xFF));
            m_count = 0;
            m_padding = 0;
        }
    }
    return true;
}

Metadata parseTrailerBlock(std::string_view block)
{
    Metadata out;
    std::size_t at = 0;
    while (at < block.size()) {
        auto end = block.find('\n', at);
        if (end == std::string_view::npos)
            end = block.size();
        std::string_view line = block.substr(at, end - at);
        at = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const auto colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos || colon == 0)
            continue;
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
            value.remove_suffix(1);
        out.emplace_back(std::move(name), std::string(value));
    }
    return out;
}

std::string decodeGrpcMessage(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            auto hex = [](char c) { return c <= '9' ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10); };
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::string grpcTimeout(std::int64_t ms)
{
    // The value has at most 8 digits; longer waits go in coarser units, rounded up.
    if (ms < 100000000)
        return std::to_string(std::max<std::int64_t>(ms, 1)) + "m";
    const std::int64_t seconds = (ms + 999) / 1000;
    if (seconds < 100000000)
        return std::to_string(seconds) + "S";
    const std::int64_t minutes = (seconds + 59) / 60;
    if (minutes < 100000000)
        return std::to_string(minutes) + "M";
    return std::to_string(std::min<std::int64_t>((minutes + 59) / 60, 99999999)) + "H";
}

int codeFromHttpStatus(int httpStatus)
{
    switch (httpStatus) {
    case 400:
        return 13;
    case 401:
        return 16;
    case 403:
        return 7;
    case 404:
        return 12;
    case 429:
    case 502:
    case 503:
    case 504:
        return 14;
    default:
        return 2;
    }
}

std::optional<int> codeFromConnectName(std::string_view name)
{
    static constexpr std::string_view kNames[] = {
        "",          "canceled",          "unknown",        "invalid_argument", "deadline_exceeded",
        "not_found", "already_exists",    "permission_denied", "resource_exhausted", "failed_precondition",
        "aborted",   "out_of_range",      "unimplemented",  "internal",         "unavailable",
        "data_loss", "unauthenticated"};
    for (int code = 1; code <= 16; ++code) {
        if (kNames[code] == name)
            return code;
    }
    return std::nullopt;
}

namespace {
void appendVarint(std::string *out, std::uint64_t v)
{
    while (v >= 0x80) {
        out->push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out->push_back(static_cast<char>(v));
}

void appendBytesField(std::string *out, int number, std::string_view bytes)
{
    appendVarint(out, (static_cast<std::uint64_t>(number) << 3) | 2);
    appendVarint(out, bytes.size());
    out->append(bytes);
}

const json::Value *member(const json::Value &object, std::string_view name)
{
    for (const auto &m : object.members) {
        if (m.name == name)
            return &m.value;
    }
    return nullptr;
}

bool isBinaryKey(std::string_view key)
{
    return key.size() > 4 && key.substr(key.size() - 4) == "-bin";
}

Result<ConnectError> errorFromValue(const json::Value &value, int fallbackCode)
{
    if (value.type != json::Value::Type::Object)
        return Error("a Connect error is a JSON object, not " + std::string(value.typeName()));
    ConnectError error;
    error.code = fallbackCode;
    if (const auto *code = member(value, "code"); code && code->type == json::Value::Type::String) {
        if (auto known = codeFromConnectName(code->text))
            error.code = *known;
    }
    if (const auto *message = member(value, "message"); message && message->type == json::Value::Type::String)
        error.message = message->text;
    std::vector<std::pair<std::string, std::string>> details;
    if (const auto *list = member(value, "details"); list && list->type == json::Value::Type::Array) {
        for (const auto &item : list->items) {
            const auto *type = item.type == json::Value::Type::Object ? member(item, "type") : nullptr;
            const auto *bytes = item.type == json::Value::Type::Object ? member(item, "value") : nullptr;
            if (!type || type->type != json::Value::Type::String || !bytes ||
                bytes->type != json::Value::Type::String)
                return Error("a detail of the Connect error has no \"type\" and \"value\"");
            std::string raw;
            if (!base64Decode(bytes->text, &raw))
                return Error("the value of the Connect error detail \"" + type->text + "\" is not base64");
            details.emplace_back("type.googleapis.com/" + type->text, std::move(raw));
        }
    }
    if (!details.empty())
        error.statusBytes = encodeRpcStatus(error.code, error.message, details);
    return error;
}
} // namespace

std::string encodeRpcStatus(int code, std::string_view message,
                            const std::vector<std::pair<std::string, std::string>> &anyDetails)
{
    std::string out;
    if (code != 0) {
        out.push_back(0x08);
        appendVarint(&out, static_cast<std::uint64_t>(static_cast<std::int64_t>(code)));
    }
    if (!message.empty())
        appendBytesField(&out, 2, message);
    for (const auto &[typeUrl, value] : anyDetails) {
        std::string any;
        appendBytesField(&any, 1, typeUrl);
        if (!value.empty())
            appendBytesField(&any, 2, value);
        appendBytesField(&out, 3, any);
    }
    return out;
}

Result<ConnectError> parseConnectError(std::string_view text, int fallbackCode)
{
    auto doc = json::parseDocument(text);
    if (!doc)
        return Error("the Connect error is not JSON: " + doc.error().toString());
    return errorFromValue(doc.value(), fallbackCode);
}

Result<EndStream> parseEndStream(std::string_view text)
{
    auto doc = json::parseDocument(text);
    if (!doc)
        return Error("the end-of-stream message is not JSON: " + doc.error().toString());
    const json::Value &root = doc.value();
    if (root.type != json::Value::Type::Object)
        return Error("the end-of-stream message is not a JSON object");
    EndStream end;
    if (const auto *metadata = member(root, "metadata"); metadata && metadata->type != json::Value::Type::Null) {
        if (metadata->type != json::Value::Type::Object)
            return Error("the end-of-stream \"metadata\" is not an object");
        for (const auto &m : metadata->members) {
            if (m.value.type != json::Value::Type::Array)
                return Error("the end-of-stream metadata \"" + m.name + "\" is not a list of strings");
            std::string key = m.name;
            std::transform(key.begin(), key.end(), key.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            for (const auto &v : m.value.items) {
                if (v.type != json::Value::Type::String)
                    return Error("the end-of-stream metadata \"" + m.name + "\" is not a list of strings");
                std::string value = v.text;
                if (std::string raw; isBinaryKey(key) && base64Decode(value, &raw))
                    value = std::move(raw);
                end.trailers.emplace_back(key, std::move(value));
            }
        }
    }
    if (const auto *error = member(root, "error"); error && error->type != json::Value::Type::Null) {
        auto parsed = errorFromValue(*error, 2);
        if (!parsed)
            return parsed.error();
        end.error = std::move(parsed.value());
    }
    return end;
}

std::string gzipCompress(std::string_view bytes)
{
    z_stream z{};
    // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::string();
}

Result<std::string> gzipDecompress(std::string_view bytes, std::size_t limit, bool *tooLarge)
{
    *tooLarge = false;
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return Error("zlib could not start");
    std::string out;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    char chunk[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            return Error(rc == Z_BUF_ERROR ? "the gzip data ends too soon" : "the data is not valid gzip");
        }
        const std::size_t produced = sizeof chunk - z.avail_out;
        if (out.size() + produced > limit) {
            inflateEnd(&z);
            *tooLarge = true;
            return Error("the message is larger than " + std::to_string(limit) + " bytes once decompressed");
        }
        out.append(chunk, produced);
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            return Error("the gzip data ends too soon");
        }
    }
    inflateEnd(&z);
    return out;
}

} // namespace rpc::internal::web
