// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/requesttabs.h"

#include "models/softassert.h"
#include "models/workspacestore.h"
#include "ui/icons.h"
#include "ui/jsoneditor.h"
#include "ui/requesttab.h"

#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace ui {

RequestTabs::RequestTabs(models::WorkspaceController &workspace, QWidget *parent)
    : QTabWidget(parent)
    , m_workspace(workspace)
{
    setObjectName(QStringLiteral("requestTabs"));
    setTabsClosable(true);
    setMovable(true);
    setDocumentMode(true);
    // Plain-text labels: as rich text, a word-wrapped label lays out a text document each time
    // the window measures it, the largest part of the window's first layout.
    m_welcome = new QWidget(this);
    m_welcome->setObjectName(QStringLiteral("welcomePage"));
    auto *welcomeLayout = new QVBoxLayout(m_welcome);
    welcomeLayout->setSpacing(m_welcome->fontMetrics().height());
    welcomeLayout->addStretch(1);
    auto *title = new QLabel(QStringLiteral("Wirescope"), m_welcome);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    title->setFont(titleFont);
    const QStringList lines = {
        tr("Open .proto files, a protoset or a server with reflection from the File menu, or drop files here."),
        tr("New to it? File → Start Demo Service opens a small weather API to try every call kind.")};
    for (QLabel *label : {title, new QLabel(lines[0], m_welcome), new QLabel(lines[1], m_welcome)}) {
        label->setTextFormat(Qt::PlainText);
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        welcomeLayout->addWidget(label);
    }
    welcomeLayout->addStretch(1);
    addTab(m_welcome, tr("Welcome"));
    connect(this, &QTabWidget::tabCloseRequested, this, &RequestTabs::closeRequested);
    models::WorkspaceStore &store = m_workspace.store();
    connect(&store, &models::WorkspaceStore::saveFinished, this, &RequestTabs::onSaveFinished);
    connect(&store, &models::WorkspaceStore::changedOnDisk, this, &RequestTabs::onChangedOnDisk);
    connect(&store, &models::WorkspaceStore::moved, this, &RequestTabs::onMoved);
}

RequestTabs::~RequestTabs()
{
    // A tab closed just before the window (deleteLater not yet run) is still a child; deleted
    // by QWidget's destructor it would tell its destroyed() handler, which uses m_info, after
    // m_info is gone. Deleted here, while it is still there.
    qDeleteAll(findChildren<RequestTab *>());
}

void RequestTabs::addRequestTab(RequestTab *tab, const TabInfo &info)
{
    if (const int welcome = indexOf(m_welcome); welcome >= 0)
        removeTab(welcome);
    m_info.insert(tab, info);
    const int index = addTab(tab, icons::method(tab->method().kind), tab->title());
    setTabToolTip(index, QString::fromStdString(tab->method().fullName));
    setCurrentIndex(index);
    connect(tab, &RequestTab::titleChanged, this, [this, tab] {
        if (const int i = indexOf(tab); i >= 0) {
            setTabText(i, tab->title());
            setTabIcon(i, icons::method(tab->method().kind)); // another method picked in the tab
        }
    });
    connect(tab, &RequestTab::modifiedChanged, this, &RequestTabs::unsavedChanged);
    connect(tab, &RequestTab::edited, this, &RequestTabs::unsavedChanged);
    connect(tab, &RequestTab::titleChanged, this, [this, tab] {
        if (tab->isModified())
            emit unsavedChanged();
    });
    connect(tab, &RequestTab::reloadRequested, this, [this, tab] {
        if (const auto *r = m_workspace.store().workspace().request(tab->savedPath())) {
            tab->applySaved(*r);
            emit statusMessage(tr("Reloaded %1 from disk").arg(r->path));
        } else {
            tab->hideConflict();
            emit statusMessage(tr("%1 is no longer on disk; save to write it again").arg(tab->savedPath()));
        }
    });
    connect(tab, &RequestTab::overwriteRequested, this, [this, tab] {
        const models::SavedRequest snapshot = tab->toSaved();
        m_info[tab].saving.push_back(snapshot);
        m_workspace.store().save(snapshot, models::WorkspaceStore::SaveMode::Overwrite);
    });
    connect(tab, &QObject::destroyed, this, [this, tab] {
        m_info.remove(tab);
        m_quitAfter.removeAll(tab);
    });
}

RequestTab *RequestTabs::currentRequest() const
{
    return qobject_cast<RequestTab *>(currentWidget());
}

QList<RequestTab *> RequestTabs::requestTabs() const
{
    QList<RequestTab *> tabs;
    for (int i = 0; i < count(); ++i) {
        if (auto *tab = qobject_cast<RequestTab *>(widget(i)))
            tabs << tab;
    }
    return tabs;
}

QList<RequestTab *> RequestTabs::unsavedTabs() const
{
    QList<RequestTab *> tabs = requestTabs();
    tabs.removeIf([](RequestTab *tab) { return !tab->isModified(); });
    return tabs;
}

RequestTab *RequestTabs::tabForPath(const QString &path) const
{
    if (path.isEmpty())
        return nullptr;
    for (RequestTab *tab : requestTabs()) {
        if (tab->savedPath() == path)
            return tab;
    }
    return nullptr;
}

const RequestTabs::TabInfo *RequestTabs::info(RequestTab *tab) const
{
    const auto it = m_info.constFind(tab);
    return it == m_info.constEnd() ? nullptr : &*it;
}

void RequestTabs::setWorkspace(RequestTab *tab, const QString &folder)
{
    WIRESCOPE_ASSERT(m_info.contains(tab), return);
    m_info[tab].workspace = folder;
}

std::vector<models::UnsavedTab> RequestTabs::unsavedSnapshots(const QString &demoAddress) const
{
    std::vector<models::UnsavedTab> tabs;
    for (RequestTab *tab : unsavedTabs()) {
        if (const TabInfo *i = info(tab); i && i->discarded)
            continue;
        models::UnsavedTab unsaved;
        unsaved.request = tab->toSaved();
        unsaved.demo = !demoAddress.isEmpty() && unsaved.request.target == demoAddress;
        if (const TabInfo *i = info(tab)) {
            unsaved.workspace = i->workspace;
            // The demo's source dies with this session (its port is random): the draft waits for
            // a schema with its method instead, which the next session's demo brings.
            const auto *spec = m_workspace.sources().spec(i->sourceId);
            const bool demoSource = spec && !demoAddress.isEmpty() &&
                                    spec->kind == models::SourceSpec::Kind::Reflection &&
                                    spec->schema.reflectionChannel.target == demoAddress.toStdString();
            if (spec && !demoSource)
                unsaved.source = *spec;
        }
        tabs.push_back(std::move(unsaved));
    }
    return tabs;
}

QString RequestTabs::askPath(RequestTab *tab, const QString &title, const QString &suggestion)
{
    bool ok = false;
    setCurrentWidget(tab);
    const QString path =
        QInputDialog::getText(this, title, tr("Path in the workspace (folders are created):"), QLineEdit::Normal,
                              suggestion.isEmpty() ? QString::fromStdString(tab->method().name) + QStringLiteral(".json")
                                                   : suggestion,
                              &ok)
            .trimmed();
    return ok ? path : QString();
}

bool RequestTabs::save(RequestTab *tab, const QString &path)
{
    WIRESCOPE_ASSERT(tab && m_info.contains(tab), return false);
    if (!m_workspace.isOpen()) {
        emit statusMessage(tr("Open a workspace folder first (File → Open Workspace…)"));
        return false;
    }
    if (tab->conflictShown() && path.isEmpty()) {
        // The file changed on disk under these edits: the bar above the editor decides.
        emit statusMessage(tr("Not saved: %1 changed on disk; reload it or keep your version").arg(tab->savedPath()));
        return false;
    }
    models::SavedRequest snapshot = tab->toSaved();
    QString target = path.isEmpty() ? snapshot.path : path;
    if (target.isEmpty())
        target = askPath(tab, tr("Save Request"), {});
    if (target.isEmpty())
        return false;
    if (!target.endsWith(QLatin1String(".json")))
        target += QStringLiteral(".json");
    snapshot.path = target;
    TabInfo &info = m_info[tab];
    info.saving.push_back(snapshot);
    info.workspace = m_workspace.workspaceFolder();
    // Under another name than the tab's own file, an existing file belongs to another request.
    m_workspace.store().save(snapshot, target == tab->savedPath() ? models::WorkspaceStore::SaveMode::Normal
                                                                  : models::WorkspaceStore::SaveMode::AsNewFile);
    return true;
}

void RequestTabs::onSaveFinished(const QString &path, const QString &error, bool conflict)
{
    // The tab whose oldest save in flight is this one (the store saves in order).
    RequestTab *tab = nullptr;
    models::SavedRequest written;
    for (auto it = m_info.begin(); it != m_info.end() && !tab; ++it) {
        if (!it->saving.empty() && it->saving.front().path == path) {
            tab = it.key();
            written = it->saving.front();
            it->saving.pop_front();
        }
    }
    const bool closeAfterSave = tab && std::exchange(m_info[tab].closeAfterSave, false);
    const bool quitting = tab && m_quitAfter.removeAll(tab) > 0;
    auto stopQuitting = [&] {
        if (quitting) {
            m_quitAfter.clear();
            m_quit = {};
        }
    };
    if (conflict) {
        // The bar offers to overwrite the tab's own file; a new name that is taken is only said.
        if (tab && tab->savedPath() == path)
            tab->showConflict(tr("Not saved: %1.").arg(error));
        emit statusMessage(tr("Not saved: %1").arg(error));
        stopQuitting();
        return;
    }
    if (!error.isEmpty()) {
        emit statusMessage(tr("Saving %1 failed: %2").arg(path, error));
        stopQuitting();
        return;
    }
    if (tab)
        tab->markSaved(written); // clean only if nothing was typed since
    emit statusMessage(tr("Saved %1").arg(path));
    emit unsavedChanged();
    if (closeAfterSave && !tab->isModified())
        removeRequestTab(tab);
    if (quitting && m_quitAfter.isEmpty() && m_quit)
        std::exchange(m_quit, {})();
}

void RequestTabs::onChangedOnDisk(const QStringList &paths)
{
    for (const QString &path : paths) {
        RequestTab *tab = tabForPath(path);
        if (!tab)
            continue;
        const auto *r = m_workspace.store().workspace().request(path);
        if (!tab->isModified() && r) {
            tab->applySaved(*r); // nothing of the user's to lose
            emit statusMessage(tr("%1 changed on disk and was reloaded").arg(path));
        } else {
            tab->showConflict(r ? tr("%1 changed on disk while you were editing it.").arg(path)
                                : tr("%1 was deleted on disk while you were editing it.").arg(path));
            emit statusMessage(tr("%1 changed on disk: reload it or keep your version").arg(path));
        }
    }
}

void RequestTabs::onMoved(const QString &from, const QString &to)
{
    // Open tabs follow their files when the tree moves or deletes them.
    for (RequestTab *tab : requestTabs()) {
        const QString path = tab->savedPath();
        if (path.isEmpty())
            continue;
        if (from.endsWith(QLatin1Char('/')) && path.startsWith(from))
            tab->setSavedPath(to + path.mid(from.size()));
        else if (path == from)
            tab->setSavedPath(to);
    }
}

void RequestTabs::closeRequested(int index)
{
    QWidget *w = widget(index);
    if (w == m_welcome)
        return;
    if (auto *tab = qobject_cast<RequestTab *>(w)) {
        if (!confirmClose(tab))
            return;
        removeRequestTab(tab);
        return;
    }
    removeTab(index); // a file viewer
    w->deleteLater();
    welcomeWhenEmpty();
}

void RequestTabs::closeTabsOf(const QString &workspace)
{
    for (RequestTab *tab : requestTabs()) {
        if (const TabInfo *i = info(tab); i && i->workspace == workspace)
            removeRequestTab(tab);
    }
}

void RequestTabs::removeRequestTab(RequestTab *tab)
{
    removeTab(indexOf(tab));
    m_info.remove(tab);
    tab->deleteLater();
    welcomeWhenEmpty();
    emit unsavedChanged();
}

void RequestTabs::welcomeWhenEmpty()
{
    // The last tab closed: the welcome page again, not a blank grey area.
    if (count() == 0)
        addTab(m_welcome, tr("Welcome"));
}

bool RequestTabs::confirmClose(RequestTab *tab)
{
    if (!tab->isModified())
        return true;
    QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
                    tr("%1 has changes that are not saved.").arg(tab->name()),
                    QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("unsavedChangesBox"));
    QAbstractButton *save = m_workspace.isOpen() ? box.addButton(QMessageBox::Save) : nullptr;
    if (!save)
        box.setInformativeText(tr("Open a workspace to save requests (File → Open Workspace…)."));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == box.button(QMessageBox::Discard))
        return true;
    if (save && box.clickedButton() == save) {
        // Closed once the save has landed; a failed or refused save keeps it open.
        if (this->save(tab))
            m_info[tab].closeAfterSave = true;
    }
    return false;
}

bool RequestTabs::confirmQuit(const std::function<void()> &quit)
{
    // Only requests that have a file: a new request tried out in a tab is not asked about (nor
    // saved somewhere on the way out); its draft comes back at the next start, as Postman's do.
    QList<RequestTab *> unsaved = unsavedTabs();
    unsaved.removeIf([](RequestTab *tab) { return tab->savedPath().isEmpty(); });
    if (unsaved.isEmpty())
        return true;
    const qsizetype kept = unsavedTabs().size() - unsaved.size();
    QStringList names;
    for (RequestTab *tab : unsaved)
        names << tab->name();
    QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
                    unsaved.size() == 1 ? tr("1 request has changes that are not saved.")
                                        : tr("%1 requests have changes that are not saved.").arg(unsaved.size()),
                    QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("quitUnsavedBox"));
    // Said, so that Discard is not read as throwing those away too.
    const QString keptNote = kept == 0 ? QString()
                             : kept == 1
                                 ? QStringLiteral("\n") + tr("1 new request tried out in a tab is kept for the next start.")
                                 : QStringLiteral("\n") + tr("%1 new requests tried out in tabs are kept for the next start.").arg(kept);
    box.setInformativeText(names.join(QStringLiteral(", ")) + keptNote);
    QAbstractButton *saveAll = m_workspace.isOpen() ? box.addButton(QMessageBox::SaveAll) : nullptr;
    if (!saveAll)
        box.setInformativeText(names.join(QStringLiteral(", ")) + keptNote + QLatin1Char('\n') +
                               tr("Open a workspace to save requests (File → Open Workspace…)."));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == box.button(QMessageBox::Discard)) {
        for (RequestTab *tab : unsaved)
            m_info[tab].discarded = true;
        return true;
    }
    if (!saveAll || box.clickedButton() != saveAll)
        return false;
    // Every tab is saved (a new request where the user says); the window quits once the last save
    // has landed, and stays when one fails, is refused or is not given a name.
    m_quitAfter.clear();
    for (RequestTab *tab : unsaved) {
        if (!save(tab)) {
            m_quitAfter.clear();
            emit statusMessage(tr("Not quitting: %1 is not saved").arg(tab->name()));
            return false;
        }
        m_quitAfter << tab;
    }
    m_quit = quit;
    return false;
}

} // namespace ui
