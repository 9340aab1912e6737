// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/softassert.h"

#include <QLoggingCategory>

#include <atomic>

namespace models {

namespace {
Q_LOGGING_CATEGORY(assertLog, "wirescope.assert")
std::atomic<int> g_broken{0};
} // namespace

void reportBrokenInvariant(const char *condition, const char *file, int line)
{
    ++g_broken;
    qCWarning(assertLog, "broken invariant \"%s\" at %s:%d; recovered", condition, file, line);
}

int brokenInvariantCount()
{
    return g_broken.load();
}

} // namespace models
