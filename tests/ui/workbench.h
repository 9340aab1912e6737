// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the window tests share: the engine, models and window built as app/gui/main.cpp builds
// them, and small helpers that act as a user does.
#include "models/enginebridge.h"
#include "models/plurals.h"
#include "models/sourcesmodel.h"
#include "rpc/demo/demoserver.h"
#include "rpc/engine.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

namespace {

// Every engine, model and window a test needs, built the way app/gui/main.cpp builds them.
struct Workbench
{
    rpc::Engine engine;
    models::EngineBridge bridge{engine};
    models::SourcesModel sources;
    rpc::DemoServer demo;
    ui::MainWindow window{bridge, sources};

    // With `keepSize`, the window keeps the size it chose itself (or restored).
    explicit Workbench(bool keepSize = false)
    {
        models::installPluralForms(); // as main() does
        window.setDemoService(ui::demoService([this] { return demo.start(); }, rpc::DemoServer::exampleMethod(),
                                              rpc::DemoServer::exampleRequest()));
        // The window opens at most 90% of the screen, and the offscreen screen is 800x600:
        // the tests see a desktop's window (layout_gui_test tries laptop sizes).
        if (!keepSize)
            window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
    }

    int loadTestProtos()
    {
        QSignalSpy loaded(&sources, &models::SourcesModel::sourceLoaded);
        const int id = window.addProtoSource(
            {QStringLiteral(WIRESCOPE_TEST_PROTO_DIR), QStringLiteral(WIRESCOPE_RESOURCE_PROTO_DIR)},
            {QStringLiteral("wirescope/testing/test.proto")});
        if (!loaded.wait(20000))
            return -1;
        return id;
    }

    // Finds a method in the tree as shown and double-clicks it, as a user does.
    ui::RequestTab *openByClicking(const QString &name)
    {
        QTreeView *tree = window.tree();
        const QModelIndexList hits = tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole, name,
                                                          1, Qt::MatchExactly | Qt::MatchRecursive);
        if (hits.isEmpty())
            return nullptr;
        tree->scrollTo(hits.first());
        const QPoint at = tree->visualRect(hits.first()).center();
        QSignalSpy opened(&window, &ui::MainWindow::requestOpened);
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, at);
        return opened.isEmpty() ? nullptr : window.currentRequest();
    }
};

inline void typeInto(QWidget *w, const QString &text)
{
    w->setFocus();
    QTest::keyClick(w, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(w, Qt::Key_Delete);
    QTest::keyClicks(w, text);
}

inline QPushButton *button(ui::RequestTab *tab, const char *name)
{
    return tab->findChild<QPushButton *>(QString::fromLatin1(name));
}

} // namespace
