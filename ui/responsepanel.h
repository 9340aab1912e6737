// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTreeWidget;
class QPlainTextEdit;
class QPushButton;

#include "models/callsession.h"
#include "models/runner.h"

namespace ui {

class JsonEditor;
class TimelinePanel;

// What came back from a call: status, timings, the messages in order (each shown as pretty
// JSON when selected, foldable and copyable), headers, trailers and decoded error details.
class ResponsePanel final : public QWidget
{
    Q_OBJECT

public:
    explicit ResponsePanel(models::CallSession &session, QWidget *parent = nullptr);

    QString statusText() const;
    QString timingsText() const;
    // The JSON shown in the viewer (the selected message, or the latest one).
    QString shownMessage() const;
    int messageRows() const;
    QTableView *messageList() const { return m_list; }
    TimelinePanel *timeline() const { return m_timeline; }
    // Brings the Timeline tab to the front.
    void showTimeline();
    QTabWidget *tabs() const { return m_tabs; }
    // What the viewer says about a message shown in part ("Showing the first …"), or empty.
    QString truncationText() const;
    void showWholeMessage() { showRow(m_shownRow, true); }
    // The hint under the headline when a setting would fix the failed call, or "".
    QString hintText() const;
    QPushButton *hintButton() const { return m_hintButton; }
    // The saved request's assertions (what `wirescope-cli run` checks): listed, not checked yet,
    // before a call; each with its outcome after one. No tab while the request has none.
    // `state` says why they have no outcome: "not run yet" unless given.
    void listAssertions(const QStringList &assertions, const QString &state = {});
    void showAssertionOutcomes(const std::vector<models::AssertionOutcome> &outcomes);
    QTreeWidget *assertions() const { return m_assertions; }

signals:
    // The hint's button: show and focus that setting of the request.
    void fixRequested(models::CallSession::Fix fix);
    // The assertions of the call that just ended were checked: `passed` of `total` held.
    void assertionsChecked(int passed, int total);

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class Tone { Plain, Ok, Error };
    void refresh();
    void applyTone();
    void showRow(int row, bool whole = false);
    void saveShown();
    QByteArray messageBytes(int row) const;

    models::CallSession &m_session;
    QLabel *m_status = nullptr;
    Tone m_tone = Tone::Plain;
    QLabel *m_timings = nullptr;
    QWidget *m_hintBar = nullptr;
    QLabel *m_hint = nullptr;
    QPushButton *m_hintButton = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_list = nullptr;
    JsonEditor *m_viewer = nullptr;
    QTableWidget *m_headers = nullptr;
    QTableWidget *m_trailers = nullptr;
    QPlainTextEdit *m_details = nullptr;
    TimelinePanel *m_timeline = nullptr;
    QWidget *m_timelinePage = nullptr; // the scroll area that holds m_timeline
    QTreeWidget *m_assertions = nullptr; // in a tab only while the request has assertions
    QLabel *m_truncated = nullptr;
    QPushButton *m_showAll = nullptr;
    int m_shownRow = -1;
    bool m_followLatest = true;

public:
    static constexpr qsizetype kPreviewBytes = qsizetype{2} * 1024 * 1024;
};

} // namespace ui
