// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workspacepanel.h"

#include "models/workspacestore.h"
#include "ui/clearbutton.h"
#include "ui/icons.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QTabWidget>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

namespace ui {

namespace {

enum Role { PathRole = Qt::UserRole + 1, FolderRole, HistoryIndexRole, MethodRole };

} // namespace

WorkspacePanel::WorkspacePanel(models::WorkspaceStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_title = new QLabel(tr("No workspace open (File → Open Workspace…)"), this);
    m_title->setObjectName(QStringLiteral("workspaceTitle"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs, 1);

    m_tree = new QTreeWidget(m_tabs);
    m_tree->setObjectName(QStringLiteral("savedRequestsTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tabs->addTab(m_tree, tr("Requests"));

    auto *historyPage = new QWidget(m_tabs);
    auto *historyLayout = new QVBoxLayout(historyPage);
    historyLayout->setContentsMargins(0, 4, 0, 0);
    m_search = new QLineEdit(historyPage);
    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setPlaceholderText(tr("Search history (method, target, status, body, responses)"));
    addClearButton(m_search);
    m_history = new QListWidget(historyPage);
    m_history->setObjectName(QStringLiteral("historyList"));
    m_history->setToolTip(tr("Double-click to open a call again as a new request"));
    historyLayout->addWidget(m_search);
    historyLayout->addWidget(m_history, 1);
    m_tabs->addTab(historyPage, tr("History"));

    connect(&m_store, &models::WorkspaceStore::changed, this, &WorkspacePanel::rebuildTree);
    connect(&m_store, &models::WorkspaceStore::historyChanged, this, &WorkspacePanel::rebuildHistory);
    connect(m_search, &QLineEdit::textChanged, this, &WorkspacePanel::rebuildHistory);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (!item->data(0, FolderRole).toBool())
            emit openRequested(item->data(0, PathRole).toString());
    });
    connect(m_history, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        emit historyOpenRequested(item->data(HistoryIndexRole).toInt());
    });
    connect(m_tree, &QWidget::customContextMenuRequested, this, &WorkspacePanel::showMenu);
}

QTreeWidgetItem *WorkspacePanel::folderItem(const QString &folder)
{
    if (folder.isEmpty() || folder == QLatin1String("."))
        return m_tree->invisibleRootItem();
    QTreeWidgetItem *parent = folderItem(QFileInfo(folder).path());
    for (int i = 0; i < parent->childCount(); ++i) {
        QTreeWidgetItem *child = parent->child(i);
        if (child->data(0, FolderRole).toBool() && child->data(0, PathRole).toString() == folder)
            return child;
    }
    auto *item = new QTreeWidgetItem(parent, {QFileInfo(folder).fileName()});
    item->setData(0, PathRole, folder);
    item->setData(0, FolderRole, true);
    item->setIcon(0, style()->standardIcon(QStyle::SP_DirIcon));
    return item;
}

void WorkspacePanel::rebuildTree()
{
    const models::Workspace &ws = m_store.workspace();
    if (!m_store.isOpen()) {
        // Closed (or never opened): the calls made without a workspace stay in History.
        m_tree->clear();
        m_title->setText(tr("No workspace open (File → Open Workspace…)"));
        m_title->setToolTip({});
        return;
    }
    m_title->setText(
        tr("<b>%1</b> — %n request(s)", nullptr, int(ws.requests().size())).arg(QFileInfo(ws.folder()).fileName()));
    m_title->setToolTip(ws.folder());
    m_tree->clear();
    // Folders without requests show too (listed by the store's thread).
    const QStringList &folders = m_store.folders();
    for (const QString &f : folders)
        folderItem(f);
    for (const auto &r : ws.requests()) {
        auto *item =
            new QTreeWidgetItem(folderItem(QFileInfo(r.path).path()), {QFileInfo(r.path).completeBaseName()});
        item->setData(0, PathRole, r.path);
        item->setData(0, FolderRole, false);
        item->setToolTip(0, QStringLiteral("%1\n%2 → %3").arg(r.path, r.method, r.target));
        item->setData(0, MethodRole, r.method);
    }
    updateIcons();
    for (const auto &p : ws.problems()) {
        auto *item = new QTreeWidgetItem(m_tree, {tr("⚠ %1").arg(p.toString())});
        item->setToolTip(0, p.toString());
        item->setData(0, FolderRole, true);
        item->setData(0, PathRole, QString());
    }
    m_tree->sortItems(0, Qt::AscendingOrder);
    m_tree->expandAll();
}

void WorkspacePanel::updateIcons()
{
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        const QString method = (*it)->data(0, MethodRole).toString();
        if (method.isEmpty())
            continue;
        const auto kind = m_kindOf ? m_kindOf(method) : std::nullopt;
        // Unknown until a schema with the method loads: no icon rather than a wrong one.
        (*it)->setIcon(0, kind ? icons::method(*kind) : QIcon());
    }
}

void WorkspacePanel::rebuildHistory()
{
    m_history->clear();
    const auto &entries = m_store.history();
    const QStringList words = m_search->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (int i = int(entries.size()) - 1; i >= 0; --i) {
        const models::HistoryEntry &e = entries[std::size_t(i)];
        const QString method = e.request.method.section(QLatin1Char('/'), -1);
        const QString haystack = QStringList{e.request.method,
                                             e.sentTarget,
                                             e.request.target,
                                             e.statusName,
                                             e.statusMessage,
                                             e.request.body,
                                             e.responses.join(QLatin1Char('\n'))}
                                     .join(QLatin1Char('\n'));
        if (!std::all_of(words.begin(), words.end(),
                         [&](const QString &w) { return haystack.contains(w, Qt::CaseInsensitive); }))
            continue;
        auto *item =
            new QListWidgetItem(tr("%1  %2  %3 → %4  (%5 ms)")
                                    .arg(e.time.toLocalTime().toString(QStringLiteral("MM-dd HH:mm:ss")),
                                         e.statusName, method, e.sentTarget)
                                    .arg(e.durationMs, 0, 'f', 1),
                                m_history);
        item->setData(HistoryIndexRole, i);
        item->setToolTip(
            QStringLiteral("%1\n%2\n%3").arg(e.request.method, e.statusMessage, e.request.body.left(500)));
    }
}

void WorkspacePanel::renameItem(const QString &from, const QString &to, bool folder)
{
    if (folder)
        m_store.moveFolder(from, to);
    else
        m_store.move(from, to);
}

void WorkspacePanel::duplicateItem(const QString &from, const QString &to, bool folder)
{
    if (folder)
        m_store.duplicateFolder(from, to);
    else
        m_store.duplicate(from, to);
}

void WorkspacePanel::deleteItem(const QString &path, bool folder)
{
    if (!folder) {
        m_store.remove(path);
        return;
    }
    // A folder goes with its requests.
    for (const auto &r : m_store.workspace().requests()) {
        if (r.path.startsWith(path + QLatin1Char('/')))
            m_store.remove(r.path);
    }
    m_store.removeFolder(path);
}

void WorkspacePanel::createFolder(const QString &path)
{
    m_store.createFolder(path);
}

void WorkspacePanel::showMenu(const QPoint &pos)
{
    if (!m_store.isOpen())
        return;
    QTreeWidgetItem *item = m_tree->itemAt(pos);
    const QString path = item ? item->data(0, PathRole).toString() : QString();
    const bool folder = item ? item->data(0, FolderRole).toBool() : true;
    const QString parent = folder ? path : QFileInfo(path).path();
    QMenu menu(this);
    auto ask = [this](const QString &title, const QString &label, const QString &initial) {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, title, label, QLineEdit::Normal, initial, &ok).trimmed();
        return ok ? text : QString();
    };
    if (item && !folder)
        menu.addAction(tr("Open"), this, [this, path] { emit openRequested(path); });
    menu.addAction(tr("New Request Here…"), this, [=, this] {
        emit newRequestRequested(parent == QLatin1String(".") ? QString() : parent);
    });
    menu.addAction(tr("New Folder…"), this, [=, this] {
        const QString name =
            ask(tr("New Folder"), tr("Folder (relative to the workspace):"),
                parent.isEmpty() || parent == QLatin1String(".") ? QString() : parent + QLatin1Char('/'));
        if (!name.isEmpty())
            createFolder(name);
    });
    if (item && !path.isEmpty()) {
        menu.addAction(tr("Rename or Move…"), this, [=, this] {
            const QString to =
                ask(tr("Rename or Move"), tr("New path (folders are created as needed):"), path);
            if (!to.isEmpty() && to != path)
                renameItem(path, to, folder);
        });
        menu.addAction(tr("Duplicate…"), this, [=, this] {
            const QString suggestion = folder ? path + QStringLiteral("-copy")
                                              : path.left(path.size() - 5) + QStringLiteral("-copy.json");
            const QString to = ask(tr("Duplicate"), tr("Path of the copy:"), suggestion);
            if (!to.isEmpty())
                duplicateItem(path, to, folder);
        });
        menu.addAction(tr("Delete"), this, [=, this] {
            const auto answer =
                QMessageBox::question(this, tr("Delete"),
                                      folder ? tr("Delete the folder %1 and every request in it?").arg(path)
                                             : tr("Delete %1?").arg(path));
            if (answer == QMessageBox::Yes)
                deleteItem(path, folder);
        });
    }
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace ui
