// SPDX-License-Identifier: GPL-3.0-or-later
#include "stdinfeed.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <poll.h>
#include <unistd.h>

namespace cli {

StdinFeed::StdinFeed(rpc::Engine &engine, rpc::CallRequest request, rpc::MethodKind kind,
                     RequestSplitter::Format format,
                     std::optional<std::chrono::steady_clock::time_point> deadline, int fd)
    : m_engine(engine)
    , m_request(std::move(request))
    , m_callId(m_request.callId)
    , m_kind(kind)
    , m_streams(kind == rpc::MethodKind::ClientStreaming || kind == rpc::MethodKind::BidiStreaming)
    , m_deadline(deadline)
    , m_fd(fd)
    , m_splitter(format)
{
    if (::pipe(m_wake) != 0) { // pipe2 is Linux-only
        m_wake[0] = m_wake[1] = -1;
        m_state = State::Failed;
        m_failure = std::string("to read request data from standard input: ") + std::strerror(errno);
        return;
    }
    for (int fd : m_wake)
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (m_streams) {
        // The stream opens before anything is read, as grpcurl's does; its deadline counts from here.
        m_request.messages.clear();
        m_request.closeAfterMessages = false;
        if (!startCall({}))
            return;
    }
    m_thread = std::thread([this] { run(); });
}

StdinFeed::~StdinFeed()
{
    stop();
    for (int fd : m_wake)
        if (fd >= 0)
            ::close(fd);
}

void StdinFeed::stop()
{
    if (!m_thread.joinable())
        return;
    const char byte = 1;
    while (::write(m_wake[1], &byte, 1) < 0 && errno == EINTR) {
    }
    m_thread.join();
}

StdinFeed::Start StdinFeed::waitForStart()
{
    std::unique_lock lock(m_mutex);
    const auto decided = [this] { return m_state != State::Waiting; };
    if (m_deadline) {
        if (!m_cv.wait_until(lock, *m_deadline, decided))
            m_state = State::Expired;
    } else {
        m_cv.wait(lock, decided);
    }
    return m_state == State::Started  ? Start::Started
           : m_state == State::Failed ? Start::Failed
                                      : Start::Expired;
}

std::string StdinFeed::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

std::string StdinFeed::whereIs(std::string_view text) const
{
    const std::size_t hash = std::hash<std::string_view>{}(text);
    for (std::size_t i = 0; i < m_seen.size(); ++i) {
        if (m_seen[i].hash == hash)
            return "message " + std::to_string(i + 1) + ", which starts at " +
                   std::to_string(m_seen[i].line) + ":" + std::to_string(m_seen[i].column);
    }
    return {};
}

bool StdinFeed::startCall(std::vector<std::string> messages)
{
    std::lock_guard lock(m_mutex);
    if (m_state != State::Waiting)
        return false; // the deadline passed while the message was being read
    if (m_deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            *m_deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            m_state = State::Expired;
            m_cv.notify_all();
            return false;
        }
        m_request.deadlineMs = left.count();
    }
    m_request.messages = std::move(messages);
    m_engine.start(std::move(m_request));
    m_state = State::Started;
    m_cv.notify_all();
    return true;
}

void StdinFeed::fail(std::string what)
{
    std::lock_guard lock(m_mutex);
    if (!m_failure.empty())
        return;
    m_failure = std::move(what);
    if (m_state == State::Started)
        m_engine.cancel(m_callId);
    else if (m_state == State::Waiting)
        m_state = State::Failed;
    m_cv.notify_all();
}

std::string StdinFeed::parseFailure(const rpc::Diagnostic &where) const
{
    return "to parse request data (-d): " + where.toString();
}

void StdinFeed::run()
{
    // 64 KiB is what a pipe holds on Linux: one read takes all a writer has put in it.
    std::vector<char> buffer(64 * 1024);
    std::vector<RequestSplitter::Message> found;
    for (;;) {
        pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return fail(std::string("to read request data from standard input: ") + std::strerror(errno));
        }
        if (fds[1].revents)
            return; // stop()
        if (!fds[0].revents)
            continue;
        const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return fail(std::string("to read request data from standard input: ") + std::strerror(errno));
        }
        const bool ok = n == 0 ? m_splitter.finish(&found)
                               : m_splitter.feed({buffer.data(), static_cast<std::size_t>(n)}, &found);
        if (!take(found, ok, n == 0) || n == 0)
            return;
        found.clear();
    }
}

bool StdinFeed::take(std::vector<RequestSplitter::Message> &found, bool ok, bool atEnd)
{
    if (m_streams) {
        for (auto &m : found) {
            m_seen.push_back({std::hash<std::string_view>{}(m.text), m.line, m.column});
            m_engine.send(m_callId, std::move(m.text));
        }
        m_count += found.size();
        if (!ok) {
            fail(parseFailure(m_splitter.error()));
            return false;
        }
        if (atEnd)
            m_engine.halfClose(m_callId);
        return true;
    }

    // One message: it starts the call, and a second one is an error wherever it begins.
    for (auto &m : found) {
        if (++m_count == 1) {
            m_single = std::move(m.text);
            continue;
        }
        return failSecond(m.line, m.column, m.offset);
    }
    if (!ok) {
        fail(parseFailure(m_splitter.error()));
        return false;
    }
    if (m_count == 1 && m_splitter.inMessage())
        return failSecond(m_splitter.messageLine(), m_splitter.messageColumn(), m_splitter.messageOffset());
    if (!m_callStarted && (m_count == 1 || atEnd)) {
        std::vector<std::string> messages;
        if (m_count == 1)
            messages.push_back(std::move(m_single));
        m_callStarted = startCall(std::move(messages));
        return m_callStarted;
    }
    return true;
}

bool StdinFeed::failSecond(int line, int column, std::uint64_t offset)
{
    rpc::Diagnostic second;
    second.line = line;
    second.column = column;
    second.offset = static_cast<std::int64_t>(offset);
    second.message = std::string("a ") + rpc::methodKindName(m_kind) +
                     " call takes one request message, and a second one starts here";
    fail(parseFailure(second));
    return false;
}

} // namespace cli
