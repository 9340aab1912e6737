// SPDX-License-Identifier: GPL-3.0-or-later
// Calls through the Wirescope engine against calls through a compiled C++ stub of the same
// service, against the same server, in the same run, alternating rounds so both see the same
// machine. Each client runs in a child process of its own (in one process, the callback
// threads gRPC starts for the stub took a fifth of an engine-only profile); --same-process puts
// both in this one. Prints one JSON object per round and a summary with the ratios of the
// medians and the range of the per-round ratios.
//
// The engine runs each measure twice: as a load run (what `wirescope-cli bench` does: replies
// checked and counted) and as the window makes calls (each started from another thread, each
// reply decoded to JSON and handed over). With --cli the program itself runs too, each round.
//
// The stub reads its stream on a channel of its own; the same stream read on the channel its
// callback-API unary calls used is printed too. The two differed in both directions from run to
// run: on one channel gRPC answered reads with far more WINDOW_UPDATE frames than on the other
// (docs/performance.md has the counts), and why is not fully understood.
//
// usage: wirescope-callbench ADDRESS [--rounds N] [--unary-calls N] [--concurrency N]
//                            [--stream-messages N] [--payload BYTES] [--echo-bytes BYTES]
//                            [--targets UNARY STREAM] [--cli WIRESCOPE-CLI] [--same-process]
// --payload sizes the stream's items; --echo-bytes makes the unary request `data` of that many
// bytes instead of the rich request of echo.h (the server echoes either back).
#include "rpc/engine.h"
#include "rpc/schema.h"

#include "echo.h"
#include "wirescope/testing/test.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

extern char **environ;

namespace {

namespace wt = wirescope::testing;

struct Options
{
    std::string address;
    int rounds = 3;
    int unaryCalls = 20000;
    int concurrency = 16;
    int streamMessages = 200000;
    int payload = 64;
    int echoBytes = 0; // 0: the rich request
    std::string only;
};

double seconds(std::int64_t fromNs)
{
    return static_cast<double>(rpc::monotonicNs() - fromNs) / 1e9;
}

wt::EchoRequest unaryMessage(const Options &o)
{
    return o.echoBytes > 0 ? bench::payloadEchoMessage(o.echoBytes) : bench::echoMessage();
}

std::string unaryJson(const Options &o)
{
    return o.echoBytes > 0 ? bench::payloadEchoJson(o.echoBytes) : std::string(bench::kEchoJson);
}

bool goodStubReply(const Options &o, const wt::EchoResponse &r)
{
    return o.echoBytes > 0 ? r.echo().data().size() == static_cast<std::size_t>(o.echoBytes)
                           : r.echo().i64() == 1234567890123;
}

// What a reply's JSON must contain: the request's i64, or its data in base64.
std::string replyMarker(const Options &o)
{
    if (o.echoBytes == 0)
        return "1234567890123";
    const std::string json = bench::payloadEchoJson(o.echoBytes);
    const auto from = json.find(": \"") + 3;
    return json.substr(from, json.rfind('"') - from);
}

// --- compiled stub -----------------------------------------------------------------------

// Callback-API calls, each next one started from the callback of one that ended. The request is
// built once and shared, as a load generator built on a stub would; gRPC serializes it per call.
double stubUnary(const Options &o, const std::shared_ptr<grpc::Channel> &channel)
{
    auto stub = wt::TestService::NewStub(channel);
    const wt::EchoRequest request = unaryMessage(o);
    std::mutex mutex;
    std::condition_variable cv;
    int launched = 0, done = 0, failed = 0;

    struct Call
    {
        grpc::ClientContext context;
        wt::EchoResponse response;
    };
    std::function<void()> launch = [&] {
        auto *call = new Call;
        stub->async()->Echo(&call->context, &request, &call->response, [&, call](grpc::Status s) {
            const bool ok = s.ok() && goodStubReply(o, call->response);
            delete call;
            std::lock_guard lock(mutex);
            failed += !ok;
            if (++done == o.unaryCalls)
                cv.notify_one(); // only then: a wake-up per call would cost the stub's side
            if (launched < o.unaryCalls) {
                ++launched;
                launch();
            }
        });
    };
    const auto start = rpc::monotonicNs();
    {
        std::lock_guard lock(mutex);
        for (; launched < std::min(o.concurrency, o.unaryCalls);)
            ++launched, launch();
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return done == o.unaryCalls; });
    const double s = seconds(start);
    if (failed)
        std::fprintf(stderr, "stub unary: %d calls failed\n", failed);
    return o.unaryCalls / s;
}

double stubStream(const Options &o, const std::shared_ptr<grpc::Channel> &channel)
{
    auto stub = wt::TestService::NewStub(channel);
    grpc::ClientContext context;
    wt::StreamRequest request;
    request.set_count(o.streamMessages);
    request.set_payload_size(o.payload);
    request.set_text("stream");
    const auto start = rpc::monotonicNs();
    auto reader = stub->ServerStream(&context, request);
    wt::StreamItem item;
    int n = 0;
    while (reader->Read(&item))
        n += item.index() == n; // parsed, and checked in order
    const auto status = reader->Finish();
    const double s = seconds(start);
    if (!status.ok() || n != o.streamMessages)
        std::fprintf(stderr, "stub stream: %s, %d messages\n", status.error_message().c_str(), n);
    return n / s;
}

// --- engine ------------------------------------------------------------------------------

rpc::CallRequest engineEcho(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::CallRequest r;
    r.callId = 1;
    r.schema = schema;
    r.method = "wirescope.testing.TestService/Echo";
    r.channel.target = o.address;
    r.messages = {unaryJson(o)};
    r.codec.pretty = false;
    return r;
}

// Calls started one by one from this thread as others end, the way the GUI starts calls:
// every call crosses from this thread to the engine's and its events come back.
double engineUnary(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::Engine engine;
    const rpc::CallRequest base = engineEcho(o, schema);
    std::uint64_t next = 1;
    int done = 0, failed = 0, replies = 0;
    const std::string marker = replyMarker(o);
    auto launch = [&] {
        rpc::CallRequest r = base;
        r.callId = next++;
        engine.start(std::move(r));
    };
    const auto start = rpc::monotonicNs();
    for (int i = 0; i < std::min(o.concurrency, o.unaryCalls); ++i)
        launch();
    while (done < o.unaryCalls) {
        for (const auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(100))) {
            if (e.kind == rpc::EventKind::MessageReceived) {
                replies += e.error.empty() && e.payload.find(marker) != std::string::npos;
            } else if (e.kind == rpc::EventKind::Finished) {
                ++done;
                failed += !e.status.ok();
                if (static_cast<int>(next - 1) < o.unaryCalls)
                    launch();
            }
        }
    }
    const double s = seconds(start);
    if (failed || replies != o.unaryCalls)
        std::fprintf(stderr, "engine unary: %d failed, %d good replies\n", failed, replies);
    return o.unaryCalls / s;
}

// The engine's load run, as wirescope-cli bench uses it: the engine thread starts each next
// call itself. Requests are still encoded from JSON and replies decoded to JSON.
double engineLoadUnary(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::Engine engine;
    rpc::LoadRequest load;
    load.call = engineEcho(o, schema);
    load.total = o.unaryCalls;
    load.concurrency = o.concurrency;
    const auto start = rpc::monotonicNs();
    engine.startLoad(load);
    int done = 0, failed = 0, replies = 0;
    while (done < o.unaryCalls) {
        for (const auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(100))) {
            if (e.kind != rpc::EventKind::Finished)
                continue;
            ++done;
            failed += !e.status.ok();
            replies += static_cast<int>(e.index);
        }
    }
    const double s = seconds(start);
    if (failed || replies != o.unaryCalls)
        std::fprintf(stderr, "engine load: %d failed, %d replies\n", failed, replies);
    return o.unaryCalls / s;
}

std::string streamJson(const Options &o)
{
    return R"({"count": )" + std::to_string(o.streamMessages) + R"(, "payloadSize": )" + std::to_string(o.payload) +
           R"(, "text": "stream"})";
}

rpc::CallRequest engineStreamRequest(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::CallRequest r;
    r.callId = 1;
    r.schema = schema;
    r.method = "wirescope.testing.TestService/ServerStream";
    r.channel.target = o.address;
    r.messages = {streamJson(o)};
    r.codec.pretty = false;
    return r;
}

// Waits for the call's Finished event, counting the messages decoded to JSON before it.
rpc::CallEvent waitForEnd(rpc::Engine &engine, int *decoded)
{
    for (;;) {
        for (auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(100))) {
            if (e.kind == rpc::EventKind::MessageReceived)
                *decoded += e.error.empty() && !e.payload.empty(); // decoded on the engine thread
            else if (e.kind == rpc::EventKind::Finished)
                return std::move(e);
        }
    }
}

// A plain call, as the window makes it: every message decoded to JSON on the engine thread and
// handed to this one.
double engineStream(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::Engine engine;
    const auto start = rpc::monotonicNs();
    engine.start(engineStreamRequest(o, schema));
    int n = 0;
    const rpc::CallEvent end = waitForEnd(engine, &n);
    const double s = seconds(start);
    if (!end.status.ok() || n != o.streamMessages)
        std::fprintf(stderr, "engine stream: %s, %d messages\n", end.status.message.c_str(), n);
    return n / s;
}

// The same stream as a load run of one call, as `wirescope-cli bench` makes it: the engine
// checks each message against the schema and counts it.
double engineLoadStream(const Options &o, const rpc::SchemaPtr &schema)
{
    rpc::Engine engine;
    rpc::LoadRequest load;
    load.call = engineStreamRequest(o, schema);
    load.total = 1;
    load.concurrency = 1;
    const auto start = rpc::monotonicNs();
    engine.startLoad(load);
    int decoded = 0;
    const rpc::CallEvent end = waitForEnd(engine, &decoded);
    const double s = seconds(start);
    const auto n = static_cast<double>(end.index);
    if (!end.status.ok() || n != o.streamMessages || decoded != 0)
        std::fprintf(stderr, "engine load stream: %s, %.0f messages\n", end.status.message.c_str(), n);
    return n / s;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// One round's figures of one client.
struct Figures
{
    double unary = 0;        // stub: callback API; engine: load run
    double unaryThread = 0;  // engine only: each call started from another thread
    double stream = 0;       // stub: on a channel of its own; engine: load run
    double streamCall = 0;   // engine only: a plain call, each message handed over as JSON
    double streamShared = 0; // stub only: on the channel of its callback-API unary calls
    double unaryWarm = 0;    // cli only: after as many warm-up calls as the stub's (-skip-first)
};

double jsonNumber(const std::string &text, const std::string &key)
{
    const auto at = text.find("\"" + key + "\":");
    return at == std::string::npos ? -1 : std::atof(text.c_str() + at + key.size() + 3);
}

// The unary calls each child makes to warm up before it measures.
int warmUnaryCalls(const Options &o)
{
    return std::min(2000, o.unaryCalls);
}

// Runs `args` and returns what it wrote to standard output; exits when it fails.
std::string runProgram(std::vector<std::string> args)
{
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) {
        std::perror("pipe");
        std::exit(1);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ) != 0) {
        std::perror("posix_spawn");
        std::exit(1);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "%s failed: %s\n", args[0].c_str(), out.c_str());
        std::exit(1);
    }
    return out;
}

// Runs this program again as `--only PATH` and reads the figures it prints: each client in a
// process of its own, as users run them, so neither shares gRPC's threads with the other.
Figures runChild(const Options &o, const char *path)
{
    const std::string out = runProgram({"/proc/self/exe", o.address, "--only", path, "--unary-calls",
                                        std::to_string(o.unaryCalls), "--concurrency", std::to_string(o.concurrency),
                                        "--stream-messages", std::to_string(o.streamMessages), "--payload",
                                        std::to_string(o.payload), "--echo-bytes", std::to_string(o.echoBytes)});
    Figures f{jsonNumber(out, "unary_calls_per_s"), jsonNumber(out, "unary_thread_calls_per_s"),
              jsonNumber(out, "stream_msgs_per_s"), jsonNumber(out, "stream_call_msgs_per_s"),
              jsonNumber(out, "stream_shared_msgs_per_s")};
    if (f.unary <= 0 || f.stream <= 0) {
        std::fprintf(stderr, "the %s client failed: %s\n", path, out.c_str());
        std::exit(1);
    }
    return f;
}

// The same two runs by `wirescope-cli bench`, the program users run: a fresh process that loads
// the schema by reflection, then connects and calls (the time it reports starts at the first call).
// The unary run is made twice: cold, and after the warm-up calls the stub's process makes
// (-skip-first), so that one row compares the two clients equally warm.
Figures runCli(const Options &o, const std::string &cli)
{
    auto bench = [&](const std::vector<std::string> &flags, const std::string &method, int calls) {
        std::vector<std::string> args = {cli, "bench", "-plaintext", "-format", "json"};
        args.insert(args.end(), flags.begin(), flags.end());
        args.push_back(o.address);
        args.push_back("wirescope.testing.TestService/" + method);
        const std::string out = runProgram(args);
        if (out.find("\"status\":{\"OK\":" + std::to_string(calls) + "}}") == std::string::npos) {
            std::fprintf(stderr, "wirescope-cli bench: not every call succeeded: %s\n", out.c_str());
            std::exit(1);
        }
        return out;
    };
    Figures f;
    const std::string unary = bench({"-n", std::to_string(o.unaryCalls), "-c", std::to_string(o.concurrency), "-d",
                                     unaryJson(o)},
                                    "Echo", o.unaryCalls);
    f.unary = jsonNumber(unary, "calls_per_second");
    const int warm = warmUnaryCalls(o);
    const std::string warmed = bench({"-n", std::to_string(o.unaryCalls + warm), "-skip-first", std::to_string(warm),
                                      "-c", std::to_string(o.concurrency), "-d", unaryJson(o)},
                                     "Echo", o.unaryCalls);
    f.unaryWarm = jsonNumber(warmed, "calls_per_second");
    const std::string stream = bench({"-n", "1", "-c", "1", "-d", streamJson(o)}, "ServerStream", 1);
    f.stream = jsonNumber(stream, "messages_received") / jsonNumber(stream, "seconds");
    if (jsonNumber(stream, "messages_received") != o.streamMessages) {
        std::fprintf(stderr, "wirescope-cli bench: not every message arrived: %s\n", stream.c_str());
        std::exit(1);
    }
    return f;
}

// Every round's figures, and the table of their medians with the spread of the per-round ratios
// (each round's engine against the same round's stub).
struct Rounds
{
    std::vector<Figures> stub, engine, cli; // cli: only with --cli

    static std::string row(const char *what, const std::vector<double> &stub, const std::vector<double> &engine,
                           const char *target)
    {
        std::vector<double> ratios;
        for (std::size_t i = 0; i < stub.size(); ++i)
            ratios.push_back(engine[i] / stub[i]);
        const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
        char line[512];
        std::snprintf(line, sizeof line, "| %s | %.0f | %.0f | %.2f | %.2f-%.2f | %s |\n", what, median(stub),
                      median(engine), median(engine) / median(stub), *lo, *hi, target);
        return line;
    }

    std::vector<double> of(const std::vector<Figures> &side, double Figures::*field) const
    {
        std::vector<double> v;
        for (const auto &f : side)
            v.push_back(f.*field);
        return v;
    }

    void printRound(std::size_t i) const
    {
        const Figures &s = stub[i], &e = engine[i];
        std::printf("{\"round\":%zu,\"stub_unary_calls_per_s\":%.0f,\"engine_load_unary_calls_per_s\":%.0f,"
                    "\"engine_unary_calls_per_s\":%.0f,\"stub_stream_msgs_per_s\":%.0f,"
                    "\"engine_load_stream_msgs_per_s\":%.0f,\"engine_stream_msgs_per_s\":%.0f,"
                    "\"stub_stream_shared_msgs_per_s\":%.0f,\"cli_unary_calls_per_s\":%.0f,"
                    "\"cli_stream_msgs_per_s\":%.0f,\"cli_warm_unary_calls_per_s\":%.0f}\n",
                    i + 1, s.unary, e.unary, e.unaryThread, s.stream, e.stream, e.streamCall, s.streamShared,
                    cli.empty() ? 0.0 : cli[i].unary, cli.empty() ? 0.0 : cli[i].stream,
                    cli.empty() ? 0.0 : cli[i].unaryWarm);
        std::fflush(stdout);
    }

    void printSummary(const Options &o, const char *how, const std::string &targetUnary,
                      const std::string &targetStream) const
    {
        char unaryLoad[160], streamLoad[160];
        std::snprintf(unaryLoad, sizeof unaryLoad, "unary calls/s, engine load run as `bench` runs it (%d calls, %d in flight)",
                      o.unaryCalls, o.concurrency);
        std::snprintf(streamLoad, sizeof streamLoad,
                      "server-stream messages/s, engine load run as `bench` (1 call of %d x %d-byte payload)",
                      o.streamMessages, o.payload);
        std::string table = "\n| measure (median of " + std::to_string(stub.size()) + " rounds; " + how +
                            ") | compiled stub | Wirescope engine | engine / stub | per round | target |\n" +
                            "|---|---|---|---|---|---|\n";
        table += row(unaryLoad, of(stub, &Figures::unary), of(engine, &Figures::unary), targetUnary.c_str());
        table += row("unary calls/s, each call started from another thread (as the window)",
                     of(stub, &Figures::unary), of(engine, &Figures::unaryThread), "");
        if (!cli.empty())
            table += row("unary calls/s, `wirescope-cli bench` (the program: a process of its own, cold)",
                         of(stub, &Figures::unary), of(cli, &Figures::unary), "");
        if (!cli.empty())
            table += row("unary calls/s, `wirescope-cli bench -skip-first` (warmed up as the stub is)",
                         of(stub, &Figures::unary), of(cli, &Figures::unaryWarm), "");
        table += row(streamLoad, of(stub, &Figures::stream), of(engine, &Figures::stream), targetStream.c_str());
        if (!cli.empty())
            table += row("server-stream messages/s, `wirescope-cli bench` (the program)", of(stub, &Figures::stream),
                         of(cli, &Figures::stream), "");
        table += row("server-stream messages/s, plain call, each message handed over as JSON (as the window)",
                     of(stub, &Figures::stream), of(engine, &Figures::streamCall), "");
        table += row("server-stream messages/s, plain call, the stub reading on its unary calls' channel",
                     of(stub, &Figures::streamShared), of(engine, &Figures::streamCall), "");
        std::fputs(table.c_str(), stdout);
    }
};

} // namespace

int main(int argc, char **argv)
{
    Options o;
    bool sameProcess = false;
    std::string cliPath;
    std::string targetUnary = ">= 0.90", targetStream = ">= 0.80";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto number = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
        if (a == "--rounds")
            o.rounds = number();
        else if (a == "--unary-calls")
            o.unaryCalls = number();
        else if (a == "--concurrency")
            o.concurrency = number();
        else if (a == "--stream-messages")
            o.streamMessages = number();
        else if (a == "--payload")
            o.payload = number();
        else if (a == "--echo-bytes")
            o.echoBytes = number();
        else if (a == "--targets" && i + 2 < argc) { // the target column's two ratios
            targetUnary = std::string(">= ") + argv[++i];
            targetStream = std::string(">= ") + argv[++i];
        } else if (a == "--only" && i + 1 < argc)
            o.only = argv[++i]; // "engine" or "stub": one client alone (what each child runs)
        else if (a == "--cli" && i + 1 < argc)
            cliPath = argv[++i]; // also run `wirescope-cli bench` each round
        else if (a == "--same-process")
            sameProcess = true; // both clients in this process, as before 2026-11-25
        else if (o.address.empty() && a[0] != '-')
            o.address = a;
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (o.address.empty() || o.rounds < 1 || o.unaryCalls < 1 || o.concurrency < 1 || o.streamMessages < 1 ||
        o.echoBytes < 0 || (!o.only.empty() && o.only != "engine" && o.only != "stub")) {
        std::fprintf(stderr, "usage: wirescope-callbench ADDRESS [--rounds N] [--unary-calls N] "
                             "[--concurrency N] [--stream-messages N] [--payload BYTES] [--echo-bytes BYTES] "
                             "[--targets UNARY STREAM] [--cli PATH] [--same-process]\n");
        return 2;
    }
    rpc::setLibraryLogging(false);

    Rounds rounds;
    if (o.only.empty() && !sameProcess) {
        // Alternate which client goes first, so neither always gets the warmer machine.
        for (int round = 0; round < o.rounds; ++round) {
            Figures stub, engine, cli;
            if (round % 2 == 0) {
                stub = runChild(o, "stub");
                engine = runChild(o, "engine");
                if (!cliPath.empty())
                    cli = runCli(o, cliPath);
            } else {
                if (!cliPath.empty())
                    cli = runCli(o, cliPath);
                engine = runChild(o, "engine");
                stub = runChild(o, "stub");
            }
            rounds.stub.push_back(stub);
            rounds.engine.push_back(engine);
            if (!cliPath.empty())
                rounds.cli.push_back(cli);
            rounds.printRound(static_cast<std::size_t>(round));
        }
        rounds.printSummary(o, "each client in its own process", targetUnary, targetStream);
        return 0;
    }

    // The engine's schema comes from the server by reflection, as a user's would.
    rpc::SchemaSpec spec;
    spec.useReflection = true;
    spec.reflectionChannel.target = o.address;
    auto schema = rpc::SchemaLoader().load(spec);
    if (!schema) {
        std::fprintf(stderr, "schema: %s\n", schema.error().toString().c_str());
        return 1;
    }
    auto channel = grpc::CreateChannel(o.address, grpc::InsecureChannelCredentials());
    grpc::ChannelArguments own;
    own.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1); // a connection of its own
    auto streamChannel = grpc::CreateCustomChannel(o.address, grpc::InsecureChannelCredentials(), own);

    auto runStub = [&](const Options &with) {
        Figures f;
        f.unary = stubUnary(with, channel);
        f.stream = stubStream(with, streamChannel);
        f.streamShared = stubStream(with, channel);
        return f;
    };
    auto runEngine = [&](const Options &with) {
        Figures f;
        f.unary = engineLoadUnary(with, *schema);
        f.unaryThread = engineUnary(with, *schema);
        f.stream = engineLoadStream(with, *schema);
        f.streamCall = engineStream(with, *schema);
        return f;
    };

    // Warm the paths this process runs (connections, reflection of the types, allocator).
    Options warm = o;
    warm.unaryCalls = warmUnaryCalls(o);
    warm.streamMessages = std::min(5000, o.streamMessages);
    if (o.only != "engine")
        runStub(warm);
    if (o.only != "stub")
        runEngine(warm);

    if (o.only == "engine") {
        const Figures f = runEngine(o);
        std::printf("{\"path\":\"engine\",\"unary_calls_per_s\":%.0f,\"unary_thread_calls_per_s\":%.0f,"
                    "\"stream_msgs_per_s\":%.0f,\"stream_call_msgs_per_s\":%.0f}\n",
                    f.unary, f.unaryThread, f.stream, f.streamCall);
        return 0;
    }
    if (o.only == "stub") {
        const Figures f = runStub(o);
        std::printf("{\"path\":\"stub\",\"unary_calls_per_s\":%.0f,\"stream_msgs_per_s\":%.0f,"
                    "\"stream_shared_msgs_per_s\":%.0f}\n",
                    f.unary, f.stream, f.streamShared);
        return 0;
    }

    for (int round = 0; round < o.rounds; ++round) {
        if (round % 2 == 0) {
            rounds.stub.push_back(runStub(o));
            rounds.engine.push_back(runEngine(o));
        } else {
            rounds.engine.push_back(runEngine(o));
            rounds.stub.push_back(runStub(o));
        }
        rounds.printRound(static_cast<std::size_t>(round));
    }
    rounds.printSummary(o, "both clients in one process", targetUnary, targetStream);
    return 0;
}
