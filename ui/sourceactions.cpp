// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/sourceactions.h"

#include "models/importroots.h"
#include "models/sourcesmodel.h"
#include "ui/sourcedialog.h"

#include <QAction>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QItemSelectionModel>
#include <QMenu>
#include <QTreeView>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

SourceActions::SourceActions(models::SourcesModel &sources, QTreeView *tree, QWidget *window)
    : QObject(window)
    , m_sources(sources)
    , m_tree(tree)
    , m_window(window)
{
    qRegisterMetaType<ui::SourceDialog *>(); // for signal spies on dialogOpened
    m_reload = new QAction(tr("Re&load Source"), this);
    m_reload->setObjectName(QStringLiteral("reloadSourceAction"));
    m_reload->setShortcut(QKeySequence::Refresh);
    // Anywhere in the window: a user who just read a source's problem presses F5 from there.
    m_reload->setShortcutContext(Qt::WindowShortcut);
    m_edit = new QAction(tr("&Edit Source…"), this);
    m_edit->setObjectName(QStringLiteral("editSourceAction"));
    m_remove = new QAction(tr("Re&move Source"), this);
    m_remove->setObjectName(QStringLiteral("removeSourceAction"));
    // Removing has no key: a stray Delete on a method would take its whole source away.
    m_tree->addAction(m_reload);
    connect(m_reload, &QAction::triggered, this, [this] {
        if (const int id = currentSource(); id >= 0) {
            m_sources.reload(id);
            return;
        }
        // Nothing picked: every source that failed, as a browser's reload retries the page.
        for (const int id : failedSources())
            m_sources.reload(id);
    });
    connect(m_edit, &QAction::triggered, this, [this] {
        if (const int id = currentSource(); id >= 0)
            editSource(id);
    });
    connect(m_remove, &QAction::triggered, this, [this] {
        if (const int id = currentSource(); id >= 0) {
            const models::SourceSpec *spec = m_sources.spec(id);
            emit statusMessage(tr("Removed %1").arg(spec ? spec->displayName() : QString()));
            m_sources.removeSource(id);
        }
    });
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &SourceActions::showContextMenu);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                updateActions();
                // Turning to a source that stayed quiet at start is using it: try again, aloud.
                if (current.isValid() && current.data(models::SourcesModel::QuietRole).toBool())
                    m_sources.reload(current.data(models::SourcesModel::SourceIdRole).toInt());
            });
    connect(&m_sources, &QAbstractItemModel::rowsRemoved, this, &SourceActions::updateActions);
    connect(&m_sources, &models::SourcesModel::loadFailed, this, &SourceActions::updateActions);
    connect(&m_sources, &models::SourcesModel::loadStarted, this, &SourceActions::updateActions);
    connect(&m_sources, &QAbstractItemModel::modelReset, this, &SourceActions::updateActions);
    updateActions();
}

int SourceActions::currentSource() const
{
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid())
        return -1;
    const int id = current.data(models::SourcesModel::SourceIdRole).toInt();
    return m_sources.spec(id) ? id : -1;
}

std::vector<int> SourceActions::failedSources() const
{
    std::vector<int> ids;
    for (int r = 0; r < m_sources.rowCount(); ++r) {
        const QModelIndex row = m_sources.index(r, 0);
        if (row.data(models::SourcesModel::StateRole).toInt() == int(models::SourcesModel::State::Failed))
            ids.push_back(row.data(models::SourcesModel::SourceIdRole).toInt());
    }
    return ids;
}

void SourceActions::updateActions()
{
    const bool any = currentSource() >= 0;
    for (QAction *a : {m_edit, m_remove})
        a->setEnabled(any);
    const bool failed = !any && !failedSources().empty();
    m_reload->setEnabled(any || failed);
    m_reload->setText(failed ? tr("Re&load Failed Sources") : tr("Re&load Source"));
}

void SourceActions::showContextMenu(const QPoint &at)
{
    const QModelIndex index = m_tree->indexAt(at);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    auto *menu = new QMenu(m_tree);
    menu->setObjectName(QStringLiteral("sourceContextMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addActions({m_reload, m_edit});
    menu->addSeparator();
    menu->addAction(m_remove);
    menu->popup(m_tree->viewport()->mapToGlobal(at));
}

void SourceActions::showDialog(SourceDialog *dialog, int sourceId)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, sourceId] {
        if (sourceId < 0) {
            m_sources.addSource(dialog->spec());
            return;
        }
        if (m_sources.spec(sourceId))
            m_sources.setSpec(sourceId, dialog->spec());
        else
            emit statusMessage(tr("The source was removed while it was being edited"));
    });
    dialog->open();
    emit dialogOpened(dialog);
}

SourceDialog *SourceActions::editSource(int sourceId)
{
    const models::SourceSpec *spec = m_sources.spec(sourceId);
    if (!spec)
        return nullptr;
    auto *dialog = new SourceDialog(*spec, m_window);
    showDialog(dialog, sourceId);
    return dialog;
}

SourceDialog *SourceActions::askForServer(const QString &target)
{
    models::SourceSpec spec;
    spec.setReflection(target, {});
    auto *dialog = new SourceDialog(spec, m_window);
    showDialog(dialog, -1);
    return dialog;
}

void SourceActions::guessRoots(const QStringList &files, std::function<void(models::SourceSpec)> then)
{
    if (files.isEmpty())
        return;
    emit statusMessage(tr("Looking for the import roots of %n file(s)…", nullptr, int(files.size())));
    auto *watcher = new QFutureWatcher<QStringList>(this);
    connect(watcher, &QFutureWatcher<QStringList>::finished, this, [watcher, files, then = std::move(then)] {
        watcher->deleteLater();
        models::SourceSpec spec;
        spec.kind = models::SourceSpec::Kind::ProtoFiles;
        for (const QString &f : files)
            spec.schema.protoFiles.push_back(QFileInfo(f).absoluteFilePath().toStdString());
        for (const QString &r : watcher->result())
            spec.schema.importPaths.push_back(r.toStdString());
        then(std::move(spec));
    });
    watcher->setFuture(QtConcurrent::run([files] { return models::guessImportRoots(files); }));
}

void SourceActions::askForProtoFiles(const QStringList &files)
{
    guessRoots(files, [this](models::SourceSpec spec) { showDialog(new SourceDialog(spec, m_window), -1); });
}

void SourceActions::addProtoFiles(const QStringList &files)
{
    guessRoots(files, [this](models::SourceSpec spec) { m_sources.addSource(spec); });
}

} // namespace ui
