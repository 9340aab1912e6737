// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline: lanes, the compact storage of items and payloads, the engine's call events, and
// retention. The tap's frames are in timeline_wire.cpp, reading it back in timeline_queries.cpp.
#include "models/timeline.h"

#include "timeline_p.h"

#include <algorithm>
#include <cstring>

namespace models {

namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
constexpr std::size_t kWholeBlockFrom = 64 * 1024;

} // namespace

QString Timeline::Lane::name() const
{
    if (kind == Kind::Connection)
        return tr("connection %1").arg(connection);
    return method.section(QLatin1Char('/'), -1);
}

QString Timeline::Lane::wireName() const
{
    if (!exchange.isEmpty())
        return exchange;
    return streamId ? tr("stream %1").arg(streamId) : QString();
}

QString Timeline::Lane::label() const
{
    if (kind == Kind::Connection)
        return name() + QStringLiteral(" · ") + target;
    const QString where = wireName();
    return where.isEmpty() ? name() : name() + QStringLiteral(" · ") + where;
}

qint64 Timeline::Lane::lifeEndNs(qint64 now) const
{
    if (running())
        return std::max(now, lastNs);
    return std::max({startNs, endNs, lastNs});
}

Timeline::Timeline(QObject *parent)
    : QObject(parent)
{}

Timeline::~Timeline() = default;

void Timeline::clear()
{
    m_lanes.clear();
    m_calls.clear();
    m_laneByCall.clear();
    m_connectionLanes.clear();
    m_streamLanes.clear();
    m_waitingWire.clear();
    m_firstItem = endItemId();
    m_items.clear();
    m_firstFrame = endFrameId();
    m_frames.clear();
    m_blocks.clear();
    m_firstMetadata += m_metadata.size();
    m_metadata.clear();
    m_firstText += m_texts.size();
    m_texts.clear();
    m_droppedItems = m_droppedFrames = 0;
    m_lastNs = 0;
    emit cleared();
    emit lanesChanged();
}

void Timeline::setRetention(qsizetype maxItems)
{
    m_retention = std::max<qsizetype>(1000, maxItems);
    enforceRetention();
}

int Timeline::laneForCall(quint64 callId) const
{
    const auto it = m_laneByCall.find(callId);
    return it == m_laneByCall.end() ? -1 : int(it->second);
}

quint32 Timeline::beginCall(const CallInfo &info)
{
    Lane lane;
    lane.kind = Lane::Kind::Call;
    lane.callId = info.callId;
    lane.method = QString::fromStdString(info.method.path()).mid(1);
    lane.target = info.target;
    lane.callKind = info.method.kind;
    lane.startNs = rpc::monotonicNs();
    lane.tapped = info.tap != 0;
    auto state = std::make_unique<CallState>();
    state->schema = info.schema;
    state->method = info.method;
    state->codec = info.codec;
    state->tap = info.tap;
    const auto index = quint32(m_lanes.size());
    m_lanes.push_back(std::move(lane));
    m_calls.push_back(std::move(state));
    m_laneByCall[info.callId] = index;
    emit lanesChanged();
    return index;
}

quint64 Timeline::appendItem(const Item &item)
{
    const quint64 id = endItemId();
    m_items.push_back(item);
    Lane &lane = m_lanes[item.lane];
    (isMessage(item.kind) ? lane.messages : lane.others).push_back(id);
    lane.lastNs = std::max(lane.lastNs, item.timeNs);
    m_lastNs = std::max(m_lastNs, item.timeNs);
    return id;
}

quint64 Timeline::storePayload(std::string bytes, quint8 *flags)
{
    const quint64 owner = endItemId();
    if (bytes.size() >= kWholeBlockFrom) {
        // A big message keeps its own buffer: swapped in, never copied. (A move assignment
        // here made gcc 12 warn of a copy out of bounds, -Warray-bounds, which it is not.)
        Block &block = m_blocks.emplace_back();
        block.start = m_arenaEnd;
        block.lastItem = owner;
        block.whole = true;
        block.bytes.swap(bytes);
        m_arenaEnd += block.bytes.size();
        *flags |= WholeBlock;
        return block.start;
    }
    const std::size_t need = sizeof(quint32) + bytes.size();
    if (m_blocks.empty() || m_blocks.back().whole || m_blocks.back().bytes.size() + need > kBlockBytes) {
        Block block;
        block.start = m_arenaEnd;
        block.bytes.reserve(kBlockBytes);
        m_blocks.push_back(std::move(block));
    }
    Block &block = m_blocks.back();
    const quint64 offset = block.start + block.bytes.size();
    const auto length = quint32(bytes.size());
    char prefix[sizeof length];
    std::memcpy(prefix, &length, sizeof length);
    block.bytes.append(prefix, sizeof prefix);
    block.bytes.append(bytes);
    block.lastItem = owner;
    m_arenaEnd = block.start + block.bytes.size();
    return offset;
}

quint64 Timeline::storeMetadata(rpc::Metadata metadata)
{
    m_metadata.emplace_back(endItemId(), std::move(metadata));
    return m_firstMetadata + m_metadata.size() - 1;
}

quint32 Timeline::storeText(std::string text)
{
    m_texts.emplace_back(endFrameId(), std::move(text));
    return quint32(m_firstText + m_texts.size()); // index + 1
}

void Timeline::addCallEvents(std::vector<rpc::CallEvent> &events)
{
    const quint64 firstNew = endItemId();
    bool lanesTouched = false;
    for (auto &e : events) {
        const auto found = m_laneByCall.find(e.callId);
        if (found == m_laneByCall.end())
            continue;
        const quint32 laneIndex = found->second;
        Lane &lane = m_lanes[laneIndex];
        CallState &state = *m_calls[laneIndex];
        Item item;
        item.timeNs = e.timeNs;
        item.lane = laneIndex;
        item.size = quint32(std::min<std::size_t>(e.wireSize, 0xffffffffu));
        item.direction = e.direction == rpc::Direction::Outbound  ? Direction::Outbound
                         : e.direction == rpc::Direction::Inbound ? Direction::Inbound
                                                                  : Direction::Local;
        switch (e.kind) {
        case rpc::EventKind::Started:
            state.started = true;
            lane.startNs = e.timeNs;
            item.kind = ItemKind::RequestHeaders;
            item.direction = Direction::Outbound;
            item.ref = storeMetadata(e.metadata);
            appendItem(item);
            break;
        case rpc::EventKind::MessageSent:
        case rpc::EventKind::MessageReceived: {
            item.kind =
                e.kind == rpc::EventKind::MessageSent ? ItemKind::MessageSent : ItemKind::MessageReceived;
            if (!e.error.empty()) {
                item.flags |= Failed;
                item.ref = storePayload(std::move(e.error), &item.flags);
            } else if (e.undecoded) {
                item.flags |= Undecoded;
                item.ref = storePayload(std::move(e.raw), &item.flags);
            } else {
                item.ref = storePayload(std::move(e.payload), &item.flags);
            }
            const quint64 id = appendItem(item);
            state.answered = state.answered || item.kind == ItemKind::MessageReceived;
            if (state.tap && item.direction != Direction::Local) {
                const int dir = item.kind == ItemKind::MessageSent ? 0 : 1;
                state.pendingItems[dir].push_back(id);
                linkMessages(laneIndex, dir);
            }
            break;
        }
        case rpc::EventKind::HalfClosed:
            item.kind = ItemKind::HalfClosed;
            item.direction = Direction::Outbound;
            appendItem(item);
            break;
        case rpc::EventKind::ResponseHeaders:
            state.answered = true;
            item.kind = ItemKind::ResponseHeaders;
            item.direction = Direction::Inbound;
            item.ref = storeMetadata(e.metadata);
            appendItem(item);
            break;
        case rpc::EventKind::Finished:
            item.kind = ItemKind::Trailers;
            item.direction = e.status.local ? Direction::Local : Direction::Inbound;
            item.ref = storeMetadata(e.metadata);
            appendItem(item);
            lane.endNs = e.timeNs;
            state.finishedNs = e.timeNs;
            lane.status = e.status;
            lanesTouched = true;
            break;
        }
    }
    enforceRetention();
    if (lanesTouched)
        emit lanesChanged();
    emit callEventsAdded(events);
    if (endItemId() > firstNew)
        emit itemsAppended(std::max(firstNew, m_firstItem));
    // Frames that waited for these events to say whose stream they opened. Taken as keys first:
    // storing signals receivers, which may drain the taps again.
    std::vector<quint64> waiting;
    for (const auto &[tap, wire] : m_waitingWire)
        waiting.push_back(tap);
    for (quint64 tap : waiting)
        storeWaitingWire(tap);
}

void Timeline::linkMessages(quint32 laneIndex, int dir)
{
    CallState &state = *m_calls[laneIndex];
    auto &items = state.pendingItems[dir];
    auto &wire = state.pendingWire[dir];
    while (!items.empty() && !wire.empty()) {
        const quint64 itemId = items.front();
        const quint64 frameId = wire.front();
        items.pop_front();
        wire.pop_front();
        if (!hasItem(itemId) || !hasFrame(frameId))
            continue;
        m_items[itemId - m_firstItem].frame = quint32(frameId);
        Frame &f = m_frames[frameId - m_firstFrame];
        if (!f.messageItem)
            f.messageItem = itemId;
    }
}

void Timeline::enforceRetention()
{
    // Dropped in chunks of a sixteenth, so a long stream trims lanes now and then rather than
    // on every batch.
    const auto limit = std::size_t(m_retention);
    const std::size_t slack = std::max<std::size_t>(limit / 16, 1);
    bool any = false;
    if (m_items.size() > limit + slack) {
        const std::size_t drop = m_items.size() - limit;
        for (std::size_t i = 0; i < drop; ++i) {
            const Item &item = m_items.front();
            const quint64 id = m_firstItem;
            Lane &lane = m_lanes[item.lane];
            auto &list = isMessage(item.kind) ? lane.messages : lane.others;
            if (!list.empty() && list.front() == id) {
                list.pop_front();
                if (isMessage(item.kind))
                    ++lane.droppedMessages;
            }
            m_items.pop_front();
            ++m_firstItem;
        }
        m_droppedItems += drop;
        while (!m_blocks.empty() && m_blocks.front().lastItem < m_firstItem &&
               (m_blocks.size() > 1 || m_blocks.front().whole))
            m_blocks.pop_front();
        while (!m_metadata.empty() && m_metadata.front().first < m_firstItem) {
            m_metadata.pop_front();
            ++m_firstMetadata;
        }
        any = true;
    }
    if (m_frames.size() > limit + slack) {
        const std::size_t drop = m_frames.size() - limit;
        m_frames.erase(m_frames.begin(), m_frames.begin() + std::ptrdiff_t(drop));
        m_firstFrame += drop;
        m_droppedFrames += drop;
        while (!m_texts.empty() && m_texts.front().first < m_firstFrame) {
            m_texts.pop_front();
            ++m_firstText;
        }
        any = true;
    }
    if (any)
        emit dropped();
}

} // namespace models
