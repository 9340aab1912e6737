// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectserver.h"

#include <filesystem>

namespace testsupport {

namespace fs = std::filesystem;

std::string ConnectServer::descriptorSet(std::string *error)
{
    // Made once per test process with protoc, as the test service's .proto files are now.
    static TempDir dir;
    static std::string made;
    static std::string failure;
    if (made.empty() && failure.empty()) {
        const std::string out = (dir.path() / "test.protoset").string();
        const auto r = run({WIRESCOPE_PROTOC, std::string("-I") + WIRESCOPE_TEST_PROTO_DIR,
                            std::string("-I") + WIRESCOPE_RESOURCE_PROTO_DIR, "--include_imports",
                            "--descriptor_set_out=" + out, "wirescope/testing/test.proto",
                            "google/rpc/error_details.proto"});
        if (r.exitCode == 0)
            made = out;
        else
            failure = "protoc failed: " + r.err;
    }
    if (error)
        *error = failure;
    return made;
}

ConnectServer::ConnectServer()
    : ConnectServer(Options{})
{}

ConnectServer::Options ConnectServer::mutualTls(const Pki &pki)
{
    Options options;
    options.certFile = pki.path("server.pem");
    options.keyFile = pki.path("server.key");
    options.clientCaFile = pki.path("ca.pem");
    return options;
}

ConnectServer::ConnectServer(const Options &options)
{
    const fs::path modules = fs::path(WIRESCOPE_NODE_DIR) / "node_modules" / "@connectrpc" / "connect-node";
    if (std::string(WIRESCOPE_NODE).empty() || !fs::exists(WIRESCOPE_NODE)) {
        m_problem = "node was not found when the build was configured; install Node.js (v20) and re-run cmake";
        return;
    }
    if (!fs::exists(modules)) {
        m_problem = "tests/node/node_modules is missing: run `cd tests/node && npm ci --ignore-scripts --no-audit "
                    "--no-fund` first";
        return;
    }
    std::string error;
    const std::string set = descriptorSet(&error);
    if (set.empty()) {
        m_problem = error;
        return;
    }
    std::vector<std::string> argv{WIRESCOPE_NODE, std::string(WIRESCOPE_NODE_DIR) + "/connect-server.js", set};
    if (!options.certFile.empty()) {
        argv.insert(argv.end(), {"--tls", options.certFile, options.keyFile});
        if (!options.clientCaFile.empty())
            argv.insert(argv.end(), {"--client-ca", options.clientCaFile});
    }
    if (!options.unixPath.empty())
        argv.insert(argv.end(), {"--unix", options.unixPath});
    m_process = std::make_unique<Spawned>(argv);
    // One line per listener ("NAME ADDRESS"), then "ready".
    for (;;) {
        const std::string line = m_process->waitForLine("", std::chrono::seconds(30));
        if (line.empty() || line == "ready")
            break;
        const auto space = line.find(' ');
        const std::string name = line.substr(0, space), address = line.substr(space + 1);
        (name == "http1" ? m_http1 : name == "h2c" ? m_h2c : name == "https" ? m_https : m_unix) = address;
    }
    if (m_http1.empty() || m_h2c.empty() || (!options.certFile.empty() && m_https.empty()) ||
        (!options.unixPath.empty() && m_unix.empty()))
        m_problem = "the Connect server (tests/node/connect-server.js) did not start";
}

ConnectServer::~ConnectServer() = default;

ConnectServer &sharedConnectServer()
{
    static ConnectServer server;
    return server;
}

} // namespace testsupport
