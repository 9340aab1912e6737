// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An HTTP/1.1 server on a raw socket that answers every request with bytes given by the test:
// for answers no real server sends (a malformed head, a chunk size that lies, a close inside a
// chunk).

#include <string>
#include <thread>

namespace testsupport {

class RawHttpServer
{
public:
    // Listens on 127.0.0.1; each connection's request (its head and Content-Length body) is read,
    // `answer` is written as it is, and the server closes its side.
    explicit RawHttpServer(std::string answer);
    ~RawHttpServer();
    RawHttpServer(const RawHttpServer &) = delete;
    RawHttpServer &operator=(const RawHttpServer &) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

private:
    void serve();

    std::string m_answer;
    int m_listen = -1;
    int m_port = 0;
    std::thread m_thread;
};

} // namespace testsupport
