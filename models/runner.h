// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"
#include "rpc/types.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace models {

// What one call gave, as assertions see it.
struct CallOutcome
{
    int statusCode = 0;
    QString statusMessage;
    QStringList responses; // each message as JSON
    double latencyMs = 0;  // from the call's start to its status
};

struct AssertionOutcome
{
    QString what; // "status", "json $.city equals", ...
    bool passed = false;
    QString detail; // why it failed, or what was seen
};

// Checks a saved request's assertions against a call's outcome. The keys:
//   "status": "OK" | "NOT_FOUND" | 5        expected status (OK when not given)
//   "message_count": 3 | {"min": 1, "max": 5}
//   "max_latency_ms": 500
//   "json": [{"path": "$.days[0].high", "equals" | "contains" | "matches" | "exists": value,
//             "message": 0 | -1 | "all" | "any"}]        (message 0 when not given)
// An unknown key or a malformed assertion is a failed assertion that says what is wrong, so a
// typo never passes silently.
std::vector<AssertionOutcome> evaluateAssertions(const QJsonObject &assertions, const CallOutcome &outcome);
// The assertions with their {{variables}} replaced in every string (they compare with {{city}}
// as the body does); an unknown variable is an error naming it.
Result<QJsonObject> resolveAssertions(const QJsonObject &assertions, const Environment &environment,
                                      const SecretLookup &secrets);

// A JSON path ("$", ".name", "['name']", "[2]", "[-1]" from the end) applied to a value.
// Nothing when a step does not exist; an error when the path itself is malformed.
Result<std::optional<QJsonValue>> jsonPathValue(const QJsonValue &root, const QString &path);

// One saved request run by the Runner.
struct RunResult
{
    QString path; // the request file, relative to the workspace
    QString method;
    QString target; // after variables were resolved (secret values masked)
    QString error;  // set when the request could not be sent (variables, schema, method)
    int statusCode = -1;
    QString statusName;
    QString statusMessage;
    QStringList statusDetails;
    QStringList responses;
    double latencyMs = 0;
    std::vector<AssertionOutcome> assertions;

    bool passed() const;
};

struct RunOptions
{
    QString environment;               // an environment of the workspace, or empty for none
    QString filter;                    // glob on request paths ('*' any run, '?' one char)
    QHash<QString, QString> variables; // override (and supply secrets for) the environment
    int defaultTimeoutMs = 60000;      // for requests without a deadline
    // How requests go over the wire when their file does not say (wirescope-cli run -protocol,
    // -http-version, -codec): a file's own "protocol" wins, and what these leave unset comes
    // from the workspace's defaults (ProtocolChoice::over). A web protocol takes a target
    // written as a URL with its path prefix.
    ProtocolChoice protocol;
};

// Runs a workspace's saved requests, in path order, through the engine on the calling thread
// (blocking: the GUI calls it from a worker). Target, metadata and body get the chosen
// environment's variables. Secret values never appear in a result: they are masked as "•••".
class Runner
{
public:
    explicit Runner(const Workspace &workspace);

    // The requests the options select, in order; an error when the environment is unknown.
    Result<std::vector<const SavedRequest *>> select(const RunOptions &options) const;
    std::vector<RunResult> run(const RunOptions &options,
                               const std::function<void(const RunResult &)> &progress = {});

private:
    Workspace m_workspace; // a copy: the caller may pass a temporary
};

// The process environment variable that gives a secret's value to `wirescope-cli run`:
// WIRESCOPE_VAR_ and the name in capitals, other characters as '_' ("api-token" →
// WIRESCOPE_VAR_API_TOKEN).
QString secretEnvironmentName(const QString &variable);

// `text` with every secret value replaced by "•••", longer secrets first so that one containing
// another is masked whole.
QString maskSecrets(QString text, QStringList secrets);

// True when `text` matches the glob: '*' any run of characters (also '/'), '?' any one.
bool globMatches(const QString &glob, const QString &text);

// A JUnit XML report (one testsuite named after the workspace, one testcase per request) that
// CI systems read. Characters XML 1.0 cannot hold are replaced.
QByteArray junitXml(const QString &suiteName, const std::vector<RunResult> &results, double seconds);

} // namespace models
