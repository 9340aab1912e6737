// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/aboutdialog.h"

#include "rpc/types.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <Qsci/qsciglobal.h>

namespace ui {

namespace {

struct Library
{
    QString name, version, licence, purpose;
};

QList<Library> libraries()
{
    // The window's own libraries first, then the engine's.
    QList<Library> list{
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion()), QStringLiteral("LGPL-3.0-only"),
         QApplication::translate("ui::AboutDialog", "the window, settings, files, threads")},
        {QStringLiteral("QScintilla"), QStringLiteral(QSCINTILLA_VERSION_STR), QStringLiteral("GPL-3.0-only"),
         QApplication::translate("ui::AboutDialog", "the JSON editor")},
        {QStringLiteral("QtKeychain"), QString(), QStringLiteral("BSD-2-Clause"),
         QApplication::translate("ui::AboutDialog", "secrets in the system keychain")},
    };
    for (const auto &lib : rpc::engineLibraries())
        list.append({QString::fromStdString(lib.name), QString::fromStdString(lib.version),
                     QString::fromStdString(lib.licence), QString::fromStdString(lib.purpose)});
    return list;
}

QWidget *aboutPage(AboutDialog *dialog)
{
    auto *page = new QWidget;
    auto *icon = new QLabel;
    icon->setPixmap(QApplication::windowIcon().pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);
    auto *text = new QLabel;
    text->setObjectName(QStringLiteral("aboutText"));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    text->setText(
        AboutDialog::tr("<h2>Wirescope %1</h2>"
                        "<p>A workbench for exploring and testing gRPC services, down to the HTTP/2 "
                        "frames.</p>"
                        "<p>Running with Qt %2, gRPC %3 and protobuf %4.</p>"
                        "<p>Copyright © 2026 The Wirescope developers.</p>"
                        "<p>Wirescope is free software, licensed under the GNU General Public License, "
                        "version 3 or (at your option) any later version "
                        "(<b>GPL-3.0-or-later</b>). You may share and change it under those terms. "
                        "It comes with no warranty, to the extent the law allows. "
                        "<a href=\"licence\">Read the licence</a>.</p>"
                        "<p>It is built on the libraries listed under Third-party libraries, each "
                        "under its own licence.</p>")
            .arg(QApplication::applicationVersion().toHtmlEscaped(), QString::fromLatin1(qVersion()),
                 QString::fromStdString(rpc::grpcVersion()), QString::fromStdString(rpc::protobufVersion())));
    QObject::connect(text, &QLabel::linkActivated, dialog, [dialog](const QString &link) {
        if (link == QLatin1String("licence"))
            dialog->showLicence();
    });
    auto *layout = new QHBoxLayout(page);
    layout->addWidget(icon);
    layout->addWidget(text, 1);
    return page;
}

QWidget *licencePage()
{
    auto *view = new QPlainTextEdit;
    view->setObjectName(QStringLiteral("licenceText"));
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // LICENSE is built into the program (ui's resources), so it reads from memory, not disk.
    QFile file(QStringLiteral(":/licence/LICENSE"));
    if (file.open(QIODevice::ReadOnly))
        view->setPlainText(QString::fromUtf8(file.readAll()));
    else
        view->setPlainText(AboutDialog::tr("GNU General Public License, version 3 or later: "
                                           "https://www.gnu.org/licenses/gpl-3.0.html"));
    return view;
}

QWidget *librariesPage()
{
    const auto libs = libraries();
    auto *table = new QTableWidget(int(libs.size()), 4);
    table->setObjectName(QStringLiteral("librariesTable"));
    table->setHorizontalHeaderLabels({AboutDialog::tr("Library"), AboutDialog::tr("Version"),
                                      AboutDialog::tr("Licence"), AboutDialog::tr("Used for")});
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    for (int row = 0; row < libs.size(); ++row) {
        const auto &lib = libs[row];
        const QString cells[] = {lib.name, lib.version.isEmpty() ? AboutDialog::tr("(system)") : lib.version,
                                 lib.licence, lib.purpose};
        for (int col = 0; col < 4; ++col) {
            auto *item = new QTableWidgetItem(cells[col]);
            item->setToolTip(cells[col]); // the last column can be wider than the dialog
            table->setItem(row, col, item);
        }
    }
    table->resizeColumnsToContents();
    return table;
}

} // namespace

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Wirescope"));
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("aboutTabs"));
    m_tabs->addTab(aboutPage(this), tr("About"));
    m_tabs->addTab(licencePage(), tr("Licence"));
    m_tabs->addTab(librariesPage(), tr("Third-party libraries"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    // Fits a 1024x768 screen with room to spare; the licence tab scrolls.
    resize(640, 480);
}

void AboutDialog::showLicence()
{
    m_tabs->setCurrentIndex(1);
}

} // namespace ui
