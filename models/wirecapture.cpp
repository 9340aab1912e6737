#include "models/wirecapture.h"

#include "models/timeline.h"

#include <QMetaObject>

namespace models {

struct WireCapture::Entry
{
    quint64 id = 0;
    QString upstream;
    std::string address;
    rpc::wire::Tap tap;
};

WireCapture::WireCapture(Timeline &timeline, QObject *parent, int coalesceMs)
    : QObject(parent)
    , m_timeline(timeline)
{
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

rpc::Result<quint64> WireCapture::route(rpc::ChannelOptions &channel)
{
    if (!channel.plaintext)
        return rpc::Error("the wire view taps plaintext connections only for now; this TLS call goes "
                          "directly to the server and shows its call events without frames");
    auto &entry = m_taps[channel.target];
    if (!entry) {
        auto fresh = std::make_unique<Entry>();
        fresh->id = m_nextId++;
        fresh->upstream = QString::fromStdString(channel.target);
        // Runs on the tap's thread: only post, as the engine bridge does.
        fresh->tap.setNotifier([this] {
            if (!m_scheduled.exchange(true))
                QMetaObject::invokeMethod(this, &WireCapture::scheduleDrain, Qt::QueuedConnection);
        });
        auto address = fresh->tap.start(channel.target);
        if (!address) {
            m_taps.erase(channel.target);
            return rpc::Error("cannot tap the wire: " + address.error().message);
        }
        fresh->address = address.value();
        entry = std::move(fresh);
    }
    if (channel.authority.empty())
        channel.authority = channel.target;
    channel.target = entry->address;
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
        if (!events.empty())
            m_timeline.addWireEvents(entry->id, entry->upstream, events);
    }
}

} // namespace models
