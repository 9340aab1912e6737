#pragma once

#include <memory>
#include <string>

namespace testing_server {

struct ServerOptions
{
    std::string address = "127.0.0.1:0"; // port 0: pick a free one
    std::string certFile;                 // TLS when set (PEM)
    std::string keyFile;
    std::string clientCaFile;             // require and verify client certificates (mTLS)
    bool reflection = true;
};

// wirescope.testing.TestService: every call kind, metadata echo, rich errors, a slow method,
// a large-message method, and reflection on.
class TestServer
{
public:
    explicit TestServer(ServerOptions options = {});
    ~TestServer();

    bool start(std::string *error = nullptr);
    void stop();
    int port() const;
    std::string address() const; // "127.0.0.1:<port>"

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace testing_server
