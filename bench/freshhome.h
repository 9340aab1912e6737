// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GUI benchmarks run with data, settings and cache folders of their own, made for the run:
// history and settings left by earlier runs (the big-response bench sends a 40 MiB request per
// round) must not weigh on this one, nor the benchmark on the user's own.

#include <QByteArray>
#include <QTemporaryDir>

namespace bench {

inline void useFreshDataFolders(const QTemporaryDir &folder)
{
    for (const char *variable : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"})
        qputenv(variable, (folder.path() + QLatin1Char('/') + QLatin1String(variable)).toLocal8Bit());
}

} // namespace bench
