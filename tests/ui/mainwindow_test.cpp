// The window opens offscreen, and the wirescope program answers --version and --help without
// a display.
#include "support.h"

#include "ui/mainwindow.h"

#include <QApplication>
#include <QLabel>
#include <QtTest>

class MainWindowTest : public QObject
{
    Q_OBJECT

private slots:
    void opensAndShowsTheEngineVersions()
    {
        ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().contains(QStringLiteral("Wirescope")));
        bool mentionsGrpc = false;
        for (auto *label : window.findChildren<QLabel *>())
            mentionsGrpc = mentionsGrpc || label->text().contains(QStringLiteral("gRPC"));
        QVERIFY(mentionsGrpc);
    }

    void programAnswersVersionAndHelpWithoutADisplay()
    {
        // No QT_QPA_PLATFORM and no DISPLAY: these must be answered before Qt needs a screen.
        qunsetenv("QT_QPA_PLATFORM");
        qunsetenv("DISPLAY");
        qunsetenv("WAYLAND_DISPLAY");
        auto version = testsupport::run({WIRESCOPE_GUI, "--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.rfind("wirescope ", 0) == 0, version.out.c_str());
        auto help = testsupport::run({WIRESCOPE_GUI, "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.find("Usage: wirescope") != std::string::npos);
    }
};

QTEST_MAIN(MainWindowTest)
#include "mainwindow_test.moc"
