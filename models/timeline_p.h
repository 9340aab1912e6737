// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline's insides that its three .cpp files share: a call's state and the helpers more than one
// of them uses. A private header (wirescope_public_headers leaves *_p.h out of the public include
// tree): only timeline.cpp, timeline_wire.cpp and timeline_queries.cpp include it.
#pragma once

#include "models/timeline.h"

#include <deque>
#include <string>

namespace models {

// Unnamed as when they lived in one file, so each .cpp has its own; inline, so a file that uses
// only some of them is not warned about the rest.
namespace {

inline bool isBinaryKey(const std::string &key)
{
    return key.size() > 4 && key.compare(key.size() - 4, 4, "-bin") == 0;
}

inline std::string metadataLines(const rpc::Metadata &metadata)
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

inline bool isMessage(Timeline::ItemKind kind)
{
    return kind == Timeline::ItemKind::MessageSent || kind == Timeline::ItemKind::MessageReceived;
}

} // namespace

// Per call: what decoding needs, what the engine said of it so far (which decides whether it can
// own a stream the tap sees), and the two sides of message linking that arrive separately (the
// engine's message events, the tap's reassembled messages), matched in order per direction.
struct Timeline::CallState
{
    rpc::SchemaPtr schema;
    rpc::MethodInfo method;
    rpc::CodecOptions codec;
    quint64 tap = 0;
    bool matched = false;
    bool started = false;                // the engine's Started: it was handed to gRPC or libcurl
    bool answered = false;               // response headers or a message came back
    qint64 finishedNs = -1;              // the engine's Finished, -1 before
    std::deque<quint64> pendingItems[2]; // [0] sent, [1] received
    std::deque<quint64> pendingWire[2];  // frame ids
};

} // namespace models
