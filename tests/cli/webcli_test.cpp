// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli with -protocol grpcweb, grpcweb-text and connect, run as a program against the
// test service served by Connect for Node: the same output, -v sections, error block and exit
// codes as for gRPC; URL addresses with a path prefix; -d @ streaming; bench; and the usage
// errors and refusals. Without node or tests/node/node_modules these tests fail.
#include "connectserver.h"
#include "rawhttpserver.h"
#include "support.h"
#include "testserver.h"

#include <gtest/gtest.h>

#include <algorithm>
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
    };
    for (const auto &[flags, message] : usage) {
        auto u = run(cli(flags, http1, "Echo"));
        EXPECT_EQ(u.exitCode, 2) << message;
        EXPECT_TRUE(contains(u.err, message)) << u.err;
    }
    // A server of the wrong kind: the message says what to try.
    auto h2only = run(cli({"-protocol", "connect", "-d", "{}"}, "http://" + sharedConnectServer().h2c(), "Echo"));
    EXPECT_EQ(h2only.exitCode, 64 + 14);
    EXPECT_TRUE(contains(h2only.err, "try -protocol grpc for a gRPC server, or -http-version 2")) << h2only.err;
    // A gRPC server (gRPC C++, which speaks neither gRPC-Web nor Connect), over HTTP/1.1 and over
    // HTTP/2: each failure says what to try.
    auto grpcServer = testing_server::TestServer::started({});
    ASSERT_TRUE(grpcServer);
    const std::string grpcOnly = "http://127.0.0.1:" + std::to_string(grpcServer->port());
    const std::vector<std::pair<std::vector<std::string>, std::string>> mismatches{
        {{"-protocol", "connect"}, "try -protocol grpc for a gRPC server, or -http-version 2"},
        {{"-protocol", "grpcweb"}, "try -protocol grpc for a gRPC server, or -http-version 2"},
        // gRPC core's server answers these in gRPC or resets them unanswered, as it goes.
        {{"-protocol", "connect", "-http-version", "2"}, "try -protocol grpc)"},
        {{"-protocol", "grpcweb", "-http-version", "2"}, "try -protocol grpc)"},
    };
    for (auto [flags, hint] : mismatches) {
        flags.insert(flags.end(), {"-d", "{}"});
        auto r = run(cli(flags, grpcOnly, "Echo"));
        EXPECT_NE(r.exitCode, 0) << hint;
        EXPECT_TRUE(contains(r.err, hint)) << r.err;
        if (flags[2] == "-http-version") {
            EXPECT_TRUE(contains(r.err, "(is it a gRPC server?") || contains(r.err, "as gRPC servers do")) << r.err;
        }
    }
    // A TLS handshake that fails is a dial that failed, as for gRPC: exit 1.
    auto noTls = run(cli({"-protocol", "grpcweb", "-d", "{}"}, "https://" + sharedConnectServer().http1(), "Echo"));
    EXPECT_EQ(noTls.exitCode, 1);
    EXPECT_TRUE(contains(noTls.err, "Failed to dial target host \"https://")) << noTls.err;
    EXPECT_TRUE(contains(noTls.err, "the server does not speak TLS\n(is it a plaintext server? try http://)"))
        << noTls.err;
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
    EXPECT_TRUE(contains(gone.err, "Failed to dial target host \"http://127.0.0.1:1/prefix\": connection refused by "
                                   "http://127.0.0.1:1/prefix\n"))
        << gone.err;
    EXPECT_TRUE(contains(gone.err, "-> connection failed: connection refused by 127.0.0.1:1")) << gone.err;
}

namespace {

// The "wire: " lines of a run's standard error.
std::vector<std::string> wireLines(const std::string &err)
{
    std::vector<std::string> out;
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("wire: ", 0) == 0)
            out.push_back(line);
    }
    return out;
}

// The index of the first line at or after `from` that holds every one of `parts`, or npos.
std::size_t findLine(const std::vector<std::string> &lines, std::initializer_list<std::string> parts,
                     std::size_t from = 0)
{
    for (std::size_t i = from; i < lines.size(); ++i) {
        if (std::all_of(parts.begin(), parts.end(), [&](const std::string &p) { return contains(lines[i], p); }))
            return i;
    }
    return std::string::npos;
}

std::size_t countIn(const std::vector<std::string> &lines, const std::string &direction, const std::string &what)
{
    std::size_t n = 0;
    for (const auto &line : lines) {
        if (!contains(line, direction))
            continue;
        for (auto at = line.find(what); at != std::string::npos; at = line.find(what, at + 1))
            ++n;
    }
    return n;
}

} // namespace

// --wire on a web call over HTTP/1.1: the request head, the request body, the response head and
// each chunk (or body piece) of the response, in the order they crossed, with the messages the
// envelopes inside carried; the exit code is the call's.
TEST_F(WebCli, WireShowsHttp1HeadsAndChunksOfWebCalls)
{
    for (const std::string protocol : {"connect", "grpcweb"}) {
        const std::string path = "/prefix/api/wirescope.testing.TestService/";
        const auto unary = run(cli({"-protocol", protocol, "--wire", "-d", R"({"text":"w"})"},
                                   "http://" + sharedConnectServer().http1() + "/prefix/api", "Echo"));
        ASSERT_EQ(unary.exitCode, 0) << protocol << unary.err;
        EXPECT_TRUE(contains(unary.out, "\"text\": \"w\"")) << unary.out;
        auto lines = wireLines(unary.err);
        const auto requestHead = findLine(lines, {" c1 -> HEAD #1 len=", "POST " + path + "Echo HTTP/1.1"});
        ASSERT_NE(requestHead, std::string::npos) << unary.err;
        EXPECT_TRUE(contains(lines[requestHead], protocol == "connect" ? "content-type=application/proto"
                                                                       : "content-type=application/grpc-web+proto"))
            << lines[requestHead];
        const auto requestBody = findLine(lines, {" c1 -> BODY #1 len="}, requestHead + 1);
        const auto responseHead = findLine(lines, {" c1 <- HEAD #1 len=", "HTTP/1.1 200 OK"}, requestHead + 1);
        ASSERT_NE(requestBody, std::string::npos) << unary.err;
        ASSERT_NE(responseHead, std::string::npos) << unary.err;
        EXPECT_LT(requestBody, responseHead) << unary.err;
        EXPECT_NE(findLine(lines, {" c1 <- "}, responseHead + 1), std::string::npos) << unary.err;
        EXPECT_FALSE(contains(unary.err, "cannot decode")) << unary.err;
        // A Connect unary body has no envelope; gRPC-Web's request and reply have one each.
        EXPECT_EQ(countIn(lines, " -> ", "grpc-message="), protocol == "connect" ? 0u : 1u) << unary.err;
        EXPECT_EQ(countIn(lines, " <- ", "grpc-message="), protocol == "connect" ? 0u : 1u) << unary.err;

        const auto stream = run(cli({"-protocol", protocol, "--wire", "-d", R"({"count":3,"text":"s","intervalMs":50})"},
                                    "http://" + sharedConnectServer().http1(), "ServerStream"));
        ASSERT_EQ(stream.exitCode, 0) << protocol << stream.err;
        lines = wireLines(stream.err);
        const auto head = findLine(lines, {" <- HEAD #1", "HTTP/1.1 200 OK", "transfer-encoding=chunked"});
        ASSERT_NE(head, std::string::npos) << stream.err;
        // Each reply went out when the server wrote it: a chunk of its own, each with its size.
        std::size_t at = head;
        for (int i = 0; i < 3; ++i) {
            at = findLine(lines, {" <- CHUNK #1 size=", "grpc-message="}, at + 1);
            ASSERT_NE(at, std::string::npos) << i << stream.err;
        }
        EXPECT_NE(findLine(lines, {" <- END #1"}, at + 1), std::string::npos) << stream.err;
        EXPECT_EQ(countIn(lines, " <- ", "grpc-message="), 3u) << stream.err; // not the end of the stream
        EXPECT_EQ(countIn(lines, " -> ", "grpc-message="), 1u) << stream.err;
        EXPECT_FALSE(contains(stream.err, "cannot decode")) << stream.err;

        // A failed call: its own exit code, and the wire shows the answer that said so.
        const auto failed = run(cli({"-protocol", protocol, "--wire", "-d", R"({"code":5})"},
                                    "http://" + sharedConnectServer().http1(), "Fail"));
        EXPECT_EQ(failed.exitCode, 64 + 5) << protocol << failed.err;
        EXPECT_NE(findLine(wireLines(failed.err), {" <- HEAD #1", "HTTP/1.1 "}), std::string::npos) << failed.err;
    }
}

// --wire to an https:// web server: the relay makes the TLS connection with the call's CA,
// client certificate and server name, asking for h2 or http/1.1 by ALPN as the call goes.
TEST_F(WebCli, WireOverHttpsShowsHttp2FramesOrHttp1Heads)
{
    Pki pki;
    ConnectServer server(ConnectServer::mutualTls(pki));
    ASSERT_EQ(server.problem(), "");
    const std::string url = "https://" + server.https() + "/prefix/api";
    const std::vector<std::string> tls{"-cacert", pki.path("ca.pem"), "-servername", "localhost",
                                       "-cert", pki.path("client.pem"), "-key", pki.path("client.key")};
    auto with = [&](std::vector<std::string> flags) {
        flags.insert(flags.end(), tls.begin(), tls.end());
        return flags;
    };
    for (const std::string protocol : {"connect", "grpcweb"}) {
        // Without -http-version: HTTP/2 (ALPN h2).
        const auto h2 = run(cli(with({"-protocol", protocol, "--wire", "-d", R"({"count":2,"text":"t"})"}), url,
                                "ServerStream"));
        ASSERT_EQ(h2.exitCode, 0) << protocol << h2.err;
        auto lines = wireLines(h2.err);
        EXPECT_NE(findLine(lines, {" -> HEADERS stream=1", ":path=/prefix/api/wirescope.testing.TestService/ServerStream"}),
                  std::string::npos)
            << h2.err;
        EXPECT_EQ(countIn(lines, " <- DATA stream=1", "grpc-message="), 2u) << h2.err;
        EXPECT_EQ(findLine(lines, {" HEAD #"}), std::string::npos) << h2.err;

        const auto h1 = run(cli(with({"-protocol", protocol, "-http-version", "1.1", "--wire", "-d",
                                      R"({"count":2,"text":"t"})"}),
                                url, "ServerStream"));
        ASSERT_EQ(h1.exitCode, 0) << protocol << h1.err;
        EXPECT_TRUE(contains(h1.out, "\"index\": 1,")) << h1.out;
        lines = wireLines(h1.err);
        const auto head =
            findLine(lines, {" c1 -> HEAD #1", "POST /prefix/api/wirescope.testing.TestService/ServerStream HTTP/1.1"});
        ASSERT_NE(head, std::string::npos) << h1.err;
        EXPECT_TRUE(contains(lines[head], "host=" + server.https())) << lines[head];
        EXPECT_NE(findLine(lines, {" c1 <- HEAD #1", "HTTP/1.1 200 OK"}, head + 1), std::string::npos) << h1.err;
        EXPECT_EQ(countIn(lines, " <- CHUNK #1", "grpc-message="), 2u) << h1.err;
        EXPECT_FALSE(contains(h1.err, "HEADERS stream=")) << h1.err;
        EXPECT_FALSE(contains(h1.err, "cannot decode")) << h1.err;
    }
    // A CA that did not sign the server's certificate: a dial that failed, and the relay says why.
    const auto wrongCa = run(cli({"-protocol", "connect", "-http-version", "1.1", "--wire", "-cacert",
                                  pki.path("other.pem"), "-servername", "localhost", "-d", "{}"},
                                 url, "Echo"));
    EXPECT_EQ(wrongCa.exitCode, 1) << wrongCa.err;
    EXPECT_TRUE(contains(wrongCa.err, "Failed to dial target host \"" + url + "\"")) << wrongCa.err;
    EXPECT_TRUE(contains(wrongCa.err, "\": TLS handshake with " + url + " failed: certificate verify failed ("))
        << wrongCa.err;
    EXPECT_TRUE(contains(wrongCa.err, "connection failed: TLS handshake with " + server.https() +
                                          " failed: certificate verify failed"))
        << wrongCa.err;
}

// A server that sends a malformed HTTP/1.1 head, a chunk size that lies, or closes inside a
// chunk: the call fails with its status and a clear message that adds what the relay saw, and
// the wire shows the same error in its place, never a signal.
TEST_F(WebCli, WireShowsWhatIsMalformedInAnHttp1Answer)
{
    const std::string head = "HTTP/1.1 200 OK\r\ncontent-type: application/proto\r\ntransfer-encoding: chunked\r\n\r\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"HTTP/1.1 OK\r\ncontent-length: 0\r\n\r\n",
         "response 1 does not start with HTTP/1.x CODE REASON: \"HTTP/1.1 OK\""},
        {head + "3\r\n0123456789\r\n0\r\n\r\n",
         "a chunk of the response of exchange 1 said 3 bytes, but \"3456789"},
        {head + "20\r\nhello",
         "the connection closed inside a chunk of the response of exchange 1: 5 of its 32 bytes arrived"},
    };
    for (const auto &[answer, expected] : cases) {
        RawHttpServer server(answer);
        const auto r = run(cli({"-protocol", "connect", "--wire", "-d", R"({"text":"x"})"},
                               "http://" + server.address(), "Echo"));
        EXPECT_EQ(r.exitCode, 64 + 14) << expected << "\n" << r.err;
        EXPECT_TRUE(contains(r.err, "Code: Unavailable")) << r.err;
        EXPECT_TRUE(contains(r.err, "(wire tap: " + expected)) << r.err;
        const auto lines = wireLines(r.err);
        const auto request = findLine(lines, {" c1 -> HEAD #1", "POST /wirescope.testing.TestService/Echo HTTP/1.1"});
        const auto error = findLine(lines, {" c1 <- cannot decode: " + expected});
        ASSERT_NE(request, std::string::npos) << r.err;
        ASSERT_NE(error, std::string::npos) << r.err;
        EXPECT_LT(request, error);
    }
}
