// SPDX-License-Identifier: GPL-3.0-or-later
#include "support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testsupport {

namespace fs = std::filesystem;

TempDir::TempDir()
{
    std::random_device rd;
    for (int i = 0; i < 100; ++i) {
        auto p = fs::temp_directory_path() / ("wirescope-test-" + std::to_string(rd()));
        if (fs::create_directory(p)) {
            m_path = p;
            return;
        }
    }
    throw std::runtime_error("cannot make a temporary folder");
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

std::string TempDir::write(const std::string &name, const std::string &text) const
{
    const auto p = m_path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {
std::vector<char *> cArgs(const std::vector<std::string> &argv)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    return args;
}
// In a child before exec: an ignored or blocked signal would stay so in the program, and this
// process ignores SIGPIPE (run()'s stdin feeder), which would hide a program that dies of it.
void defaultSignals()
{
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

// The process's environment ("NAME=value" entries) with `changes` applied.
std::vector<std::string> environmentWith(const EnvironmentChanges &changes)
{
    std::vector<std::string> out;
    for (char **e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        if (std::none_of(changes.begin(), changes.end(), [&](const auto &c) { return c.first == name; }))
            out.push_back(entry);
    }
    for (const auto &[name, value] : changes) {
        if (value)
            out.push_back(name + '=' + *value);
    }
    return out;
}

constexpr int kInherit = -2; // startChild: keep the descriptor the test has
constexpr int kClosed = -1;  // startChild: the program starts with it closed

// Forks and runs `argv` with `environment` applied, with `in`, `out` and `err` as its descriptors
// 0, 1 and 2 (or kInherit, kClosed); the child closes `others` first and resets signals.
// Everything the child needs is made before fork(): the child of a threaded process only execs.
pid_t startChild(const std::vector<std::string> &argv, const EnvironmentChanges &environment, int in, int out,
                 int err, std::initializer_list<int> others)
{
    auto args = cArgs(argv);
    const std::vector<std::string> variables = environmentWith(environment);
    auto envp = cArgs(variables);
    const pid_t pid = fork();
    if (pid == 0) {
        const int targets[] = {in, out, err};
        for (int fd = 0; fd < 3; ++fd) {
            if (targets[fd] == kClosed)
                close(fd);
            else if (targets[fd] != kInherit)
                dup2(targets[fd], fd);
        }
        for (int fd : others)
            close(fd);
        defaultSignals();
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    return pid;
}
} // namespace

std::vector<std::string> splitLines(const std::string &text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = text.find('\n', start);
        out.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos)
            break;
        start = nl + 1;
    }
    return out;
}

ProcessResult run(const std::vector<std::string> &argv, const std::string &input,
                  std::chrono::seconds timeout, const EnvironmentChanges &environment)
{
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err))
        throw std::runtime_error("pipe failed");
    const pid_t pid =
        startChild(argv, environment, in[0], out[1], err[1], {in[0], in[1], out[0], out[1], err[0], err[1]});
    close(in[0]);
    close(out[1]);
    close(err[1]);
    // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
    std::thread feeder([fd = in[1], input] {
        std::size_t off = 0;
        signal(SIGPIPE, SIG_IGN);
        while (off < input.size()) {
            const auto n = write(fd, input.data() + off, input.size() - off);
            if (n <= 0)
                break;
            off += static_cast<std::size_t>(n);
        }
        close(fd);
    });
    ProcessResult r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open = 2;
    char buf[65536];
    while (open > 0 && std::chrono::steady_clock::now() < deadline) {
        if (poll(fds, 2, 200) <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            const auto n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    if (open > 0) {
        r.timedOut = true;
        kill(pid, SIGKILL);
    }
    for (auto &f : fds)
        if (f.fd >= 0)
            close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    feeder.join();
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return r;
}

Interactive::Interactive(const std::vector<std::string> &argv, bool closedStdin, std::chrono::seconds patience)
    : m_patience(patience)
{
    ::signal(SIGPIPE, SIG_IGN); // writing to a program that has ended is an error, not a signal
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        throw std::runtime_error("pipe failed");
    m_pid = startChild(argv, {}, closedStdin ? kClosed : in[0], out[1], err[1], {});
    close(in[0]);
    close(out[1]);
    close(err[1]);
    m_in = in[1];
    m_fds[0] = out[0];
    m_fds[1] = err[0];
}

Interactive::~Interactive()
{
    closeInput();
    if (m_pid > 0 && waitFor(std::chrono::seconds(0)) < 0) {
        kill(m_pid, SIGKILL);
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
    for (int fd : m_fds)
        if (fd >= 0)
            close(fd);
}

bool Interactive::write(const std::string &text)
{
    std::size_t off = 0;
    while (off < text.size()) {
        const auto n = ::write(m_in, text.data() + off, text.size() - off);
        if (n <= 0)
            return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

void Interactive::closeInput()
{
    if (m_in >= 0)
        close(m_in);
    m_in = -1;
}

void Interactive::closeOutput()
{
    if (m_fds[0] >= 0)
        close(m_fds[0]);
    m_fds[0] = -1;
}

bool Interactive::waitFor(int stream, const std::string &text, std::size_t from)
{
    const auto deadline = std::chrono::steady_clock::now() + m_patience;
    while (m_text[stream].find(text, from) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || !pump(200))
            return m_text[stream].find(text, from) != std::string::npos;
    }
    return true;
}

int Interactive::waitFor(std::chrono::seconds timeout)
{
    if (m_exit >= 0)
        return m_exit;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pump(timeout.count() ? 200 : 0) && std::chrono::steady_clock::now() < deadline) {
    }
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            m_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            return m_exit;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool Interactive::pump(int ms)
{
    pollfd fds[2] = {{m_fds[0], POLLIN, 0}, {m_fds[1], POLLIN, 0}};
    if (m_fds[0] < 0 && m_fds[1] < 0)
        return false;
    if (poll(fds, 2, ms) <= 0)
        return ms > 0;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        const auto n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
            close(m_fds[i]);
            m_fds[i] = -1;
        } else {
            m_text[i].append(buf, static_cast<std::size_t>(n));
        }
    }
    return true;
}

Spawned::Spawned(const std::vector<std::string> &argv)
    : Spawned(argv, Options{})
{}

Spawned::Spawned(const std::vector<std::string> &argv, const Options &options)
{
    const int in = options.stdinFile.empty() ? kInherit : open(options.stdinFile.c_str(), O_RDONLY | O_CLOEXEC);
    if (!options.stdinFile.empty() && in < 0)
        throw std::runtime_error("cannot read " + options.stdinFile);
    int out[2];
    if (pipe(out))
        throw std::runtime_error("pipe failed");
    m_pid = startChild(argv, options.environment, in, out[1], options.mergeStderr ? out[1] : kInherit,
                       {out[0], out[1]});
    if (in >= 0)
        close(in);
    close(out[1]);
    m_out = out[0];
}

ProcessResult Spawned::wait(std::chrono::seconds timeout)
{
    ProcessResult r;
    r.out = std::exchange(m_buffer, {});
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[65536];
    while (m_out >= 0 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{m_out, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        const auto n = read(m_out, buf, sizeof buf);
        if (n <= 0)
            break;
        r.out.append(buf, static_cast<std::size_t>(n));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
        r.timedOut = true;
        kill(m_pid, SIGKILL);
    }
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

Spawned::~Spawned()
{
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
    if (m_out >= 0)
        close(m_out);
}

std::string Spawned::waitForLine(const std::string &text, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        std::size_t nl;
        while ((nl = m_buffer.find('\n')) != std::string::npos) {
            std::string line = m_buffer.substr(0, nl);
            m_buffer.erase(0, nl + 1);
            if (line.find(text) != std::string::npos)
                return line;
        }
        pollfd p{m_out, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        const auto n = read(m_out, buf, sizeof buf);
        if (n <= 0)
            return {};
        m_buffer.append(buf, static_cast<std::size_t>(n));
    }
    return {};
}

namespace {
void openssl(std::vector<std::string> args)
{
    args.insert(args.begin(), "/usr/bin/openssl");
    const auto r = run(args);
    if (r.exitCode != 0)
        throw std::runtime_error("openssl failed: " + r.err);
}
} // namespace

Pki::Pki()
{
    openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA", "-keyout",
             path("ca.key"), "-out", path("ca.pem")});
    openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
             "-keyout", path("other.key"), "-out", path("other.pem")});
    leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,DNS:api.internal.example");
    leaf("client", "/CN=wirescope client", "extendedKeyUsage=clientAuth");
}

void Pki::leaf(const std::string &name, const std::string &subject, const std::string &ext)
{
    m_dir.write(name + ".ext", ext + "\n");
    openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", path(name + ".key"), "-out",
             path(name + ".csr")});
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
             "-CAcreateserial", "-days", "2", "-extfile", path(name + ".ext"), "-out", path(name + ".pem")});
}

int deadPort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

rpc::SchemaPtr testSchema()
{
    rpc::SchemaSpec spec;
    spec.importPaths = {WIRESCOPE_TEST_PROTO_DIR};
    spec.protoFiles = {"wirescope/testing/test.proto"};
    auto r = rpc::SchemaLoader().load(spec);
    if (!r)
        throw std::runtime_error(r.error().toString());
    return *r;
}

void startEcho(rpc::Engine &engine, const rpc::ChannelOptions &channel, const std::string &json,
               std::uint64_t id)
{
    rpc::CallRequest r;
    r.callId = id;
    r.schema = testSchema();
    r.method = "wirescope.testing.TestService/Echo";
    r.channel = channel;
    r.messages = {json};
    engine.start(r);
}

std::vector<rpc::CallEvent> collect(rpc::Engine &engine, std::uint64_t callId,
                                    std::chrono::milliseconds timeout)
{
    std::vector<rpc::CallEvent> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        for (auto &e : engine.events().waitAndDrain(std::chrono::milliseconds(50))) {
            if (e.callId != callId)
                continue;
            const bool done = e.kind == rpc::EventKind::Finished;
            out.push_back(std::move(e));
            if (done)
                return out;
        }
    }
    return out;
}

std::vector<rpc::CallEvent> ofKind(const std::vector<rpc::CallEvent> &events, rpc::EventKind kind)
{
    std::vector<rpc::CallEvent> out;
    for (const auto &e : events)
        if (e.kind == kind)
            out.push_back(e);
    return out;
}

const rpc::CallEvent *finished(const std::vector<rpc::CallEvent> &events)
{
    for (const auto &e : events)
        if (e.kind == rpc::EventKind::Finished)
            return &e;
    return nullptr;
}

std::string metadataValue(const rpc::Metadata &md, const std::string &key)
{
    for (const auto &[k, v] : md)
        if (k == key)
            return v;
    return {};
}

} // namespace testsupport
