// SPDX-License-Identifier: GPL-3.0-or-later
// Built against models by CTest (include_path_public): the public headers of rpc/ and models/
// are found through the same include path that hides rpc/internal/.
#include "models/callrequest.h"
#include "rpc/engine.h"
#include "rpc/jsondom.h"

int includeProbePublic()
{
    return 0;
}
