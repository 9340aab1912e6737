// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The test service served by Connect for Node (tests/node/connect-server.js): Connect, gRPC and
// gRPC-Web on HTTP/1.1, h2c and (optionally) TLS ports, at the root and under /prefix/api.

#include "support.h"

#include <memory>
#include <string>

namespace testsupport {

class ConnectServer
{
public:
    struct Options
    {
        std::string certFile; // with keyFile: also serve TLS (ALPN h2 and http/1.1)
        std::string keyFile;
        std::string clientCaFile; // require client certificates signed by this CA
        std::string unixPath;     // also serve HTTP/1.1 on this unix socket
    };
    ConnectServer();
    explicit ConnectServer(const Options &options);
    // TLS with `pki`'s server certificate, asking for client certificates signed by its CA.
    static Options mutualTls(const Pki &pki);
    ~ConnectServer();

    // Why the server is not running ("" when it is): node or tests/node/node_modules missing,
    // protoc failing, the script not starting. Tests fail with it rather than skip.
    const std::string &problem() const { return m_problem; }
    const std::string &http1() const { return m_http1; } // "127.0.0.1:PORT"
    const std::string &h2c() const { return m_h2c; }
    const std::string &https() const { return m_https; }
    const std::string &unixPath() const { return m_unix; }
    // The descriptor set the server was started with (the test service and google.rpc details).
    static std::string descriptorSet(std::string *error);

private:
    std::string m_problem;
    std::string m_http1, m_h2c, m_https, m_unix;
    std::unique_ptr<Spawned> m_process;
};

// One server for the whole test program, started at first use and stopped at exit.
ConnectServer &sharedConnectServer();

} // namespace testsupport
