// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A workspace for the QTest suites that link models: the in-tree test service as its schema.
#include "models/workspace.h"

#include <QDir>
#include <QFile>

namespace {

// A new workspace in `folder` with the test service's proto inside it, as its schema.
inline models::Workspace workspaceWithTestProto(const QString &folder)
{
    QDir().mkpath(folder + QStringLiteral("/protos/wirescope/testing"));
    QFile::copy(QStringLiteral(WIRESCOPE_TEST_PROTO_DIR "/wirescope/testing/test.proto"),
                folder + QStringLiteral("/protos/wirescope/testing/test.proto"));
    models::Workspace ws = models::Workspace::open(folder);
    models::WorkspaceSettings settings = ws.settings();
    settings.importPaths = {QStringLiteral("protos")};
    settings.protoFiles = {QStringLiteral("wirescope/testing/test.proto")};
    // The tests that use it fail on their own if the schema is missing; this says why.
    if (const models::Status saved = ws.saveSettings(settings); !saved)
        qWarning("the test workspace's settings were not written: %s", qPrintable(saved.errorMessage()));
    return ws;
}

} // namespace
