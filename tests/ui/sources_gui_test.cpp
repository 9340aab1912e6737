// SPDX-License-Identifier: GPL-3.0-or-later
// Schema sources in the window, driven through its widgets offscreen with real files and the
// in-tree test server: import roots guessed and shown for new proto files, each source
// reloaded, edited and removed with its problems, folder sources named by their folder,
// servers with reflection over TLS, and restored servers that stay quiet until used.
#include "support.h"
#include "testserver.h"

#include "models/importroots.h"
#include "models/recentsources.h"
#include "ui/connectionoptions.h"
#include "ui/sourceactions.h"
#include "ui/sourcedialog.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTreeWidget>

#include <fstream>
#include <memory>

#include "workbench.h"

namespace {

// A service whose file imports its types by a name relative to a folder three levels up, as
// real APIs do (acme/api/v1/...).
void writeAcme(const testsupport::TempDir &dir)
{
    dir.write("acme/api/v1/types.proto",
              "syntax = \"proto3\";\npackage acme.api.v1;\n"
              "message Item { string id = 1; }\nmessage Page { int32 size = 1; }\n");
    dir.write("acme/api/v1/service.proto", "syntax = \"proto3\";\npackage acme.api.v1;\n"
                                           "import \"acme/api/v1/types.proto\";\n"
                                           "import \"google/protobuf/empty.proto\";\n"
                                           "message ListRequest { Page page = 1; Item after = 2; }\n"
                                           "message ListReply { repeated Item items = 1; Page next = 2; }\n"
                                           "message GetRequest { string id = 1; }\n"
                                           "service Items {\n"
                                           "  rpc List(ListRequest) returns (ListReply);\n"
                                           "  rpc Get(GetRequest) returns (Item);\n"
                                           "  rpc Touch(Item) returns (google.protobuf.Empty);\n"
                                           "}\n");
}

QString qpath(const std::filesystem::path &p)
{
    return QString::fromStdString(p.string());
}

QStringList itemsOf(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        out << list->item(i)->text();
    return out;
}

void clickOk(QDialog *dialog)
{
    auto *box = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(box);
    QTest::mouseClick(box->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

QModelIndex sourceRow(ui::MainWindow &window, int row)
{
    return window.tree()->model()->index(row, 0);
}

// A source whose file does not parse (the tree's first row), then the test protos.
bool addBrokenThenGood(Workbench &wb, testsupport::TempDir &dir)
{
    dir.write("broken.proto", "syntax = \"proto3\";\nmessage A { int32 = 1; }\n");
    QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
    wb.window.addProtoSource({qpath(dir.path())}, {QStringLiteral("broken.proto")});
    return failed.wait(20000) && wb.loadTestProtos() > 0;
}

QStringList problemTexts(ui::MainWindow &window)
{
    QStringList out;
    QTreeWidget *problems = window.problems();
    for (int i = 0; i < problems->topLevelItemCount(); ++i)
        out << problems->topLevelItem(i)->text(0) + QStringLiteral(": ") + problems->topLevelItem(i)->text(1);
    return out;
}

} // namespace

class SourcesGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useTestSettings();
    }

    void theImportRootIsTheNearestFolderTheImportsResolveFrom()
    {
        testsupport::TempDir dir;
        writeAcme(dir);
        dir.write("lone/single.proto", "syntax = \"proto3\";\nmessage Lone {}\n");
        dir.write("lone/half.proto",
                  "syntax = \"proto3\";\nimport \"lone/single.proto\";\nimport \"x/y.proto\";\n");
        const QString root = qpath(dir.path());
        QCOMPARE(models::guessImportRoots({root + QStringLiteral("/acme/api/v1/service.proto")}),
                 QStringList{root});
        // No imports: the file's own folder. Not every import on disk: the folder that has most.
        QCOMPARE(models::guessImportRoots({root + QStringLiteral("/lone/single.proto")}),
                 QStringList{root + QStringLiteral("/lone")});
        QCOMPARE(models::guessImportRoots({root + QStringLiteral("/lone/half.proto")}), QStringList{root});
        QCOMPARE(models::protoImports(
                     "import public \"a/b.proto\";\n  import 'c.proto' ;\n// import \"no.proto\";\n"),
                 (QStringList{QStringLiteral("a/b.proto"), QStringLiteral("c.proto")}));
    }

    // Open Proto Files: the dialog shows the guessed root; OK loads the service.
    void openProtoFilesShowsTheGuessedRootAndLoads()
    {
        testsupport::TempDir dir;
        writeAcme(dir);
        Workbench wb;
        QSignalSpy opened(wb.window.sourceActions(), &ui::SourceActions::dialogOpened);
        wb.window.sourceActions()->askForProtoFiles({qpath(dir.path() / "acme/api/v1/service.proto")});
        QVERIFY(opened.wait(10000));
        auto *dialog = opened.takeFirst().at(0).value<ui::SourceDialog *>();
        QVERIFY(dialog->isVisible());
        auto *roots = dialog->findChild<QListWidget *>(QStringLiteral("importRootsList"));
        QVERIFY(roots && roots->isVisible());
        QCOMPARE(itemsOf(roots), QStringList{qpath(dir.path())});
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        clickOk(dialog);
        QVERIFY(loaded.wait(20000));
        QVERIFY(wb.openByClicking(QStringLiteral("List")));
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
    }

    // Files named on the command line without -I: the same guess, no dialog, loaded.
    void protoFilesFromTheCommandLineLoadWithTheGuessedRoot()
    {
        testsupport::TempDir dir;
        writeAcme(dir);
        Workbench wb;
        QSignalSpy opened(wb.window.sourceActions(), &ui::SourceActions::dialogOpened);
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        wb.window.sourceActions()->addProtoFiles({qpath(dir.path() / "acme/api/v1/service.proto")});
        QVERIFY(loaded.wait(20000));
        QVERIFY(opened.isEmpty());
        const models::SourceSpec *spec = wb.sources.spec(loaded.first().at(0).toInt());
        QVERIFY(spec);
        QCOMPARE(spec->schema.importPaths, std::vector<std::string>{dir.path().string()});
        QVERIFY(wb.openByClicking(QStringLiteral("List")));
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
    }

    // A wrong root: one problem (the import, with the root that holds it), not one per use.
    // Editing the source's roots reloads it and its problems go; OK without a root is refused.
    void aWrongRootIsOneProblemAndEditingTheRootsClearsIt()
    {
        testsupport::TempDir dir;
        writeAcme(dir);
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        const int id =
            wb.window.addProtoSource({qpath(dir.path() / "acme/api/v1")}, {QStringLiteral("service.proto")});
        QVERIFY(failed.wait(20000));
        const QStringList shown = problemTexts(wb.window);
        QCOMPARE(shown.size(), 1);
        QVERIFY2(shown.first().contains(QStringLiteral("add the import root ") + qpath(dir.path())),
                 qPrintable(shown.first()));
        QVERIFY2(shown.first().contains(QStringLiteral("6 errors that follow")), qPrintable(shown.first()));

        wb.window.tree()->setCurrentIndex(sourceRow(wb.window, 0));
        QCOMPARE(wb.window.sourceActions()->currentSource(), id);
        QSignalSpy opened(wb.window.sourceActions(), &ui::SourceActions::dialogOpened);
        wb.window.sourceActions()->editAction()->trigger();
        QCOMPARE(opened.size(), 1);
        auto *dialog = opened.first().at(0).value<ui::SourceDialog *>();
        auto *roots = dialog->findChild<QListWidget *>(QStringLiteral("importRootsList"));
        QCOMPARE(itemsOf(roots), QStringList{qpath(dir.path() / "acme/api/v1")});
        roots->clear();
        clickOk(dialog);
        QVERIFY(dialog->isVisible()); // refused: no root
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("sourceProblemLabel"))->isVisible());
        roots->addItem(qpath(dir.path()));
        auto *files = dialog->findChild<QListWidget *>(QStringLiteral("sourceFilesList"));
        files->item(0)->setText(QStringLiteral("acme/api/v1/service.proto"));
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        clickOk(dialog);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(wb.sources.sourceCount(), 1); // the same source, changed
        QCOMPARE(wb.sources.spec(id)->schema.importPaths, std::vector<std::string>{dir.path().string()});
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
        QVERIFY(wb.openByClicking(QStringLiteral("Touch")));
    }

    // Reload lists only the new problems (none once the file is fixed); each reload replaces.
    void reloadReplacesTheSourcesProblems()
    {
        testsupport::TempDir dir;
        const std::string file =
            dir.write("broken.proto", "syntax = \"proto3\";\nmessage A { int32 = 1; }\n");
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.addProtoSource({qpath(dir.path())}, {QStringLiteral("broken.proto")});
        QVERIFY(failed.wait(20000));
        const int first = wb.window.problems()->topLevelItemCount();
        QVERIFY(first >= 1);
        wb.window.tree()->setCurrentIndex(sourceRow(wb.window, 0));
        for (int i = 0; i < 2; ++i) {
            wb.window.sourceActions()->reloadAction()->trigger();
            QVERIFY(failed.wait(20000));
            QCOMPARE(wb.window.problems()->topLevelItemCount(), first);
        }
        std::ofstream(file)
            << "syntax = \"proto3\";\nmessage A { int32 a = 1; }\nservice S { rpc M(A) returns (A); }\n";
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        wb.window.sourceActions()->reloadAction()->trigger();
        QVERIFY(loaded.wait(20000));
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
    }

    // F5 reloads: the source picked in the tree, wherever the focus is in the window (the trial
    // pressed it after clicking the source's problem); with no source picked, every source that
    // failed.
    void f5ReloadsTheSourceOrEveryFailedOne()
    {
        testsupport::TempDir dir;
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        QVERIFY(addBrokenThenGood(wb, dir));
        QSignalSpy started(&wb.sources, &models::SourcesModel::loadStarted);
        auto pressF5 = [&](QWidget *where) {
            where->activateWindow();
            where->setFocus();
            QTRY_VERIFY(where->hasFocus());
            QTest::keyClick(where, Qt::Key_F5);
        };

        // The failed source picked in the tree, the focus in the tree.
        QTreeView *tree = wb.window.tree();
        tree->setCurrentIndex(sourceRow(wb.window, 0));
        pressF5(tree);
        QTRY_COMPARE(started.size(), 1);
        QVERIFY(failed.wait(20000));
        QCOMPARE(started.constFirst().constFirst().toInt(), sourceRow(wb.window, 0).data(models::SourcesModel::SourceIdRole).toInt());

        // The focus in the Problems list, where the trial's user was.
        QTreeWidget *problems = wb.window.problems();
        QTRY_VERIFY(problems->topLevelItemCount() >= 1);
        problems->setCurrentItem(problems->topLevelItem(0));
        pressF5(problems);
        QTRY_COMPARE(started.size(), 2);
        QVERIFY(failed.wait(20000));

        // Nothing picked: the failed source is reloaded, the good one left alone.
        tree->setCurrentIndex({});
        tree->clearSelection();
        pressF5(wb.window.tabs());
        QTRY_COMPARE(started.size(), 3);
        QCOMPARE(started.last().constFirst().toInt(), sourceRow(wb.window, 0).data(models::SourcesModel::SourceIdRole).toInt());
        QVERIFY(failed.wait(20000));
        QTest::qWait(100);
        QCOMPARE(started.size(), 3);
    }

    // The context menu on a source removes it, and its problems with it.
    void theContextMenuRemovesASourceWithItsProblems()
    {
        testsupport::TempDir dir;
        Workbench wb;
        QVERIFY(addBrokenThenGood(wb, dir));
        QVERIFY(wb.window.problems()->topLevelItemCount() >= 1);
        QTreeView *tree = wb.window.tree();
        const QPoint at = tree->visualRect(sourceRow(wb.window, 0)).center();
        emit tree->customContextMenuRequested(at);
        QMenu *menu = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((menu = tree->findChild<QMenu *>(QStringLiteral("sourceContextMenu"))) &&
                                     menu->isVisible(),
                                 5000);
        QStringList texts;
        for (QAction *a : menu->actions())
            if (!a->isSeparator())
                texts << a->text().remove(u'&');
        QCOMPARE(texts, (QStringList{QStringLiteral("Reload Source"), QStringLiteral("Edit Source…"),
                                     QStringLiteral("Remove Source")}));
        QAction *remove = menu->actions().last();
        menu->close();
        remove->trigger();
        QCOMPARE(wb.sources.sourceCount(), 1);
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
        QVERIFY(!sourceRow(wb.window, 0).data().toString().contains(QStringLiteral("broken")));
    }

    // Open Recent on a source that is open reloads it: one source, its problems listed once.
    void openRecentTwiceKeepsOneSourceAndItsProblemsOnce()
    {
        testsupport::TempDir dir;
        dir.write("broken.proto", "syntax = \"proto3\";\nmessage A { int32 = 1; }\n");
        Workbench wb;
        models::SourceSpec spec;
        spec.schema.importPaths = {dir.path().string()};
        spec.schema.protoFiles = {"broken.proto"};
        models::RecentSources::remember(spec);
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        for (int i = 0; i < 2; ++i) {
            emit wb.window.recentMenu()->aboutToShow();
            QAction *first = wb.window.recentMenu()->actions().value(0);
            QVERIFY(first && first->text().startsWith(QStringLiteral("broken.proto")));
            first->trigger();
            QVERIFY(failed.wait(20000));
        }
        QCOMPARE(wb.sources.sourceCount(), 1);
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 1);
    }

    // A folder opens every file, so a broken file that another imports was listed twice.
    void aParseErrorInAFolderIsListedOnce()
    {
        testsupport::TempDir dir;
        dir.write("api/broken.proto", "syntax = \"proto3\";\nmessage A {\n  string x = ;\n}\n");
        dir.write("api/user.proto",
                  "syntax = \"proto3\";\nimport \"broken.proto\";\nmessage B { A a = 1; }\n");
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.addProtoFolder(qpath(dir.path() / "api"));
        QVERIFY(failed.wait(20000));
        const QStringList shown = problemTexts(wb.window);
        QCOMPARE(shown.size(), 1);
        QVERIFY2(shown.first().startsWith(QStringLiteral("broken.proto:3:")), qPrintable(shown.first()));
    }

    void aFolderSourceIsNamedByItsFolder()
    {
        testsupport::TempDir dir;
        for (const char *name : {"a", "b", "c", "d", "e"})
            dir.write(std::string("googleapis/") + name + ".proto", "syntax = \"proto3\";\n");
        Workbench wb;
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        const int id = wb.window.addProtoFolder(qpath(dir.path() / "googleapis"));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(sourceRow(wb.window, 0).data().toString(), QStringLiteral("googleapis/"));
        // Kept as a folder in the recent sources, too.
        const auto again = models::sourceSpecFromMap(models::sourceSpecToMap(*wb.sources.spec(id)));
        QCOMPARE(again.displayName(), QStringLiteral("googleapis/"));
    }

    // Add Server with Reflection over TLS, with the request's own connection options; the tab
    // opened from it calls with the same TLS. Its TLS is kept where sources are remembered.
    void addServerWithReflectionOverTls()
    {
        testsupport::Pki pki;
        auto server = testing_server::TestServer::started(
            testing_server::withTls(pki.path("server.pem"), pki.path("server.key")));
        QVERIFY(server);
        const QString target = QStringLiteral("localhost:%1").arg(server->port());
        Workbench wb;
        QSignalSpy opened(wb.window.sourceActions(), &ui::SourceActions::dialogOpened);
        wb.window.sourceActions()->askForServer(target);
        QCOMPARE(opened.size(), 1);
        auto *dialog = opened.first().at(0).value<ui::SourceDialog *>();
        QVERIFY(dialog->findChild<ui::ConnectionOptions *>()); // the request's widget, reused
        auto *security = dialog->findChild<QComboBox *>(QStringLiteral("sourceSecurityBox"));
        QVERIFY(security);
        auto *ca = dialog->findChild<QLineEdit *>(QStringLiteral("caFileEdit"));
        QVERIFY(ca && !ca->isEnabled()); // plaintext first
        security->setCurrentIndex(1);
        QVERIFY(ca->isEnabled());
        typeInto(ca, QString::fromStdString(pki.path("ca.pem")));
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        clickOk(dialog);
        QVERIFY(loaded.wait(20000));
        const int id = loaded.first().at(0).toInt();
        QVERIFY(!wb.sources.spec(id)->connection.plaintext);
        const auto kept = models::sourceSpecFromMap(models::sourceSpecToMap(*wb.sources.spec(id)));
        QCOMPARE(kept.connection, wb.sources.spec(id)->connection);
        QVERIFY(kept.description().contains(QStringLiteral("TLS")));
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        QCOMPARE(tab->connectionSettings().plaintext, false);
        QCOMPARE(tab->connectionSettings().caFile, QString::fromStdString(pki.path("ca.pem")));
    }

    // A server a workspace names that is not running when it opens: no problem, no red icon,
    // "not connected"; selecting it tries again and then says why it failed.
    void aRestoredServerThatIsDownStaysQuietUntilUsed()
    {
        testsupport::TempDir dir;
        const int port = testsupport::deadPort();
        dir.write("wirescope.json",
                  "{\"format_version\": 1, \"reflection\": [\"127.0.0.1:" + std::to_string(port) + "\"]}\n");
        Workbench wb;
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.openWorkspace(qpath(dir.path()));
        QVERIFY(failed.wait(30000));
        const int id = failed.first().at(0).toInt();
        QVERIFY(wb.sources.isQuiet(id));
        QCOMPARE(wb.window.problems()->topLevelItemCount(), 0);
        QVERIFY(!wb.window.findChild<QDockWidget *>(QStringLiteral("problemsDock"))->isVisible());
        const QModelIndex row = sourceRow(wb.window, 0);
        QVERIFY2(row.data().toString().endsWith(QStringLiteral("— not connected")),
                 qPrintable(row.data().toString()));

        wb.window.tree()->setCurrentIndex(row);
        QVERIFY(failed.wait(30000));
        QVERIFY(!wb.sources.isQuiet(id));
        QVERIFY(wb.window.problems()->topLevelItemCount() >= 1);
        QVERIFY(wb.window.findChild<QDockWidget *>(QStringLiteral("problemsDock"))->isVisible());
        QVERIFY(sourceRow(wb.window, 0).data().toString().endsWith(QStringLiteral("— failed")));
    }

    // A server a workspace names for reflection with one of its connections is asked with that
    // connection's TLS and CA; without it the same server cannot be reached (it wants TLS).
    void aWorkspaceReflectionServerTakesItsNamedConnection()
    {
        testsupport::Pki pki;
        auto server = testing_server::TestServer::started(
            testing_server::withTls(pki.path("server.pem"), pki.path("server.key")));
        QVERIFY(server);
        testsupport::TempDir dir;
        QVERIFY(QFile::copy(QString::fromStdString(pki.path("ca.pem")),
                            qpath(dir.path()) + QStringLiteral("/ca.pem")));
        const std::string target = "localhost:" + std::to_string(server->port());
        dir.write("wirescope.json",
                  "{\"format_version\": 1,\n"
                  " \"connections\": {\"local-tls\": {\"plaintext\": false, \"ca_file\": \"ca.pem\"}},\n"
                  " \"reflection\": [{\"target\": \"" +
                      target + "\", \"connection\": \"local-tls\"}, \"" + target + "\"]}\n");
        Workbench wb;
        QSignalSpy loaded(&wb.sources, &models::SourcesModel::sourceLoaded);
        QSignalSpy failed(&wb.sources, &models::SourcesModel::loadFailed);
        wb.window.openWorkspace(qpath(dir.path()));
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && !failed.isEmpty(), 30000);
        const int tls = loaded.first().at(0).toInt();
        const models::SourceSpec *spec = wb.sources.spec(tls);
        QVERIFY(spec);
        QVERIFY(!spec->connection.plaintext);
        QCOMPARE(spec->connection.caFile, qpath(dir.path()) + QStringLiteral("/ca.pem"));
        QVERIFY(spec->description().contains(QStringLiteral("TLS")));
        QVERIFY(wb.sources.spec(failed.first().at(0).toInt())->connection.plaintext);
        // A tab opened from it calls with the same TLS.
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Echo"));
        QVERIFY(tab);
        QCOMPARE(tab->connectionSettings().plaintext, false);
        QCOMPARE(tab->connectionSettings().caFile, spec->connection.caFile);
    }
};

QTEST_MAIN(SourcesGuiTest)
#include "sources_gui_test.moc"
