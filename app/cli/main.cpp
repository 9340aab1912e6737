// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-cli: a grpcurl-compatible command line over the Wirescope engine. This file reads
// the command line and runs list and describe; invoking a method is in invoke.cpp, and bench,
// run and demo have files of their own.
#include "common.h"
#include "invoke.h"

#include "models/callrequest.h"
#include "rpc/connectproblem.h"
#include "rpc/proxy.h"

#include <QtGlobal>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "wirescope_version.h"

namespace cli {
int runBench(const std::vector<std::string> &args);
int runWorkspace(const std::vector<std::string> &args);
int runDemo(const std::vector<std::string> &args);
} // namespace cli

namespace {

using namespace cli;

const char *kUsage = R"(Usage:
  wirescope-cli [flags] [address] [list|describe] [symbol]
  wirescope-cli [flags] address method
  wirescope-cli bench [flags] address method
  wirescope-cli run WORKSPACE [--env NAME] [--filter GLOB] [--junit FILE] [--var NAME=VALUE]... [-protocol P]
  wirescope-cli demo [--listen HOST:PORT]

The address is host:port (TLS unless -plaintext), unix:PATH, or a URL: http://host:port (no TLS)
or https://host:port (TLS), where -protocol grpcweb and connect also take a path prefix that goes
before /pkg.Service/Method (http://host:8080/api). It is only optional with 'list' or 'describe'
and -proto or -protoset.
'list' prints the services, or the methods of the named service. 'describe' prints the
declaration of a symbol (service, method, message, enum, ...), or of every service.
Otherwise the named method ("pkg.Service/Method" or "pkg.Service.Method") is invoked with the
messages given by -d.

With -d @ the messages come from standard input while the call runs, as in grpcurl: JSON values
one after another (whitespace between them or none), or with -format text messages separated
by the character 0x1E. A client or bidi stream opens at once, sends each message as soon as it
has been read and half-closes at the end of input; each response is printed as it arrives. A
unary or server-streaming call starts as soon as its one message has been read. Malformed input
ends the call with an error that gives its line and column; -max-time bounds the whole call
even while standard input stays open.

With -protocol grpcweb, grpcweb-text or connect the call goes over HTTP/1.1 or HTTP/2
(-http-version) as gRPC-Web or Connect (-codec proto or json); output, -v, errors and exit codes
are the same as for gRPC. Server reflection is always asked over gRPC.

A server that cannot be reached is said in one line for the address as typed, with a hint where
a flag fixes it (-plaintext, -cacert, ...); -v adds gRPC's own words.

Exit codes: 0 OK; 1 a local error; 2 bad usage; 64 + the gRPC status code for an RPC error.

Flags:
)";

} // namespace

namespace {

int runCli(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "bench")
        return cli::runBench({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "run")
        return cli::runWorkspace({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "demo")
        return cli::runDemo({args.begin() + 1, args.end()});

    Flags flags;
    defineCommonFlags(flags);
    using K = Flags::Kind;
    flags.define("msg-template", K::Bool, "With 'describe' of a message: also print a JSON template for it.");
    flags.define("protoset-out", K::Value,
                 "Write the descriptors of the symbols used to this file as a FileDescriptorSet.");
    flags.define("format-error", K::Bool, "Print an RPC error status with the -format formatter (JSON).");
    flags.define("timeline", K::Bool,
                 "After the call, print every call event in order with relative times and sizes.");
    flags.define("wire", K::Bool,
                 "Print what crosses the wire on stderr as it crosses, one line each: every HTTP/2 frame, or "
                 "for gRPC-Web and Connect over HTTP/1.1 each request and response head and each body chunk "
                 "(a local relay decodes them; it makes the TLS connection and the proxy's CONNECT itself). "
                 "A web call to https:// without -http-version goes as HTTP/2 (the relay offers only h2).");

    std::string error;
    if (!flags.parse(args, &error))
        return usageError(error);
    rpc::setLibraryLogging(flags.boolean("vv"));
    if (flags.boolean("version")) {
        // QtCore comes in with `run` (the workspace format).
        std::cout << "wirescope-cli " << WIRESCOPE_VERSION << " (Qt " << qVersion() << ", gRPC "
                  << rpc::grpcVersion() << ", protobuf " << rpc::protobufVersion() << ")\n";
        return 0;
    }
    if (flags.boolean("help")) {
        std::cout << kUsage << flags.helpText();
        return 0;
    }
    const std::string format = flags.value("format", "json");
    if (format != "json" && format != "text")
        return usageError("The -format option must be 'json' or 'text'.");

    auto pos = flags.positional();
    const bool haveLocalSchema = flags.isSet("proto") || flags.isSet("protoset");
    std::string address;
    if (!pos.empty() && !(haveLocalSchema && (pos[0] == "list" || pos[0] == "describe"))) {
        address = pos[0];
        pos.erase(pos.begin());
    }
    if (pos.empty())
        return usageError("Too few arguments.");
    const std::string verb = pos[0];
    const bool isList = verb == "list";
    const bool isDescribe = verb == "describe";
    std::string symbol;
    if (isList || isDescribe) {
        if (pos.size() > 2)
            return usageError("Too many arguments.");
        if (pos.size() == 2)
            symbol = pos[1];
    } else if (pos.size() > 1) {
        return usageError("Too many arguments.");
    }
    if (address.empty() && !(isList || isDescribe))
        return usageError("No host:port specified.");
    if (flags.boolean("plaintext") && flags.boolean("insecure"))
        return usageError("The -plaintext and -insecure arguments are mutually exclusive.");
    if (flags.isSet("cert") != flags.isSet("key"))
        return usageError("The -cert and -key arguments must be used together.");
    if (flags.boolean("plaintext") && (flags.isSet("cacert") || flags.isSet("cert")))
        return usageError("The -cacert, -cert and -key arguments are not valid with -plaintext.");
    if (flags.isSet("proto") && flags.isSet("protoset"))
        return usageError("Use either -proto or -protoset, not both.");

    rpc::Metadata all, rpcOnly, reflectOnly;
    if (!parseHeaders(flags.list("H"), &all, &error) ||
        !parseHeaders(flags.list("rpc-header"), &rpcOnly, &error) ||
        !parseHeaders(flags.list("reflect-header"), &reflectOnly, &error)) {
        return usageError(error);
    }
    if (!checkNumericFlags(flags, &error))
        return usageError(error);
    if (!checkProtocolFlags(flags, address, &error))
        return usageError(error);
    const bool webProtocol = flags.value("protocol", "grpc") != "grpc";
    if (const int proxyProblem = checkProxy(flags, address))
        return proxyProblem;
    std::int64_t deadlineMs = 0;
    if (double s = 0; flags.isSet("max-time") && parseSeconds(flags.value("max-time"), &s))
        deadlineMs = models::deadlineMilliseconds(s).valueOr(0); // the one seconds-to-ms rule

    rpc::SchemaSpec spec;
    spec.importPaths = flags.list("import-path");
    spec.protoFiles = flags.list("proto");
    spec.protosetFiles = flags.list("protoset");
    spec.useReflection = flags.isSet("use-reflection") ? flags.boolean("use-reflection") : !haveLocalSchema;
    if (spec.useReflection) {
        if (address.empty())
            return usageError("No host:port specified; server reflection needs one.");
        spec.reflectionChannel = channelOptions(flags, address);
        spec.reflectionHeaders = all;
        spec.reflectionHeaders.insert(spec.reflectionHeaders.end(), reflectOnly.begin(), reflectOnly.end());
        if (deadlineMs > 0)
            spec.reflectionTimeoutMs =
                static_cast<int>(std::min<std::int64_t>(deadlineMs, spec.reflectionTimeoutMs));
    }
    rpc::SchemaLoader loader;
    auto schema = loader.load(spec);
    const int verbosity = flags.boolean("vv") ? 2 : flags.boolean("v") ? 1 : 0;
    if (!schema) {
        std::string why = schema.error().toString();
        const char *webHint = "(Server reflection is asked over gRPC; for a server that serves only gRPC-Web or "
                              "Connect, give the schema with -proto or -protoset.)\n";
        // Reflection could not reach the server: said in a few words for the address as typed.
        if (spec.useReflection && rpc::mentionsConnectFailure(why)) {
            // Through a proxy the refusal or the closed connection may be the proxy's: named, as
            // the call engines name it, and not said of the server.
            if (const auto proxy = rpc::proxyFor(spec.reflectionChannel); proxy && *proxy)
                why += " (through the HTTP proxy " + proxy.value()->url + " from " + proxy.value()->source + ")";
            const int code = connectFailed("Failed to load the schema: ", why, address,
                                           spec.reflectionChannel.plaintext, verbosity > 0);
            if (webProtocol)
                std::cerr << webHint;
            return code;
        }
        std::cerr << "Failed to load the schema: " << why << "\n";
        if (webProtocol && spec.useReflection)
            std::cerr << webHint;
        return kExitError;
    }
    // With -v, what was repaired in the reflection server's files, once the command has used
    // them (they are fetched as needed); on stderr, so that list and describe output stays clean.
    struct RepairReport
    {
        const rpc::Schema *schema;
        bool enabled;
        ~RepairReport()
        {
            const auto repairs = schema->reflectionRepairs();
            if (!enabled || repairs.empty())
                return;
            std::cerr << "Server reflection (" << schema->reflectionVersion() << ") " << repairs.summary() << "\n";
            for (const auto &d : repairs.details)
                std::cerr << "  " << d << "\n";
        }
    } repairReport{schema->get(), verbosity > 0 && spec.useReflection};

    if (isList) {
        if (symbol.empty()) {
            auto names = (*schema)->serviceNames();
            if (!names)
                return fail("to list services: " + names.error().message);
            for (const auto &n : *names)
                std::cout << n << "\n";
            return writeProtosetOut(flags, **schema, *names) ? 0 : kExitError;
        }
        auto service = (*schema)->service(symbol);
        if (!service)
            return fail("to list methods for service \"" + symbol + "\": " + service.error().message);
        std::vector<std::string> methods;
        for (const auto &m : service->methods)
            methods.push_back(m.fullName);
        std::sort(methods.begin(), methods.end());
        for (const auto &m : methods)
            std::cout << m << "\n";
        return writeProtosetOut(flags, **schema, {symbol}) ? 0 : kExitError;
    }
    if (isDescribe) {
        std::vector<std::string> symbols;
        if (symbol.empty()) {
            auto names = (*schema)->serviceNames();
            if (!names)
                return fail("to list services: " + names.error().message);
            symbols = *names;
        } else {
            symbols.push_back(symbol);
        }
        for (const auto &s : symbols) {
            auto d = (*schema)->describe(s);
            if (!d)
                return fail("to resolve symbol \"" + s + "\": " + d.error().message);
            const char *article =
                (d->kindName == "enum" || d->kindName == "enum value" || d->kindName == "extension") ? "an"
                                                                                                     : "a";
            std::cout << d->fullName << " is " << article << " " << d->kindName << ":\n" << d->text << "\n";
            if (flags.boolean("msg-template") && d->kind == rpc::SymbolDescription::Kind::Message) {
                auto t = (*schema)->messageTemplate(d->fullName);
                if (t)
                    std::cout << "\nMessage template:\n" << *t << "\n";
            }
        }
        return writeProtosetOut(flags, **schema, symbols) ? 0 : kExitError;
    }

    rpc::Metadata rpcHeaders = all;
    rpcHeaders.insert(rpcHeaders.end(), rpcOnly.begin(), rpcOnly.end());
    return invoke(flags, *schema, address, verb, rpcHeaders, verbosity, deadlineMs);
}

} // namespace

// A standard descriptor that was closed (`<&-`) would go to the next file or socket opened, and
// -d @ would read that: libgrpc's own initializer opens an eventfd as it is loaded. Each one is
// held by /dev/null opened the other way round, so using it fails with EBADF as using the closed
// descriptor would. An executable's .preinit_array runs before any shared library's
// initializers, which a constructor function does not (ELF platforms only).
[[maybe_unused]] static void holdClosedStandardDescriptors(int, char **, char **)
{
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            const int held = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
            if (held >= 0 && held != fd) {
                ::dup2(held, fd);
                ::close(held);
            }
        }
    }
}
#ifdef __ELF__
__attribute__((section(".preinit_array"), used)) static void (*const s_holdClosedStandardDescriptors)(
    int, char **, char **) = &holdClosedStandardDescriptors;
#endif

int main(int argc, char **argv)
{
    // A closed pipe on stdout (or a socket the wire tap writes to) is an error to handle, not a
    // signal that ends the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Nothing is expected to throw; if something does (out of memory, say), say so and fail
    // like any other local error instead of aborting.
    try {
        return runCli(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "Failed: " << e.what() << "\n";
        return cli::kExitError;
    }
}
