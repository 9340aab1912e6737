// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline: the tap's frames and HTTP/1.1 parts, their connection lanes, and how a call is matched
// to its stream or exchange.
#include "models/timeline.h"

#include "timeline_p.h"

#include <algorithm>

namespace models {

namespace {

QString settingName(std::uint16_t id)
{
    switch (id) {
    case 1:
        return QStringLiteral("HEADER_TABLE_SIZE");
    case 2:
        return QStringLiteral("ENABLE_PUSH");
    case 3:
        return QStringLiteral("MAX_CONCURRENT_STREAMS");
    case 4:
        return QStringLiteral("INITIAL_WINDOW_SIZE");
    case 5:
        return QStringLiteral("MAX_FRAME_SIZE");
    case 6:
        return QStringLiteral("MAX_HEADER_LIST_SIZE");
    case 8:
        return QStringLiteral("ENABLE_CONNECT_PROTOCOL");
    default:
        return QStringLiteral("0x%1").arg(id, 0, 16);
    }
}

// What the waiting events hold in memory, roughly: frame payloads and the messages they completed.
std::size_t heldBytes(const rpc::wire::WireEvent *begin, const rpc::wire::WireEvent *end)
{
    std::size_t bytes = 0;
    for (const auto *e = begin; e != end; ++e) {
        bytes += e->frame.payload.size();
        for (const auto &m : e->messages)
            bytes += m.bytes.size();
    }
    return bytes;
}

} // namespace

quint64 Timeline::storeFrame(Frame &f, const rpc::wire::WireEvent &e, bool onCallLane)
{
    f.messages = quint8(std::min<std::size_t>(e.messages.size(), 255));
    if (!e.messages.empty())
        f.span = quint16(std::min<std::size_t>(e.messages.front().frames, 0xffff));
    m_frames.push_back(f);
    m_lanes[f.lane].lastNs = std::max(m_lanes[f.lane].lastNs, f.timeNs);
    m_lastNs = std::max(m_lastNs, f.timeNs);
    const quint64 frameId = endFrameId() - 1;
    // The messages it completed wait for the engine's message events of the call, in order.
    if (onCallLane && !e.messages.empty()) {
        CallState &state = *m_calls[f.lane];
        const int dir = f.outbound ? 0 : 1;
        for (std::size_t i = 0; i < e.messages.size(); ++i)
            state.pendingWire[dir].push_back(frameId);
        linkMessages(f.lane, dir);
    }
    return frameId;
}

quint32 Timeline::connectionLane(quint64 tap, std::uint64_t connection, bool create)
{
    const auto key = std::make_pair(tap, connection);
    if (const auto it = m_connectionLanes.find(key); it != m_connectionLanes.end())
        return it->second;
    if (!create)
        return ~0u;
    Lane lane;
    lane.kind = Lane::Kind::Connection;
    lane.connection = quint32(m_connectionLanes.size() + 1);
    lane.startNs = rpc::monotonicNs();
    const auto index = quint32(m_lanes.size());
    m_lanes.push_back(std::move(lane));
    m_calls.push_back(nullptr);
    m_connectionLanes[key] = index;
    return index;
}

quint32 Timeline::laneOfStream(quint32 connLane, quint32 stream) const
{
    const auto it = m_streamLanes.find({connLane, stream});
    return it == m_streamLanes.end() ? ~0u : it->second;
}

Timeline::Match Timeline::matchStream(quint64 tap, quint32 connLane, const std::string &path, quint32 stream,
                                      qint64 timeNs, bool force, const std::string &requestLine)
{
    // Calls open their streams in the order they start, so the oldest call with this path on
    // this tap that has no stream yet owns the new one: the oldest of those that can still open
    // one. Not every call that started reaches the wire, so order alone would give a stream to
    // a call that never sent anything and every later stream to the call before its own. The
    // tap passes the client's bytes unchanged, so no mark of our own can tie a stream to its call.
    // A web call's URL may put a prefix before the path.
    for (std::size_t i = 0; i < m_lanes.size(); ++i) {
        CallState *state = m_calls[i].get();
        if (!state || state->matched || state->tap != tap)
            continue;
        const std::string own = state->method.path();
        if (path.size() < own.size() || path.compare(path.size() - own.size(), own.size(), own) != 0)
            continue;
        const bool finished = state->finishedNs >= 0;
        // Rejected before anything was sent (a field its message lacks, a header gRPC refuses).
        if (finished && !state->started)
            continue;
        // Ended before this stream was opened without a word from the server: its connection
        // failed, or it was cancelled while connecting.
        if (finished && !state->answered && state->finishedNs < timeNs)
            continue;
        // The engine's events of a call come in batches of their own, maybe after the frames of
        // a later call: its Started, or its rejection, is on its way (the engine reports it
        // before the next call is handed over).
        if (!finished && !state->started && !force)
            return Match::Undecided;
        state->matched = true;
        Lane &lane = m_lanes[i];
        lane.connection = m_lanes[connLane].connection;
        lane.streamId = stream;
        lane.exchange = QString::fromStdString(requestLine);
        m_streamLanes[{connLane, stream}] = quint32(i);
        return Match::Matched;
    }
    return Match::NoCall;
}

// An HTTP/1.1 head, chunk, body piece or end: on the lane of its exchange, whose request head
// names the call's path.
bool Timeline::addHttp1Part(Frame &f, const rpc::wire::WireEvent &e, quint32 connLane, quint64 tap,
                            bool force, bool *lanesTouched)
{
    using Kind = rpc::wire::Http1Part::Kind;
    const rpc::wire::Http1Part &part = e.http1;
    f.http1 = true;
    f.type = quint8(part.kind);
    f.streamId = part.exchange;
    f.length = quint32(std::min<std::uint64_t>(part.size, 0xffffffffu));
    f.flags = quint8((part.endsMessage ? EndsMessage : 0) | (part.interim ? Interim : 0));
    if (part.kind == Kind::Head) {
        const std::string &line = part.startLine;
        if (f.outbound && laneOfStream(connLane, part.exchange) == ~0u) {
            const auto a = line.find(' ');
            const auto b = a == std::string::npos ? a : line.find(' ', a + 1);
            std::string path = b == std::string::npos ? std::string() : line.substr(a + 1, b - a - 1);
            path = path.substr(0, path.find('?'));
            if (matchStream(tap, connLane, path, part.exchange, e.timeNs, force, line) == Match::Undecided)
                return false;
            *lanesTouched = true;
        }
        f.text = storeText(line + '\n' + metadataLines(part.headers));
    } else if (part.kind == Kind::End && !part.headers.empty()) {
        f.text = storeText(metadataLines(part.headers));
    }
    if (const quint32 lane = laneOfStream(connLane, part.exchange); lane != ~0u)
        f.lane = lane;
    return true;
}

void Timeline::addWireEvents(quint64 tap, const QString &upstream, std::vector<rpc::wire::WireEvent> &events)
{
    if (const auto it = m_waitingWire.find(tap); it != m_waitingWire.end()) {
        WaitingWire &waiting = it->second;
        waiting.bytes += heldBytes(events.data(), events.data() + events.size());
        waiting.events.insert(waiting.events.end(), std::make_move_iterator(events.begin()),
                              std::make_move_iterator(events.end()));
        storeWaitingWire(tap);
        return;
    }
    storeWireEvents(tap, upstream, events, false);
}

void Timeline::storeWaitingWire(quint64 tap)
{
    auto node = m_waitingWire.extract(tap);
    if (node.empty())
        return;
    // The events that decide come one bridge interval later at most; a call that never gets
    // any (a timeline fed by hand) must not hold the wire view, or memory, for good: past these
    // its stream is given by order alone, as if it went out.
    constexpr std::size_t kMaxWaitingEvents = 20'000;
    constexpr std::size_t kMaxWaitingBytes = std::size_t{64} << 20;
    WaitingWire &waiting = node.mapped();
    storeWireEvents(tap, waiting.upstream, waiting.events,
                    waiting.events.size() > kMaxWaitingEvents || waiting.bytes > kMaxWaitingBytes);
}

void Timeline::storeWireEvents(quint64 tap, const QString &upstream,
                               std::vector<rpc::wire::WireEvent> &events, bool force)
{
    using rpc::wire::FrameType;
    using rpc::wire::WireEvent;
    const quint64 firstFrame = endFrameId();
    const quint64 firstItem = endItemId();
    bool lanesTouched = false;
    std::size_t stored = 0;
    for (; stored < events.size(); ++stored) {
        WireEvent &e = events[stored];
        const bool fresh = m_connectionLanes.find({tap, e.connection}) == m_connectionLanes.end();
        const quint32 connLane = connectionLane(tap, e.connection, true);
        if (fresh) {
            m_lanes[connLane].target = upstream;
            m_lanes[connLane].startNs = e.timeNs;
            lanesTouched = true;
        }
        if (e.kind == WireEvent::Kind::Closed) {
            m_lanes[connLane].endNs = e.timeNs;
            lanesTouched = true;
            continue;
        }
        Frame f;
        f.timeNs = e.timeNs;
        f.connection = m_lanes[connLane].connection;
        f.outbound = e.direction == rpc::wire::WireDirection::ClientToServer;
        f.lane = connLane;
        if (e.kind == WireEvent::Kind::Error) {
            f.decodeError = true;
            f.text = storeText(e.error);
            m_lanes[connLane].status.message = e.error;
            m_frames.push_back(f);
            Item item;
            item.timeNs = e.timeNs;
            item.lane = connLane;
            item.kind = ItemKind::ConnectionFrame;
            item.direction = f.outbound ? Direction::Outbound : Direction::Inbound;
            item.ref = endFrameId() - 1;
            appendItem(item);
            continue;
        }
        if (e.kind == WireEvent::Kind::Http1) {
            if (!addHttp1Part(f, e, connLane, tap, force, &lanesTouched))
                break;
            storeFrame(f, e, f.lane != connLane);
            continue;
        }
        const rpc::wire::Frame &wf = e.frame;
        const auto type = FrameType(wf.type);
        if (f.outbound && type == FrameType::Headers && wf.endsHeaderBlock && wf.streamId &&
            laneOfStream(connLane, wf.streamId) == ~0u) {
            std::string path;
            for (const auto &[k, v] : wf.headers) {
                if (k == ":path")
                    path = v;
            }
            if (matchStream(tap, connLane, path, wf.streamId, e.timeNs, force) == Match::Undecided)
                break;
            lanesTouched = true;
        }
        f.streamId = wf.streamId;
        f.length = wf.length;
        f.type = wf.type;
        f.flags = wf.flags;
        const quint32 streamLane = wf.streamId ? laneOfStream(connLane, wf.streamId) : ~0u;
        if (streamLane != ~0u)
            f.lane = streamLane;
        switch (type) {
        case FrameType::RstStream:
        case FrameType::GoAway:
            f.value = wf.errorCode;
            if (type == FrameType::GoAway) {
                std::string text = "last stream " + std::to_string(wf.lastStreamId);
                if (wf.payload.size() > 8)
                    text += ", " + wf.payload.substr(8);
                f.text = storeText(std::move(text));
            }
            break;
        case FrameType::WindowUpdate:
            f.value = wf.windowIncrement;
            break;
        case FrameType::Settings: {
            std::string text;
            for (const auto &[id, value] : wf.settings)
                text += settingName(id).toStdString() + '=' + std::to_string(value) + '\n';
            if (!text.empty())
                f.text = storeText(std::move(text));
            break;
        }
        case FrameType::Headers:
        case FrameType::PushPromise:
        case FrameType::Continuation:
            if (wf.endsHeaderBlock && !wf.headers.empty())
                f.text = storeText(metadataLines(wf.headers));
            break;
        case FrameType::Ping: {
            static const char hex[] = "0123456789abcdef";
            std::string text = "opaque ";
            for (unsigned char c : wf.payload.substr(0, 8)) {
                text += hex[c >> 4];
                text += hex[c & 15];
            }
            f.text = storeText(std::move(text));
            break;
        }
        default:
            break;
        }
        const quint64 frameId = storeFrame(f, e, streamLane != ~0u);
        // Stream 0 frames belong to the connection lane; a reset ends its call's stream.
        if (wf.streamId == 0 || (type == FrameType::RstStream && streamLane != ~0u)) {
            Item item;
            item.timeNs = e.timeNs;
            item.lane = wf.streamId == 0 ? connLane : streamLane;
            item.size = wf.length;
            item.kind = wf.streamId == 0 ? ItemKind::ConnectionFrame : ItemKind::StreamReset;
            item.direction = f.outbound ? Direction::Outbound : Direction::Inbound;
            item.ref = frameId;
            appendItem(item);
        }
    }
    // The rest waits, set aside before any signal: a receiver that drains the taps again then
    // adds to it rather than storing ahead of it.
    if (stored < events.size()) {
        WaitingWire &waiting = m_waitingWire[tap];
        waiting.upstream = upstream;
        waiting.bytes = heldBytes(events.data() + stored, events.data() + events.size());
        waiting.events.assign(std::make_move_iterator(events.begin() + std::ptrdiff_t(stored)),
                              std::make_move_iterator(events.end()));
    }
    enforceRetention();
    if (lanesTouched)
        emit lanesChanged();
    if (endFrameId() > firstFrame)
        emit framesAppended(std::max(firstFrame, m_firstFrame));
    if (endItemId() > firstItem)
        emit itemsAppended(std::max(firstItem, m_firstItem));
}

} // namespace models
