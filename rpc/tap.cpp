// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/tap.h"

#include "rpc/internal/tapconnect.h"

#include "rpc/types.h"
#include "rpc/web.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

namespace rpc::wire {

namespace {

// The parts one after another. (A chain of + over temporary strings here made gcc 12 warn of a
// copy out of bounds, -Warray-bounds, which it is not.)
std::string joined(std::initializer_list<std::string_view> parts)
{
    std::string all;
    for (std::string_view part : parts)
        all += part;
    return all;
}

} // namespace

struct Tap::Impl
{
    TapUpstream upstream;
    TargetAddress server; // upstream.target, parsed
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
        bool writeClosed = false; // its read end was passed on: nothing more is written
    };
    struct Connection
    {
        std::uint64_t id = 0;
        Side client;
        Side server;
        FrameDecoder fromClient{FrameDecoder::Side::Client};
        FrameDecoder fromServer{FrameDecoder::Side::Server};
        Http1Decoder http1FromClient{Http1Decoder::Side::Client};
        Http1Decoder http1FromServer{Http1Decoder::Side::Server};
        bool decodeFailed[2] = {false, false};
        bool serverEndedFirst = false; // the server closed while the client still talked
        bool serverSpoke = false;      // the server sent at least one byte
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
        if (upstream.http1) {
            Http1Decoder &decoder = fromClient ? c.http1FromClient : c.http1FromServer;
            report(c, fromClient, decoder.feed(std::string_view(data, n)), out);
            return;
        }
        FrameDecoder &decoder = fromClient ? c.fromClient : c.fromServer;
        const auto now = monotonicNs();
        auto frames = decoder.feed(std::string_view(data, n));
        const auto direction = fromClient ? WireDirection::ClientToServer : WireDirection::ServerToClient;
        if (!frames) {
            out->push_back(decodeError(c, fromClient, frames.error().message));
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

    WireEvent decodeError(Connection &c, bool fromClient, std::string why)
    {
        c.decodeFailed[fromClient ? 0 : 1] = true;
        WireEvent e;
        e.kind = WireEvent::Kind::Error;
        e.connection = c.id;
        e.direction = fromClient ? WireDirection::ClientToServer : WireDirection::ServerToClient;
        e.timeNs = monotonicNs();
        e.error = std::move(why);
        return e;
    }

    // HTTP/1.1 parts decoded from one side, then why decoding stopped if it did.
    void report(Connection &c, bool fromClient, Http1Decoder::Decoded decoded, std::vector<WireEvent> *out)
    {
        const auto now = monotonicNs();
        for (auto &part : decoded.parts) {
            WireEvent e;
            e.kind = WireEvent::Kind::Http1;
            e.connection = c.id;
            e.direction = fromClient ? WireDirection::ClientToServer : WireDirection::ServerToClient;
            e.timeNs = now;
            e.messages = std::move(part.messages);
            part.messages.clear();
            e.http1 = std::move(part);
            out->push_back(std::move(e));
        }
        if (!decoded.error.empty())
            out->push_back(decodeError(c, fromClient, std::move(decoded.error)));
    }

    // One side ended its output: an HTTP/1.1 body that runs to the close ends, and a message cut
    // short is an error the wire view shows.
    void ended(Connection &c, bool fromClient, std::vector<WireEvent> *out)
    {
        if (!upstream.http1 || c.decodeFailed[fromClient ? 0 : 1])
            return;
        report(c, fromClient, (fromClient ? c.http1FromClient : c.http1FromServer).finish(), out);
    }

    // recv()/send() for a side, through TLS where it has it; "try again" is -1 with EAGAIN.
    // Plain sockets are written with MSG_NOSIGNAL; OpenSSL's own writes cannot be, so the
    // tap's thread blocks SIGPIPE (see run()).
    static ssize_t sideRead(Side &s, char *buf, std::size_t n)
    {
        if (!s.ssl)
            return recv(s.fd, buf, n, 0);
        const int got = SSL_read(s.ssl, buf, int(n));
        if (got > 0)
            return got;
        return sslResult(s.ssl, got);
    }

    static ssize_t sideWrite(Side &s, const char *data, std::size_t n)
    {
        if (!s.ssl)
            return send(s.fd, data, n, MSG_NOSIGNAL);
        const int put = SSL_write(s.ssl, data, int(std::min<std::size_t>(n, 1 << 20)));
        if (put > 0)
            return put;
        return sslResult(s.ssl, put);
    }

    static ssize_t sslResult(SSL *ssl, int rc)
    {
        const int error = SSL_get_error(ssl, rc);
        switch (error) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        default:
            ERR_clear_error();
            // A socket error keeps its errno (EPIPE, ECONNRESET); anything else is EIO.
            if (error != SSL_ERROR_SYSCALL || errno == 0 || errno == EAGAIN)
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

    // Writes what `s` has waiting; false (with errno) when the peer cannot take it any more.
    static bool flush(Side &s)
    {
        while (!s.outbox.empty()) {
            const ssize_t n = sideWrite(s, s.outbox.data(), s.outbox.size());
            if (n > 0)
                s.outbox.erase(0, std::size_t(n));
            else if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
            else
                return false;
        }
        return true;
    }

    // Passes an end of input on to `s` once everything before it was written: close_notify
    // over TLS, then the TCP half-close.
    static void passOnEnd(Side &s)
    {
        if (s.writeClosed || !s.outbox.empty())
            return;
        s.writeClosed = true;
        if (s.ssl) {
            SSL_shutdown(s.ssl);
            ERR_clear_error();
        }
        shutdown(s.fd, SHUT_WR);
    }

    // Closes `s` with a reset (RST) rather than an orderly end: what its peer gets when the
    // other side reset the connection or vanished.
    static void reset(Side &s)
    {
        linger hard{1, 0};
        setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }

    void run()
    {
        // OpenSSL writes with write(): to a server that has gone, that raises SIGPIPE, which
        // by default ends the whole process. Blocked on this thread alone, the write just fails
        // with EPIPE (the signal stays pending on this thread and is dropped when it ends).
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

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
                // Set when one side broke off: which side, and why.
                Side *broken = nullptr;
                std::string why;
                for (int k = 0; k < 2 && i < fds.size(); ++k, ++i) {
                    Side &s = k == 0 ? c.client : c.server;
                    const char *name = k == 0 ? "client" : "server";
                    if (fds[i].fd != s.fd || broken)
                        continue;
                    const bool buffered = s.ssl && !s.readClosed && SSL_pending(s.ssl) > 0;
                    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) || buffered) {
                        const ssize_t n = sideRead(s, buf, sizeof buf);
                        if (n > 0) {
                            c.serverSpoke = c.serverSpoke || k == 1;
                            relay(c, k == 0, buf, std::size_t(n), &batch);
                        } else if (n == 0) {
                            s.readClosed = true;
                            ended(c, k == 0, &batch);
                            c.serverEndedFirst = c.serverEndedFirst || (k == 1 && !c.client.readClosed);
                        } else if (errno != EAGAIN && errno != EINTR) {
                            broken = &s;
                            // A server that never answered (a TLS server reading the
                            // HTTP/2 preface) is told apart: rpc::classifyConnectProblem reads it.
                            const char *silent = k == 1 && !c.serverSpoke ? " without answering" : "";
                            why = errno == ECONNRESET ? joined({"the ", name, " reset the connection", silent})
                                                      : joined({"reading from the ", name, " failed: ", errnoText(errno)});
                        }
                    }
                    if (!broken && (fds[i].revents & POLLOUT) && !flush(s)) {
                        broken = &s;
                        why = joined({"the ", name, " is gone (", errnoText(errno), ")"});
                    }
                }
                // What was read is reported before it is passed on: whoever sees the bytes
                // arrive (the engine ending a call) finds their frames already recorded.
                if (!batch.empty()) {
                    push(std::move(batch));
                    batch.clear();
                }
                // Pass on what the other side still has to get, and each end once it is out.
                for (Side *s : {&c.client, &c.server}) {
                    if (!broken && !flush(*s)) {
                        broken = s;
                        why = joined({"the ", s == &c.client ? "client" : "server", " is gone (", errnoText(errno), ")"});
                    }
                }
                if (!broken) {
                    if (c.client.readClosed)
                        passOnEnd(c.server);
                    if (c.server.readClosed)
                        passOnEnd(c.client);
                }
                if (broken || (c.client.readClosed && c.server.readClosed && c.client.outbox.empty() &&
                               c.server.outbox.empty())) {
                    if (broken)
                        reset(broken == &c.client ? c.server : c.client);
                    WireEvent e;
                    e.kind = WireEvent::Kind::Closed;
                    e.connection = c.id;
                    e.timeNs = monotonicNs();
                    e.direction =
                        broken == &c.client ? WireDirection::ClientToServer : WireDirection::ServerToClient;
                    e.error = !why.empty()         ? why
                              : c.serverEndedFirst ? std::string(c.serverSpoke ? "the server closed the connection"
                                                                                   : "the server closed the connection "
                                                                                     "without answering")
                                                   : std::string();
                    // Reported before the client can see the connection end.
                    batch.push_back(std::move(e));
                    push(std::move(batch));
                    batch.clear();
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

    // The TLS handshake with the server, within the attempt's deadline. Returns the session,
    // or null and why.
    SSL *handshake(int fd, Attempt &attempt)
    {
        SSL *ssl = SSL_new(sslContext);
        const std::string name = !upstream.tls.serverName.empty()          ? upstream.tls.serverName
                                 : server.kind == TargetAddress::Kind::Tcp ? server.host
                                                                           : std::string("localhost");
        SSL_set_tlsext_host_name(ssl, name.c_str());
        if (!upstream.tls.skipVerify) {
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
        const std::string what = "TLS handshake with " + upstream.target;
        for (;;) {
            const int rc = SSL_connect(ssl);
            if (rc == 1)
                break;
            const int error = SSL_get_error(ssl, rc);
            if ((error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) &&
                attempt.wait(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, what + " failed"))
                continue;
            if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                const long verify = SSL_get_verify_result(ssl);
                const std::string errors = sslErrors();
                // A certificate for another name says which name it was checked against.
                const std::string checked =
                    verify == X509_V_ERR_HOSTNAME_MISMATCH ? ": it is not for " + name : std::string();
                attempt.error =
                    what + " failed: " +
                    (verify != X509_V_OK ? std::string("certificate verify failed (") +
                                               X509_verify_cert_error_string(verify) + checked + ")"
                     : !errors.empty() ? errors
                                       : std::string("the server closed the connection"));
            }
            ERR_clear_error();
            SSL_free(ssl);
            return nullptr;
        }
        const unsigned char *proto = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(ssl, &proto, &length);
        if (upstream.http1) {
            // A server without ALPN speaks HTTP/1.1 over TLS anyway.
            if (length != 0 && (length != 8 || std::memcmp(proto, "http/1.1", 8) != 0)) {
                attempt.error = "the server at " + upstream.target +
                                " did not agree to HTTP/1.1 over TLS (ALPN http/1.1)";
                SSL_free(ssl);
                return nullptr;
            }
        } else if (length != 2 || std::memcmp(proto, "h2", 2) != 0) {
            attempt.error =
                "the server at " + upstream.target + " did not agree to HTTP/2 over TLS (ALPN h2)";
            SSL_free(ssl);
            return nullptr;
        }
        return ssl;
    }

    // Reaches the server the way the client would have: through the proxy, then TLS.
    // Returns the socket (and session), or -1 with `attempt.error` saying why.
    int open(Attempt &attempt, SSL **ssl)
    {
        int fd = -1;
        if (upstream.proxy) {
            const ProxyRoute &proxy = *upstream.proxy;
            const auto at = parseTarget(proxy.address);
            fd = at ? connectTo(*at, "the proxy " + proxy.url + " (" + proxy.source + ")", attempt) : -1;
            if (fd >= 0 && !openTunnel(fd, proxy, attempt)) {
                close(fd);
                fd = -1;
            }
        } else {
            fd = connectTo(server, upstream.target, attempt);
        }
        if (fd >= 0 && upstream.tls.enabled && !(*ssl = handshake(fd, attempt))) {
            close(fd);
            fd = -1;
        }
        return fd;
    }

    void accept(std::vector<WireEvent> *batch)
    {
        const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        Attempt attempt;
        attempt.timeoutMs = upstream.connectTimeoutMs > 0 ? upstream.connectTimeoutMs : 60000;
        attempt.deadline = Clock::now() + std::chrono::milliseconds(attempt.timeoutMs);
        attempt.stopFd = wakeRead;
        SSL *ssl = nullptr;
        const int up = open(attempt, &ssl);
        if (up < 0) {
            if (!attempt.stopped) {
                WireEvent e;
                e.kind = WireEvent::Kind::Error;
                e.connecting = true;
                e.connection = nextId++;
                e.timeNs = monotonicNs();
                e.error = attempt.error;
                batch->push_back(std::move(e));
                push(std::exchange(*batch, {})); // reported before the client sees the close
            }
            close(fd); // the client sees the connection fail, as it would without the tap
            return;
        }
        setNoDelay(fd);
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
    TapUpstream to;
    to.target = upstream;
    to.tls = tls;
    return start(to);
}

Result<std::string> Tap::start(const TapUpstream &upstream)
{
    if (m_impl->thread.joinable())
        return Error("the tap is already running");
    auto server = parseTarget(upstream.target);
    if (!server)
        return Error("the wire tap cannot relay to " + upstream.target + ": " + server.error().message);
    if (upstream.tls.enabled) {
        auto ctx = makeContext(upstream.tls, upstream.http1);
        if (!ctx)
            return ctx.error();
        m_impl->sslContext = ctx.value();
    }
    m_impl->upstream = upstream;
    m_impl->server = std::move(server.value());
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

namespace {

void appendHeaders(std::string &line, const Metadata &headers)
{
    for (const auto &[k, v] : headers) {
        const bool binary = k.size() > 4 && k.compare(k.size() - 4, 4, "-bin") == 0;
        line += ' ' + k + '=' + (binary ? "<" + std::to_string(v.size()) + " bytes>" : v);
    }
}

void appendMessages(std::string &line, const std::vector<GrpcMessage> &messages)
{
    for (const auto &m : messages)
        line +=
            " grpc-message=" + std::to_string(m.bytes.size()) + "B" + (m.compressed ? "(compressed)" : "");
}

} // namespace

std::string describe(const WireEvent &e, std::int64_t startNs)
{
    char head[64];
    std::snprintf(head, sizeof head, "+%.3fms c%llu %s ", double(e.timeNs - startNs) / 1e6,
                  static_cast<unsigned long long>(e.connection),
                  e.direction == WireDirection::ClientToServer ? "->" : "<-");
    std::string line = head;
    if (e.kind == WireEvent::Kind::Closed)
        return line + "connection closed" + (e.error.empty() ? std::string() : ": " + e.error);
    if (e.kind == WireEvent::Kind::Error)
        return line + (e.connecting ? "connection failed: " : "cannot decode: ") + e.error;
    if (e.kind == WireEvent::Kind::Http1) {
        const Http1Part &p = e.http1;
        line += Http1Part::kindName(p.kind) + " #" + std::to_string(p.exchange);
        if (p.kind == Http1Part::Kind::Chunk)
            line += " size=" + std::to_string(p.size);
        else if (p.kind != Http1Part::Kind::End)
            line += " len=" + std::to_string(p.size);
        if (p.kind == Http1Part::Kind::Head)
            line += ' ' + p.startLine;
        appendHeaders(line, p.headers);
        appendMessages(line, e.messages);
        return line;
    }
    const Frame &f = e.frame;
    line += f.typeName() + " stream=" + std::to_string(f.streamId);
    const std::string flagText = f.flagNames();
    if (!flagText.empty())
        line += " flags=" + flagText;
    line += " len=" + std::to_string(f.length);
    appendHeaders(line, f.headers);
    for (const auto &[id, value] : f.settings)
        line += " setting[" + std::to_string(id) + "]=" + std::to_string(value);
    if (f.type == std::uint8_t(FrameType::WindowUpdate))
        line += " increment=" + std::to_string(f.windowIncrement);
    if (f.type == std::uint8_t(FrameType::RstStream) || f.type == std::uint8_t(FrameType::GoAway))
        line += " error=" + std::to_string(f.errorCode);
    appendMessages(line, e.messages);
    return line;
}

} // namespace rpc::wire
