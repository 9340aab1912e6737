// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow, its second part: where schemas come from — files, folders, protosets, reflection
// servers, the demo service, Open Recent, drops — and what the window shows while they load.
// (The first part, mainwindow.cpp, builds the window; mainwindow_workspace.cpp is the workspace.)
#include "ui/mainwindow.h"

#include "models/appsettings.h"
#include "models/recentsources.h"
#include "models/sourcesmodel.h"
#include "models/workspacecontroller.h"
#include "ui/problemspanel.h"
#include "ui/requesttab.h"
#include "ui/sourceactions.h"

#include <QAction>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

#include <memory>

namespace ui {

namespace {

bool isProtoset(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("protoset") || suffix == QLatin1String("pb") ||
           suffix == QLatin1String("bin") || suffix == QLatin1String("desc");
}

} // namespace

int MainWindow::addProtoSource(const QStringList &importRoots, const QStringList &files)
{
    models::SourceSpec spec;
    spec.kind = models::SourceSpec::Kind::ProtoFiles;
    for (const auto &r : importRoots)
        spec.schema.importPaths.push_back(r.toStdString());
    for (const auto &f : files)
        spec.schema.protoFiles.push_back(f.toStdString());
    return m_sources.addSource(std::move(spec));
}

int MainWindow::addProtoFolder(const QString &folder)
{
    // Files are named relative to the folder, which is their import root (protoc -I).
    QStringList files;
    QDirIterator it(folder, {QStringLiteral("*.proto")}, QDir::Files, QDirIterator::Subdirectories);
    const QDir root(folder);
    while (it.hasNext())
        files << root.relativeFilePath(it.next());
    files.sort();
    if (files.isEmpty()) {
        showStatus(tr("No .proto files under %1").arg(folder));
        return -1;
    }
    models::SourceSpec spec;
    spec.folder = QDir(folder).absolutePath();
    spec.schema.importPaths.push_back(folder.toStdString());
    for (const auto &f : files)
        spec.schema.protoFiles.push_back(f.toStdString());
    return m_sources.addSource(std::move(spec));
}

int MainWindow::addProtosetSource(const QStringList &files)
{
    models::SourceSpec spec;
    spec.kind = models::SourceSpec::Kind::Protoset;
    for (const auto &f : files)
        spec.schema.protosetFiles.push_back(f.toStdString());
    return m_sources.addSource(std::move(spec));
}

int MainWindow::addReflectionSource(const QString &target)
{
    models::SourceSpec spec;
    spec.kind = models::SourceSpec::Kind::Reflection;
    spec.schema.useReflection = true;
    spec.schema.reflectionChannel.target = target.toStdString();
    const int id = m_sources.addSource(std::move(spec));
    return id;
}

DemoService demoService(std::function<rpc::Result<std::string>()> start, const char *method, const char *body)
{
    return {[start = std::move(start)]() -> models::Result<QString> {
                auto address = start();
                if (!address)
                    return models::fail(QString::fromStdString(address.error().message));
                return QString::fromStdString(*address);
            },
            QString::fromLatin1(method), QString::fromLatin1(body)};
}

void MainWindow::setDemoService(DemoService demo)
{
    m_demo = std::move(demo);
    m_demoAction->setVisible(true);
}

QString MainWindow::startDemo()
{
    if (!m_demo || !m_demo->start) {
        showStatus(tr("This program has no demo service"));
        return {};
    }
    auto address = m_demo->start();
    if (!address) {
        showStatus(tr("The demo service did not start: %1").arg(address.errorMessage()));
        return {};
    }
    m_demoAddress = *address;
    m_workspace->setDemoAddress(m_demoAddress); // drafts sent to the demo of their session come here
    // Running until the program ends: starting it again would only fail on a second port.
    m_demoAction->setEnabled(false);
    m_demoAction->setToolTip(tr("The demo service is running on %1").arg(m_demoAddress));
    if (m_demoSource < 0 || !m_sources.spec(m_demoSource))
        m_demoSource = addReflectionSource(m_demoAddress);
    else if (m_sources.state(m_demoSource) == models::SourcesModel::State::Loaded)
        onSourceLoaded(m_demoSource);
    showStatus(tr("Demo service running on %1").arg(m_demoAddress));
    return m_demoAddress;
}

void MainWindow::sendNextOpened()
{
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(this, &MainWindow::requestOpened, this, [connection](RequestTab *tab) {
        if (tab->isModified())
            return; // a draft of the last session: not what the command line asked to send
        QObject::disconnect(*connection);
        tab->send();
    });
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    // Workspaces first (opening one opens its sources too), then sources on their own.
    const QStringList workspaces = models::AppSettings::recentWorkspaces();
    for (const QString &folder : workspaces) {
        QAction *open = m_recentMenu->addAction(
            tr("Workspace %1 — %2").arg(QFileInfo(folder).fileName(), QDir::toNativeSeparators(folder)), this,
            [this, folder] { m_workspace->openRecentWorkspace(folder); });
        open->setData(folder);
    }
    const auto recent = models::RecentSources::load();
    if (!workspaces.isEmpty() && !recent.isEmpty())
        m_recentMenu->addSeparator();
    for (const auto &spec : recent) {
        QString label = spec.displayName();
        if (spec.kind == models::SourceSpec::Kind::ProtoFiles && !spec.schema.importPaths.empty())
            label += QStringLiteral(" — ") + QString::fromStdString(spec.schema.importPaths.front());
        // A source that is open already is loaded again, not added twice with its problems.
        m_recentMenu->addAction(label, this, [this, spec] {
            if (const int id = m_sources.findSource(spec); id >= 0)
                m_sources.reload(id);
            else
                m_sources.addSource(spec);
        });
    }
    if (recent.isEmpty() && workspaces.isEmpty())
        m_recentMenu->addAction(tr("(nothing yet)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear Recent"), this, [] {
        models::RecentSources::clear();
        models::AppSettings::clearRecentWorkspaces();
    });
}

void MainWindow::onSourceLoaded(int sourceId)
{
    updateLoadingIndicator();
    const auto *spec = m_sources.spec(sourceId);
    // The demo's port changes with every start: not worth remembering.
    if (spec && sourceId != m_demoSource)
        models::RecentSources::remember(*spec);
    const QString note = m_sources.note(sourceId);
    showStatus(note.isEmpty() ? tr("Loaded %1").arg(spec ? spec->displayName() : QString())
                              : tr("Loaded %1 (%2)").arg(spec ? spec->displayName() : QString(), note));
    if (sourceId == m_demoSource && m_demo) {
        if (openMethod(sourceId, m_demo->method, m_demo->body)) {
            showStatus(tr("Demo service running on %1 — press Ctrl+Enter to send").arg(m_demoAddress));
        }
    }
}

void MainWindow::onLoadFailed(int sourceId)
{
    updateLoadingIndicator();
    const auto *error = m_sources.loadError(sourceId);
    const auto *spec = m_sources.spec(sourceId);
    if (!error || !spec)
        return;
    if (m_sources.isQuiet(sourceId)) {
        showStatus(tr("%1 is not reachable now; select it to try again").arg(spec->displayName()));
        return;
    }
    m_problems->showFailure(sourceId, *spec, *error);
    m_problemsDock->show();
    m_problemsDock->raise();
    showStatus(tr("Loading %1 failed: %2").arg(spec->displayName(), QString::fromStdString(error->message)));
}

void MainWindow::updateLoadingIndicator()
{
    int loading = 0, done = 0, total = 0;
    for (int r = 0; r < m_sources.rowCount(); ++r) {
        const int id = m_sources.index(r, 0).data(models::SourcesModel::SourceIdRole).toInt();
        if (m_sources.state(id) != models::SourcesModel::State::Loading)
            continue;
        ++loading;
        done += m_sources.progress(id).done;
        total += m_sources.progress(id).total;
    }
    m_progress->setVisible(loading > 0);
    m_cancelLoad->setVisible(loading > 0);
    m_progress->setRange(0, total > 0 ? total : 0); // busy indicator until the total is known
    m_progress->setValue(done);
    if (loading > 0)
        statusBar()->showMessage(tr("Loading schema…"));
}

void MainWindow::openFiles()
{
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Open .proto files"), {}, tr("Protocol buffers (*.proto)"));
    m_sourceActions->askForProtoFiles(files); // asks for the import roots, guessed
}

void MainWindow::openFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a folder of .proto files"));
    if (!folder.isEmpty())
        addProtoFolder(folder);
}

void MainWindow::openProtoset()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open protosets"), {}, tr("Protosets (*.protoset *.pb *.bin *.desc);;All (*)"));
    if (!files.isEmpty())
        addProtosetSource(files);
}

void MainWindow::askReflectionTarget()
{
    m_sourceActions->askForServer(QStringLiteral("localhost:50051"));
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList protos, protosets;
    for (const QUrl &url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (path.isEmpty())
            continue;
        if (QFileInfo(path).isDir())
            addProtoFolder(path);
        else if (isProtoset(path))
            protosets << path;
        else if (path.endsWith(QLatin1String(".proto")))
            protos << path;
    }
    if (!protosets.isEmpty())
        addProtosetSource(protosets);
    if (!protos.isEmpty()) {
        const QDir root = QFileInfo(protos.first()).dir();
        QStringList relative;
        for (const auto &p : protos)
            relative << root.relativeFilePath(p);
        addProtoSource({root.absolutePath()}, relative);
    }
    event->acceptProposedAction();
}

} // namespace ui
