// SPDX-License-Identifier: GPL-3.0-or-later
// `wirescope-cli run`: runs a workspace's saved requests with their assertions, for CI.
// `wirescope-cli demo`: serves the built-in demo service until stopped.
#include "common.h"

#include "models/callrequest.h"
#include "models/runner.h"
#include "models/secretstore.h"
#include "models/workspace.h"
#include "rpc/demo/demoserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

namespace cli {

namespace {

const char *kRunUsage = R"(Usage:
  wirescope-cli run WORKSPACE [--env NAME] [--filter GLOB] [--junit FILE] [--var NAME=VALUE]... [-protocol P]

Runs the saved requests of a workspace folder (in path order) and checks their assertions:
expected status (OK unless the request says otherwise), JSON-path equals / contains / matches /
exists, message count and maximum latency. Streams send every message of the body (a JSON array
is one message per element) and then half-close.

Variables ({{name}}) come from the environment chosen with --env; --var sets or overrides one.
A secret variable has no value in the workspace: give it with --var or with the process
environment variable WIRESCOPE_VAR_<NAME> (capitals, other characters as '_').
Secret values are masked as ••• in everything printed or written.

A request file may say how it goes over the wire: "protocol" (grpc, grpcweb, grpcweb-text,
connect), "http_version" ("1.1" or "2") and "codec" ("proto" or "json"). -protocol (with
-http-version and -codec, as for a single call) is the default for the files that do not say,
before the "defaults" of wirescope.json; a target may then be a URL, http://host:port/prefix
or https://...

Exit codes: 0 every request passed; 1 a request failed or could not be sent; 2 bad usage or a
workspace that cannot be read.

Flags:
)";

const char *kDemoUsage = R"(Usage:
  wirescope-cli demo [--listen HOST:PORT]

Serves the built-in demo service (wirescope.demo.v1.WeatherService, with server reflection)
until interrupted. Prints "listening on HOST:PORT" once it accepts calls.

Flags:
)";

std::string str(const QString &s)
{
    return s.toStdString();
}

volatile std::sig_atomic_t g_stop = 0;

// One value from the system keychain (the window's service), or nothing when it has none or no
// keychain answers within a few seconds.
std::optional<QString> readKeychain(const QString &key)
{
    static int argc = 1;
    static char name[] = "wirescope-cli";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *app = QCoreApplication::instance() ? nullptr : new QCoreApplication(argc, argv);
    (void)app;
    static models::SecretStore store(QStringLiteral("Wirescope"));
    if (!store.keychainAvailable())
        return std::nullopt;
    QEventLoop loop;
    QObject::connect(&store, &models::SecretStore::readFinished, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    store.read(key);
    loop.exec();
    return store.cached(key);
}

} // namespace

int runWorkspace(const std::vector<std::string> &args)
{
    Flags flags;
    using K = Flags::Kind;
    flags.define("env", K::Value, "The environment whose variables are used.");
    flags.define(
        "filter", K::Value,
        "Only requests whose path matches this glob ('*' any characters, '?' one), e.g. 'orders/*'.");
    flags.define("junit", K::Value, "Also write the results to this file as JUnit XML.");
    flags.define("var", K::List, "NAME=VALUE: set a variable, overriding the environment (repeatable).");
    flags.define("timeout", K::Value, "Seconds a request without its own deadline may take (default 60).");
    flags.define("v", K::Bool, "Print every response message and every assertion, also passing ones.");
    defineProtocolFlags(flags);
    flags.define("help", K::Bool, "Print this help.");
    std::string error;
    if (!flags.parse(args, &error))
        return usageError(error, "wirescope-cli run");
    if (!checkProtocolFlags(flags, "", &error))
        return usageError(error, "wirescope-cli run");
    if (flags.boolean("help")) {
        std::cout << kRunUsage << flags.helpText();
        return 0;
    }
    if (flags.positional().size() != 1)
        return usageError("Give exactly one workspace folder.", "wirescope-cli run");
    const QString folder = QString::fromStdString(flags.positional().front());
    if (!QFileInfo(folder).isDir()) {
        std::cerr << "No workspace folder at " << str(folder) << ".\n";
        return kExitUsage;
    }
    if (!QFileInfo::exists(folder + QLatin1Char('/') + QLatin1String(models::Workspace::kSettingsFile))) {
        std::cerr << str(folder) << " is not a workspace: it has no " << models::Workspace::kSettingsFile
                  << ".\n";
        return kExitUsage;
    }

    models::RunOptions options;
    options.environment = QString::fromStdString(flags.value("env"));
    // What the flags say, for the requests whose file does not say "protocol"; a flag left out
    // leaves that part to the workspace's defaults.
    rpc::CallRequest protocol;
    applyProtocolFlags(flags, "", &protocol);
    if (flags.isSet("protocol"))
        options.protocol.protocol = protocol.protocol;
    if (flags.isSet("http-version"))
        options.protocol.httpVersion = protocol.httpVersion;
    if (flags.isSet("codec"))
        options.protocol.codec = protocol.contentCodec;
    options.filter = QString::fromStdString(flags.value("filter"));
    if (flags.isSet("timeout")) {
        double seconds = 0;
        if (!parseSeconds(flags.value("timeout"), &seconds) || seconds <= 0)
            return usageError("The --timeout value must be a number of seconds, not \"" + flags.value("timeout") + "\".",
                              "wirescope-cli run");
        options.defaultTimeoutMs = models::deadlineMilliseconds(seconds).valueOr(0);
    }
    const models::Workspace workspace = models::Workspace::open(folder);
    // Request files that cannot be read are reported as failed tests by the run itself.
    for (const auto &problem : workspace.problems())
        if (!problem.file.endsWith(QLatin1String(".json")) || problem.file == QLatin1String(models::Workspace::kSettingsFile))
            std::cerr << "warning: " << str(problem.toString()) << "\n";

    // Secrets may come from the process environment; --var wins over everything.
    const QProcessEnvironment processEnv = QProcessEnvironment::systemEnvironment();
    for (const auto &env : workspace.settings().environments) {
        for (const auto &v : env.variables) {
            const QString name = models::secretEnvironmentName(v.name);
            if (processEnv.contains(name))
                options.variables.insert(v.name, processEnv.value(name));
        }
    }
    for (const std::string &assignment : flags.list("var")) {
        const auto eq = assignment.find('=');
        if (eq == std::string::npos || eq == 0)
            return usageError("The --var value must be NAME=VALUE, not \"" + assignment + "\".", "wirescope-cli run");
        options.variables.insert(QString::fromStdString(assignment.substr(0, eq)),
                                 QString::fromStdString(assignment.substr(eq + 1)));
    }

    // Secrets still without a value: the keychain, where the window keeps them. Where none
    // answers (CI), they stay missing and the run says how to give them.
    if (!options.environment.isEmpty()) {
        for (const auto &env : workspace.settings().environments) {
            if (env.name != options.environment)
                continue;
            for (const auto &v : env.variables) {
                if (!v.secret || options.variables.contains(v.name))
                    continue;
                if (auto value =
                        readKeychain(models::SecretStore::keyFor(workspace.folder(), env.name, v.name)))
                    options.variables.insert(v.name, *value);
            }
        }
    }

    models::Runner runner(workspace);
    const auto selected = runner.select(options);
    if (!selected) {
        std::cerr << str(selected.errorMessage()) << "\n";
        return kExitUsage;
    }
    if (selected->empty()) {
        std::cerr << "No saved request" << (options.filter.isEmpty() ? "" : " matches the filter") << " in "
                  << str(folder) << ".\n";
        return kExitUsage;
    }

    const bool verbose = flags.boolean("v");
    QElapsedTimer clock;
    clock.start();
    const auto results = runner.run(options, [&](const models::RunResult &r) {
        const char *verdict = !r.error.isEmpty() ? "ERROR" : r.passed() ? "PASS " : "FAIL ";
        char timing[32];
        std::snprintf(timing, sizeof timing, "%.1f ms", r.latencyMs);
        std::cout << verdict << " " << str(r.path) << "  " << str(r.method);
        if (r.error.isEmpty())
            std::cout << "  " << str(r.statusName) << ", " << r.responses.size()
                      << (r.responses.size() == 1 ? " message, " : " messages, ") << timing;
        std::cout << "\n";
        if (!r.error.isEmpty())
            std::cout << "      " << str(r.error) << "\n";
        for (const auto &a : r.assertions) {
            if (!a.passed || verbose)
                std::cout << "      " << (a.passed ? "ok   " : "FAIL ") << str(a.what) << ": "
                          << str(a.detail) << "\n";
        }
        if (verbose) {
            for (const QString &m : r.responses)
                std::cout << "      < " << str(m) << "\n";
        }
        std::cout.flush();
    });
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;

    int passed = 0;
    for (const auto &r : results)
        passed += r.passed() ? 1 : 0;
    std::printf("%zu request%s: %d passed, %zu failed (%.2f s)\n", results.size(),
                results.size() == 1 ? "" : "s", passed, results.size() - static_cast<std::size_t>(passed),
                seconds);
    std::fflush(stdout);

    if (flags.isSet("junit")) {
        const QString path = QString::fromStdString(flags.value("junit"));
        const QString suite = QFileInfo(QDir(folder).absolutePath()).fileName();
        if (const models::Status written =
                models::writeFileAtomically(path, models::junitXml(suite, results, seconds));
            !written) {
            std::cerr << "Failed to write the JUnit report: " << str(written.errorMessage()) << "\n";
            return kExitError;
        }
    }
    return passed == static_cast<int>(results.size()) ? 0 : kExitError;
}

int runDemo(const std::vector<std::string> &args)
{
    Flags flags;
    flags.define("listen", Flags::Kind::Value,
                 "Address to serve on (default 127.0.0.1:50051; port 0 picks one).");
    flags.define("help", Flags::Kind::Bool, "Print this help.");
    std::string error;
    if (!flags.parse(args, &error) || !flags.positional().empty())
        return usageError(error.empty() ? "Unexpected arguments." : error, "wirescope-cli demo");
    if (flags.boolean("help")) {
        std::cout << kDemoUsage << flags.helpText();
        return 0;
    }
    rpc::DemoServer server;
    auto address = server.start(flags.value("listen", "127.0.0.1:50051"));
    if (!address) {
        std::cerr << "Failed to start the demo service: " << address.error().message << "\n";
        return kExitError;
    }
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    std::cout << "Demo service " << rpc::DemoServer::serviceName() << " listening on " << *address
              << std::endl;
    while (!g_stop)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
    return 0;
}

} // namespace cli
