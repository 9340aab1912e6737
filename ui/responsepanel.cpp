// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/responsepanel.h"

#include "models/callsession.h"
#include "ui/jsoneditor.h"
#include "ui/palettecolors.h"
#include "ui/timelinepanel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

namespace {

// `placeholder` names the quiet line shown in the table while it is empty.
QTableWidget *metadataTable(QWidget *parent, const QString &placeholder)
{
    auto *t = new QTableWidget(0, 2, parent);
    t->setHorizontalHeaderLabels({QObject::tr("Key"), QObject::tr("Value")});
    t->horizontalHeader()->setStretchLastSection(true);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto *label = new QLabel(t->viewport());
    label->setObjectName(placeholder);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setWordWrap(true); // a narrow panel at 1024 px
    label->setAlignment(Qt::AlignCenter);
    label->hide();
    auto *center = new QVBoxLayout(t->viewport());
    center->addWidget(label, 0, Qt::AlignCenter);
    return t;
}

// Shows `text` in an empty table (nothing when `text` is empty or the table has rows).
void setPlaceholder(QTableWidget *table, const QString &text)
{
    auto *label = table->viewport()->findChild<QLabel *>();
    label->setText(text);
    label->setVisible(table->rowCount() == 0 && !text.isEmpty());
}

void fill(QTableWidget *table, const rpc::Metadata &metadata)
{
    table->setRowCount(static_cast<int>(metadata.size()));
    int row = 0;
    for (const auto &[key, value] : metadata) {
        const QString k = QString::fromStdString(key);
        // Binary values are shown as base64, as grpcurl does.
        const QString v = k.endsWith(QStringLiteral("-bin"))
                              ? QString::fromLatin1(QByteArray::fromStdString(value).toBase64())
                              : QString::fromStdString(value);
        table->setItem(row, 0, new QTableWidgetItem(k));
        table->setItem(row, 1, new QTableWidgetItem(v));
        ++row;
    }
}

// The message list above the viewer. A stream needs its list: the list gets six rows before
// the viewer grows past three lines, and a third of a taller panel (a stretch of 1:2 alone gave
// it two rows at 1024x768 and at 1920x1080). Once the user drags the handle, theirs is kept.
class MessagesSplitter final : public QSplitter
{
public:
    explicit MessagesSplitter(QWidget *parent)
        : QSplitter(Qt::Vertical, parent)
    {
        connect(this, &QSplitter::splitterMoved, this, [this] { m_userSplit = true; });
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QSplitter::resizeEvent(event);
        auto *list = qobject_cast<QTableView *>(widget(0));
        if (m_userSplit || count() != 2 || !list)
            return;
        const int total = height() - handleWidth();
        const int sixRows = list->horizontalHeader()->sizeHint().height() +
                            6 * list->verticalHeader()->defaultSectionSize() + 2 * list->frameWidth();
        // The viewer keeps a line more than its smallest (which shows two).
        const int viewer = widget(1)->minimumSizeHint().height() + fontMetrics().height();
        const int wanted = std::max(total / 3, std::min(sixRows, total - viewer));
        setSizes({wanted, total - wanted});
    }

private:
    bool m_userSplit = false;
};

} // namespace

ResponsePanel::ResponsePanel(models::CallSession &session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_status = new QLabel(tr("No call yet"), this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_status->font();
    bold.setBold(true);
    m_status->setFont(bold);
    m_status->setWordWrap(true);
    m_timings = new QLabel(this);
    m_timings->setObjectName(QStringLiteral("timingsLabel"));
    // Texts that change with each call wrap rather than widen the panel's minimum: a wider
    // minimum moved the request/response splitter at the end of a call, and resizing a viewer
    // that holds many MB of JSON took 11-25 ms of the UI thread (wirescope-uibench --trace).
    m_timings->setWordWrap(true);
    layout->addWidget(m_status);
    // A failure a setting of the request fixes says so, with a button to that setting.
    m_hintBar = new QWidget(this);
    auto *hintRow = new QHBoxLayout(m_hintBar);
    hintRow->setContentsMargins(0, 0, 0, 0);
    m_hint = new QLabel(m_hintBar);
    m_hint->setObjectName(QStringLiteral("callHintLabel"));
    m_hint->setWordWrap(true);
    m_hintButton = new QPushButton(m_hintBar);
    m_hintButton->setObjectName(QStringLiteral("callHintButton"));
    // The button first: always in view, even in a narrow response pane; the sentence wraps.
    hintRow->addWidget(m_hintButton);
    hintRow->addWidget(m_hint, 1);
    m_hintBar->hide();
    connect(m_hintButton, &QPushButton::clicked, this, [this] { emit fixRequested(m_session.fix()); });
    layout->addWidget(m_hintBar);
    layout->addWidget(m_timings);

    m_tabs = new QTabWidget(this);
    auto *messages = new MessagesSplitter(m_tabs);
    m_list = new QTableView(messages);
    m_list->setObjectName(QStringLiteral("messageList"));
    m_list->setModel(session.messages());
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->verticalHeader()->hide();
    m_list->verticalHeader()->setDefaultSectionSize(m_list->fontMetrics().height() + 6);
    m_list->horizontalHeader()->setStretchLastSection(true);
    // Fixed widths from sample text: measuring contents would visit every row of a long stream.
    const QFontMetrics fm = m_list->fontMetrics();
    const int pad = 16;
    m_list->setColumnWidth(models::MessagesModel::IndexColumn,
                           fm.horizontalAdvance(QStringLiteral("000000")) + pad);
    m_list->setColumnWidth(models::MessagesModel::DirectionColumn,
                           fm.horizontalAdvance(tr("received")) + pad);
    m_list->setColumnWidth(models::MessagesModel::TimeColumn,
                           fm.horizontalAdvance(QStringLiteral("+999.9 ms")) + pad);
    m_list->setColumnWidth(models::MessagesModel::SizeColumn,
                           fm.horizontalAdvance(QStringLiteral("999.9 KiB")) + pad);
    m_list->setWordWrap(false);
    // Squeezed (Options open on a small screen), the list keeps a row and the viewer two lines:
    // a scroll area's own minimum (70 px each) kept the options to a strip.
    m_list->setMinimumHeight(m_list->horizontalHeader()->sizeHint().height() +
                             m_list->verticalHeader()->defaultSectionSize() + 2 * m_list->frameWidth());
    auto *viewerBox = new QWidget(messages);
    auto *viewerLayout = new QVBoxLayout(viewerBox);
    viewerLayout->setContentsMargins(0, 0, 0, 0);
    m_viewer = new JsonEditor(viewerBox);
    m_viewer->setObjectName(QStringLiteral("messageViewer"));
    m_viewer->setReadOnly(true);
    m_viewer->setMinimumHeight(2 * m_viewer->fontMetrics().height() +
                               m_viewer->horizontalScrollBar()->sizeHint().height() + 6);
    auto *buttons = new QHBoxLayout;
    m_truncated = new QLabel(viewerBox);
    m_truncated->setObjectName(QStringLiteral("truncatedLabel"));
    m_truncated->setWordWrap(true);
    m_showAll = new QPushButton(tr("Show all"), viewerBox);
    m_showAll->setObjectName(QStringLiteral("showAllButton"));
    m_showAll->setToolTip(tr("Load the whole message into the viewer; a very big one takes a moment"));
    QSizePolicy keepPlace = m_showAll->sizePolicy();
    keepPlace.setRetainSizeWhenHidden(true); // the same minimum width whether shown or not
    m_showAll->setSizePolicy(keepPlace);
    m_showAll->hide();
    auto *save = new QPushButton(tr("Save…"), viewerBox);
    auto *copy = new QPushButton(tr("Copy message"), viewerBox);
    buttons->addWidget(m_truncated, 1);
    buttons->addWidget(m_showAll);
    buttons->addWidget(save);
    buttons->addWidget(copy);
    connect(copy, &QPushButton::clicked, this, [this] {
        if (m_shownRow >= 0)
            QApplication::clipboard()->setText(
                QString::fromUtf8(m_session.messages()->text(m_shownRow).valueOr(QByteArray())));
    });
    connect(m_showAll, &QPushButton::clicked, this, [this] { showRow(m_shownRow, true); });
    connect(save, &QPushButton::clicked, this, &ResponsePanel::saveShown);
    viewerLayout->addWidget(m_viewer, 1);
    viewerLayout->addLayout(buttons);
    messages->addWidget(m_list);
    messages->addWidget(viewerBox);
    messages->setStretchFactor(0, 1);
    messages->setStretchFactor(1, 2);
    m_tabs->addTab(messages, tr("Messages"));
    m_headers = metadataTable(m_tabs, QStringLiteral("headersPlaceholder"));
    m_tabs->addTab(m_headers, tr("Headers"));
    m_trailers = metadataTable(m_tabs, QStringLiteral("trailersPlaceholder"));
    m_tabs->addTab(m_trailers, tr("Trailers"));
    m_details = new QPlainTextEdit(m_tabs);
    m_details->setObjectName(QStringLiteral("statusDetails"));
    m_details->setReadOnly(true);
    m_tabs->setTabVisible(m_tabs->addTab(m_details, tr("Error details")), false); // until a status has some
    // In a scroll area, as the window's timeline: the tab widget's minimum is its tallest
    // page's, and this one's (tools, lanes, wire view) kept Options to a strip above.
    auto *timelineArea = new QScrollArea(m_tabs);
    timelineArea->setObjectName(QStringLiteral("responseTimelineArea"));
    timelineArea->setWidgetResizable(true);
    timelineArea->setFrameShape(QFrame::NoFrame);
    timelineArea->setMinimumHeight(m_list->minimumHeight());
    m_timeline = new TimelinePanel(session.timeline(), session.capture(), timelineArea);
    m_timeline->setObjectName(QStringLiteral("responseTimeline"));
    m_timeline->restrictToLanes({session.lane()});
    timelineArea->setWidget(m_timeline);
    // Only up and down: as wide as the panel needs, as the tab was before the scroll area (a
    // narrower one let the minimum width follow the viewer's buttons as a call ended).
    timelineArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    timelineArea->setMinimumWidth(m_timeline->minimumSizeHint().width() +
                                  timelineArea->verticalScrollBar()->sizeHint().width());
    m_tabs->addTab(timelineArea, tr("Timeline"));
    m_timelinePage = timelineArea;
    m_assertions = new QTreeWidget(m_tabs);
    m_assertions->setObjectName(QStringLiteral("assertionsList"));
    m_assertions->setRootIsDecorated(false);
    m_assertions->setHeaderLabels({tr("Result"), tr("Assertion"), tr("Detail")});
    m_assertions->hide();
    connect(&session, &models::CallSession::started, this,
            [this] { m_timeline->restrictToLanes({m_session.lane()}); });
    layout->addWidget(m_tabs, 1);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                // Picking a row pins it; picking the last row follows new messages again.
                m_followLatest = current.row() == m_session.messages()->count() - 1;
                showRow(current.row());
            });
    connect(session.messages(), &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_followLatest)
            return;
        showRow(m_session.messages()->count() - 1);
        // The list follows too: a stream's newest rows came in below the fold (rows 1-5 of 11).
        m_list->scrollToBottom();
    });
    connect(session.messages(), &QAbstractItemModel::modelReset, this, [this] {
        m_followLatest = true;
        m_shownRow = -1;
        m_truncated->clear();
        m_showAll->hide();
        m_viewer->clear();
    });
    connect(&session, &models::CallSession::started, this, &ResponsePanel::refresh);
    connect(&session, &models::CallSession::progressed, this, &ResponsePanel::refresh);
    connect(&session, &models::CallSession::finished, this, &ResponsePanel::refresh);
}

void ResponsePanel::showRow(int row, bool whole)
{
    if (row < 0 || row >= m_session.messages()->count())
        return;
    m_shownRow = row;
    const QByteArray text = messageBytes(row);
    // A big message is shown in part: loading tens of megabytes into the editor holds up the
    // UI thread for a noticeable time, so the whole of it is loaded only when asked for.
    if (whole || text.size() <= kPreviewBytes) {
        m_viewer->setUtf8Text(text);
        m_truncated->clear();
        m_showAll->hide();
        return;
    }
    // Cut at a line end when one is near, else inside the line at a character boundary.
    qsizetype cut = text.lastIndexOf('\n', kPreviewBytes);
    if (cut < kPreviewBytes / 2) {
        cut = kPreviewBytes;
        while (cut > 0 && (static_cast<unsigned char>(text.at(cut)) & 0xC0) == 0x80)
            --cut;
    }
    m_viewer->setUtf8Text(text.left(cut));
    m_truncated->setText(
        tr("Showing the first %1 of %2")
            .arg(models::formatSize(quint64(cut)), models::formatSize(quint64(text.size()))));
    m_showAll->show();
}

QByteArray ResponsePanel::messageBytes(int row) const
{
    const auto *model = m_session.messages();
    const quint64 id = model->itemId(row);
    const auto &timeline = m_session.timeline();
    if (!timeline.hasItem(id))
        return {};
    // Decoded JSON is shown straight from the timeline's storage: a 20 MiB message is not copied
    // before the viewer takes it.
    if (!(timeline.item(id).flags & (models::Timeline::Undecoded | models::Timeline::Failed))) {
        const std::string_view bytes = timeline.payload(id);
        return QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()));
    }
    auto text = model->text(row);
    return text ? std::move(*text) : text.errorMessage().toUtf8();
}

void ResponsePanel::saveShown()
{
    if (m_shownRow < 0)
        return;
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Save message"), QStringLiteral("message.json"), tr("JSON (*.json);;All files (*)"));
    if (file.isEmpty())
        return;
    // Written on a pool thread: the UI never waits for the disk. The copy is the job's own,
    // since retention may drop the message meanwhile.
    QByteArray bytes = messageBytes(m_shownRow);
    bytes.detach();
    (void)QtConcurrent::run([file, bytes] {
        QSaveFile out(file);
        if (out.open(QIODevice::WriteOnly)) {
            out.write(bytes);
            out.commit();
        }
    });
}

void ResponsePanel::showTimeline()
{
    m_tabs->setCurrentWidget(m_timelinePage);
}

void ResponsePanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTone(); // a theme switched while the window is open
}

// The headline's colour for the palette in use: green or red, lighter on a dark window.
void ResponsePanel::applyTone()
{
    QPalette pal = palette();
    if (m_tone != Tone::Plain)
        pal.setColor(QPalette::WindowText, m_tone == Tone::Ok ? okTextColor(pal) : errorTextColor(pal));
    m_status->setPalette(pal);
}

void ResponsePanel::refresh()
{
    const auto &s = m_session;
    QString status;
    Tone tone = Tone::Plain;
    switch (s.state()) {
    case models::CallSession::State::Idle:
        status = tr("No call yet");
        break;
    case models::CallSession::State::Running:
        status = tr("Running… %1 sent, %2 received").arg(s.sentCount()).arg(s.receivedCount());
        break;
    case models::CallSession::State::Finished: {
        const auto &st = s.status();
        status = QString::fromStdString(rpc::statusCodeName(st.code));
        if (!st.message.empty())
            status += QStringLiteral(": ") + QString::fromStdString(st.message);
        if (st.local)
            status += tr(" (reported by Wirescope, not the server)");
        status += tr(" — %1 sent, %2 received").arg(s.sentCount()).arg(s.receivedCount());
        if (const quint64 dropped = m_session.messages()->droppedBefore())
            status += tr(" (the oldest %1 dropped by the timeline's retention limit)").arg(dropped);
        tone = st.ok() ? Tone::Ok : Tone::Error;
        break;
    }
    }
    m_status->setText(status);
    m_status->setToolTip(
        m_session.grpcMessage().isEmpty() ? QString() : tr("gRPC said: %1").arg(m_session.grpcMessage()));
    const bool hinted =
        s.state() == models::CallSession::State::Finished && s.fix() != models::CallSession::Fix::None;
    if (hinted) {
        m_hint->setText(s.hint());
        switch (s.fix()) {
        case models::CallSession::Fix::MaxReceive:
            m_hintButton->setText(tr("Raise Max Receive…"));
            break;
        case models::CallSession::Fix::Deadline:
            m_hintButton->setText(tr("Change Deadline…"));
            break;
        case models::CallSession::Fix::Security:
            m_hintButton->setText(tr("Choose TLS or Plaintext…"));
            break;
        case models::CallSession::Fix::Certificate:
            m_hintButton->setText(tr("Set CA Certificate…"));
            break;
        case models::CallSession::Fix::Protocol:
            m_hintButton->setText(tr("Choose Protocol…"));
            break;

        case models::CallSession::Fix::None:
            break;
        }
    }
    m_hintBar->setVisible(hinted);
    m_tone = tone;
    applyTone();
    m_timings->setText(timingsText());
    fill(m_headers, s.responseHeaders());
    fill(m_trailers, s.trailers());
    QString details; // one after another, a blank line between
    for (const auto &d : s.status().details)
        details += (details.isEmpty() ? QString() : QStringLiteral("\n")) + QString::fromStdString(d) + QStringLiteral("\n");
    m_details->setPlainText(details);
    // Said only once the call has ended: before that, more may come.
    const bool ended = s.state() != models::CallSession::State::Idle && !s.isRunning();
    // Headers that came with nothing but HTTP/2's and gRPC's own fields (the timings say they
    // came) are not "none received".
    const bool answered = s.timeToHeaders() >= 0;
    setPlaceholder(m_headers, !ended     ? QString()
                              : answered ? tr("The headers carried no metadata, only HTTP/2's and gRPC's "
                                              "own fields (such as content-type)")
                                         : tr("No headers were received"));
    setPlaceholder(m_trailers, !ended     ? QString()
                               : answered ? tr("The trailers carried no metadata, only the status")
                                          : tr("No trailers were received"));
    // Shown only when a status carries details: an empty tab said nothing the headline does not,
    // and at 1024 px it pushed Timeline behind the tab bar's scroll arrows.
    const int detailsTab = m_tabs->indexOf(m_details);
    m_tabs->setTabText(detailsTab, tr("Error details (%1)").arg(s.status().details.size()));
    // Hidden while it is the tab shown, Messages comes back (not the next tab, Timeline).
    if (s.status().details.empty() && m_tabs->currentIndex() == detailsTab)
        m_tabs->setCurrentIndex(0);
    m_tabs->setTabVisible(detailsTab, !s.status().details.empty());
}

QString ResponsePanel::hintText() const
{
    return m_hintBar->isHidden() ? QString() : m_hint->text();
}

QString ResponsePanel::statusText() const
{
    return m_status->text();
}

QString ResponsePanel::timingsText() const
{
    const auto &s = m_session;
    if (s.state() == models::CallSession::State::Idle)
        return {};
    // While the call runs its total grows with no event to redraw it (it read "total 2.11 s" at
    // 9 s): the running time is the state line's beside Send, and the total comes at the end.
    if (s.isRunning())
        return tr("headers %1 · first message %2")
            .arg(models::formatDuration(s.timeToHeaders()), models::formatDuration(s.timeToFirstMessage()));
    return tr("headers %1 · first message %2 · total %3")
        .arg(models::formatDuration(s.timeToHeaders()), models::formatDuration(s.timeToFirstMessage()),
             models::formatDuration(s.totalTime()));
}

QString ResponsePanel::shownMessage() const
{
    return m_viewer->text();
}

QString ResponsePanel::truncationText() const
{
    return m_truncated->text();
}

int ResponsePanel::messageRows() const
{
    return m_session.messages()->count();
}

void ResponsePanel::listAssertions(const QStringList &assertions, const QString &state)
{
    m_assertions->clear();
    const int index = m_tabs->indexOf(m_assertions);
    if (assertions.isEmpty()) {
        if (index >= 0)
            m_tabs->removeTab(index);
        return;
    }
    for (const QString &a : assertions)
        m_assertions->addTopLevelItem(new QTreeWidgetItem({state.isEmpty() ? tr("not run yet") : state, a, QString()}));
    // Next to Messages: at 1024 px a tab at the end was behind the tab bar's scroll arrows.
    const int at = index < 0 ? m_tabs->insertTab(1, m_assertions, tr("Assertions")) : index;
    m_tabs->setTabText(at, tr("Assertions"));
    m_tabs->tabBar()->setTabTextColor(at, QColor());
    m_assertions->resizeColumnToContents(0);
}

void ResponsePanel::showAssertionOutcomes(const std::vector<models::AssertionOutcome> &outcomes)
{
    m_assertions->clear();
    int passed = 0;
    const QColor bad = errorTextColor(palette());
    for (const auto &o : outcomes) {
        auto *item = new QTreeWidgetItem({o.passed ? tr("passed") : tr("failed"), o.what, o.detail});
        if (!o.passed)
            item->setForeground(0, bad);
        item->setToolTip(2, o.detail);
        m_assertions->addTopLevelItem(item);
        passed += o.passed ? 1 : 0;
    }
    int index = m_tabs->indexOf(m_assertions);
    if (index < 0)
        index = m_tabs->insertTab(1, m_assertions, QString());
    m_tabs->setTabText(index, tr("Assertions %1/%2").arg(passed).arg(outcomes.size()));
    // A failed check reads as one from the tab bar, not only inside the tab: the call itself
    // may well say OK.
    m_tabs->tabBar()->setTabTextColor(index, passed < int(outcomes.size()) ? bad : QColor());
    m_assertions->resizeColumnToContents(0);
    m_assertions->resizeColumnToContents(1);
    emit assertionsChecked(passed, int(outcomes.size()));
}

} // namespace ui
