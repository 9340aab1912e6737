// SPDX-License-Identifier: GPL-3.0-or-later
// `wirescope-cli bench`: a ghz-like load generator over the same engine the GUI uses.
#include "capacity.h"
#include "common.h"
#include "exitguard.h"
#include "requestsplitter.h"

#include "models/callrequest.h"
#include "rpc/jsonutil.h"
#include "rpc/web.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <unordered_map>

namespace cli {

namespace {

double percentile(std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = static_cast<std::size_t>(std::ceil(rank));
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

bool parseDuration(const std::string &text, double *seconds)
{
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (...) {
        return false;
    }
    const std::string unit = text.substr(used);
    if (unit.empty() || unit == "s")
        *seconds = v;
    else if (unit == "ms")
        *seconds = v / 1000;
    else if (unit == "m")
        *seconds = v * 60;
    else
        return false;
    return *seconds > 0;
}

// -n, -c, -stream-messages and -skip-first are whole numbers of at least one.
bool checkCounts(const Flags &flags, std::string *error)
{
    for (const char *name : {"n", "c", "stream-messages", "skip-first"}) {
        if (!flags.isSet(name))
            continue;
        const std::string v = flags.value(name);
        char *end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n < 1) {
            *error = std::string("The -") + name + " value must be a whole number of at least 1, not \"" + v +
                     "\".";
            return false;
        }
    }
    return true;
}

} // namespace

int runBench(const std::vector<std::string> &args)
{
    Flags flags;
    defineCommonFlags(flags);
    using K = Flags::Kind;
    flags.define("n", K::Value, "Total number of calls (default 200 when -z is not given).");
    flags.define("c", K::Value, "Number of calls in flight at once (default 50; lowered, with a note, when this machine cannot hold that many).");
    flags.define("z", K::Value,
                 "Run for this long (\"10s\", \"500ms\", \"1m\") instead of a number of calls.");
    flags.define("skip-first", K::Value,
                 "Make this many calls first and leave them out of the summary (as ghz's --skipFirst): a "
                 "warm-up; they count in -n and -z.");
    flags.define("stream-messages", K::Value,
                 "Messages each client- or bidi-streaming call sends, taken in turn from those given with -d "
                 "(default: each of them once).");
    std::string error;
    if (!flags.parse(args, &error))
        return usageError(error, "wirescope-cli bench");
    if (flags.boolean("help")) {
        std::cout << "Usage: wirescope-cli bench [flags] address method\n\n"
                     "Every call sends the JSON messages given by -d ('@': read from standard input, for a\n"
                     "request too big for an argument); a unary or server-streaming call takes one. They are\n"
                     "encoded once. Replies are checked against the method's output type and counted, not\n"
                     "formatted; a reply that does not parse ends its call with status Internal.\n\n"
                     "Flags:\n"
                  << flags.helpText();
        return 0;
    }
    rpc::setLibraryLogging(false);
    if (!checkNumericFlags(flags, &error) || !checkCounts(flags, &error))
        return usageError(error, "wirescope-cli bench");
    const auto &pos = flags.positional();
    if (pos.size() != 2)
        return usageError("bench needs an address and a method.", "wirescope-cli bench");
    const std::string address = pos[0];
    const std::string methodName = pos[1];
    if (!checkProtocolFlags(flags, address, &error))
        return usageError(error, "wirescope-cli bench");
    if (const int proxyProblem = checkProxy(flags, address))
        return proxyProblem;
    const long total = flags.isSet("n") ? std::atol(flags.value("n").c_str()) : (flags.isSet("z") ? -1 : 200);
    const long asked = std::max(1L, std::atol(flags.value("c", "50").c_str()));
    const int streamMessages = std::max(1, std::atoi(flags.value("stream-messages", "1").c_str()));
    const long skipFirst = flags.isSet("skip-first") ? std::atol(flags.value("skip-first").c_str()) : 0;
    if (total > 0 && skipFirst >= total)
        return usageError("The -skip-first value must be less than -n (" + std::to_string(total) +
                              "): no call would be counted.",
                          "wirescope-cli bench");
    double duration = 0;
    if (flags.isSet("z") && !parseDuration(flags.value("z"), &duration))
        return usageError("The -z value must be a duration such as 10s or 500ms.", "wirescope-cli bench");
    const bool jsonOut = flags.value("format", "text") == "json";

    rpc::Metadata headers;
    if (!parseHeaders(flags.list("H"), &headers, &error) ||
        !parseHeaders(flags.list("rpc-header"), &headers, &error)) {
        return usageError(error, "wirescope-cli bench");
    }
    rpc::SchemaSpec spec;
    spec.importPaths = flags.list("import-path");
    spec.protoFiles = flags.list("proto");
    spec.protosetFiles = flags.list("protoset");
    spec.useReflection = flags.isSet("use-reflection")
                             ? flags.boolean("use-reflection")
                             : spec.protoFiles.empty() && spec.protosetFiles.empty();
    spec.reflectionChannel = channelOptions(flags, address);
    spec.reflectionHeaders = headers;
    rpc::SchemaLoader loader;
    auto schema = loader.load(spec);
    if (!schema) {
        std::cerr << "Failed to load the schema: " << schema.error().toString() << "\n";
        return kExitError;
    }
    auto method = (*schema)->findMethod(methodName);
    if (!method) {
        std::cerr << "Failed to resolve method \"" << methodName << "\": " << method.error().message << "\n";
        return kExitError;
    }
    // -d @ reads the messages from standard input: a request too big for an argument (a long
    // client stream, a message of many MB) is read in pieces and split as it comes.
    auto given = flags.value("d") == "@" ? readMessages(0, RequestSplitter::Format::Json)
                                         : rpc::splitJsonValues(flags.value("d", "{}"));
    if (!given) {
        const auto &e = given.error();
        if (e.diagnostics.empty())
            std::cerr << "Failed to read request data from standard input: " << e.message << "\n";
        else
            std::cerr << "Failed to parse request data (-d): " << e.diagnostics.front().toString() << "\n";
        return kExitError;
    }
    rpc::CallRequest base;
    base.channel = channelOptions(flags, address);
    applyProtocolFlags(flags, address, &base);
    // channelOptions took TLS or not from a URL's scheme.
    if (auto problem = rpc::protocolProblem(base.protocol, base.httpVersion, method->kind, !base.channel.plaintext);
        !problem.empty()) {
        std::cerr << "Failed to call \"" << method->fullName << "\": " << problem << "\n";
        return kExitError;
    }
    std::vector<std::string> messages = std::move(given.value());
    if (messages.empty()) {
        std::cerr << "Failed to parse request data (-d): no request message given\n";
        return kExitError;
    }
    if (!method->clientStreams() && messages.size() > 1) {
        std::cerr << "Failed to parse request data (-d): a " << rpc::methodKindName(method->kind)
                  << " call takes one request message, " << messages.size() << " were given\n";
        return kExitError;
    }
    if (method->clientStreams() && flags.isSet("stream-messages")) {
        const auto want = static_cast<std::size_t>(streamMessages);
        const std::size_t have = messages.size();
        messages.reserve(want); // no reallocation under the reference push_back copies from
        for (std::size_t i = have; i < want; ++i)
            messages.push_back(messages[i % have]);
        messages.resize(want);
    }

    base.schema = *schema;
    base.method = method->fullName;
    base.metadata = headers;
    base.messages = std::move(messages);
    base.codec.pretty = false;
    if (flags.isSet("max-time")) {
        double s = 0;
        if (parseSeconds(flags.value("max-time"), &s))
            base.deadlineMs = models::deadlineMilliseconds(s).valueOr(0);
    }

    // The engine's load run starts each next call on the engine thread as one ends; this
    // thread only collects starts and ends.
    ExitGuard exitGuard; // destroyed after the engine: bounds the wait for gRPC's shutdown
    rpc::Engine engine;
    // Every call in flight holds memory until it ends: more than the machine can hold ends the
    // run in an allocation failure. Lower -c to what fits and say so. Measured with the engine
    // and the schema's channel up, so their threads' stacks and heaps are counted as used.
    const long wanted = total > 0 ? std::min(asked, total) : asked;
    const MemoryRoom room = memoryRoom();
    const int concurrency = boundedConcurrency(wanted, room);
    if (concurrency < wanted)
        std::cerr << "bench: " << concurrency << (concurrency == 1 ? " call" : " calls") << " in flight instead of " << asked << ": each holds about "
                  << kBytesPerCallInFlight / 1024 << " KiB, and " << room.limitedBy << " leaves "
                  << room.bytes / (1024 * 1024) << " MiB.\n";
    rpc::LoadRequest load;
    load.call = std::move(base);
    load.call.callId = 1;
    load.total = total > 0 ? total : 0;
    load.concurrency = concurrency;
    load.durationMs = duration > 0 ? static_cast<std::int64_t>(duration * 1000) : 0;
    std::unordered_map<std::uint64_t, std::int64_t> startedAt;
    std::vector<double> latencies;
    std::map<std::string, long> statuses;
    std::map<std::string, std::string> firstMessages; // the first message of each failed status
    long started = 0, ended = 0, finished = 0, messagesReceived = 0, messagesSent = 0;
    long skippedFailed = 0; // calls of -skip-first that did not end OK
    std::int64_t begin = rpc::monotonicNs();
    engine.startLoad(load);
    auto take = [&](const std::vector<rpc::CallEvent> &events) {
        for (const auto &e : events) {
            if (e.kind == rpc::EventKind::Started) {
                ++started;
                startedAt[e.callId] = e.timeNs;
            } else if (e.kind == rpc::EventKind::Finished) {
                // The first -skip-first calls to end are left out; the summary's time starts
                // when the last of them ended.
                if (++ended <= skipFirst) {
                    startedAt.erase(e.callId);
                    skippedFailed += !e.status.ok();
                    if (ended == skipFirst)
                        begin = e.timeNs;
                    continue;
                }
                ++finished;
                messagesReceived += static_cast<long>(e.index);
                messagesSent += static_cast<long>(e.messagesSent);
                if (auto it = startedAt.find(e.callId); it != startedAt.end()) {
                    latencies.push_back(static_cast<double>(e.timeNs - it->second) / 1e6);
                    startedAt.erase(it);
                }
                ++statuses[rpc::statusCodeName(e.status.code)];
                if (!e.status.ok())
                    firstMessages.emplace(rpc::statusCodeName(e.status.code), e.status.message);
            }
        }
    };
    for (;;) {
        take(engine.events().waitAndDrain(std::chrono::milliseconds(50)));
        // Every call's Finished is queued before it stops counting as active, and the next
        // call of the run starts before that: at 0 the run is over and its events are queued.
        if ((started > 0 || ended > 0) && engine.activeCalls() == 0) {
            take(engine.events().drain());
            break;
        }
    }
    const double seconds = static_cast<double>(rpc::monotonicNs() - begin) / 1e9;
    std::sort(latencies.begin(), latencies.end());
    const double p50 = percentile(latencies, 50), p90 = percentile(latencies, 90),
                 p99 = percentile(latencies, 99), mx = latencies.empty() ? 0 : latencies.back();
    const double callsPerSecond = seconds > 0 ? static_cast<double>(finished) / seconds : 0;
    const double messagesPerSecond =
        seconds > 0 ? static_cast<double>(messagesReceived + messagesSent) / seconds : 0;

    char buf[512];
    if (jsonOut) {
        std::string status;
        for (const auto &[k, v] : statuses)
            status += (status.empty() ? "" : ",") + ("\"" + k + "\":" + std::to_string(v));
        std::snprintf(buf, sizeof buf,
                      "{\"calls\":%ld,\"seconds\":%.6f,\"calls_per_second\":%.3f,"
                      "\"messages_per_second\":%.3f,\"messages_sent\":%ld,\"messages_received\":%ld,"
                      "\"concurrency\":%d,\"latency_ms\":{\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,"
                      "\"max\":%.4f},",
                      finished, seconds, callsPerSecond, messagesPerSecond, messagesSent, messagesReceived,
                      concurrency, p50, p90, p99, mx);
        std::cout << buf << "\"status\":{" << status << "}}\n";
    } else {
        std::snprintf(buf, sizeof buf,
                      "Summary:\n  Calls:        %ld\n  Total:        %.3f s\n  Calls/s:      %.1f\n"
                      "  Messages/s:   %.1f (sent %ld, received %ld)\n  Concurrency:  %d\n"
                      "\nLatency (ms):\n  p50:  %.3f\n  p90:  %.3f\n  p99:  %.3f\n  max:  %.3f\n",
                      finished, seconds, callsPerSecond, messagesPerSecond, messagesSent, messagesReceived,
                      concurrency, p50, p90, p99, mx);
        std::cout << buf << "\nStatus:\n";
        for (const auto &[k, v] : statuses) {
            std::cout << "  " << k << ": " << v;
            if (auto it = firstMessages.find(k); it != firstMessages.end())
                std::cout << " (the first: " << it->second << ")";
            std::cout << "\n";
        }
    }
    if (skippedFailed > 0)
        std::cerr << "bench: " << skippedFailed << " of the " << skipFirst
                  << " calls left out by -skip-first did not end OK.\n";
    const bool allOk = statuses.size() == 1 && statuses.count("OK") && skippedFailed == 0;
    const int exitCode = allOk || (finished == 0 && skippedFailed == 0) ? 0 : kExitError;
    exitGuard.arm(exitCode, std::chrono::seconds(10));
    return exitCode;
}

} // namespace cli
