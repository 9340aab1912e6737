// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// How the wire tap reaches the server it relays to: TCP or unix sockets with a deadline the tap
// can cut short, an HTTP CONNECT tunnel through a proxy, and the TLS context for the upstream
// side. Split from rpc/tap.cpp, which keeps the relay itself.

#include "rpc/tap.h"
#include "rpc/types.h"
#include "rpc/web.h"

#include <openssl/ssl.h>

#include <chrono>
#include <string>

namespace rpc::wire {

using Clock = std::chrono::steady_clock;

void setNoDelay(int fd);
std::string errnoText(int error);

enum class Wait { Ready, TimedOut, Stopped };

// Waits until `fd` is ready for `events` (or has an error), the deadline passes, or `stopFd`
// becomes readable (the tap is being destroyed).
Wait waitFor(int fd, short events, Clock::time_point deadline, int stopFd);

// One step of reaching the server, blocking the tap's thread but never beyond the deadline.
struct Attempt
{
    Clock::time_point deadline;
    int timeoutMs = 0;
    int stopFd = -1;
    std::string error;
    bool stopped = false;

    // False with `error` set (`what` names the step) when the wait did not end in readiness.
    bool wait(int fd, short events, const std::string &what)
    {
        switch (waitFor(fd, events, deadline, stopFd)) {
        case Wait::Ready:
            return true;
        case Wait::TimedOut:
            error = what + ": no answer within " + std::to_string(timeoutMs) + " ms";
            return false;
        case Wait::Stopped:
            stopped = true;
            error = "the tap is stopping";
            return false;
        }
        return false;
    }
};

// A connected, non-blocking socket to the target (each of its addresses in turn), or -1 and why.
int connectTo(const TargetAddress &to, const std::string &name, Attempt &attempt);
// Writes all of `bytes` before the deadline, or false with why (`what` names the step).
bool sendAll(int fd, const std::string &bytes, const std::string &what, Attempt &attempt);
// Asks the proxy on `fd` for a tunnel to the upstream, or false with why.
bool openTunnel(int fd, const ProxyRoute &proxy, Attempt &attempt);
// OpenSSL's queued errors as text.
std::string sslErrors();
// The client-side TLS context for the upstream connection.
Result<SSL_CTX *> makeContext(const TapTls &tls, bool http1);

} // namespace rpc::wire
