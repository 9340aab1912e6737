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
} // namespace

ProcessResult run(const std::vector<std::string> &argv, const std::string &input,
                  std::chrono::seconds timeout, const EnvironmentChanges &environment)
{
    // Made before fork(): the child of a threaded process should only exec.
    auto args = cArgs(argv);
    const std::vector<std::string> variables = environmentWith(environment);
    auto envp = cArgs(variables);
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err))
        throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
            close(fd);
        defaultSignals();
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
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
    if (open > 0)
        kill(pid, SIGKILL);
    for (auto &f : fds)
        if (f.fd >= 0)
            close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    feeder.join();
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

Spawned::Spawned(const std::vector<std::string> &argv)
    : Spawned(argv, Options{})
{}

Spawned::Spawned(const std::vector<std::string> &argv, const Options &options)
{
    auto args = cArgs(argv);
    const std::vector<std::string> variables = environmentWith(options.environment);
    auto envp = cArgs(variables);
    const int in = options.stdinFile.empty() ? -1 : open(options.stdinFile.c_str(), O_RDONLY | O_CLOEXEC);
    if (!options.stdinFile.empty() && in < 0)
        throw std::runtime_error("cannot read " + options.stdinFile);
    int out[2];
    if (pipe(out))
        throw std::runtime_error("pipe failed");
    m_pid = fork();
    if (m_pid == 0) {
        if (in >= 0)
            dup2(in, 0);
        dup2(out[1], 1);
        if (options.mergeStderr)
            dup2(out[1], 2);
        close(out[0]);
        close(out[1]);
        defaultSignals();
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
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
    if (std::chrono::steady_clock::now() >= deadline)
        kill(m_pid, SIGKILL);
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
