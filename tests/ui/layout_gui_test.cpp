// SPDX-License-Identifier: GPL-3.0-or-later
// The window at laptop and desktop sizes, offscreen: minimum size, the target row, options,
// toolbar, docks, and saving, restoring and resetting the layout.
#include "models/sourcesmodel.h"
#include "ui/environmentsdialog.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/responsepanel.h"
#include "ui/timelinepanel.h"
#include "ui/timelineview.h"

#include <QComboBox>
#include <QDockWidget>
#include <QFrame>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QtTest>

#include "workbench.h"

namespace {

// `w`'s rectangle in the window's coordinates.
QRect inWindow(QWidget *w)
{
    return QRect(w->mapTo(w->window(), QPoint(0, 0)), w->size());
}

// How many rows `view` shows whole, from the first one in view.
int wholeRowsShown(const QTableView *view)
{
    int rows = 0;
    for (int r = std::max(0, view->rowAt(0)); r < view->model()->rowCount(); ++r) {
        if (view->rowViewportPosition(r) + view->rowHeight(r) > view->viewport()->height())
            break;
        ++rows;
    }
    return rows;
}

} // namespace

class LayoutGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useTestSettings();
        QVERIFY(m_server.start());
    }
    void cleanupTestCase() { m_server.stop(); }

    // A first start (nothing saved) on the screen the test runs on: CTest runs this once with a
    // 1024x768 screen and once with a 1920x1080 one (layout_gui_1024, layout_gui_1920).
    void theFirstWindowFitsThisScreen()
    {
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        if (available.width() < 1024 || available.height() < 768)
            QSKIP("needs a screen of 1024x768 or more (see layout_gui_1024 and layout_gui_1920)");
        QSettings().clear();
        Workbench wb(true);
        const QRect frame = wb.window.frameGeometry();
        QVERIFY2(available.contains(frame), qPrintable(QStringLiteral("%1,%2 %3x%4")
                                                           .arg(frame.x())
                                                           .arg(frame.y())
                                                           .arg(frame.width())
                                                           .arg(frame.height())));
        // Centred across; down, the title bar the window manager adds is left room for.
        // (The frame's borders are not known before the window shows: a few pixels.)
        QVERIFY(std::abs((frame.left() - available.left()) - (available.right() - frame.right())) <= 10);
        QVERIFY(frame.top() - available.top() <= available.bottom() - frame.bottom() + 60);
        const QSize size = wb.window.size();
        if (available.width() >= 1600) { // most of a large screen, as Kreya and Postman open
            QVERIFY2(size.width() >= available.width() * 8 / 10 && size.width() <= available.width() * 9 / 10,
                     qPrintable(QString::number(size.width())));
            QVERIFY2(size.height() >= available.height() * 8 / 10 &&
                         size.height() <= available.height() * 9 / 10,
                     qPrintable(QString::number(size.height())));
        } else { // nearly all of a small one
            QVERIFY2(size.width() >= available.width() * 9 / 10, qPrintable(QString::number(size.width())));
            QVERIFY2(size.height() >= available.height() - 60, qPrintable(QString::number(size.height())));
        }
        const QSize minimum = wb.window.minimumSizeHint().expandedTo(wb.window.minimumSize());
        QVERIFY2(minimum.width() <= 900 && minimum.height() <= 650,
                 qPrintable(QStringLiteral("%1x%2").arg(minimum.width()).arg(minimum.height())));

        // A server stream: its messages, and its frames in the timeline's wire view.
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openAt(QStringLiteral("ServerStream"), m_server.address);
        QVERIFY(tab);
        tab->setBody(QStringLiteral(R"({"count": 12, "text": "row"})"));
        QVERIFY(sendAndWait(tab));
        QCOMPARE(tab->session().status().code, 0);
        auto *messages = tab->findChild<ui::ResponsePanel *>()->messageList();
        QTRY_COMPARE(messages->model()->rowCount(), 13);
        QTableView *wire = wb.window.timelinePanel()->wireTable();
        QTRY_VERIFY(wire->model()->rowCount() >= 12);
        // Six rows of each on a desktop. A 1024x768 screen holds the request tab near its
        // smallest (target, controls, status, tabs: about 300 px) and the timeline's tools, axis
        // and three lanes: the message list gets four rows (it had two), the wire view what the
        // timeline panel's own split leaves it.
        const bool tall = available.height() >= 1000;
        QVERIFY2(wholeRowsShown(messages) >= (tall ? 6 : 4),
                 qPrintable(QString::number(wholeRowsShown(messages))));
        if (tall)
            QVERIFY2(wholeRowsShown(wire) >= 6, qPrintable(QString::number(wholeRowsShown(wire))));
        // The viewer keeps room for a message's lines, the request editor too.
        auto *viewer = tab->findChild<QWidget *>(QStringLiteral("messageViewer"));
        auto *editor = tab->findChild<QWidget *>(QStringLiteral("requestEditor"));
        QVERIFY2(viewer->height() >= (tall ? 6 : 3) * viewer->fontMetrics().height() + 15,
                 qPrintable(QString::number(viewer->height())));
        QVERIFY2(editor->height() >= 8 * editor->fontMetrics().height(),
                 qPrintable(QString::number(editor->height())));
        // Nothing overlaps: the request tab ends above the timeline, each inside the window.
        auto *timelineDock = wb.window.findChild<QDockWidget *>(QStringLiteral("timelineDock"));
        QVERIFY(inWindow(tab).bottom() < inWindow(timelineDock).top());
        QVERIFY(wb.window.rect().contains(inWindow(timelineDock)));
        // The timeline's direction box shows its choice whole ("Both directi" at every size).
        auto *direction = timelineDock->findChild<QComboBox *>(QStringLiteral("timelineDirectionBox"));
        QVERIFY(direction);
        QStyleOptionComboBox option;
        option.initFrom(direction);
        const QRect textRoom = direction->style()->subControlRect(QStyle::CC_ComboBox, &option,
                                                                  QStyle::SC_ComboBoxEditField, direction);
        QVERIFY2(textRoom.width() >= direction->fontMetrics().horizontalAdvance(direction->currentText()),
                 qPrintable(QStringLiteral("%1 < %2").arg(textRoom.width()).arg(direction->currentText())));

        const QRect timelineBefore = inWindow(timelineDock);
        // Options: in groups that fit the width (no sideways scrolling); on a desktop the first
        // group (protocol, authority, proxy) whole. On a 1024x768 screen the request tab keeps
        // its smallest response below them: the options scroll from two lines, and opening them
        // takes nothing from the timeline.
        QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
        auto *area = tab->findChild<QScrollArea *>(QStringLiteral("optionsArea"));
        QTRY_VERIFY(area->isVisible());
        QTest::qWait(20);
        QCOMPARE(area->horizontalScrollBar()->maximum(), 0);
        auto *first = area->widget()->findChild<QWidget *>(QStringLiteral("connectionGroup"));
        QVERIFY(first && first->isVisible());
        const QRect shown(area->viewport()->mapTo(&wb.window, QPoint(0, 0)), area->viewport()->size());
        if (tall)
            QVERIFY2(
                shown.contains(inWindow(first)),
                qPrintable(QStringLiteral("%1 in %2").arg(inWindow(first).height()).arg(shown.height())));
        else
            QVERIFY2(area->height() >= 2 * tab->fontMetrics().height() + 8,
                     qPrintable(QString::number(area->height())));
        QCOMPARE(wb.window.size(), size);
        QVERIFY2(editor->height() >= 3 * editor->fontMetrics().height(),
                 qPrintable(QString::number(editor->height())));
        // Nothing drawn over anything: the response keeps its smallest height (below it, its
        // Save… and Copy message buttons lay over the message viewer).
        ui::ResponsePanel *response = tab->response();
        QVERIFY2(response->height() >= response->minimumSizeHint().height(),
                 qPrintable(QStringLiteral("%1 < %2").arg(response->height()).arg(response->minimumSizeHint().height())));
        // Nor with a hint under the status (TLS against the plaintext server: "Try plaintext").
        tab->findChild<QComboBox *>(QStringLiteral("securityBox"))->setCurrentIndex(1);
        QVERIFY(sendAndWait(tab));
        QTRY_VERIFY(response->hintButton()->isVisible());
        // Laid out again level by level, one event each (slower under a sanitizer): waited for.
        QTRY_VERIFY2(response->height() >= response->minimumSizeHint().height(),
                 qPrintable(QStringLiteral("with a hint: %1 < %2").arg(response->height()).arg(response->minimumSizeHint().height())));
        QCOMPARE(inWindow(timelineDock), timelineBefore); // the timeline keeps its room
    }

    // Add Environment asks in a dialog wide enough for its whole title: sized to "Name:", a
    // field and two buttons, the window manager showed "Add E… nment".
    void addEnvironmentShowsItsWholeTitle()
    {
        ui::EnvironmentsDialog dialog({{QStringLiteral("dev"), {}}}, {}, QStringLiteral("dev"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QString title;
        int width = 0;
        int needed = 0;
        QTimer answer;
        connect(&answer, &QTimer::timeout, &dialog, [&] {
            auto *ask = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            if (!ask || !ask->isVisible())
                return;
            answer.stop();
            title = ask->windowTitle();
            width = ask->frameGeometry().width();
            // A title bar holds the window's icon and three buttons beside the bold title, and
            // a margin at each end: openbox showed "Add E… nment" in a 200 px dialog.
            QFont bold = ask->font();
            bold.setBold(true);
            const QFontMetrics fm(bold);
            needed = fm.horizontalAdvance(title) + 5 * (fm.height() + 6);
            ask->setTextValue(QStringLiteral("staging"));
            ask->accept();
        });
        answer.start(20);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("addEnvironmentButton")),
                          Qt::LeftButton);
        QCOMPARE(title, QStringLiteral("Add Environment"));
        QVERIFY2(width >= needed, qPrintable(QStringLiteral("%1 < %2").arg(width).arg(needed)));
        QCOMPARE(dialog.environmentList()->count(), 2);
        QCOMPARE(dialog.environmentList()->currentItem()->text(), QStringLiteral("staging"));
    }

    void fitsTheScreen_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1024x768") << QSize(1024, 768);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
    }

    void fitsTheScreen()
    {
        QFETCH(QSize, size);
        Workbench wb;
        QVERIFY(wb.loadTestProtos() > 0);
        ui::RequestTab *tab = wb.openByClicking(QStringLiteral("Chat"));
        QVERIFY(tab);
        wb.window.resize(size);
        QTRY_COMPARE(wb.window.size(), size);

        // Well under a laptop's screen, whatever is open.
        const QSize minimum = wb.window.minimumSizeHint().expandedTo(wb.window.minimumSize());
        QVERIFY2(minimum.width() <= 800 && minimum.height() <= 600,
                 qPrintable(QStringLiteral("%1x%2").arg(minimum.width()).arg(minimum.height())));

        // The target takes the row's spare width; the security box is as wide as its text.
        auto *target = tab->findChild<QLineEdit *>(QStringLiteral("targetEdit"));
        auto *security = tab->findChild<QComboBox *>(QStringLiteral("securityBox"));
        auto *method = tab->findChild<QComboBox *>(QStringLiteral("methodBox"));
        QVERIFY(target && security && method);
        QVERIFY2(target->width() >=
                     target->fontMetrics().horizontalAdvance(QStringLiteral("localhost:50051")),
                 qPrintable(QString::number(target->width())));
        QVERIFY(target->width() > security->width());
        QVERIFY(target->width() >= method->width());
        QVERIFY(security->width() < 160);

        // Everything the request needs is inside the window, nothing cut off at its edge.
        const QRect window = wb.window.rect();
        for (const char *name : {"methodBox", "targetEdit", "securityBox", "deadlineBox", "optionsButton",
                                 "sendButton", "cancelButton", "requestEditor", "messageList"}) {
            auto *w = tab->findChild<QWidget *>(QString::fromLatin1(name));
            QVERIFY2(w && w->isVisible(), name);
            QVERIFY2(window.contains(inWindow(w)), name);
            QVERIFY2(w->width() > 0 && w->height() > 0, name);
        }
        for (auto *dock : wb.window.findChildren<QDockWidget *>()) {
            if (dock->isVisible())
                QVERIFY2(window.contains(inWindow(dock)), qPrintable(dock->objectName()));
        }

        // Every toolbar action shows, none behind an overflow button; Send and Cancel by name.
        auto *toolbar = wb.window.findChild<QToolBar *>(QStringLiteral("mainToolbar"));
        QVERIFY(toolbar);
        QVERIFY(window.contains(inWindow(toolbar)));
        for (QAction *action : toolbar->actions()) {
            if (action->isSeparator() || !action->isVisible())
                continue;
            QWidget *w = toolbar->widgetForAction(action);
            QVERIFY2(w && w->isVisible(), qPrintable(action->text()));
            QVERIFY2(toolbar->rect().contains(QRect(w->pos(), w->size())), qPrintable(action->text()));
        }
        auto *extension = toolbar->findChild<QToolButton *>(QStringLiteral("qt_toolbar_ext_button"));
        QVERIFY(!extension || !extension->isVisible());
        auto *edit = wb.window.findChild<QAction *>(QStringLiteral("editEnvironmentsAction"));
        QVERIFY(edit && toolbar->widgetForAction(edit)->isVisible());
        for (QAction *a : toolbar->actions()) {
            if (a->text() == QLatin1String("&Send") || a->text() == QLatin1String("&Cancel")) {
                auto *b = qobject_cast<QToolButton *>(toolbar->widgetForAction(a));
                QVERIFY(b && b->toolButtonStyle() == Qt::ToolButtonTextBesideIcon);
            }
        }

        // The timeline's legend: below the lanes where they keep room beside it, and from the
        // Legend button over the window at any size, whole and on the screen.
        ui::TimelinePanel *timeline = wb.window.timelinePanel();
        QVERIFY(timeline->isVisible());
        ui::TimelineLegend *inlineLegend = timeline->legend();
        if (inlineLegend->isVisible())
            QVERIFY(inlineLegend->height() >= inlineLegend->rowsHeight(inlineLegend->width()));
        auto *legendButton = timeline->findChild<QToolButton *>(QStringLiteral("timelineLegendButton"));
        QVERIFY(legendButton && legendButton->isVisible() && window.contains(inWindow(legendButton)));
        QTest::mouseClick(legendButton, Qt::LeftButton);
        QFrame *popup = timeline->legendPopup();
        QTRY_VERIFY(popup->isVisible());
        auto *popupLegend = popup->findChild<ui::TimelineLegend *>();
        QVERIFY(popupLegend && popupLegend->isVisible());
        QCOMPARE(popupLegend->entries(), inlineLegend->entries());
        QVERIFY(popupLegend->height() >= popupLegend->rowsHeight(popupLegend->width()));
        QVERIFY(popup->screen()->availableGeometry().contains(popup->geometry()));
        QTest::keyClick(popup, Qt::Key_Escape);
        QTRY_VERIFY(!popup->isVisible());
        // The lane filter shows its placeholder whole.
        auto *filter = timeline->findChild<QLineEdit *>(QStringLiteral("timelineFilterEdit"));
        QVERIFY(filter->width() >= filter->fontMetrics().horizontalAdvance(filter->placeholderText()));
        // The timeline's tools fit across its dock: it needs no sideways scrolling, here nor at
        // the window's default size on a 1024x768 screen (922x715 under openbox).
        auto *timelineArea = wb.window.findChild<QScrollArea *>(QStringLiteral("timelineArea"));
        QVERIFY(timelineArea);
        QTRY_COMPARE(timelineArea->horizontalScrollBar()->maximum(), 0);
        if (size.width() == 1024) {
            wb.window.resize(922, 715);
            QTRY_COMPARE(wb.window.size(), QSize(922, 715));
            QTRY_COMPARE(timelineArea->horizontalScrollBar()->maximum(), 0);
            wb.window.resize(size);
            QTRY_COMPARE(wb.window.size(), size);
        }

        // The services tree gets the left column's height; the empty collection stays small
        // and the problems (none) are not shown.
        auto *services = wb.window.findChild<QDockWidget *>(QStringLiteral("workspaceDock"));
        auto *collection = wb.window.findChild<QDockWidget *>(QStringLiteral("collectionDock"));
        auto *problems = wb.window.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        QVERIFY(services->height() >= 2 * collection->height());
        QVERIFY(services->height() >= wb.window.height() / 2);
        QVERIFY(!problems->isVisible());

        // Options open inside the window: it keeps its size, the editors keep room.
        auto *editor = tab->findChild<QWidget *>(QStringLiteral("requestEditor"));
        QTest::mouseClick(tab->findChild<QToolButton *>(QStringLiteral("optionsButton")), Qt::LeftButton);
        auto *options = tab->findChild<QWidget *>(QStringLiteral("connectionBox"));
        QTRY_VERIFY(options->isVisible());
        QTest::qWait(20);
        QCOMPARE(wb.window.size(), size);
        QVERIFY(wb.window.minimumSizeHint().height() <= 660); // a scroll bar's height more
        auto *area = tab->findChild<QWidget *>(QStringLiteral("optionsArea"));
        QVERIFY(window.contains(inWindow(area)));
        // At 768 px the response below keeps its minimum: the options scroll from three rows.
        QVERIFY2(area->height() >=
                     std::min(options->sizeHint().height(), 3 * tab->fontMetrics().height() + 20),
                 qPrintable(QString::number(area->height())));
        QVERIFY2(editor->height() >= 60, qPrintable(QString::number(editor->height())));
        QVERIFY(window.contains(inWindow(editor)));
        if (size.height() >= 1080) // room for every option without scrolling
            QCOMPARE(area->height(), options->sizeHint().height());
    }

    // The layout comes back at the next start; View → Reset Layout brings back the defaults.
    void theLayoutIsSavedRestoredAndReset()
    {
        const QSize moved(900, 640);
        {
            Workbench wb(true);
            auto *collection = wb.window.findChild<QDockWidget *>(QStringLiteral("collectionDock"));
            auto *timeline = wb.window.findChild<QDockWidget *>(QStringLiteral("timelineDock"));
            wb.window.addDockWidget(Qt::RightDockWidgetArea, collection);
            timeline->hide();
            wb.window.resize(moved);
            QTRY_COMPARE(wb.window.size(), moved);
            QVERIFY(wb.window.close()); // as the user quits: the layout is saved
        }
        Workbench wb(true);
        auto *services = wb.window.findChild<QDockWidget *>(QStringLiteral("workspaceDock"));
        auto *collection = wb.window.findChild<QDockWidget *>(QStringLiteral("collectionDock"));
        auto *timeline = wb.window.findChild<QDockWidget *>(QStringLiteral("timelineDock"));
        auto *problems = wb.window.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        QCOMPARE(wb.window.dockWidgetArea(collection), Qt::RightDockWidgetArea);
        QVERIFY(!timeline->isVisible());
        QCOMPARE(wb.window.size(), moved);

        QAction *reset = wb.window.findChild<QAction *>(QStringLiteral("resetLayoutAction"));
        QVERIFY(reset);
        reset->trigger();
        QCOMPARE(wb.window.dockWidgetArea(services), Qt::LeftDockWidgetArea);
        QCOMPARE(wb.window.dockWidgetArea(collection), Qt::LeftDockWidgetArea);
        QCOMPARE(wb.window.dockWidgetArea(timeline), Qt::BottomDockWidgetArea);
        QTRY_VERIFY(timeline->isVisible());
        QVERIFY(services->isVisible() && collection->isVisible());
        QVERIFY(!problems->isVisible());
        QVERIFY(wb.window.size() != moved);
        const QRect screen = wb.window.screen()->availableGeometry();
        QVERIFY(wb.window.width() <= screen.width() && wb.window.height() <= screen.height());
        // Services above the collection, with most of the column.
        QVERIFY(services->y() < collection->y());
        QTRY_VERIFY(services->height() > collection->height());
        // And the reset layout is what the next start shows.
        QVERIFY(wb.window.close());
        Workbench again(true);
        QCOMPARE(again.window.dockWidgetArea(
                     again.window.findChild<QDockWidget *>(QStringLiteral("collectionDock"))),
                 Qt::LeftDockWidgetArea);
        QVERIFY(again.window.findChild<QDockWidget *>(QStringLiteral("timelineDock"))->isVisible());
    }

private:
    SharedServer m_server;
};

QTEST_MAIN(LayoutGuiTest)
#include "layout_gui_test.moc"
