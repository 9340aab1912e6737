// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "requestsplitter.h"

#include "rpc/engine.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cli {

// Feeds one call's request messages from a file descriptor (standard input, for -d @) while
// they are being read, as grpcurl does. Reading happens on a thread of its own, so neither the
// engine nor the end of the program ever waits for input:
// - a client or bidi stream starts at once; each message is sent the moment it is complete,
//   and the end of the input half-closes the stream;
// - a unary or server-streaming call starts as soon as its one message is complete (with the
//   empty message when the input ends holding none); any further input is an error.
// Malformed input, a failed read or a message too many cancels the call (or keeps it from
// starting), and failure() says what and where.
class StdinFeed
{
public:
    enum class Start { Started, Failed, Expired };

    // `deadline` is when -max-time runs out; a call that starts later gets what is left of it.
    StdinFeed(rpc::Engine &engine, rpc::CallRequest request, rpc::MethodKind kind,
              RequestSplitter::Format format, std::optional<std::chrono::steady_clock::time_point> deadline,
              int fd = 0);
    ~StdinFeed(); // stop()

    StdinFeed(const StdinFeed &) = delete;
    StdinFeed &operator=(const StdinFeed &) = delete;

    // Waits until the call has started or the input has failed, or until the deadline; a call
    // that has not started by then never starts (Expired).
    Start waitForStart();
    // Stops reading and joins the reader; idempotent. What is still unread stays unread.
    void stop();

    // What went wrong with the input, as the rest of a "Failed ..." line; empty if nothing did.
    std::string failure() const;
    // After stop(): which message of the input had this text and where it starts ("message 2,
    // which starts at 3:1"), to place an error the engine reports about a message it was sent.
    // Messages that encode the same way have the same text, so the first one with the failing
    // text is the one that failed. Empty when none matches.
    std::string whereIs(std::string_view text) const;

private:
    enum class State { Waiting, Started, Failed, Expired };
    struct Seen
    {
        std::size_t hash;
        int line;
        int column;
    };

    void run();
    // Hands over what one read completed; false once the feed is over.
    bool take(std::vector<RequestSplitter::Message> &found, bool ok, bool atEnd);
    bool startCall(std::vector<std::string> messages);
    // A unary or server-streaming call was given a second message starting there.
    bool failSecond(int line, int column, std::uint64_t offset);
    void fail(std::string what);
    std::string parseFailure(const rpc::Diagnostic &where) const;

    rpc::Engine &m_engine;
    rpc::CallRequest m_request; // until the call starts
    const std::uint64_t m_callId;
    const rpc::MethodKind m_kind;
    const bool m_streams; // the client sends a stream
    const std::optional<std::chrono::steady_clock::time_point> m_deadline;
    const int m_fd;
    int m_wake[2] = {-1, -1}; // a byte in the pipe stops the reader

    // The reader thread's own.
    RequestSplitter m_splitter;
    std::vector<Seen> m_seen;   // every message sent on a stream, in order
    std::string m_single;       // unary and server streaming: the one message, until the call starts
    std::size_t m_count = 0;    // messages read
    bool m_callStarted = false; // unary and server streaming: by this thread

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    State m_state = State::Waiting; // guarded by m_mutex
    std::string m_failure;          // guarded by m_mutex

    std::thread m_thread; // last: starts once everything above exists
};

} // namespace cli
