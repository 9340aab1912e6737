// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcesmodel.h"
#include "rpc/types.h"

#include <QIcon>

// One icon per kind, the same wherever the kind shows: the services tree, request tabs, the
// collection, menus and toolbar.
namespace ui::icons {

QIcon method(rpc::MethodKind kind);
QIcon source(models::SourceSpec::Kind kind);
QIcon failedSource();
QIcon service();
QIcon clearText(); // the button that empties a filter or search field

} // namespace ui::icons
