// SPDX-License-Identifier: GPL-3.0-or-later
// The wire tap between the engine and the in-process test server: the bytes pass unchanged
// (calls succeed) and the frames of both directions are decoded in order.
#include "support.h"
#include "testserver.h"

#include "rpc/tap.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

using rpc::wire::FrameType;
using rpc::wire::Tap;
using rpc::wire::WireDirection;
using rpc::wire::WireEvent;

namespace {

class TapTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_server.start());
        auto relay = m_tap.start(m_server.address());
        ASSERT_TRUE(relay.ok()) << relay.error().message;
        m_relay = *relay;
    }

    rpc::CallRequest request(std::uint64_t id, const std::string &method, const std::string &json)
    {
        rpc::CallRequest r;
        r.callId = id;
        r.schema = testsupport::testSchema();
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = m_relay;
        r.channel.authority = m_server.address();
        r.messages = {json};
        return r;
    }

    // Wire events until `done` says so or 10 s pass.
    std::vector<WireEvent> collectWire(const std::function<bool(const std::vector<WireEvent> &)> &done)
    {
        std::vector<WireEvent> all;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done(all) && std::chrono::steady_clock::now() < until) {
            for (auto &e : m_tap.waitAndDrain(std::chrono::milliseconds(50)))
                all.push_back(std::move(e));
        }
        return all;
    }

    static std::vector<const WireEvent *> frames(const std::vector<WireEvent> &all, FrameType type,
                                                 WireDirection direction)
    {
        std::vector<const WireEvent *> out;
        for (const auto &e : all) {
            if (e.kind == WireEvent::Kind::Frame && e.frame.type == std::uint8_t(type) &&
                e.direction == direction)
                out.push_back(&e);
        }
        return out;
    }

    testing_server::TestServer m_server;
    Tap m_tap;
    std::string m_relay;
};

std::string header(const WireEvent &e, const std::string &key)
{
    return testsupport::metadataValue(e.frame.headers, key);
}

} // namespace

TEST_F(TapTest, ThreeUnaryCallsOnOneChannelAreStreams1And3And5)
{
    rpc::Engine engine;
    for (std::uint64_t id = 1; id <= 3; ++id) {
        engine.start(request(id, "Echo", R"({"text": "call )" + std::to_string(id) + R"("})"));
        const auto events = testsupport::collect(engine, id);
        ASSERT_TRUE(testsupport::finished(events) && testsupport::finished(events)->status.ok());
    }
    const auto all = collectWire([&](const auto &got) {
        return frames(got, FrameType::Headers, WireDirection::ServerToClient).size() >= 6;
    });
    const auto requests = frames(all, FrameType::Headers, WireDirection::ClientToServer);
    ASSERT_EQ(requests.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(requests[i]->frame.streamId, 2 * i + 1);
        EXPECT_EQ(requests[i]->connection, 1u); // one connection for all three
        EXPECT_EQ(header(*requests[i], ":path"), "/wirescope.testing.TestService/Echo");
        EXPECT_EQ(header(*requests[i], ":authority"), m_server.address());
    }
    // Each response: headers, one DATA frame completing one gRPC message, trailers with status.
    const auto responses = frames(all, FrameType::Headers, WireDirection::ServerToClient);
    ASSERT_EQ(responses.size(), 6u);
    EXPECT_EQ(header(*responses[0], ":status"), "200");
    EXPECT_EQ(header(*responses[1], "grpc-status"), "0");
    EXPECT_TRUE(responses[1]->frame.flags & rpc::wire::flags::EndStream);
    const auto data = frames(all, FrameType::Data, WireDirection::ServerToClient);
    ASSERT_EQ(data.size(), 3u);
    EXPECT_EQ(data[2]->frame.streamId, 5u);
    ASSERT_EQ(data[2]->messages.size(), 1u);
    // The connection opens with the client's SETTINGS.
    const auto first = std::find_if(all.begin(), all.end(), [](const WireEvent &e) {
        return e.direction == WireDirection::ClientToServer;
    });
    ASSERT_NE(first, all.end());
    EXPECT_EQ(first->frame.typeName(), "SETTINGS");
}

TEST_F(TapTest, AServerStreamOfAHundredMessagesShowsEveryOne)
{
    rpc::Engine engine;
    engine.start(request(1, "ServerStream", R"({"count": 100, "text": "tick", "payloadSize": 100})"));
    const auto events = testsupport::collect(engine, 1);
    ASSERT_TRUE(testsupport::finished(events)->status.ok());
    ASSERT_EQ(testsupport::ofKind(events, rpc::EventKind::MessageReceived).size(), 100u);
    const auto all = collectWire([&](const auto &got) {
        return frames(got, FrameType::Headers, WireDirection::ServerToClient).size() >= 2;
    });
    std::size_t messages = 0;
    std::size_t dataFrames = 0;
    for (const auto *e : frames(all, FrameType::Data, WireDirection::ServerToClient)) {
        ++dataFrames;
        messages += e->messages.size();
        for (const auto &m : e->messages)
            EXPECT_EQ(m.streamId, 1u);
    }
    EXPECT_EQ(messages, 100u);
    EXPECT_GE(dataFrames, 1u);
    EXPECT_LE(dataFrames, 100u);
}

TEST_F(TapTest, BidiPingPongInterleavesOnTheWire)
{
    rpc::Engine engine;
    auto r = request(1, "Chat", R"({"text": "ping 1"})");
    r.closeAfterMessages = false;
    engine.start(r);
    int received = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool finished = false;
    while (!finished && std::chrono::steady_clock::now() < until) {
        for (const auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(50))) {
            if (e.kind == rpc::EventKind::MessageReceived) {
                ++received;
                // Each next message goes out only after the previous answer came back.
                if (received < 4)
                    engine.send(1, R"({"text": "ping )" + std::to_string(received + 1) + R"("})");
                else
                    engine.halfClose(1);
            }
            finished = finished || e.kind == rpc::EventKind::Finished;
        }
    }
    ASSERT_TRUE(finished);
    ASSERT_EQ(received, 4);
    const auto all = collectWire([&](const auto &got) {
        return frames(got, FrameType::Headers, WireDirection::ServerToClient).size() >= 2;
    });
    // The DATA frames that carry messages, in wire order: client, server, client, server, …
    std::string order;
    for (const auto &e : all) {
        if (e.kind == WireEvent::Kind::Frame && e.frame.type == std::uint8_t(FrameType::Data) &&
            !e.messages.empty())
            order += e.direction == WireDirection::ClientToServer ? 'C' : 'S';
    }
    EXPECT_EQ(order, "CSCSCSCS");
}

TEST_F(TapTest, CancelShowsRstStream)
{
    rpc::Engine engine;
    auto r = request(1, "ServerStream", R"({"count": 1000, "intervalMs": 20, "text": "tick"})");
    engine.start(r);
    // Cancel once the first message is in.
    bool cancelled = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool finished = false;
    while (!finished && std::chrono::steady_clock::now() < until) {
        for (const auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(50))) {
            if (e.kind == rpc::EventKind::MessageReceived && !cancelled) {
                engine.cancel(1);
                cancelled = true;
            }
            finished = finished || e.kind == rpc::EventKind::Finished;
        }
    }
    ASSERT_TRUE(finished);
    const auto all = collectWire([&](const auto &got) {
        return !frames(got, FrameType::RstStream, WireDirection::ClientToServer).empty();
    });
    const auto resets = frames(all, FrameType::RstStream, WireDirection::ClientToServer);
    ASSERT_EQ(resets.size(), 1u);
    EXPECT_EQ(resets[0]->frame.streamId, 1u);
    EXPECT_EQ(resets[0]->frame.errorCode, 8u); // CANCEL
    EXPECT_NE(rpc::wire::describe(*resets[0], 0).find("RST_STREAM stream=1 len=4 error=8"),
              std::string::npos);
}

TEST(Tap, ADeadUpstreamFailsTheCallAndSaysWhy)
{
    Tap tap;
    auto relay = tap.start("127.0.0.1:" + std::to_string(testsupport::deadPort()));
    ASSERT_TRUE(relay.ok());
    rpc::Engine engine;
    rpc::CallRequest r;
    r.callId = 1;
    r.schema = testsupport::testSchema();
    r.method = "wirescope.testing.TestService/Echo";
    r.channel.target = *relay;
    r.channel.connectTimeoutMs = 2000;
    r.messages = {"{}"};
    engine.start(r);
    const auto events = testsupport::collect(engine, 1);
    ASSERT_TRUE(testsupport::finished(events));
    EXPECT_EQ(testsupport::finished(events)->status.code, 14); // UNAVAILABLE
    bool said = false;
    for (const auto &e : tap.waitAndDrain(std::chrono::milliseconds(500)))
        said =
            said || (e.kind == WireEvent::Kind::Error && e.error.find("connection refused by") != std::string::npos);
    EXPECT_TRUE(said);
    // A target the tap cannot read fails at start, naming it.
    const auto bad = Tap().start("unix:");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("\"unix:\""), std::string::npos) << bad.error().message;
}

// The tap relays to unix sockets too: the in-tree server on a socket file and on an abstract
// socket, called by the engine through the tap, with the frames of both directions seen and
// the :authority gRPC itself sends to a unix socket.
TEST(TapUnix, CallsToUnixSocketsAreTapped)
{
    testsupport::TempDir dir;
    const std::string targets[] = {"unix:" + (dir.path() / "server.sock").string(),
                                   "unix-abstract:wirescope-tap-test-" + std::to_string(::getpid())};
    for (const auto &target : targets) {
        SCOPED_TRACE(target);
        std::string error;
        const auto server = testing_server::TestServer::started(testing_server::listeningOn(target), &error);
        ASSERT_TRUE(server) << error;

        rpc::ChannelOptions channel;
        channel.target = target;
        auto upstream = rpc::wire::tapUpstreamFor(channel);
        ASSERT_TRUE(upstream.ok()) << upstream.error().message;
        Tap tap;
        auto relay = tap.start(upstream.value());
        ASSERT_TRUE(relay.ok()) << relay.error().message;
        rpc::wire::routeThroughTap(channel, *relay);
        EXPECT_EQ(channel.authority, "localhost");

        rpc::Engine engine;
        testsupport::startEcho(engine, channel, R"({"text": "over a unix socket"})");
        const auto events = testsupport::collect(engine, 1);
        ASSERT_TRUE(testsupport::finished(events));
        ASSERT_TRUE(testsupport::finished(events)->status.ok())
            << testsupport::finished(events)->status.message;

        std::vector<WireEvent> all;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        auto trailers = [&] {
            return std::any_of(all.begin(), all.end(), [](const WireEvent &e) {
                return e.kind == WireEvent::Kind::Frame && e.direction == WireDirection::ServerToClient &&
                       e.frame.type == std::uint8_t(FrameType::Headers) &&
                       (e.frame.flags & rpc::wire::flags::EndStream);
            });
        };
        while (!trailers() && std::chrono::steady_clock::now() < until) {
            for (auto &e : tap.waitAndDrain(std::chrono::milliseconds(50)))
                all.push_back(std::move(e));
        }
        ASSERT_TRUE(trailers());
        const auto request = std::find_if(all.begin(), all.end(), [](const WireEvent &e) {
            return e.kind == WireEvent::Kind::Frame && e.direction == WireDirection::ClientToServer &&
                   e.frame.type == std::uint8_t(FrameType::Headers);
        });
        ASSERT_NE(request, all.end());
        EXPECT_EQ(header(*request, ":authority"), "localhost");
        EXPECT_EQ(header(*request, ":path"), "/wirescope.testing.TestService/Echo");
    }
    // Nothing listening on the socket: the tap says so.
    Tap tap;
    auto relay = tap.start("unix:" + (dir.path() / "nobody.sock").string());
    ASSERT_TRUE(relay.ok());
    rpc::ChannelOptions channel;
    channel.target = *relay;
    channel.connectTimeoutMs = 2000;
    rpc::Engine engine;
    testsupport::startEcho(engine, channel);
    const auto events = testsupport::collect(engine, 1);
    ASSERT_TRUE(testsupport::finished(events));
    EXPECT_EQ(testsupport::finished(events)->status.code, 14);
    bool said = false;
    for (const auto &e : tap.waitAndDrain(std::chrono::milliseconds(1000)))
        said = said || (e.kind == WireEvent::Kind::Error && e.connecting &&
                        e.error.find("nobody.sock") != std::string::npos);
    EXPECT_TRUE(said);
}

namespace {

// One Echo through a fresh tap in front of `upstream`; the frames of stream 1 as
// "direction type flags" lines, and the call's status.
struct TappedCall
{
    rpc::RpcStatus status;
    std::vector<std::string> streamFrames;
    std::vector<WireEvent> all;
};

TappedCall echoThroughTap(const std::string &upstream, const rpc::wire::TapTls &tls)
{
    TappedCall out;
    Tap tap;
    auto relay = tap.start(upstream, tls);
    if (!relay) {
        out.status = {-1, relay.error().message, {}, {}, true};
        return out;
    }
    rpc::Engine engine;
    rpc::CallRequest r;
    r.callId = 1;
    r.schema = testsupport::testSchema();
    r.method = "wirescope.testing.TestService/Echo";
    r.channel.target = *relay;
    r.channel.authority = upstream;
    r.channel.connectTimeoutMs = 5000;
    r.messages = {R"({"text": "same on the wire"})"};
    engine.start(r);
    const auto events = testsupport::collect(engine, 1);
    out.status = testsupport::finished(events) ? testsupport::finished(events)->status : rpc::RpcStatus{};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto trailersSeen = [&] {
        return std::any_of(out.all.begin(), out.all.end(), [](const WireEvent &e) {
            return e.kind == WireEvent::Kind::Frame && e.frame.streamId == 1 &&
                   (e.frame.flags & rpc::wire::flags::EndStream) &&
                   e.direction == WireDirection::ServerToClient;
        });
    };
    while ((out.status.ok() ? !trailersSeen() : out.all.empty()) &&
           std::chrono::steady_clock::now() < until) {
        for (auto &e : tap.waitAndDrain(std::chrono::milliseconds(50)))
            out.all.push_back(std::move(e));
    }
    for (const auto &e : out.all) {
        if (e.kind == WireEvent::Kind::Frame && e.frame.streamId == 1)
            out.streamFrames.push_back(
                std::string(e.direction == WireDirection::ClientToServer ? "-> " : "<- ") +
                e.frame.typeName() + ' ' + e.frame.flagNames());
    }
    return out;
}

// A TLS test server with the Pki's server certificate; with `clientCa`, it requires clients to
// present a certificate signed by it.
std::unique_ptr<testing_server::TestServer> tlsServer(const testsupport::Pki &pki, bool requireClientCert = false)
{
    return testing_server::TestServer::started(testing_server::withTls(
        pki.path("server.pem"), pki.path("server.key"), requireClientCert ? pki.path("ca.pem") : ""));
}

} // namespace

// The tap makes the TLS connection itself, so a TLS call shows the same frames as a plaintext
// one: the same HEADERS, DATA and trailers with the same flags, in the same order.
TEST(TapTls, ATlsCallShowsTheSameFramesAsAPlaintextOne)
{
    testsupport::Pki pki;
    testing_server::TestServer plain;
    ASSERT_TRUE(plain.start());
    const auto secure = tlsServer(pki);
    ASSERT_TRUE(secure);

    const auto overPlaintext = echoThroughTap(plain.address(), {});
    ASSERT_TRUE(overPlaintext.status.ok()) << overPlaintext.status.message;
    rpc::wire::TapTls tls;
    tls.enabled = true;
    tls.caFile = pki.path("ca.pem");
    const auto overTls = echoThroughTap("localhost:" + std::to_string(secure->port()), tls);
    ASSERT_TRUE(overTls.status.ok()) << overTls.status.message;
    EXPECT_EQ(overTls.streamFrames, overPlaintext.streamFrames);
    ASSERT_GE(overTls.streamFrames.size(), 5u);
    EXPECT_EQ(overTls.streamFrames.front(), "-> HEADERS END_HEADERS");
    EXPECT_EQ(overTls.streamFrames.back(), "<- HEADERS END_STREAM|END_HEADERS");
}

TEST(TapTls, ClientCertificatesAndServerNamesAreTheUsersOwn)
{
    testsupport::Pki pki;
    const auto mtls = tlsServer(pki, true);
    ASSERT_TRUE(mtls);
    rpc::wire::TapTls tls;
    tls.enabled = true;
    tls.caFile = pki.path("ca.pem");
    tls.serverName = "api.internal.example"; // reached by IP address: the name to check
    const std::string byIp = "127.0.0.1:" + std::to_string(mtls->port());
    EXPECT_NE(echoThroughTap(byIp, tls).status.code, 0); // no client certificate
    tls.certFile = pki.path("client.pem");
    tls.keyFile = pki.path("client.key");
    const auto call = echoThroughTap(byIp, tls);
    EXPECT_TRUE(call.status.ok()) << call.status.message;
    tls.serverName = "api.wrong.example";
    EXPECT_NE(echoThroughTap(byIp, tls).status.code, 0);
}

TEST(TapTls, AFailedHandshakeSaysWhyAndAnUnreadableFileFailsAtOnce)
{
    testsupport::Pki pki;
    const auto secure = tlsServer(pki);
    ASSERT_TRUE(secure);
    rpc::wire::TapTls tls;
    tls.enabled = true;
    tls.caFile = pki.path("other.pem"); // a CA that did not sign the server's certificate
    const auto call = echoThroughTap("localhost:" + std::to_string(secure->port()), tls);
    EXPECT_EQ(call.status.code, 14) << call.status.message;
    ASSERT_FALSE(call.all.empty());
    EXPECT_EQ(call.all.front().kind, WireEvent::Kind::Error);
    EXPECT_NE(call.all.front().error.find("certificate verify failed"), std::string::npos)
        << call.all.front().error;

    tls.caFile = "/nonexistent/ca.pem";
    Tap tap;
    auto relay = tap.start("localhost:1", tls);
    ASSERT_FALSE(relay.ok());
    EXPECT_NE(relay.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}
