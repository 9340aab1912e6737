// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <memory>
#include <string>

namespace rpc {

// The built-in demo service (wirescope.demo.v1.WeatherService, one method of each call kind)
// served in-process with server reflection on. Value types only, like the rest of rpc/.
class DemoServer
{
public:
    DemoServer();
    ~DemoServer(); // stops the server, ending running calls

    DemoServer(const DemoServer &) = delete;
    DemoServer &operator=(const DemoServer &) = delete;

    // Binds `address` ("127.0.0.1:0" picks a free port) and starts serving.
    Result<std::string> start(const std::string &address = "127.0.0.1:0");
    void stop();
    bool running() const;
    std::string address() const; // "127.0.0.1:<port>" once started

    // The most threads the server runs calls on; calls beyond get RESOURCE_EXHAUSTED.
    static constexpr int kMaxThreads = 64;

    static const char *serviceName();    // "wirescope.demo.v1.WeatherService"
    static const char *exampleMethod();  // the method a new user starts with
    static const char *exampleRequest(); // a request for it, as JSON

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc
