// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The JSON document model is public (rpc/jsondom.h): it holds no protobuf type, and the request
// form in models/ reads requests with it so that numbers keep the text they were written with.
#include "rpc/jsondom.h"
