// SPDX-License-Identifier: GPL-3.0-or-later
#include "exitguard.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace cli {

void ExitGuard::arm(int exitCode, std::chrono::milliseconds grace)
{
    if (m_thread.joinable())
        return;
    std::cout.flush();
    m_thread = std::thread([this, exitCode, grace] {
        std::unique_lock lock(m_mutex);
        if (m_done.wait_for(lock, grace, [this] { return m_finished; }))
            return;
        std::cout.flush();
        std::fflush(nullptr);
        std::cerr << "Shutting down took longer than " << grace.count() / 1000.0
                  << " s (gRPC still holds calls or threads); exiting without waiting.\n";
        std::_Exit(exitCode);
    });
}

ExitGuard::~ExitGuard()
{
    {
        std::lock_guard lock(m_mutex);
        m_finished = true;
    }
    m_done.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

} // namespace cli
