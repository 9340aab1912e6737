// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcesmodel.h"

#include <QTreeWidget>

namespace ui {

// The Problems list: every error of a schema source that failed to load, with file:line:col.
// Activating one reads the file on a pool thread and hands over a read-only viewer at that
// line (fileOpened), for the window to show as a tab.
class ProblemsPanel final : public QTreeWidget
{
    Q_OBJECT

public:
    explicit ProblemsPanel(QWidget *parent = nullptr);

    // Replaces what was listed for `sourceId` with the problems of its failed load.
    void showFailure(int sourceId, const models::SourceSpec &spec, const rpc::Error &error);
    // Drops what was listed for `sourceId` (it is loading again, or gone).
    void clearSource(int sourceId);

signals:
    void fileOpened(QWidget *viewer, const QString &title, const QString &file);
    void fileMissing(const QString &file);

private:
    void open(const QString &file, int line, int column);
};

} // namespace ui
