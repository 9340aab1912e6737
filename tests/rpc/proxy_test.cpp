// SPDX-License-Identifier: GPL-3.0-or-later
// HTTP CONNECT proxies: the rules that choose one (gRPC 1.51's variables, precedence and
// no_proxy matching, an explicit setting over them), and calls through a real proxy started
// by the test, which counts the CONNECTs it sees: plaintext and TLS servers, with and without
// the wire tap, credentials, and proxies that refuse, are not there, or never answer.
#include "connectproxy.h"
#include "support.h"
#include "testserver.h"

#include "rpc/jsonutil.h"
#include "rpc/proxy.h"
#include "rpc/tap.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

using testsupport::ConnectProxy;

namespace {

rpc::ChannelOptions channelTo(const std::string &target, const std::string &proxy = {})
{
    rpc::ChannelOptions c;
    c.target = target;
    c.proxy = proxy;
    c.connectTimeoutMs = 5000;
    return c;
}

std::optional<rpc::ProxyRoute> route(const rpc::ChannelOptions &channel, const rpc::ProxyEnvironment &env)
{
    auto r = rpc::proxyFor(channel, env);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? r.value() : std::nullopt;
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST(ProxyRules, TheFirstVariableSetChoosesTheProxyAsInGrpc)
{
    rpc::ProxyEnvironment env;
    const auto to = channelTo("api.example.com:443");
    EXPECT_FALSE(route(to, env)); // nothing set: direct

    env.httpProxy = "http://plain.proxy:3128";
    ASSERT_TRUE(route(to, env));
    EXPECT_EQ(route(to, env)->address, "plain.proxy:3128");
    EXPECT_EQ(route(to, env)->source, "http_proxy");

    env.httpsProxy = "http://secure.proxy:8080";
    EXPECT_EQ(route(to, env)->address, "secure.proxy:8080");
    EXPECT_EQ(route(to, env)->source, "https_proxy");

    env.grpcProxy = "http://grpc.proxy:9000";
    EXPECT_EQ(route(to, env)->address, "grpc.proxy:9000");
    EXPECT_EQ(route(to, env)->source, "grpc_proxy");
    EXPECT_EQ(route(to, env)->connectTo, "api.example.com:443");

    // The first one set decides, even when it is empty: then there is no proxy at all.
    env.grpcProxy = "";
    EXPECT_FALSE(route(to, env));
    env.grpcProxy.reset();
    env.httpsProxy = "";
    EXPECT_FALSE(route(to, env));

    // The server's port defaults to 443, as gRPC's resolver assumes; dns: and ipv4: forms.
    env.httpsProxy = "http://secure.proxy:8080";
    EXPECT_EQ(route(channelTo("api.example.com"), env)->connectTo, "api.example.com:443");
    EXPECT_EQ(route(channelTo("dns:///api.example.com:50051"), env)->connectTo, "api.example.com:50051");
    EXPECT_EQ(route(channelTo("ipv6:[::1]:50051"), env)->connectTo, "[::1]:50051");
}

TEST(ProxyRules, NoProxyListsHostSuffixesAndUnixSocketsNeverGoThroughAProxy)
{
    rpc::ProxyEnvironment env;
    env.httpsProxy = "http://proxy.corp:3128";
    env.noProxy = "localhost,.internal.example, 10.1.2.3 ,";
    EXPECT_FALSE(route(channelTo("localhost:50051"), env));
    EXPECT_FALSE(route(channelTo("API.Internal.Example:443"), env)); // case does not matter
    EXPECT_FALSE(route(channelTo("10.1.2.3:8443"), env));            // spaces around entries too
    EXPECT_TRUE(route(channelTo("internal.example.org:443"), env));
    EXPECT_TRUE(route(channelTo("10.1.2.30:443"), env));
    // gRPC matches the end of the host name, not whole labels: "ample.com" covers example.com.
    env.noProxy = "ample.com";
    EXPECT_FALSE(route(channelTo("example.com:443"), env));
    // no_grpc_proxy, when set, is the list, and no_proxy is not read.
    env.noGrpcProxy = "other.host";
    EXPECT_TRUE(route(channelTo("example.com:443"), env));
    EXPECT_FALSE(route(channelTo("other.host:1"), env));

    EXPECT_FALSE(route(channelTo("unix:/tmp/server.sock"), env));
    EXPECT_FALSE(route(channelTo("unix-abstract:wirescope"), env));
    EXPECT_FALSE(route(channelTo("unix:/tmp/server.sock", "http://proxy.corp:3128"), env));
}

TEST(ProxyRules, AnExplicitSettingOverridesEveryVariable)
{
    rpc::ProxyEnvironment env;
    env.grpcProxy = "http://from.environment:1";
    env.noProxy = "example.com";
    const auto chosen = route(channelTo("example.com:443", "http://chosen.proxy:8080"), env);
    ASSERT_TRUE(chosen);
    EXPECT_EQ(chosen->address, "chosen.proxy:8080");
    EXPECT_EQ(chosen->source, "the proxy setting");
    EXPECT_FALSE(route(channelTo("elsewhere.org:443", rpc::kNoProxy), env));
}

TEST(ProxyRules, CredentialsInTheUrlBecomeBasicAuthenticationAndAreNotShown)
{
    const auto r = route(channelTo("example.com:443", "http://us%40er:p%3Ass@proxy.corp:3128/"), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->authorization, "Basic " + rpc::base64Encode("us@er:p:ss"));
    EXPECT_EQ(r->url, "http://us%40er:***@proxy.corp:3128/");
    EXPECT_EQ(r->address, "proxy.corp:3128");
    const auto bare = route(channelTo("example.com:443", "HTTP://[::1]"), {});
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->address, "[::1]:443"); // no port: 443, as gRPC resolves a bare name
    EXPECT_TRUE(bare->authorization.empty());
}

TEST(ProxyRules, AProxyThatIsNotAnHttpUrlIsAnErrorNamingIt)
{
    const std::pair<std::string, std::string> cases[] = {
        {"proxy.corp:3128", "is not a URL"},
        {"https://proxy.corp:3128", "only through http://"},
        {"socks5://proxy.corp:1080", "only through http://"},
        {"http://", "names no host"},
        {"http://a@b@proxy.corp:3128", "more than one '@'"},
        {"http://proxy.corp:99999", "no valid port"},
        {"http://proxy.corp:port", "no valid port"},
        {"http://proxy corp:3128", "spaces"},
        {"http://user:%zz@proxy.corp:3128", "%-escape"},
    };
    for (const auto &[url, why] : cases) {
        const auto r = rpc::proxyFor(channelTo("example.com:443", url), {});
        ASSERT_FALSE(r.ok()) << url;
        EXPECT_TRUE(contains(r.error().message, "\"" + url + "\"")) << r.error().message;
        EXPECT_TRUE(contains(r.error().message, why)) << r.error().message;
    }
    rpc::ProxyEnvironment env;
    env.httpsProxy = "socks5://proxy.corp:1080";
    const auto fromEnv = rpc::proxyFor(channelTo("example.com:443"), env);
    ASSERT_FALSE(fromEnv.ok());
    EXPECT_TRUE(contains(fromEnv.error().message, "https_proxy")) << fromEnv.error().message;
    // A target the proxy rules cannot read goes directly, as in gRPC, unless a proxy was chosen.
    env.httpsProxy = "http://proxy.corp:3128";
    EXPECT_FALSE(route(channelTo("host:notaport"), env));
    EXPECT_FALSE(rpc::proxyFor(channelTo("host:notaport", "http://proxy.corp:3128"), {}).ok());
}

TEST(Targets, ParseTheFormsGrpcTakes)
{
    using Kind = rpc::TargetAddress::Kind;
    struct Case
    {
        std::string target;
        Kind kind;
        std::string hostPort; // Tcp
        std::string path;     // unix
        std::string authority;
    };
    const Case cases[] = {
        {"localhost:50051", Kind::Tcp, "localhost:50051", "", "localhost:50051"},
        {"example.com", Kind::Tcp, "example.com:443", "", "example.com"},
        {"[::1]:8080", Kind::Tcp, "[::1]:8080", "", "[::1]:8080"},
        {"dns:///example.com:8443", Kind::Tcp, "example.com:8443", "", "example.com:8443"},
        {"dns://8.8.8.8/example.com:8443", Kind::Tcp, "example.com:8443", "", "example.com:8443"},
        {"dns:example.com:1", Kind::Tcp, "example.com:1", "", "example.com:1"},
        {"ipv4:127.0.0.1:1,127.0.0.2:2", Kind::Tcp, "127.0.0.1:1", "", "127.0.0.1:1,127.0.0.2:2"},
        {"unix:/run/app.sock", Kind::Unix, "", "/run/app.sock", "localhost"},
        {"unix:relative.sock", Kind::Unix, "", "relative.sock", "localhost"},
        {"unix:///run/app.sock", Kind::Unix, "", "/run/app.sock", "localhost"},
        {"unix-abstract:wirescope", Kind::UnixAbstract, "", "wirescope", "localhost"},
    };
    for (const auto &c : cases) {
        const auto t = rpc::parseTarget(c.target);
        ASSERT_TRUE(t.ok()) << c.target << ": " << t.error().message;
        EXPECT_EQ(t->kind, c.kind) << c.target;
        if (c.kind == Kind::Tcp) {
            EXPECT_EQ(t->hostPort(), c.hostPort) << c.target;
        }
        EXPECT_EQ(t->path, c.path) << c.target;
        EXPECT_EQ(t->authority, c.authority) << c.target;
    }
    for (const std::string bad : {"", "unix:", "unix-abstract:", "unix://host/path", "host:0", "host:x",
                                  "ipv4:127.0.0.1", "dns://8.8.8.8", "host name:1"}) {
        const auto t = rpc::parseTarget(bad);
        EXPECT_FALSE(t.ok()) << bad;
        if (!t.ok()) {
            EXPECT_TRUE(contains(t.error().message, "\"" + bad + "\"")) << t.error().message;
        }
    }
}

namespace {

// One Echo on a fresh engine; with `tap`, through a tap started for the channel (which makes
// the proxy's CONNECT itself) and its wire events.
struct Outcome
{
    rpc::RpcStatus status;
    std::vector<rpc::wire::WireEvent> wire;
    std::string relay; // the tap's address
    std::chrono::milliseconds took{0};
};

Outcome echo(rpc::ChannelOptions channel, bool tapped)
{
    Outcome out;
    const auto began = std::chrono::steady_clock::now();
    rpc::wire::Tap tap;
    if (tapped) {
        auto upstream = rpc::wire::tapUpstreamFor(channel);
        EXPECT_TRUE(upstream.ok()) << upstream.error().message;
        if (!upstream)
            return out;
        auto relay = tap.start(upstream.value());
        EXPECT_TRUE(relay.ok()) << relay.error().message;
        if (!relay)
            return out;
        out.relay = relay.value();
        rpc::wire::routeThroughTap(channel, out.relay);
    }
    {
        rpc::Engine engine;
        testsupport::startEcho(engine, channel, R"({"text": "through the proxy"})");
        const auto events = testsupport::collect(engine, 1);
        if (const auto *f = testsupport::finished(events))
            out.status = f->status;
        else
            out.status.code = -1;
    }
    out.took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    if (tapped) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        auto ended = [&] {
            return std::any_of(out.wire.begin(), out.wire.end(), [](const rpc::wire::WireEvent &e) {
                return e.kind != rpc::wire::WireEvent::Kind::Frame;
            });
        };
        while (!ended() && std::chrono::steady_clock::now() < until) {
            for (auto &e : tap.waitAndDrain(std::chrono::milliseconds(50)))
                out.wire.push_back(std::move(e));
        }
    }
    return out;
}

bool sawResponseHeaders(const Outcome &o)
{
    return std::any_of(o.wire.begin(), o.wire.end(), [](const rpc::wire::WireEvent &e) {
        return e.kind == rpc::wire::WireEvent::Kind::Frame &&
               e.frame.type == std::uint8_t(rpc::wire::FrameType::Headers) &&
               e.direction == rpc::wire::WireDirection::ServerToClient;
    });
}

std::string connectError(const Outcome &o)
{
    for (const auto &e : o.wire) {
        if (e.kind == rpc::wire::WireEvent::Kind::Error && e.connecting)
            return e.error;
    }
    return {};
}

} // namespace

TEST(ProxyCalls, PlaintextAndTlsServersAnswerThroughTheProxyWithAndWithoutTheTap)
{
    testing_server::TestServer plain;
    ASSERT_TRUE(plain.start());
    testsupport::Pki pki;
    const auto secure = testing_server::TestServer::started(
        testing_server::withTls(pki.path("server.pem"), pki.path("server.key")));
    ASSERT_TRUE(secure);
    const std::string secureTarget = "localhost:" + std::to_string(secure->port());

    for (const bool tapped : {false, true}) {
        SCOPED_TRACE(tapped ? "through the tap" : "direct");
        ConnectProxy proxy;
        const auto overPlaintext = echo(channelTo(plain.address(), proxy.url()), tapped);
        ASSERT_TRUE(overPlaintext.status.ok()) << overPlaintext.status.message;

        auto tls = channelTo(secureTarget, proxy.url());
        tls.plaintext = false;
        tls.caFile = pki.path("ca.pem");
        const auto overTls = echo(tls, tapped);
        ASSERT_TRUE(overTls.status.ok()) << overTls.status.message;

        // One CONNECT per call, each to the server; with the tap, the relay made it, and the
        // client's hop to the relay (on 127.0.0.1) went directly.
        EXPECT_EQ(proxy.connects(), 2);
        EXPECT_EQ(proxy.targets(), (std::vector<std::string>{plain.address(), secureTarget}));
        if (tapped) {
            EXPECT_TRUE(sawResponseHeaders(overPlaintext));
            EXPECT_TRUE(sawResponseHeaders(overTls));
        }
    }
}

TEST(ProxyCalls, CredentialsFromTheUrlReachTheProxy)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    for (const bool tapped : {false, true}) {
        SCOPED_TRACE(tapped ? "through the tap" : "direct");
        ConnectProxy proxy;
        proxy.requireCredentials("wire@scope", "s3cret:!");
        const std::string withCredentials =
            "http://wire%40scope:s3cret%3A!@127.0.0.1:" + std::to_string(proxy.port());
        const auto ok = echo(channelTo(server.address(), withCredentials), tapped);
        EXPECT_TRUE(ok.status.ok()) << ok.status.message;
        ASSERT_EQ(proxy.authorizations().size(), 1u);
        EXPECT_EQ(proxy.authorizations()[0], "Basic " + rpc::base64Encode("wire@scope:s3cret:!"));

        // Through the tap, the call only sees its hop to the tap fail; the tap says why.
        const auto refused = echo(channelTo(server.address(), proxy.url()), tapped);
        EXPECT_EQ(refused.status.code, 14) << refused.status.message;
        const std::string why = tapped ? connectError(refused) : refused.status.message;
        EXPECT_TRUE(contains(why, proxy.url())) << why;
        EXPECT_TRUE(contains(why, tapped ? "asks for credentials (HTTP 407" : "407")) << why;
    }
}

TEST(ProxyCalls, AProxyThatRefusesIsNotThereOrNeverAnswersFailsTheCallNamingIt)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    for (const bool tapped : {false, true}) {
        SCOPED_TRACE(tapped ? "through the tap" : "direct");
        ConnectProxy forbidding(ConnectProxy::Answer::Forbidden);
        const auto forbidden = echo(channelTo(server.address(), forbidding.url()), tapped);
        EXPECT_EQ(forbidden.status.code, 14);
        EXPECT_EQ(forbidding.connects(), 1);
        const std::string why = tapped ? connectError(forbidden) : forbidden.status.message;
        EXPECT_TRUE(contains(why, "403")) << why;
        EXPECT_TRUE(contains(why, forbidding.url())) << why;
        if (tapped) {
            EXPECT_TRUE(contains(why, "refused CONNECT to " + server.address())) << why;
        }

        const std::string nobody = "http://127.0.0.1:" + std::to_string(testsupport::deadPort());
        const auto absent = echo(channelTo(server.address(), nobody), tapped);
        EXPECT_EQ(absent.status.code, 14);
        EXPECT_LT(absent.took, std::chrono::milliseconds(4000)); // refused at once, not the timeout
        const std::string whyAbsent = tapped ? connectError(absent) : absent.status.message;
        EXPECT_TRUE(contains(whyAbsent, nobody)) << whyAbsent;
        EXPECT_TRUE(contains(whyAbsent, "refused")) << whyAbsent;
    }

    // A proxy that takes the connection and then says nothing: the call ends at the connect
    // timeout, and the tap's thread is not held beyond it.
    const int silent = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(silent, 8), 0);
    getsockname(silent, reinterpret_cast<sockaddr *>(&addr), &len);
    const std::string mute = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    for (const bool tapped : {false, true}) {
        auto channel = channelTo(server.address(), mute);
        channel.connectTimeoutMs = 1000;
        const auto hung = echo(channel, tapped);
        EXPECT_EQ(hung.status.code, 14) << hung.status.message;
        EXPECT_LT(hung.took, std::chrono::milliseconds(4000));
        const std::string why = tapped ? connectError(hung) : hung.status.message;
        EXPECT_TRUE(contains(why, mute)) << why;
        EXPECT_TRUE(contains(why, tapped ? "did not answer CONNECT" : "within 1000 ms")) << why;
    }
    close(silent);
}

TEST(ProxyCalls, AMalformedProxyFailsTheCallAtOnceNamingIt)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    const auto r = echo(channelTo(server.address(), "socks5://127.0.0.1:1080"), false);
    EXPECT_EQ(r.status.code, 3);
    EXPECT_TRUE(r.status.local);
    EXPECT_TRUE(contains(r.status.message, "\"socks5://127.0.0.1:1080\"")) << r.status.message;
    const auto upstream = rpc::wire::tapUpstreamFor(channelTo(server.address(), "socks5://127.0.0.1:1080"));
    ASSERT_FALSE(upstream.ok());
    EXPECT_TRUE(contains(upstream.error().message, "socks5://127.0.0.1:1080")) << upstream.error().message;
}
