// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/timeline.h"

#include "rpc/jsonutil.h"

#include <algorithm>
#include <cstring>

namespace models {

namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
constexpr std::size_t kWholeBlockFrom = 64 * 1024;

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

bool isBinaryKey(const std::string &key)
{
    return key.size() > 4 && key.compare(key.size() - 4, 4, "-bin") == 0;
}

std::string metadataLines(const rpc::Metadata &metadata)
{
    std::string text;
    for (const auto &[k, v] : metadata) {
        text += k;
        text += ": ";
        text += isBinaryKey(k) ? "<" + std::to_string(v.size()) + " bytes>" : v;
        text += '\n';
    }
    return text;
}

// RFC 9113 section 7 names, for RST_STREAM and GOAWAY.
const char *errorCodeName(quint32 code)
{
    static const char *const names[] = {"NO_ERROR",
                                        "PROTOCOL_ERROR",
                                        "INTERNAL_ERROR",
                                        "FLOW_CONTROL_ERROR",
                                        "SETTINGS_TIMEOUT",
                                        "STREAM_CLOSED",
                                        "FRAME_SIZE_ERROR",
                                        "REFUSED_STREAM",
                                        "CANCEL",
                                        "COMPRESSION_ERROR",
                                        "CONNECT_ERROR",
                                        "ENHANCE_YOUR_CALM",
                                        "INADEQUATE_SECURITY",
                                        "HTTP_1_1_REQUIRED"};
    return code < std::size(names) ? names[code] : nullptr;
}

void appendJsonString(QByteArray &out, std::string_view s)
{
    out += QByteArray::fromStdString(rpc::jsonQuote(s));
}

void appendJsonString(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    appendJsonString(out, std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

const char *kindKey(Timeline::ItemKind kind)
{
    switch (kind) {
    case Timeline::ItemKind::RequestHeaders:
        return "request_headers";
    case Timeline::ItemKind::MessageSent:
        return "message_sent";
    case Timeline::ItemKind::HalfClosed:
        return "half_close";
    case Timeline::ItemKind::ResponseHeaders:
        return "response_headers";
    case Timeline::ItemKind::MessageReceived:
        return "message_received";
    case Timeline::ItemKind::Trailers:
        return "trailers";
    case Timeline::ItemKind::StreamReset:
        return "rst_stream";
    case Timeline::ItemKind::ConnectionFrame:
        return "connection_frame";
    }
    return "";
}

bool isMessage(Timeline::ItemKind kind)
{
    return kind == Timeline::ItemKind::MessageSent || kind == Timeline::ItemKind::MessageReceived;
}

// A DATA frame, or an HTTP/1.1 chunk or body piece: what messages travel in.
bool carriesBody(const Timeline::Frame &f)
{
    using Kind = rpc::wire::Http1Part::Kind;
    return f.http1 ? (f.type == quint8(Kind::Chunk) || f.type == quint8(Kind::Body))
                   : f.type == quint8(rpc::wire::FrameType::Data);
}

bool hasMetadata(Timeline::ItemKind kind)
{
    return kind == Timeline::ItemKind::RequestHeaders || kind == Timeline::ItemKind::ResponseHeaders ||
           kind == Timeline::ItemKind::Trailers;
}

} // namespace

// Per call: what decoding needs, and the two sides of message linking that arrive separately
// (the engine's message events, the tap's reassembled messages), matched in order per
// direction.
struct Timeline::CallState
{
    rpc::SchemaPtr schema;
    rpc::MethodInfo method;
    rpc::CodecOptions codec;
    quint64 tap = 0;
    bool matched = false;
    std::deque<quint64> pendingItems[2]; // [0] sent, [1] received
    std::deque<quint64> pendingWire[2];  // frame ids
};

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
        // A big message keeps its own buffer: moved in, never copied.
        Block block;
        block.start = m_arenaEnd;
        block.lastItem = owner;
        block.whole = true;
        block.bytes = std::move(bytes);
        m_arenaEnd += block.bytes.size();
        m_blocks.push_back(std::move(block));
        *flags |= WholeBlock;
        return m_blocks.back().start;
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

void Timeline::matchStream(quint64 tap, quint32 connLane, const std::string &path, quint32 stream,
                           const std::string &requestLine)
{
    // gRPC opens a call's stream when the call starts, so the oldest waiting call with this
    // path on this tap owns the new stream. A web call's URL may put a prefix before the path.
    for (std::size_t i = 0; i < m_lanes.size(); ++i) {
        CallState *state = m_calls[i].get();
        if (!state || state->matched || state->tap != tap)
            continue;
        const std::string own = state->method.path();
        if (path.size() < own.size() || path.compare(path.size() - own.size(), own.size(), own) != 0)
            continue;
        state->matched = true;
        Lane &lane = m_lanes[i];
        lane.connection = m_lanes[connLane].connection;
        lane.streamId = stream;
        lane.exchange = QString::fromStdString(requestLine);
        m_streamLanes[{connLane, stream}] = quint32(i);
        return;
    }
}

// An HTTP/1.1 head, chunk, body piece or end: on the lane of its exchange, whose request head
// names the call's path.
void Timeline::addHttp1Part(Frame &f, const rpc::wire::WireEvent &e, quint32 connLane, quint64 tap,
                            bool *lanesTouched)
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
            matchStream(tap, connLane, path, part.exchange, line);
            *lanesTouched = true;
        }
        f.text = storeText(line + '\n' + metadataLines(part.headers));
    } else if (part.kind == Kind::End && !part.headers.empty()) {
        f.text = storeText(metadataLines(part.headers));
    }
    if (const quint32 lane = laneOfStream(connLane, part.exchange); lane != ~0u)
        f.lane = lane;
}

void Timeline::addWireEvents(quint64 tap, const QString &upstream, std::vector<rpc::wire::WireEvent> &events)
{
    using rpc::wire::FrameType;
    using rpc::wire::WireEvent;
    const quint64 firstFrame = endFrameId();
    const quint64 firstItem = endItemId();
    bool lanesTouched = false;
    for (auto &e : events) {
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
            addHttp1Part(f, e, connLane, tap, &lanesTouched);
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
            matchStream(tap, connLane, path, wf.streamId);
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
    enforceRetention();
    if (lanesTouched)
        emit lanesChanged();
    if (endFrameId() > firstFrame)
        emit framesAppended(std::max(firstFrame, m_firstFrame));
    if (endItemId() > firstItem)
        emit itemsAppended(std::max(firstItem, m_firstItem));
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

std::string_view Timeline::payload(quint64 id) const
{
    if (!hasItem(id) || !isMessage(item(id).kind))
        return {};
    const Item &it = item(id);
    const auto block = std::upper_bound(m_blocks.begin(), m_blocks.end(), it.ref,
                                        [](quint64 offset, const Block &b) { return offset < b.start; });
    if (block == m_blocks.begin())
        return {};
    const Block &b = *std::prev(block);
    if (it.flags & WholeBlock)
        return b.bytes;
    const std::size_t pos = std::size_t(it.ref - b.start);
    quint32 length = 0;
    std::memcpy(&length, b.bytes.data() + pos, sizeof length);
    return std::string_view(b.bytes).substr(pos + sizeof length, length);
}

const rpc::Metadata *Timeline::metadata(quint64 id) const
{
    if (!hasItem(id) || !hasMetadata(item(id).kind))
        return nullptr;
    const quint64 ref = item(id).ref;
    if (ref < m_firstMetadata || ref >= m_firstMetadata + m_metadata.size())
        return nullptr;
    return &m_metadata[ref - m_firstMetadata].second;
}

Result<QByteArray> Timeline::itemText(quint64 id, qsizetype limit) const
{
    if (!hasItem(id))
        return QByteArray();
    const Item &it = item(id);
    if (isMessage(it.kind)) {
        const std::string_view bytes = payload(id);
        if (it.flags & Failed)
            return fail(QString::fromUtf8(bytes.data(), qsizetype(bytes.size())));
        if (!(it.flags & Undecoded)) {
            const auto size = qsizetype(bytes.size());
            return QByteArray(bytes.data(), limit >= 0 ? std::min(size, limit) : size);
        }
        const CallState *state = m_calls[it.lane].get();
        if (!state || !state->schema)
            return QByteArray();
        const std::string &type =
            it.kind == ItemKind::MessageSent ? state->method.inputType : state->method.outputType;
        auto decoded = state->schema->decode(type, bytes, state->codec);
        if (!decoded)
            return fail(QString::fromStdString(decoded.error().message));
        return QByteArray::fromStdString(decoded.value());
    }
    if (hasMetadata(it.kind)) {
        std::string text;
        if (it.kind == ItemKind::Trailers) {
            const rpc::RpcStatus &st = m_lanes[it.lane].status;
            text = "status: " + rpc::statusCodeName(st.code);
            if (!st.message.empty())
                text += ": " + st.message;
            text += '\n';
            for (const auto &d : st.details)
                text += "detail: " + d + '\n';
        }
        if (const rpc::Metadata *md = metadata(id))
            text += metadataLines(*md);
        return QByteArray::fromStdString(text);
    }
    if (it.kind == ItemKind::StreamReset || it.kind == ItemKind::ConnectionFrame) {
        if (!hasFrame(it.ref))
            return QByteArray();
        return QString(frameTypeName(it.ref) + QLatin1Char(' ') + frameDetails(it.ref)).trimmed().toUtf8();
    }
    return QByteArray();
}

QString Timeline::frameTypeName(quint64 id) const
{
    if (!hasFrame(id))
        return {};
    const Frame &f = frame(id);
    if (f.decodeError)
        return tr("DECODE ERROR");
    if (f.http1)
        return QString::fromStdString(rpc::wire::Http1Part::kindName(rpc::wire::Http1Part::Kind(f.type)));
    return QString::fromStdString(rpc::wire::frameTypeName(f.type));
}

QString Timeline::frameFlagNames(quint64 id) const
{
    if (!hasFrame(id) || frame(id).decodeError)
        return {};
    if (frame(id).http1) {
        QStringList names;
        if (frame(id).flags & EndsMessage)
            names << QStringLiteral("END_MESSAGE");
        if (frame(id).flags & Interim)
            names << QStringLiteral("INTERIM");
        return names.join(QLatin1Char('|'));
    }
    rpc::wire::Frame f;
    f.type = frame(id).type;
    f.flags = frame(id).flags;
    return QString::fromStdString(f.flagNames());
}

QString Timeline::frameDetails(quint64 id) const
{
    if (!hasFrame(id))
        return {};
    const Frame &f = frame(id);
    QString text;
    if (f.text && f.text - 1 >= m_firstText && f.text - 1 < m_firstText + m_texts.size())
        text = QString::fromStdString(m_texts[f.text - 1 - m_firstText].second).trimmed();
    if (f.http1 || f.decodeError) {
        if (f.messages && carriesBody(f))
            text = f.messages == 1 ? tr("completes 1 gRPC message")
                                   : tr("completes %1 gRPC messages").arg(f.messages);
        return text;
    }
    switch (rpc::wire::FrameType(f.type)) {
    case rpc::wire::FrameType::RstStream:
    case rpc::wire::FrameType::GoAway: {
        const char *name = errorCodeName(f.value);
        const QString code = name ? QString::fromLatin1(name) : QStringLiteral("0x%1").arg(f.value, 0, 16);
        text = text.isEmpty() ? code : code + QStringLiteral(", ") + text;
        break;
    }
    case rpc::wire::FrameType::WindowUpdate:
        text = QStringLiteral("increment %1").arg(f.value);
        break;
    case rpc::wire::FrameType::Data:
        if (f.messages)
            text = f.messages == 1 ? tr("completes 1 gRPC message")
                                   : tr("completes %1 gRPC messages").arg(f.messages);
        break;
    default:
        break;
    }
    return text;
}

std::vector<quint64> Timeline::framesOfMessage(quint64 itemId) const
{
    std::vector<quint64> ids;
    if (!hasItem(itemId) || !item(itemId).frame || !hasFrame(item(itemId).frame))
        return ids;
    const quint64 last = item(itemId).frame;
    const Frame &lastFrame = frame(last);
    // Only the first message a frame completes can have started in earlier frames.
    const std::size_t span = lastFrame.messageItem == itemId ? std::max<std::size_t>(lastFrame.span, 1) : 1;
    ids.push_back(last);
    for (quint64 id = last; ids.size() < span && id > m_firstFrame;) {
        --id;
        const Frame &f = frame(id);
        if (carriesBody(f) && f.http1 == lastFrame.http1 && f.connection == lastFrame.connection &&
            f.streamId == lastFrame.streamId && f.outbound == lastFrame.outbound && !f.decodeError)
            ids.push_back(id);
    }
    std::reverse(ids.begin(), ids.end());
    return ids;
}

std::vector<quint64> Timeline::framesOfItem(quint64 itemId) const
{
    if (!hasItem(itemId))
        return {};
    const Item &it = item(itemId);
    switch (it.kind) {
    case ItemKind::MessageSent:
    case ItemKind::MessageReceived:
        return framesOfMessage(itemId);
    case ItemKind::StreamReset:
    case ItemKind::ConnectionFrame:
        return hasFrame(it.ref) ? std::vector<quint64>{it.ref} : std::vector<quint64>{};
    case ItemKind::HalfClosed:
        return {};
    default:
        break;
    }
    const Lane &lane = m_lanes[it.lane];
    if (!lane.streamId)
        return {};
    const bool fromClient = it.kind == ItemKind::RequestHeaders;
    const bool trailers = it.kind == ItemKind::Trailers;
    // The tap and the engine see a header block within moments of each other: look from a
    // second before the event, in time order.
    const auto from = std::partition_point(m_frames.begin(), m_frames.end(),
                                           [&](const Frame &f) { return f.timeNs < it.timeNs - 1000000000; });
    // Over HTTP/1.1: the request's or the response's final head; trailers came with the last
    // chunk.
    using Http1Kind = rpc::wire::Http1Part::Kind;
    const bool http1 = !lane.exchange.isEmpty();
    const quint8 wanted =
        http1 ? quint8(trailers ? Http1Kind::End : Http1Kind::Head) : quint8(rpc::wire::FrameType::Headers);
    for (auto f = from; f != m_frames.end() && f->timeNs <= it.timeNs + 1000000000; ++f) {
        if (f->decodeError || f->http1 != http1 || f->connection != lane.connection ||
            f->streamId != lane.streamId || f->outbound != fromClient || f->type != wanted)
            continue;
        if (!http1 && trailers && !(f->flags & rpc::wire::flags::EndStream))
            continue;
        if (http1 && (f->flags & Interim))
            continue;
        return {m_firstFrame + quint64(f - m_frames.begin())};
    }
    return {};
}

quint64 Timeline::messageOfFrame(quint64 frameId) const
{
    if (!hasFrame(frameId))
        return 0;
    const Frame &start = frame(frameId);
    if (!carriesBody(start) || start.decodeError)
        return 0;
    // A DATA frame that completed nothing carries part of the next message its stream completes.
    for (quint64 id = frameId; id < endFrameId(); ++id) {
        const Frame &f = frame(id);
        if (!carriesBody(f) || f.http1 != start.http1 || f.connection != start.connection ||
            f.streamId != start.streamId || f.outbound != start.outbound)
            continue;
        if (f.messages)
            return f.messageItem;
    }
    return 0;
}

qint64 Timeline::startNs() const
{
    // A call's first item is its request headers, stamped with its start, so the oldest item and
    // frame kept give the origin without looking at lanes (this runs per painted frame and cell).
    if (m_items.empty())
        return m_frames.empty() ? 0 : m_frames.front().timeNs;
    return m_frames.empty() ? m_items.front().timeNs
                            : std::min(m_items.front().timeNs, m_frames.front().timeNs);
}

qint64 Timeline::endNs() const
{
    // The engine's events and the tap's frames come in separate batches: the item stored last
    // can be older than a frame stored before it (the first call's trailers used to fall outside
    // Fit that way), so the latest time is kept as things arrive.
    if (m_items.empty() && m_frames.empty())
        return 0;
    return m_lastNs;
}

QString Timeline::kindName(ItemKind kind)
{
    switch (kind) {
    case ItemKind::RequestHeaders:
        return tr("request headers");
    case ItemKind::MessageSent:
        return tr("message sent");
    case ItemKind::HalfClosed:
        return tr("half-close");
    case ItemKind::ResponseHeaders:
        return tr("response headers");
    case ItemKind::MessageReceived:
        return tr("message received");
    case ItemKind::Trailers:
        return tr("trailers and status");
    case ItemKind::StreamReset:
        return tr("RST_STREAM");
    case ItemKind::ConnectionFrame:
        return tr("connection frame");
    }
    return {};
}

QByteArray Timeline::toJson(int onlyLane) const
{
    const qint64 origin = startNs();
    auto ms = [origin](qint64 ns) { return QByteArray::number(double(ns - origin) / 1e6, 'f', 3); };
    QByteArray out;
    out += "{\n  \"format\": \"wirescope-timeline\",\n  \"version\": 1,\n";
    out += "  \"dropped\": {\"events\": " + QByteArray::number(m_droppedItems) +
           ", \"frames\": " + QByteArray::number(m_droppedFrames) + "},\n";
    out += "  \"lanes\": [";
    bool first = true;
    for (std::size_t i = 0; i < m_lanes.size(); ++i) {
        if (onlyLane >= 0 && int(i) != onlyLane)
            continue;
        const Lane &l = m_lanes[i];
        out += first ? "\n    {" : ",\n    {";
        first = false;
        out += "\"lane\": " + QByteArray::number(qulonglong(i));
        out += l.kind == Lane::Kind::Call ? ", \"kind\": \"call\"" : ", \"kind\": \"connection\"";
        if (l.kind == Lane::Kind::Call) {
            out += ", \"call_id\": " + QByteArray::number(l.callId) + ", \"method\": ";
            appendJsonString(out, l.method);
        }
        out += ", \"target\": ";
        appendJsonString(out, l.target);
        out += ", \"connection\": " + QByteArray::number(l.connection);
        out += ", \"stream_id\": " + QByteArray::number(l.streamId);
        if (!l.exchange.isEmpty()) {
            out += ", \"http1_request\": ";
            appendJsonString(out, l.exchange);
        }
        out += ", \"start_ms\": " + ms(l.startNs);
        if (l.endNs >= 0)
            out += ", \"end_ms\": " + ms(l.endNs);
        if (l.kind == Lane::Kind::Call && l.endNs >= 0) {
            out += ", \"status\": {\"code\": " + QByteArray::number(l.status.code) + ", \"name\": ";
            appendJsonString(out, rpc::statusCodeName(l.status.code));
            out += ", \"message\": ";
            appendJsonString(out, l.status.message);
            out += "}";
        }
        out += ", \"dropped_messages\": " + QByteArray::number(l.droppedMessages) + "}";
    }
    out += "\n  ],\n  \"events\": [";
    first = true;
    for (quint64 id = m_firstItem; id < endItemId(); ++id) {
        const Item &it = item(id);
        if (onlyLane >= 0 && int(it.lane) != onlyLane)
            continue;
        out += first ? "\n    {" : ",\n    {";
        first = false;
        out += "\"id\": " + QByteArray::number(id) + ", \"time_ms\": " + ms(it.timeNs) +
               ", \"lane\": " + QByteArray::number(it.lane) + ", \"kind\": \"" + kindKey(it.kind) + "\"";
        out += it.direction == Direction::Outbound  ? ", \"direction\": \"sent\""
               : it.direction == Direction::Inbound ? ", \"direction\": \"received\""
                                                    : ", \"direction\": \"local\"";
        if (isMessage(it.kind)) {
            out += ", \"size\": " + QByteArray::number(it.size);
            const auto frames = framesOfMessage(id);
            if (!frames.empty()) {
                out += ", \"frames\": [";
                for (std::size_t k = 0; k < frames.size(); ++k)
                    out += (k ? ", " : "") + QByteArray::number(frames[k]);
                out += "]";
            }
            const auto shown = itemText(id);
            const QByteArray text = shown.valueOr(QByteArray());
            if (!shown) {
                out += ", \"error\": ";
                appendJsonString(out, shown.errorMessage());
            } else if (text.startsWith('{')) {
                out += ", \"message\": " + text;
            } else {
                out += ", \"message_text\": ";
                appendJsonString(out, std::string_view(text.constData(), std::size_t(text.size())));
            }
        } else if (const rpc::Metadata *md = metadata(id)) {
            out += ", \"metadata\": [";
            for (std::size_t k = 0; k < md->size(); ++k) {
                out += k ? ", [" : "[";
                appendJsonString(out, (*md)[k].first);
                out += ", ";
                appendJsonString(out,
                                 isBinaryKey((*md)[k].first)
                                     ? QByteArray::fromStdString((*md)[k].second).toBase64().toStdString()
                                     : (*md)[k].second);
                out += "]";
            }
            out += "]";
        } else if ((it.kind == ItemKind::StreamReset || it.kind == ItemKind::ConnectionFrame) &&
                   hasFrame(it.ref)) {
            out += ", \"frame\": " + QByteArray::number(it.ref);
        }
        out += "}";
    }
    out += "\n  ],\n  \"frames\": [";
    first = true;
    for (quint64 id = m_firstFrame; id < endFrameId(); ++id) {
        const Frame &f = frame(id);
        if (onlyLane >= 0 && int(f.lane) != onlyLane)
            continue;
        out += first ? "\n    {" : ",\n    {";
        first = false;
        out += "\"id\": " + QByteArray::number(id) + ", \"time_ms\": " + ms(f.timeNs) +
               ", \"connection\": " + QByteArray::number(f.connection) +
               (f.outbound ? ", \"direction\": \"client\"" : ", \"direction\": \"server\"") +
               (f.http1 ? ", \"protocol\": \"http/1.1\", \"exchange\": " : ", \"stream_id\": ") +
               QByteArray::number(f.streamId) + ", \"type\": ";
        appendJsonString(out, frameTypeName(id));
        out += ", \"flags\": ";
        appendJsonString(out, frameFlagNames(id));
        out += ", \"length\": " + QByteArray::number(f.length);
        const QString details = frameDetails(id);
        if (!details.isEmpty()) {
            out += ", \"details\": ";
            appendJsonString(out, details);
        }
        if (const quint64 m = messageOfFrame(id); m && f.messages)
            out += ", \"message_event\": " + QByteArray::number(m);
        out += "}";
    }
    out += "\n  ]\n}\n";
    for (const QString &secret : m_masked) {
        if (!secret.isEmpty())
            out.replace(secret.toUtf8(), QByteArrayLiteral("•••"));
    }
    return out;
}

} // namespace models
