// SPDX-License-Identifier: GPL-3.0-or-later
// Response payloads: wire bytes to JSON (proto3 mapping) or text format, with the depth guard
// before protobuf's parser; the check of a reply's bytes against its type; the details of an
// error status. Split from rpc/codec.cpp, which encodes requests.
#include "rpc/internal/fastjson.h"
#include "rpc/internal/schemaimpl.h"
#include "rpc/internal/wirecodec.h"
#include "rpc/jsonutil.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace pb = google::protobuf;

namespace rpc {

namespace {

using FD = pb::FieldDescriptor;

// Responses decode up to this many levels of nested messages. protobuf's own parser stops at
// 100 by default, and servers built on it refuse deeper requests; but a reply may wrap a request
// of that depth in more, and Go servers allow far deeper. JSON requests are bounded by the JSON
// parser's 512 levels, so every request Wirescope can send can also come back decoded.
constexpr int kMaxDecodeDepth = 1000;

bool readVarint(std::string_view b, std::size_t *pos, std::uint64_t *out)
{
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64 && *pos < b.size(); shift += 7) {
        const auto byte = static_cast<std::uint8_t>(b[(*pos)++]);
        v |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

// How deep the messages inside `bytes` (read as `d`) are nested, found with an explicit stack
// rather than recursion; counting stops once past `limit`. `path` gets the field names down to
// the deepest point. -1 when the bytes are not well formed.
int nestingDepth(const pb::Descriptor *d, std::string_view bytes, int limit, std::string *path)
{
    struct Frame
    {
        const pb::Descriptor *type; // null inside an unknown group
        std::size_t end;            // for a group: the parent's end (it ends at its end tag)
        bool group;
        std::string name;
    };
    std::vector<Frame> stack{{d, bytes.size(), false, {}}};
    int deepest = 0;
    std::size_t pos = 0;
    while (!stack.empty()) {
        Frame &top = stack.back();
        if (pos >= top.end) {
            if (pos > top.end || top.group)
                return -1;
            stack.pop_back();
            continue;
        }
        std::uint64_t tag = 0;
        if (!readVarint(bytes, &pos, &tag))
            return -1;
        const int number = static_cast<int>(tag >> 3);
        const auto wireType = static_cast<int>(tag & 7);
        const FD *field = top.type ? top.type->FindFieldByNumber(number) : nullptr;
        std::uint64_t n = 0;
        switch (wireType) {
        case 0:
            if (!readVarint(bytes, &pos, &n))
                return -1;
            break;
        case 1:
            pos += 8;
            break;
        case 5:
            pos += 4;
            break;
        case 2:
            if (!readVarint(bytes, &pos, &n) || n > top.end - std::min(pos, top.end))
                return -1;
            if (field && field->type() == FD::TYPE_MESSAGE) {
                stack.push_back({field->message_type(), pos + n, false, field->name()});
            } else {
                pos += n;
                continue;
            }
            break;
        case 3:
            stack.push_back({field && field->type() == FD::TYPE_GROUP ? field->message_type() : nullptr,
                             top.end, true, field ? field->name() : std::to_string(number)});
            break;
        case 4:
            if (!top.group)
                return -1;
            stack.pop_back();
            continue;
        default:
            return -1;
        }
        const int depth = static_cast<int>(stack.size()) - 1;
        if (depth > deepest) {
            deepest = depth;
            if (depth > limit) {
                path->clear();
                for (std::size_t i = 1; i < stack.size() && i <= 4; ++i)
                    *path += (i > 1 ? "." : "") + stack[i].name;
                *path += " … (" + std::to_string(depth) + " levels)";
                return depth;
            }
        }
    }
    return deepest;
}

// Parses `bytes` as a message of up to kMaxDecodeDepth levels; the error says whether the bytes
// are malformed or nested too deep.
Result<std::unique_ptr<pb::Message>> parseDeep(const Schema::Impl &impl, const pb::Descriptor *d,
                                               std::string_view bytes)
{
    std::unique_ptr<pb::Message> msg(impl.prototype(d)->New());
    pb::io::CodedInputStream input(reinterpret_cast<const std::uint8_t *>(bytes.data()),
                                   static_cast<int>(bytes.size()));
    input.SetRecursionLimit(kMaxDecodeDepth);
    if (msg->ParseFromCodedStream(&input) && input.ConsumedEntireMessage())
        return msg;
    std::string path;
    if (nestingDepth(d, bytes, kMaxDecodeDepth, &path) > kMaxDecodeDepth)
        return Error("cannot decode " + d->full_name() + ": its messages are nested deeper than " +
                     std::to_string(kMaxDecodeDepth) + " levels, the most Wirescope decodes (at " + path + ")");
    return Error("cannot decode " + d->full_name() + ": the bytes are not a valid message");
}

} // namespace

Result<std::string> Schema::decode(std::string_view typeName, std::string_view bytes,
                                   const CodecOptions &options) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return Error("unknown message type \"" + std::string(typeName) + "\"");
    std::string out;
    if (options.format == PayloadFormat::Text) {
        auto msg = parseDeep(*m_impl, d, bytes);
        if (!msg)
            return msg.error();
        pb::TextFormat::Printer printer;
        printer.SetSingleLineMode(!options.pretty);
        printer.PrintToString(**msg, &out);
        return out;
    }
    if (internal::wireToJson(*m_impl->wirePlans.plan(d), bytes, options.emitDefaults, options.originalNames,
                             &out))
        return options.pretty ? prettyJson(out) : out;
    out.clear();
    {
        // The JSON printer streams the bytes and lets a truncated or garbled tail through;
        // check the wire structure first (cheap: nothing is allocated).
        pb::io::CodedInputStream input(reinterpret_cast<const std::uint8_t *>(bytes.data()),
                                       static_cast<int>(bytes.size()));
        if (!pb::internal::WireFormatLite::SkipMessage(&input) || !input.ConsumedEntireMessage() ||
            input.CurrentPosition() != static_cast<int>(bytes.size()))
            return Error("cannot decode " + d->full_name() + ": the bytes are not a valid message (at byte " +
                         std::to_string(input.CurrentPosition()) + " of " + std::to_string(bytes.size()) +
                         ")");
    }
    {
        // Parsed once here; only messages that set well-known fields go on to the converter.
        auto parsed = parseDeep(*m_impl, d, bytes);
        if (!parsed)
            return parsed.error();
        const pb::Message &msg = **parsed;
        // With defaults emitted, unset well-known fields are printed too: the converter's job.
        const bool plain = m_impl->plainTypes.isPlain(d);
        if (plain || (!options.emitDefaults && !internal::usesWellKnown(msg))) {
            internal::messageToJson(msg, options.emitDefaults, options.originalNames, &out);
            return options.pretty ? prettyJson(out) : out;
        }
    }
    pb::util::JsonPrintOptions print;
    print.always_print_primitive_fields = options.emitDefaults;
    print.preserve_proto_field_names = options.originalNames;
    auto status = pb::util::BinaryToJsonString(m_impl->resolver.get(), m_impl->typeUrl(d), std::string(bytes),
                                               &out, print);
    if (!status.ok())
        return Error("cannot decode " + d->full_name() + ": " + std::string(status.message()));
    if (options.pretty)
        return prettyJson(out);
    return out;
}

Status checkMessage(const Schema::Impl &impl, const internal::WireMessage &plan, std::string_view bytes)
{
    if (internal::wireCheck(plan, bytes))
        return Ok{};
    // Bad bytes, or a message the walk does not cover: protobuf's parser decides, and says why
    // (as a value: its log line about an invalid string would only repeat that).
    pb::LogSilencer quiet;
    auto parsed = parseDeep(impl, plan.descriptor, bytes);
    if (!parsed)
        return parsed.error();
    return Ok{};
}

Status Schema::check(std::string_view typeName, std::string_view bytes) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return Error("unknown message type \"" + std::string(typeName) + "\"");
    return checkMessage(*m_impl, *m_impl->wirePlans.plan(d), bytes);
}

RpcStatus Schema::decodeStatus(int code, std::string message, std::string rawDetails) const
{
    RpcStatus status;
    status.code = code;
    status.message = std::move(message);
    status.rawDetails = std::move(rawDetails);
    if (status.rawDetails.empty())
        return status;
    const pb::Descriptor *statusType = m_impl->message("google.rpc.Status");
    if (!statusType)
        return status;
    std::unique_ptr<pb::Message> msg(m_impl->prototype(statusType)->New());
    if (!msg->ParseFromString(status.rawDetails)) {
        status.details.emplace_back(R"({"error": "grpc-status-details-bin is not a google.rpc.Status"})");
        return status;
    }
    const FD *details = statusType->FindFieldByName("details");
    const auto *refl = msg->GetReflection();
    for (int i = 0; i < refl->FieldSize(*msg, details); ++i) {
        const pb::Message &any = refl->GetRepeatedMessage(*msg, details, i);
        std::string out;
        auto st =
            pb::util::BinaryToJsonString(m_impl->resolver.get(), "type.googleapis.com/google.protobuf.Any",
                                         any.SerializeAsString(), &out, {});
        if (st.ok()) {
            status.details.push_back(prettyJson(out));
            continue;
        }
        // Unknown detail type: show what there is.
        const auto *anyRefl = any.GetReflection();
        const std::string url = anyRefl->GetString(any, any.GetDescriptor()->FindFieldByName("type_url"));
        std::string value = anyRefl->GetString(any, any.GetDescriptor()->FindFieldByName("value"));
        // grpcurl's shape for a detail it cannot resolve: the type, why, and the raw bytes.
        status.details.push_back("{\n  \"@type\": " + jsonQuote(url) +
                                 ",\n  \"@error\": " + jsonQuote(std::string(st.message())) +
                                 ",\n  \"@value\": " + jsonQuote(base64Encode(value)) + "\n}");
    }
    return status;
}

} // namespace rpc
