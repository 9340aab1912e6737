// SPDX-License-Identifier: GPL-3.0-or-later
// What runner.cpp and runner_assertions.cpp share. A private header (wirescope_public_headers
// leaves *_p.h out of the public include tree): only those two files include it.
#pragma once

#include "rpc/types.h"

#include <QString>

namespace models {

// Unnamed as when it lived in one file, so each .cpp has its own; inline, as a header function.
namespace {

inline QString statusName(int code)
{
    return QString::fromStdString(rpc::statusCodeName(code));
}

} // namespace

} // namespace models
