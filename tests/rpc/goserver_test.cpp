// SPDX-License-Identifier: GPL-3.0-or-later
// The grpc-go server the call benchmark measures against (tests/goserver, built from Debian's Go
// packages), spawned as a program: Wirescope loads its schema by reflection and calls it the
// ways the benchmark and users do, plain calls, load runs and `wirescope-cli bench`.
#include "support.h"

#include "rpc/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

using namespace testsupport;
using rpc::EventKind;

namespace {

class GoServerTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        ASSERT_TRUE(std::filesystem::exists(WIRESCOPE_GOSERVER))
            << WIRESCOPE_GOSERVER << " was not built: scripts/install-deps.sh installs Go and Debian's grpc-go";
        s_server = new Spawned({WIRESCOPE_GOSERVER, "--address", "127.0.0.1:0"});
        const std::string line = s_server->waitForLine("listening on ", std::chrono::seconds(30));
        ASSERT_FALSE(line.empty()) << "the Go server did not start";
        s_address = line.substr(line.find("listening on ") + 13);
        rpc::SchemaSpec spec;
        spec.useReflection = true;
        spec.reflectionChannel.target = s_address;
        auto schema = rpc::SchemaLoader().load(spec);
        ASSERT_TRUE(schema) << schema.error().toString();
        s_schema = *schema;
    }
    static void TearDownTestSuite()
    {
        delete s_server;
        s_server = nullptr;
        s_schema.reset();
    }
    void SetUp() override
    {
        if (!s_schema)
            GTEST_SKIP() << "the suite's setup failed (above)";
    }

    rpc::CallRequest request(const std::string &method, std::string json)
    {
        rpc::CallRequest r;
        r.callId = ++m_id;
        r.schema = s_schema;
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = s_address;
        r.messages = {std::move(json)};
        r.codec.pretty = false;
        return r;
    }

    static Spawned *s_server;
    static std::string s_address;
    static rpc::SchemaPtr s_schema;
    rpc::Engine m_engine;
    std::uint64_t m_id = 0;
};

Spawned *GoServerTest::s_server = nullptr;
std::string GoServerTest::s_address;
rpc::SchemaPtr GoServerTest::s_schema;

} // namespace

TEST_F(GoServerTest, ReflectionNamesTheServiceAndItsVersion)
{
    auto services = s_schema->serviceNames();
    ASSERT_TRUE(services);
    EXPECT_NE(std::find(services->begin(), services->end(), "wirescope.testing.TestService"), services->end());
    EXPECT_EQ(s_schema->reflectionVersion(), "v1alpha"); // grpc-go 1.33 serves only v1alpha
}

TEST_F(GoServerTest, EchoAnswersWithTheRequestHeadersAndTrailer)
{
    auto r = request("Echo", R"({"data": "eHh4eHh4eHg=", "i64": "-5"})");
    r.metadata = {{"x-from", "wirescope"}};
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    EXPECT_EQ(metadataValue(finished(events)->metadata, "x-trailer"), "go");
    auto headers = ofKind(events, EventKind::ResponseHeaders);
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(metadataValue(headers[0].metadata, "x-from"), "wirescope");
    auto replies = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].payload, R"({"echo":{"i64":"-5","data":"eHh4eHh4eHg="}})");
}

TEST_F(GoServerTest, ServerStreamSendsCountItemsOfThePayloadSize)
{
    auto r = request("ServerStream", R"({"count": 500, "payloadSize": 8, "text": "go"})");
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    auto items = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(items.size(), 500u);
    EXPECT_EQ(items[0].payload, R"({"text":"go","payload":"eHh4eHh4eHg="})");
    EXPECT_EQ(items[499].payload, R"({"index":499,"text":"go","payload":"eHh4eHh4eHg="})");

    auto other = request("ClientStream", "{}");
    m_engine.start(other);
    auto failed = collect(m_engine, other.callId);
    ASSERT_TRUE(finished(failed));
    EXPECT_EQ(finished(failed)->status.code, 12); // UNIMPLEMENTED: only two methods are served
}

// What the benchmark runs: load runs of both methods, in the engine and as the CLI program.
TEST_F(GoServerTest, LoadRunsAndTheCliBenchCountEveryReply)
{
    rpc::LoadRequest unary;
    unary.call = request("Echo", R"({"data": "eHh4eHh4eHg="})");
    unary.call.callId = 1000;
    unary.total = 200;
    unary.concurrency = 1;
    m_engine.startLoad(unary);
    rpc::LoadRequest stream;
    stream.call = request("ServerStream", R"({"count": 20000, "payloadSize": 8})");
    stream.call.callId = 5000;
    stream.total = 1;
    m_engine.startLoad(stream);
    std::vector<rpc::CallEvent> ends;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (ends.size() < 201 && std::chrono::steady_clock::now() < deadline)
        for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
            if (e.kind == EventKind::Finished)
                ends.push_back(std::move(e));
    ASSERT_EQ(ends.size(), 201u);
    for (const auto &e : ends) {
        EXPECT_TRUE(e.status.ok()) << e.callId << ": " << e.status.message;
        EXPECT_EQ(e.index, e.callId == 5000 ? 20000u : 1u) << e.callId;
    }

    auto cli = run({WIRESCOPE_CLI, "bench", "-plaintext", "-format", "json", "-n", "1", "-c", "1", "-d",
                    R"({"count": 200000, "payloadSize": 8})", s_address,
                    "wirescope.testing.TestService/ServerStream"});
    ASSERT_EQ(cli.exitCode, 0) << cli.err;
    EXPECT_NE(cli.out.find(R"("messages_received":200000,)"), std::string::npos) << cli.out;
    EXPECT_NE(cli.out.find(R"("status":{"OK":1}})"), std::string::npos) << cli.out;
}
