// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/types.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace models {
class WorkspaceStore;
}

namespace ui {

// The saved requests of the open workspace as a tree of folders, with create, rename/move,
// duplicate and delete for requests and folders, and the searchable call history. Operations
// go to the WorkspaceStore (its own thread); the tree follows its snapshot.
class WorkspacePanel final : public QWidget
{
    Q_OBJECT

public:
    explicit WorkspacePanel(models::WorkspaceStore &store, QWidget *parent = nullptr);

    QTreeWidget *requestTree() const { return m_tree; }
    QListWidget *historyList() const { return m_history; }
    QLineEdit *historySearch() const { return m_search; }
    QTabWidget *tabs() const { return m_tabs; }
    // How a saved request's method is called ("pkg.Svc/Method"), when a loaded schema knows it:
    // its row shows that kind's icon. updateIcons() asks again (a schema has loaded).
    using MethodKindLookup = std::function<std::optional<rpc::MethodKind>(const QString &method)>;
    void setMethodKindLookup(MethodKindLookup lookup) { m_kindOf = std::move(lookup); }
    void updateIcons();

    // The operations of the context menu, callable directly (tests, shortcuts). Paths are
    // relative to the workspace.
    void renameItem(const QString &from, const QString &to, bool folder);
    void duplicateItem(const QString &from, const QString &to, bool folder);
    void deleteItem(const QString &path, bool folder);
    void createFolder(const QString &path);

signals:
    void openRequested(const QString &path);
    void historyOpenRequested(int index); // an index into WorkspaceStore::history()
    // "New Request Here…": the window saves its current request into `folder` ("" for the top).
    void newRequestRequested(const QString &folder);

private:
    void rebuildTree();
    void rebuildHistory();
    void showMenu(const QPoint &pos);
    QTreeWidgetItem *folderItem(const QString &folder);

    models::WorkspaceStore &m_store;
    QLabel *m_title = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLineEdit *m_search = nullptr;
    QListWidget *m_history = nullptr;
    MethodKindLookup m_kindOf;
};

} // namespace ui
