// SPDX-License-Identifier: GPL-3.0-or-later
// gRPC-Web (binary and text) and Connect (proto and JSON) through the engine, over HTTP/1.1 and
// HTTP/2, against the test service served by Connect for Node (tests/node/connect-server.js).
// Without node or tests/node/node_modules these tests fail; they do not skip.
#include "connectproxy.h"
#include "connectserver.h"
#include "support.h"

#include "rpc/connectproblem.h"
#include "rpc/engine.h"

#include <gtest/gtest.h>

#include <thread>

using namespace testsupport;
using rpc::EventKind;

namespace {

// One way of calling: protocol, HTTP version, codec.
struct Way
{
    rpc::Protocol protocol;
    rpc::HttpVersion version;
    rpc::ContentCodec codec = rpc::ContentCodec::Proto;
    std::string name;
};

std::ostream &operator<<(std::ostream &out, const Way &way)
{
    return out << way.name;
}

const std::vector<Way> &allWays()
{
    using P = rpc::Protocol;
    using V = rpc::HttpVersion;
    static const std::vector<Way> ways{
        {P::GrpcWeb, V::Http1, rpc::ContentCodec::Proto, "grpcweb_http1"},
        {P::GrpcWeb, V::Http2, rpc::ContentCodec::Proto, "grpcweb_h2c"},
        {P::GrpcWebText, V::Http1, rpc::ContentCodec::Proto, "grpcwebtext_http1"},
        {P::GrpcWebText, V::Http2, rpc::ContentCodec::Proto, "grpcwebtext_h2c"},
        {P::Connect, V::Http1, rpc::ContentCodec::Proto, "connect_proto_http1"},
        {P::Connect, V::Http2, rpc::ContentCodec::Proto, "connect_proto_h2c"},
        {P::Connect, V::Http1, rpc::ContentCodec::Json, "connect_json_http1"},
        {P::Connect, V::Http2, rpc::ContentCodec::Json, "connect_json_h2c"},
    };
    return ways;
}

class WebCalls : public ::testing::TestWithParam<Way>
{
public:
protected:
    void SetUp() override { ASSERT_EQ(sharedConnectServer().problem(), ""); }

    std::string address() const
    {
        return GetParam().version == rpc::HttpVersion::Http2 ? sharedConnectServer().h2c() : sharedConnectServer().http1();
    }

    rpc::CallRequest request(const std::string &method, std::vector<std::string> messages,
                             const std::string &prefix = "") const
    {
        rpc::CallRequest r;
        r.callId = 1;
        r.schema = testSchema();
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = "http://" + address() + prefix;
        r.messages = std::move(messages);
        r.protocol = GetParam().protocol;
        r.httpVersion = GetParam().version;
        r.contentCodec = GetParam().codec;
        r.codec.pretty = false;
        return r;
    }

    std::vector<rpc::CallEvent> call(const rpc::CallRequest &r)
    {
        m_engine.start(r);
        return collect(m_engine, r.callId);
    }

    bool streamsRequests() const { return GetParam().protocol == rpc::Protocol::Connect; }

    rpc::Engine m_engine;
};

std::vector<EventKind> kinds(const std::vector<rpc::CallEvent> &events)
{
    std::vector<EventKind> out;
    for (const auto &e : events)
        out.push_back(e.kind);
    return out;
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// A call of the test service's `method` with one message, for the tests outside WebCalls.
rpc::CallRequest webRequest(std::uint64_t id, const std::string &method, const std::string &json,
                            const std::string &target, rpc::Protocol protocol)
{
    rpc::CallRequest r;
    r.callId = id;
    r.schema = testSchema();
    r.method = "wirescope.testing.TestService/" + method;
    r.messages = {json};
    r.channel.target = target;
    r.protocol = protocol;
    return r;
}

// An Echo call of `protocol` to the shared server's port for `version` (HTTP/1.1 or h2c).
rpc::CallRequest echoOver(std::uint64_t id, rpc::Protocol protocol, rpc::HttpVersion version,
                          const std::string &json = "{}")
{
    ConnectServer &server = sharedConnectServer();
    auto r = webRequest(id, "Echo", json,
                        "http://" + (version == rpc::HttpVersion::Http2 ? server.h2c() : server.http1()), protocol);
    r.httpVersion = version;
    return r;
}

} // namespace

TEST_P(WebCalls, UnaryCarriesEveryKindOfFieldHeadersAndTrailers)
{
    // UTF-8, an int64 beyond 2^53, maps, well-known types (Timestamp, Duration, Any, Struct,
    // wrappers, FieldMask) and bytes.
    const std::string body =
        R"({"text":"grüße ✓ 🚀","i64":"9007199254740993","u64":"18446744073709551615","counts":{"a":1,"b":2},)"
        R"("byId":{"12345678901234":{"name":"deep"}},"when":"2024-02-29T12:00:00.500Z","timeout":"3.5s",)"
        R"("extra":{"@type":"type.googleapis.com/wirescope.testing.Inner","name":"packed","value":7},)"
        R"("attrs":{"k":[1,"two",null,true]},"wrapped":"-9007199254740993","mask":"a.b,c","data":"AAEC/w==",)"
        R"("color":"BLUE"})";
    auto r = request("Echo", {body});
    r.metadata = {{"x-token", "abc"}, {"x-blob-bin", std::string("\x00\xff\x10", 3)}};
    const auto events = call(r);
    ASSERT_EQ(kinds(events), (std::vector<EventKind>{EventKind::Started, EventKind::MessageSent, EventKind::HalfClosed,
                                                     EventKind::ResponseHeaders, EventKind::MessageReceived,
                                                     EventKind::Finished}));
    const auto *end = finished(events);
    ASSERT_TRUE(end->status.ok()) << end->status.message;
    EXPECT_EQ(metadataValue(events[3].metadata, "x-token"), "abc");
    // A binary header goes as base64 and comes back as its bytes.
    EXPECT_EQ(metadataValue(events[3].metadata, "x-blob-bin"), std::string("\x00\xff\x10", 3));
    EXPECT_EQ(metadataValue(end->metadata, "x-trailer"), "done");
    EXPECT_EQ(metadataValue(events[3].metadata, "content-type"), ""); // HTTP's own, as gRPC leaves it out
    const std::string &reply = events[4].payload;
    for (const char *part : {R"("text":"grüße ✓ 🚀")", R"("i64":"9007199254740993")", R"("u64":"18446744073709551615")",
                             R"("counts":{)", R"("a":1)", R"("12345678901234":{"name":"deep"})",
                             R"("when":"2024-02-29T12:00:00.500Z")", R"("timeout":"3.500s")",
                             R"("@type":"type.googleapis.com/wirescope.testing.Inner")", R"("wrapped":"-9007199254740993")",
                             R"("mask":"a.b,c")", R"("data":"AAEC/w==")", R"("color":"BLUE")", R"("x-token":"abc")"})
        EXPECT_TRUE(contains(reply, part)) << part << " in " << reply;
    // The text variant goes through the server's own relay (connect-node lacks it), whose
    // inner call has an authority of its own.
    if (GetParam().protocol != rpc::Protocol::GrpcWebText) {
        EXPECT_TRUE(contains(reply, R"("authority":")" + address() + "\"")) << reply;
    }
}

TEST_P(WebCalls, ServerStreamsArriveInOrderUnderAPathPrefix)
{
    const auto events = call(request("ServerStream", {R"({"count":5,"text":"s","payloadSize":3})"}, "/prefix/api"));
    const auto messages = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(messages.size(), 5u);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        EXPECT_EQ(messages[i].index, i);
        EXPECT_TRUE(contains(messages[i].payload, "\"text\":\"s\"")) << messages[i].payload;
    }
    EXPECT_TRUE(contains(messages[4].payload, "\"index\":4"));
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    EXPECT_EQ(finished(events)->index, 5u);
    // A prefix the server does not serve: HTTP 404, which is UNIMPLEMENTED.
    auto wrong = request("Echo", {"{}"}, "/elsewhere");
    wrong.callId = 2;
    const auto missing = call(wrong);
    // Over HTTP/2 Node may reset the stream (its body unread) before the 404 reaches libcurl.
    if (GetParam().version == rpc::HttpVersion::Http1)
        EXPECT_EQ(finished(missing)->status.code, 12) << finished(missing)->status.message;
    else
        EXPECT_FALSE(finished(missing)->status.ok());
}

TEST_P(WebCalls, ErrorsCarryCodeMessageDetailsAndTrailers)
{
    const auto events = call(request("Fail", {R"({"code":5,"message":"nope: ✓","withDetails":true})"}));
    const auto *end = finished(events);
    ASSERT_EQ(end->status.code, 5) << end->status.message;
    EXPECT_EQ(end->status.message, "nope: ✓");
    EXPECT_FALSE(end->status.local);
    ASSERT_EQ(end->status.details.size(), 4u);
    EXPECT_TRUE(contains(end->status.details[0], "\"@type\": \"type.googleapis.com/google.rpc.BadRequest\""));
    EXPECT_TRUE(contains(end->status.details[0], "\"description\": \"must not be empty\""));
    EXPECT_TRUE(contains(end->status.details[1], "\"reason\": \"TEST_FAILURE\""));
    EXPECT_TRUE(contains(end->status.details[2], "\"retryDelay\": \"2s\""));
    EXPECT_TRUE(contains(end->status.details[3], "\"message\": \"That did not work.\""));
    EXPECT_EQ(metadataValue(end->metadata, "x-trailer"), "done");

    auto plain = request("Fail", {R"({"code":7})"});
    plain.callId = 2;
    const auto denied = call(plain);
    EXPECT_EQ(finished(denied)->status.code, 7);
    EXPECT_EQ(finished(denied)->status.message, "request failed");
    EXPECT_TRUE(finished(denied)->status.details.empty());
}

TEST_P(WebCalls, TheDeadlineEndsASlowCall)
{
    auto r = request("Slow", {R"({"delayMs":5000})"});
    r.deadlineMs = 300;
    const auto started = std::chrono::steady_clock::now();
    const auto events = call(r);
    EXPECT_EQ(finished(events)->status.code, 4) << finished(events)->status.message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
    // The server was told the deadline as well (grpc-timeout / connect-timeout-ms): it answers a
    // fast call that fits in it.
    auto quick = request("Echo", {"{}"});
    quick.callId = 2;
    quick.deadlineMs = 5000;
    const auto echoed = call(quick);
    ASSERT_TRUE(finished(echoed)->status.ok());
    const std::string header = GetParam().protocol == rpc::Protocol::Connect ? "connect-timeout-ms" : "grpc-timeout";
    EXPECT_TRUE(contains(ofKind(echoed, EventKind::MessageReceived)[0].payload, "\"" + header + "\":\""))
        << ofKind(echoed, EventKind::MessageReceived)[0].payload;
}

TEST_P(WebCalls, GzipRequestsAndCompressedResponses)
{
    auto r = request("Echo", {R"({"text":")" + std::string(5000, 'g') + R"("})"});
    r.channel.gzip = true;
    const auto events = call(r);
    ASSERT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    const std::string reply = ofKind(events, EventKind::MessageReceived)[0].payload;
    EXPECT_TRUE(contains(reply, std::string(5000, 'g')));
    const bool connectUnary = GetParam().protocol == rpc::Protocol::Connect;
    const std::string header = connectUnary ? "content-encoding" : "grpc-encoding";
    EXPECT_TRUE(contains(reply, "\"" + header + "\":\"gzip\"")) << reply;
    // connect-node compresses answers over 1 KiB for a client that accepts gzip.
    auto large = request("Large", {R"({"size":300000})"});
    large.callId = 2;
    const auto big = call(large);
    ASSERT_TRUE(finished(big)->status.ok()) << finished(big)->status.message;
    EXPECT_EQ(ofKind(big, EventKind::MessageReceived)[0].wireSize,
              GetParam().codec == rpc::ContentCodec::Json ? 400000u + 11u : 300000u + 4u);
}

TEST_P(WebCalls, ARepliesBeyondTheReceiveLimitIsResourceExhausted)
{
    auto r = request("Large", {R"({"size":5000000})"});
    const auto events = call(r);
    EXPECT_EQ(finished(events)->status.code, 8) << finished(events)->status.message;
    auto allowed = request("Large", {R"({"size":5000000})"});
    allowed.callId = 2;
    allowed.channel.maxReceiveBytes = 16 * 1024 * 1024;
    EXPECT_TRUE(finished(call(allowed))->status.ok());
}

TEST_P(WebCalls, ClientStreamsGoOverConnectAndAreRefusedOverGrpcWeb)
{
    const auto events = call(request("ClientStream", {R"({"text":"a"})", R"({"text":"b"})", R"({"text":"c"})"}));
    if (!streamsRequests()) {
        ASSERT_EQ(kinds(events), std::vector<EventKind>{EventKind::Finished}); // nothing was sent
        EXPECT_EQ(finished(events)->status.code, 3);
        EXPECT_TRUE(finished(events)->status.local);
        EXPECT_TRUE(contains(finished(events)->status.message, "gRPC-Web cannot stream requests"));
        return;
    }
    ASSERT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    EXPECT_EQ(ofKind(events, EventKind::MessageSent).size(), 3u);
    const auto replies = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(contains(replies[0].payload, R"("count":3,"texts":["a","b","c"])")) << replies[0].payload;
    EXPECT_EQ(finished(events)->messagesSent, 3u);
}

TEST_P(WebCalls, BidiStreamsAnswerEachMessageBeforeTheEndOverHttp2Only)
{
    auto r = request("Chat", {R"({"text":"one"})"});
    r.closeAfterMessages = false;
    m_engine.start(r);
    if (!streamsRequests() || GetParam().version == rpc::HttpVersion::Http1) {
        const auto events = collect(m_engine, 1);
        ASSERT_EQ(kinds(events), std::vector<EventKind>{EventKind::Finished});
        EXPECT_TRUE(finished(events)->status.local);
        EXPECT_TRUE(contains(finished(events)->status.message,
                             streamsRequests() ? "a bidi stream needs HTTP/2" : "gRPC-Web cannot stream requests"))
            << finished(events)->status.message;
        return;
    }
    // The answer to the first message comes while the request stream is still open.
    std::vector<rpc::CallEvent> events;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ofKind(events, EventKind::MessageReceived).empty() && std::chrono::steady_clock::now() < until) {
        for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
            events.push_back(std::move(e));
    }
    ASSERT_EQ(ofKind(events, EventKind::MessageReceived).size(), 1u);
    EXPECT_TRUE(ofKind(events, EventKind::HalfClosed).empty());
    m_engine.send(1, R"({"text":"two"})");
    m_engine.halfClose(1);
    for (auto &e : collect(m_engine, 1))
        events.push_back(std::move(e));
    const auto replies = ofKind(events, EventKind::MessageReceived);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_TRUE(contains(replies[1].payload, R"("text":"echo: two","seq":2)")) << replies[1].payload;
    EXPECT_EQ(ofKind(events, EventKind::HalfClosed).size(), 1u);
    EXPECT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
}

TEST_P(WebCalls, CancellingEndsAStreamAtOnce)
{
    m_engine.start(request("ServerStream", {R"({"count":1000,"intervalMs":20})"}));
    std::vector<rpc::CallEvent> events;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ofKind(events, EventKind::MessageReceived).size() < 2 && std::chrono::steady_clock::now() < until) {
        for (auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50)))
            events.push_back(std::move(e));
    }
    m_engine.cancel(1);
    for (auto &e : collect(m_engine, 1, std::chrono::seconds(5)))
        events.push_back(std::move(e));
    ASSERT_NE(finished(events), nullptr);
    EXPECT_EQ(finished(events)->status.code, 1);
    EXPECT_LT(ofKind(events, EventKind::MessageReceived).size(), 100u);
    EXPECT_EQ(m_engine.activeCalls(), 0);
}

TEST_P(WebCalls, LoadRunsShareTheEngineThread)
{
    rpc::LoadRequest load;
    load.call = request("Echo", {R"({"text":"load"})"});
    load.call.callId = 100;
    load.total = 60;
    load.concurrency = 6;
    m_engine.startLoad(load);
    int ok = 0, finishedCalls = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (finishedCalls < 60 && std::chrono::steady_clock::now() < until) {
        for (const auto &e : m_engine.events().waitAndDrain(std::chrono::milliseconds(50))) {
            EXPECT_TRUE(e.kind == EventKind::Started || e.kind == EventKind::Finished) << rpc::eventKindName(e.kind);
            if (e.kind == EventKind::Finished) {
                ++finishedCalls;
                ok += e.status.ok() && e.index == 1 ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(ok, 60);
    for (int i = 0; i < 100 && m_engine.activeCalls() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(m_engine.activeCalls(), 0);
}

INSTANTIATE_TEST_SUITE_P(Ways, WebCalls, ::testing::ValuesIn(allWays()),
                         [](const ::testing::TestParamInfo<Way> &info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------

class WebRefusals : public ::testing::Test
{
protected:
    rpc::CallRequest request(rpc::Protocol protocol, const std::string &method)
    {
        rpc::CallRequest r;
        r.callId = 1;
        r.schema = testSchema();
        r.method = "wirescope.testing.TestService/" + method;
        r.channel.target = "127.0.0.1:" + std::to_string(deadPort());
        r.protocol = protocol;
        return r;
    }
    const rpc::CallEvent only(const rpc::CallRequest &r)
    {
        m_engine.start(r);
        const auto events = collect(m_engine, r.callId);
        EXPECT_EQ(events.size(), 1u);
        return events.empty() ? rpc::CallEvent() : events.back();
    }
    rpc::Engine m_engine;
};

TEST_F(WebRefusals, WhatAProtocolCannotDoIsRefusedBeforeConnecting)
{
    auto grpcOverHttp1 = request(rpc::Protocol::Grpc, "Echo");
    grpcOverHttp1.httpVersion = rpc::HttpVersion::Http1;
    EXPECT_TRUE(contains(only(grpcOverHttp1).status.message, "gRPC needs HTTP/2"));
    auto prefix = request(rpc::Protocol::Grpc, "Echo");
    prefix.channel.target = "http://127.0.0.1:1/api";
    EXPECT_TRUE(contains(only(prefix).status.message, "gRPC cannot put the path prefix \"/api\""));
    auto bidi = request(rpc::Protocol::Connect, "Chat");
    bidi.httpVersion = rpc::HttpVersion::Http1;
    const auto refused = only(bidi);
    EXPECT_EQ(refused.status.code, 3);
    EXPECT_TRUE(refused.status.local);
    EXPECT_TRUE(contains(refused.status.message, "a bidi stream needs HTTP/2"));
}

TEST_F(WebRefusals, HeadersHttpOrTheProtocolSetThemselvesAreRefused)
{
    for (const char *name : {"host", "content-length", "connect-timeout-ms", "grpc-timeout", "x-grpc-web"}) {
        auto r = request(rpc::Protocol::Connect, "Echo");
        r.metadata = {{name, "1"}};
        const auto e = only(r);
        EXPECT_EQ(e.status.code, 3) << name;
        EXPECT_TRUE(contains(e.status.message, std::string("\"") + name + "\"")) << e.status.message;
    }
    auto r = request(rpc::Protocol::GrpcWeb, "Echo");
    r.metadata = {{"x-line", "a\r\nInjected: yes"}};
    EXPECT_TRUE(contains(only(r).status.message, "not printable ASCII"));
    auto url = request(rpc::Protocol::Connect, "Echo");
    url.channel.target = "http://127.0.0.1:99999/x";
    EXPECT_TRUE(contains(only(url).status.message, "out of range"));
}

TEST_F(WebRefusals, AServerThatIsNotThereIsUnavailable)
{
    for (auto protocol : {rpc::Protocol::GrpcWeb, rpc::Protocol::Connect}) {
        auto r = request(protocol, "Echo");
        r.channel.target = "http://" + r.channel.target;
        m_engine.start(r);
        const auto events = collect(m_engine, r.callId);
        ASSERT_NE(finished(events), nullptr);
        EXPECT_TRUE(ofKind(events, rpc::EventKind::ResponseHeaders).empty());
        EXPECT_EQ(finished(events)->status.code, 14) << finished(events)->status.message;
        EXPECT_TRUE(finished(events)->status.connectFailed); // as gRPC's "failed to connect to all addresses"
        EXPECT_TRUE(contains(finished(events)->status.message, r.channel.target)) << finished(events)->status.message;
    }
}

// ---------------------------------------------------------------------------------------------

// A web-protocol call that a server of another kind answered, told apart by the engine's words as
// they come (the GUI and CLI tests drive them against gRPC core's server, which gives one of the
// last three as it goes).
TEST(WebMismatch, AServerOfAnotherKindIsToldApart)
{
    using rpc::WebMismatch;
    const std::vector<std::pair<std::string, WebMismatch>> cases{
        {"127.0.0.1:1 answered an HTTP/1.1 request in HTTP/2: it speaks only HTTP/2 (libcurl: Received HTTP/0.9 "
         "when not allowed)",
         WebMismatch::OnlyHttp2},
        {"the server answered with content-type \"application/grpc\", not application/proto", WebMismatch::GrpcServer},
        {"the server answered with content-type \"application/grpc+proto\", not application/json",
         WebMismatch::GrpcServer},
        {"Missing :te header", WebMismatch::GrpcServer},
        {"could not reach 127.0.0.1:1: Stream error in the HTTP/2 framing layer", WebMismatch::ResetUnanswered},
        // Not of this kind: gRPC-Web's own type, a reset after the answer began, a refusal.
        {"the server answered with content-type \"application/grpc-web+proto\", not application/proto",
         WebMismatch::None},
        {"the connection to 127.0.0.1:1: Stream error in the HTTP/2 framing layer", WebMismatch::None},
        {"could not reach 127.0.0.1:1: Couldn't connect to server (Connection refused)", WebMismatch::None},
    };
    for (const auto &[message, kind] : cases)
        EXPECT_EQ(rpc::classifyWebMismatch(message), kind) << message;
}

TEST(WebTls, TlsAndMutualTlsWithAlpn)
{
    Pki pki;
    ConnectServer server(ConnectServer::mutualTls(pki));
    ASSERT_EQ(server.problem(), "");
    rpc::Engine engine;
    std::uint64_t id = 0;
    auto run = [&](rpc::Protocol protocol, rpc::HttpVersion version, bool clientCert, const std::string &ca) {
        // host:port: TLS unless plaintext
        auto r = webRequest(++id, "Echo", R"({"text":"tls"})", server.https(), protocol);
        r.channel.plaintext = false;
        r.channel.caFile = ca;
        r.channel.serverName = "localhost"; // the certificate names localhost, not 127.0.0.1
        if (clientCert) {
            r.channel.certFile = pki.path("client.pem");
            r.channel.keyFile = pki.path("client.key");
        }
        r.httpVersion = version;
        engine.start(r);
        return collect(engine, r.callId);
    };
    // The server requires a client certificate signed by the test CA.
    for (auto version : {rpc::HttpVersion::Default, rpc::HttpVersion::Http1, rpc::HttpVersion::Http2}) {
        const auto ok = run(rpc::Protocol::Connect, version, true, pki.path("ca.pem"));
        ASSERT_TRUE(finished(ok)->status.ok()) << finished(ok)->status.message;
        EXPECT_TRUE(contains(ofKind(ok, EventKind::MessageReceived)[0].payload, "\"text\": \"tls\""));
    }
    const auto web = run(rpc::Protocol::GrpcWeb, rpc::HttpVersion::Default, true, pki.path("ca.pem"));
    EXPECT_TRUE(finished(web)->status.ok()) << finished(web)->status.message;
    const auto noClientCert = run(rpc::Protocol::Connect, rpc::HttpVersion::Default, false, pki.path("ca.pem"));
    EXPECT_EQ(finished(noClientCert)->status.code, 14) << finished(noClientCert)->status.message;
    const auto wrongCa = run(rpc::Protocol::Connect, rpc::HttpVersion::Default, true, pki.path("other.pem"));
    EXPECT_EQ(finished(wrongCa)->status.code, 14) << finished(wrongCa)->status.message;
    EXPECT_TRUE(finished(wrongCa)->status.connectFailed);
}

TEST(WebUnix, CallsReachAServerOnAUnixSocket)
{
    TempDir dir;
    ConnectServer::Options options;
    options.unixPath = (dir.path() / "connect.sock").string();
    ConnectServer server(options);
    ASSERT_EQ(server.problem(), "");
    rpc::Engine engine;
    std::uint64_t id = 0;
    for (auto protocol : {rpc::Protocol::GrpcWeb, rpc::Protocol::Connect}) {
        const auto r = webRequest(++id, "ServerStream", R"({"count":2,"text":"unix"})", "unix:" + server.unixPath(),
                                  protocol);
        engine.start(r);
        const auto events = collect(engine, r.callId);
        ASSERT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
        EXPECT_EQ(ofKind(events, EventKind::MessageReceived).size(), 2u);
    }
}

TEST(WebProxy, CallsGoThroughAnHttpConnectProxyWithCredentials)
{
    ConnectServer &server = sharedConnectServer();
    ASSERT_EQ(server.problem(), "");
    ConnectProxy proxy;
    proxy.requireCredentials("me", "s3cret@");
    rpc::Engine engine;
    std::uint64_t id = 0;
    for (auto version : {rpc::HttpVersion::Http1, rpc::HttpVersion::Http2}) {
        auto r = echoOver(++id, rpc::Protocol::Connect, version, R"({"text":"proxied"})");
        r.channel.proxy = "http://me:s3cret%40@127.0.0.1:" + std::to_string(proxy.port());
        engine.start(r);
        const auto events = collect(engine, r.callId);
        ASSERT_TRUE(finished(events)->status.ok()) << finished(events)->status.message;
    }
    EXPECT_EQ(proxy.targets(), (std::vector<std::string>{server.http1(), server.h2c()}));
    // A proxy that refuses: UNAVAILABLE, naming the proxy.
    ConnectProxy refusing(ConnectProxy::Answer::Forbidden);
    auto r = webRequest(++id, "Echo", "{}", "http://" + server.http1(), rpc::Protocol::GrpcWeb);
    r.channel.proxy = refusing.url();
    engine.start(r);
    const auto events = collect(engine, r.callId);
    EXPECT_EQ(finished(events)->status.code, 14);
    EXPECT_TRUE(finished(events)->status.connectFailed) << finished(events)->status.message;
    EXPECT_TRUE(contains(finished(events)->status.message, refusing.url())) << finished(events)->status.message;
}

// Connect has no trailers-only answers (its errors are JSON); gRPC-Web has them.
TEST(WebGrpcWeb, ATrailersOnlyAnswerIsTheStatusAndTheTrailers)
{
    ConnectServer &server = sharedConnectServer();
    ASSERT_EQ(server.problem(), "");
    rpc::Engine engine;
    std::uint64_t id = 0;
    for (auto protocol : {rpc::Protocol::GrpcWeb, rpc::Protocol::GrpcWebText}) {
        for (auto version : {rpc::HttpVersion::Http1, rpc::HttpVersion::Http2}) {
            auto r = echoOver(++id, protocol, version);
            r.metadata = {{"x-test-trailers-only", "me"}};
            SCOPED_TRACE(std::string(rpc::protocolName(protocol)) +
                         (version == rpc::HttpVersion::Http2 ? " over h2c" : " over HTTP/1.1"));
            engine.start(r);
            const auto events = collect(engine, r.callId);
            ASSERT_EQ(kinds(events), (std::vector<EventKind>{EventKind::Started, EventKind::MessageSent,
                                                             EventKind::HalfClosed, EventKind::Finished}));
            const auto *end = finished(events);
            EXPECT_EQ(end->status.code, 7);
            EXPECT_EQ(end->status.message, "denied for me");
            EXPECT_EQ(metadataValue(end->metadata, "x-trailer"), "done");
            EXPECT_EQ(metadataValue(end->metadata, "grpc-status"), ""); // in the status, as gRPC has it
        }
    }
}

// A Connect error whose JSON body came gzip-compressed (Content-Encoding) is read as any other.
TEST(WebConnect, ACompressedErrorBodyIsInflated)
{
    ConnectServer &server = sharedConnectServer();
    ASSERT_EQ(server.problem(), "");
    rpc::Engine engine;
    std::uint64_t id = 0;
    for (auto codec : {rpc::ContentCodec::Proto, rpc::ContentCodec::Json}) {
        for (auto version : {rpc::HttpVersion::Http1, rpc::HttpVersion::Http2}) {
            auto r = echoOver(++id, rpc::Protocol::Connect, version);
            r.contentCodec = codec;
            r.metadata = {{"x-test-gzip-error", "packed away"}};
            engine.start(r);
            const auto events = collect(engine, r.callId);
            const auto *end = finished(events);
            ASSERT_NE(end, nullptr);
            EXPECT_EQ(end->status.code, 5) << end->status.message;
            EXPECT_EQ(end->status.message, "packed away");
            EXPECT_EQ(metadataValue(end->metadata, "x-trailer"), "done");
        }
    }
}
