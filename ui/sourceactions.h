// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QStringList>

#include <functional>
#include <vector>

class QAction;
class QMenu;
class QTreeView;
class QWidget;

namespace models {
class SourcesModel;
struct SourceSpec;
} // namespace models

namespace ui {

class SourceDialog;

// What a user does to the schema sources of the window: add proto files (import roots guessed
// and shown for a yes), add a server with reflection (with TLS), and reload, edit or remove the
// source picked in the services tree, from its context menu or the File menu. Selecting a
// quiet source (restored, not connected) loads it again, now with its errors shown.
class SourceActions final : public QObject
{
    Q_OBJECT

public:
    SourceActions(models::SourcesModel &sources, QTreeView *tree, QWidget *window);

    QAction *reloadAction() const { return m_reload; }
    QAction *editAction() const { return m_edit; }
    QAction *removeAction() const { return m_remove; }
    // The source of the tree's current item, or -1.
    int currentSource() const;

    // Each opens its dialog window-modal (not blocking) and announces it with dialogOpened;
    // OK adds or changes the source.
    SourceDialog *editSource(int sourceId);
    SourceDialog *askForServer(const QString &target);
    // Guesses the files' import roots on a pool thread first (it reads them).
    void askForProtoFiles(const QStringList &files);
    // The same guess, then the files are added as one source without asking (files named on
    // the command line without -I).
    void addProtoFiles(const QStringList &files);

signals:
    void dialogOpened(ui::SourceDialog *dialog);
    void statusMessage(const QString &text);

private:
    void showDialog(SourceDialog *dialog, int sourceId);
    // Guesses the files' roots on a pool thread, then hands the source to `then` here.
    void guessRoots(const QStringList &files, std::function<void(models::SourceSpec)> then);
    void updateActions();
    std::vector<int> failedSources() const;
    void showContextMenu(const QPoint &at);

    models::SourcesModel &m_sources;
    QTreeView *m_tree = nullptr;
    QWidget *m_window = nullptr;
    QAction *m_reload = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_remove = nullptr;
};

} // namespace ui
