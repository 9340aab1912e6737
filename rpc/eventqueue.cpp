// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/eventqueue.h"

namespace rpc {

void EventQueue::setNotifier(std::function<void()> notifier)
{
    std::lock_guard lock(m_mutex);
    m_notifier = std::move(notifier);
}

// The notifier runs under the lock: setNotifier({}) then guarantees that no call to the old
// notifier is still running, so its owner may go away.
void EventQueue::push(CallEvent event)
{
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_pending.empty();
        m_pending.push_back(std::move(event));
        if (!wasEmpty)
            return; // the consumer has been woken already and will take this one too
        if (m_notifier)
            m_notifier();
    }
    m_cv.notify_one();
}

void EventQueue::push(std::vector<CallEvent> events)
{
    if (events.empty())
        return;
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_pending.empty();
        if (wasEmpty) {
            m_pending = std::move(events);
        } else {
            for (auto &e : events)
                m_pending.push_back(std::move(e));
        }
        if (!wasEmpty)
            return;
        if (m_notifier)
            m_notifier();
    }
    m_cv.notify_one();
}

std::vector<CallEvent> EventQueue::drain()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_pending, {});
}

std::vector<CallEvent> EventQueue::waitAndDrain(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, timeout, [this] { return !m_pending.empty(); });
    return std::exchange(m_pending, {});
}

} // namespace rpc
