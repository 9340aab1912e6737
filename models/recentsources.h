// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcesmodel.h"

#include <QList>
#include <QString>
#include <QVariantMap>

namespace models {

// Schema sources opened before, newest first, kept in the application's settings so they can
// be opened again from File → Open Recent.
// A source as a map of plain values (settings, the autosave file), and back.
QVariantMap sourceSpecToMap(const SourceSpec &spec);
SourceSpec sourceSpecFromMap(const QVariantMap &map);

class RecentSources final
{
public:
    static constexpr int kMaxEntries = 10;

    // Entries as stored; a source equal to an earlier one moves to the front.
    static void remember(const SourceSpec &spec);
    static QList<SourceSpec> load();
    static void clear();
};

} // namespace models
