// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline read back: item texts (decoded when shown), frame names and details, the links
// between messages and frames, the clock, and the JSON export.
#include "models/timeline.h"

#include "timeline_p.h"

#include "rpc/jsonutil.h"

#include <algorithm>

namespace models {

namespace {

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
