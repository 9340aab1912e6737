#include "rpc/eventqueue.h"

namespace rpc {

void EventQueue::setNotifier(std::function<void()> notifier)
{
    std::lock_guard lock(m_mutex);
    m_notifier = std::move(notifier);
}

void EventQueue::push(CallEvent event)
{
    std::function<void()> notify;
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_pending.empty();
        m_pending.push_back(std::move(event));
        if (wasEmpty)
            notify = m_notifier;
    }
    m_cv.notify_one();
    if (notify)
        notify();
}

void EventQueue::push(std::vector<CallEvent> events)
{
    if (events.empty())
        return;
    std::function<void()> notify;
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_pending.empty();
        if (wasEmpty) {
            m_pending = std::move(events);
        } else {
            for (auto &e : events)
                m_pending.push_back(std::move(e));
        }
        if (wasEmpty)
            notify = m_notifier;
    }
    m_cv.notify_one();
    if (notify)
        notify();
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
