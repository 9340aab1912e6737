// SPDX-License-Identifier: GPL-3.0-or-later
#include "blaster.h"

#include <nghttp2/nghttp2.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <map>
#include <thread>
#include <vector>

namespace bench {

namespace {

// One message: the gRPC prefix and StreamItem {index: i} (field 1, varint).
std::size_t encodeMessage(long index, std::uint8_t *out)
{
    std::uint8_t body[11];
    std::size_t n = 0;
    if (index != 0) {
        body[n++] = 0x08;
        auto v = static_cast<unsigned long>(index);
        do {
            body[n] = v & 0x7f;
            v >>= 7;
            body[n++] |= v ? 0x80 : 0;
        } while (v);
    }
    out[0] = 0;
    out[1] = out[2] = out[3] = 0;
    out[4] = static_cast<std::uint8_t>(n);
    std::memcpy(out + 5, body, n);
    return 5 + n;
}

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

struct StreamBlaster::Impl
{
    long count = 0;
    long rate = 0;
    int listenFd = -1;
    int wakeRead = -1;
    int wakeWrite = -1;
    std::thread thread;

    struct Stream
    {
        long sent = 0;
        std::int64_t startNs = 0;
        bool started = false;
        bool deferred = false;
    };
    struct Connection
    {
        Impl *impl = nullptr;
        int fd = -1;
        nghttp2_session *session = nullptr;
        std::map<std::int32_t, Stream> streams;
        bool dead = false;
    };
    std::list<Connection> connections;

    static ssize_t sendCallback(nghttp2_session *, const std::uint8_t *data, std::size_t length, int,
                                void *user)
    {
        auto *c = static_cast<Connection *>(user);
        const ssize_t n = ::send(c->fd, data, length, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? NGHTTP2_ERR_WOULDBLOCK
                                                           : NGHTTP2_ERR_CALLBACK_FAILURE;
        return n;
    }

    static ssize_t readCallback(nghttp2_session *session, std::int32_t streamId, std::uint8_t *buf,
                                std::size_t length, std::uint32_t *flags, nghttp2_data_source *, void *user)
    {
        auto *c = static_cast<Connection *>(user);
        Stream &s = c->streams[streamId];
        long allowed = c->impl->count - s.sent;
        if (c->impl->rate > 0) {
            const auto due =
                static_cast<long>((nowNs() - s.startNs) * static_cast<double>(c->impl->rate) / 1e9);
            allowed = std::min(allowed, due - s.sent);
        }
        std::size_t used = 0;
        while (allowed > 0 && length - used >= 16) {
            used += encodeMessage(s.sent++, buf + used);
            --allowed;
        }
        if (s.sent >= c->impl->count) {
            *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
            const nghttp2_nv trailers[] = {
                {(std::uint8_t *)"grpc-status", (std::uint8_t *)"0", 11, 1, NGHTTP2_NV_FLAG_NONE}};
            nghttp2_submit_trailer(session, streamId, trailers, 1);
            return static_cast<ssize_t>(used);
        }
        if (used == 0) {
            s.deferred = true; // resumed by the loop's next tick
            return NGHTTP2_ERR_DEFERRED;
        }
        return static_cast<ssize_t>(used);
    }

    static int onFrameRecv(nghttp2_session *session, const nghttp2_frame *frame, void *user)
    {
        auto *c = static_cast<Connection *>(user);
        // Answer when the request's headers are complete; its body is read and ignored.
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        Stream &s = c->streams[frame->hd.stream_id];
        if (s.started)
            return 0;
        s.started = true;
        s.startNs = nowNs();
        const nghttp2_nv headers[] = {
            {(std::uint8_t *)":status", (std::uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE},
            {(std::uint8_t *)"content-type", (std::uint8_t *)"application/grpc", 12, 16,
             NGHTTP2_NV_FLAG_NONE}};
        nghttp2_data_provider provider{};
        provider.read_callback = readCallback;
        nghttp2_submit_response(session, frame->hd.stream_id, headers, 2, &provider);
        return 0;
    }

    static int onStreamClose(nghttp2_session *, std::int32_t streamId, std::uint32_t, void *user)
    {
        static_cast<Connection *>(user)->streams.erase(streamId);
        return 0;
    }

    void accept()
    {
        const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        Connection &c = connections.emplace_back();
        c.impl = this;
        c.fd = fd;
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_send_callback(callbacks, sendCallback);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose);
        nghttp2_session_server_new(&c.session, callbacks, &c);
        nghttp2_session_callbacks_del(callbacks);
        const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
        nghttp2_submit_settings(c.session, NGHTTP2_FLAG_NONE, settings, 1);
    }

    void run()
    {
        std::vector<pollfd> fds;
        std::uint8_t buf[64 * 1024];
        for (;;) {
            fds.clear();
            fds.push_back({wakeRead, POLLIN, 0});
            fds.push_back({listenFd, POLLIN, 0});
            bool waiting = false;
            for (auto &c : connections) {
                short events = POLLIN;
                if (nghttp2_session_want_write(c.session))
                    events |= POLLOUT;
                fds.push_back({c.fd, events, 0});
                for (auto &[id, s] : c.streams)
                    waiting = waiting || s.deferred;
            }
            // A paced stream wakes every millisecond to send what has come due.
            if (poll(fds.data(), fds.size(), waiting ? 1 : -1) < 0 && errno != EINTR)
                return;
            if (fds[0].revents)
                return;
            if (fds[1].revents & POLLIN)
                accept();
            std::size_t i = 2;
            for (auto &c : connections) {
                if (i >= fds.size())
                    break;
                const short revents = fds[i++].revents;
                if (revents & (POLLIN | POLLHUP | POLLERR)) {
                    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
                    if (n > 0) {
                        if (nghttp2_session_mem_recv(c.session, buf, std::size_t(n)) < 0)
                            c.dead = true;
                    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                        c.dead = true;
                    }
                }
                for (auto &[id, s] : c.streams) {
                    if (s.deferred) {
                        s.deferred = false;
                        nghttp2_session_resume_data(c.session, id);
                    }
                }
                if (!c.dead && nghttp2_session_send(c.session) != 0)
                    c.dead = true;
            }
            for (auto it = connections.begin(); it != connections.end();) {
                if (it->dead ||
                    (!nghttp2_session_want_read(it->session) && !nghttp2_session_want_write(it->session))) {
                    nghttp2_session_del(it->session);
                    close(it->fd);
                    it = connections.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }
};

StreamBlaster::StreamBlaster(long count, long rate)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->count = count;
    m_impl->rate = rate;
}

StreamBlaster::~StreamBlaster()
{
    if (m_impl->thread.joinable()) {
        const char stop = 1;
        (void)!write(m_impl->wakeWrite, &stop, 1);
        m_impl->thread.join();
    }
    for (auto &c : m_impl->connections) {
        nghttp2_session_del(c.session);
        close(c.fd);
    }
    for (int fd : {m_impl->listenFd, m_impl->wakeRead, m_impl->wakeWrite}) {
        if (fd >= 0)
            close(fd);
    }
}

std::string StreamBlaster::start()
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int pipeFds[2];
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0 || pipe2(pipeFds, O_CLOEXEC) != 0) {
        if (fd >= 0)
            close(fd);
        return {};
    }
    m_impl->listenFd = fd;
    m_impl->wakeRead = pipeFds[0];
    m_impl->wakeWrite = pipeFds[1];
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->run(); });
    return "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

} // namespace bench
