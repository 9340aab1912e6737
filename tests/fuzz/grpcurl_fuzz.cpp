// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for grpcurl command lines, the two places Wirescope reads them:
// - a command pasted into the window (models::parseGrpcurl): it becomes a request or an error
//   that says why, and a request exported again (models::toGrpcurl) parses back to a request the
//   engine would send the same way; shell quoting (shellQuote) splits back (shellSplit) to the
//   same word;
// - the same words as wirescope-cli's arguments (cli::Flags with the common flags): they parse
//   or are refused with a message, and the times the numeric flags give fit the engine's
//   milliseconds once checkNumericFlags accepts them.
// The input is the command line as UTF-8. Built and run by scripts/fuzz.sh.
#include "common.h"
#include "flags.h"

#include "models/callrequest.h"
#include "models/grpcurl.h"
#include "rpc/jsonutil.h"
#include "rpc/proxy.h"

#include <QString>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char *what, const QString &a, const QString &b = {})
{
    std::fprintf(stderr, "%s\n  [%s]\n  [%s]\n", what, a.toUtf8().constData(), b.toUtf8().constData());
    std::abort();
}

// What the engine is given for a parsed command: TLS settings count only without -plaintext.
struct Sent
{
    models::SavedRequest request;
    rpc::ChannelOptions channel;
    QStringList importPaths, protoFiles, protosets;
};

Sent sent(const models::GrpcurlCommand &c)
{
    Sent s{c.request, c.connection.toOptions(c.request.target, "fuzz"), c.importPaths, c.protoFiles, c.protosets};
    if (s.channel.plaintext)
        s.channel.skipVerify = false;
    return s;
}

QString differences(const Sent &a, const Sent &b)
{
    QStringList d;
    auto check = [&](bool same, const char *what) {
        if (!same)
            d << QLatin1String(what);
    };
    check(a.request.method == b.request.method, "method");
    check(a.request.target == b.request.target, "target");
    check(a.request.metadata == b.request.metadata, "metadata");
    // Compared as the messages a stream sends: a JSON array is one message per element, and -d
    // writes them one after another, so "[8]" comes back as "8", the same one message. Zero
    // messages (an empty array) are written as no -d, which grpcurl reads as zero messages on a
    // client stream and one empty message on a unary call; read back without the method at
    // hand, that is "{}".
    auto messages = [](const QString &text) {
        std::vector<std::string> values;
        if (auto elements = models::arrayMessages(text.trimmed()))
            values = std::move(*elements);
        else if (auto split = rpc::splitJsonValues(text.toStdString()))
            values = std::move(*split);
        else
            return QStringList{text}; // not JSON: compared as written
        QStringList out;
        for (const std::string &v : values)
            out << QString::fromStdString(rpc::prettyJson(v, 0));
        return out.isEmpty() ? QStringList{QStringLiteral("{}")} : out;
    };
    check(messages(a.request.body) == messages(b.request.body), "body");
    check(a.request.deadlineSeconds == b.request.deadlineSeconds, "deadline");
    check(a.channel.cacheKey() == b.channel.cacheKey(), "channel");
    check(a.channel.connectTimeoutMs == b.channel.connectTimeoutMs, "connect timeout");
    check(a.importPaths == b.importPaths && a.protoFiles == b.protoFiles && a.protosets == b.protosets,
          "schema files");
    return d.join(QStringLiteral(", "));
}

// A pasted curl command (a Connect call): what Copy as curl writes for it, pasted again, is a
// request whose own command is the same. (Once: a Host header under TLS comes back as the
// server name --connect-to gives, the same call written another way.)
void checkCurl(const models::GrpcurlCommand &command)
{
    auto exportAndPaste = [](const models::GrpcurlCommand &c) -> std::optional<models::GrpcurlCommand> {
        const auto curl = models::toCurl(c.request, c.connection, rpc::MethodKind::Unary, models::Environment{});
        if (!curl)
            return std::nullopt; // {{variables}} with no environment chosen
        const auto again = models::parseGrpcurl(*curl);
        if (!again)
            fail("an exported curl command does not parse", *curl, again.errorMessage());
        return *again;
    };
    const auto once = exportAndPaste(command);
    if (!once)
        return;
    const auto twice = exportAndPaste(*once);
    if (!twice)
        fail("an exported curl command does not export again", once->request.target);
    const QString diff = differences(sent(*once), sent(*twice));
    if (!diff.isEmpty())
        fail(("an exported curl command parses to another request: " + diff.toStdString()).c_str(),
             once->request.target, twice->request.target);
}

void checkPasted(const QString &line)
{
    const auto command = models::parseGrpcurl(line);
    if (!command) {
        if (command.errorMessage().isEmpty())
            fail("parseGrpcurl refused a command without saying why", line);
        return;
    }
    if (line.trimmed().startsWith(QLatin1String("curl"))) {
        checkCurl(*command);
        return;
    }
    const auto exported = models::toGrpcurl(command->request, command->connection, command->importPaths,
                                            command->protoFiles, command->protosets, models::Environment{});
    if (!exported)
        return; // {{variables}} with no environment chosen: an error that names them
    const auto again = models::parseGrpcurl(*exported);
    if (!again)
        fail("an exported command does not parse", *exported, again.errorMessage());
    const QString diff = differences(sent(*command), sent(*again));
    if (!diff.isEmpty())
        fail(("an exported command parses to another request: " + diff.toStdString()).c_str(), line, *exported);
}

void checkQuoting(const QStringList &words)
{
    for (const QString &word : words) {
        const auto split = models::shellSplit(models::shellQuote(word));
        if (!split || split->size() != 1 || split->front() != word)
            fail("a quoted word does not split back to itself", word, models::shellQuote(word));
    }
}

void checkCli(const QStringList &words)
{
    std::vector<std::string> args;
    for (const QString &w : words)
        args.push_back(w.toStdString());
    // As parseGrpcurl: variables set for the command and the program name come first.
    while (!args.empty() && args.front().find('=') != std::string::npos && args.front().front() != '-')
        args.erase(args.begin());
    if (!args.empty() && args.front().rfind('-', 0) != 0)
        args.erase(args.begin());

    cli::Flags flags;
    cli::defineCommonFlags(flags);
    std::string error;
    if (!flags.parse(args, &error)) {
        if (error.empty())
            fail("the CLI refused its arguments without saying why", words.join(QLatin1Char(' ')));
        return;
    }
    rpc::Metadata headers;
    for (const char *list : {"H", "rpc-header", "reflect-header"})
        (void)cli::parseHeaders(flags.list(list), &headers, &error);
    error.clear();
    if (!cli::checkNumericFlags(flags, &error)) {
        if (error.empty())
            fail("checkNumericFlags refused without saying why", words.join(QLatin1Char(' ')));
        return;
    }
    // wirescope-cli turns these into int milliseconds (channel) and an int64 deadline.
    for (const char *name : {"connect-timeout", "keepalive-time", "max-time"}) {
        double s = 0;
        if (flags.isSet(name) && cli::parseSeconds(flags.value(name), &s) &&
            !(std::round(s * 1000) <= static_cast<double>(std::numeric_limits<int>::max())))
            fail("checkNumericFlags accepted a time that does not fit in milliseconds",
                 QString::fromStdString(name), QString::fromStdString(flags.value(name)));
    }
    const std::string address = flags.positional().empty() ? std::string("localhost:1") : flags.positional().front();
    // The proxy -proxy names (or the environment's), as wirescope-cli checks it before a call.
    (void)rpc::proxyFor(cli::channelOptions(flags, address));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString line = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkPasted(line);
    if (const auto words = models::shellSplit(line)) {
        checkQuoting(*words);
        checkCli(*words);
    } else if (words.errorMessage().isEmpty()) {
        fail("shellSplit refused a line without saying why", line);
    }
    return 0;
}
