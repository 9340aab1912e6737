// SPDX-License-Identifier: GPL-3.0-or-later
// How the wire tap reaches the server it relays to (rpc/internal/tapconnect.h).
#include "rpc/internal/tapconnect.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace rpc::wire {

void setNoDelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string errnoText(int error)
{
    return std::generic_category().message(error);
}

Wait waitFor(int fd, short events, Clock::time_point deadline, int stopFd)
{
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return Wait::TimedOut;
        pollfd fds[2] = {{fd, events, 0}, {stopFd, POLLIN, 0}};
        const int rc = poll(fds, 2, int(std::min<long long>(left, 1 << 30)));
        if (rc < 0 && errno == EINTR)
            continue;
        if (fds[1].revents)
            return Wait::Stopped;
        if (rc != 0)
            return Wait::Ready;
    }
}

namespace {

// A connected, non-blocking socket to one address, or -1 and why.
int connectAddress(const sockaddr *address, socklen_t length, const std::string &name, Attempt &attempt)
{
    const int fd = socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        attempt.error = "cannot connect to " + name + ": " + errnoText(errno);
        return -1;
    }
    int rc = connect(fd, address, length);
    if (rc != 0 && (errno == EINPROGRESS || errno == EAGAIN)) {
        if (!attempt.wait(fd, POLLOUT, "cannot connect to " + name)) {
            close(fd);
            return -1;
        }
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        errno = error;
        rc = error == 0 ? 0 : -1;
    }
    if (rc != 0) {
        // Refused is the common case (nothing listens there): said as plainly as possible.
        attempt.error = errno == ECONNREFUSED ? "connection refused by " + name
                                              : "cannot connect to " + name + ": " + errnoText(errno);
        close(fd);
        return -1;
    }
    return fd;
}

} // namespace

// Connects to a TCP host:port or a unix socket (non-blocking from then on).
int connectTo(const TargetAddress &to, const std::string &name, Attempt &attempt)
{
    if (to.kind != TargetAddress::Kind::Tcp) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const bool abstract = to.kind == TargetAddress::Kind::UnixAbstract;
        const std::size_t offset = abstract ? 1 : 0; // an abstract name starts with a NUL byte
        if (to.path.size() + offset >= sizeof address.sun_path) {
            attempt.error = "cannot connect to " + name + ": the socket name is longer than " +
                            std::to_string(sizeof address.sun_path - 1 - offset) + " bytes";
            return -1;
        }
        std::memcpy(address.sun_path + offset, to.path.data(), to.path.size());
        const auto length =
            socklen_t(offsetof(sockaddr_un, sun_path) + offset + to.path.size() + (abstract ? 0 : 1));
        return connectAddress(reinterpret_cast<const sockaddr *>(&address), length, name, attempt);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    if (int rc = getaddrinfo(to.host.c_str(), to.port.c_str(), &hints, &res); rc != 0) {
        attempt.error = "cannot resolve " + name + ": " + gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (addrinfo *a = res; a && fd < 0 && !attempt.stopped; a = a->ai_next)
        fd = connectAddress(a->ai_addr, a->ai_addrlen, name, attempt);
    freeaddrinfo(res);
    if (fd >= 0)
        setNoDelay(fd);
    return fd;
}

bool sendAll(int fd, const std::string &bytes, const std::string &what, Attempt &attempt)
{
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += std::size_t(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!attempt.wait(fd, POLLOUT, what))
                return false;
        } else {
            attempt.error = what + ": " + errnoText(errno);
            return false;
        }
    }
    return true;
}

// Asks the proxy on `fd` for a tunnel to the server. The answer is read byte by byte: what
// follows its blank line already belongs to the server.
bool openTunnel(int fd, const ProxyRoute &proxy, Attempt &attempt)
{
    const std::string named = "the proxy " + proxy.url + " (" + proxy.source + ")";
    std::string request = "CONNECT " + proxy.connectTo + " HTTP/1.1\r\nHost: " + proxy.connectTo + "\r\n";
    if (!proxy.authorization.empty())
        request += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    request += "\r\n";
    if (!sendAll(fd, request, "cannot send CONNECT to " + named, attempt))
        return false;
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
        if (head.size() > 16384) {
            attempt.error = named + " answered CONNECT with more than 16 KiB of headers";
            return false;
        }
        char c = 0;
        const ssize_t n = recv(fd, &c, 1, 0);
        if (n == 1) {
            head += c;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!attempt.wait(fd, POLLIN, named + " did not answer CONNECT to " + proxy.connectTo))
                return false;
        } else {
            attempt.error = named + " closed the connection instead of answering CONNECT to " +
                            proxy.connectTo + (n < 0 ? ": " + errnoText(errno) : std::string());
            return false;
        }
    }
    const std::string statusLine = head.substr(0, head.find("\r\n"));
    const auto space = statusLine.find(' ');
    int code = 0;
    if (statusLine.rfind("HTTP/1.", 0) == 0 && space != std::string::npos)
        code = std::atoi(statusLine.c_str() + space + 1);
    if (code >= 200 && code < 300)
        return true;
    if (code == 0) {
        attempt.error = named + " answered CONNECT with something other than HTTP: \"" + statusLine + "\"";
        return false;
    }
    const std::string answer = "HTTP " + statusLine.substr(space + 1);
    if (code == 407)
        attempt.error =
            named +
            (proxy.authorization.empty() ? " asks for credentials (" : " did not accept the credentials (") +
            answer + "): give them as http://USER:PASSWORD@HOST:PORT";
    else
        attempt.error = named + " refused CONNECT to " + proxy.connectTo + " (" + answer + ")";
    return false;
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

// The TLS client context for one tap: roots, client certificate, verification and ALPN (h2, or
// http/1.1 for an HTTP/1.1 tap).
Result<SSL_CTX *> makeContext(const TapTls &tls, bool http1)
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
            return fail("CA certificate file " + tls.caFile + " holds no certificate OpenSSL can read (" +
                        sslErrors() + ")");
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        return fail("the wire tap cannot load the system's root certificates: " + sslErrors());
    }
    if (!tls.certFile.empty() || !tls.keyFile.empty()) {
        // The key first: loading it after the certificate fails a key of another certificate
        // with OpenSSL's "key values mismatch"; this way the check below says it in words.
        if (SSL_CTX_use_PrivateKey_file(ctx, tls.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
            return fail("the wire tap cannot read the client key " + tls.keyFile + ": " + sslErrors());
        if (SSL_CTX_use_certificate_chain_file(ctx, tls.certFile.c_str()) != 1)
            return fail("the wire tap cannot read the client certificate " + tls.certFile + ": " +
                        sslErrors());
        if (SSL_CTX_check_private_key(ctx) != 1) {
            ERR_clear_error();
            return fail("client key " + tls.keyFile + " does not belong to the certificate " + tls.certFile);
        }
    }
    SSL_CTX_set_verify(ctx, tls.skipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
    static const unsigned char h2[] = {2, 'h', '2'};
    static const unsigned char h1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    if (http1)
        SSL_CTX_set_alpn_protos(ctx, h1, sizeof h1);
    else
        SSL_CTX_set_alpn_protos(ctx, h2, sizeof h2);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // A server that closes without close_notify (many do) has ended the connection, not
    // broken it: the client should see an end, as it would talking to the server itself.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return ctx;
}

} // namespace rpc::wire
