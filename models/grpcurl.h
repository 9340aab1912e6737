// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/runner.h"
#include "models/workspace.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace models {

// A request as a grpcurl command line, both ways.
struct GrpcurlCommand
{
    SavedRequest request; // method, target, metadata, body (a JSON array for several messages), deadline
    Runner::Channel channel;
    QStringList importPaths;
    QStringList protoFiles;
    QStringList protosets;
};

// The command that sends `request` to `channel`: grpcurl's flags, the body as -d, the schema
// flags when the schema comes from files. Variables of `environment` are replaced; a secret
// becomes a reference to the shell variable WIRESCOPE_VAR_<NAME>, so the command works where
// that is set and the secret itself is never in the text. A variable the environment does not
// have is an error naming it.
std::optional<QString> toGrpcurl(const SavedRequest &request, const Runner::Channel &channel,
                                 const QStringList &importPaths, const QStringList &protoFiles,
                                 const QStringList &protosets, const Environment &environment,
                                 QString *error);

// Parses a pasted grpcurl (or wirescope-cli) command line: shell quoting ('…', "…", \),
// line continuations, "-flag value" and "-flag=value". What cannot become a request (list,
// describe, -d @, an unknown flag) is an error that names it.
std::optional<GrpcurlCommand> parseGrpcurl(const QString &commandLine, QString *error);

// Splits a command line as a POSIX shell would (without expansions); nothing on an unclosed quote.
std::optional<QStringList> shellSplit(const QString &commandLine, QString *error);
// One argument quoted for a POSIX shell, only when it needs it.
QString shellQuote(const QString &argument);

} // namespace models
