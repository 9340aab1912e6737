// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/wirecapture.h"

#include "models/timeline.h"

#include <QMetaObject>

namespace models {

struct WireCapture::Entry
{
    quint64 id = 0;
    QString upstream;
    std::string address;
    std::string lastError;
    rpc::wire::Tap tap;
};

WireCapture::WireCapture(Timeline &timeline, QObject *parent, int coalesceMs)
    : QObject(parent)
    , m_timeline(timeline)
{
    m_timer.setObjectName(QStringLiteral("wireFramesDrain")); // named for traces
    m_timer.setSingleShot(true);
    m_timer.setInterval(coalesceMs);
    connect(&m_timer, &QTimer::timeout, this, &WireCapture::drainNow);
}

WireCapture::~WireCapture()
{
    // Stop the notifiers first: a tap's thread must not post to a capture being destroyed.
    for (auto &[upstream, entry] : m_taps)
        entry->tap.setNotifier({});
}

rpc::Result<quint64> WireCapture::route(rpc::CallRequest &request)
{
    // The tap makes the TLS connection and the proxy's CONNECT with the call's settings, so
    // one tap per upstream, TLS settings, proxy and HTTP version; the call then speaks
    // plaintext to it.
    auto upstream = rpc::wire::tapUpstreamFor(request);
    if (!upstream)
        return rpc::Error("the call goes directly, without the wire view: " + upstream.error().message);
    const std::string key = upstream->key();
    auto &entry = m_taps[key];
    if (!entry) {
        auto fresh = std::make_unique<Entry>();
        fresh->id = m_nextId++;
        fresh->upstream = QString::fromStdString(request.channel.target);
        // Runs on the tap's thread: only post, as the engine bridge does.
        fresh->tap.setNotifier([this] {
            if (!m_scheduled.exchange(true))
                QMetaObject::invokeMethod(this, &WireCapture::scheduleDrain, Qt::QueuedConnection);
        });
        auto address = fresh->tap.start(upstream.value());
        if (!address) {
            m_taps.erase(key);
            return rpc::Error("the call goes directly, without the wire view: " + address.error().message);
        }
        fresh->address = address.value();
        entry = std::move(fresh);
    }
    entry->lastError.clear(); // what fails from now on concerns this call
    rpc::wire::routeThroughTap(request, entry->address);
    return entry->id;
}

void WireCapture::scheduleDrain()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void WireCapture::drainNow()
{
    m_scheduled = false;
    for (auto &[upstream, entry] : m_taps) {
        auto events = entry->tap.drain();
        for (const auto &e : events) {
            // A failed connection, a decoding error, or a server that broke the connection off;
            // the close that follows what could not be decoded does not hide it.
            if (e.kind == rpc::wire::WireEvent::Kind::Error)
                entry->lastError = e.error;
            else if (e.kind == rpc::wire::WireEvent::Kind::Closed && !e.error.empty() && entry->lastError.empty())
                entry->lastError = e.error;
        }
        if (!events.empty())
            m_timeline.addWireEvents(entry->id, entry->upstream, events);
    }
}

QString WireCapture::lastError(quint64 tap)
{
    drainNow();
    for (const auto &[key, entry] : m_taps) {
        if (entry->id == tap)
            return QString::fromStdString(entry->lastError);
    }
    return {};
}

} // namespace models
