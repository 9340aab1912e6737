// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"

#include <QString>
#include <QStringList>

namespace models {

// A request as a grpcurl command line, both ways.
struct GrpcurlCommand
{
    SavedRequest request; // method, target, metadata, body (a JSON array for several messages), deadline
    ConnectionSettings connection; // the target is the request's
    QStringList importPaths;
    QStringList protoFiles;
    QStringList protosets;
};

// The command that sends `request` over `connection`: grpcurl's flags (sizes in bytes and
// times in seconds, exactly), the body as -d, the schema flags when the schema comes from files.
// Variables of `environment` are replaced as when the request is sent; a secret becomes a
// reference to the shell variable WIRESCOPE_VAR_<NAME>, so the command works where that is set
// and the secret itself is never in the text. A variable the environment does not have, or a
// -bin header that is not base64, is an error naming it.
Result<QString> toGrpcurl(const SavedRequest &request, const ConnectionSettings &connection,
                          const QStringList &importPaths, const QStringList &protoFiles,
                          const QStringList &protosets, const Environment &environment);

// Parses a pasted grpcurl (or wirescope-cli) command line: shell quoting ('…', "…", \),
// line continuations, "-flag value" and "-flag=value". What cannot become a request (list,
// describe, -d @, an unknown flag, a value that is not a number, a -bin header that is not
// base64) is an error that names it.
Result<GrpcurlCommand> parseGrpcurl(const QString &commandLine);

// Splits a command line as a POSIX shell would (without expansions); an error on an unclosed quote.
Result<QStringList> shellSplit(const QString &commandLine);
// One argument quoted for a POSIX shell, only when it needs it.
QString shellQuote(const QString &argument);

} // namespace models
