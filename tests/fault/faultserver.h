// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Servers that misbehave on purpose, on raw sockets: each speaks just enough HTTP/2 (or not) to
// put a client into one failure. For the fault suite: whatever they send, Wirescope must end with
// a clear error and the documented exit code, never by a signal, and never hang.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace faults {

enum class Behaviour {
    Silent,            // accepts, reads, never writes a byte
    SettingsThenClose, // sends its SETTINGS, then closes the connection
    GoAway,            // SETTINGS, then GOAWAY (ENHANCE_YOUR_CALM) with debug data, on the first request
    RstStream,         // SETTINGS, then RST_STREAM (INTERNAL_ERROR) on each request's stream
    OversizedFrame,    // SETTINGS, then a frame far larger than the default maximum frame size
    Http1,             // answers as an HTTP/1.1 server: 400 Bad Request, then closes
    Garbage,           // writes bytes that are not HTTP/2 at all, then closes
    CloseMidResponse,  // SETTINGS, response HEADERS and half a gRPC message, then closes
    GarbageMessage,    // a whole, well-framed response whose message bytes are not a valid message
};

const char *behaviourName(Behaviour b);

// The debug data GoAway sends, so tests can look for it in the error.
inline constexpr const char *kGoAwayDebug = "fault-server: going away for maintenance";

class FaultServer
{
public:
    explicit FaultServer(Behaviour behaviour);
    ~FaultServer(); // closes every connection and joins the threads
    FaultServer(const FaultServer &) = delete;
    FaultServer &operator=(const FaultServer &) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
    int connectionsAccepted() const { return m_accepted.load(); }

private:
    void acceptLoop();
    void serve(int fd);

    Behaviour m_behaviour;
    int m_listen = -1;
    int m_stopPipe[2] = {-1, -1};
    int m_port = 0;
    std::atomic<int> m_accepted{0};
    std::atomic<bool> m_stopping{false};
    std::thread m_acceptor;
    std::mutex m_mutex;
    std::vector<std::thread> m_connections;
    std::vector<int> m_fds;
};

} // namespace faults
