// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli on the network paths users hit in corporate setups and in CI: HTTP CONNECT
// proxies from the environment and from -proxy (the plain call, `run` and `bench`), unix
// sockets, and servers that break off (with -wire the relay must never raise SIGPIPE, and a
// tapped call ends as the untapped one does).
#include "connectproxy.h"
#include "support.h"
#include "testserver.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace testsupport;

namespace {

const std::string kCli = WIRESCOPE_CLI;
const std::string kProtoDir = WIRESCOPE_TEST_PROTO_DIR;
const std::string kProto = "wirescope/testing/test.proto";
const std::string kEcho = "wirescope.testing.TestService/Echo";

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

// The proxy variables cleared, so that what the machine running the tests has set plays no part.
EnvironmentChanges proxyEnvironment(EnvironmentChanges set = {})
{
    EnvironmentChanges changes;
    for (const char *name : {"grpc_proxy", "https_proxy", "http_proxy", "no_grpc_proxy", "no_proxy",
                             "GRPC_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"})
        changes.emplace_back(name, std::nullopt);
    for (auto &c : set)
        changes.push_back(std::move(c));
    return changes;
}

ProcessResult cli(std::vector<std::string> args, const EnvironmentChanges &environment = proxyEnvironment(),
                  const std::string &input = {})
{
    args.insert(args.begin(), kCli);
    return run(args, input, std::chrono::seconds(60), environment);
}

// An Echo with the schema from the proto file, so that the call is the only connection.
std::vector<std::string> echoArgs(const std::string &target, std::vector<std::string> extra = {})
{
    std::vector<std::string> args = {"-plaintext", "-import-path",      kProtoDir,          "-proto", kProto,
                                     "-d",         R"({"text": "hi"})", "-connect-timeout", "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(target);
    args.push_back(kEcho);
    return args;
}

std::unique_ptr<testing_server::TestServer> tlsServer(const Pki &pki)
{
    return testing_server::TestServer::started(
        testing_server::withTls(pki.path("server.pem"), pki.path("server.key")));
}

} // namespace

TEST(CliProxy, TheProxyVariablesAreHonouredInGrpcsOrder)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    const std::string nobody = "http://127.0.0.1:" + std::to_string(deadPort());
    for (const char *variable : {"grpc_proxy", "https_proxy", "http_proxy"}) {
        SCOPED_TRACE(variable);
        ConnectProxy proxy;
        auto r = cli(echoArgs(server.address()), proxyEnvironment({{variable, proxy.url()}}));
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_TRUE(contains(r.out, "\"text\": \"hi\"")) << r.out;
        EXPECT_EQ(proxy.targets(), std::vector<std::string>{server.address()});
    }
    // grpc_proxy comes first, then https_proxy: a dead proxy further down is never tried.
    ConnectProxy first;
    auto r =
        cli(echoArgs(server.address()),
            proxyEnvironment({{"grpc_proxy", first.url()}, {"https_proxy", nobody}, {"http_proxy", nobody}}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(first.connects(), 1);
    // Upper-case names are not gRPC's: they change nothing.
    r = cli(echoArgs(server.address()), proxyEnvironment({{"HTTPS_PROXY", nobody}, {"GRPC_PROXY", nobody}}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
}

TEST(CliProxy, NoProxyBypassesAndTheFlagOverridesTheEnvironment)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    ConnectProxy proxy;
    const std::string nobody = "http://127.0.0.1:" + std::to_string(deadPort());

    // no_proxy naming the server's host: directly, the proxy never sees a CONNECT.
    auto r = cli(echoArgs(server.address()),
                 proxyEnvironment({{"https_proxy", proxy.url()}, {"no_proxy", "example.com,127.0.0.1"}}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(proxy.connects(), 0);
    // -proxy wins over the variables and over no_proxy.
    r = cli(echoArgs(server.address(), {"-proxy", proxy.url()}),
            proxyEnvironment({{"grpc_proxy", nobody}, {"no_proxy", "127.0.0.1"}}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(proxy.connects(), 1);
    // -proxy none (or an empty -proxy): directly, whatever the variables say.
    for (const std::string none : {"none", ""}) {
        r = cli(echoArgs(server.address(), {"-proxy", none}), proxyEnvironment({{"grpc_proxy", nobody}}));
        EXPECT_EQ(r.exitCode, 0) << r.err;
    }
    EXPECT_EQ(proxy.connects(), 1);
}

TEST(CliProxy, TheWireTapMakesTheConnectItselfForPlaintextAndTls)
{
    testing_server::TestServer plain;
    ASSERT_TRUE(plain.start());
    Pki pki;
    const auto secure = tlsServer(pki);
    ASSERT_TRUE(secure);
    const std::string secureTarget = "localhost:" + std::to_string(secure->port());

    for (const bool wire : {false, true}) {
        SCOPED_TRACE(wire ? "-wire" : "no -wire");
        ConnectProxy proxy;
        std::vector<std::string> extra;
        if (wire)
            extra.push_back("-wire");
        auto r = cli(echoArgs(plain.address(), extra), proxyEnvironment({{"https_proxy", proxy.url()}}));
        ASSERT_EQ(r.exitCode, 0) << r.err;
        auto tlsArgs = echoArgs(secureTarget, extra);
        tlsArgs.erase(tlsArgs.begin()); // no -plaintext
        tlsArgs.insert(tlsArgs.begin(), {"-cacert", pki.path("ca.pem")});
        r = cli(tlsArgs, proxyEnvironment({{"https_proxy", proxy.url()}}));
        ASSERT_EQ(r.exitCode, 0) << r.err;
        if (wire) {
            // The frames were seen, decrypted: the relay made the TLS connection through the tunnel.
            EXPECT_TRUE(contains(r.err, "-> HEADERS stream=1")) << r.err;
            EXPECT_TRUE(contains(r.err, ":authority=" + secureTarget)) << r.err;
            EXPECT_TRUE(contains(r.err, "<- HEADERS stream=1 flags=END_STREAM|END_HEADERS")) << r.err;
        }
        // Exactly one CONNECT per call, to the server: the hop to the relay went directly.
        EXPECT_EQ(proxy.targets(), (std::vector<std::string>{plain.address(), secureTarget}));
    }
}

TEST(CliProxy, RefusalsAbsentProxiesAndMalformedUrlsAreClearErrors)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    for (const bool wire : {false, true}) {
        SCOPED_TRACE(wire ? "-wire" : "no -wire");
        std::vector<std::string> extra;
        if (wire)
            extra.push_back("-wire");
        ConnectProxy forbidding(ConnectProxy::Answer::Forbidden);
        auto r = cli(echoArgs(server.address(), extra), proxyEnvironment({{"grpc_proxy", forbidding.url()}}));
        EXPECT_EQ(r.signal, 0);
        EXPECT_EQ(r.exitCode, 1) << r.err; // never reached the server: a failed dial
        EXPECT_TRUE(contains(r.err, "Failed to dial target host")) << r.err;
        EXPECT_TRUE(contains(r.err, forbidding.url())) << r.err;
        EXPECT_TRUE(contains(r.err, "403")) << r.err;

        ConnectProxy asking(ConnectProxy::Answer::AuthRequired);
        r = cli(echoArgs(server.address(), extra), proxyEnvironment({{"grpc_proxy", asking.url()}}));
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(contains(r.err, asking.url()) && contains(r.err, "407")) << r.err;

        const std::string nobody = "http://127.0.0.1:" + std::to_string(deadPort());
        r = cli(echoArgs(server.address(), extra), proxyEnvironment({{"https_proxy", nobody}}));
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_TRUE(contains(r.err, nobody) && contains(r.err, "https_proxy")) << r.err;
    }
    // A malformed -proxy is bad usage; a malformed variable a local error; both name it.
    auto r = cli(echoArgs(server.address(), {"-proxy", "socks5://127.0.0.1:1080"}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "socks5://127.0.0.1:1080") && contains(r.err, "http://")) << r.err;
    r = cli(echoArgs(server.address()), proxyEnvironment({{"https_proxy", "proxy.corp:3128"}}));
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "\"proxy.corp:3128\" (https_proxy)")) << r.err;
    r = cli(echoArgs(server.address(), {"-wire", "-proxy", "http://a@b@c:1"}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "more than one '@'")) << r.err;
}

TEST(CliProxy, RunAndBenchGoThroughTheProxy)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    ConnectProxy proxy;
    const std::string nobody = "http://127.0.0.1:" + std::to_string(deadPort());

    TempDir ws;
    ws.write("wirescope.json", R"({"format_version": 1, "connections": {
        "corporate": {"plaintext": true, "proxy": ")" +
                                   proxy.url() + R"("},
        "direct": {"plaintext": true, "proxy": "none"},
        "broken": {"plaintext": true, "proxy": "socks5://127.0.0.1:1"}}})");
    const std::string call =
        R"("method": "wirescope.testing.TestService/Echo", "target": ")" + server.address() +
        R"(", "body": {"text": "hi"}, "assertions": {"json": [{"path": "$.echo.text", "equals": "hi"}]})";
    ws.write("a-proxied.json", R"({"format_version": 1, "connection": "corporate", )" + call + "}");
    ws.write("b-direct.json", R"({"format_version": 1, "connection": "direct", )" + call + "}");
    auto r = run({kCli, "run", ws.path().string()}, {}, std::chrono::seconds(60),
                 proxyEnvironment({{"grpc_proxy", nobody}}));
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "PASS  a-proxied.json")) << r.out;
    EXPECT_TRUE(contains(r.out, "PASS  b-direct.json")) << r.out;
    // Reflection and the call of the proxied request went through the proxy, to the server.
    EXPECT_GE(proxy.connects(), 1);
    for (const auto &t : proxy.targets())
        EXPECT_EQ(t, server.address());
    const int afterRun = proxy.connects();

    ws.write("c-broken.json", R"({"format_version": 1, "connection": "broken", )" + call + "}");
    r = run({kCli, "run", ws.path().string(), "--filter", "c-*"}, {}, std::chrono::seconds(60),
            proxyEnvironment());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "connection \"broken\"") && contains(r.out, "socks5://127.0.0.1:1")) << r.out;

    r = cli({"bench", "-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-proxy", proxy.url(), "-n",
             "20", "-c", "4", "-d", R"({"text": "x"})", server.address(), kEcho},
            proxyEnvironment({{"grpc_proxy", nobody}}));
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "OK")) << r.out;
    EXPECT_GT(proxy.connects(), afterRun);
}

// The in-tree server on a unix socket file and on an abstract socket: called by the CLI (with
// and without -wire, and with grpcurl's -unix), and by `run`.
TEST(CliUnix, UnixSocketTargetsWorkInTheCliAndInRun)
{
    TempDir dir;
    const std::string file = (dir.path() / "server.sock").string();
    const std::string abstractName = "wirescope-cli-test-" + std::to_string(::getpid());
    for (const std::string &target : {"unix:" + file, "unix-abstract:" + abstractName}) {
        SCOPED_TRACE(target);
        std::string error;
        const auto server = testing_server::TestServer::started(testing_server::listeningOn(target), &error);
        ASSERT_TRUE(server) << error;

        auto r = cli({"-plaintext", "-d", R"({"text": "over a socket"})", target, kEcho});
        ASSERT_EQ(r.exitCode, 0) << r.err; // reflection and the call, both over the socket
        EXPECT_TRUE(contains(r.out, "over a socket")) << r.out;

        r = cli(echoArgs(target, {"-wire"}), proxyEnvironment({{"grpc_proxy", "http://127.0.0.1:1"}}));
        ASSERT_EQ(r.exitCode, 0) << r.err; // a proxy variable does not apply to unix sockets
        EXPECT_TRUE(contains(r.err, "-> HEADERS stream=1")) << r.err;
        EXPECT_TRUE(contains(r.err, ":authority=localhost")) << r.err;
        EXPECT_TRUE(contains(r.err, "<- DATA stream=1")) << r.err;

        if (target.rfind("unix:", 0) == 0) {
            r = cli(echoArgs(file, {"-unix"}));
            EXPECT_EQ(r.exitCode, 0) << r.err;
        }

        TempDir ws;
        ws.write("wirescope.json", R"({"format_version": 1})");
        ws.write(
            "echo.json",
            R"({"format_version": 1, "method": "wirescope.testing.TestService/Echo", "target": ")" + target +
                R"(", "body": {"text": "run"}, "assertions": {"json": [{"path": "$.echo.text", "equals": "run"}]}})");
        r = run({kCli, "run", ws.path().string()}, {}, std::chrono::seconds(60), proxyEnvironment());
        EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
        EXPECT_TRUE(contains(r.out, "PASS  echo.json")) << r.out;
    }
}

namespace {

// A server that is not one: it accepts, sends an (empty) HTTP/2 SETTINGS frame and closes.
class SettingsThenClose
{
public:
    SettingsThenClose()
    {
        m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        listen(m_fd, 16);
        getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] {
            while (!m_stop) {
                pollfd p{m_fd, POLLIN, 0};
                if (poll(&p, 1, 50) <= 0)
                    continue;
                const int c = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0)
                    continue;
                static const char settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
                (void)!send(c, settings, sizeof settings, MSG_NOSIGNAL);
                close(c);
            }
        });
    }
    ~SettingsThenClose()
    {
        m_stop = true;
        m_thread.join();
        close(m_fd);
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

private:
    int m_fd = -1;
    int m_port = 0;
    std::atomic_bool m_stop{false};
    std::thread m_thread;
};

// The code and the ERROR text of a failed call.
std::string errorMessage(const ProcessResult &r)
{
    const auto at = r.err.find("Message: ");
    return at == std::string::npos ? std::string() : r.err.substr(at + 9, r.err.find('\n', at) - at - 9);
}

} // namespace

// Issue 18: each of these ended `wirescope-cli -wire` with SIGPIPE (exit 141) now and then;
// several runs each, since whether the relay writes to the dead socket depends on timing.
TEST(CliBrokenServers, AServerThatClosesAfterSettingsEndsTheCallAsWithoutTheTap)
{
    SettingsThenClose server;
    const auto direct = cli(echoArgs(server.address()));
    ASSERT_EQ(direct.signal, 0);
    ASSERT_EQ(direct.exitCode, 64 + 14) << direct.err;
    for (int i = 0; i < 10; ++i) {
        const auto tapped = cli(echoArgs(server.address(), {"-wire"}));
        ASSERT_EQ(tapped.signal, 0) << "run " << i << ": ended by signal " << tapped.signal;
        ASSERT_EQ(tapped.exitCode, direct.exitCode) << tapped.err;
        EXPECT_TRUE(contains(tapped.err, "<- SETTINGS stream=0")) << tapped.err;
        // What happened is in the message: the tap saw the server break off.
        EXPECT_TRUE(contains(errorMessage(tapped), "wire tap: the server")) << tapped.err;
    }
}

TEST(CliBrokenServers, ATlsServerAfterASuccessfulCallEndsCleanly)
{
    Pki pki;
    const auto server = tlsServer(pki);
    ASSERT_TRUE(server);
    auto args =
        echoArgs("localhost:" + std::to_string(server->port()), {"-wire", "-cacert", pki.path("ca.pem")});
    args.erase(args.begin()); // no -plaintext
    for (int i = 0; i < 20; ++i) {
        const auto r = cli(args);
        ASSERT_EQ(r.signal, 0) << "run " << i << ": ended by signal " << r.signal;
        ASSERT_EQ(r.exitCode, 0) << r.err;
    }
}

namespace {

// A client-stream upload big enough to be under way for a while.
std::string writeUpload(const TempDir &dir)
{
    const std::string payload(48 * 1024, 'A'); // base64 of 36 KiB
    std::string body;
    for (int i = 0; i < 400; ++i)
        body += R"({"index": )" + std::to_string(i) + R"(, "payload": ")" + payload + "\"}\n";
    return dir.write("upload.json", body);
}

} // namespace

TEST(CliBrokenServers, AServerKilledDuringAClientStreamUploadEndsTheCallAsWithoutTheTap)
{
    TempDir dir;
    const std::string upload = writeUpload(dir);
    const std::string server = WIRESCOPE_TESTSERVER;
    auto uploadArgs = [&](const std::string &address, bool wire) {
        std::vector<std::string> args = {kCli,           "-plaintext",
                                         "-import-path", kProtoDir,
                                         "-proto",       kProto,
                                         "-d",           "@",
                                         address,        "wirescope.testing.TestService/ClientStream"};
        if (wire)
            args.insert(args.begin() + 1, "-wire");
        return args;
    };
    auto startServer = [&](std::unique_ptr<Spawned> *process) {
        *process = std::make_unique<Spawned>(std::vector<std::string>{server, "--address", "127.0.0.1:0"});
        const std::string line = (*process)->waitForLine("listening on", std::chrono::seconds(10));
        return line.substr(line.rfind(' ') + 1);
    };
    Spawned::Options options;
    options.stdinFile = upload;
    options.mergeStderr = true;
    options.environment = proxyEnvironment();

    // Stopped, the server reads nothing: the client is certainly in the middle of its upload
    // (held by flow control) when the server is killed. Both ways end alike.
    int codes[2] = {-1, -1};
    for (const bool wire : {false, true}) {
        std::unique_ptr<Spawned> process;
        const std::string address = startServer(&process);
        ASSERT_FALSE(address.empty());
        kill(process->pid(), SIGSTOP);
        Spawned client(uploadArgs(address, wire), options);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        kill(process->pid(), SIGKILL);
        const auto r = client.wait(std::chrono::seconds(60));
        EXPECT_EQ(r.signal, 0) << (wire ? "-wire" : "direct");
        codes[wire ? 1 : 0] = r.exitCode;
        // Stopped before it answered the HTTP/2 handshake, the server was never reached: a
        // failed dial (exit 1), as grpcurl reports it.
        EXPECT_EQ(r.exitCode, 1) << r.out;
        EXPECT_TRUE(contains(r.out, "Failed to dial target host")) << r.out;
    }
    EXPECT_EQ(codes[1], codes[0]);

    // Running, the server takes the upload as fast as it comes; killed once DATA flows, the
    // relay is writing to it when it dies.
    for (int i = 0; i < 5; ++i) {
        std::unique_ptr<Spawned> process;
        const std::string address = startServer(&process);
        ASSERT_FALSE(address.empty());
        Spawned client(uploadArgs(address, true), options);
        ASSERT_FALSE(client.waitForLine("-> DATA stream=1", std::chrono::seconds(30)).empty());
        kill(process->pid(), SIGKILL);
        const auto r = client.wait(std::chrono::seconds(60));
        ASSERT_EQ(r.signal, 0) << "run " << i << ": ended by signal " << r.signal;
        EXPECT_EQ(r.exitCode, 64 + 14) << r.out.substr(r.out.size() > 2000 ? r.out.size() - 2000 : 0);
    }
}
