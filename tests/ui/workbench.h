// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the window tests share: the engine, models and window built as app/gui/main.cpp builds
// them, the in-tree test server and test settings a test class starts with, and small helpers
// that act as a user does.
#include "testserver.h"

#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/plurals.h"
#include "models/sourcesmodel.h"
#include "rpc/demo/demoserver.h"
#include "rpc/engine.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"

#include <QColor>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTreeView>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <memory>

namespace {

// Settings in Qt's test locations, emptied, so that no run sees what another saved. Called first
// in initTestCase.
inline void useTestSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

// The in-tree test server (127.0.0.1, a free port) that a test class calls, started in its
// initTestCase and stopped in its cleanupTestCase, and the address a user types for it.
struct SharedServer
{
    std::unique_ptr<testing_server::TestServer> server;
    QString address;

    bool start()
    {
        server = std::make_unique<testing_server::TestServer>();
        if (!server->start())
            return false;
        address = QString::fromStdString(server->address());
        return true;
    }
    void stop() { server.reset(); }
};

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

    // Opens `method` as openByClicking does and points its tab at `target`.
    ui::RequestTab *openAt(const QString &method, const QString &target)
    {
        ui::RequestTab *tab = openByClicking(method);
        if (tab)
            tab->setTarget(target);
        return tab;
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

// Clicks Send and waits for the end of the call (one that ended at once, too).
inline bool sendAndWait(ui::RequestTab *tab)
{
    QSignalSpy finished(&tab->session(), &models::CallSession::finished);
    QTest::mouseClick(button(tab, "sendButton"), Qt::LeftButton);
    return !finished.isEmpty() || finished.wait(30000);
}

// WCAG's contrast ratio of two colours (1 to 21).
inline double contrast(const QColor &a, const QColor &b)
{
    auto luminance = [](const QColor &c) {
        auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a) + 0.05;
    const double lb = luminance(b) + 0.05;
    return std::max(la, lb) / std::min(la, lb);
}

} // namespace
