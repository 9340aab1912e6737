// SPDX-License-Identifier: GPL-3.0-or-later
// bench's bound on calls in flight, and the bound on how long shutting down may take.
#include "capacity.h"
#include "exitguard.h"

#include <gtest/gtest.h>

#include <thread>

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;

TEST(Capacity, callsInFlightTakeAtMostHalfTheRoom)
{
    const cli::MemoryRoom room{100 * MiB, "test"};
    // 50 MiB at 32 KiB a call.
    EXPECT_EQ(cli::boundedConcurrency(100000, room), 1600);
    EXPECT_EQ(cli::boundedConcurrency(50, room), 50);
    EXPECT_EQ(cli::boundedConcurrency(1600, room), 1600);
}

TEST(Capacity, neverBelowOneNorAboveWhatAnIntHolds)
{
    EXPECT_EQ(cli::boundedConcurrency(100000, {0, "test"}), 1);
    EXPECT_EQ(cli::boundedConcurrency(0, {100 * MiB, "test"}), 1);
    EXPECT_EQ(cli::boundedConcurrency(-5, {100 * MiB, "test"}), 1);
    EXPECT_EQ(cli::boundedConcurrency(std::numeric_limits<long>::max(), {UINT64_MAX, "test"}),
              std::numeric_limits<int>::max());
}

TEST(Capacity, theRoomOfThisMachineIsReadAndNamed)
{
    const cli::MemoryRoom room = cli::memoryRoom();
    EXPECT_GT(room.bytes, 0u);
    EXPECT_LT(room.bytes, UINT64_MAX) << "/proc/meminfo is readable on Linux";
    EXPECT_FALSE(room.limitedBy.empty());
}

// A destructor that never returns (gRPC's shutdown waiting for a call it still counts) must not
// keep the process alive: the armed guard ends it with the command's exit code, output flushed.
TEST(ExitGuardDeathTest, aShutdownThatHangsEndsWithTheCommandsExitCode)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            cli::ExitGuard guard;
            guard.arm(3, std::chrono::milliseconds(200));
            for (;;)
                std::this_thread::sleep_for(std::chrono::seconds(1));
        },
        testing::ExitedWithCode(3), "Shutting down took longer than 0.2 s");
}

TEST(ExitGuard, aShutdownThatEndsInTimeIsLeftAlone)
{
    const auto begin = std::chrono::steady_clock::now();
    {
        cli::ExitGuard guard;
        guard.arm(3, std::chrono::seconds(30));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

} // namespace
