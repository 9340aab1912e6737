// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectproxy.h"

#include "rpc/jsonutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace testsupport {

struct ConnectProxy::Impl
{
    Answer answer = Answer::Tunnel;
    std::string expectedAuthorization;
    int listenFd = -1;
    int port = 0;
    int wake[2] = {-1, -1};
    std::thread acceptor;

    mutable std::mutex mutex;
    std::vector<std::thread> tunnels;
    std::vector<std::string> targets;
    std::vector<std::string> authorizations;

    // Waits until `fd` has `events` or the proxy stops; false when it stops.
    bool waitFor(int fd, short events) const
    {
        pollfd fds[2] = {{fd, events, 0}, {wake[0], POLLIN, 0}};
        while (poll(fds, 2, -1) < 0) {
        }
        return !fds[1].revents;
    }

    bool sendAll(int fd, const std::string &bytes) const
    {
        std::size_t off = 0;
        while (off < bytes.size()) {
            const auto n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            off += std::size_t(n);
        }
        return true;
    }

    void acceptLoop()
    {
        for (;;) {
            if (!waitFor(listenFd, POLLIN))
                return;
            const int fd = accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            std::lock_guard lock(mutex);
            tunnels.emplace_back([this, fd] {
                serve(fd);
                close(fd);
            });
        }
    }

    // The request head, byte by byte so nothing of the tunnel is read with it.
    std::string readHead(int fd) const
    {
        std::string head;
        char c = 0;
        while (head.size() < 16384 && head.find("\r\n\r\n") == std::string::npos) {
            if (!waitFor(fd, POLLIN) || recv(fd, &c, 1, 0) != 1)
                return {};
            head += c;
        }
        return head;
    }

    static std::string headerValue(const std::string &head, const std::string &name)
    {
        std::string lower = head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        const auto at = lower.find("\r\n" + name + ":");
        if (at == std::string::npos)
            return {};
        auto begin = at + 3 + name.size();
        while (begin < head.size() && head[begin] == ' ')
            ++begin;
        return head.substr(begin, head.find("\r\n", begin) - begin);
    }

    static int connectTo(const std::string &hostPort)
    {
        const auto colon = hostPort.rfind(':');
        if (colon == std::string::npos)
            return -1;
        std::string host = hostPort.substr(0, colon);
        if (host.size() > 1 && host.front() == '[')
            host = host.substr(1, host.size() - 2);
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo *res = nullptr;
        if (getaddrinfo(host.c_str(), hostPort.substr(colon + 1).c_str(), &hints, &res) != 0)
            return -1;
        int fd = -1;
        for (addrinfo *a = res; a && fd < 0; a = a->ai_next) {
            fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
        return fd;
    }

    void serve(int client)
    {
        const std::string head = readHead(client);
        if (head.empty())
            return;
        const auto firstSpace = head.find(' ');
        const auto secondSpace = head.find(' ', firstSpace + 1);
        const std::string method = head.substr(0, firstSpace);
        const std::string target = head.substr(firstSpace + 1, secondSpace - firstSpace - 1);
        const std::string authorization = headerValue(head, "proxy-authorization");
        {
            std::lock_guard lock(mutex);
            targets.push_back(method == "CONNECT" ? target : method + ' ' + target);
            authorizations.push_back(authorization);
        }
        if (method != "CONNECT") {
            sendAll(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if (answer == Answer::Forbidden) {
            sendAll(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if (answer == Answer::AuthRequired ||
            (!expectedAuthorization.empty() && authorization != expectedAuthorization)) {
            sendAll(client, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
                            "realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        const int upstream = connectTo(target);
        if (upstream < 0) {
            sendAll(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if (sendAll(client, "HTTP/1.1 200 Connection established\r\n\r\n"))
            relay(client, upstream);
        close(upstream);
    }

    void relay(int client, int upstream) const
    {
        int ends[2] = {client, upstream};
        bool open[2] = {true, true};
        char buf[65536];
        while (open[0] || open[1]) {
            pollfd fds[3] = {{open[0] ? ends[0] : -1, POLLIN, 0},
                             {open[1] ? ends[1] : -1, POLLIN, 0},
                             {wake[0], POLLIN, 0}};
            if (poll(fds, 3, -1) < 0)
                continue;
            if (fds[2].revents)
                return;
            for (int i = 0; i < 2; ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                const auto n = recv(ends[i], buf, sizeof buf, 0);
                if (n < 0)
                    return; // a reset: drop the whole tunnel
                if (n == 0) {
                    open[i] = false;
                    shutdown(ends[1 - i], SHUT_WR);
                    continue;
                }
                if (!sendAll(ends[1 - i], std::string(buf, std::size_t(n))))
                    return;
            }
        }
    }
};

ConnectProxy::ConnectProxy(Answer answer)
    : m_impl(std::make_shared<Impl>())
{
    m_impl->answer = answer;
    m_impl->listenFd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (m_impl->listenFd < 0 ||
        bind(m_impl->listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        listen(m_impl->listenFd, 64) != 0 ||
        getsockname(m_impl->listenFd, reinterpret_cast<sockaddr *>(&addr), &len) != 0 ||
        pipe2(m_impl->wake, O_CLOEXEC) != 0)
        throw std::runtime_error("the test proxy cannot listen");
    m_impl->port = ntohs(addr.sin_port);
    m_impl->acceptor = std::thread([impl = m_impl.get()] { impl->acceptLoop(); });
}

ConnectProxy::~ConnectProxy()
{
    const char stop = 1;
    (void)!write(m_impl->wake[1], &stop, 1);
    m_impl->acceptor.join();
    std::vector<std::thread> tunnels;
    {
        std::lock_guard lock(m_impl->mutex);
        tunnels.swap(m_impl->tunnels);
    }
    for (auto &t : tunnels)
        t.join();
    for (int fd : {m_impl->listenFd, m_impl->wake[0], m_impl->wake[1]})
        close(fd);
}

void ConnectProxy::requireCredentials(const std::string &user, const std::string &password)
{
    m_impl->expectedAuthorization = "Basic " + rpc::base64Encode(user + ':' + password);
}

int ConnectProxy::port() const
{
    return m_impl->port;
}

std::string ConnectProxy::url() const
{
    return "http://127.0.0.1:" + std::to_string(m_impl->port);
}

int ConnectProxy::connects() const
{
    std::lock_guard lock(m_impl->mutex);
    return int(std::count_if(m_impl->targets.begin(), m_impl->targets.end(),
                             [](const std::string &t) { return t.find(' ') == std::string::npos; }));
}

std::vector<std::string> ConnectProxy::targets() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->targets;
}

std::vector<std::string> ConnectProxy::authorizations() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->authorizations;
}

} // namespace testsupport
