// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/tap.h"

#include "rpc/types.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>

namespace rpc::wire {

namespace {

void setNonBlocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Connects to host:port (blocking; the tap's thread only).
int connectTo(const std::string &hostPort, std::string *error)
{
    const auto colon = hostPort.rfind(':');
    if (colon == std::string::npos) {
        *error = "the tap needs host:port, got \"" + hostPort + "\"";
        return -1;
    }
    std::string host = hostPort.substr(0, colon);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port = hostPort.substr(colon + 1);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        *error = "cannot resolve " + hostPort + ": " + gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        *error = "cannot connect to " + hostPort + ": " + std::generic_category().message(errno);
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        setNonBlocking(fd);
    return fd;
}

std::string sslErrors()
{
    std::string text;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty())
            text += "; ";
        text += buf;
    }
    return text;
}

// The TLS client context for one tap: roots, client certificate, verification and ALPN h2.
Result<SSL_CTX *> makeContext(const TapTls &tls)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return Error("the wire tap cannot create a TLS context: " + sslErrors());
    auto fail = [ctx](std::string why) {
        SSL_CTX_free(ctx);
        return Error(std::move(why));
    };
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (!tls.caFile.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, tls.caFile.c_str(), nullptr) != 1)
            return fail("the wire tap cannot read the CA certificate " + tls.caFile + ": " + sslErrors());
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        return fail("the wire tap cannot load the system's root certificates: " + sslErrors());
    }
    if (!tls.certFile.empty() || !tls.keyFile.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx, tls.certFile.c_str()) != 1)
            return fail("the wire tap cannot read the client certificate " + tls.certFile + ": " +
                        sslErrors());
        if (SSL_CTX_use_PrivateKey_file(ctx, tls.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
            return fail("the wire tap cannot read the client key " + tls.keyFile + ": " + sslErrors());
        if (SSL_CTX_check_private_key(ctx) != 1)
            return fail("the client key " + tls.keyFile + " does not match " + tls.certFile);
    }
    SSL_CTX_set_verify(ctx, tls.skipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
    static const unsigned char alpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

std::string hostOf(const std::string &hostPort)
{
    std::string host = hostPort.substr(0, hostPort.rfind(':'));
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return host;
}

} // namespace

struct Tap::Impl
{
    std::string upstream;
    TapTls tls;
    SSL_CTX *sslContext = nullptr;
    int listenFd = -1;
    int wakeRead = -1;
    int wakeWrite = -1;
    std::thread thread;

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<WireEvent> events;
    std::function<void()> notifier;

    struct Side
    {
        int fd = -1;
        SSL *ssl = nullptr; // the server side of a TLS upstream
        std::string outbox; // bytes waiting to be written to this side
        bool readClosed = false;
    };
    struct Connection
    {
        std::uint64_t id = 0;
        Side client;
        Side server;
        FrameDecoder fromClient{FrameDecoder::Side::Client};
        FrameDecoder fromServer{FrameDecoder::Side::Server};
        bool decodeFailed[2] = {false, false};
    };
    std::list<Connection> connections;
    std::uint64_t nextId = 1;

    void push(std::vector<WireEvent> batch)
    {
        if (batch.empty())
            return;
        std::lock_guard lock(mutex);
        const bool wasEmpty = events.empty();
        for (auto &e : batch)
            events.push_back(std::move(e));
        cv.notify_all();
        if (wasEmpty && notifier)
            notifier();
    }

    // Bytes read from one side: queued for the other side unchanged, and decoded.
    void relay(Connection &c, bool fromClient, const char *data, std::size_t n, std::vector<WireEvent> *out)
    {
        (fromClient ? c.server : c.client).outbox.append(data, n);
        bool &failed = c.decodeFailed[fromClient ? 0 : 1];
        if (failed)
            return;
        FrameDecoder &decoder = fromClient ? c.fromClient : c.fromServer;
        const auto now = monotonicNs();
        auto frames = decoder.feed(std::string_view(data, n));
        const auto direction = fromClient ? WireDirection::ClientToServer : WireDirection::ServerToClient;
        if (!frames) {
            failed = true;
            WireEvent e;
            e.kind = WireEvent::Kind::Error;
            e.connection = c.id;
            e.direction = direction;
            e.timeNs = now;
            e.error = frames.error().message;
            out->push_back(std::move(e));
            return;
        }
        auto messages = decoder.takeMessages();
        std::size_t m = 0;
        for (std::size_t i = 0; i < frames->size(); ++i) {
            Frame &f = (*frames)[i];
            // Messages belong to the DATA frame of their stream that completed them: the last
            // DATA frame of that stream in this batch.
            const bool lastData =
                f.type == std::uint8_t(FrameType::Data) && isLastDataFor(*frames, i, f.streamId);
            WireEvent e;
            e.connection = c.id;
            e.direction = direction;
            e.timeNs = now;
            while (lastData && m < messages.size() && messages[m].streamId == f.streamId)
                e.messages.push_back(std::move(messages[m++]));
            e.frame = std::move(f);
            out->push_back(std::move(e));
        }
    }

    // read()/write() for a side, through TLS where it has it; "try again" is -1 with EAGAIN.
    static ssize_t sideRead(Side &s, char *buf, std::size_t n)
    {
        if (!s.ssl)
            return read(s.fd, buf, n);
        const int got = SSL_read(s.ssl, buf, int(n));
        if (got > 0)
            return got;
        return sslResult(s.ssl, got);
    }

    static ssize_t sideWrite(Side &s, const char *data, std::size_t n)
    {
        if (!s.ssl)
            return write(s.fd, data, n);
        const int put = SSL_write(s.ssl, data, int(std::min<std::size_t>(n, 1 << 20)));
        if (put > 0)
            return put;
        return sslResult(s.ssl, put);
    }

    static ssize_t sslResult(SSL *ssl, int rc)
    {
        switch (SSL_get_error(ssl, rc)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        default:
            ERR_clear_error();
            errno = EIO;
            return -1;
        }
    }

    static bool isLastDataFor(const std::vector<Frame> &frames, std::size_t index, std::uint32_t stream)
    {
        for (std::size_t i = index + 1; i < frames.size(); ++i) {
            if (frames[i].type == std::uint8_t(FrameType::Data) && frames[i].streamId == stream)
                return false;
        }
        return true;
    }

    void run()
    {
        std::vector<pollfd> fds;
        char buf[64 * 1024];
        for (;;) {
            fds.clear();
            fds.push_back({wakeRead, POLLIN, 0});
            fds.push_back({listenFd, POLLIN, 0});
            for (auto &c : connections) {
                for (Side *s : {&c.client, &c.server}) {
                    short want = s->readClosed ? 0 : POLLIN;
                    if (!s->outbox.empty())
                        want |= POLLOUT;
                    // A side that has nothing left to do is left out: its hang-up would wake
                    // the loop again and again.
                    fds.push_back({want ? s->fd : -1, want, 0});
                }
            }
            // TLS may hold decrypted bytes the socket no longer signals: read those at once.
            bool tlsPending = false;
            for (auto &c : connections)
                tlsPending =
                    tlsPending || (c.server.ssl && !c.server.readClosed && SSL_pending(c.server.ssl) > 0);
            if (poll(fds.data(), fds.size(), tlsPending ? 0 : -1) < 0 && errno != EINTR)
                return;
            if (fds[0].revents)
                return; // asked to stop
            std::vector<WireEvent> batch;
            if (fds[1].revents & POLLIN)
                accept(&batch);
            std::size_t i = 2;
            for (auto it = connections.begin(); it != connections.end();) {
                Connection &c = *it;
                bool closed = false;
                for (int k = 0; k < 2 && i < fds.size(); ++k, ++i) {
                    Side &s = k == 0 ? c.client : c.server;
                    Side &other = k == 0 ? c.server : c.client;
                    if (fds[i].fd != s.fd)
                        continue;
                    const bool buffered = s.ssl && !s.readClosed && SSL_pending(s.ssl) > 0;
                    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) || buffered) {
                        const ssize_t n = sideRead(s, buf, sizeof buf);
                        if (n > 0) {
                            relay(c, k == 0, buf, std::size_t(n), &batch);
                        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                            s.readClosed = true;
                            shutdown(other.fd, SHUT_WR);
                        }
                    }
                    if ((fds[i].revents & POLLOUT) && !s.outbox.empty()) {
                        const ssize_t n = sideWrite(s, s.outbox.data(), s.outbox.size());
                        if (n > 0)
                            s.outbox.erase(0, std::size_t(n));
                        else if (n < 0 && errno != EAGAIN && errno != EINTR)
                            closed = true;
                    }
                }
                // What was read is reported before it is passed on: whoever sees the bytes
                // arrive (the engine ending a call) finds their frames already recorded.
                if (!batch.empty()) {
                    push(std::move(batch));
                    batch.clear();
                }
                // Flush what the other side still has to get, then close when both ended.
                for (Side *s : {&c.client, &c.server}) {
                    if (!s->outbox.empty()) {
                        const ssize_t n = sideWrite(*s, s->outbox.data(), s->outbox.size());
                        if (n > 0)
                            s->outbox.erase(0, std::size_t(n));
                    }
                }
                if (closed || (c.client.readClosed && c.server.readClosed && c.client.outbox.empty() &&
                               c.server.outbox.empty())) {
                    WireEvent e;
                    e.kind = WireEvent::Kind::Closed;
                    e.connection = c.id;
                    e.timeNs = monotonicNs();
                    batch.push_back(std::move(e));
                    closeConnection(c);
                    it = connections.erase(it);
                } else {
                    ++it;
                }
            }
            push(std::move(batch));
        }
    }

    static void closeConnection(Connection &c)
    {
        if (c.server.ssl)
            SSL_free(c.server.ssl);
        close(c.client.fd);
        close(c.server.fd);
    }

    // The TLS handshake with the server, on the tap's thread (blocking: it happens once per
    // connection, before any byte is relayed). Returns the session, or null and why.
    SSL *handshake(int fd, std::string *error)
    {
        SSL *ssl = SSL_new(sslContext);
        const std::string name = tls.serverName.empty() ? hostOf(upstream) : tls.serverName;
        SSL_set_tlsext_host_name(ssl, name.c_str());
        if (!tls.skipVerify) {
            // Checked as a host name, or as an IP address when it is one.
            X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
            in6_addr probe{};
            if (inet_pton(AF_INET, name.c_str(), &probe) == 1 ||
                inet_pton(AF_INET6, name.c_str(), &probe) == 1)
                X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
            else
                X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
        }
        SSL_set_fd(ssl, fd);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        const int rc = SSL_connect(ssl);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (rc != 1) {
            const long verify = SSL_get_verify_result(ssl);
            *error = "TLS handshake with " + upstream + " failed: " +
                     (verify != X509_V_OK ? std::string("certificate verify failed (") +
                                                X509_verify_cert_error_string(verify) + ")"
                                          : sslErrors());
            ERR_clear_error();
            SSL_free(ssl);
            return nullptr;
        }
        const unsigned char *proto = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(ssl, &proto, &length);
        if (length != 2 || std::memcmp(proto, "h2", 2) != 0) {
            *error = "the server at " + upstream + " did not agree to HTTP/2 over TLS (ALPN h2)";
            SSL_free(ssl);
            return nullptr;
        }
        return ssl;
    }

    void accept(std::vector<WireEvent> *batch)
    {
        const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        std::string error;
        int up = connectTo(upstream, &error);
        SSL *ssl = nullptr;
        if (up >= 0 && tls.enabled && !(ssl = handshake(up, &error))) {
            close(up);
            up = -1;
        }
        if (up < 0) {
            close(fd); // the client sees the connection fail, as it would without the tap
            WireEvent e;
            e.kind = WireEvent::Kind::Error;
            e.connection = nextId++;
            e.timeNs = monotonicNs();
            e.error = error;
            batch->push_back(std::move(e));
            return;
        }
        setNonBlocking(fd);
        Connection &c = connections.emplace_back();
        c.id = nextId++;
        c.client.fd = fd;
        c.server.fd = up;
        c.server.ssl = ssl;
    }
};

Tap::Tap()
    : m_impl(std::make_unique<Impl>())
{}

Tap::~Tap()
{
    if (m_impl->thread.joinable()) {
        const char stop = 1;
        (void)!write(m_impl->wakeWrite, &stop, 1);
        m_impl->thread.join();
    }
    for (auto &c : m_impl->connections)
        Impl::closeConnection(c);
    if (m_impl->sslContext)
        SSL_CTX_free(m_impl->sslContext);
    for (int fd : {m_impl->listenFd, m_impl->wakeRead, m_impl->wakeWrite}) {
        if (fd >= 0)
            close(fd);
    }
}

Result<std::string> Tap::start(const std::string &upstream, const TapTls &tls)
{
    if (m_impl->thread.joinable())
        return Error("the tap is already running");
    if (upstream.rfind("unix:", 0) == 0)
        return Error("the wire tap relays TCP targets only, not " + upstream);
    if (tls.enabled) {
        auto ctx = makeContext(tls);
        if (!ctx)
            return ctx.error();
        m_impl->sslContext = ctx.value();
    }
    m_impl->upstream = upstream;
    m_impl->tls = tls;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        const std::string why = std::generic_category().message(errno);
        if (fd >= 0)
            close(fd);
        return Error("the wire tap cannot listen on 127.0.0.1: " + why);
    }
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) {
        close(fd);
        return Error(std::string("the wire tap cannot make a pipe: ") +
                     std::generic_category().message(errno));
    }
    m_impl->listenFd = fd;
    m_impl->wakeRead = pipeFds[0];
    m_impl->wakeWrite = pipeFds[1];
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->run(); });
    return "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

void Tap::setNotifier(std::function<void()> notifier)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->notifier = std::move(notifier);
}

std::vector<WireEvent> Tap::drain()
{
    std::lock_guard lock(m_impl->mutex);
    return std::exchange(m_impl->events, {});
}

std::vector<WireEvent> Tap::waitAndDrain(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_impl->mutex);
    m_impl->cv.wait_for(lock, timeout, [this] { return !m_impl->events.empty(); });
    return std::exchange(m_impl->events, {});
}

TapTls tapTlsFor(const ChannelOptions &channel)
{
    TapTls tls;
    tls.enabled = !channel.plaintext;
    if (!tls.enabled)
        return tls;
    tls.caFile = channel.caFile;
    tls.certFile = channel.certFile;
    tls.keyFile = channel.keyFile;
    tls.skipVerify = channel.skipVerify;
    tls.serverName = channel.serverName;
    if (tls.serverName.empty() && !channel.authority.empty())
        tls.serverName = channel.authority.substr(0, channel.authority.rfind(':'));
    return tls;
}

void routeThroughTap(ChannelOptions &channel, const std::string &tapAddress)
{
    if (channel.authority.empty())
        channel.authority = channel.target;
    channel.tappedTarget = channel.target;
    channel.target = tapAddress;
    channel.plaintext = true;
    channel.skipVerify = false;
    channel.caFile.clear();
    channel.certFile.clear();
    channel.keyFile.clear();
    channel.serverName.clear();
}

std::string describe(const WireEvent &e, std::int64_t startNs)
{
    char head[64];
    std::snprintf(head, sizeof head, "+%.3fms c%llu %s ", double(e.timeNs - startNs) / 1e6,
                  static_cast<unsigned long long>(e.connection),
                  e.direction == WireDirection::ClientToServer ? "->" : "<-");
    std::string line = head;
    if (e.kind == WireEvent::Kind::Closed)
        return line + "connection closed";
    if (e.kind == WireEvent::Kind::Error)
        return line + "cannot decode: " + e.error;
    const Frame &f = e.frame;
    line += f.typeName() + " stream=" + std::to_string(f.streamId);
    const std::string flagText = f.flagNames();
    if (!flagText.empty())
        line += " flags=" + flagText;
    line += " len=" + std::to_string(f.length);
    for (const auto &[k, v] : f.headers) {
        const bool binary = k.size() > 4 && k.compare(k.size() - 4, 4, "-bin") == 0;
        line += ' ' + k + '=' + (binary ? "<" + std::to_string(v.size()) + " bytes>" : v);
    }
    for (const auto &[id, value] : f.settings)
        line += " setting[" + std::to_string(id) + "]=" + std::to_string(value);
    if (f.type == std::uint8_t(FrameType::WindowUpdate))
        line += " increment=" + std::to_string(f.windowIncrement);
    if (f.type == std::uint8_t(FrameType::RstStream) || f.type == std::uint8_t(FrameType::GoAway))
        line += " error=" + std::to_string(f.errorCode);
    for (const auto &m : e.messages)
        line +=
            " grpc-message=" + std::to_string(m.bytes.size()) + "B" + (m.compressed ? "(compressed)" : "");
    return line;
}

} // namespace rpc::wire
