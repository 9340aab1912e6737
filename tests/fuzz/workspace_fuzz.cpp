// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for workspace folders as a team keeps them in git, where any file may be
// hand-edited, merged badly or hostile: the input is wirescope.json and up to three request
// files, separated by lines holding only "%%", written to a folder that models::Workspace::open
// then reads. Whatever the files hold, opening ends in requests and problems that say where,
// never a crash, and:
// - every request that loads saves to bytes that load as the same request (and save to the
//   same bytes again), and the settings save and load as the same settings;
// - what `run` and the window do with a loaded request before any network work (defaults,
//   environments and variables, the named connection, metadata to engine headers) ends in a
//   value or an error, with times that fit the engine's milliseconds.
// Built and run by scripts/fuzz.sh.
#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/runner.h"
#include "models/workspace.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void fail(const char *what, const QString &detail = {})
{
    std::fprintf(stderr, "%s\n%s\n", what, detail.toUtf8().constData());
    std::abort();
}

// The workspace the input is written to, and one that holds only settings saved from it.
const QString &root()
{
    static const QString dir = [] {
        const QString d = QDir::tempPath() + QStringLiteral("/wirescope-workspace-fuzz-%1").arg(::getpid());
        std::atexit([] { QDir(root()).removeRecursively(); });
        return d;
    }();
    return dir;
}
QString folder()
{
    return root() + QStringLiteral("/input");
}
QString settingsFolder()
{
    return root() + QStringLiteral("/saved");
}

void write(const QString &relative, std::string_view bytes)
{
    const QString path = folder() + QLatin1Char('/') + relative;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        fail("cannot write the fuzz workspace", path);
    file.write(bytes.data(), static_cast<qint64>(bytes.size()));
}

void checkRoundTrip(const models::SavedRequest &request)
{
    const QByteArray bytes = models::Workspace::serialize(request);
    const auto again = models::Workspace::parseRequest(bytes, request.path);
    if (!again)
        fail("a loaded request does not load again after saving", again.error().toString() + QLatin1Char('\n') +
                                                                       QString::fromUtf8(bytes));
    if (!(*again == request))
        fail("a loaded request loads as another request after saving", QString::fromUtf8(bytes));
    if (models::Workspace::serialize(*again) != bytes)
        fail("saving a request twice gives different bytes", QString::fromUtf8(bytes));
}

// The engine's options for a connection (times in milliseconds: the conversion is checked by UBSan).
void checkChannel(const models::ConnectionSettings &connection, const QString &target)
{
    (void)connection.toOptions(target, "fuzz");
}

// `run` and the window send the deadline as int64 milliseconds, which the engine adds to the
// system clock in nanoseconds: a deadline they are given must fit both.
void checkDeadline(const models::SavedRequest &request)
{
    const double s = request.deadlineSeconds;
    if (!std::isfinite(s) || s < 0 || !models::deadlineMilliseconds(s))
        fail("a request's deadline does not fit the engine's milliseconds", QString::number(s));
}

void checkRequest(const models::Workspace &ws, const models::SavedRequest &saved)
{
    checkRoundTrip(saved);
    const models::SavedRequest request = models::withDefaults(saved, ws.settings());
    checkDeadline(request);
    if (auto connection = models::ConnectionSettings::fromWorkspace(ws, request.connection))
        checkChannel(*connection, request.target);
    else if (connection.errorMessage().isEmpty())
        fail("fromWorkspace refused a connection without saying why", request.connection);

    std::vector<models::Environment> environments = ws.settings().environments;
    environments.emplace_back(); // none chosen
    for (const models::Environment &env : environments) {
        const auto target = models::resolveVariables(request.target, env, QStringLiteral("target"));
        if (!target && target.errorMessage().isEmpty())
            fail("an unresolved target without a reason", request.target);
        (void)models::resolveVariables(request.body, env, QStringLiteral("body"));
        for (const auto &[key, value] : request.metadata) {
            const auto v = models::resolveVariables(value, env, key);
            if (!v)
                continue;
            if (const auto entry = models::metadataEntry(key, *v); !entry && entry.errorMessage().isEmpty())
                fail("metadataEntry refused without saying why", key);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const QString kFiles[] = {QLatin1String(models::Workspace::kSettingsFile), QStringLiteral("a.json"),
                                     QStringLiteral("sub/b.json"), QStringLiteral("c.json")};
    static const bool made = QDir().mkpath(folder() + QStringLiteral("/sub")) && QDir().mkpath(settingsFolder());
    if (!made)
        fail("cannot make the fuzz workspace", root());
    // Every file is rewritten (an empty one when the input has fewer parts): cheaper than a new
    // folder each time, and an empty request file is a case of its own.
    std::string_view text(reinterpret_cast<const char *>(data), size);
    constexpr std::string_view kSeparator = "\n%%\n";
    bool more = true;
    for (std::size_t i = 0; i < std::size(kFiles); ++i) {
        const auto at = more && i + 1 < std::size(kFiles) ? text.find(kSeparator) : std::string_view::npos;
        write(kFiles[i], more ? text.substr(0, at) : std::string_view());
        more = more && at != std::string_view::npos;
        if (more)
            text.remove_prefix(at + kSeparator.size());
    }

    models::Workspace ws = models::Workspace::open(folder());
    for (const auto &problem : ws.problems()) {
        if (problem.message.isEmpty() || problem.file.isEmpty())
            fail("a problem that does not say what or where", problem.toString());
    }
    for (const auto &request : ws.requests())
        checkRequest(ws, request);
    for (auto it = ws.settings().connections.begin(); it != ws.settings().connections.end(); ++it) {
        if (auto connection = models::ConnectionSettings::fromWorkspace(ws, it.key()))
            checkChannel(*connection, QStringLiteral("localhost:1"));
    }
    models::Runner runner(ws);
    for (const auto &env : ws.settings().environments) {
        models::RunOptions options;
        options.environment = env.name;
        if (const auto selected = runner.select(options); !selected)
            fail("an environment of the workspace cannot be chosen", env.name + QLatin1Char('\n') + selected.errorMessage());
    }

    // The settings save and load as the same settings (in a folder of their own: the paths they
    // hold were checked against the input folder, and nothing else there needs reading again).
    const models::WorkspaceSettings settings = ws.settings();
    models::Workspace saved = models::Workspace::open(settingsFolder());
    if (const models::Status written = saved.saveSettings(settings); !written)
        fail("loaded settings cannot be saved", written.errorMessage());
    const models::Workspace reopened = models::Workspace::open(settingsFolder());
    if (!(reopened.settings() == settings))
        fail("settings load as other settings after saving", QString::fromUtf8(models::Workspace::serialize(settings)));
    return 0;
}
