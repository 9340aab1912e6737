// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "reflectionv1.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace grpc {
class ServerBuilderOption;
}

namespace testing_server {

// A ServerBuilder option that leaves gRPC's own reflection service (v1alpha) on or off, for
// servers of the tests' own: linking libgrpc++_reflection turns it on for every server.
std::unique_ptr<grpc::ServerBuilderOption> reflectionSwitch(bool on);

struct ServerOptions
{
    std::string address = "127.0.0.1:0"; // port 0: pick a free one
    std::string certFile;                // TLS when set (PEM)
    std::string keyFile;
    std::string clientCaFile; // require and verify client certificates (mTLS)
    bool reflection = true;   // gRPC's own reflection service (v1alpha)
    // Also serve grpc.reflection.v1 (the test server's own), answering in the given manner.
    bool reflectionV1 = false;
    ReflectionQuirk reflectionV1Quirk = ReflectionQuirk::None;
};

// Options for a server on `address` (such as unix:PATH), or on 127.0.0.1 with TLS.
ServerOptions listeningOn(const std::string &address);
ServerOptions withTls(const std::string &certFile, const std::string &keyFile,
                      const std::string &clientCaFile = {});

// wirescope.testing.TestService: every call kind, metadata echo, rich errors, a slow method,
// a large-message method, and reflection on.
class TestServer
{
public:
    explicit TestServer(ServerOptions options = {});
    ~TestServer();

    bool start(std::string *error = nullptr);
    // A server made with `options` and started, or nothing (and why) when it cannot listen.
    static std::unique_ptr<TestServer> started(ServerOptions options, std::string *error = nullptr);
    void stop();
    int port() const;
    std::string address() const; // "127.0.0.1:<port>"
    // Request headers of the latest server-reflection call.
    std::vector<std::pair<std::string, std::string>> lastReflectionHeaders() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace testing_server
