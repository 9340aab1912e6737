// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultserver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace faults {

namespace {

enum FrameType : std::uint8_t { Data = 0, Headers = 1, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7 };

std::string u32(std::uint32_t v)
{
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8)
        s.push_back(static_cast<char>((v >> shift) & 0xff));
    return s;
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, const std::string &payload)
{
    std::string f;
    const auto len = static_cast<std::uint32_t>(payload.size());
    f.push_back(static_cast<char>((len >> 16) & 0xff));
    f.push_back(static_cast<char>((len >> 8) & 0xff));
    f.push_back(static_cast<char>(len & 0xff));
    f.push_back(static_cast<char>(type));
    f.push_back(static_cast<char>(flags));
    f += u32(stream & 0x7fffffffu);
    return f + payload;
}

void writeAll(int fd, const std::string &bytes)
{
    std::size_t off = 0;
    while (off < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        off += static_cast<std::size_t>(n);
    }
}

// Reads what the client sends and calls `onFrame(type, flags, stream)` for each whole frame after
// the connection preface; returns when the client closes, `stop` is readable, or onFrame says so.
template <typename F>
void readFrames(int fd, int stop, F onFrame)
{
    std::string in;
    bool prefaceSeen = false;
    char buf[16384];
    for (;;) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN))
            return;
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return;
        in.append(buf, static_cast<std::size_t>(n));
        if (!prefaceSeen) {
            if (in.size() < 24)
                continue;
            in.erase(0, 24);
            prefaceSeen = true;
        }
        while (in.size() >= 9) {
            const std::size_t len = (std::size_t(std::uint8_t(in[0])) << 16) | (std::size_t(std::uint8_t(in[1])) << 8) |
                                    std::size_t(std::uint8_t(in[2]));
            if (in.size() < 9 + len)
                break;
            const auto type = std::uint8_t(in[3]), flags = std::uint8_t(in[4]);
            const std::uint32_t stream = ((std::uint32_t(std::uint8_t(in[5])) & 0x7f) << 24) |
                                         (std::uint32_t(std::uint8_t(in[6])) << 16) |
                                         (std::uint32_t(std::uint8_t(in[7])) << 8) | std::uint32_t(std::uint8_t(in[8]));
            in.erase(0, 9 + len);
            if (!onFrame(type, flags, stream))
                return;
        }
    }
}

// :status 200 (static table index 8) and content-type application/grpc (a literal whose name is
// the static table's index 31), as an HPACK block.
std::string responseHeaders()
{
    const std::string ct = "application/grpc";
    std::string block{char(0x88), char(0x5f), char(ct.size())};
    return block + ct;
}

} // namespace

const char *behaviourName(Behaviour b)
{
    switch (b) {
    case Behaviour::Silent:
        return "silent peer";
    case Behaviour::SettingsThenClose:
        return "SETTINGS then close";
    case Behaviour::GoAway:
        return "GOAWAY with debug data";
    case Behaviour::RstStream:
        return "RST_STREAM";
    case Behaviour::OversizedFrame:
        return "oversized frame";
    case Behaviour::Http1:
        return "HTTP/1.1 on the port";
    case Behaviour::Garbage:
        return "garbage bytes";
    case Behaviour::CloseMidResponse:
        return "close in the middle of a response";
    case Behaviour::GarbageMessage:
        return "a message that is not valid";
    }
    return "?";
}

FaultServer::FaultServer(Behaviour behaviour)
    : m_behaviour(behaviour)
{
    if (pipe(m_stopPipe))
        throw std::runtime_error("pipe failed");
    m_listen = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr) || listen(m_listen, 64))
        throw std::runtime_error("fault server: cannot listen");
    socklen_t len = sizeof addr;
    getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_acceptor = std::thread([this] { acceptLoop(); });
}

FaultServer::~FaultServer()
{
    m_stopping = true;
    const char byte = 0;
    (void)!write(m_stopPipe[1], &byte, 1);
    m_acceptor.join();
    {
        std::lock_guard lock(m_mutex);
        for (int fd : m_fds)
            ::shutdown(fd, SHUT_RDWR);
    }
    for (auto &t : m_connections)
        t.join();
    for (int fd : m_fds)
        close(fd);
    close(m_listen);
    close(m_stopPipe[0]);
    close(m_stopPipe[1]);
}

void FaultServer::acceptLoop()
{
    for (;;) {
        pollfd fds[2] = {{m_listen, POLLIN, 0}, {m_stopPipe[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN))
            return;
        const int fd = accept(m_listen, nullptr, nullptr);
        if (fd < 0)
            continue;
        ++m_accepted;
        std::lock_guard lock(m_mutex);
        m_fds.push_back(fd);
        m_connections.emplace_back([this, fd] { serve(fd); });
    }
}

void FaultServer::serve(int fd)
{
    const int stop = m_stopPipe[0];
    const std::string settings = frame(Settings, 0, 0, {});
    const std::string settingsAck = frame(Settings, 1, 0, {});
    // Sends SETTINGS, then acknowledges the client's SETTINGS and PINGs as a real peer does and
    // calls `answer(stream)` for each request's HEADERS, until it returns false.
    auto onRequests = [&](auto answer) {
        writeAll(fd, settings);
        readFrames(fd, stop, [&](std::uint8_t type, std::uint8_t flags, std::uint32_t stream) {
            if (type == Settings && !(flags & 1))
                writeAll(fd, settingsAck);
            if (type == Ping && !(flags & 1))
                writeAll(fd, frame(Ping, 1, 0, std::string(8, '\0')));
            return type != Headers || answer(stream);
        });
    };
    switch (m_behaviour) {
    case Behaviour::Silent:
        readFrames(fd, stop, [](std::uint8_t, std::uint8_t, std::uint32_t) { return true; });
        break;
    case Behaviour::SettingsThenClose:
        writeAll(fd, settings);
        break;
    case Behaviour::GoAway:
        onRequests([&](std::uint32_t) {
            writeAll(fd, frame(GoAway, 0, 0, u32(0) + u32(0xb) + kGoAwayDebug));
            return false;
        });
        break;
    case Behaviour::RstStream:
        onRequests([&](std::uint32_t stream) {
            writeAll(fd, frame(RstStream, 0, stream, u32(0x2)));
            return true;
        });
        break;
    case Behaviour::OversizedFrame:
        onRequests([&](std::uint32_t stream) {
            // A DATA frame header announcing 16 MiB - 1 bytes, the most the length field holds and
            // more than any client allows (gRPC's asks for at most 4 MiB - 1), and some of it.
            std::string big = frame(Data, 0, stream, std::string(1 << 16, 'x'));
            big[0] = big[1] = big[2] = char(0xff);
            writeAll(fd, big);
            return true;
        });
        break;
    case Behaviour::Http1:
        writeAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
                     "Connection: close\r\n\r\nBad Request");
        break;
    case Behaviour::Garbage: {
        std::string junk;
        std::uint32_t x = 2463534242u;
        for (int i = 0; i < 4096; ++i) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            junk.push_back(static_cast<char>(x & 0xff));
        }
        writeAll(fd, junk);
        break;
    }
    case Behaviour::GarbageMessage:
        onRequests([&](std::uint32_t stream) {
            writeAll(fd, frame(Headers, 0x4, stream, responseHeaders()));
            // A tag of field 1 as a length-delimited field that claims more bytes than follow.
            writeAll(fd, frame(Data, 0, stream, std::string(1, '\0') + u32(3) + "\x0a\x7f\x01"));
            // Trailers, literal without indexing, new names: grpc-status 0.
            const std::string trailers = std::string(1, '\0') + char(11) + "grpc-status" + char(1) + "0";
            writeAll(fd, frame(Headers, 0x5, stream, trailers));
            return true;
        });
        break;
    case Behaviour::CloseMidResponse:
        onRequests([&](std::uint32_t stream) {
            // Then a message prefix promising 100 bytes, and only 10 of them.
            writeAll(fd, frame(Headers, 0x4, stream, responseHeaders()));
            writeAll(fd, frame(Data, 0, stream, std::string(1, '\0') + u32(100) + std::string(10, 'x')));
            return false;
        });
        break;
    }
    ::shutdown(fd, SHUT_RDWR);
}

} // namespace faults
