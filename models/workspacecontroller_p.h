// SPDX-License-Identifier: GPL-3.0-or-later
// What workspacecontroller.cpp and workspacecontroller_autosave.cpp share. A private header
// (wirescope_public_headers leaves *_p.h out of the public include tree): only those two files
// include it.
#pragma once

#include <QDir>
#include <QString>

namespace models {

// Unnamed as when it lived in one file, so each .cpp has its own; inline, as a header function.
namespace {

inline QString absoluteFolder(const QString &folder)
{
    return folder.isEmpty() ? QString() : QDir(folder).absolutePath();
}

} // namespace

} // namespace models
