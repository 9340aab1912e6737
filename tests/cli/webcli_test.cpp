// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli with -protocol grpcweb, grpcweb-text and connect, run as a program against the
// test service served by Connect for Node: the same output, -v sections, error block and exit
// codes as for gRPC; URL addresses with a path prefix; -d @ streaming; bench; and the usage
// errors and refusals. Without node or tests/node/node_modules these tests fail.
#include "connectserver.h"
#include "support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

using namespace testsupport;

namespace {

const std::string kCli = WIRESCOPE_CLI;

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

class WebCli : public ::testing::Test
{
public:
protected:
    void SetUp() override { ASSERT_EQ(sharedConnectServer().problem(), ""); }

    // The program's arguments: the schema from the .proto files, then `flags`, then the address
    // and the method.
    static std::vector<std::string> cli(std::vector<std::string> flags, const std::string &address,
                                        const std::string &method)
    {
        std::vector<std::string> argv{kCli, "-import-path", WIRESCOPE_TEST_PROTO_DIR, "-proto",
                                      "wirescope/testing/test.proto"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.push_back(address);
        argv.push_back("wirescope.testing.TestService/" + method);
        return argv;
    }
};

} // namespace

TEST_F(WebCli, AUnaryCallPrintsWhatGrpcPrints)
{
    for (const std::string protocol : {"grpcweb", "grpcweb-text", "connect"}) {
        const auto r = run(cli({"-protocol", protocol, "-v", "-H", "x-token: abc", "-d", R"({"text":"grüße"})"},
                               "http://" + sharedConnectServer().http1(), "Echo"));
        ASSERT_EQ(r.exitCode, 0) << protocol << r.err;
        // The server echoes the request's x- headers (gRPC-Web's own x-grpc-web too).
        const auto headers = r.out.find("\nResponse headers received:\n");
        ASSERT_NE(headers, std::string::npos) << r.out;
        EXPECT_LT(r.out.find("\nx-token: abc\n", headers), r.out.find("\nResponse contents:")) << r.out;
        EXPECT_TRUE(contains(r.out, "\nResponse contents:\n{\n  \"echo\": {\n    \"text\": \"grüße\"\n  },")) << r.out;
        EXPECT_TRUE(contains(r.out, "\nResponse trailers received:\nx-trailer: done\n")) << r.out;
        EXPECT_TRUE(contains(r.out, "Sent 1 request and received 1 response")) << r.out;
    }
}

TEST_F(WebCli, ErrorsPrintTheErrorBlockAndExitWith64PlusTheCode)
{
    for (const std::string protocol : {"grpcweb", "connect"}) {
        const auto r = run(cli({"-protocol", protocol, "-http-version", "2", "-d", R"({"code":5,"withDetails":true})"},
                               "http://" + sharedConnectServer().h2c(), "Fail"));
        EXPECT_EQ(r.exitCode, 64 + 5) << protocol << r.err;
        EXPECT_TRUE(contains(r.err, "ERROR:\n  Code: NotFound\n  Message: request failed\n  Details:\n  1)\t{\n"
                                    "    \t  \"@type\": \"type.googleapis.com/google.rpc.BadRequest\","))
            << r.err;
        const auto json = run(cli({"-protocol", protocol, "-format-error", "-d", R"({"code":16,"message":"who?"})"},
                                  "http://" + sharedConnectServer().http1(), "Fail"));
        EXPECT_EQ(json.exitCode, 64 + 16);
        EXPECT_TRUE(contains(json.err, "\"code\": 16")) << json.err;
        EXPECT_TRUE(contains(json.err, "\"message\": \"who?\"")) << json.err;
    }
    const auto deadline = run(cli({"-protocol", "connect", "-max-time", "0.3", "-d", R"({"delayMs":5000})"},
                                  "http://" + sharedConnectServer().http1(), "Slow"));
    EXPECT_EQ(deadline.exitCode, 64 + 4) << deadline.err;
    EXPECT_TRUE(contains(deadline.err, "Code: DeadlineExceeded")) << deadline.err;
}

TEST_F(WebCli, AUrlAddressTakesAPathPrefixAndPlaintextFromItsScheme)
{
    const auto r = run(cli({"-protocol", "grpcweb", "-http-version", "2", "-d", R"({"count":3,"text":"p"})"},
                           "http://" + sharedConnectServer().h2c() + "/prefix/api/", "ServerStream"));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "{\n  \"text\": \"p\"\n}\n{\n  \"index\": 1,\n  \"text\": \"p\"\n}\n{\n  \"index\": 2,\n"
                     "  \"text\": \"p\"\n}\n");
    // Without the prefix the same address and -plaintext reach the root.
    const auto root = run(cli({"-protocol", "connect", "-plaintext", "-codec", "json", "-d", R"({"text":"a"}{"text":"b"})"},
                              sharedConnectServer().http1(), "ClientStream"));
    ASSERT_EQ(root.exitCode, 0) << root.err;
    EXPECT_TRUE(contains(root.out, "\"count\": 2")) << root.out;
}

TEST_F(WebCli, StandardInputStreamsABidiCallOverHttp2)
{
    Interactive p(cli({"-protocol", "connect", "-http-version", "2", "-d", "@"}, "http://" + sharedConnectServer().h2c(), "Chat"));
    ASSERT_TRUE(p.write("{\"text\": \"first\"}\n"));
    // The reply comes while standard input is still open.
    ASSERT_TRUE(p.waitFor(0, "\"text\": \"echo: first\"")) << p.out() << p.err();
    ASSERT_TRUE(p.write("{\"text\": \"second\"}"));
    ASSERT_TRUE(p.waitFor(0, "\"text\": \"echo: second\"")) << p.out() << p.err();
    p.closeInput();
    EXPECT_EQ(p.exitCode(), 0) << p.err();
}

// Over HTTP/1.1 a request stream whose end is not known yet goes out in chunks, each message as
// standard input gives it.
TEST_F(WebCli, StandardInputStreamsAClientStreamInChunksOverHttp1)
{
    Interactive p(cli({"-protocol", "connect", "-d", "@"}, "http://" + sharedConnectServer().http1(), "ClientStream"));
    ASSERT_TRUE(p.write("{\"text\": \"first\"}\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the first chunk goes out alone
    ASSERT_TRUE(p.write("{\"text\": \"second\"}"));
    p.closeInput();
    EXPECT_EQ(p.exitCode(), 0) << p.err();
    EXPECT_TRUE(contains(p.out(), "\"count\": 2,\n  \"texts\": [\n    \"first\",\n    \"second\"\n  ]")) << p.out();
}

TEST_F(WebCli, WhatAProtocolCannotDoIsRefused)
{
    const std::string http1 = "http://" + sharedConnectServer().http1();
    auto r = run(cli({"-protocol", "grpcweb", "-d", R"({"text":"a"})"}, http1, "ClientStream"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.err, "gRPC-Web cannot stream requests")) << r.err;
    r = run(cli({"-protocol", "connect", "-d", R"({"text":"a"})"}, http1, "Chat"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.err, "a bidi stream needs HTTP/2")) << r.err;
    r = run(cli({"-protocol", "grpcweb", "-d", "{}"}, "http://" + sharedConnectServer().http1(), "ServerStream"));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    // Usage errors: exit code 2, before anything is sent.
    const std::vector<std::pair<std::vector<std::string>, std::string>> usage{
        {{"-protocol", "soap"}, "The -protocol value must be grpc, grpcweb, grpcweb-text or connect"},
        {{"-protocol", "connect", "-http-version", "3"}, "The -http-version value must be 1.1 or 2"},
        {{"-protocol", "grpcweb", "-codec", "json"}, "The -codec option is for -protocol connect"},
        {{"-http-version", "1.1"}, "gRPC needs HTTP/2"},
        {{"-protocol", "connect", "--wire"}, "--wire"},
    };
    for (const auto &[flags, message] : usage) {
        auto u = run(cli(flags, http1, "Echo"));
        EXPECT_EQ(u.exitCode, 2) << message;
        EXPECT_TRUE(contains(u.err, message)) << u.err;
    }
    // A server of the wrong kind: the message says what to try.
    auto h2only = run(cli({"-protocol", "connect", "-d", "{}"}, "http://" + sharedConnectServer().h2c(), "Echo"));
    EXPECT_EQ(h2only.exitCode, 64 + 14);
    EXPECT_TRUE(contains(h2only.err, "try HTTP/2, -http-version 2")) << h2only.err;
    // A TLS handshake that fails is a dial that failed, as for gRPC: exit 1.
    auto noTls = run(cli({"-protocol", "grpcweb", "-d", "{}"}, "https://" + sharedConnectServer().http1(), "Echo"));
    EXPECT_EQ(noTls.exitCode, 1);
    EXPECT_TRUE(contains(noTls.err, "Failed to dial target host \"https://")) << noTls.err;
    EXPECT_TRUE(contains(noTls.err, "try http:// or -plaintext")) << noTls.err;
    auto tls = run(cli({"-protocol", "connect", "-plaintext"}, "https://" + sharedConnectServer().http1(), "Echo"));
    EXPECT_EQ(tls.exitCode, 2);
    EXPECT_TRUE(contains(tls.err, "asks for TLS")) << tls.err;
    auto prefix = run(cli({}, http1 + "/prefix/api", "Echo"));
    EXPECT_EQ(prefix.exitCode, 2);
    EXPECT_TRUE(contains(prefix.err, "gRPC cannot put a path prefix (/prefix/api)")) << prefix.err;
}

TEST_F(WebCli, BenchRunsConnectAndGrpcWeb)
{
    for (const std::vector<std::string> &flags :
         {std::vector<std::string>{"-protocol", "connect", "-http-version", "2"},
          std::vector<std::string>{"-protocol", "grpcweb"}}) {
        std::vector<std::string> argv{kCli, "bench", "-import-path", WIRESCOPE_TEST_PROTO_DIR, "-proto",
                                      "wirescope/testing/test.proto", "-n", "300", "-c", "8", "-format", "json",
                                      "-d", R"({"text":"b"})"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.push_back("http://" + (flags.size() == 4 ? sharedConnectServer().h2c() : sharedConnectServer().http1()));
        argv.push_back("wirescope.testing.TestService/Echo");
        const auto r = run(argv);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_TRUE(contains(r.out, "\"calls\":300,")) << r.out;
        EXPECT_TRUE(contains(r.out, "\"messages_sent\":300,\"messages_received\":300,")) << r.out;
        EXPECT_TRUE(contains(r.out, "\"status\":{\"OK\":300}")) << r.out;
    }
    std::vector<std::string> refused{kCli, "bench", "-import-path", WIRESCOPE_TEST_PROTO_DIR, "-proto",
                                     "wirescope/testing/test.proto", "-protocol", "grpcweb", "-n", "5",
                                     "http://" + sharedConnectServer().http1(), "wirescope.testing.TestService/Chat"};
    const auto r = run(refused);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.err, "gRPC-Web cannot stream requests")) << r.err;
}

// `run` sends a workspace's requests over the protocol its flags choose, to targets written as
// URLs with a path prefix; what the protocol cannot do fails that request, not the run.
TEST_F(WebCli, RunSendsAWorkspaceOverConnectAndGrpcWeb)
{
    TempDir ws;
    ws.write("wirescope/testing/test.proto",
             readFile(std::string(WIRESCOPE_TEST_PROTO_DIR) + "/wirescope/testing/test.proto"));
    ws.write("wirescope.json", R"({"format_version": 1, "import_paths": ["."],
        "proto_files": ["wirescope/testing/test.proto"], "environments": [{"name": "ci", "variables": [
        {"name": "base", "value": "http://)" + sharedConnectServer().h2c() + R"(/prefix/api"}]}]})");
    ws.write("a-echo.json", R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo",
        "target": "{{base}}", "metadata": [["x-run", "yes"]], "body": {"text": "grüße"},
        "assertions": {"json": [{"path": "$.echo.text", "equals": "grüße"},
                                {"path": "$.metadata.x-run", "equals": "yes"}]}})");
    ws.write("b-upload.json", R"({"format_version": 1, "method": "wirescope.testing.TestService/ClientStream",
        "target": "{{base}}", "body": [{"text": "a"}, {"text": "b"}],
        "assertions": {"json": [{"path": "$.count", "equals": 2}]}})");
    ws.write("c-fail.json", R"({"format_version": 1, "method": "wirescope.testing.TestService/Fail",
        "target": "{{base}}", "body": {"code": 5}, "assertions": {"status": "NOT_FOUND"}})");

    const auto connect = run({kCli, "run", ws.path().string(), "--env", "ci", "-protocol", "connect",
                              "-http-version", "2", "-codec", "json"});
    EXPECT_EQ(connect.exitCode, 0) << connect.out << connect.err;
    for (const char *name : {"a-echo.json", "b-upload.json", "c-fail.json"})
        EXPECT_TRUE(contains(connect.out, std::string("PASS  ") + name)) << connect.out;

    // gRPC-Web over HTTP/1.1 (the h2c port also speaks it): the client stream is refused.
    const auto web = run({kCli, "run", ws.path().string(), "--env", "ci", "--var",
                          "base=http://" + sharedConnectServer().http1() + "/prefix/api", "-protocol", "grpcweb"});
    EXPECT_EQ(web.exitCode, 1) << web.out << web.err;
    EXPECT_TRUE(contains(web.out, "PASS  a-echo.json")) << web.out;
    EXPECT_TRUE(contains(web.out, "ERROR b-upload.json")) << web.out;
    EXPECT_TRUE(contains(web.out, "gRPC-Web cannot stream requests")) << web.out;
    EXPECT_TRUE(contains(web.out, "PASS  c-fail.json")) << web.out;
    // gRPC itself cannot put a path prefix before the method.
    const auto grpc = run({kCli, "run", ws.path().string(), "--env", "ci", "--filter", "a-*"});
    EXPECT_EQ(grpc.exitCode, 1) << grpc.out << grpc.err;
    EXPECT_TRUE(contains(grpc.out, "gRPC cannot put the path prefix")) << grpc.out;
    const auto usage = run({kCli, "run", ws.path().string(), "-protocol", "soap"});
    EXPECT_EQ(usage.exitCode, 2);
    EXPECT_TRUE(contains(usage.err, "The -protocol value must be")) << usage.err;
}

// --wire on a web call over HTTP/2: the tap shows its frames, and the messages in them for the
// protocols that envelope them (not gRPC-Web's trailer block, not a Connect unary body).
TEST_F(WebCli, WireShowsTheHttp2FramesOfAWebCall)
{
    const auto unary = run(cli({"-protocol", "connect", "-http-version", "2", "--wire", "-d", R"({"text":"w"})"},
                               "http://" + sharedConnectServer().h2c() + "/prefix/api", "Echo"));
    ASSERT_EQ(unary.exitCode, 0) << unary.err;
    EXPECT_TRUE(contains(unary.out, "\"text\": \"w\"")) << unary.out;
    EXPECT_TRUE(contains(unary.err, ":path=/prefix/api/wirescope.testing.TestService/Echo")) << unary.err;
    EXPECT_TRUE(contains(unary.err, "content-type=application/proto")) << unary.err;
    EXPECT_TRUE(contains(unary.err, "<- DATA stream=1")) << unary.err;
    EXPECT_FALSE(contains(unary.err, "grpc-message=")) << unary.err;
    EXPECT_FALSE(contains(unary.err, "cannot decode")) << unary.err;

    const auto stream = run(cli({"-protocol", "grpcweb", "-http-version", "2", "--wire", "-d", R"({"count":3,"text":"s"})"},
                                "http://" + sharedConnectServer().h2c(), "ServerStream"));
    ASSERT_EQ(stream.exitCode, 0) << stream.err;
    EXPECT_FALSE(contains(stream.err, "cannot decode")) << stream.err;
    std::size_t sent = 0, received = 0;
    std::istringstream lines(stream.err);
    for (std::string line; std::getline(lines, line);) {
        for (auto at = line.find("grpc-message="); at != std::string::npos; at = line.find("grpc-message=", at + 1))
            ++(contains(line, " <- ") ? received : sent);
    }
    EXPECT_EQ(sent, 1u) << stream.err;
    EXPECT_EQ(received, 3u) << stream.err; // the trailer block is no message
    EXPECT_TRUE(contains(stream.err, "content-type=application/grpc-web+proto")) << stream.err;

    // A server that cannot be reached: a failed dial, named as the user gave it, not as the tap.
    const auto gone = run(cli({"-protocol", "connect", "-http-version", "2", "--wire", "-d", "{}"},
                              "http://127.0.0.1:1/prefix", "Echo"));
    EXPECT_EQ(gone.exitCode, 1) << gone.err;
    EXPECT_TRUE(contains(gone.err, "Failed to dial target host \"http://127.0.0.1:1/prefix\": could not reach "
                                   "http://127.0.0.1:1/prefix")) << gone.err;
    EXPECT_TRUE(contains(gone.err, "(wire tap: connection refused by 127.0.0.1:1")) << gone.err;
}
