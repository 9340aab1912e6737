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
    int exitCode = -1; // the exit status, or 128 + the signal that ended the process
    std::string out;
    std::string err;
    int signal = 0;        // the signal that ended the process, 0 when it exited
    bool timedOut = false; // still running at the timeout: killed by the test (signal 9)
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

// A program whose stdin, stdout and stderr are pipes held by the test: for driving it message by
// message, or for closing its output while it writes.
class Interactive
{
public:
    // `closedStdin`: the program starts with descriptor 0 closed, as after `<&-` in a shell.
    // `patience`: how long waits last before they give up (reached only when something is broken).
    explicit Interactive(const std::vector<std::string> &argv, bool closedStdin = false,
                         std::chrono::seconds patience = std::chrono::seconds(30));
    ~Interactive(); // kills the program if it is still running
    Interactive(const Interactive &) = delete;
    Interactive &operator=(const Interactive &) = delete;

    bool write(const std::string &text);
    void closeInput();
    // Closes the test's end of the program's stdout, as a reader that goes away (`| head`) does.
    void closeOutput();
    // Reads stdout and stderr until `stream` (0 stdout, 1 stderr) holds `text` after `from`.
    bool waitFor(int stream, const std::string &text, std::size_t from = 0);
    // Waits for the program to end (reading all it prints); its exit code (128 + signal when a
    // signal ended it), or -1 on timeout.
    int waitFor(std::chrono::seconds timeout);
    int exitCode() { return waitFor(m_patience); }
    int signal() const { return m_signal; } // the signal that ended it, 0 if none (after exitCode)
    const std::string &out() const { return m_text[0]; }
    const std::string &err() const { return m_text[1]; }

private:
    // One round of reading; false once both outputs are closed (or nothing came in `ms`).
    bool pump(int ms);

    std::chrono::seconds m_patience;
    pid_t m_pid = -1;
    int m_in = -1;
    int m_fds[2] = {-1, -1};
    std::string m_text[2];
    int m_exit = -1;
    int m_signal = 0;
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

// The lines of `text` (a program's output), without the empty one after a final newline.
std::vector<std::string> splitLines(const std::string &text);

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
