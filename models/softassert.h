// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Soft asserts (Qt Creator's QTC_ASSERT idea): a broken invariant is logged with where it was
// found, and the code recovers with `action` (return, continue, a fallback) instead of ending
// the process. Used where a state "cannot happen" but a user's data is at stake if it does.
//
//     WIRESCOPE_ASSERT(tab, return);
//     WIRESCOPE_ASSERT(index >= 0, index = 0);

#include <QtGlobal>

namespace models {

// Logs a broken invariant (category "wirescope.assert", a warning) and counts it.
void reportBrokenInvariant(const char *condition, const char *file, int line);
// How many broken invariants were reported in this process: tests check it stays 0.
int brokenInvariantCount();

} // namespace models

#define WIRESCOPE_ASSERT(cond, action)                                                                     \
    if (Q_LIKELY(cond)) {                                                                                  \
    } else {                                                                                               \
        ::models::reportBrokenInvariant(#cond, __FILE__, __LINE__);                                        \
        action;                                                                                            \
    }                                                                                                      \
    do {                                                                                                   \
    } while (false)
