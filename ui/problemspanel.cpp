// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/problemspanel.h"

#include <Qsci/qscilexercpp.h>
#include <Qsci/qsciscintilla.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

namespace {
enum ProblemRole { FileRole = Qt::UserRole + 1, LineRole, ColumnRole, SourceRole };
} // namespace

ProblemsPanel::ProblemsPanel(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("problemsList"));
    setHeaderLabels({tr("Where"), tr("Problem")});
    setRootIsDecorated(false);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        open(item->data(0, FileRole).toString(), item->data(0, LineRole).toInt(), item->data(0, ColumnRole).toInt());
    });
}

void ProblemsPanel::showFailure(int sourceId, const models::SourceSpec &spec, const rpc::Error &error)
{
    clearSource(sourceId); // replace this source's earlier problems
    auto add = [&](const QString &where, const QString &message, const QString &file, int line, int col) {
        auto *item = new QTreeWidgetItem({where, message});
        item->setData(0, FileRole, file);
        item->setData(0, LineRole, line);
        item->setData(0, ColumnRole, col);
        item->setData(0, SourceRole, sourceId);
        item->setToolTip(1, message);
        addTopLevelItem(item);
    };
    if (error.diagnostics.empty())
        add(spec.displayName(), QString::fromStdString(error.message), {}, 0, 0);
    for (const auto &d : error.diagnostics) {
        // Diagnostics name files as protoc does (relative to a root); find the file on disk.
        QString path = QString::fromStdString(d.file);
        if (!path.isEmpty() && QFileInfo(path).isRelative()) {
            for (const auto &root : spec.schema.importPaths) {
                const QString candidate = QDir(QString::fromStdString(root)).filePath(path);
                if (QFileInfo::exists(candidate)) {
                    path = candidate;
                    break;
                }
            }
        }
        QString where = QString::fromStdString(d.file);
        if (d.line > 0)
            where += QStringLiteral(":%1:%2").arg(d.line).arg(d.column);
        add(where.isEmpty() ? spec.displayName() : where, QString::fromStdString(d.message), path, d.line,
            d.column);
    }
}

void ProblemsPanel::clearSource(int sourceId)
{
    for (int i = topLevelItemCount() - 1; i >= 0; --i) {
        if (topLevelItem(i)->data(0, SourceRole).toInt() == sourceId)
            delete takeTopLevelItem(i);
    }
}

void ProblemsPanel::open(const QString &file, int line, int column)
{
    if (file.isEmpty() || !QFileInfo::exists(file)) {
        emit fileMissing(file);
        return;
    }
    // Read on a pool thread; the viewer opens when the text is there.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, file, line, column] {
        watcher->deleteLater();
        auto *viewer = new QsciScintilla;
        viewer->setObjectName(QStringLiteral("problemFileViewer"));
        viewer->setUtf8(true);
        auto *lexer = new QsciLexerCPP(viewer);
        lexer->setDefaultFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        viewer->setLexer(lexer);
        viewer->setMarginType(0, QsciScintilla::NumberMargin);
        viewer->setMarginWidth(0, QStringLiteral("00000"));
        viewer->setText(watcher->result());
        viewer->setReadOnly(true);
        const int marker = viewer->markerDefine(QsciScintilla::RightArrow);
        viewer->setMarkerBackgroundColor(QColor(0xc0, 0x39, 0x2b), marker);
        viewer->markerAdd(std::max(0, line - 1), marker);
        viewer->setCursorPosition(std::max(0, line - 1), std::max(0, column - 1));
        viewer->ensureLineVisible(std::max(0, line - 1));
        emit fileOpened(viewer, QFileInfo(file).fileName() + QStringLiteral(":%1").arg(line), file);
    });
    watcher->setFuture(QtConcurrent::run([file] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }));
}

} // namespace ui
