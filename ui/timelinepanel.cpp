// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/timelinepanel.h"

#include "models/appsettings.h"
#include "models/framesmodel.h"
#include "models/messagesmodel.h"
#include "models/timeline.h"
#include "models/wirecapture.h"
#include "ui/clearbutton.h"
#include "ui/jsoneditor.h"
#include "ui/timelineview.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QSaveFile>
#include <QScreen>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QSvgGenerator>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWidgetAction>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace ui {

using models::Timeline;

TimelinePanel::TimelinePanel(Timeline &timeline, models::WireCapture *capture, QWidget *parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_capture(capture)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *tools = new QHBoxLayout;
    tools->setSpacing(4);
    m_callBox = new QComboBox(this);
    m_callBox->setObjectName(QStringLiteral("timelineCallBox"));
    m_callBox->setMinimumContentsLength(8); // narrow enough for a 1024 px window; the list is wider
    m_callBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_directionBox = new QComboBox(this);
    m_directionBox->setObjectName(QStringLiteral("timelineDirectionBox"));
    // "Both ways", whole: "Both directions" showed as "Both directi" at every size.
    m_directionBox->addItems({tr("Both ways"), tr("Sent only"), tr("Received only")});
    m_directionBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_directionBox->setMinimumContentsLength(int(tr("Both ways").size()));
    m_textFilter = new QLineEdit(this);
    m_textFilter->setObjectName(QStringLiteral("timelineFilterEdit"));
    m_textFilter->setPlaceholderText(tr("Filter"));
    m_textFilter->setToolTip(tr("Show only the lanes whose label contains this text"));
    addClearButton(m_textFilter);
    // Room for its placeholder: at 1024 px the buttons beside it cut it to "Fi…" (in the
    // window's timeline; a response's, with one call's lanes, gives way: see restrictToLanes).
    // A short word, so the tools still fit across the dock at the window's default size there.
    m_textFilter->setMinimumWidth(
        m_textFilter->fontMetrics().horizontalAdvance(m_textFilter->placeholderText()) + 24);
    auto button = [this, tools](const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        tools->addWidget(b);
        return b;
    };
    tools->addWidget(m_callBox);
    tools->addWidget(m_directionBox);
    tools->addWidget(m_textFilter, 1);
    auto *zoomOut = button(QStringLiteral("−"), tr("Zoom out (-)"));
    auto *zoomIn = button(QStringLiteral("+"), tr("Zoom in (+, or the mouse wheel)"));
    auto *fit = button(tr("Fit"), tr("Fit the chosen call, the lanes the filter leaves, or every call (F)"));
    fit->setObjectName(QStringLiteral("timelineFitButton"));
    m_follow = new QCheckBox(tr("Follow"), this);
    m_follow->setObjectName(QStringLiteral("timelineFollowBox"));
    m_follow->setToolTip(tr("Keep the newest events in view while calls run; the view stops when they end"));
    m_follow->setChecked(true);
    tools->addWidget(m_follow);
    auto *legendButton = button(tr("Legend"), tr("Show what the marks' shapes and colours mean"));
    legendButton->setObjectName(QStringLiteral("timelineLegendButton"));
    m_legendButton = legendButton;
    // Export and the retention limit, used now and then, in one menu: in the row they made the
    // tools wider than the dock at the default window size on a 1024x768 screen.
    auto *more = button(tr("More"), tr("Export the timeline, and how many events it keeps"));
    more->setObjectName(QStringLiteral("timelineMoreButton"));
    more->setPopupMode(QToolButton::InstantPopup);
    auto *moreMenu = new QMenu(more);
    moreMenu->setObjectName(QStringLiteral("timelineMoreMenu"));
    more->setMenu(moreMenu);
    QAction *exportAction = moreMenu->addAction(tr("Export…"));
    exportAction->setObjectName(QStringLiteral("timelineExportAction"));
    exportAction->setToolTip(tr("Save as JSON (every event and frame), PNG or SVG"));
    auto *keep = new QWidget(moreMenu);
    auto *keepLayout = new QHBoxLayout(keep);
    keepLayout->setContentsMargins(8, 2, 8, 2);
    keepLayout->addWidget(new QLabel(tr("Keep"), keep));
    m_retention = new QSpinBox(keep);
    m_retention->setObjectName(QStringLiteral("timelineRetentionBox"));
    m_retention->setRange(1, 100);
    m_retention->setSuffix(tr(" million events"));
    m_retention->setToolTip(tr("How many million events (and as many frames) the timeline keeps; the oldest "
                               "are dropped beyond that and counted"));
    m_retention->setValue(int(std::max<qsizetype>(1, timeline.retention() / 1000000)));
    keepLayout->addWidget(m_retention);
    m_retentionAction = new QWidgetAction(moreMenu);
    m_retentionAction->setDefaultWidget(keep);
    moreMenu->addAction(m_retentionAction);
    m_dropped = new QLabel(this);
    m_dropped->setObjectName(QStringLiteral("timelineDroppedLabel"));
    tools->addWidget(m_dropped);
    layout->addLayout(tools);

    auto *split = m_split = new QSplitter(Qt::Vertical, this);
    auto *viewBox = new QWidget(split);
    m_viewBox = viewBox;
    auto *viewLayout = new QVBoxLayout(viewBox);
    viewLayout->setContentsMargins(0, 0, 0, 0);
    viewLayout->setSpacing(0);
    m_view = new TimelineView(timeline, viewBox);
    m_legend = new TimelineLegend(viewBox);
    viewLayout->addWidget(m_view, 1);
    viewLayout->addWidget(m_legend);
    viewBox->installEventFilter(this);
    // The same legend over the window, for a timeline too short to keep one below its lanes.
    m_legendPopup = new QFrame(this, Qt::Popup);
    m_legendPopup->setObjectName(QStringLiteral("timelineLegendPopup"));
    m_legendPopup->setFrameShape(QFrame::StyledPanel);
    auto *popupLayout = new QVBoxLayout(m_legendPopup);
    popupLayout->setContentsMargins(6, 6, 6, 6);
    m_popupLegend = new TimelineLegend(m_legendPopup);
    m_popupLegend->setObjectName(QStringLiteral("timelineLegendInPopup"));
    popupLayout->addWidget(m_popupLegend);
    connect(legendButton, &QToolButton::clicked, this, &TimelinePanel::showLegendPopup);
    auto *bottom = new QSplitter(Qt::Horizontal, split);
    auto *detailsBox = new QWidget(bottom);
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsTitle = new QLabel(tr("Click an event to see its message or headers"), detailsBox);
    m_detailsTitle->setObjectName(QStringLiteral("timelineDetailsTitle"));
    m_detailsTitle->setWordWrap(true);
    m_details = new JsonEditor(detailsBox);
    m_details->setObjectName(QStringLiteral("timelineDetails"));
    m_details->setReadOnly(true);
    detailsLayout->addWidget(m_detailsTitle);
    detailsLayout->addWidget(m_details, 1);

    m_frames = new models::FramesModel(timeline, this);
    m_wire = new QTableView(bottom);
    m_wire->setObjectName(QStringLiteral("wireTable"));
    m_wire->setModel(m_frames);
    m_wire->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_wire->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_wire->verticalHeader()->hide();
    m_wire->verticalHeader()->setDefaultSectionSize(m_wire->fontMetrics().height() + 6);
    m_wire->horizontalHeader()->setStretchLastSection(true);
    m_wire->setWordWrap(false);
    // Widths from sample text: measuring contents would visit every row of a long capture.
    const QFontMetrics fm = m_wire->fontMetrics();
    const auto width = [&](const QString &sample) { return fm.horizontalAdvance(sample) + 16; };
    m_wire->setColumnWidth(models::FramesModel::IndexColumn, width(QStringLiteral("0000000")));
    m_wire->setColumnWidth(models::FramesModel::TimeColumn, width(QStringLiteral("+999.9 ms")));
    m_wire->setColumnWidth(models::FramesModel::ConnectionColumn, width(tr("Conn")));
    m_wire->setColumnWidth(models::FramesModel::DirectionColumn, width(tr("server → client")));
    m_wire->setColumnWidth(models::FramesModel::StreamColumn, width(tr("Stream")));
    m_wire->setColumnWidth(models::FramesModel::TypeColumn, width(QStringLiteral("WINDOW_UPDATE")));
    m_wire->setColumnWidth(models::FramesModel::FlagsColumn, width(QStringLiteral("END_STREAM|END_HEADERS")));
    m_wire->setColumnWidth(models::FramesModel::LengthColumn, width(QStringLiteral("1048576")));
    // On a small screen the lanes keep their room; these two scroll from two rows (three made
    // the window taller than a 768 px screen leaves).
    const int twoRows = 2 * (fm.height() + 6);
    m_details->setMinimumHeight(twoRows);
    m_wire->setMinimumHeight(twoRows);
    bottom->addWidget(detailsBox);
    bottom->addWidget(m_wire);
    bottom->setStretchFactor(0, 2);
    bottom->setStretchFactor(1, 3);
    split->addWidget(viewBox);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(zoomIn, &QToolButton::clicked, this, [this] { m_view->zoom(2); });
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_view->zoom(0.5); });
    connect(fit, &QToolButton::clicked, m_view, &TimelineView::fit);
    connect(m_follow, &QCheckBox::toggled, m_view, &TimelineView::setFollow);
    connect(m_view, &TimelineView::viewChanged, this, [this] {
        const QSignalBlocker block(m_follow);
        m_follow->setChecked(m_view->follows());
    });
    connect(exportAction, &QAction::triggered, this, &TimelinePanel::exportAs);
    connect(m_directionBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_view->setDirectionFilter(TimelineView::DirectionFilter(index)); });
    connect(m_textFilter, &QLineEdit::textChanged, m_view, &TimelineView::setTextFilter);
    connect(m_retention, &QSpinBox::valueChanged, this, [this](int millions) {
        m_timeline.setRetention(qsizetype(millions) * 1000000);
        models::AppSettings::setTimelineRetentionMillions(millions);
        updateDropped();
    });
    connect(m_callBox, &QComboBox::currentIndexChanged, this, &TimelinePanel::applyCallFilter);
    connect(m_view, &TimelineView::itemClicked, this, &TimelinePanel::pickItem);
    connect(m_view, &TimelineView::itemActivated, this, &TimelinePanel::pickItem);
    connect(m_wire->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_syncingSelection && current.isValid())
                    pickFrame(m_frames->frameId(current.row()));
            });
    connect(&timeline, &Timeline::lanesChanged, this, &TimelinePanel::fillCallBox);
    connect(&timeline, &Timeline::dropped, this, &TimelinePanel::updateDropped);
    connect(&timeline, &Timeline::cleared, this, &TimelinePanel::updateDropped);
    fillCallBox();
    updateDropped();
}

bool TimelinePanel::offersRetention() const
{
    return m_retentionAction->isVisible();
}

bool TimelinePanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_viewBox && event->type() == QEvent::Resize)
        placeInlineLegend();
    return QWidget::eventFilter(watched, event);
}

void TimelinePanel::placeInlineLegend()
{
    // Below the lanes only while the axis and three lanes keep their room beside it; else the
    // Legend button has it.
    const int needed = m_legend->rowsHeight(m_viewBox->width()) + TimelineView::kAxisHeight +
                       3 * TimelineView::kLaneHeight + m_view->horizontalScrollBar()->sizeHint().height();
    m_legend->setVisible(m_viewBox->height() >= needed);
}

void TimelinePanel::showLegendPopup()
{
    const QRect screen =
        (window()->screen() ? window()->screen() : QGuiApplication::primaryScreen())->availableGeometry();
    QToolButton *anchor = m_legendButton;
    const QMargins margins = m_legendPopup->layout()->contentsMargins() + m_legendPopup->contentsMargins();
    const int width = std::min(screen.width() - 16, 520);
    const int inner = width - margins.left() - margins.right();
    const int height = m_popupLegend->rowsHeight(inner) + margins.top() + margins.bottom();
    // Under the button, or above it where the screen ends; never off the screen's sides.
    QPoint at = anchor->mapToGlobal(QPoint(anchor->width() - width, anchor->height()));
    if (at.y() + height > screen.bottom())
        at.setY(anchor->mapToGlobal(QPoint(0, 0)).y() - height);
    at.setX(std::clamp(at.x(), screen.left() + 8, screen.right() - width - 8));
    at.setY(std::clamp(at.y(), screen.top(), std::max(screen.top(), screen.bottom() - height)));
    m_legendPopup->setGeometry(QRect(at, QSize(width, height)));
    m_legendPopup->show();
}

void TimelinePanel::restrictToLanes(std::vector<int> lanes)
{
    m_restricted = std::move(lanes);
    m_callBox->setVisible(m_restricted.empty());
    m_retentionAction->setVisible(m_restricted.empty()); // one setting for the window's timeline
    if (!m_restricted.empty())
        m_textFilter->setMinimumWidth(0);
    // A response's own timeline counts from its call's start, its wire view too.
    const int clock = m_restricted.empty() ? -1 : m_restricted.front();
    m_view->setClockLane(clock);
    m_frames->setClockLane(clock);
    m_view->setLaneFilter(m_restricted);
    m_frames->setLanes(m_restricted);
    m_details->clear();
    m_detailsTitle->setText(tr("Click an event to see its message or headers"));
}

int TimelinePanel::lanesHeight() const
{
    return TimelineView::kAxisHeight + 3 * TimelineView::kLaneHeight + m_view->horizontalScrollBar()->sizeHint().height() +
           2 * m_view->frameWidth() + 4;
}

int TimelinePanel::wireRowsHeight() const
{
    return m_wire->horizontalHeader()->sizeHint().height() + 6 * m_wire->verticalHeader()->defaultSectionSize() +
           m_wire->horizontalScrollBar()->sizeHint().height() + 2 * m_wire->frameWidth();
}

void TimelinePanel::giveWireItsRows()
{
    const int total = m_split->height() - m_split->handleWidth();
    if (total >= lanesHeight() + wireRowsHeight())
        m_split->setSizes({total - wireRowsHeight(), wireRowsHeight()});
}

void TimelinePanel::fillCallBox()
{
    int chosen = m_callBox->currentData().isValid() ? m_callBox->currentData().toInt() : -1;
    {
        const QSignalBlocker block(m_callBox);
        const int callsBefore = m_callBox->count() - 1;
        m_callBox->clear();
        m_callBox->addItem(tr("All calls"), -1);
        const auto &lanes = m_timeline.lanes();
        for (std::size_t i = 0; i < lanes.size(); ++i) {
            if (lanes[i].kind == Timeline::Lane::Kind::Call)
                m_callBox->addItem(QStringLiteral("#%1 %2").arg(lanes[i].callId).arg(lanes[i].label()), int(i));
        }
        // Following, a new call is shown: one call picked earlier left the new one out of view.
        if (chosen >= 0 && m_follow->isChecked() && m_callBox->count() - 1 > callsBefore)
            chosen = -1;
        const int index = m_callBox->findData(chosen);
        m_callBox->setCurrentIndex(index < 0 ? 0 : index);
    }
    const int lane = m_callBox->currentData().toInt();
    if (m_restricted.empty() && lane != m_filteredLane)
        applyCallFilter();
}

void TimelinePanel::applyCallFilter()
{
    if (!m_restricted.empty())
        return;
    const int lane = m_callBox->currentData().toInt();
    m_filteredLane = lane;
    std::vector<int> lanes;
    if (lane >= 0)
        lanes.push_back(lane);
    m_view->setLaneFilter(lanes);
    m_frames->setLanes(lanes);
}

void TimelinePanel::updateDropped()
{
    const quint64 items = m_timeline.droppedItems();
    const quint64 frames = m_timeline.droppedFrames();
    if (!items && !frames) {
        m_dropped->clear();
        m_dropped->setToolTip({});
        return;
    }
    // Counts past an int (tr's %n) in a long session: the plural said here.
    m_dropped->setText(tr("%1 and %2 dropped")
                           .arg(items == 1 ? tr("1 event") : tr("%1 events").arg(items),
                                frames == 1 ? tr("1 frame") : tr("%1 frames").arg(frames)));
    m_dropped->setToolTip(tr("The timeline keeps the newest %1 events and %1 frames; older ones are "
                             "dropped to bound memory.")
                              .arg(m_timeline.retention()));
}

QString TimelinePanel::droppedText() const
{
    return m_dropped->text();
}

QString TimelinePanel::detailsText() const
{
    return m_details->text();
}

void TimelinePanel::pickItem(quint64 id)
{
    if (!m_timeline.hasItem(id))
        return;
    m_view->selectItem(id);
    const auto &item = m_timeline.item(id);
    const auto &lane = m_timeline.lanes()[item.lane];
    QString title = Timeline::kindName(item.kind) + QStringLiteral(" · ") + lane.label() +
                    QStringLiteral(" · ") + models::formatClockTime(item.timeNs - lane.startNs);
    if (m_view->clockLane() < 0)
        title += QStringLiteral(" (") +
                 tr("at %1").arg(models::formatClockTime(item.timeNs - m_view->origin())) + QLatin1Char(')');
    if (item.kind == Timeline::ItemKind::MessageSent || item.kind == Timeline::ItemKind::MessageReceived)
        title += QStringLiteral(" · ") + models::formatSize(item.size);
    const auto text = m_timeline.itemText(id);
    m_details->setUtf8Text(text ? *text : text.errorMessage().toUtf8());
    // The frames behind the event: a message's DATA frames, a header block's HEADERS frame, or
    // the frame itself.
    const std::vector<quint64> frames = m_timeline.framesOfItem(id);
    if (!frames.empty())
        title +=
            QStringLiteral(" · ") + tr("%n frame(s) selected in the wire view", nullptr, int(frames.size()));
    m_detailsTitle->setText(title);
    m_syncingSelection = true;
    QItemSelection selection;
    int firstRow = -1;
    for (quint64 f : frames) {
        const int row = m_frames->rowOfFrame(f);
        if (row < 0)
            continue;
        if (firstRow < 0)
            firstRow = row;
        selection.select(m_frames->index(row, 0), m_frames->index(row, models::FramesModel::ColumnCount - 1));
    }
    m_wire->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (firstRow >= 0) {
        m_wire->selectionModel()->setCurrentIndex(m_frames->index(firstRow, 0),
                                                  QItemSelectionModel::NoUpdate);
        m_wire->scrollTo(m_frames->index(firstRow, 0));
    }
    m_syncingSelection = false;
}

void TimelinePanel::pickFrame(quint64 frameId)
{
    if (!m_timeline.hasFrame(frameId))
        return;
    if (const quint64 message = m_timeline.messageOfFrame(frameId)) {
        m_view->selectItem(message);
        const auto text = m_timeline.itemText(message);
        m_details->setUtf8Text(text ? *text : text.errorMessage().toUtf8());
        m_detailsTitle->setText(tr("%1 frame %2 · carries part of %3")
                                    .arg(m_timeline.frameTypeName(frameId))
                                    .arg(frameId)
                                    .arg(Timeline::kindName(m_timeline.item(message).kind)));
        return;
    }
    m_details->setUtf8Text(m_timeline.frameDetails(frameId).toUtf8());
    m_detailsTitle->setText(tr("%1 frame %2 on stream %3")
                                .arg(m_timeline.frameTypeName(frameId))
                                .arg(frameId)
                                .arg(m_timeline.frame(frameId).streamId));
}

QByteArray TimelinePanel::exportBytes(const QString &suffix)
{
    if (suffix == QLatin1String("png") || suffix == QLatin1String("svg")) {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        const QSize size = m_view->viewport()->size();
        if (suffix == QLatin1String("png")) {
            QImage image(size, QImage::Format_ARGB32);
            QPainter painter(&image);
            m_view->render(painter, size);
            painter.end();
            image.save(&buffer, "PNG");
        } else {
            QSvgGenerator svg;
            svg.setOutputDevice(&buffer);
            svg.setSize(size);
            svg.setViewBox(QRect(QPoint(0, 0), size));
            svg.setTitle(tr("Wirescope timeline"));
            QPainter painter(&svg);
            m_view->render(painter, size);
        }
        return bytes;
    }
    if (m_capture)
        m_capture->drainNow(); // frames still in the taps belong in the file
    const int lane = m_restricted.empty() ? m_callBox->currentData().toInt() : m_restricted.front();
    return m_timeline.toJson(lane);
}

namespace {

QString writeFile(const QString &file, const QByteArray &bytes)
{
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
        return TimelinePanel::tr("cannot write %1: %2").arg(file, out.errorString());
    return {};
}

} // namespace

QString TimelinePanel::exportTo(const QString &file)
{
    return writeFile(file, exportBytes(QFileInfo(file).suffix().toLower()));
}

void TimelinePanel::exportAs()
{
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export timeline"), QStringLiteral("timeline.json"),
                                     tr("JSON (*.json);;PNG image (*.png);;SVG image (*.svg)"));
    if (file.isEmpty())
        return;
    // Drawn or serialised here, written on a pool thread: the UI never waits for the disk.
    const QByteArray bytes = exportBytes(QFileInfo(file).suffix().toLower());
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, file] {
        const QString error = watcher->result();
        m_detailsTitle->setText(error.isEmpty() ? tr("Exported to %1").arg(file) : error);
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([file, bytes] { return writeFile(file, bytes); }));
}

} // namespace ui
