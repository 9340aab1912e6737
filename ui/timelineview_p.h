// SPDX-License-Identifier: GPL-3.0-or-later
// TimelineView's insides that its two .cpp files share: finding a lane's items by time, the
// order of events, and which mark an item gets. A private header (wirescope_public_headers leaves
// *_p.h out of the public include tree): only timelineview.cpp and timelineview_navigation.cpp
// include it.
#pragma once

#include "models/timeline.h"
#include "ui/timelineview.h"

#include <algorithm>
#include <utility>

namespace ui {

// Unnamed as when they lived in one file, so each .cpp has its own; inline, so a file that uses
// only some of them is not warned about the rest.
namespace {

using models::Timeline;

// First position in `ids` whose item is at or after `t` (absolute ns). Items of a lane are in
// arrival order, which is time order up to the small skew between directions.
template<typename Ids>
inline std::size_t lowerByTime(const Timeline &tl, const Ids &ids, std::size_t from, qint64 t)
{
    auto it = std::partition_point(ids.begin() + std::ptrdiff_t(from), ids.end(),
                                   [&](quint64 id) { return !tl.hasItem(id) || tl.item(id).timeNs < t; });
    return std::size_t(it - ids.begin());
}

// Events are ordered by time, and by id among events of the same time.
using Key = std::pair<qint64, quint64>;

inline TimelineMark markOf(const Timeline::Item &it, bool callOk)
{
    switch (it.kind) {
    case Timeline::ItemKind::RequestHeaders:
        return TimelineMark::RequestHeaders;
    case Timeline::ItemKind::MessageSent:
        return (it.flags & Timeline::Failed) ? TimelineMark::MessageFailed : TimelineMark::MessageSent;
    case Timeline::ItemKind::HalfClosed:
        return TimelineMark::HalfClose;
    case Timeline::ItemKind::ResponseHeaders:
        return TimelineMark::ResponseHeaders;
    case Timeline::ItemKind::MessageReceived:
        return (it.flags & Timeline::Failed) ? TimelineMark::MessageFailed : TimelineMark::MessageReceived;
    case Timeline::ItemKind::Trailers:
        return callOk ? TimelineMark::TrailersOk : TimelineMark::TrailersError;
    case Timeline::ItemKind::StreamReset:
        return TimelineMark::StreamReset;
    case Timeline::ItemKind::ConnectionFrame:
        return it.direction == Timeline::Direction::Outbound ? TimelineMark::FrameSent
                                                             : TimelineMark::FrameReceived;
    }
    return TimelineMark::FrameReceived;
}

} // namespace

} // namespace ui
