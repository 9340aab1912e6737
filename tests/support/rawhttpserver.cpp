// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawhttpserver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace testsupport {

RawHttpServer::RawHttpServer(std::string answer)
    : m_answer(std::move(answer))
{
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(m_listen, 8) != 0 || ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
        throw std::runtime_error("RawHttpServer cannot listen on 127.0.0.1");
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
}

RawHttpServer::~RawHttpServer()
{
    ::shutdown(m_listen, SHUT_RDWR); // wakes accept()
    m_thread.join();
    ::close(m_listen);
}

void RawHttpServer::serve()
{
    for (;;) {
        const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        std::string in;
        char buf[4096];
        for (;;) {
            const auto head = in.find("\r\n\r\n");
            if (head != std::string::npos) {
                auto length = in.find("content-length: ");
                if (length == std::string::npos)
                    length = in.find("Content-Length: ");
                const std::size_t body = length == std::string::npos ? 0 : std::stoul(in.substr(length + 16));
                if (in.size() >= head + 4 + body)
                    break;
            }
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            in.append(buf, std::size_t(n));
        }
        (void)!::send(fd, m_answer.data(), m_answer.size(), MSG_NOSIGNAL);
        ::shutdown(fd, SHUT_WR);
        while (::recv(fd, buf, sizeof buf, 0) > 0) { // until the client lets go
        }
        ::close(fd);
    }
}

} // namespace testsupport
