// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/engine.h"
#include "rpc/types.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

namespace rpc::internal {

// The bookkeeping of load runs (LoadRequest), the same for the gRPC engine and the web one: how
// many calls a run still starts, or until when; the next call's id; how many are in flight; and
// the run's end with its last call. `Extra` is what an engine keeps for a run besides (a request
// prepared once for all its calls). Used on the engine's own thread only.
template<typename Extra> class LoadRuns
{
public:
    struct Run
    {
        CallRequest base;
        long remaining = -1; // calls still to start; -1: until the time is up
        std::int64_t stopAtNs = 0;
        std::uint64_t nextCallId = 0;
        int inFlight = 0;
        Extra extra;
    };

    // Starts a run: as many calls as it may have in flight, each through `launch(run, runId,
    // callId)`, which starts one call and returns whether it did.
    template<typename Launch> void start(LoadRequest request, bool stopping, Launch launch)
    {
        const std::uint64_t id = m_nextId++;
        Run run;
        run.remaining = request.total > 0 ? request.total : -1;
        if (request.durationMs > 0)
            run.stopAtNs = monotonicNs() + request.durationMs * 1000000;
        else if (request.total <= 0)
            run.remaining = 0; // neither a count nor a time: nothing to run
        run.nextCallId = request.call.callId;
        run.base = std::move(request.call);
        m_runs.emplace(id, std::move(run));
        for (int i = 0; i < std::max(1, request.concurrency); ++i)
            next(id, stopping, launch);
        endIfIdle(id);
    }

    // One of the run's calls ended: the next one starts, and the run ends with its last call.
    template<typename Launch> void callDone(std::uint64_t runId, bool stopping, Launch launch)
    {
        auto it = m_runs.find(runId);
        if (it == m_runs.end())
            return;
        --it->second.inFlight;
        next(runId, stopping, launch);
        endIfIdle(runId);
    }

    Run *find(std::uint64_t runId)
    {
        auto it = m_runs.find(runId);
        return it == m_runs.end() ? nullptr : &it->second;
    }
    bool contains(std::uint64_t runId) const { return m_runs.count(runId) != 0; }
    void clear() { m_runs.clear(); }

private:
    template<typename Launch> void next(std::uint64_t runId, bool stopping, Launch &launch)
    {
        Run *run = find(runId);
        if (!run || stopping || run->remaining == 0 || (run->stopAtNs && monotonicNs() >= run->stopAtNs))
            return;
        if (run->remaining > 0)
            --run->remaining;
        const std::uint64_t callId = run->nextCallId++;
        if (launch(*run, runId, callId))
            ++run->inFlight;
        else
            run->remaining = 0; // it failed before sending: every other call would too
    }

    void endIfIdle(std::uint64_t runId)
    {
        if (auto it = m_runs.find(runId); it != m_runs.end() && it->second.inFlight == 0)
            m_runs.erase(it);
    }

    std::map<std::uint64_t, Run> m_runs;
    std::uint64_t m_nextId = 1;
};

} // namespace rpc::internal
