// SPDX-License-Identifier: GPL-3.0-or-later
// Crash recovery as a user meets it, offscreen with real windows and real files in the test's
// home: every edit of an unsaved tab reaches the autosave file (not only the first), a window
// destroyed without its close event brings back the last edit in the next one, a draft sent to
// the demo service comes back pointing at this session's demo (or waits for it to start), and a
// window never takes or overwrites the drafts of another that is still running.
#include "qtfiles.h"

#include "models/callsession.h"
#include "models/workspacecontroller.h"
#include "ui/jsoneditor.h"

#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QLockFile>
#include <QProcess>
#include <QSysInfo>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>

#include <memory>

#include "workbench.h"

class AutosaveGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { useTestSettings(); }
    void init();
    // Only the first edit of a tab was written: a tab already unsaved did not say it changed
    // again, so the autosave never ran for ONE's successors, and a crash brought back ONE.
    void theLastEditComesBackNotTheFirst();
    // After a crash, a window started without the demo listed its drafts as "could not be
    // reopened", and starting the demo later did not bring them back.
    void aDemoDraftWaitsForTheDemoToStart();
    // A second window restored the drafts of the first, still running, and overwrote its file.
    void aRunningWindowsDraftsAreLeftToIt();
    // Held by another owner (as another process holds it), a file is not taken; once free, it is.
    void aLockedFileIsNotTaken();
    // `wirescope --demo --send` sent the first tab that opened: a restored draft, not the demo's.
    void sendSendsTheTabTheCommandLineOpened();
    // A draft that took its schema from the demo but calls another server kept the demo's
    // source, at a port dead by the next start: each restart added one more.
    void theDemosSourceIsNotKeptWithADraftForAnotherServer();

private:
    QString m_data;
};

#ifndef Q_MOC_RUN // moc misreads the raw strings below

namespace {

QString targetOf(ui::RequestTab *tab)
{
    return tab->findChild<QLineEdit *>(QStringLiteral("targetEdit"))->text();
}

// The request tabs of the window whose editor holds `text`.
QList<ui::RequestTab *> tabsWith(ui::MainWindow &window, const QString &text)
{
    QList<ui::RequestTab *> found;
    for (int i = 0; i < window.tabs()->count(); ++i) {
        auto *tab = qobject_cast<ui::RequestTab *>(window.tabs()->widget(i));
        if (tab && tab->editor()->text().contains(text))
            found << tab;
    }
    return found;
}

int requestTabCount(ui::MainWindow &window)
{
    int count = 0;
    for (int i = 0; i < window.tabs()->count(); ++i)
        count += qobject_cast<ui::RequestTab *>(window.tabs()->widget(i)) ? 1 : 0;
    return count;
}

// Starts the window's demo and waits for the tab it opens (not a restored draft, which opens
// unsaved when the demo's schema loads too).
ui::RequestTab *openDemo(Workbench &wb, QString *address = nullptr)
{
    QSignalSpy tabs(&wb.window, &ui::MainWindow::requestOpened);
    const QString demo = wb.window.startDemo();
    if (demo.isEmpty())
        return nullptr;
    if (address)
        *address = demo;
    ui::RequestTab *fresh = nullptr;
    const bool opened = QTest::qWaitFor(
        [&] {
            for (const auto &args : tabs) {
                auto *tab = args.at(0).value<ui::RequestTab *>();
                if (!tab->isModified())
                    fresh = tab;
            }
            return fresh != nullptr;
        },
        20000);
    return opened ? fresh : nullptr;
}

// A window with the demo's tab edited to `city`, its draft written to its autosave file.
bool demoDraft(Workbench &wb, const QString &city, QString *address = nullptr)
{
    ui::RequestTab *tab = openDemo(wb, address);
    if (!tab)
        return false;
    typeInto(tab->editor(), QStringLiteral(R"({"city":"%1"})").arg(city));
    return QTest::qWaitFor([&] { return readFile(wb.window.autosaveFile()).contains(city.toUtf8()); }, 10000);
}

} // namespace

void AutosaveGuiTest::init()
{
    // Each test starts without drafts of the tests before.
    m_data = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir(m_data).removeRecursively();
}

void AutosaveGuiTest::theLastEditComesBackNotTheFirst()
{
    QString autosave, oldDemo;
    {
        auto wb = std::make_unique<Workbench>();
        ui::RequestTab *tab = openDemo(*wb, &oldDemo);
        QVERIFY(tab);
        autosave = wb->window.autosaveFile();
        for (const char *city : {"ONE", "TWO", "THREE"}) {
            typeInto(tab->editor(), QStringLiteral(R"({"city":"%1"})").arg(QLatin1String(city)));
            QTRY_VERIFY2_WITH_TIMEOUT(readFile(autosave).contains(city), readFile(autosave).constData(), 5000);
        }
        QVERIFY(!readFile(autosave).contains("ONE"));
        wb->window.hide(); // the crash: no close event, nothing more is written
    }
    QVERIFY(readFile(autosave).contains("THREE"));

    // As app/gui/main.cpp with --demo --send: the restore, then the demo.
    Workbench wb;
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.sendNextOpened();
    wb.window.restoreAutosave();
    QString demo;
    ui::RequestTab *fresh = openDemo(wb, &demo);
    QVERIFY(fresh);
    QVERIFY(restored.count() == 1 || restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(tabsWith(wb.window, QStringLiteral("THREE")).size(), 1, 20000);
    ui::RequestTab *back = tabsWith(wb.window, QStringLiteral("THREE")).first();
    QCOMPARE(back->editor()->text(), QStringLiteral(R"({"city":"THREE"})"));
    QVERIFY(back->isModified());
    // It was sent to the demo of its session: it goes to this session's.
    QVERIFY(demo != oldDemo);
    QCOMPARE(targetOf(back), demo);
    // --send sends the tab the demo opened, not the draft.
    QTRY_VERIFY_WITH_TIMEOUT(fresh->session().state() == models::CallSession::State::Finished, 20000);
    QCOMPARE(fresh->session().status().code, 0);
    QCOMPARE(back->session().sentCount(), 0);
    QCOMPARE(back->session().state(), models::CallSession::State::Idle);
    // The crashed window's file is taken over: its draft is in this window's, the old file gone.
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(autosave), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("THREE"), 10000);
    wb.window.hide();
}

void AutosaveGuiTest::aDemoDraftWaitsForTheDemoToStart()
{
    QString oldDemo;
    {
        Workbench wb;
        QVERIFY(demoDraft(wb, QStringLiteral("Nairobi"), &oldDemo));
        wb.window.hide();
    }
    Workbench wb;
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    QTRY_VERIFY2_WITH_TIMEOUT(wb.window.statusText().contains(QStringLiteral("Start Demo Service")),
                              qPrintable(wb.window.statusText()), 10000);
    QTest::qWait(300);
    QCOMPARE(requestTabCount(wb.window), 0);
    QCOMPARE(wb.sources.rowCount(), 0); // no source tried at the dead demo's port
    // Waiting, it stays in this window's file.
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("Nairobi"), 10000);

    QString demo;
    QVERIFY(openDemo(wb, &demo));
    QTRY_COMPARE_WITH_TIMEOUT(tabsWith(wb.window, QStringLiteral("Nairobi")).size(), 1, 20000);
    ui::RequestTab *back = tabsWith(wb.window, QStringLiteral("Nairobi")).first();
    QVERIFY(back->isModified());
    QCOMPARE(targetOf(back), demo);
    QVERIFY(demo != oldDemo);
    QVERIFY(sendAndWait(back));
    QCOMPARE(back->session().status().code, 0);
    wb.window.hide();
}

void AutosaveGuiTest::aRunningWindowsDraftsAreLeftToIt()
{
    auto first = std::make_unique<Workbench>();
    QVERIFY(demoDraft(*first, QStringLiteral("Porto")));
    const QString firstFile = first->window.autosaveFile();
    {
        Workbench second;
        QVERIFY(second.window.autosaveFile() != firstFile);
        QSignalSpy restored(&second.window, &ui::MainWindow::autosaveRestored);
        second.window.sendNextOpened();
        second.window.restoreAutosave();
        ui::RequestTab *fresh = openDemo(second);
        QVERIFY(fresh);
        QVERIFY(restored.count() == 1 || restored.wait(20000));
        QCOMPARE(restored.first().at(0).toInt(), 0);
        QTest::qWait(300);
        QCOMPARE(requestTabCount(second.window), 1);
        QVERIFY(tabsWith(second.window, QStringLiteral("Porto")).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(fresh->session().state() == models::CallSession::State::Finished, 20000);
        QCOMPARE(fresh->session().status().code, 0);
        // A draft of its own goes to its own file; the first window's is as it was.
        typeInto(fresh->editor(), QStringLiteral(R"({"city":"Braga"})"));
        QTRY_VERIFY_WITH_TIMEOUT(readFile(second.window.autosaveFile()).contains("Braga"), 10000);
        QVERIFY(!readFile(second.window.autosaveFile()).contains("Porto"));
        QVERIFY(readFile(firstFile).contains("Porto"));
        QVERIFY(!readFile(firstFile).contains("Braga"));
        second.window.workspace().discardUnsaved(); // as Discard on quit
        second.window.hide();
    }
    // The first window goes on writing its own.
    ui::RequestTab *tab = first->window.currentRequest();
    QVERIFY(tab);
    typeInto(tab->editor(), QStringLiteral(R"({"city":"Faro"})"));
    QTRY_VERIFY_WITH_TIMEOUT(readFile(firstFile).contains("Faro"), 10000);
    first->window.hide();
    first.reset(); // now it crashes

    Workbench third;
    QSignalSpy restored(&third.window, &ui::MainWindow::autosaveRestored);
    third.window.restoreAutosave();
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    QVERIFY(openDemo(third));
    QTRY_COMPARE_WITH_TIMEOUT(tabsWith(third.window, QStringLiteral("Faro")).size(), 1, 20000);
    QVERIFY(tabsWith(third.window, QStringLiteral("Braga")).isEmpty());
    third.window.hide();
}

void AutosaveGuiTest::aLockedFileIsNotTaken()
{
    const QString file = m_data + QStringLiteral("/autosave-elsewhere.json");
    QDir().mkpath(m_data);
    writeFile(file, QByteArrayLiteral(R"({"version": 2, "sections": [{"workspace": "", "tabs": [
        {"saved_path": "", "demo": true, "editor_text": "{\"city\": \"Evora\"}",
         "request": {"method": "wirescope.demo.v1.WeatherService/GetForecast", "body": {}}}]}]})"));
    QLockFile owner(file + QStringLiteral(".lock"));
    QVERIFY(owner.tryLock(0));
    Workbench wb;
    {
        QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
        wb.window.restoreAutosave();
        QVERIFY(restored.wait(20000));
        QCOMPARE(restored.first().at(0).toInt(), 0);
        QVERIFY(readFile(file).contains("Evora"));
    }
    owner.unlock();
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().at(0).toInt(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("Evora"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(file), 10000);

    // The lock of a window that crashed with nothing unsaved (its process is gone) is cleared
    // away; a held one stays.
    QProcess gone;
    gone.start(QStringLiteral("true"), {});
    QVERIFY(gone.waitForStarted(10000));
    const qint64 pid = gone.processId();
    QVERIFY(gone.waitForFinished(10000));
    const QString stale = m_data + QStringLiteral("/autosave-crashed.json.lock");
    writeFile(stale, QByteArray::number(pid) + "\nwirescope\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    const QString running = m_data + QStringLiteral("/autosave-running.json.lock");
    QLockFile held(running);
    QVERIFY(held.tryLock(0));
    QSignalSpy again(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(again.wait(20000));
    QVERIFY(!QFile::exists(stale));
    QVERIFY(QFile::exists(running));
    wb.window.hide();
}

void AutosaveGuiTest::sendSendsTheTabTheCommandLineOpened()
{
    {
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("Echo"), QStringLiteral("127.0.0.1:1"));
        QVERIFY(tab);
        typeInto(tab->editor(), QStringLiteral(R"({"text": "a draft"})"));
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("a draft"), 10000);
        wb.window.hide();
    }
    Workbench wb;
    QVERIFY(wb.loadTestProtos() > 0);
    wb.window.sendNextOpened();
    QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
    wb.window.restoreAutosave();
    QVERIFY(restored.wait(20000));
    // The draft opens first (its schema is loaded already), then the demo's tab.
    QTRY_COMPARE_WITH_TIMEOUT(tabsWith(wb.window, QStringLiteral("a draft")).size(), 1, 20000);
    ui::RequestTab *draft = tabsWith(wb.window, QStringLiteral("a draft")).first();
    ui::RequestTab *fresh = openDemo(wb);
    QVERIFY(fresh);
    QTRY_VERIFY_WITH_TIMEOUT(fresh->session().state() == models::CallSession::State::Finished, 20000);
    QCOMPARE(fresh->session().status().code, 0);
    QCOMPARE(draft->session().state(), models::CallSession::State::Idle);
    wb.window.hide();
}

void AutosaveGuiTest::theDemosSourceIsNotKeptWithADraftForAnotherServer()
{
    QString oldDemo;
    {
        Workbench wb;
        ui::RequestTab *tab = openDemo(wb, &oldDemo);
        QVERIFY(tab);
        tab->setTarget(QStringLiteral("127.0.0.1:1"));
        typeInto(tab->editor(), QStringLiteral(R"({"city":"Quito"})"));
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("Quito"), 10000);
        QVERIFY2(!readFile(wb.window.autosaveFile()).contains(oldDemo.toUtf8()), readFile(wb.window.autosaveFile()).constData());
        wb.window.hide();
    }
    for (int start = 0; start < 2; ++start) {
        Workbench wb;
        QSignalSpy restored(&wb.window, &ui::MainWindow::autosaveRestored);
        wb.window.restoreAutosave();
        QVERIFY(restored.wait(20000));
        QTest::qWait(300);
        // Nothing at a dead demo's port; the draft's own server is asked, quietly (it is down).
        QStringList names;
        for (int r = 0; r < wb.sources.rowCount(); ++r)
            names << wb.sources.index(r, 0).data().toString();
        QCOMPARE(names, QStringList{QStringLiteral("127.0.0.1:1 (reflection) — not connected")});
        // The demo's schema has the method: the draft opens, still for its own server.
        QString demo;
        QVERIFY(openDemo(wb, &demo));
        QTRY_COMPARE_WITH_TIMEOUT(tabsWith(wb.window, QStringLiteral("Quito")).size(), 1, 20000);
        QCOMPARE(targetOf(tabsWith(wb.window, QStringLiteral("Quito")).first()), QStringLiteral("127.0.0.1:1"));
        QCOMPARE(wb.sources.rowCount(), 2); // and no more at the next start
        QTRY_VERIFY_WITH_TIMEOUT(readFile(wb.window.autosaveFile()).contains("Quito"), 10000);
        QVERIFY(!readFile(wb.window.autosaveFile()).contains(demo.toUtf8()));
        wb.window.hide();
    }
}

#endif // Q_MOC_RUN

QTEST_MAIN(AutosaveGuiTest)
#include "autosave_gui_test.moc"
