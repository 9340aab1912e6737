// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/types.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace rpc {

// The engine's outbox. The engine pushes events in order; the consumer takes all pending
// events at once on its own thread, so a fast stream arrives in batches rather than one
// wake-up per message. The notifier runs on the engine's thread only when the queue goes
// from empty to non-empty, under the queue's lock: it should just schedule a drain (post to an
// event loop) and must not touch the queue.
class EventQueue
{
public:
    void setNotifier(std::function<void()> notifier);

    void push(CallEvent event);
    void push(std::vector<CallEvent> events);

    // Takes every pending event, oldest first.
    std::vector<CallEvent> drain();
    // Waits until an event is pending or the timeout passes, then drains.
    std::vector<CallEvent> waitAndDrain(std::chrono::milliseconds timeout);

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<CallEvent> m_pending;
    std::function<void()> m_notifier;
};

} // namespace rpc
