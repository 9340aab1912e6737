// SPDX-License-Identifier: GPL-3.0-or-later
#include "capacity.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace cli {

namespace {

constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

// A "Name:   123 kB" line of a /proc file, in bytes; 0 when missing.
std::uint64_t procKiB(const char *file, const std::string &name)
{
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + ":", 0) != 0)
            continue;
        std::istringstream fields(line.substr(name.size() + 1));
        std::uint64_t kib = 0;
        fields >> kib;
        return kib * 1024;
    }
    return 0;
}

// A number in a cgroup file ("max" and anything unreadable: unbounded).
std::uint64_t cgroupNumber(const std::string &path)
{
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max")
        return kUnbounded;
    try {
        return std::stoull(text);
    } catch (...) {
        return kUnbounded;
    }
}

// Room under the memory cgroup this process is in (v2, or v1's memory controller).
std::uint64_t cgroupRoom()
{
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find(':');
        const auto second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        const std::string path = line.substr(second + 1);
        std::uint64_t limit = kUnbounded, usage = 0;
        if (line.rfind("0::", 0) == 0) {
            limit = cgroupNumber("/sys/fs/cgroup" + path + "/memory.max");
            usage = cgroupNumber("/sys/fs/cgroup" + path + "/memory.current");
        } else if (controllers == "memory") {
            limit = cgroupNumber("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes");
            usage = cgroupNumber("/sys/fs/cgroup/memory" + path + "/memory.usage_in_bytes");
        }
        // v1 reports "no limit" as a huge page-rounded number; anything above the machine's
        // memory is no limit.
        if (limit == kUnbounded || usage == kUnbounded || limit > procKiB("/proc/meminfo", "MemTotal"))
            continue;
        return limit > usage ? limit - usage : 0;
    }
    return kUnbounded;
}

} // namespace

MemoryRoom memoryRoom()
{
    MemoryRoom room{kUnbounded, {}};
    auto consider = [&room](std::uint64_t bytes, const char *what) {
        if (bytes < room.bytes)
            room = {bytes, what};
    };
    if (const std::uint64_t available = procKiB("/proc/meminfo", "MemAvailable"))
        consider(available, "the memory available on this machine");
    consider(cgroupRoom(), "the memory limit of this process's control group");
    rlimit as{};
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        // Address space is reserved long before it is used: gRPC's threads and the allocator's
        // per-thread heaps, most of them started after this is asked, took about 680 MB in a
        // bench of 1 000 calls measured here. Count at least that much as taken.
        constexpr std::uint64_t kRunningProcess = 768ull * 1024 * 1024;
        const std::uint64_t used = std::max(procKiB("/proc/self/status", "VmSize"), kRunningProcess);
        consider(as.rlim_cur > used ? as.rlim_cur - used : 0, "the address-space limit (ulimit -v)");
    }
    return room;
}

int boundedConcurrency(long requested, const MemoryRoom &room)
{
    const std::uint64_t fits = room.bytes / 2 / kBytesPerCallInFlight;
    const std::uint64_t wanted = static_cast<std::uint64_t>(std::max(1L, requested));
    const std::uint64_t most = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
    return static_cast<int>(std::max<std::uint64_t>(1, std::min({wanted, fits, most})));
}

} // namespace cli
