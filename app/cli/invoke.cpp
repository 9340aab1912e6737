// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli invoking a method, as grpcurl does: the messages from -d (or standard input
// while the call runs), the call, and the headers, responses, trailers, status and timeline
// printed as they come. Split from main.cpp, which parses the command line.
#include "invoke.h"

#include "common.h"
#include "stdinfeed.h"

#include "rpc/connectproblem.h"
#include "rpc/jsonutil.h"
#include "rpc/tap.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace cli {

int fail(const std::string &message)
{
    std::cerr << "Failed " << message << "\n";
    return kExitError;
}

bool writeProtosetOut(const Flags &flags, const rpc::Schema &schema, const std::vector<std::string> &symbols)
{
    if (!flags.isSet("protoset-out"))
        return true;
    auto set = schema.fileDescriptorSet(symbols);
    if (!set) {
        fail("to write protoset: " + set.error().message);
        return false;
    }
    std::ofstream out(flags.value("protoset-out"), std::ios::binary | std::ios::trunc);
    if (!out || !(out << *set)) {
        fail("to write protoset to " + flags.value("protoset-out"));
        return false;
    }
    return true;
}

namespace {

std::string metadataText(const rpc::Metadata &md)
{
    if (md.empty())
        return "(empty)";
    std::vector<std::string> lines;
    for (const auto &[k, v] : md) {
        const bool binary = k.size() > 4 && k.compare(k.size() - 4, 4, "-bin") == 0;
        lines.push_back(k + ": " + (binary ? rpc::base64Encode(v) : v));
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto &l : lines)
        out += (out.empty() ? "" : "\n") + l;
    return out;
}

std::string indentLines(const std::string &text, const std::string &prefix)
{
    std::string out;
    std::istringstream in(text);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        out += (first ? "" : "\n" + prefix) + line;
        first = false;
    }
    return out;
}

void printStatus(const rpc::RpcStatus &status, bool formatError)
{
    if (formatError) {
        std::string json = "{\"code\":" + std::to_string(status.code) + ",\"message\":\"";
        for (char c : status.message) {
            if (c == '"' || c == '\\')
                json += '\\';
            if (c == '\n') {
                json += "\\n";
                continue;
            }
            json += c;
        }
        json += "\"";
        if (!status.details.empty()) {
            json += ",\"details\":[";
            for (std::size_t i = 0; i < status.details.size(); ++i)
                json += (i ? "," : "") + status.details[i];
            json += "]";
        }
        json += "}";
        std::cerr << rpc::prettyJson(json) << "\n";
        return;
    }
    std::cerr << "ERROR:\n  Code: " << rpc::statusCodeCamelName(status.code)
              << "\n  Message: " << status.message << "\n";
    // A gRPC-Web or Connect call to a server that does not speak it: what to try.
    switch (rpc::classifyWebMismatch(status.message)) {
    case rpc::WebMismatch::OnlyHttp2:
        std::cerr << "(try -protocol grpc for a gRPC server, or -http-version 2)\n";
        break;
    case rpc::WebMismatch::GrpcServer:
        std::cerr << "(is it a gRPC server? try -protocol grpc)\n";
        break;
    case rpc::WebMismatch::ResetUnanswered:
        std::cerr << "(the server reset the request without answering, as gRPC servers do: if it is one, try "
                     "-protocol grpc)\n";
        break;
    case rpc::WebMismatch::None:
        break;
    }
    if (!status.details.empty()) {
        std::cerr << "  Details:\n";
        for (std::size_t i = 0; i < status.details.size(); ++i) {
            const std::string prefix = "  " + std::to_string(i + 1) + ")";
            std::cerr << prefix << "\t"
                      << indentLines(status.details[i], std::string(prefix.size(), ' ') + "\t") << "\n";
        }
    }
}

std::string formatMs(std::int64_t ns)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(ns) / 1e6);
    return buf;
}

void printTimeline(const std::vector<rpc::CallEvent> &events)
{
    if (events.empty())
        return;
    const std::int64_t t0 = events.front().timeNs;
    std::cout << "\nTimeline:\n";
    for (const auto &e : events) {
        const char *dir = e.direction == rpc::Direction::Outbound  ? "->"
                          : e.direction == rpc::Direction::Inbound ? "<-"
                                                                   : "--";
        char line[160];
        std::snprintf(line, sizeof line, "  +%10.3fms %s %-10s", static_cast<double>(e.timeNs - t0) / 1e6,
                      dir, rpc::eventKindName(e.kind));
        std::cout << line;
        switch (e.kind) {
        case rpc::EventKind::Started:
            std::cout << " " << e.payload << " (" << rpc::methodKindName(e.callKind) << ", "
                      << e.metadata.size() << " headers)";
            break;
        case rpc::EventKind::MessageSent:
        case rpc::EventKind::MessageReceived:
            std::cout << " #" << e.index << " " << e.wireSize << " bytes";
            if (!e.error.empty())
                std::cout << " (" << e.error << ")";
            break;
        case rpc::EventKind::ResponseHeaders:
            std::cout << " " << e.metadata.size() << " headers";
            break;
        case rpc::EventKind::Finished:
            std::cout << " " << rpc::statusCodeName(e.status.code) << ", " << e.metadata.size()
                      << " trailers";
            break;
        case rpc::EventKind::HalfClosed:
            break;
        }
        std::cout << "\n";
    }
}

} // namespace

int invoke(const Flags &flags, const rpc::SchemaPtr &schema, const std::string &address,
           const std::string &methodName, const rpc::Metadata &headers, int verbosity,
           std::int64_t deadlineMs)
{
    const auto invokeStart = std::chrono::steady_clock::now();
    auto method = schema->findMethod(methodName);
    if (!method)
        return fail("to resolve method \"" + methodName + "\": " + method.error().message);
    const bool text = flags.value("format", "json") == "text";

    // -d @: the messages are sent while standard input is read (StdinFeed), not read first.
    const bool fromStdin = flags.value("d") == "@";
    const std::string data = fromStdin ? std::string() : flags.value("d");
    std::vector<std::string> messages;
    if (text) {
        // Text messages are separated by 0x1E and have no syntax of their own to check here.
        RequestSplitter split(RequestSplitter::Format::Text);
        std::vector<RequestSplitter::Message> parts;
        (void)split.feed(data, &parts);
        (void)split.finish(&parts);
        for (auto &part : parts)
            messages.push_back(std::move(part.text));
    } else {
        auto split = rpc::splitJsonValues(data);
        if (!split)
            return fail("to parse request data (-d): " + split.error().diagnostics.front().toString());
        messages = std::move(split.value());
    }

    if (verbosity > 0) {
        auto desc = schema->describe(method->fullName);
        std::cout << "\nResolved method descriptor:\n" << (desc ? desc->text : method->fullName) << "\n";
        std::cout << "\nRequest metadata to send:\n" << metadataText(headers) << "\n";
    }

    rpc::CallRequest req;
    req.callId = 1;
    req.schema = schema;
    req.method = method->fullName;
    req.channel = channelOptions(flags, address);
    req.metadata = headers;
    req.deadlineMs = deadlineMs;
    req.messages = messages;
    req.closeAfterMessages = true;
    req.codec.format = text ? rpc::PayloadFormat::Text : rpc::PayloadFormat::Json;
    req.codec.emitDefaults = flags.boolean("emit-defaults");
    req.codec.allowUnknownFields = flags.boolean("allow-unknown-fields");
    req.codec.pretty = true;
    applyProtocolFlags(flags, address, &req);

    // --wire: the call goes through a local relay that decodes every HTTP/2 frame (or HTTP/1.1
    // head and chunk) both ways.
    std::unique_ptr<rpc::wire::Tap> tap;
    std::int64_t wireStart = rpc::monotonicNs();
    std::string tapProblem; // why the tap could not reach the server, or how the server broke off
    std::string serverMalformed; // why the relay could not decode what the server sent
    bool tapEnded = false;  // the tapped connection is over
    bool tapDialFailed = false; // the tap could not reach the server
    auto printWire = [&](std::chrono::milliseconds wait) {
        if (!tap)
            return;
        for (const auto &w : tap->waitAndDrain(wait)) {
            std::cerr << "wire: " << rpc::wire::describe(w, wireStart) << "\n";
            const bool failed = w.kind == rpc::wire::WireEvent::Kind::Error && w.connecting;
            tapEnded = tapEnded || failed || w.kind == rpc::wire::WireEvent::Kind::Closed;
            tapDialFailed = tapDialFailed || failed;
            if (failed || (w.kind == rpc::wire::WireEvent::Kind::Closed && !w.error.empty()))
                tapProblem = w.error;
            if (w.kind == rpc::wire::WireEvent::Kind::Error && !failed &&
                w.direction == rpc::wire::WireDirection::ServerToClient && serverMalformed.empty())
                serverMalformed = w.error;
        }
    };
    if (flags.boolean("wire")) {
        // For a TLS target the tap makes the TLS connection with these flags' settings. A web
        // call keeps its HTTP version: the tap decodes HTTP/1.1 as well as HTTP/2.
        tap = std::make_unique<rpc::wire::Tap>();
        auto upstream = rpc::wire::tapUpstreamFor(req);
        if (!upstream)
            return fail("to tap the wire: " + upstream.error().message);
        auto relay = tap->start(upstream.value());
        if (!relay)
            return fail("to tap the wire: " + relay.error().message);
        rpc::wire::routeThroughTap(req, *relay);
    }

    rpc::Engine engine;
    rpc::RpcStatus status;
    bool done = false;
    std::unique_ptr<StdinFeed> feed; // after the engine: it stops reading before the engine goes
    if (fromStdin) {
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (deadlineMs > 0)
            deadline = invokeStart + std::chrono::milliseconds(deadlineMs);
        feed = std::make_unique<StdinFeed>(
            engine, req, method->kind, text ? RequestSplitter::Format::Text : RequestSplitter::Format::Json,
            deadline);
        switch (feed->waitForStart()) {
        case StdinFeed::Start::Started:
            break;
        case StdinFeed::Start::Failed:
            return fail(feed->failure());
        case StdinFeed::Start::Expired: // -max-time ran out before the one message was read
            status.code = 4;
            status.message = "Deadline Exceeded";
            done = true;
            break;
        }
    } else {
        engine.start(req);
    }
    const bool keepTimeline = flags.boolean("timeline");
    std::vector<rpc::CallEvent> timeline;
    std::int64_t startNs = 0, headersNs = 0, firstNs = 0, endNs = 0;
    int responses = 0;
    int sent = 0;
    std::string encodeError, encodeErrorText; // a message from stdin the engine could not encode
    bool stdoutClosed = false;
    int undecoded = 0; // replies that could not be shown
    while (!done) {
        printWire(std::chrono::milliseconds(0));
        for (auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(tap ? 5 : 200))) {
            if (done) // a message read from stdin after the call ended is refused: not part of it
                break;
            switch (e.kind) {
            case rpc::EventKind::Started:
                startNs = e.timeNs;
                break;
            case rpc::EventKind::MessageSent:
                if (e.error.empty()) {
                    ++sent;
                } else if (feed && encodeError.empty() && !e.payload.empty()) {
                    // Only a message the engine could not encode comes back with its text. The
                    // call stops there, as it would have had the message been given with -d.
                    encodeError = e.error;
                    encodeErrorText = e.payload;
                    engine.cancel(req.callId);
                }
                break;
            case rpc::EventKind::ResponseHeaders:
                headersNs = e.timeNs;
                if (verbosity > 0)
                    std::cout << "\nResponse headers received:\n" << metadataText(e.metadata) << "\n";
                break;
            case rpc::EventKind::MessageReceived:
                if (!firstNs)
                    firstNs = e.timeNs;
                if (verbosity > 1)
                    std::cout << "\nEstimated response size: " << e.wireSize << " bytes\n";
                if (verbosity > 0)
                    std::cout << "\nResponse contents:\n";
                if (!e.error.empty()) {
                    std::cout << "Failed to format response message " << responses + 1 << ": " << e.error
                              << "\n";
                    ++undecoded;
                }
                else if (text && responses > 0)
                    std::cout << '\x1e' << e.payload << "\n";
                else
                    std::cout << e.payload << "\n";
                ++responses;
                break;
            case rpc::EventKind::Finished:
                endNs = e.timeNs;
                status = e.status;
                if (verbosity > 0 && !e.status.local)
                    std::cout << "\nResponse trailers received:\n" << metadataText(e.metadata) << "\n";
                done = true;
                break;
            case rpc::EventKind::HalfClosed:
                break;
            }
            if (keepTimeline)
                timeline.push_back(std::move(e));
        }
        std::cout.flush(); // each reply shows as it arrives, also through a pipe
        if (!std::cout && !stdoutClosed) {
            // The reader went away (`| head -1`): SIGPIPE is ignored, so the write fails instead.
            // Nobody reads the rest: end the call.
            stdoutClosed = true;
            engine.cancel(req.callId);
        }
    }
    if (stdoutClosed) {
        if (feed)
            feed->stop();
        std::cerr << "wirescope-cli: standard output was closed; the call was cancelled\n";
        return kExitError;
    }
    if (feed)
        feed->stop();
    if (verbosity > 0)
        std::cout << "Sent " << sent << " request" << (sent == 1 ? "" : "s") << " and received " << responses
                  << " response" << (responses == 1 ? "" : "s") << "\n";
    if (verbosity > 1 && startNs) {
        std::cout << "\nTiming Data: " << formatMs(endNs - startNs) << "\n";
        if (headersNs)
            std::cout << "  Response headers: " << formatMs(headersNs - startNs) << "\n";
        if (firstNs)
            std::cout << "  First response: " << formatMs(firstNs - startNs) << "\n";
    }
    if (keepTimeline)
        printTimeline(timeline);
    // Frames after the call's end (trailers already seen, window updates) come within moments;
    // when the call failed, the tap's account of the connection's end is awaited a little.
    printWire(std::chrono::milliseconds(100));
    printWire(std::chrono::milliseconds(0));
    for (int i = 0; tap && !status.ok() && !tapEnded && i < 10; ++i)
        printWire(std::chrono::milliseconds(50));
    std::cout.flush();
    if (!writeProtosetOut(flags, *schema, {method->serviceName}))
        return kExitError;
    if (feed && !feed->failure().empty())
        return fail(feed->failure());
    if (!encodeError.empty()) {
        const std::string where = feed->whereIs(encodeErrorText);
        return fail("to encode request " + (where.empty() ? std::string("message") : where) + ": " +
                    encodeError);
    }
    if (status.local && status.code == 3) { // our own checks failed: nothing was sent
        // Schema::encode's messages start so; the others are about headers, the target or the
        // connection settings, and "Failed to encode request" misled there.
        const bool encoding = status.message.rfind("invalid request for ", 0) == 0 ||
                              status.message.rfind("invalid text format for ", 0) == 0;
        return fail((encoding ? "to encode request: " : "to start the call: ") + status.message);
    }
    if (!status.ok()) {
        // Through the tap, gRPC only sees its connection to the tap end; the tap knows why.
        // What the server sent that could not be decoded says best what went wrong.
        if (!serverMalformed.empty())
            status.message += " (wire tap: " + serverMalformed + ")";
        else if (!tapProblem.empty() && status.code == 14)
            status.message += " (wire tap: " + tapProblem + ")";
        // Never connected: a local failure, reported as grpcurl reports a dial that failed.
        // (libcurl reaches the tap, which then cannot reach the server: the same failure.)
        if (status.connectFailed || (tapDialFailed && status.code == 14))
            return connectFailed("Failed to dial target host \"" + address + "\": ", status.message, address,
                                 channelOptions(flags, address).plaintext, verbosity > 0);
        printStatus(status, flags.boolean("format-error"));
        return kStatusCodeOffset + status.code;
    }
    if (undecoded > 0) // the call went well, but not every reply could be shown: not a success
        return fail("to format " + std::to_string(undecoded) + " of " + std::to_string(responses) +
                    " response message" + (responses == 1 ? "" : "s") + " (see above)");
    return 0;
}

} // namespace cli
