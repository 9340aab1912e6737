// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <vector>

namespace models {

// Carries engine events to the thread that owns this object. The engine only posts a wake-up
// when its queue goes from empty to non-empty; the bridge then waits one coalescing interval
// and takes everything pending, so a fast stream costs one signal per interval, not per
// message.
class EngineBridge final : public QObject
{
    Q_OBJECT

public:
    explicit EngineBridge(rpc::Engine &engine, QObject *parent = nullptr, int coalesceMs = 16);
    ~EngineBridge() override;

    rpc::Engine &engine() { return m_engine; }
    // Call ids for this engine, unique for the bridge's lifetime.
    std::uint64_t nextCallId() { return m_nextCallId++; }

signals:
    // Events in the order the engine produced them. Receivers are connected directly (same
    // thread) and may move out the payloads of events that belong to them: every event
    // belongs to one call, and each call to one receiver, so big messages are never copied.
    void eventsArrived(std::vector<rpc::CallEvent> &events);

private:
    void scheduleDrain();
    void drain();

    rpc::Engine &m_engine;
    QTimer m_timer;
    std::atomic_bool m_scheduled{false};
    std::uint64_t m_nextCallId = 1;
};

} // namespace models
