// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/result.h"
#include "rpc/engine.h"
#include "rpc/tap.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace models {

// Everything one window saw cross the wire, in order: the events of every call (one lane per
// call, which is one HTTP/2 stream or one HTTP/1.1 exchange) and, for calls that went through a
// wire tap, the HTTP/2 frames (or HTTP/1.1 heads and body parts) of their connections (one lane
// per connection for stream 0). Calls link to their stream ids or exchanges, and each message
// event to the DATA frames (or chunks) that carried it.
//
// Storage is compact for long streams: an item is 32 bytes, message bytes are kept once in
// large blocks (small received messages as wire bytes, decoded only when shown), and a
// retention limit drops the oldest items and frames, counting what was dropped. Ids are
// sequence numbers from 1 that stay valid until dropped. UI thread only.
class Timeline final : public QObject
{
    Q_OBJECT

public:
    enum class ItemKind : quint8 {
        RequestHeaders,  // the call started; request metadata
        MessageSent,     // one request message
        HalfClosed,      // the client finished sending
        ResponseHeaders, // response metadata
        MessageReceived, // one response message
        Trailers,        // the call ended: trailers and status
        StreamReset,     // RST_STREAM seen by the tap on the call's stream
        ConnectionFrame, // a frame on stream 0 (SETTINGS, PING, WINDOW_UPDATE, GOAWAY)
    };
    enum class Direction : quint8 { Outbound, Inbound, Local };

    struct Item
    {
        qint64 timeNs = 0;
        quint64 ref = 0;   // message: payload offset; headers: metadata id; frames: frame id
        quint32 lane = 0;  // index into lanes()
        quint32 size = 0;  // message wire size, frame length
        quint32 frame = 0; // message: id of the tap's DATA frame that completed it, 0: none
        ItemKind kind = ItemKind::RequestHeaders;
        quint8 flags = 0; // see ItemFlag
        Direction direction = Direction::Local;
    };
    enum ItemFlag : quint8 {
        Undecoded = 0x1,  // payload holds wire bytes
        WholeBlock = 0x2, // payload is a block of its own
        Failed = 0x4,     // message could not be decoded; payload holds the reason
    };

    struct Frame
    {
        qint64 timeNs = 0;
        quint64 messageItem = 0; // first message item this DATA frame completed, 0: none
        quint32 lane = 0;        // call lane of its stream, or the connection lane
        quint32 connection = 0;  // timeline-wide connection number, from 1
        quint32 streamId = 0;
        quint32 length = 0;
        quint32 value = 0; // RST_STREAM/GOAWAY error code, WINDOW_UPDATE increment
        quint32 text = 0;  // index + 1 into texts: headers, settings, errors; 0: none
        quint16 span = 0;  // DATA: frames carrying the first message it completed (capped)
        quint8 type = 0;
        quint8 flags = 0;
        quint8 messages = 0; // gRPC messages it completed (capped at 255)
        bool outbound = false;
        bool decodeError = false; // not a frame: the tap stopped decoding; `text` says why
        // An HTTP/1.1 part, not an HTTP/2 frame: `type` is its rpc::wire::Http1Part::Kind,
        // `streamId` its exchange, `length` its size, `flags` the Http1Flag bits.
        bool http1 = false;
    };
    enum Http1Flag : quint8 { EndsMessage = 0x1, Interim = 0x2 };

    struct Lane
    {
        enum class Kind { Call, Connection };
        Kind kind = Kind::Call;
        quint64 callId = 0;
        QString method; // "pkg.Svc/Method"
        QString target;
        rpc::MethodKind callKind = rpc::MethodKind::Unary;
        quint32 connection = 0; // through a tap: its connection number, else 0
        quint32 streamId = 0;   // through a tap, once its HEADERS were seen; else 0 (HTTP/1.1: the exchange)
        QString exchange;       // HTTP/1.1 through a tap: the request line, "POST /pkg.Svc/M HTTP/1.1"
        qint64 startNs = 0;
        qint64 endNs = -1;  // -1 while running
        qint64 lastNs = -1; // time of the latest item or frame on the lane, -1: none yet
        bool tapped = false;
        rpc::RpcStatus status;
        std::deque<quint64> messages; // message item ids, both directions, in order
        std::deque<quint64> others;   // every other item id on the lane, in order
        quint64 droppedMessages = 0;

        QString label() const;
        // Where on its connection the call went: "stream 3", or an HTTP/1.1 exchange's request
        // line; empty when not known (not tapped, or not seen yet).
        QString wireName() const;
        // The method's own name (after the last '/') for a call, "connection N" for a connection.
        QString name() const;
        // Where the lane's life ends on the clock: its end, or the latest thing on it, or `now`
        // for a call still running.
        qint64 lifeEndNs(qint64 now) const;
        bool running() const { return kind == Kind::Call && endNs < 0; }
    };

    // What a call needs for decoding its messages and matching its stream.
    struct CallInfo
    {
        quint64 callId = 0;
        rpc::SchemaPtr schema;
        rpc::MethodInfo method;
        QString target;  // as the user typed it
        quint64 tap = 0; // the tap it goes through (WireCapture's id), 0: none
        rpc::CodecOptions codec;
    };

    explicit Timeline(QObject *parent = nullptr);
    ~Timeline() override;

    // Registers a call before the engine starts it.
    quint32 beginCall(const CallInfo &info);
    // Takes the call events of registered calls; payloads move in.
    void addCallEvents(std::vector<rpc::CallEvent> &events);
    // Frames from tap `tap`, in the tap's order.
    void addWireEvents(quint64 tap, const QString &upstream, std::vector<rpc::wire::WireEvent> &events);
    void clear();

    // Items and frames kept: beyond the limit the oldest are dropped (in chunks).
    void setRetention(qsizetype maxItems);
    qsizetype retention() const { return m_retention; }
    quint64 droppedItems() const { return m_droppedItems; }
    quint64 droppedFrames() const { return m_droppedFrames; }

    // A deque: references to lanes stay valid while new lanes are added.
    const std::deque<Lane> &lanes() const { return m_lanes; }
    int laneForCall(quint64 callId) const;

    quint64 firstItemId() const { return m_firstItem; }
    quint64 endItemId() const { return m_firstItem + m_items.size(); }
    bool hasItem(quint64 id) const { return id >= m_firstItem && id < endItemId(); }
    const Item &item(quint64 id) const { return m_items[id - m_firstItem]; }

    quint64 firstFrameId() const { return m_firstFrame; }
    quint64 endFrameId() const { return m_firstFrame + m_frames.size(); }
    bool hasFrame(quint64 id) const { return id >= m_firstFrame && id < endFrameId(); }
    const Frame &frame(quint64 id) const { return m_frames[id - m_firstFrame]; }
    QString frameTypeName(quint64 id) const;
    QString frameFlagNames(quint64 id) const;
    // Decoded headers, settings or the reason a connection could not be decoded.
    QString frameDetails(quint64 id) const;

    // A message item's text as JSON (decoded now when it was kept as bytes), or why it cannot
    // be shown. Headers and trailers as "key: value" lines; empty for an item that has no text.
    // With `limit`, a message kept as JSON gives at most that many bytes, so a caller that keeps
    // only the start of a reply of many MB does not copy all of it.
    Result<QByteArray> itemText(quint64 id, qsizetype limit = -1) const;
    // The payload bytes of a message item as stored (JSON, wire bytes or an error), without a
    // copy: valid until the item is dropped.
    std::string_view payload(quint64 id) const;
    const rpc::Metadata *metadata(quint64 id) const;
    // The frames that carried a message item: the DATA frame ids, oldest first.
    std::vector<quint64> framesOfMessage(quint64 itemId) const;
    // The frames behind any item: a message's DATA frames, a header block's HEADERS frame (request
    // headers: the client's; response headers: the server's first; trailers: the server's
    // END_STREAM one), a frame event's frame. Empty when the call was not tapped.
    std::vector<quint64> framesOfItem(quint64 itemId) const;
    // The message item a DATA frame carried (part of), 0 if none.
    quint64 messageOfFrame(quint64 frameId) const;

    // The timeline's clock starts at the first item or frame kept; endNs is the latest time of
    // anything kept (items and frames arrive in batches from two sources, so the newest stored
    // is not always the latest in time).
    qint64 startNs() const;
    qint64 endNs() const;

    static QString kindName(ItemKind kind);
    // The whole session, or one call lane, as JSON: every kept item and frame. Each value set
    // with setMaskedValues (secrets) is replaced by "•••" wherever it appears.
    QByteArray toJson(int lane = -1) const;
    void setMaskedValues(const QStringList &values) { m_masked = values; }

signals:
    // After addCallEvents stored them: the same events, payloads moved out.
    void callEventsAdded(const std::vector<rpc::CallEvent> &events);
    void itemsAppended(quint64 firstNewId);
    void framesAppended(quint64 firstNewId);
    void lanesChanged();
    // The oldest items or frames were dropped; lanes' message lists were trimmed.
    void dropped();
    void cleared();

private:
    struct CallState;
    quint64 appendItem(const Item &item);
    quint64 storePayload(std::string bytes, quint8 *flags);
    quint64 storeMetadata(rpc::Metadata metadata);
    quint32 storeText(std::string text);
    void linkMessages(quint32 lane, int dir);
    // Stores a frame (or HTTP/1.1 part) with the count of messages it completed; on a call's
    // lane they are linked to the call's message items. Returns its id.
    quint64 storeFrame(Frame &f, const rpc::wire::WireEvent &e, bool onCallLane);
    void enforceRetention();
    quint32 connectionLane(quint64 tap, std::uint64_t connection, bool create);
    enum class Match { Matched, NoCall, Undecided };
    // Gives the stream (or HTTP/1.1 exchange) a client opened at `timeNs` to the call that opened
    // it. Undecided while an older call that could own it has no event from the engine yet;
    // with `force` such a call is taken as one that went out.
    Match matchStream(quint64 tap, quint32 connectionLane, const std::string &path, quint32 stream,
                      qint64 timeNs, bool force, const std::string &requestLine = {});
    // False when its exchange is Undecided: nothing was stored then.
    bool addHttp1Part(Frame &f, const rpc::wire::WireEvent &e, quint32 connectionLane, quint64 tap,
                      bool force, bool *lanesTouched);
    // Stores `events` in order up to one that opens a stream whose call is Undecided; from that
    // one on they wait in m_waitingWire.
    void storeWireEvents(quint64 tap, const QString &upstream, std::vector<rpc::wire::WireEvent> &events,
                         bool force);
    // Stores what waits from tap `tap` as far as the calls' events now allow.
    void storeWaitingWire(quint64 tap);
    quint32 laneOfStream(quint32 connectionLane, quint32 stream) const;

    std::deque<Lane> m_lanes;
    std::vector<std::unique_ptr<CallState>> m_calls; // by lane (null for connection lanes)
    std::map<quint64, quint32> m_laneByCall;
    std::map<std::pair<quint64, std::uint64_t>, quint32> m_connectionLanes; // (tap, connection)
    std::map<std::pair<quint32, quint32>, quint32> m_streamLanes;           // (connection lane, stream)
    // Per tap: frames that wait, in the tap's order, for the engine's events of the calls that
    // could own the stream the first of them opens (the two come in separate batches).
    struct WaitingWire
    {
        QString upstream;
        std::vector<rpc::wire::WireEvent> events;
        std::size_t bytes = 0; // payloads they hold
    };
    std::map<quint64, WaitingWire> m_waitingWire;

    std::deque<Item> m_items;
    quint64 m_firstItem = 1;
    std::deque<Frame> m_frames;
    quint64 m_firstFrame = 1;

    // Payload arena: blocks with the global offset of their first byte.
    struct Block
    {
        quint64 start = 0;
        quint64 lastItem = 0; // the last item whose payload is in it
        bool whole = false;   // one big payload: nothing is appended to it
        std::string bytes;
    };
    std::deque<Block> m_blocks;
    quint64 m_arenaEnd = 0;
    std::deque<std::pair<quint64, rpc::Metadata>> m_metadata; // (item id, metadata)
    quint64 m_firstMetadata = 0;
    std::deque<std::pair<quint64, std::string>> m_texts; // (frame id, text)
    quint64 m_firstText = 0;

    qsizetype m_retention = 2'000'000;
    quint64 m_droppedItems = 0;
    quint64 m_droppedFrames = 0;
    qint64 m_lastNs = 0; // latest time of any item or frame added since the last clear
    QStringList m_masked;
};

} // namespace models
