// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli run as a program, the way a grpcurl user runs it: list, describe, invoke with
// every kind of call, its flags, its output shapes, its errors and exit codes, and bench.
#include "support.h"
#include "testserver.h"

#include "rpc/jsonutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace testsupport;

namespace {

const std::string kCli = WIRESCOPE_CLI;
const std::string kProtoDir = WIRESCOPE_TEST_PROTO_DIR;
const std::string kProto = "wirescope/testing/test.proto";

class CliTest : public ::testing::Test
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

    // Runs the CLI with `args`; "ADDR" stands for the test server's address.
    static ProcessResult cli(std::vector<std::string> args, const std::string &input = {})
    {
        for (auto &a : args)
            if (a == "ADDR")
                a = s_server->address();
        args.insert(args.begin(), kCli);
        return run(args, input);
    }

    static testing_server::TestServer *s_server;
};

testing_server::TestServer *CliTest::s_server = nullptr;

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_F(CliTest, ListsServicesAndMethodsByReflection)
{
    auto r = cli({"-plaintext", "ADDR", "list"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(splitLines(r.out), (std::vector<std::string>{"grpc.reflection.v1alpha.ServerReflection",
                                                      "wirescope.testing.TestService"}));
    r = cli({"-plaintext", "ADDR", "list", "wirescope.testing.TestService"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(splitLines(r.out).size(), 7u);
    EXPECT_EQ(splitLines(r.out).front(), "wirescope.testing.TestService.Chat");
}

TEST_F(CliTest, ListsAndDescribesFromProtoFilesWithoutAServer)
{
    auto r = cli({"-import-path", kProtoDir, "-proto", kProto, "list"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "wirescope.testing.TestService\n");
    r = cli({"-import-path", kProtoDir, "-proto", kProto, "describe", "wirescope.testing.Color"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "wirescope.testing.Color is an enum:\nenum Color {")) << r.out;
}

TEST_F(CliTest, DescribesWithAMessageTemplate)
{
    auto r = cli({"-plaintext", "-msg-template", "ADDR", "describe", "wirescope.testing.StreamRequest"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "wirescope.testing.StreamRequest is a message:\nmessage StreamRequest {"))
        << r.out;
    const auto at = r.out.find("\nMessage template:\n");
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::string tmpl = r.out.substr(at + 19);
    auto values = rpc::splitJsonValues(tmpl);
    ASSERT_TRUE(values) << tmpl;
    ASSERT_EQ(values->size(), 1u);
    for (const char *field : {"\"count\"", "\"intervalMs\"", "\"payloadSize\"", "\"text\""})
        EXPECT_TRUE(contains(tmpl, field)) << field << " in " << tmpl;
    // The template is a valid request as it stands.
    auto call = cli({"-plaintext", "-d", tmpl, "ADDR", "wirescope.testing.TestService/ServerStream"});
    EXPECT_EQ(call.exitCode, 0) << call.err;
}

TEST_F(CliTest, InvokesUnaryWithHeadersInBothMethodSpellings)
{
    for (const char *method : {"wirescope.testing.TestService/Echo", "wirescope.testing.TestService.Echo"}) {
        auto r = cli({"-plaintext", "-H", "x-one: 1", "-rpc-header", "x-two: 2", "-H", "x-key-bin: AP8Q",
                      "-d", R"({"text": "hi", "i64": 5})", "ADDR", method});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(r.out.rfind("{\n  \"echo\": {\n    \"text\": \"hi\",\n    \"i64\": \"5\"\n  },", 0), 0u)
            << r.out;
        EXPECT_TRUE(contains(r.out, "\"x-one\": \"1\"")) << r.out;
        EXPECT_TRUE(contains(r.out, "\"x-two\": \"2\"")) << r.out;
        EXPECT_TRUE(contains(r.out, "\"x-key-bin\": \"AP8Q\"")) << r.out;
        EXPECT_TRUE(contains(r.out, " wirescope-cli/")) << r.out; // in the user-agent
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
}

TEST_F(CliTest, ReflectHeadersGoToReflectionOnly)
{
    auto r = cli({"-plaintext", "-reflect-header", "x-reflect: yes", "-H", "x-all: 1", "-d", "{}", "ADDR",
                  "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_FALSE(contains(r.out, "x-reflect")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"x-all\": \"1\"")) << r.out;
    const auto seen = s_server->lastReflectionHeaders();
    EXPECT_NE(
        std::find(seen.begin(), seen.end(), std::make_pair(std::string("x-reflect"), std::string("yes"))),
        seen.end());
    EXPECT_NE(std::find(seen.begin(), seen.end(), std::make_pair(std::string("x-all"), std::string("1"))),
              seen.end());
}

TEST_F(CliTest, VerboseOutputHasGrpcurlSections)
{
    auto r = cli({"-plaintext", "-v", "-H", "x-h: v", "-d", R"({"text": "v"})", "ADDR",
                  "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::size_t at = 0;
    for (const char *section :
         {"\nResolved method descriptor:\nrpc Echo ( .wirescope.testing.EchoRequest ) returns "
          "( .wirescope.testing.EchoResponse );\n",
          "\nRequest metadata to send:\nx-h: v\n", "\nResponse headers received:\n",
          "\nResponse contents:\n{\n", "\nResponse trailers received:\nx-trailer: done\n",
          "Sent 1 request and received 1 response\n"}) {
        const auto found = r.out.find(section, at);
        ASSERT_NE(found, std::string::npos) << section << " after " << at << " in\n" << r.out;
        at = found;
    }
    auto vv = cli({"-plaintext", "-vv", "-d", "{}", "ADDR", "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(vv.exitCode, 0) << vv.err;
    EXPECT_TRUE(contains(vv.out, "\nEstimated response size: ")) << vv.out;
    EXPECT_TRUE(contains(vv.out, "\nTiming Data: ")) << vv.out;
}

TEST_F(CliTest, StreamsTakeSeveralMessagesFromStdin)
{
    auto r = cli({"-plaintext", "-d", "@", "ADDR", "wirescope.testing.TestService/ClientStream"},
                 "{\"text\": \"a\"}\n{\"text\": \"b\"}{\"text\": \"c\"}\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "\"count\": 3")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"texts\": [\n    \"a\",\n    \"b\",\n    \"c\"\n  ]")) << r.out;

    auto server = cli({"-plaintext", "-d", R"({"count": 3, "text": "s"})", "ADDR",
                       "wirescope.testing.TestService/ServerStream"});
    ASSERT_EQ(server.exitCode, 0) << server.err;
    auto replies = rpc::splitJsonValues(server.out);
    ASSERT_TRUE(replies);
    EXPECT_EQ(replies->size(), 3u) << server.out;

    auto bidi = cli({"-plaintext", "-v", "-d", "@", "ADDR", "wirescope.testing.TestService/Chat"},
                    R"({"text": "x"} {"text": "y"})");
    ASSERT_EQ(bidi.exitCode, 0) << bidi.err;
    EXPECT_TRUE(contains(bidi.out, "Sent 2 requests and received 2 responses")) << bidi.out;
}

TEST_F(CliTest, TextFormatBothWays)
{
    auto r = cli({"-plaintext", "-format", "text", "-d", "text: \"plain\" i32: 4", "ADDR",
                  "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "echo {\n  text: \"plain\"\n  i32: 4\n}")) << r.out;
}

TEST_F(CliTest, EmitDefaultsAndUnknownFields)
{
    auto r = cli({"-plaintext", "-emit-defaults", "-d", "{}", "ADDR", "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "\"authority\": ")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"peer\": ")) << r.out;

    auto strict = cli(
        {"-plaintext", "-d", R"({"text": "a", "nope": 1})", "ADDR", "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(strict.exitCode, 1);
    EXPECT_TRUE(contains(strict.err, "unknown field \"nope\"")) << strict.err;
    EXPECT_TRUE(contains(strict.err, "1:15")) << strict.err; // line:column of "nope"
    auto lenient = cli({"-plaintext", "-allow-unknown-fields", "-d", R"({"text": "a", "nope": 1})", "ADDR",
                        "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(lenient.exitCode, 0) << lenient.err;
}

TEST_F(CliTest, RpcErrorsPrintCodeMessageDetailsAndExit64PlusCode)
{
    auto r = cli({"-plaintext", "-d", R"({"code": 5, "message": "nope", "with_details": true})", "ADDR",
                  "wirescope.testing.TestService/Fail"});
    EXPECT_EQ(r.exitCode, 64 + 5);
    EXPECT_EQ(r.err.rfind("ERROR:\n  Code: NotFound\n  Message: nope\n  Details:\n  1)\t{\n", 0), 0u)
        << r.err;
    for (const char *type : {"google.rpc.BadRequest", "google.rpc.ErrorInfo", "google.rpc.RetryInfo",
                             "google.rpc.LocalizedMessage"})
        EXPECT_TRUE(contains(r.err, type)) << r.err;
    EXPECT_TRUE(contains(r.err, "\"retryDelay\": \"2s\"")) << r.err;

    auto json =
        cli({"-plaintext", "-format-error", "-d", R"({"code": 9, "message": "m", "with_details": true})",
             "ADDR", "wirescope.testing.TestService/Fail"});
    EXPECT_EQ(json.exitCode, 64 + 9);
    auto values = rpc::splitJsonValues(json.err);
    ASSERT_TRUE(values) << json.err;
    ASSERT_EQ(values->size(), 1u) << json.err;
    EXPECT_TRUE(contains(json.err, "\"code\": 9")) << json.err;
    EXPECT_TRUE(contains(json.err, "\"message\": \"m\"")) << json.err;
    EXPECT_TRUE(contains(json.err, "\"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\"")) << json.err;
}

TEST_F(CliTest, DeadlinesAndSizeLimits)
{
    auto slow = cli({"-plaintext", "-max-time", "0.3", "-d", R"({"delay_ms": 3000})", "ADDR",
                     "wirescope.testing.TestService/Slow"});
    EXPECT_EQ(slow.exitCode, 64 + 4) << slow.err;
    EXPECT_TRUE(contains(slow.err, "Code: DeadlineExceeded")) << slow.err;

    auto big = cli({"-plaintext", "-max-msg-sz", "1000", "-d", R"({"size": 5000})", "ADDR",
                    "wirescope.testing.TestService/Large"});
    EXPECT_EQ(big.exitCode, 64 + 8) << big.err;
    EXPECT_TRUE(contains(big.err, "Code: ResourceExhausted")) << big.err;

    auto fits = cli({"-plaintext", "-max-msg-sz", "10000", "-keepalive-time", "30", "-connect-timeout", "5",
                     "-d", R"({"size": 5000})", "ADDR", "wirescope.testing.TestService/Large"});
    EXPECT_EQ(fits.exitCode, 0) << fits.err;
}

TEST_F(CliTest, UsageErrorsExitTwo)
{
    const std::vector<std::vector<std::string>> bad = {
        {},
        {"-plaintext", "-insecure", "ADDR", "list"},
        {"-plaintext", "-max-time", "soon", "ADDR", "list"},
        {"-plaintext", "-max-msg-sz", "-5", "ADDR", "list"},
        {"-plaintext", "-format", "yaml", "ADDR", "list"},
        {"-plaintext", "-no-such-flag", "ADDR", "list"},
        {"-cert", "c.pem", "ADDR", "list"},
        {"-plaintext", "ADDR", "list", "a", "b"},
        {"-proto", kProto, "wirescope.testing.TestService/Echo"},
    };
    for (const auto &args : bad) {
        auto r = cli(args);
        std::string joined;
        for (const auto &a : args)
            joined += a + ' ';
        EXPECT_EQ(r.exitCode, 2) << joined << "\n" << r.err;
        EXPECT_FALSE(r.err.empty()) << joined;
    }
    auto help = cli({"-help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_TRUE(contains(help.out, "-plaintext")) << help.out;
    auto version = cli({"-version"});
    EXPECT_EQ(version.exitCode, 0);
    EXPECT_EQ(version.out.rfind("wirescope-cli ", 0), 0u) << version.out;
    for (const char *library : {"(Qt 6.", ", gRPC 1.", ", protobuf 3."})
        EXPECT_TRUE(contains(version.out, library)) << version.out;
}

TEST_F(CliTest, LocalErrorsExitOneWithAClearMessage)
{
    auto badJson = cli({"-plaintext", "-d", R"({"text": )", "ADDR", "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(badJson.exitCode, 1);
    EXPECT_TRUE(contains(badJson.err, "Failed to parse request data (-d): 1:10")) << badJson.err;

    auto unknown = cli({"-plaintext", "-d", "{}", "ADDR", "wirescope.testing.TestService/Nope"});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_TRUE(contains(unknown.err, "wirescope.testing.TestService/Nope")) << unknown.err;

    TempDir dir;
    dir.write("broken.proto", "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n");
    auto broken = cli({"-import-path", dir.path().string(), "-proto", "broken.proto", "list"});
    EXPECT_EQ(broken.exitCode, 1);
    EXPECT_TRUE(contains(broken.err, "broken.proto:3:13")) << broken.err;

    dir.write("importer.proto", "syntax = \"proto3\";\nimport \"missing/dep.proto\";\n");
    auto missing = cli({"-import-path", dir.path().string(), "-proto", "importer.proto", "list"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_TRUE(contains(missing.err, "missing/dep.proto")) << missing.err;
    EXPECT_TRUE(contains(missing.err, "importer.proto")) << missing.err;

    auto dead =
        cli({"-plaintext", "-connect-timeout", "2", "127.0.0.1:" + std::to_string(deadPort()), "list"});
    EXPECT_EQ(dead.exitCode, 1);
    EXPECT_TRUE(contains(dead.err, "Failed to load the schema")) << dead.err;
    EXPECT_EQ(splitLines(dead.err).size(), 1u) << dead.err;
}

// A server that cannot be reached is a local error (exit 1), as grpcurl's failed dial and as the
// README says, also when the schema comes from files (it exited 78 there, issue 18).
TEST_F(CliTest, DeadServerWithLocalSchemaIsAFailedDial)
{
    const std::string address = "127.0.0.1:" + std::to_string(deadPort());
    auto r = cli({"-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-connect-timeout", "2", "-d",
                  "{}", address, "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "Failed to dial target host \"" + address + "\": ")) << r.err;
    EXPECT_TRUE(contains(r.err, "\": connection refused by " + address + "\n")) << r.err;
}

TEST_F(CliTest, WirePrintsEveryFrameOnStderrInOrder)
{
    auto r = cli({"-plaintext", "--wire", "-d", R"({"count": 3})", "ADDR",
                  "wirescope.testing.TestService/ServerStream"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(R"("index": 2)"), std::string::npos); // the reply is unchanged on stdout
    std::vector<std::string> wire;
    for (const auto &line : splitLines(r.err)) {
        if (line.rfind("wire: ", 0) == 0)
            wire.push_back(line);
    }
    ASSERT_FALSE(wire.empty()) << r.err;
    auto find = [&](const std::string &text) {
        for (std::size_t i = 0; i < wire.size(); ++i) {
            if (wire[i].find(text) != std::string::npos)
                return static_cast<long>(i);
        }
        return -1L;
    };
    const long request = find("-> HEADERS stream=1 flags=END_HEADERS");
    const long body = find("-> DATA stream=1 flags=END_STREAM");
    const long response = find("<- HEADERS stream=1 flags=END_HEADERS");
    const long trailers = find("<- HEADERS stream=1 flags=END_STREAM|END_HEADERS");
    ASSERT_GE(request, 0) << r.err;
    EXPECT_NE(wire[request].find(":path=/wirescope.testing.TestService/ServerStream"), std::string::npos);
    EXPECT_LT(request, body);
    EXPECT_LT(body, response);
    EXPECT_LT(response, trailers);
    EXPECT_NE(wire[trailers].find("grpc-status=0"), std::string::npos);
    EXPECT_GE(find("SETTINGS stream=0"), 0);
    int messages = 0;
    for (const auto &line : wire) {
        for (auto at = line.find("grpc-message="); at != std::string::npos;
             at = line.find("grpc-message=", at + 1))
            messages += line.find("<- DATA") != std::string::npos;
    }
    EXPECT_EQ(messages, 3);
}

TEST_F(CliTest, TimelinePrintsEveryEventInOrder)
{
    auto r = cli({"-plaintext", "-timeline", "-d", R"({"count": 2})", "ADDR",
                  "wirescope.testing.TestService/ServerStream"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto at = r.out.find("\nTimeline:\n");
    ASSERT_NE(at, std::string::npos) << r.out;
    std::vector<std::string> kinds;
    for (const auto &line : splitLines(r.out.substr(at + 11))) {
        std::string word;
        const auto ms = line.find("ms ");
        ASSERT_NE(ms, std::string::npos) << line;
        std::istringstream in(line.substr(ms + 3));
        std::string dir;
        in >> dir >> word;
        kinds.push_back(dir + " " + word);
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"-> start", "-> message", "-> half-close", "<- headers",
                                               "<- message", "<- message", "<- trailers"}));
}

TEST_F(CliTest, ProtosetOutWritesALoadableSet)
{
    TempDir dir;
    const std::string out = (dir.path() / "svc.protoset").string();
    auto r = cli({"-plaintext", "-protoset-out", out, "ADDR", "describe", "wirescope.testing.TestService"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto again = cli({"-protoset", out, "list", "wirescope.testing.TestService"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_EQ(splitLines(again.out).size(), 7u) << again.out;
    auto call = cli({"-plaintext", "-protoset", out, "-d", R"({"text": "p"})", "ADDR",
                     "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(call.exitCode, 0) << call.err;
}

TEST_F(CliTest, TlsFlags)
{
    Pki pki;
    testing_server::ServerOptions o;
    o.certFile = pki.path("server.pem");
    o.keyFile = pki.path("server.key");
    o.clientCaFile = pki.path("ca.pem");
    testing_server::TestServer tls(o);
    ASSERT_TRUE(tls.start());
    const std::string local = "localhost:" + std::to_string(tls.port());
    const std::string byIp = "127.0.0.1:" + std::to_string(tls.port());
    const std::vector<std::string> client = {"-cert", pki.path("client.pem"), "-key", pki.path("client.key")};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), client.begin(), client.end());
        return args;
    };

    auto ok = cli(with({"-cacert", pki.path("ca.pem"), local, "list"}));
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    auto wrongCa = cli(with({"-cacert", pki.path("other.pem"), local, "list"}));
    EXPECT_EQ(wrongCa.exitCode, 1) << wrongCa.err;
    auto mismatch = cli(with({"-cacert", pki.path("ca.pem"), byIp, "list"}));
    EXPECT_EQ(mismatch.exitCode, 1) << mismatch.err;
    auto named =
        cli(with({"-cacert", pki.path("ca.pem"), "-servername", "api.internal.example", byIp, "list"}));
    EXPECT_EQ(named.exitCode, 0) << named.err;
    auto authority = cli(with({"-cacert", pki.path("ca.pem"), "-authority", "api.internal.example", "-d",
                               "{}", byIp, "wirescope.testing.TestService/Echo"}));
    EXPECT_EQ(authority.exitCode, 0) << authority.err;
    EXPECT_TRUE(contains(authority.out, "\"authority\": \"api.internal.example\"")) << authority.out;
    auto insecure = cli(with({"-insecure", byIp, "list"}));
    EXPECT_EQ(insecure.exitCode, 0) << insecure.err;
    auto noClientCert = cli({"-cacert", pki.path("ca.pem"), local, "list"});
    EXPECT_EQ(noClientCert.exitCode, 1) << noClientCert.err;

    // --wire on a TLS target: the tap makes the mTLS connection with the same flags.
    auto wired = cli(with({"--wire", "-cacert", pki.path("ca.pem"), "-authority", "api.internal.example",
                           "-d", "{}", byIp, "wirescope.testing.TestService/Echo"}));
    EXPECT_EQ(wired.exitCode, 0) << wired.err;
    EXPECT_TRUE(contains(wired.out, "\"authority\": \"api.internal.example\"")) << wired.out;
    EXPECT_TRUE(contains(wired.err, "-> HEADERS stream=1 flags=END_HEADERS")) << wired.err;
    EXPECT_TRUE(contains(wired.err, "<- DATA stream=1")) << wired.err;
    auto wiredWrongCa = cli(with({"--wire", "-cacert", pki.path("other.pem"), "-d", "{}", local,
                                  "wirescope.testing.TestService/Echo"}));
    EXPECT_NE(wiredWrongCa.exitCode, 0);
    EXPECT_TRUE(contains(wiredWrongCa.err, "certificate verify failed")) << wiredWrongCa.err;
}

TEST_F(CliTest, WorksAgainstTheSpawnedTestServer)
{
    Spawned server({WIRESCOPE_TESTSERVER, "--address", "127.0.0.1:0"});
    const std::string line = server.waitForLine("listening on ", std::chrono::seconds(20));
    ASSERT_FALSE(line.empty());
    const std::string address = line.substr(line.find("listening on ") + 13);
    auto r = run(
        {kCli, "-plaintext", "-d", R"({"text": "spawned"})", address, "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "\"text\": \"spawned\"")) << r.out;
}

TEST_F(CliTest, BenchPrintsOneJsonObject)
{
    auto r = cli({"bench", "-plaintext", "-n", "60", "-c", "4", "-format", "json", "-d", R"({"text": "b"})",
                  "ADDR", "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto values = rpc::splitJsonValues(r.out);
    ASSERT_TRUE(values) << r.out;
    ASSERT_EQ(values->size(), 1u) << r.out;
    for (const char *key :
         {"\"calls\":60", "\"seconds\":", "\"calls_per_second\":", "\"messages_per_second\":",
          "\"latency_ms\":{\"p50\":", "\"p90\":", "\"p99\":", "\"max\":", "\"status\":{\"OK\":60}"})
        EXPECT_TRUE(contains(r.out, key)) << key << " in " << r.out;

    auto stream = cli({"bench", "-plaintext", "-n", "10", "-c", "2", "-stream-messages", "5", "-format",
                       "json", "ADDR", "wirescope.testing.TestService/ClientStream"});
    ASSERT_EQ(stream.exitCode, 0) << stream.err;
    EXPECT_TRUE(contains(stream.out, "\"messages_sent\":50")) << stream.out;

    auto failing = cli({"bench", "-plaintext", "-n", "6", "-c", "2", "-d", R"({"code": 7})", "ADDR",
                        "wirescope.testing.TestService/Fail"});
    EXPECT_EQ(failing.exitCode, 1);
    EXPECT_TRUE(contains(failing.out, "PERMISSION_DENIED: 6")) << failing.out;

    auto timed = cli({"bench", "-plaintext", "-z", "300ms", "-c", "2", "-format", "json", "ADDR",
                      "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(timed.exitCode, 0) << timed.err;
    EXPECT_TRUE(contains(timed.out, "\"seconds\":0.")) << timed.out;
}

// -skip-first makes its calls and leaves them out of the summary (a warm-up, as ghz's
// --skipFirst): they count in -n, their failures still fail the run, and skipping them all is
// refused rather than giving an empty summary.
TEST_F(CliTest, BenchSkipFirstLeavesTheWarmUpOutOfTheSummary)
{
    auto r = cli({"bench", "-plaintext", "-n", "30", "-skip-first", "10", "-c", "3", "-format", "json", "-d",
                  R"({"text": "w"})", "ADDR", "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "\"calls\":20,")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"messages_received\":20,")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"status\":{\"OK\":20}")) << r.out;

    auto failing = cli({"bench", "-plaintext", "-n", "6", "-skip-first", "2", "-c", "1", "-d", R"({"code": 7})",
                        "ADDR", "wirescope.testing.TestService/Fail"});
    EXPECT_EQ(failing.exitCode, 1);
    EXPECT_TRUE(contains(failing.out, "PERMISSION_DENIED: 4")) << failing.out;
    EXPECT_TRUE(contains(failing.err, "2 of the 2 calls left out by -skip-first did not end OK")) << failing.err;

    for (const char *skip : {"5", "0", "x"}) {
        auto refused = cli({"bench", "-plaintext", "-n", "5", "-skip-first", skip, "ADDR",
                            "wirescope.testing.TestService/Echo"});
        EXPECT_EQ(refused.exitCode, 2) << skip;
        EXPECT_TRUE(contains(refused.err, "-skip-first")) << refused.err;
    }
}

// The example workspace shipped in resources/ runs green against the demo service served by
// `wirescope-cli demo`, and a changed variable makes it fail with a non-zero exit.
TEST(CliRun, RunsTheExampleWorkspaceAgainstTheDemoService)
{
    Spawned demo({kCli, "demo", "--listen", "127.0.0.1:0"});
    const std::string line = demo.waitForLine("listening on ", std::chrono::seconds(20));
    ASSERT_FALSE(line.empty());
    const std::string address = line.substr(line.find("listening on ") + 13);
    const std::string example = std::string(WIRESCOPE_EXAMPLES_DIR) + "/demo-workspace";
    TempDir dir;
    const std::string report = (dir.path() / "report.xml").string();

    auto green = run({kCli, "run", example, "--env", "local", "--var", "host=" + address, "--junit", report});
    ASSERT_EQ(green.exitCode, 0) << green.out << green.err;
    EXPECT_TRUE(contains(green.out, "5 requests: 5 passed, 0 failed")) << green.out;
    for (const char *path : {"forecast/three-days.json", "forecast/unknown-city.json", "readings/watch.json",
                             "readings/upload.json", "forecaster/conversation.json"})
        EXPECT_TRUE(contains(green.out, std::string("PASS  ") + path)) << green.out;
    const std::string xml = readFile(report);
    EXPECT_TRUE(contains(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")) << xml;
    EXPECT_TRUE(contains(xml, "tests=\"5\" failures=\"0\" errors=\"0\"")) << xml;

    auto red = run({kCli, "run", example, "--env", "local", "--var", "host=" + address, "--var",
                    "city=Atlantis", "--filter", "forecast/*", "--junit", report});
    EXPECT_EQ(red.exitCode, 1) << red.out << red.err;
    EXPECT_TRUE(contains(red.out, "FAIL  forecast/three-days.json")) << red.out;
    EXPECT_TRUE(contains(red.out, "status: expected OK, got NOT_FOUND")) << red.out;
    EXPECT_TRUE(contains(red.out, "2 requests: 1 passed, 1 failed")) << red.out;
    EXPECT_TRUE(contains(readFile(report), "tests=\"2\" failures=\"1\"")) << readFile(report);
}

// A secret comes from --var or WIRESCOPE_VAR_<NAME>; it is masked in everything printed.
TEST(CliRun, SecretsComeFromTheProcessEnvironmentAndAreMasked)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    TempDir ws;
    ws.write("wirescope.json", R"({"format_version": 1, "environments": [{"name": "ci", "variables": [
        {"name": "host", "value": ")" +
                                   server.address() + R"("}, {"name": "api-token", "secret": true}]}]})");
    ws.write("echo.json", R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo",
        "target": "{{host}}", "metadata": [["authorization", "Bearer {{api-token}}"]], "body": {"text": "hi"},
        "assertions": {"json": [{"path": "$.metadata.authorization", "equals": "Bearer {{api-token}}"}]}})");
    const std::string secret = "tok-8c1f2e9a77";

    auto withSecret = run({"/usr/bin/env", "WIRESCOPE_VAR_API_TOKEN=" + secret, kCli, "run",
                           ws.path().string(), "--env", "ci", "-v"});
    EXPECT_EQ(withSecret.exitCode, 0) << withSecret.out << withSecret.err;
    EXPECT_TRUE(contains(withSecret.out, "Bearer •••")) << withSecret.out;
    EXPECT_FALSE(contains(withSecret.out + withSecret.err, secret)) << withSecret.out;

    auto withVar = run({kCli, "run", ws.path().string(), "--env", "ci", "--var", "api-token=" + secret});
    EXPECT_EQ(withVar.exitCode, 0) << withVar.out << withVar.err;

    auto without = run({kCli, "run", ws.path().string(), "--env", "ci"});
    EXPECT_EQ(without.exitCode, 1) << without.out;
    EXPECT_TRUE(contains(without.out, "ERROR echo.json")) << without.out;
    EXPECT_TRUE(contains(without.out, "WIRESCOPE_VAR_API_TOKEN")) << without.out;
    EXPECT_FALSE(contains(readFile((ws.path() / "wirescope.json").string()), secret));
}

TEST(CliRun, UsageErrorsExitTwo)
{
    TempDir empty;
    EXPECT_EQ(run({kCli, "run"}).exitCode, 2);
    auto notWorkspace = run({kCli, "run", empty.path().string()});
    EXPECT_EQ(notWorkspace.exitCode, 2);
    EXPECT_TRUE(contains(notWorkspace.err, "is not a workspace")) << notWorkspace.err;
    const std::string example = std::string(WIRESCOPE_EXAMPLES_DIR) + "/demo-workspace";
    auto badEnv = run({kCli, "run", example, "--env", "prod"});
    EXPECT_EQ(badEnv.exitCode, 2);
    EXPECT_TRUE(contains(badEnv.err, "no environment \"prod\" in the workspace (it has: local)"))
        << badEnv.err;
    auto noMatch = run({kCli, "run", example, "--filter", "nothing/*"});
    EXPECT_EQ(noMatch.exitCode, 2);
    EXPECT_TRUE(contains(noMatch.err, "No saved request matches the filter")) << noMatch.err;
    EXPECT_EQ(run({kCli, "run", example, "--var", "novalue"}).exitCode, 2);
}
