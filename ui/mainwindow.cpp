#include "ui/mainwindow.h"

#include "rpc/types.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

namespace ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Wirescope"));
    resize(1100, 720);
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    m_welcome =
        new QLabel(tr("Wirescope %1\ngRPC %2 · protobuf %3\n\nThe workbench is being built; use "
                      "wirescope-cli meanwhile.")
                       .arg(QApplication::applicationVersion(), QString::fromStdString(rpc::grpcVersion()),
                            QString::fromStdString(rpc::protobufVersion())),
                   this);
    m_welcome->setAlignment(Qt::AlignCenter);
    setCentralWidget(m_welcome);
    statusBar()->showMessage(tr("No workspace open"));
}

} // namespace ui
