// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small HTTP CONNECT proxy for tests: it listens on 127.0.0.1, answers each CONNECT the way
// it is told to, relays the bytes of the tunnels it opens, and counts what it saw.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace testsupport {

class ConnectProxy
{
public:
    enum class Answer {
        Tunnel,      // 200, then relay (with credentials set, 407 to a request without them)
        Forbidden,   // 403 Forbidden, then close
        AuthRequired // 407 Proxy Authentication Required, then close
    };

    explicit ConnectProxy(Answer answer = Answer::Tunnel);
    ~ConnectProxy(); // closes the listener and every tunnel, and joins the threads
    ConnectProxy(const ConnectProxy &) = delete;
    ConnectProxy &operator=(const ConnectProxy &) = delete;

    // Expect "Proxy-Authorization: Basic base64(user:password)" on every CONNECT.
    void requireCredentials(const std::string &user, const std::string &password);

    int port() const;
    std::string url() const; // "http://127.0.0.1:<port>"
    // How many CONNECT requests arrived (answered or not), and their targets in order.
    int connects() const;
    std::vector<std::string> targets() const;
    // The Proxy-Authorization values received, in order ("" when a request had none).
    std::vector<std::string> authorizations() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace testsupport
