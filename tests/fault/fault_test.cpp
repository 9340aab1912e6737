// SPDX-License-Identifier: GPL-3.0-or-later
// The fault suite: servers that misbehave and input that is wrong, each run through the real
// programs. Whatever happens, the process must end by itself with the documented exit code and an
// error that says what went wrong — never by a signal, never by the test's timeout.
#include "faultserver.h"
#include "rawhttpserver.h"
#include "support.h"
#include "testserver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace testsupport;

namespace {

const std::string kCli = WIRESCOPE_CLI;
const std::string kProtoDir = WIRESCOPE_TEST_PROTO_DIR;
const std::string kEcho = "wirescope.testing.TestService/Echo";

std::vector<std::string> withSchema(std::vector<std::string> args)
{
    args.insert(args.begin(), {kCli, "-import-path", kProtoDir, "-proto", "wirescope/testing/test.proto"});
    return args;
}

std::string describe(const ProcessResult &r)
{
    return "exit " + std::to_string(r.exitCode) + (r.signal ? " (signal " + std::to_string(r.signal) + ")" : "") +
           (r.timedOut ? " (timed out)" : "") + "\nstdout: " + r.out.substr(0, 3000) +
           "\nstderr: " + r.err.substr(0, 3000);
}

// The process ended by itself, with `code`, and said `text` on stderr.
void expectEnded(const ProcessResult &r, int code, const std::string &text)
{
    EXPECT_EQ(r.signal, 0) << describe(r);
    EXPECT_FALSE(r.timedOut) << describe(r);
    EXPECT_EQ(r.exitCode, code) << describe(r);
    EXPECT_NE(r.err.find(text), std::string::npos) << "expected \"" << text << "\"\n" << describe(r);
}

// --- Servers that misbehave, with and without the wire tap ----------------------------------

struct ServerCase
{
    faults::Behaviour behaviour;
    int exitCode;
    std::string message; // in the error block
};

class ServerFaults : public ::testing::TestWithParam<std::tuple<ServerCase, bool>>
{};

TEST_P(ServerFaults, endWithTheStatusAndSayWhy)
{
    const auto &[c, wire] = GetParam();
    faults::FaultServer server(c.behaviour);
    std::vector<std::string> args{"-plaintext", "-max-time", "15", "-connect-timeout", "3"};
    if (wire)
        args.push_back("-wire");
    args.insert(args.end(), {"-d", R"({"text": "hello"})", server.address(), kEcho});
    const auto r = run(withSchema(args), {}, std::chrono::seconds(40));
    std::string message = c.message;
    if (message == "ADDRESS")
        message = "could not connect to " + server.address() + " within 3000 ms";
    // A server that closes while the client writes: gRPC says which side noticed first.
    if (message == "Socket closed" && r.err.find("Broken pipe") != std::string::npos)
        message = "Broken pipe";
    // Never connected: a local failure (exit 1), as grpcurl's "Failed to dial target host".
    // Connected, then broken: the status and its error block (exit 64 + code).
    expectEnded(r, c.exitCode, message);
    if (c.exitCode == 1) {
        EXPECT_NE(r.err.find("Failed to dial target host \"" + server.address() + "\": "), std::string::npos)
            << describe(r);
    }
    EXPECT_EQ(r.err.find("ERROR:") != std::string::npos, c.exitCode != 1) << describe(r);
    // Any address the error names is the server's, as typed (not the wire tap's).
    std::string said;
    for (std::size_t at = 0; at < r.err.size();) {
        const auto nl = r.err.find('\n', at);
        const std::string line = r.err.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        if (line.rfind("wire:", 0) != 0)
            said += line + "\n";
        at = nl == std::string::npos ? r.err.size() : nl + 1;
    }
    for (auto at = said.find("127.0.0.1:"); at != std::string::npos; at = said.find("127.0.0.1:", at + 1))
        EXPECT_EQ(said.compare(at, server.address().size(), server.address()), 0) << describe(r);
    EXPECT_GE(server.connectionsAccepted(), 1);
}

const ServerCase kServerCases[] = {
    {faults::Behaviour::Silent, 1, "ADDRESS"},
    {faults::Behaviour::SettingsThenClose, 78, "Socket closed"},
    {faults::Behaviour::GoAway, 78, "GOAWAY received"},
    {faults::Behaviour::RstStream, 77, "Received RST_STREAM with error code 2"},
    {faults::Behaviour::OversizedFrame, 77, "frame of size 16777215"},
    {faults::Behaviour::Http1, 1, "Trying to connect an http1.x server"},
    {faults::Behaviour::Garbage, 1, "Failed parsing HTTP/2"},
    {faults::Behaviour::CloseMidResponse, 78, "Socket closed"},
};

// A reply that cannot be decoded was printed as a failure and the CLI exited 0 (issue 18).
TEST(ReplyFaults, aReplyThatCannotBeDecodedIsNotASuccess)
{
    for (bool wire : {false, true}) {
        faults::FaultServer server(faults::Behaviour::GarbageMessage);
        std::vector<std::string> args{"-plaintext", "-max-time", "15"};
        if (wire)
            args.push_back("-wire");
        args.insert(args.end(), {"-d", "{}", server.address(), kEcho});
        const auto r = run(withSchema(args), {}, std::chrono::seconds(40));
        EXPECT_EQ(r.signal, 0) << describe(r);
        EXPECT_EQ(r.exitCode, 1) << describe(r);
        EXPECT_NE(r.out.find("Failed to format response message 1: cannot decode wirescope.testing.EchoResponse"),
                  std::string::npos)
            << describe(r);
        EXPECT_NE(r.err.find("Failed to format 1 of 1 response message"), std::string::npos) << describe(r);
    }
}

// A web server's HTTP/1.1 answer that the wire tap's relay cannot read ends the call, never the
// process: an empty content-length threw out of the relay's decoder (found by wire_fuzz).
TEST(ReplyFaults, anHttp1AnswerTheRelayCannotReadEndsTheCall)
{
    const std::vector<std::pair<std::string, std::string>> answers{
        {"HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\ncontent-length:\r\n\r\n",
         "gives an empty content-length"},
        {"HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\ncontent-length: 5, 6\r\n\r\n",
         "not one length in digits"},
    };
    for (const auto &[answer, text] : answers) {
        for (bool wire : {false, true}) {
            RawHttpServer server(answer);
            std::vector<std::string> args{"-protocol", "connect", "-http-version", "1.1", "-max-time", "15"};
            if (wire)
                args.push_back("-wire");
            args.insert(args.end(), {"-d", "{}", "http://" + server.address(), kEcho});
            const auto r = run(withSchema(args), {}, std::chrono::seconds(40));
            EXPECT_EQ(r.signal, 0) << describe(r);
            EXPECT_FALSE(r.timedOut) << describe(r);
            EXPECT_GE(r.exitCode, 64) << describe(r); // the call's status, as for any failed call
            if (wire) {
                EXPECT_NE(r.err.find(text), std::string::npos) << "expected \"" << text << "\"\n" << describe(r);
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(All, ServerFaults, ::testing::Combine(::testing::ValuesIn(kServerCases), ::testing::Bool()),
                         [](const auto &info) {
                             std::string name = faults::behaviourName(std::get<0>(info.param).behaviour);
                             for (char &ch : name)
                                 if (!std::isalnum(static_cast<unsigned char>(ch)))
                                     ch = '_';
                             return name + (std::get<1>(info.param) ? "_wire" : "");
                         });

// --- TLS gone wrong, with and without the wire tap ------------------------------------------

class TlsFaults : public ::testing::TestWithParam<bool>
{
protected:
    static void SetUpTestSuite()
    {
        s_pki = new Pki();
        testing_server::ServerOptions tls;
        tls.certFile = s_pki->path("server.pem");
        tls.keyFile = s_pki->path("server.key");
        s_tls = new testing_server::TestServer(tls);
        ASSERT_TRUE(s_tls->start());
        tls.clientCaFile = s_pki->path("ca.pem");
        s_mtls = new testing_server::TestServer(tls);
        ASSERT_TRUE(s_mtls->start());
        s_plain = new testing_server::TestServer();
        ASSERT_TRUE(s_plain->start());
    }
    static void TearDownTestSuite()
    {
        delete s_tls;
        delete s_mtls;
        delete s_plain;
        delete s_pki;
    }
    static Pki *s_pki;
    static testing_server::TestServer *s_tls, *s_mtls, *s_plain;
};
Pki *TlsFaults::s_pki = nullptr;
testing_server::TestServer *TlsFaults::s_tls = nullptr;
testing_server::TestServer *TlsFaults::s_mtls = nullptr;
testing_server::TestServer *TlsFaults::s_plain = nullptr;

// Each ends by itself with exit 1 (the connection never came up, or a local file is wrong) and a
// message that names the problem, the same with the wire tap (which makes the TLS connection
// itself) as without. A mismatched client key used to say "empty address list".
TEST_P(TlsFaults, endLocallyAndNameTheProblem)
{
    const bool wire = GetParam();
    auto at = [](const testing_server::TestServer *server) { return "localhost:" + std::to_string(server->port()); };
    const std::string ca = s_pki->path("ca.pem");
    struct Case
    {
        const char *name;
        std::string address;
        std::vector<std::string> flags;
        std::vector<std::string> says; // all of these, in either mode
    };
    const Case cases[] = {
        {"wrong CA", at(s_tls), {"-cacert", s_pki->path("other.pem")}, {"certificate verify failed"}},
        {"wrong name", at(s_tls), {"-cacert", ca, "-servername", "wrong.example"}, {"wrong.example"}},
        // Said in words for the address as typed, with the hint (gRPC's words are for -v).
        {"TLS to a plaintext server",
         at(s_plain),
         {"-cacert", ca},
         {"TLS handshake with " + at(s_plain) + " failed: the server does not speak TLS", "try -plaintext"}},
        {"plaintext to a TLS server",
         at(s_tls),
         {"-plaintext"},
         {at(s_tls) + " closed the connection without answering: the server may expect TLS", "try without -plaintext"}},
        {"no client certificate for mTLS", at(s_mtls), {"-cacert", ca}, {"Socket closed"}},
        {"mismatched client key",
         at(s_mtls),
         {"-cacert", ca, "-cert", s_pki->path("client.pem"), "-key", s_pki->path("server.key")},
         {"client key " + s_pki->path("server.key") + " does not belong to the certificate " +
          s_pki->path("client.pem")}},
        {"missing certificate file",
         at(s_mtls),
         {"-cacert", ca, "-cert", "/nonexistent/client.pem", "-key", s_pki->path("client.key")},
         {"client certificate", "/nonexistent/client.pem"}},
        {"a CA file that is not PEM",
         at(s_tls),
         {"-cacert", s_pki->path("server.key")},
         {"CA certificate file", "holds no certificate"}},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        std::vector<std::string> args{"-max-time", "15", "-connect-timeout", "5"};
        if (wire)
            args.push_back("-wire");
        args.insert(args.end(), c.flags.begin(), c.flags.end());
        args.insert(args.end(), {"-d", "{}", c.address, kEcho});
        const auto r = run(withSchema(args), {}, std::chrono::seconds(40));
        for (const auto &text : c.says)
            expectEnded(r, 1, text);
        EXPECT_EQ(r.err.find("empty address list"), std::string::npos) << describe(r);
        EXPECT_EQ(r.err.find("Failed to encode request"), std::string::npos) << describe(r);
    }
    // And with everything right, the call goes through.
    std::vector<std::string> ok{"-cacert", ca, "-cert", s_pki->path("client.pem"), "-key", s_pki->path("client.key")};
    if (wire)
        ok.push_back("-wire");
    ok.insert(ok.end(), {"-d", "{}", at(s_mtls), kEcho});
    const auto r = run(withSchema(ok));
    EXPECT_EQ(r.exitCode, 0) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(All, TlsFaults, ::testing::Bool(),
                         [](const auto &info) { return std::string(info.param ? "wire" : "direct"); });

// --- Headers gRPC would refuse (gRPC core aborts the process on them) -----------------------

class HeaderFaults : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_server = new testing_server::TestServer();
        ASSERT_TRUE(s_server->start());
    }
    static void TearDownTestSuite()
    {
        delete s_server;
        s_server = nullptr;
    }
    static testing_server::TestServer *s_server;
};
testing_server::TestServer *HeaderFaults::s_server = nullptr;

struct BadHeader
{
    std::string line;    // as typed after -H
    std::string problem; // what the error must say
};
const BadHeader kBadHeaders[] = {
    {"x-city: Z\xC3\xBCrich", "header \"x-city\": byte 2 (0xC3) of the value is not printable ASCII"},
    {"bad name: v", "header \"bad name\": byte 4 (0x20) of the name"},
    {"x-a: a\rb", "header \"x-a\": byte 2 (0x0D)"},
    {"x-a: a\nb", "header \"x-a\": byte 2 (0x0A)"},
    {"x-a: a\x01" "b", "header \"x-a\": byte 2 (0x01)"},
    {"x-a: a\x7f", "header \"x-a\": byte 2 (0x7F)"},
    {"grpc-timeout: 1S", "reserved for gRPC"},
    {"te: trailers", "header \"te\""},
};

// A workspace in `ws` with the test schema (a copy: paths may not leave the workspace).
void makeWorkspace(const TempDir &ws)
{
    ws.write("protos/wirescope/testing/test.proto", readFile(kProtoDir + "/wirescope/testing/test.proto"));
    ws.write("wirescope.json", R"({"format_version": 1, "proto_files": ["wirescope/testing/test.proto"],
        "import_paths": ["protos"]})");
}

TEST_F(HeaderFaults, everyWayAHeaderGetsInIsChecked)
{
    for (const auto &h : kBadHeaders) {
        SCOPED_TRACE(h.line);
        // A call's header, a call-only header, a reflection-only header, and bench.
        for (const char *flag : {"-H", "-rpc-header"})
            expectEnded(run(withSchema({"-plaintext", flag, h.line, "-d", "{}", s_server->address(), kEcho})), 2,
                        h.problem);
        expectEnded(run({kCli, "-plaintext", "-reflect-header", h.line, s_server->address(), "list"}), 2, h.problem);
        expectEnded(run({kCli, "bench", "-import-path", kProtoDir, "-proto", "wirescope/testing/test.proto",
                         "-plaintext", "-n", "3", "-H", h.line, "-d", "{}", s_server->address(), kEcho}),
                    2, h.problem);
    }
    // A -bin header carries any bytes (base64 on the command line).
    const auto ok = run(withSchema({"-plaintext", "-H", "x-raw-bin: AP8NCg==", "-d", "{}", s_server->address(), kEcho}));
    EXPECT_EQ(ok.exitCode, 0) << describe(ok);
    // Only base64 (header_fuzz): the text after the padding was dropped and "AP8NCg==junk" sent.
    expectEnded(run(withSchema({"-plaintext", "-H", "x-raw-bin: AP8NCg==junk", "-d", "{}", s_server->address(), kEcho})),
                2, "header \"x-raw-bin\": the value of a -bin header must be base64");
}

TEST_F(HeaderFaults, oneBadRequestInARunFailsAloneAndTheReportIsWritten)
{
    TempDir ws;
    makeWorkspace(ws);
    const std::string request = R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo",
        "target": ")" + s_server->address() + R"(", "body": {"text": "x"}, "metadata": [["x-city", "VALUE"]]})";
    auto with = [&](const std::string &value) {
        std::string r = request;
        r.replace(r.find("VALUE"), 5, value);
        return r;
    };
    ws.write("a-good.json", with("Zurich"));
    ws.write("b-bad.json", with("Z\xC3\xBCrich"));
    ws.write("c-good.json", with("Bern"));
    const std::string junit = (ws.path() / "junit.xml").string();
    const auto r = run({kCli, "run", ws.path().string(), "--junit", junit});
    EXPECT_EQ(r.signal, 0) << describe(r);
    EXPECT_EQ(r.exitCode, 1) << describe(r); // a test failed
    EXPECT_NE(r.out.find("PASS  a-good.json"), std::string::npos) << describe(r);
    EXPECT_NE(r.out.find("PASS  c-good.json"), std::string::npos) << describe(r);
    EXPECT_NE(r.out.find("header \"x-city\": byte 2 (0xC3)"), std::string::npos) << describe(r);
    const std::string report = readFile(junit);
    EXPECT_NE(report.find("errors=\"1\""), std::string::npos) << report;
    EXPECT_NE(report.find("<error message=\"header &quot;x-city&quot;"), std::string::npos) << report;
}

// run skipped a truncated or binary request file with a warning and reported "all passed",
// exit 0 (issue 18). Each such file is a failed test, in its place, with what and where.
TEST_F(HeaderFaults, unreadableRequestFilesAreFailedTestsInARun)
{
    TempDir ws;
    makeWorkspace(ws);
    const std::string good = R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo",
        "target": ")" + s_server->address() + R"(", "body": {"text": "x"}})";
    ws.write("a-good.json", good);
    ws.write("b-truncated.json", good.substr(0, good.size() / 2));
    ws.write("c-binary.json", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\xff\xfe", 12));
    ws.write("d-empty.json", "");
    ws.write("e-wrong-type.json", R"({"method": 5})");
    ws.write("f-no-method.json", R"({"target": "127.0.0.1:1"})");
    ws.write("g-bad-metadata.json", R"({"method": "a.B/C", "metadata": [["only-a-name"]]})");
    ws.write("z-good.json", good);
    const std::string junit = (ws.path() / "junit.xml").string();
    const auto r = run({kCli, "run", ws.path().string(), "--junit", junit});
    EXPECT_EQ(r.signal, 0) << describe(r);
    EXPECT_EQ(r.exitCode, 1) << describe(r);
    EXPECT_NE(r.out.find("8 requests: 2 passed, 6 failed"), std::string::npos) << describe(r);
    for (const char *expected :
         {"ERROR b-truncated.json", "cannot read the request file: b-truncated.json:", "ERROR c-binary.json",
          "cannot read the request file: d-empty.json:1:1", "e-wrong-type.json: \"method\" must be a string, not a number",
          "ERROR f-no-method.json", "the request names no method", "g-bad-metadata.json: each \"metadata\" entry"})
        EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << describe(r);
    // The order is the files' order, the good ones ran, and the report lists all eight.
    EXPECT_LT(r.out.find("PASS  a-good.json"), r.out.find("ERROR b-truncated.json"));
    EXPECT_LT(r.out.find("ERROR g-bad-metadata.json"), r.out.find("PASS  z-good.json"));
    const std::string report = readFile(junit);
    EXPECT_NE(report.find("tests=\"8\" failures=\"0\" errors=\"6\""), std::string::npos) << report;
    EXPECT_EQ(r.err.find("warning:"), std::string::npos) << r.err; // said once, as a failed test
}

// `wirescope-cli … | head -2` ended the CLI by SIGPIPE (exit 141). It now sees the write fail,
// cancels the call, says so and exits 1.
TEST_F(HeaderFaults, aClosedStandardOutputEndsTheCallNotTheProcess)
{
    Interactive p(withSchema({"-plaintext", "-d", R"({"count": 100000})", s_server->address(),
                              "wirescope.testing.TestService/ServerStream"}));
    ASSERT_TRUE(p.waitFor(0, "{")); // the first replies arrived…
    p.closeOutput();                // …and the reader goes away
    EXPECT_EQ(p.exitCode(), 1) << p.err();
    EXPECT_EQ(p.signal(), 0);
    EXPECT_NE(p.err().find("standard output was closed; the call was cancelled"), std::string::npos) << p.err();
}

// --- Input the fuzzers found (tests/fuzz) ---------------------------------------------------

// Times too large for the engine's int milliseconds (seen while writing the grpcurl and workspace
// fuzz targets, which check them now): converting 1e300 seconds was undefined behaviour (UBSan
// stops the process there; otherwise the call went without a deadline). A sub-millisecond
// -max-time became 0, "no deadline"; it is now 1 ms.
TEST_F(HeaderFaults, timesBeyondTheEnginesMillisecondsAreRefused)
{
    for (const char *flag : {"-max-time", "-connect-timeout", "-keepalive-time"}) {
        for (const char *value : {"1e300", "inf", "2147484"}) {
            SCOPED_TRACE(std::string(flag) + " " + value);
            expectEnded(run(withSchema({"-plaintext", flag, value, "-d", "{}", s_server->address(), kEcho})), 2,
                        std::string("The ") + flag + " value must be a positive number of seconds up to 2147483");
        }
    }
    expectEnded(run(withSchema({"-plaintext", "-max-time", "0.0001", "-d", R"({"delay_ms": 3000})",
                                s_server->address(), "wirescope.testing.TestService/Slow"})),
                64 + 4, "DeadlineExceeded");

    // In a workspace: the request file and the connection are named, the others still run.
    TempDir ws;
    makeWorkspace(ws);
    ws.write("wirescope.json", R"({"format_version": 1, "proto_files": ["wirescope/testing/test.proto"],
        "import_paths": ["protos"], "connections": {"far": {"keepalive_seconds": 1e300}}})");
    const std::string request = R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo",
        "target": ")" + s_server->address() + R"(", "body": {"text": "x"})";
    ws.write("a-good.json", request + "}");
    ws.write("b-deadline.json", request + R"(, "deadline_seconds": 1e300})");
    ws.write("c-keepalive.json", request + R"(, "connection": "far"})");
    const auto r = run({kCli, "run", ws.path().string()});
    EXPECT_EQ(r.signal, 0) << describe(r);
    EXPECT_EQ(r.exitCode, 1) << describe(r);
    for (const char *expected : {"PASS  a-good.json", "b-deadline.json: \"deadline_seconds\" must be at most 2147483",
                                 "connection \"far\": keepalive_seconds is too long (at most 2147483 seconds)"})
        EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << describe(r);
}

// --- Load that the machine cannot hold ------------------------------------------------------

// The threads of process `pid`, from /proc.
int threadsOf(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("Threads:", 0) == 0)
            return std::stoi(line.substr(8));
    return -1;
}

// The demo service started a thread per call without a bound: a bench of 100 000 calls at once
// exhausted the machine's process ids (issue 18). It serves on a bounded pool and refuses the rest.
TEST(LoadFaults, theDemoServiceServesOnABoundedPool)
{
    const int port = deadPort();
    Spawned demo({kCli, "demo", "--listen", "127.0.0.1:" + std::to_string(port)});
    ASSERT_NE(demo.waitForLine("listening on", std::chrono::seconds(20)), "");
    std::atomic<bool> done{false};
    int most = 0;
    std::thread sampler([&] {
        while (!done) {
            most = std::max(most, threadsOf(demo.pid()));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const auto r = run({kCli, "bench", "-plaintext", "-c", "1000", "-n", "2000", "-d",
                        R"({"count": 2, "interval": "0.2s"})", "127.0.0.1:" + std::to_string(port),
                        "wirescope.demo.v1.WeatherService/WatchReadings"},
                       {}, std::chrono::seconds(120));
    done = true;
    sampler.join();
    EXPECT_EQ(r.signal, 0) << describe(r);
    EXPECT_FALSE(r.timedOut) << describe(r);
    EXPECT_LE(most, 64 + 24) << "threads in the demo service at the most";
    EXPECT_GT(most, 0);
    EXPECT_NE(r.out.find("OK: "), std::string::npos) << describe(r);
    EXPECT_NE(r.out.find("RESOURCE_EXHAUSTED: "), std::string::npos) << describe(r);
    EXPECT_EQ(r.exitCode, 1) << describe(r); // some calls failed, as bench says
}

// bench -c 100000 held every call in flight at once: under a memory limit the run ended in an
// allocation failure (SIGABRT), or hung in gRPC's shutdown with its summary still buffered
// (issue 18). It lowers the calls in flight to what fits, says so, and completes the run.
TEST(LoadFaults, callsInFlightAreBoundedByTheMemoryThereIs)
{
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: no address-space limit fits it";
#else
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    const auto r = run({"/usr/bin/prlimit", "--as=1000000000", "--", kCli, "bench", "-import-path", kProtoDir, "-proto",
                        "wirescope/testing/test.proto", "-plaintext", "-c", "100000", "-n", "40000", "-d",
                        R"({"text": "hello"})", server.address(), kEcho},
                       {}, std::chrono::seconds(120));
    expectEnded(r, 0, " in flight instead of 100000: each holds about 32 KiB, and the address-space limit");
    EXPECT_NE(r.out.find("Calls:        40000"), std::string::npos) << describe(r);
    EXPECT_NE(r.out.find("OK: 40000"), std::string::npos) << describe(r);
#endif
}

} // namespace
