// SPDX-License-Identifier: GPL-3.0-or-later
// Calls of every kind against the test service served by another gRPC stack: Python's grpcio
// (Debian's python3-grpcio), spawned as a program. Servers differ in what they send and when.
#include "support.h"

#include "rpc/engine.h"

#include <gtest/gtest.h>

#include <memory>

using namespace testsupport;
using rpc::EventKind;

namespace {

class InteropTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = new TempDir();
        const std::string protoset = (s_dir->path() / "test.protoset").string();
        auto made =
            run({WIRESCOPE_PROTOC, "-I", WIRESCOPE_TEST_PROTO_DIR, "-I", WIRESCOPE_RESOURCE_PROTO_DIR,
                 "--include_imports", "--descriptor_set_out=" + protoset, "wirescope/testing/test.proto",
                 "google/rpc/status.proto", "google/rpc/error_details.proto"});
        ASSERT_EQ(made.exitCode, 0) << made.err;
        s_server = new Spawned({"/usr/bin/python3", WIRESCOPE_PYTHON_SERVER, protoset});
        const std::string line = s_server->waitForLine("listening on ", std::chrono::seconds(30));
        ASSERT_FALSE(line.empty()) << "the Python server did not start";
        s_address = line.substr(line.find("listening on ") + 13);
        s_schema = testSchema();
    }
    static void TearDownTestSuite()
    {
        delete s_server;
        delete s_dir;
        s_schema.reset();
    }

    std::vector<rpc::CallEvent> call(const std::string &method, std::vector<std::string> messages,
                                     rpc::Metadata metadata = {})
    {
        rpc::CallRequest r;
        r.callId = ++m_id;
        r.schema = s_schema;
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = s_address;
        r.messages = std::move(messages);
        r.metadata = std::move(metadata);
        m_engine.start(r);
        return collect(m_engine, r.callId);
    }

    static TempDir *s_dir;
    static Spawned *s_server;
    static std::string s_address;
    static rpc::SchemaPtr s_schema;
    rpc::Engine m_engine;
    std::uint64_t m_id = 0;
};

TempDir *InteropTest::s_dir = nullptr;
Spawned *InteropTest::s_server = nullptr;
std::string InteropTest::s_address;
rpc::SchemaPtr InteropTest::s_schema;

} // namespace

TEST_F(InteropTest, UnaryWithHeadersAndTrailers)
{
    auto events = call("Echo", {R"({"text": "py", "i64": "9007199254740993"})"}, {{"x-from", "wirescope"}});
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    auto headers = ofKind(events, EventKind::ResponseHeaders);
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(metadataValue(headers[0].metadata, "x-stack"), "python-grpcio");
    EXPECT_EQ(metadataValue(finished(events)->metadata, "x-trailer"), "python");
    auto replies = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_NE(replies[0].payload.find("\"i64\": \"9007199254740993\""), std::string::npos)
        << replies[0].payload;
    EXPECT_NE(replies[0].payload.find("\"x-from\": \"wirescope\""), std::string::npos) << replies[0].payload;
}

TEST_F(InteropTest, ServerClientAndBidiStreams)
{
    auto server = call("ServerStream", {R"({"count": 5, "text": "s"})"});
    EXPECT_EQ(ofKind(server, EventKind::MessageReceived).size(), 5u);
    EXPECT_TRUE(finished(server) && finished(server)->status.ok());

    auto client =
        call("ClientStream", {R"({"text": "a"})", R"({"text": "b", "payload": "AAEC"})", R"({"text": "c"})"});
    auto summary = ofKind(client, EventKind::MessageReceived);
    ASSERT_EQ(summary.size(), 1u);
    EXPECT_NE(summary[0].payload.find("\"count\": 3"), std::string::npos) << summary[0].payload;
    EXPECT_NE(summary[0].payload.find("\"totalBytes\": \"3\""), std::string::npos) << summary[0].payload;

    auto bidi = call("Chat", {R"({"text": "x"})", R"({"text": "y"})"});
    auto replies = ofKind(bidi, EventKind::MessageReceived);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_NE(replies[1].payload.find("echo: y"), std::string::npos) << replies[1].payload;
}

TEST_F(InteropTest, ErrorsWithDetailsFromPython)
{
    auto events = call("Fail", {R"({"code": 7, "message": "denied by python", "with_details": true})"});
    ASSERT_TRUE(finished(events));
    const auto &status = finished(events)->status;
    EXPECT_EQ(status.code, 7);
    EXPECT_EQ(status.message, "denied by python");
    EXPECT_FALSE(status.local);
    ASSERT_EQ(status.details.size(), 1u) << status.rawDetails.size();
    EXPECT_NE(status.details[0].find("\"reason\": \"PYTHON_FAILURE\""), std::string::npos)
        << status.details[0];

    auto plain = call("Fail", {R"({"code": 5})"});
    ASSERT_TRUE(finished(plain));
    EXPECT_EQ(finished(plain)->status.code, 5);
    EXPECT_TRUE(finished(plain)->status.details.empty());

    auto missing = call("Large", {"{}"});
    ASSERT_TRUE(finished(missing));
    EXPECT_EQ(finished(missing)->status.code, 12); // the Python server has no such method
}

TEST_F(InteropTest, CliAgainstPython)
{
    auto r = run({WIRESCOPE_CLI, "-plaintext", "-import-path", WIRESCOPE_TEST_PROTO_DIR, "-proto",
                  "wirescope/testing/test.proto", "-v", "-d", R"({"text": "cli"})", s_address,
                  "wirescope.testing.TestService/Echo"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("Response headers received:\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("x-stack: python-grpcio"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("x-trailer: python"), std::string::npos) << r.out;

    // No reflection in this server: the CLI says so.
    auto list = run({WIRESCOPE_CLI, "-plaintext", s_address, "list"});
    EXPECT_EQ(list.exitCode, 1);
    EXPECT_NE(list.err.find("does not offer reflection"), std::string::npos) << list.err;
}
