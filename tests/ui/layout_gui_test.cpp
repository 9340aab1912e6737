// SPDX-License-Identifier: GPL-3.0-or-later
// The window at laptop and desktop sizes, offscreen: minimum size, the target row, options,
// toolbar, docks, and saving, restoring and resetting the layout.
#include "models/sourcesmodel.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/timelinepanel.h"
#include "ui/timelineview.h"

#include <QComboBox>
#include <QDockWidget>
#include <QFrame>
#include <QLineEdit>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
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

} // namespace

class LayoutGuiTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { useTestSettings(); }

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
        if (size.height() >= 1000)
            QVERIFY(inlineLegend->isVisible());
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
};

QTEST_MAIN(LayoutGuiTest)
#include "layout_gui_test.moc"
