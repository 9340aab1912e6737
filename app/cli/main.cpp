// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli: a grpcurl-compatible command line over the Wirescope engine.
#include "common.h"
#include "stdinfeed.h"

#include "models/callrequest.h"
#include "rpc/jsonutil.h"
#include "rpc/tap.h"
#include "rpc/web.h"

#include <QtGlobal>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "wirescope_version.h"

namespace cli {
int runBench(const std::vector<std::string> &args);
int runWorkspace(const std::vector<std::string> &args);
int runDemo(const std::vector<std::string> &args);
} // namespace cli

namespace {

using namespace cli;

const char *kUsage = R"(Usage:
  wirescope-cli [flags] [address] [list|describe] [symbol]
  wirescope-cli [flags] address method
  wirescope-cli bench [flags] address method
  wirescope-cli run WORKSPACE [--env NAME] [--filter GLOB] [--junit FILE] [--var NAME=VALUE]... [-protocol P]
  wirescope-cli demo [--listen HOST:PORT]

The address is host:port (TLS unless -plaintext), unix:PATH, or a URL: http://host:port (no TLS)
or https://host:port (TLS), where -protocol grpcweb and connect also take a path prefix that goes
before /pkg.Service/Method (http://host:8080/api). It is only optional with 'list' or 'describe'
and -proto or -protoset.
'list' prints the services, or the methods of the named service. 'describe' prints the
declaration of a symbol (service, method, message, enum, ...), or of every service.
Otherwise the named method ("pkg.Service/Method" or "pkg.Service.Method") is invoked with the
messages given by -d.

With -d @ the messages come from standard input while the call runs, as in grpcurl: JSON values
one after another (whitespace between them or none), or with -format text messages separated
by the character 0x1E. A client or bidi stream opens at once, sends each message as soon as it
has been read and half-closes at the end of input; each response is printed as it arrives. A
unary or server-streaming call starts as soon as its one message has been read. Malformed input
ends the call with an error that gives its line and column; -max-time bounds the whole call
even while standard input stays open.

With -protocol grpcweb, grpcweb-text or connect the call goes over HTTP/1.1 or HTTP/2
(-http-version) as gRPC-Web or Connect (-codec proto or json); output, -v, errors and exit codes
are the same as for gRPC. Server reflection is always asked over gRPC.

Exit codes: 0 OK; 1 a local error; 2 bad usage; 64 + the gRPC status code for an RPC error.

Flags:
)";

int fail(const std::string &message)
{
    std::cerr << "Failed " << message << "\n";
    return kExitError;
}

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
    if (!status.details.empty()) {
        std::cerr << "  Details:\n";
        for (std::size_t i = 0; i < status.details.size(); ++i) {
            const std::string prefix = "  " + std::to_string(i + 1) + ")";
            std::cerr << prefix << "\t"
                      << indentLines(status.details[i], std::string(prefix.size(), ' ') + "\t") << "\n";
        }
    }
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
            return fail("to dial target host \"" + address + "\": " + status.message);
        printStatus(status, flags.boolean("format-error"));
        return kStatusCodeOffset + status.code;
    }
    if (undecoded > 0) // the call went well, but not every reply could be shown: not a success
        return fail("to format " + std::to_string(undecoded) + " of " + std::to_string(responses) +
                    " response message" + (responses == 1 ? "" : "s") + " (see above)");
    return 0;
}

} // namespace

namespace {

int runCli(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "bench")
        return cli::runBench({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "run")
        return cli::runWorkspace({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "demo")
        return cli::runDemo({args.begin() + 1, args.end()});

    Flags flags;
    defineCommonFlags(flags);
    using K = Flags::Kind;
    flags.define("msg-template", K::Bool, "With 'describe' of a message: also print a JSON template for it.");
    flags.define("protoset-out", K::Value,
                 "Write the descriptors of the symbols used to this file as a FileDescriptorSet.");
    flags.define("format-error", K::Bool, "Print an RPC error status with the -format formatter (JSON).");
    flags.define("timeline", K::Bool,
                 "After the call, print every call event in order with relative times and sizes.");
    flags.define("wire", K::Bool,
                 "Print what crosses the wire on stderr as it crosses, one line each: every HTTP/2 frame, or "
                 "for gRPC-Web and Connect over HTTP/1.1 each request and response head and each body chunk "
                 "(a local relay decodes them; it makes the TLS connection and the proxy's CONNECT itself). "
                 "A web call to https:// without -http-version goes as HTTP/2 (the relay offers only h2).");

    std::string error;
    if (!flags.parse(args, &error)) {
        std::cerr << error << "\n" << kUsage << flags.helpText();
        return kExitUsage;
    }
    rpc::setLibraryLogging(flags.boolean("vv"));
    if (flags.boolean("version")) {
        // QtCore comes in with `run` (the workspace format).
        std::cout << "wirescope-cli " << WIRESCOPE_VERSION << " (Qt " << qVersion() << ", gRPC "
                  << rpc::grpcVersion() << ", protobuf " << rpc::protobufVersion() << ")\n";
        return 0;
    }
    if (flags.boolean("help")) {
        std::cout << kUsage << flags.helpText();
        return 0;
    }
    const std::string format = flags.value("format", "json");
    if (format != "json" && format != "text") {
        std::cerr << "The -format option must be 'json' or 'text'.\n";
        return kExitUsage;
    }

    auto pos = flags.positional();
    const bool haveLocalSchema = flags.isSet("proto") || flags.isSet("protoset");
    std::string address;
    if (!pos.empty() && !(haveLocalSchema && (pos[0] == "list" || pos[0] == "describe"))) {
        address = pos[0];
        pos.erase(pos.begin());
    }
    if (pos.empty()) {
        std::cerr << "Too few arguments.\n" << kUsage << flags.helpText();
        return kExitUsage;
    }
    const std::string verb = pos[0];
    const bool isList = verb == "list";
    const bool isDescribe = verb == "describe";
    std::string symbol;
    if (isList || isDescribe) {
        if (pos.size() > 2) {
            std::cerr << "Too many arguments.\n";
            return kExitUsage;
        }
        if (pos.size() == 2)
            symbol = pos[1];
    } else if (pos.size() > 1) {
        std::cerr << "Too many arguments.\n";
        return kExitUsage;
    }
    if (address.empty() && !(isList || isDescribe)) {
        std::cerr << "No host:port specified.\n";
        return kExitUsage;
    }
    if (flags.boolean("plaintext") && flags.boolean("insecure")) {
        std::cerr << "The -plaintext and -insecure arguments are mutually exclusive.\n";
        return kExitUsage;
    }
    if (flags.isSet("cert") != flags.isSet("key")) {
        std::cerr << "The -cert and -key arguments must be used together.\n";
        return kExitUsage;
    }
    if (flags.boolean("plaintext") && (flags.isSet("cacert") || flags.isSet("cert"))) {
        std::cerr << "The -cacert, -cert and -key arguments are not valid with -plaintext.\n";
        return kExitUsage;
    }
    if (flags.isSet("proto") && flags.isSet("protoset")) {
        std::cerr << "Use either -proto or -protoset, not both.\n";
        return kExitUsage;
    }

    rpc::Metadata all, rpcOnly, reflectOnly;
    if (!parseHeaders(flags.list("H"), &all, &error) ||
        !parseHeaders(flags.list("rpc-header"), &rpcOnly, &error) ||
        !parseHeaders(flags.list("reflect-header"), &reflectOnly, &error)) {
        std::cerr << error << "\n";
        return kExitUsage;
    }
    if (!checkNumericFlags(flags, &error)) {
        std::cerr << error << "\n";
        return kExitUsage;
    }
    if (!checkProtocolFlags(flags, address, &error)) {
        std::cerr << error << "\n";
        return kExitUsage;
    }
    const bool webProtocol = flags.value("protocol", "grpc") != "grpc";
    if (const int proxyProblem = checkProxy(flags, address))
        return proxyProblem;
    std::int64_t deadlineMs = 0;
    if (double s = 0; flags.isSet("max-time") && parseSeconds(flags.value("max-time"), &s))
        deadlineMs = models::deadlineMilliseconds(s).valueOr(0); // the one seconds-to-ms rule

    rpc::SchemaSpec spec;
    spec.importPaths = flags.list("import-path");
    spec.protoFiles = flags.list("proto");
    spec.protosetFiles = flags.list("protoset");
    spec.useReflection = flags.isSet("use-reflection") ? flags.boolean("use-reflection") : !haveLocalSchema;
    if (spec.useReflection) {
        if (address.empty()) {
            std::cerr << "No host:port specified; server reflection needs one.\n";
            return kExitUsage;
        }
        spec.reflectionChannel = channelOptions(flags, address);
        spec.reflectionHeaders = all;
        spec.reflectionHeaders.insert(spec.reflectionHeaders.end(), reflectOnly.begin(), reflectOnly.end());
        if (deadlineMs > 0)
            spec.reflectionTimeoutMs =
                static_cast<int>(std::min<std::int64_t>(deadlineMs, spec.reflectionTimeoutMs));
    }
    rpc::SchemaLoader loader;
    auto schema = loader.load(spec);
    if (!schema) {
        std::cerr << "Failed to load the schema: " << schema.error().toString() << "\n";
        if (webProtocol && spec.useReflection)
            std::cerr << "(Server reflection is asked over gRPC; for a server that serves only gRPC-Web or "
                         "Connect, give the schema with -proto or -protoset.)\n";
        return kExitError;
    }
    const int verbosity = flags.boolean("vv") ? 2 : flags.boolean("v") ? 1 : 0;
    // With -v, what was repaired in the reflection server's files, once the command has used
    // them (they are fetched as needed); on stderr, so that list and describe output stays clean.
    struct RepairReport
    {
        const rpc::Schema *schema;
        bool enabled;
        ~RepairReport()
        {
            const auto repairs = schema->reflectionRepairs();
            if (!enabled || repairs.empty())
                return;
            std::cerr << "Server reflection (" << schema->reflectionVersion() << ") " << repairs.summary() << "\n";
            for (const auto &d : repairs.details)
                std::cerr << "  " << d << "\n";
        }
    } repairReport{schema->get(), verbosity > 0 && spec.useReflection};

    if (isList) {
        if (symbol.empty()) {
            auto names = (*schema)->serviceNames();
            if (!names)
                return fail("to list services: " + names.error().message);
            for (const auto &n : *names)
                std::cout << n << "\n";
            return writeProtosetOut(flags, **schema, *names) ? 0 : kExitError;
        }
        auto service = (*schema)->service(symbol);
        if (!service)
            return fail("to list methods for service \"" + symbol + "\": " + service.error().message);
        std::vector<std::string> methods;
        for (const auto &m : service->methods)
            methods.push_back(m.fullName);
        std::sort(methods.begin(), methods.end());
        for (const auto &m : methods)
            std::cout << m << "\n";
        return writeProtosetOut(flags, **schema, {symbol}) ? 0 : kExitError;
    }
    if (isDescribe) {
        std::vector<std::string> symbols;
        if (symbol.empty()) {
            auto names = (*schema)->serviceNames();
            if (!names)
                return fail("to list services: " + names.error().message);
            symbols = *names;
        } else {
            symbols.push_back(symbol);
        }
        for (const auto &s : symbols) {
            auto d = (*schema)->describe(s);
            if (!d)
                return fail("to resolve symbol \"" + s + "\": " + d.error().message);
            const char *article =
                (d->kindName == "enum" || d->kindName == "enum value" || d->kindName == "extension") ? "an"
                                                                                                     : "a";
            std::cout << d->fullName << " is " << article << " " << d->kindName << ":\n" << d->text << "\n";
            if (flags.boolean("msg-template") && d->kind == rpc::SymbolDescription::Kind::Message) {
                auto t = (*schema)->messageTemplate(d->fullName);
                if (t)
                    std::cout << "\nMessage template:\n" << *t << "\n";
            }
        }
        return writeProtosetOut(flags, **schema, symbols) ? 0 : kExitError;
    }

    rpc::Metadata rpcHeaders = all;
    rpcHeaders.insert(rpcHeaders.end(), rpcOnly.begin(), rpcOnly.end());
    return invoke(flags, *schema, address, verb, rpcHeaders, verbosity, deadlineMs);
}

} // namespace

// A standard descriptor that was closed (`<&-`) would go to the next file or socket opened, and
// -d @ would read that: libgrpc's own initializer opens an eventfd as it is loaded. Each one is
// held by /dev/null opened the other way round, so using it fails with EBADF as using the closed
// descriptor would. An executable's .preinit_array runs before any shared library's
// initializers, which a constructor function does not (ELF platforms only).
[[maybe_unused]] static void holdClosedStandardDescriptors(int, char **, char **)
{
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            const int held = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
            if (held >= 0 && held != fd) {
                ::dup2(held, fd);
                ::close(held);
            }
        }
    }
}
#ifdef __ELF__
__attribute__((section(".preinit_array"), used)) static void (*const s_holdClosedStandardDescriptors)(
    int, char **, char **) = &holdClosedStandardDescriptors;
#endif

int main(int argc, char **argv)
{
    // A closed pipe on stdout (or a socket the wire tap writes to) is an error to handle, not a
    // signal that ends the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Nothing is expected to throw; if something does (out of memory, say), say so and fail
    // like any other local error instead of aborting.
    try {
        return runCli(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "Failed: " << e.what() << "\n";
        return cli::kExitError;
    }
}
