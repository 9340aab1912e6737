// SPDX-License-Identifier: GPL-3.0-or-later
// How many calls a load run may keep in flight on this machine.
#pragma once

#include <cstdint>
#include <string>

namespace cli {

// Memory a load run may still take, and what sets that figure.
struct MemoryRoom
{
    std::uint64_t bytes = 0;
    std::string limitedBy; // "available memory", "the address-space limit (ulimit -v)", ...
};

// The smallest of: the system's available memory, the room left under this process's memory
// cgroup, and the room left under its address-space limit. Reads /proc and /sys; when none of
// them can be read, the room is unbounded (bytes = UINT64_MAX).
MemoryRoom memoryRoom();

// What one call in flight costs a load run, with margin: measured at about 23 KiB of resident
// memory per call (engine state, gRPC's call and stream, the queued events), 100 000 calls at once
// against the in-tree server on Debian 12.
inline constexpr std::uint64_t kBytesPerCallInFlight = 32 * 1024;

// `requested` calls at once, lowered so that they take at most half of `room`; never below 1.
int boundedConcurrency(long requested, const MemoryRoom &room);

} // namespace cli
