// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli's errors as a grpcurl user meets them: a usage error is one line and a pointer to
// -help (not the whole usage text), and a connection that cannot be made says in a few words
// what happened to the address as typed, with a hint for the flag that fixes it — for
// reflection, for every kind of call, and for gRPC-Web and Connect. gRPC's own chain of words
// is kept for -v.
#include "support.h"
#include "testserver.h"

#include <gtest/gtest.h>

using namespace testsupport;

namespace {

const std::string kCli = WIRESCOPE_CLI;
const std::string kProtoDir = WIRESCOPE_TEST_PROTO_DIR;
const std::string kProto = "wirescope/testing/test.proto";

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

// The proxy variables cleared: a proxy set on the machine running the tests must not answer.
EnvironmentChanges noProxy()
{
    EnvironmentChanges changes;
    for (const char *name : {"grpc_proxy", "https_proxy", "http_proxy", "no_grpc_proxy", "no_proxy", "GRPC_PROXY",
                             "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"})
        changes.emplace_back(name, std::nullopt);
    return changes;
}

ProcessResult cli(std::vector<std::string> args)
{
    args.insert(args.begin(), kCli);
    return run(args, {}, std::chrono::seconds(60), noProxy());
}

std::unique_ptr<testing_server::TestServer> tlsServer(const Pki &pki)
{
    return testing_server::TestServer::started(
        testing_server::withTls(pki.path("server.pem"), pki.path("server.key")));
}

std::string describe(const ProcessResult &r)
{
    return "exit " + std::to_string(r.exitCode) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// The ways of reaching a server that the message must not depend on: reflection (list), and a
// unary, server-streaming and client-streaming call with the schema from a .proto file (so that
// the call is the only connection). `address` goes where the address goes.
struct Way
{
    std::string name;
    std::vector<std::string> args;
    std::string lead; // how the first line starts
};

std::vector<Way> ways(const std::vector<std::string> &security, const std::string &address)
{
    auto with = [&](std::vector<std::string> middle, std::vector<std::string> tail) {
        std::vector<std::string> args = security;
        args.insert(args.end(), {"-connect-timeout", "5"});
        args.insert(args.end(), middle.begin(), middle.end());
        args.push_back(address);
        args.insert(args.end(), tail.begin(), tail.end());
        return args;
    };
    const std::vector<std::string> proto = {"-import-path", kProtoDir, "-proto", kProto};
    auto withData = [&](const std::string &data) {
        auto args = proto;
        args.insert(args.end(), {"-d", data});
        return args;
    };
    const std::string dial = "Failed to dial target host \"" + address + "\": ";
    return {
        {"list", with({}, {"list"}), "Failed to load the schema: "},
        {"unary", with(withData(R"({"text": "hi"})"), {"wirescope.testing.TestService/Echo"}), dial},
        {"server stream", with(withData(R"({"count": 2})"), {"wirescope.testing.TestService/ServerStream"}),
         dial},
        {"client stream", with(withData(R"({} {})"), {"wirescope.testing.TestService/ClientStream"}), dial},
    };
}

// Runs every way and checks the exit code (a failed dial: 1) and that standard error is exactly
// `lead` + `said`, then `hint` (when there is one); with -v, gRPC's own words follow.
void expectSaid(const std::vector<Way> &all, const std::string &said, const std::string &hint,
                const std::string &detail)
{
    for (const auto &way : all) {
        SCOPED_TRACE(way.name);
        auto r = cli(way.args);
        EXPECT_EQ(r.signal, 0) << describe(r);
        EXPECT_EQ(r.exitCode, 1) << describe(r);
        std::vector<std::string> expected = {way.lead + said};
        if (!hint.empty())
            expected.push_back(hint);
        EXPECT_EQ(splitLines(r.err), expected) << describe(r);
        EXPECT_FALSE(contains(r.err, "failed to connect to all addresses")) << r.err;

        auto verbose = way.args;
        verbose.insert(verbose.begin(), "-v");
        r = cli(verbose);
        EXPECT_EQ(r.exitCode, 1) << describe(r);
        const auto shown = splitLines(r.err);
        ASSERT_EQ(shown.size(), expected.size() + 1) << describe(r);
        EXPECT_EQ(shown.front(), expected.front());
        EXPECT_TRUE(contains(shown.back(), detail)) << r.err;
    }
}

} // namespace

// A bad flag, a flag without its value and too few arguments print the one line that says so
// and where the help is, not the whole usage; exit 2 as the man page says (and as grpcurl).
TEST(CliErrors, UsageErrorsAreOneLineAndAPointerToHelp)
{
    const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> cases = {
        {{"-bogus", "localhost:1", "list"},
         {"flag provided but not defined: -bogus", "See 'wirescope-cli -help' for the usage and the flags."}},
        {{"-plaintext", "localhost:1", "-d"},
         {"flag needs an argument: -d", "See 'wirescope-cli -help' for the usage and the flags."}},
        {{"-plaintext"}, {"Too few arguments.", "See 'wirescope-cli -help' for the usage and the flags."}},
        {{}, {"Too few arguments.", "See 'wirescope-cli -help' for the usage and the flags."}},
        {{"-plaintext=maybe", "localhost:1", "list"},
         {"invalid boolean value \"maybe\" for flag -plaintext",
          "See 'wirescope-cli -help' for the usage and the flags."}},
        {{"-format", "xml", "localhost:1", "list"},
         {"The -format option must be 'json' or 'text'.", "See 'wirescope-cli -help' for the usage and the flags."}},
        {{"run", "--bogus"},
         {"flag provided but not defined: -bogus", "See 'wirescope-cli run -help' for the usage and the flags."}},
        {{"run"}, {"Give exactly one workspace folder.", "See 'wirescope-cli run -help' for the usage and the flags."}},
        {{"demo", "extra"}, {"Unexpected arguments.", "See 'wirescope-cli demo -help' for the usage and the flags."}},
        {{"demo", "--listen"},
         {"flag needs an argument: -listen", "See 'wirescope-cli demo -help' for the usage and the flags."}},
        {{"bench", "-bogus"},
         {"flag provided but not defined: -bogus", "See 'wirescope-cli bench -help' for the usage and the flags."}},
        {{"bench", "localhost:1"},
         {"bench needs an address and a method.", "See 'wirescope-cli bench -help' for the usage and the flags."}},
    };
    for (const auto &[args, expected] : cases) {
        std::string shown;
        for (const auto &a : args)
            shown += a + " ";
        SCOPED_TRACE(shown);
        const auto r = cli(args);
        EXPECT_EQ(r.signal, 0);
        EXPECT_EQ(r.exitCode, 2) << describe(r);
        EXPECT_EQ(splitLines(r.err), expected) << describe(r);
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    // -help itself still prints the whole usage, on standard output, and succeeds.
    const auto help = cli({"-help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_TRUE(contains(help.out, "Usage:")) << help.out;
    EXPECT_TRUE(contains(help.out, "-plaintext")) << help.out;
}

// TLS (the default) against a plaintext server: the handshake's failure in words, and -plaintext
// as the way out; over gRPC (reflection and every kind of call) and over gRPC-Web and Connect.
TEST(CliErrors, TlsAgainstAPlaintextServerSaysSoAndHintsPlaintext)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    const std::string address = server.address();
    expectSaid(ways({}, address), "TLS handshake with " + address + " failed: the server does not speak TLS",
               "(is it a plaintext server? try -plaintext)", "wrong version number");

    const std::string url = "https://" + address;
    for (const std::string protocol : {"grpcweb", "connect"}) {
        for (const std::string version : {"1.1", "2"}) {
            SCOPED_TRACE(protocol + " over HTTP/" + version);
            std::vector<Way> web;
            for (auto &way : ways({"-protocol", protocol, "-http-version", version}, url)) {
                // Reflection is always asked over gRPC; gRPC-Web cannot stream requests.
                if (way.name == "list" || (protocol == "grpcweb" && way.name == "client stream"))
                    continue;
                web.push_back(std::move(way));
            }
            expectSaid(web, "TLS handshake with " + url + " failed: the server does not speak TLS",
                       "(is it a plaintext server? try http://)", "wrong version number");
        }
    }
}

// -plaintext against a TLS server: the server closes at once, which is said with the hint to
// drop -plaintext (gRPC), or to use https:// (gRPC-Web and Connect over HTTP/1.1).
TEST(CliErrors, PlaintextAgainstATlsServerSaysSoAndHintsTls)
{
    Pki pki;
    const auto server = tlsServer(pki);
    ASSERT_TRUE(server);
    const std::string address = "127.0.0.1:" + std::to_string(server->port());
    expectSaid(ways({"-plaintext"}, address),
               address + " closed the connection without answering: the server may expect TLS",
               "(is it a TLS server? try without -plaintext)", "Socket closed");

    const std::string url = "http://" + address;
    for (const std::string protocol : {"grpcweb", "connect"}) {
        SCOPED_TRACE(protocol);
        std::vector<Way> web;
        for (auto &way : ways({"-protocol", protocol, "-http-version", "1.1"}, url))
            if (way.name == "unary" || way.name == "server stream")
                web.push_back(std::move(way));
        expectSaid(web, url + " closed the connection without answering: the server may expect TLS",
                   "(is it a TLS server? try https://)", "Empty reply from server");
    }
}

// Nothing listening: "connection refused by" the address as typed, one line, no hint; also
// through the HTTP engine (libcurl's "Couldn't connect to server" says less).
TEST(CliErrors, ARefusedConnectionIsOneShortLine)
{
    const std::string address = "127.0.0.1:" + std::to_string(deadPort());
    expectSaid(ways({"-plaintext"}, address), "connection refused by " + address, "", "Connection refused");
    expectSaid(ways({}, address), "connection refused by " + address, "", "Connection refused");

    const std::string url = "http://" + address;
    for (const std::string protocol : {"grpcweb", "connect"}) {
        SCOPED_TRACE(protocol);
        std::vector<Way> web;
        for (auto &way : ways({"-protocol", protocol}, url))
            if (way.name == "unary")
                web.push_back(std::move(way));
        expectSaid(web, "connection refused by " + url, "", "Couldn't connect to server");
    }

    // Through an HTTP proxy that is not there, the refusal is the proxy's: the line names it and
    // does not blame the server (which is up).
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    const std::string proxy = "http://127.0.0.1:" + std::to_string(deadPort());
    auto environment = noProxy();
    environment.emplace_back("grpc_proxy", proxy);
    for (const bool wire : {false, true}) {
        SCOPED_TRACE(wire ? "-wire" : "direct");
        std::vector<std::string> args = {kCli, "-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-d", "{}",
                                         server.address(), "wirescope.testing.TestService/Echo"};
        if (wire)
            args.insert(args.begin() + 1, "-wire");
        const auto r = run(args, {}, std::chrono::seconds(60), environment);
        EXPECT_EQ(r.exitCode, 1) << describe(r);
        EXPECT_FALSE(contains(r.err, "connection refused by " + server.address())) << r.err;
        const auto said = splitLines(r.err);
        ASSERT_FALSE(said.empty());
        EXPECT_TRUE(contains(said.back(), proxy)) << r.err;
    }
    // The same for reflection (`list`), whose error gRPC gives without naming the proxy.
    const auto r = run({kCli, "-plaintext", server.address(), "list"}, {}, std::chrono::seconds(60), environment);
    EXPECT_EQ(r.exitCode, 1) << describe(r);
    EXPECT_FALSE(contains(r.err, "connection refused by " + server.address())) << r.err;
    EXPECT_TRUE(contains(r.err, proxy)) << r.err;
}

// A certificate the client does not trust: said as such (not as a server without TLS), with
// the flags that fix it; with the wire tap the reason OpenSSL gave comes along.
TEST(CliErrors, ARejectedCertificateSaysSoAndNamesTheFlags)
{
    Pki pki;
    const auto server = tlsServer(pki);
    ASSERT_TRUE(server);
    const std::string address = "127.0.0.1:" + std::to_string(server->port());
    expectSaid(ways({"-cacert", pki.path("other.pem")}, address),
               "TLS handshake with " + address + " failed: certificate verify failed",
               "(give the CA that signed it with -cacert, the name it is for with -servername, or skip the check "
               "with -insecure)",
               "certificate verify failed");
    const auto tapped = cli({"-cacert", pki.path("other.pem"), "-wire", "-import-path", kProtoDir, "-proto", kProto,
                             "-d", "{}", address, "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(tapped.exitCode, 1) << describe(tapped);
    EXPECT_TRUE(contains(tapped.err, "\nFailed to dial target host \"" + address + "\": TLS handshake with " +
                                         address + " failed: certificate verify failed ("))
        << tapped.err;
    // libcurl gives the reason too.
    const std::string url = "https://" + address;
    const auto web = cli({"-cacert", pki.path("other.pem"), "-protocol", "connect", "-import-path", kProtoDir,
                          "-proto", kProto, "-d", "{}", url, "wirescope.testing.TestService/Echo"});
    EXPECT_EQ(web.exitCode, 1) << describe(web);
    const auto said = splitLines(web.err);
    ASSERT_EQ(said.size(), 2u) << web.err;
    EXPECT_EQ(said[0].rfind("Failed to dial target host \"" + url + "\": TLS handshake with " + url +
                                " failed: certificate verify failed (",
                            0),
              0u)
        << web.err;
    EXPECT_EQ(said[1].rfind("(give the CA that signed it with -cacert", 0), 0u) << web.err;
}
