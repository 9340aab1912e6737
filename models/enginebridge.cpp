// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/enginebridge.h"

#include <QMetaObject>

namespace models {

EngineBridge::EngineBridge(rpc::Engine &engine, QObject *parent, int coalesceMs)
    : QObject(parent)
    , m_engine(engine)
{
    m_timer.setObjectName(QStringLiteral("engineEventsDrain")); // named for traces
    m_timer.setSingleShot(true);
    m_timer.setInterval(coalesceMs);
    connect(&m_timer, &QTimer::timeout, this, &EngineBridge::drain);
    // Runs on the engine thread: only post a queued call, never touch the bridge's state.
    m_engine.events().setNotifier([this] {
        if (!m_scheduled.exchange(true))
            QMetaObject::invokeMethod(this, &EngineBridge::scheduleDrain, Qt::QueuedConnection);
    });
}

EngineBridge::~EngineBridge()
{
    m_engine.events().setNotifier({});
}

void EngineBridge::scheduleDrain()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void EngineBridge::drain()
{
    m_scheduled = false;
    auto events = m_engine.events().drain();
    if (!events.empty())
        emit eventsArrived(events);
}

} // namespace models
