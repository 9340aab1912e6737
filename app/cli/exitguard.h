// SPDX-License-Identifier: GPL-3.0-or-later
// A bound on how long a command may take to shut down once its work is done.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cli {

// Declared before the objects whose destruction may block (the engine: gRPC's shutdown waits for
// every call, channel and thread it still counts), armed once the command's results are written.
// If those destructors have not returned within the grace time, the guard flushes the standard
// streams, says so on stderr, and ends the process with the command's exit code.
class ExitGuard
{
public:
    ExitGuard() = default;
    ~ExitGuard();
    ExitGuard(const ExitGuard &) = delete;
    ExitGuard &operator=(const ExitGuard &) = delete;

    void arm(int exitCode, std::chrono::milliseconds grace);

private:
    std::mutex m_mutex;
    std::condition_variable m_done;
    bool m_finished = false;
    std::thread m_thread;
};

} // namespace cli
