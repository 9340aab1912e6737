// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the tests: temporary folders, files, spawned processes and engine calls.

#include "rpc/engine.h"
#include "rpc/schema.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace testsupport {

// A fresh folder under the system temp dir, removed with its contents at the end of scope.
class TempDir
{
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::filesystem::path &path() const { return m_path; }
    // Writes `text` to the relative path `name` (folders made as needed); returns the full path.
    std::string write(const std::string &name, const std::string &text) const;

private:
    std::filesystem::path m_path;
};

std::string readFile(const std::string &path);

struct ProcessResult
{
    int exitCode = -1; // 128 + the signal when one ended the process
    int signal = 0;    // the signal that ended the process, or 0
    std::string out;
    std::string err;
};

// Environment changes for a child: a value sets the variable, nothing unsets it.
using EnvironmentChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Runs a program with arguments (no shell), feeding `input` to its stdin.
ProcessResult run(const std::vector<std::string> &argv, const std::string &input = {},
                  std::chrono::seconds timeout = std::chrono::seconds(60),
                  const EnvironmentChanges &environment = {});

// A program running in the background until destroyed (SIGTERM, then waited for).
class Spawned
{
public:
    struct Options
    {
        std::string stdinFile;    // read standard input from this file (default: inherited)
        bool mergeStderr = false; // stderr goes where stdout goes, so waitForLine sees both
        EnvironmentChanges environment;
    };
    explicit Spawned(const std::vector<std::string> &argv);
    Spawned(const std::vector<std::string> &argv, const Options &options);
    ~Spawned();
    Spawned(const Spawned &) = delete;
    Spawned &operator=(const Spawned &) = delete;
    // Reads stdout until a line contains `text`; returns that line, or "" on timeout/exit.
    std::string waitForLine(const std::string &text, std::chrono::seconds timeout);
    // Waits for the program to end (killing it after the timeout): how it ended and what it
    // printed after the lines waitForLine took.
    ProcessResult wait(std::chrono::seconds timeout);
    int pid() const { return m_pid; }

private:
    int m_pid = -1;
    int m_out = -1;
    std::string m_buffer;
};

// Certificates made by openssl in a temporary folder: a CA; a server certificate signed by it
// for the names localhost and api.internal.example (no IP address); a client certificate
// signed by it; and an unrelated second CA. Files: ca.pem, server.pem/.key, client.pem/.key,
// other.pem.
class Pki
{
public:
    Pki();
    std::string path(const std::string &name) const { return (m_dir.path() / name).string(); }

private:
    void leaf(const std::string &name, const std::string &subject, const std::string &ext);
    TempDir m_dir;
};

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
int deadPort();

// The test service's schema from tests/proto with no reflection.
rpc::SchemaPtr testSchema();

// Starts call `id`: the test service's Echo of `json` on `channel`.
void startEcho(rpc::Engine &engine, const rpc::ChannelOptions &channel, const std::string &json = "{}",
               std::uint64_t id = 1);
// Collects every event of one call until its Finished event (or the timeout).
std::vector<rpc::CallEvent> collect(rpc::Engine &engine, std::uint64_t callId,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(20));
// Events of a kind, in order.
std::vector<rpc::CallEvent> ofKind(const std::vector<rpc::CallEvent> &events, rpc::EventKind kind);
// The first value of `key` in `md`, or "".
std::string metadataValue(const rpc::Metadata &md, const std::string &key);
const rpc::CallEvent *finished(const std::vector<rpc::CallEvent> &events);

} // namespace testsupport
