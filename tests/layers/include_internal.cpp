// SPDX-License-Identifier: GPL-3.0-or-later
// Built against models by CTest (include_path_internal), expecting the compiler to say that it
// cannot find the engine's private header: only rpc/ itself reaches rpc/internal/.
#include "models/callrequest.h"
#include "rpc/internal/jsondom.h"

int includeProbeInternal()
{
    return 0;
}
