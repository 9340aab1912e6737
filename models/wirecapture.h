// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"
#include "rpc/result.h"
#include "rpc/tap.h"
#include "rpc/types.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>
#include <string>

namespace models {

class Timeline;

// Puts wire taps in front of servers so the timeline can show the HTTP/2 frames (or HTTP/1.1
// heads and chunks) of calls.
// One tap per upstream, kept for the capture's lifetime; frames reach the timeline in batches
// on the owner's thread, like engine events through the bridge.
class WireCapture final : public QObject
{
    Q_OBJECT

public:
    explicit WireCapture(Timeline &timeline, QObject *parent = nullptr, int coalesceMs = 16);
    ~WireCapture() override;

    // Routes `request` through a tap: rewrites the target to the tap's address, keeps the
    // server's name as the :authority (or Host), and hands TLS (CA, client certificate, server
    // name, skip-verify) and the proxy to the tap. A gRPC-Web or Connect call keeps its path
    // prefix and HTTP version (rpc::wire::routeThroughTap). Returns the tap's id, or why this
    // call cannot be tapped (a target the tap cannot parse, an unreadable TLS file): the call
    // should then go directly, unchanged. A proxy setting that does not parse is an error here
    // too; the call fails with it when it goes directly.
    rpc::Result<quint64> route(rpc::CallRequest &request);

    // Takes whatever the taps have now (tests, and before exporting).
    void drainNow();
    // Why tap `tap` last failed a connection (a TLS handshake, a dead server), or empty.
    QString lastError(quint64 tap);

private:
    struct Entry;
    void scheduleDrain();

    Timeline &m_timeline;
    QTimer m_timer;
    std::atomic_bool m_scheduled{false};
    std::map<std::string, std::unique_ptr<Entry>> m_taps; // by upstream
    quint64 m_nextId = 1;
};

} // namespace models
