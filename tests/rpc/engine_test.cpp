// SPDX-License-Identifier: GPL-3.0-or-later
// Calls of every kind through the engine against the in-tree test server, and the ways they fail.
#include "support.h"
#include "testserver.h"

#include "rpc/engine.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

using namespace testsupport;
using rpc::EventKind;

namespace {

class EngineTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_server = new testing_server::TestServer();
        ASSERT_TRUE(s_server->start());
        s_schema = testSchema();
    }
    static void TearDownTestSuite()
    {
        delete s_server;
        s_server = nullptr;
        s_schema.reset();
    }

    rpc::CallRequest request(const std::string &method, std::vector<std::string> messages = {})
    {
        rpc::CallRequest r;
        r.callId = ++m_nextId;
        r.schema = s_schema;
        r.method = method;
        r.channel.target = s_server->address();
        r.messages = std::move(messages);
        return r;
    }

    // Starts a streaming call whose request stream stays open; returns its id.
    std::uint64_t startOpen(const std::string &method)
    {
        auto r = request(method);
        r.closeAfterMessages = false;
        m_engine.start(r);
        return r.callId;
    }

    // Waits for the next event of `kind` of call `id`, keeping everything seen in `log`.
    bool waitFor(std::uint64_t id, EventKind kind, std::vector<rpc::CallEvent> &log, int count = 1)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        auto have = [&] {
            int n = 0;
            for (const auto &e : log)
                n += e.callId == id && e.kind == kind;
            return n >= count;
        };
        while (!have() && std::chrono::steady_clock::now() < deadline)
            for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
                log.push_back(std::move(e));
        return have();
    }

    // Collects events until `done(log)` holds or 20 s pass.
    template<typename Pred> bool waitForAll(std::vector<rpc::CallEvent> &log, Pred done)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!done(log) && std::chrono::steady_clock::now() < deadline)
            for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
                log.push_back(std::move(e));
        return done(log);
    }

    static testing_server::TestServer *s_server;
    static rpc::SchemaPtr s_schema;
    rpc::Engine m_engine;
    std::uint64_t m_nextId = 0;
};

testing_server::TestServer *EngineTest::s_server = nullptr;
rpc::SchemaPtr EngineTest::s_schema;

// A TCP listener that accepts and then answers like an HTTP/1.1 server, or says nothing.
class FakeListener
{
public:
    explicit FakeListener(bool http1)
        : m_http1(http1)
    {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        listen(m_fd, 8);
        socklen_t len = sizeof addr;
        getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        if (m_http1)
            m_thread = std::thread([this] { serve(); });
    }
    ~FakeListener()
    {
        m_stop = true;
        shutdown(m_fd, SHUT_RDWR);
        close(m_fd);
        if (m_thread.joinable())
            m_thread.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

private:
    void serve()
    {
        while (!m_stop) {
            const int c = accept(m_fd, nullptr, nullptr);
            if (c < 0)
                return;
            char buf[4096];
            (void)!read(c, buf, sizeof buf);
            const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                                 "Content-Length: 11\r\nConnection: close\r\n\r\nBad Request";
            (void)!write(c, reply, sizeof reply - 1);
            close(c);
        }
    }
    bool m_http1;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace

TEST_F(EngineTest, UnaryCallReportsEveryEventInOrder)
{
    auto r = request("wirescope.testing.TestService/Echo", {R"({"text": "hello", "i64": "7"})"});
    r.metadata = {{"x-ascii", "plain value"}, {"x-token-bin", std::string("\x00\xff\x10", 3)}};
    r.keepRaw = true;
    const auto id = r.callId;
    m_engine.start(r);
    auto events = collect(m_engine, id);
    ASSERT_FALSE(events.empty());
    std::vector<EventKind> kinds;
    for (const auto &e : events)
        kinds.push_back(e.kind);
    EXPECT_EQ(kinds, (std::vector<EventKind>{EventKind::Started, EventKind::MessageSent,
                                             EventKind::HalfClosed, EventKind::ResponseHeaders,
                                             EventKind::MessageReceived, EventKind::Finished}));
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].callId, id);
        EXPECT_EQ(events[i].callKind, rpc::MethodKind::Unary);
        if (i > 0) {
            EXPECT_GE(events[i].timeNs, events[i - 1].timeNs);
        }
    }
    EXPECT_EQ(events[1].direction, rpc::Direction::Outbound);
    EXPECT_GT(events[1].wireSize, 0u);
    const auto &reply = events[4];
    EXPECT_EQ(reply.direction, rpc::Direction::Inbound);
    EXPECT_EQ(reply.wireSize, reply.raw.size());
    EXPECT_NE(reply.payload.find("\"text\": \"hello\""), std::string::npos) << reply.payload;
    EXPECT_NE(reply.payload.find("\"x-ascii\": \"plain value\""), std::string::npos) << reply.payload;
    EXPECT_NE(reply.payload.find("\"x-token-bin\": \"AP8Q\""), std::string::npos) << reply.payload;
    // Headers and trailers as the server sent them; -bin values stay bytes.
    EXPECT_EQ(metadataValue(events[3].metadata, "x-ascii"), "plain value");
    EXPECT_EQ(metadataValue(events[3].metadata, "x-token-bin"), std::string("\x00\xff\x10", 3));
    const auto &fin = events.back();
    EXPECT_TRUE(fin.status.ok());
    EXPECT_FALSE(fin.status.local);
    EXPECT_EQ(metadataValue(fin.metadata, "x-trailer"), "done");
}

TEST_F(EngineTest, ServerStreamDeliversEveryMessageInOrder)
{
    const auto r = request("wirescope.testing.TestService/ServerStream", {R"({"count": 25, "text": "t"})"});
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    auto msgs = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(msgs.size(), 25u);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        EXPECT_EQ(msgs[i].index, i);
        EXPECT_EQ(msgs[i].callKind, rpc::MethodKind::ServerStreaming);
    }
    EXPECT_NE(msgs[3].payload.find("\"index\": 3"), std::string::npos) << msgs[3].payload;
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok());
}

TEST_F(EngineTest, ClientStreamSendsOneAtATimeThenHalfCloses)
{
    const auto id = startOpen("wirescope.testing.TestService/ClientStream");
    std::vector<rpc::CallEvent> log;
    for (int i = 1; i <= 3; ++i) {
        m_engine.send(id, R"({"text": "part)" + std::to_string(i) + R"("})");
        ASSERT_TRUE(waitFor(id, EventKind::MessageSent, log, i));
    }
    // Nothing is received before the stream is closed.
    EXPECT_EQ(ofKind(log, EventKind::MessageReceived).size(), 0u);
    m_engine.halfClose(id);
    ASSERT_TRUE(waitFor(id, EventKind::Finished, log));
    auto msgs = ofKind(log, EventKind::MessageReceived);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NE(msgs[0].payload.find("\"count\": 3"), std::string::npos) << msgs[0].payload;
    EXPECT_NE(msgs[0].payload.find("\"part2\""), std::string::npos);
    EXPECT_EQ(ofKind(log, EventKind::HalfClosed).size(), 1u);
    // Sending after the end is refused with a local event, not sent.
    m_engine.send(id, R"({"text": "late"})");
    log.clear();
    ASSERT_TRUE(waitFor(id, EventKind::MessageSent, log));
    EXPECT_EQ(log.back().direction, rpc::Direction::Local);
    EXPECT_NE(log.back().error.find("has ended"), std::string::npos) << log.back().error;
}

TEST_F(EngineTest, BidiPingPongInterleaves)
{
    const auto id = startOpen("wirescope.testing.TestService/Chat");
    std::vector<rpc::CallEvent> log;
    for (int i = 1; i <= 4; ++i) {
        m_engine.send(id, R"({"text": "m)" + std::to_string(i) + R"("})");
        ASSERT_TRUE(waitFor(id, EventKind::MessageReceived, log, i));
    }
    m_engine.halfClose(id);
    ASSERT_TRUE(waitFor(id, EventKind::Finished, log));
    std::string order;
    for (const auto &e : log)
        if (e.kind == EventKind::MessageSent)
            order += 'S';
        else if (e.kind == EventKind::MessageReceived)
            order += 'R';
    EXPECT_EQ(order, "SRSRSRSR");
    auto replies = ofKind(log, EventKind::MessageReceived);
    EXPECT_NE(replies[3].payload.find("echo: m4"), std::string::npos) << replies[3].payload;
    EXPECT_TRUE(finished(log)->status.ok());
}

TEST_F(EngineTest, BadMessageDuringAStreamIsReportedAndTheCallGoesOn)
{
    const auto id = startOpen("wirescope.testing.TestService/Chat");
    std::vector<rpc::CallEvent> log;
    m_engine.send(id, R"({"txet": "typo"})");
    ASSERT_TRUE(waitFor(id, EventKind::MessageSent, log));
    EXPECT_EQ(log.back().direction, rpc::Direction::Local);
    EXPECT_NE(log.back().error.find("txet"), std::string::npos) << log.back().error;
    m_engine.send(id, R"({"text": "fine"})");
    ASSERT_TRUE(waitFor(id, EventKind::MessageReceived, log));
    m_engine.halfClose(id);
    ASSERT_TRUE(waitFor(id, EventKind::Finished, log));
    EXPECT_TRUE(finished(log)->status.ok());
}

TEST_F(EngineTest, CancelMidStream)
{
    const auto r =
        request("wirescope.testing.TestService/ServerStream", {R"({"count": 1000, "interval_ms": 20})"});
    m_engine.start(r);
    std::vector<rpc::CallEvent> log;
    ASSERT_TRUE(waitFor(r.callId, EventKind::MessageReceived, log, 2));
    m_engine.cancel(r.callId);
    ASSERT_TRUE(waitFor(r.callId, EventKind::Finished, log));
    EXPECT_EQ(finished(log)->status.code, 1); // CANCELLED
    EXPECT_LT(ofKind(log, EventKind::MessageReceived).size(), 100u);
    // The engine has let go of the call.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (m_engine.activeCalls() != 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(m_engine.activeCalls(), 0);
}

TEST_F(EngineTest, DeadlineExceeded)
{
    auto r = request("wirescope.testing.TestService/Slow", {R"({"delay_ms": 3000})"});
    r.deadlineMs = 200;
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_EQ(finished(events)->status.code, 4); // DEADLINE_EXCEEDED
}

TEST_F(EngineTest, RichErrorDetailsAreDecoded)
{
    const auto r = request("wirescope.testing.TestService/Fail",
                           {R"({"code": 9, "message": "not now", "with_details": true})"});
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    const auto *fin = finished(events);
    ASSERT_TRUE(fin);
    EXPECT_EQ(fin->status.code, 9);
    EXPECT_EQ(fin->status.message, "not now");
    ASSERT_EQ(fin->status.details.size(), 4u);
    EXPECT_NE(fin->status.details[0].find("google.rpc.BadRequest"), std::string::npos);
    EXPECT_NE(fin->status.details[0].find("\"field\": \"name\""), std::string::npos)
        << fin->status.details[0];
    EXPECT_NE(fin->status.details[1].find("\"reason\": \"TEST_FAILURE\""), std::string::npos);
    EXPECT_NE(fin->status.details[2].find("\"retryDelay\": \"2s\""), std::string::npos);
    EXPECT_NE(fin->status.details[3].find("That did not work."), std::string::npos);
    EXPECT_FALSE(fin->status.rawDetails.empty());
}

TEST_F(EngineTest, LocalFailuresEndTheCallWithoutSending)
{
    auto bad = request("wirescope.testing.TestService/Echo", {"{\"text\": 1,}"});
    m_engine.start(bad);
    auto events = collect(m_engine, bad.callId);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].status.code, 3); // INVALID_ARGUMENT
    EXPECT_TRUE(events[0].status.local);
    EXPECT_NE(events[0].status.message.find("1:"), std::string::npos) << events[0].status.message;

    auto unknown = request("wirescope.testing.TestService/Nope", {"{}"});
    m_engine.start(unknown);
    events = collect(m_engine, unknown.callId);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].status.code, 12); // UNIMPLEMENTED
    EXPECT_NE(events[0].status.message.find("Nope"), std::string::npos);

    auto two = request("wirescope.testing.TestService/Echo", {"{}", "{}"});
    m_engine.start(two);
    events = collect(m_engine, two.callId);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].status.code, 3);
}

// gRPC core aborts the process on a header it finds invalid; the engine refuses such a call
// itself, naming the header, and the process (and the next call) go on.
TEST_F(EngineTest, HeadersGrpcWouldRefuseFailTheCallNotTheProcess)
{
    struct Case
    {
        rpc::Metadata metadata;
        std::string authority;
        std::string expect; // in the message
    };
    const Case cases[] = {
        {{{"x-city", "Z\xC3\xBCrich"}}, "", "header \"x-city\": byte 2 (0xC3)"},
        {{{"bad name", "v"}}, "", "header \"bad name\": byte 4 (0x20) of the name"},
        {{{"x-a", "a\r\nb"}}, "", "byte 2 (0x0D)"},
        {{{"x-a", "a\x01" "b"}}, "", "byte 2 (0x01)"},
        {{{"x-a", "tab\there"}}, "", "byte 4 (0x09)"},
        {{{"", "v"}}, "", "empty name"},
        {{{":path", "/x"}}, "", "pseudo-headers"},
        {{{"grpc-status", "5"}}, "", "reserved for gRPC"},
        {{{"content-type", "text/plain"}}, "", "\"content-type\""},
        {{{"connection", "close"}}, "", "\"connection\""},
        {{{"x-ok", "fine"}, {"x-bad\xFF", "v"}}, "", "\"x-bad\xFF\""},
        {{}, "a b", "authority \"a b\""},
        {{}, "host\r\nx: y", "authority"},
    };
    for (const auto &c : cases) {
        auto r = request("wirescope.testing.TestService/Echo", {R"({"text": "h"})"});
        r.metadata = c.metadata;
        r.channel.authority = c.authority;
        m_engine.start(r);
        const auto events = collect(m_engine, r.callId);
        ASSERT_EQ(events.size(), 1u) << c.expect; // nothing started: only Finished
        EXPECT_EQ(events[0].status.code, 3);
        EXPECT_TRUE(events[0].status.local);
        EXPECT_NE(events[0].status.message.find(c.expect), std::string::npos) << events[0].status.message;
    }
    // Names go lowercase as HTTP/2 sends them; -bin values are bytes and any byte is fine; the
    // engine still works after all of the above.
    auto ok = request("wirescope.testing.TestService/Echo", {R"({"text": "h"})"});
    ok.metadata = {{"X-Mixed-Case", "v"}, {"x-raw-bin", std::string("\0\xff\r\n", 4)}};
    m_engine.start(ok);
    const auto events = collect(m_engine, ok.callId);
    const auto *end = finished(events);
    ASSERT_NE(end, nullptr);
    EXPECT_EQ(end->status.code, 0) << end->status.message;
    const auto reply = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_NE(reply[0].payload.find("\"x-mixed-case\": \"v\""), std::string::npos) << reply[0].payload;
}

TEST_F(EngineTest, DeadPortIsUnavailable)
{
    auto r = request("wirescope.testing.TestService/Echo", {"{}"});
    r.channel.target = "127.0.0.1:" + std::to_string(deadPort());
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_EQ(finished(events)->status.code, 14);
    EXPECT_FALSE(finished(events)->status.message.empty());
}

TEST_F(EngineTest, Http1ServerIsAnErrorNotAHang)
{
    FakeListener http1(true);
    auto r = request("wirescope.testing.TestService/Echo", {"{}"});
    r.channel.target = http1.address();
    r.channel.connectTimeoutMs = 3000;
    m_engine.start(r);
    auto events = collect(m_engine, r.callId, std::chrono::seconds(15));
    ASSERT_TRUE(finished(events));
    EXPECT_NE(finished(events)->status.code, 0);
    EXPECT_FALSE(finished(events)->status.message.empty());
}

TEST_F(EngineTest, SilentServerHitsTheConnectTimeout)
{
    FakeListener silent(false); // accepts TCP (backlog) but never speaks HTTP/2
    auto r = request("wirescope.testing.TestService/Echo", {"{}"});
    r.channel.target = silent.address();
    r.channel.connectTimeoutMs = 500;
    const auto before = std::chrono::steady_clock::now();
    m_engine.start(r);
    // start() hands the call over and returns; it does not wait for the connection.
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(400));
    auto events = collect(m_engine, r.callId, std::chrono::seconds(10));
    ASSERT_TRUE(finished(events));
    EXPECT_EQ(finished(events)->status.code, 14);
    EXPECT_TRUE(finished(events)->status.local);
    EXPECT_NE(finished(events)->status.message.find("within 500 ms"), std::string::npos)
        << finished(events)->status.message;
}

TEST_F(EngineTest, MessageSizeLimits)
{
    auto big = request("wirescope.testing.TestService/Large", {R"({"size": 5000000})"});
    m_engine.start(big);
    auto events = collect(m_engine, big.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_EQ(finished(events)->status.code, 8) << finished(events)->status.message; // RESOURCE_EXHAUSTED

    auto raised = request("wirescope.testing.TestService/Large", {R"({"size": 5000000})"});
    raised.channel.maxReceiveBytes = 8 * 1024 * 1024;
    m_engine.start(raised);
    events = collect(m_engine, raised.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    ASSERT_EQ(ofKind(events, EventKind::MessageReceived).size(), 1u);
    EXPECT_GT(ofKind(events, EventKind::MessageReceived)[0].wireSize, 5000000u);

    auto send =
        request("wirescope.testing.TestService/Echo", {R"({"text": ")" + std::string(2000, 'a') + "\"}"});
    send.channel.maxSendBytes = 1000;
    m_engine.start(send);
    events = collect(m_engine, send.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_EQ(finished(events)->status.code, 8) << finished(events)->status.message;
}

TEST_F(EngineTest, ChannelIsSharedByCallsWithEqualOptions)
{
    auto peerOf = [&](rpc::CallRequest r) {
        m_engine.start(r);
        auto events = collect(m_engine, r.callId);
        auto msgs = ofKind(events, EventKind::MessageReceived);
        EXPECT_EQ(msgs.size(), 1u);
        const auto &p = msgs.empty() ? std::string() : msgs[0].payload;
        const auto at = p.find("\"peer\": \"");
        return at == std::string::npos ? std::string() : p.substr(at, p.find('"', at + 9) - at);
    };
    const auto a = peerOf(request("wirescope.testing.TestService/Echo", {"{}"}));
    const auto b = peerOf(request("wirescope.testing.TestService/Echo", {"{}"}));
    auto other = request("wirescope.testing.TestService/Echo", {"{}"});
    other.channel.keepaliveTimeMs = 60000; // other options: another channel
    const auto c = peerOf(other);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST_F(EngineTest, AuthorityOverrideGzipAndUnixSockets)
{
    auto r =
        request("wirescope.testing.TestService/Echo", {R"({"text": ")" + std::string(5000, 'z') + "\"}"});
    r.channel.authority = "api.example.test";
    r.channel.gzip = true;
    m_engine.start(r);
    auto events = collect(m_engine, r.callId);
    auto msgs = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(msgs.size(), 1u) << (finished(events) ? finished(events)->status.message : "");
    EXPECT_NE(msgs[0].payload.find("\"authority\": \"api.example.test\""), std::string::npos);
    EXPECT_NE(msgs[0].payload.find("zzzz"), std::string::npos);

    TempDir dir;
    testing_server::ServerOptions o;
    o.address = "unix:" + (dir.path() / "s.sock").string();
    testing_server::TestServer unixServer(o);
    ASSERT_TRUE(unixServer.start());
    auto u = request("wirescope.testing.TestService/Echo", {R"({"text": "over a socket"})"});
    u.channel.target = o.address;
    m_engine.start(u);
    events = collect(m_engine, u.callId);
    ASSERT_TRUE(finished(events));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    EXPECT_EQ(ofKind(events, EventKind::MessageReceived).size(), 1u);
}

TEST_F(EngineTest, FastStreamsArriveInBatches)
{
    const auto r = request("wirescope.testing.TestService/ServerStream", {R"({"count": 5000})"});
    m_engine.start(r);
    int batches = 0;
    std::uint64_t nextIndex = 0;
    bool done = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        auto batch = m_engine.events().waitAndDrain(std::chrono::milliseconds(100));
        if (batch.empty())
            continue;
        ++batches;
        for (const auto &e : batch) {
            if (e.kind == EventKind::MessageReceived) {
                EXPECT_EQ(e.index, nextIndex++);
            }
            done |= e.kind == EventKind::Finished;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5)); // a busy consumer
    }
    EXPECT_TRUE(done);
    EXPECT_EQ(nextIndex, 5000u);
    EXPECT_LT(batches, 2500); // several events per wake-up
}

TEST_F(EngineTest, ManyConcurrentCallsAllFinish)
{
    std::set<std::uint64_t> ids;
    for (int i = 0; i < 50; ++i) {
        auto r = request("wirescope.testing.TestService/Echo", {R"({"i32": )" + std::to_string(i) + "}"});
        ids.insert(r.callId);
        m_engine.start(r);
    }
    std::set<std::uint64_t> done;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (done.size() < ids.size() && std::chrono::steady_clock::now() < deadline)
        for (const auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
            if (e.kind == EventKind::Finished) {
                EXPECT_TRUE(e.status.ok());
                done.insert(e.callId);
            }
    EXPECT_EQ(done, ids);
}

TEST_F(EngineTest, DestroyingTheEngineCancelsRunningCalls)
{
    auto engine = std::make_unique<rpc::Engine>();
    rpc::CallRequest r =
        request("wirescope.testing.TestService/ServerStream", {R"({"count": 100000, "interval_ms": 10})"});
    engine->start(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    engine.reset(); // must return promptly, not after the stream ends
    SUCCEED();
}

TEST_F(EngineTest, LoadRunStartsEachNextCallOnTheEngineThread)
{
    rpc::LoadRequest load;
    load.call = request("wirescope.testing.TestService/Echo", {R"({"text": "load"})"});
    load.call.callId = 100;
    load.total = 30;
    load.concurrency = 4;
    m_engine.startLoad(load);
    std::vector<rpc::CallEvent> log;
    ASSERT_TRUE(
        waitForAll(log, [](const auto &events) { return ofKind(events, EventKind::Finished).size() == 30; }));
    std::set<std::uint64_t> ids;
    for (const auto &e : log) {
        EXPECT_TRUE(e.kind == EventKind::Started || e.kind == EventKind::Finished)
            << rpc::eventKindName(e.kind);
        ids.insert(e.callId);
        if (e.kind == EventKind::Finished) {
            EXPECT_TRUE(e.status.ok()) << e.status.message;
            EXPECT_EQ(e.index, 1u); // one reply received (and decoded)
            EXPECT_EQ(e.messagesSent, 1u);
        }
    }
    EXPECT_EQ(ids.size(), 30u);
    EXPECT_EQ(*ids.begin(), 100u);
    EXPECT_EQ(*ids.rbegin(), 129u);
    for (int i = 0; i < 100 && m_engine.activeCalls() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(m_engine.activeCalls(), 0);
}

// Header names go lowercase before gRPC sees them (gRPC core aborts the process on an upper-case
// name). A load run's first call checks and lowercases its request; the later calls must send
// that same checked request, not the caller's original.
TEST_F(EngineTest, LoadRunSendsEveryCallsHeadersLowercased)
{
    rpc::LoadRequest load;
    load.call = request("wirescope.testing.TestService/Echo", {R"({"text": "headers"})"});
    load.call.metadata = {{"X-Mixed-Case", "yes"}};
    load.call.callId = 300;
    load.total = 5;
    load.concurrency = 1;
    m_engine.startLoad(load);
    std::vector<rpc::CallEvent> log;
    ASSERT_TRUE(
        waitForAll(log, [](const auto &events) { return ofKind(events, EventKind::Finished).size() == 5; }));
    for (const auto &e : ofKind(log, EventKind::Finished))
        EXPECT_TRUE(e.status.ok()) << e.callId << ": " << e.status.message;
    for (const auto &e : ofKind(log, EventKind::Started))
        EXPECT_EQ(metadataValue(e.metadata, "x-mixed-case"), "yes") << e.callId;
}

TEST_F(EngineTest, LoadRunStopsOnALocalFailureAndAfterItsTime)
{
    rpc::LoadRequest bad;
    bad.call = request("wirescope.testing.TestService/Echo", {R"({"text": )"});
    bad.call.callId = 500;
    bad.total = 1000;
    bad.concurrency = 8;
    m_engine.startLoad(bad);
    std::vector<rpc::CallEvent> log;
    ASSERT_TRUE(waitFor(500, EventKind::Finished, log));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (auto &e : m_engine.events().drain())
        log.push_back(std::move(e));
    EXPECT_EQ(log.size(), 1u); // the first call failed before sending; no other was started
    EXPECT_EQ(log.front().status.code, 3);
    EXPECT_TRUE(log.front().status.local);

    rpc::LoadRequest timed;
    timed.call = request("wirescope.testing.TestService/Echo", {R"({"text": "timed"})"});
    timed.call.callId = 1000;
    timed.durationMs = 200;
    timed.concurrency = 2;
    const auto start = std::chrono::steady_clock::now();
    m_engine.startLoad(timed);
    std::vector<rpc::CallEvent> events;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    while (m_engine.activeCalls() > 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
        for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(20)))
            events.push_back(std::move(e));
    for (auto &e : m_engine.events().drain())
        events.push_back(std::move(e));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, std::chrono::milliseconds(200));
    EXPECT_LT(elapsed, std::chrono::seconds(5));
    const auto done = ofKind(events, EventKind::Finished).size();
    EXPECT_GT(done, 2u);
    EXPECT_EQ(done, ofKind(events, EventKind::Started).size());
}

// A load run counts a stream's messages exactly and checks each against the output type
// rather than decoding it. Read with a schema of the client's own in which the server's
// replies do not parse, every call ends with INTERNAL naming the first bad reply, and a
// stream stops there.
TEST_F(EngineTest, LoadRunChecksRepliesWithoutDecodingThem)
{
    rpc::LoadRequest stream;
    stream.call = request("wirescope.testing.TestService/ServerStream",
                          {R"({"count": 3000, "payloadSize": 8, "text": "s"})"});
    stream.call.callId = 700;
    stream.total = 2;
    m_engine.startLoad(stream);
    std::vector<rpc::CallEvent> log;
    ASSERT_TRUE(waitFor(701, EventKind::Finished, log));
    for (const auto &e : ofKind(log, EventKind::Finished)) {
        EXPECT_TRUE(e.status.ok()) << e.status.message;
        EXPECT_EQ(e.index, 3000u);
    }
    EXPECT_TRUE(ofKind(log, EventKind::MessageReceived).empty());

    // Field 15 of the echoed request is `bytes`; read as a string it is not UTF-8. A payload of
    // one 'x' is a tag without its value when read as a message.
    TempDir dir;
    dir.write("strict.proto", R"(syntax = "proto3";
package wirescope.testing;
message EchoRequest { bytes data = 15; }
message Strict { string data = 15; }
message EchoResponse { Strict echo = 1; }
message StreamRequest { int32 count = 1; int32 payload_size = 3; }
message StreamItem { Strict payload = 3; }
service TestService {
  rpc Echo(EchoRequest) returns (EchoResponse);
  rpc ServerStream(StreamRequest) returns (stream StreamItem);
}
)");
    rpc::SchemaSpec spec;
    spec.importPaths = {dir.path().string()};
    spec.protoFiles = {"strict.proto"};
    auto strict = rpc::SchemaLoader().load(spec);
    ASSERT_TRUE(strict) << strict.error().toString();

    rpc::LoadRequest unary;
    unary.call = request("wirescope.testing.TestService/Echo", {R"({"data": "/w=="})"});
    unary.call.schema = *strict;
    unary.call.callId = 800;
    unary.total = 3;
    m_engine.startLoad(unary);
    rpc::LoadRequest bad = stream;
    bad.call.schema = *strict;
    bad.call.messages = {R"({"count": 100000, "payloadSize": 1})"};
    bad.call.callId = 900;
    bad.total = 1;
    m_engine.startLoad(bad);
    log.clear();
    ASSERT_TRUE(waitFor(802, EventKind::Finished, log));
    ASSERT_TRUE(waitFor(900, EventKind::Finished, log));
    for (const auto &e : ofKind(log, EventKind::Finished)) {
        EXPECT_EQ(e.status.code, 13) << e.callId << ": " << e.status.message; // INTERNAL
        EXPECT_TRUE(e.status.local);
        const std::string type = e.callId == 900 ? "StreamItem" : "EchoResponse";
        EXPECT_NE(e.status.message.find("reply 1: cannot decode wirescope.testing." + type), std::string::npos)
            << e.status.message;
        if (e.callId == 900) {
            EXPECT_LT(e.index, 100000u); // the stream was cancelled at its first reply
        } else {
            EXPECT_EQ(e.index, 1u);
        }
    }
    EXPECT_EQ(ofKind(log, EventKind::Finished).size(), 4u);
}

TEST_F(EngineTest, DestroyingTheEngineEndsARunningLoad)
{
    const auto start = std::chrono::steady_clock::now();
    {
        rpc::Engine engine;
        rpc::LoadRequest load;
        load.call = request("wirescope.testing.TestService/Echo", {R"({"text": "endless"})"});
        load.total = 100000000;
        load.concurrency = 8;
        engine.startLoad(load);
        std::vector<rpc::CallEvent> seen;
        while (seen.size() < 50 && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
            for (auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(20)))
                seen.push_back(std::move(e));
        ASSERT_GE(seen.size(), 50u);
    } // joins the engine thread: the run must stop rather than start new calls
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}
