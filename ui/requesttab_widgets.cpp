// SPDX-License-Identifier: GPL-3.0-or-later
// RequestTab, its first part: the widgets of a request tab and how they are wired. The second
// part, requesttab.cpp, is what the tab does: saving, building and sending the request.
#include "ui/requesttab.h"

#include "models/appsettings.h"
#include "models/callsession.h"
#include "models/enginebridge.h"
#include "ui/connectionoptions.h"
#include "ui/formeditor.h"
#include "ui/jsoneditor.h"
#include "ui/protocolpicker.h"
#include "ui/responsepanel.h"
#include "ui/unitspinbox.h"

#include "rpc/proxy.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>


namespace ui {

namespace {

// Holds the call's state line, whose text changes every 100 ms while a call runs. A label asks
// its parent's layout to be redone on every new text, and from there the tab's and the window's
// (10-110 ms each with a big request and reply open, wirescope-uibench --trace). Here the label
// has a fixed size, which Qt does not relayout for, set from this box's size, which the tab's
// layout gives it and a new text does not change.
class StateLine final : public QWidget
{
public:
    StateLine(QLabel *label, QWidget *parent)
        : QWidget(parent)
        , m_label(label)
    {
        label->setParent(this);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        fitHeight();
    }
    QSize sizeHint() const override { return {0, height()}; }

protected:
    void resizeEvent(QResizeEvent *) override
    {
        m_label->move(0, 0);
        m_label->setFixedSize(size());
    }
    void changeEvent(QEvent *e) override
    {
        if (e->type() == QEvent::FontChange || e->type() == QEvent::StyleChange)
            fitHeight();
        QWidget::changeEvent(e);
    }

private:
    void fitHeight() { setFixedHeight(m_label->fontMetrics().height() + 2 * m_label->margin()); }

    QLabel *m_label;
};

} // namespace

RequestTab::RequestTab(models::EngineBridge &bridge, models::Timeline &timeline, models::WireCapture *capture,
                       rpc::SchemaPtr schema, const rpc::MethodInfo &method, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_schema(std::move(schema))
    , m_method(method)
{
    m_session = new models::CallSession(bridge, timeline, capture, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(createTargetRow());
    // The options open in a scroll area above the rest, in a splitter: they take their height
    // from the editors instead of growing the window past a 768 px screen.
    m_optionsSplit = new QSplitter(Qt::Vertical, this);
    m_optionsSplit->setObjectName(QStringLiteral("optionsSplitter"));
    m_options = new ConnectionOptions(capture != nullptr, this);
    m_optionsArea = new QScrollArea(m_optionsSplit);
    m_optionsArea->setObjectName(QStringLiteral("optionsArea"));
    m_optionsArea->setWidgetResizable(true);
    m_optionsArea->setFrameShape(QFrame::NoFrame);
    // Squeezed, two lines that scroll: a scroll area's own minimum (about 70 px) added to the
    // editors' raised the tab's minimum on a 1024x768 screen, and the timeline lost its rows.
    m_optionsArea->setMinimumHeight(2 * fontMetrics().height() + 8);
    m_optionsArea->setWidget(m_options);
    m_options->show();
    m_optionsArea->hide();
    auto *rest = new QWidget(m_optionsSplit);
    auto *restLayout = new QVBoxLayout(rest);
    restLayout->setContentsMargins(0, 0, 0, 0);
    restLayout->addWidget(createConflictBar());
    restLayout->addLayout(createCallControls());
    restLayout->addWidget(createEditors(), 1);
    m_optionsSplit->addWidget(m_optionsArea);
    m_optionsSplit->addWidget(rest);
    m_optionsSplit->setCollapsible(1, false);
    m_optionsSplit->setStretchFactor(1, 1);
    layout->addWidget(m_optionsSplit, 1);
    connectWidgets();
    setMethod(method);
}

// Where to: method, target, security, deadline, and the button that shows the options.
QHBoxLayout *RequestTab::createTargetRow()
{
    auto *top = new QHBoxLayout;
    m_methodBox = new QComboBox(this);
    m_methodBox->setObjectName(QStringLiteral("methodBox"));
    // Narrow by default: at 1024 px the row's spare width goes to the target; the full
    // method name is in the list and the tooltip.
    m_methodBox->setMinimumContentsLength(8);
    m_methodBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    if (auto names = m_schema->serviceNames()) {
        for (const auto &name : *names) {
            auto service = m_schema->service(name);
            if (!service)
                continue;
            // The method's name first: a narrow box at 1024 px showed only the package
            // ("wirescope.demc"). The full path is the item's data and tooltip.
            for (const auto &m : service->methods) {
                const QString path = QString::fromStdString(m.serviceName + '/' + m.name);
                const QString serviceName = QString::fromStdString(m.serviceName).section(u'.', -1);
                m_methodBox->addItem(QString::fromStdString(m.name) + QStringLiteral(" · ") + serviceName, path);
                m_methodBox->setItemData(m_methodBox->count() - 1, path, Qt::ToolTipRole);
            }
        }
    }
    m_target = new QLineEdit(this);
    m_target->setObjectName(QStringLiteral("targetEdit"));
    m_target->setPlaceholderText(tr("host:port"));
    m_target->setMinimumWidth(m_target->fontMetrics().horizontalAdvance(QStringLiteral("localhost:50051")) +
                              16);
    m_security = new QComboBox(this);
    m_security->setObjectName(QStringLiteral("securityBox"));
    m_security->addItems({tr("Plaintext"), tr("TLS"), tr("TLS, skip verification (insecure)")});
    // As wide as "Plaintext", not as its longest item (220 px): the list shows the whole text.
    m_security->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_security->setMinimumContentsLength(int(tr("Plaintext").size()) -
                                         2); // an 'X' is wider than most letters
    m_security->setToolTip(tr("Plaintext, TLS, or TLS without checking the server's certificate (insecure)"));
    // Milliseconds exactly: a deadline under 0.1 s is one, not "no deadline".
    m_deadline = new UnitSpinBox(UnitSpinBox::Unit::Milliseconds, this);
    m_deadline->setObjectName(QStringLiteral("deadlineBox"));
    m_deadline->setRange(0, 86400 * 1000);
    m_deadline->setSpecialValueText(tr("no deadline"));
    m_deadline->setToolTip(tr("Deadline for the call in seconds (or with \"ms\"); 0 means none"));
    top->addWidget(new QLabel(tr("Method"), this));
    top->addWidget(m_methodBox, 2);
    top->addWidget(new QLabel(tr("Target"), this));
    top->addWidget(m_target, 3);
    top->addWidget(m_security);
    top->addWidget(m_deadline);
    m_optionsButton = new QToolButton(this);
    m_optionsButton->setObjectName(QStringLiteral("optionsButton"));
    m_optionsButton->setText(tr("Options"));
    m_optionsButton->setCheckable(true);
    m_optionsButton->setToolTip(tr("Connection options: TLS, proxy, limits, keepalive, compression"));
    // Next to the target, whose width gives way when the button's text grows ("Options ·
    // Connect"): at the row's end it pushed the security and deadline boxes from under the
    // pointer as a protocol was chosen.
    top->insertWidget(top->indexOf(m_target) + 1, m_optionsButton);
    return top;
}

// Connection options: TLS files and names, proxy, limits, keepalive, compression, the wire tap.

// Shown when the saved file changed on disk while this tab had unsaved edits.
QWidget *RequestTab::createConflictBar()
{
    m_conflictBar = new QWidget(this);
    m_conflictBar->setObjectName(QStringLiteral("conflictBar"));
    m_conflictBar->setAutoFillBackground(true); // coloured for the palette when shown
    {
        auto *h = new QHBoxLayout(m_conflictBar);
        h->setContentsMargins(8, 4, 8, 4);
        m_conflictText = new QLabel(m_conflictBar);
        m_conflictText->setWordWrap(true);
        auto *reload = new QPushButton(tr("Reload from disk"), m_conflictBar);
        reload->setObjectName(QStringLiteral("conflictReloadButton"));
        auto *overwrite = new QPushButton(tr("Keep mine and overwrite"), m_conflictBar);
        overwrite->setObjectName(QStringLiteral("conflictOverwriteButton"));
        h->addWidget(m_conflictText, 1);
        h->addWidget(reload);
        h->addWidget(overwrite);
        connect(reload, &QPushButton::clicked, this, &RequestTab::reloadRequested);
        connect(overwrite, &QPushButton::clicked, this, &RequestTab::overwriteRequested);
    }
    m_conflictBar->hide();
    return m_conflictBar;
}

// Call controls and live state.
QHBoxLayout *RequestTab::createCallControls()
{
    auto *controls = new QHBoxLayout;
    m_send = new QPushButton(tr("Send"), this);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setToolTip(tr("Start the call (Ctrl+Enter)"));
    m_sendMessage = new QPushButton(tr("Send message"), this);
    m_sendMessage->setObjectName(QStringLiteral("sendMessageButton"));
    m_sendMessage->setToolTip(tr("Send the editor's content on the open stream (Ctrl+Shift+Enter)"));
    m_endStream = new QPushButton(tr("End stream"), this);
    m_endStream->setObjectName(QStringLiteral("endStreamButton"));
    m_endStream->setToolTip(tr("Half-close: tell the server no more messages follow"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("callStateLabel"));
    m_state->setMinimumWidth(1); // clipped in a narrow window rather than widening it
    controls->addWidget(m_send);
    controls->addWidget(m_sendMessage);
    controls->addWidget(m_endStream);
    controls->addWidget(m_cancel);
    controls->addWidget(new StateLine(m_state, this), 1);
    m_sentTo = new QLabel(this);
    m_sentTo->setObjectName(QStringLiteral("sentToLabel"));
    m_sentTo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sentTo->setMinimumWidth(1);
    controls->addWidget(m_sentTo);
    return controls;
}

// Request editors (JSON, form, metadata) on the left, the response on the right.
QSplitter *RequestTab::createEditors()
{
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("requestSplitter"));
    m_requestTabs = new QTabWidget(split);
    auto *bodyPage = new QWidget(m_requestTabs);
    auto *bodyLayout = new QVBoxLayout(bodyPage);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    m_editor = new JsonEditor(bodyPage);
    m_editor->setObjectName(QStringLiteral("requestEditor"));
    auto *example = new QPushButton(tr("Generate example"), bodyPage);
    example->setObjectName(QStringLiteral("generateExampleButton"));
    bodyLayout->addWidget(m_editor, 1);
    bodyLayout->addWidget(example, 0, Qt::AlignRight);
    connect(example, &QPushButton::clicked, this, &RequestTab::generateExample);
    m_requestTabs->addTab(bodyPage, tr("JSON"));
    auto *formPage = new QWidget(m_requestTabs);
    auto *formLayout = new QVBoxLayout(formPage);
    formLayout->setContentsMargins(0, 0, 0, 0);
    m_formNotice = new QLabel(formPage);
    m_formNotice->setObjectName(QStringLiteral("formNotice"));
    m_formNotice->setWordWrap(true);
    m_formNotice->hide();
    m_form = new FormEditor(formPage);
    m_form->setObjectName(QStringLiteral("requestForm"));
    formLayout->addWidget(m_formNotice);
    formLayout->addWidget(m_form, 1);
    m_requestTabs->addTab(formPage, tr("Form"));
    m_metadata = new QTableWidget(1, 2, m_requestTabs);
    m_metadata->setObjectName(QStringLiteral("metadataTable"));
    m_metadata->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_metadata->horizontalHeader()->setStretchLastSection(true);
    m_metadata->setToolTip(tr("Request metadata. Keys ending in -bin take base64 values."));
    m_requestTabs->addTab(m_metadata, tr("Metadata"));
    m_response = new ResponsePanel(*m_session, split);
    // A failed assertion is said in the status bar too: the call itself may have said OK.
    connect(m_response, &ResponsePanel::assertionsChecked, this, [this](int passed, int total) {
        if (passed < total)
            emit statusMessage(tr("%1 finished: %2, but %3 of %4 assertions failed")
                                   .arg(name(), QString::fromStdString(rpc::statusCodeName(m_session->status().code)))
                                   .arg(total - passed)
                                   .arg(total));
    });
    // The hint's button takes the user to the setting that fixes the failed call.
    connect(m_response, &ResponsePanel::fixRequested, this, [this](models::CallSession::Fix fix) {
        QWidget *field = m_security;
        if (fix == models::CallSession::Fix::MaxReceive) {
            m_optionsButton->setChecked(true);
            field = m_options->findChild<QSpinBox *>(QStringLiteral("maxReceiveBox"));
        } else if (fix == models::CallSession::Fix::Deadline) {
            field = m_deadline;
        } else if (fix == models::CallSession::Fix::Certificate) {
            // An https:// target is TLS whatever the box says; its CA field is only on with TLS.
            if (m_security->currentIndex() == Plaintext)
                m_security->setCurrentIndex(Tls);
            m_optionsButton->setChecked(true);
            field = m_options->findChild<QLineEdit *>(QStringLiteral("caFileEdit"));
        } else if (fix == models::CallSession::Fix::Protocol) {
            m_optionsButton->setChecked(true);
            field = m_options->findChild<QComboBox *>(QStringLiteral("protocolBox"));
        }
        if (!field)
            return;
        // Seen, not only focused: Options scrolled to it (at 1024x768 it is a short strip), and a
        // choice's list opened.
        if (m_optionsArea->isAncestorOf(field))
            m_optionsArea->ensureWidgetVisible(field);
        field->setFocus(Qt::OtherFocusReason);
        if (auto *box = qobject_cast<QAbstractSpinBox *>(field))
            box->selectAll();
        if (auto *box = qobject_cast<QComboBox *>(field)) {
            QTimer::singleShot(0, box, [box] {
                if (box->isVisible())
                    box->showPopup();
            });
        }
    });
    split->addWidget(m_requestTabs);
    split->addWidget(m_response);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    // Every request shares one remembered split between request and response.
    split->restoreState(models::AppSettings::requestSplitterState());
    connect(split, &QSplitter::splitterMoved, this,
            [split] { models::AppSettings::setRequestSplitterState(split->saveState()); });

    return split;
}

void RequestTab::connectWidgets()
{
    m_validateTimer.setObjectName(QStringLiteral("validateRequest")); // named for traces
    m_tick.setObjectName(QStringLiteral("runningCallTick"));
    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(300);
    m_tick.setInterval(100);
    connect(&m_validateTimer, &QTimer::timeout, this, &RequestTab::validate);
    connect(&m_validation, &QFutureWatcher<std::vector<rpc::Diagnostic>>::finished, this,
            [this] { m_editor->setDiagnostics(m_validation.result()); });
    connect(m_editor, &QsciScintilla::textChanged, this, &RequestTab::scheduleValidation);
    // The form and the JSON hold the same request: the form is rebuilt from the JSON when it
    // is shown, and each edit in the form rewrites the JSON.
    connect(m_requestTabs, &QTabWidget::currentChanged, this, [this] {
        if (m_requestTabs->currentWidget() == m_form->parentWidget())
            syncFormFromJson();
    });
    connect(m_form, &FormEditor::edited, this, [this] {
        m_editor->setUtf8Text(m_form->toJson());
        m_formNotice->hide();
    });
    connect(m_form, &FormEditor::valueRejected, this, &RequestTab::statusMessage);
    m_editor->setCompletionProvider([this](const QByteArray &text, int offset) {
        return m_schema->complete(m_method.inputType, std::string_view(text.constData(), text.size()),
                                  static_cast<std::size_t>(offset));
    });
    connect(m_send, &QPushButton::clicked, this, &RequestTab::send);
    connect(m_sendMessage, &QPushButton::clicked, this, &RequestTab::sendMessage);
    connect(m_endStream, &QPushButton::clicked, this, &RequestTab::endStream);
    connect(m_cancel, &QPushButton::clicked, this, &RequestTab::cancel);
    // Choosing TLS leaves Options as it is: opening it moved Send from under the pointer. Its
    // files are one click away, and a rejected certificate's hint leads to them.
    connect(m_security, &QComboBox::currentIndexChanged, this, &RequestTab::updateControls);
    connect(m_optionsButton, &QToolButton::toggled, this, &RequestTab::showOptions);
    connect(m_methodBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QString path = m_methodBox->itemData(index).toString();
        m_methodBox->setToolTip(path);
        auto found = m_schema->findMethod(path.toStdString());
        if (found && found->fullName != m_method.fullName)
            setMethod(*found);
    });
    connect(m_metadata, &QTableWidget::cellChanged, this, [this](int row) {
        // Keep one empty row at the end for the next entry.
        if (row == m_metadata->rowCount() - 1)
            m_metadata->insertRow(m_metadata->rowCount());
    });
    connect(m_session, &models::CallSession::started, this, [this] {
        ++m_assertionRun;
        listAssertions(); // not checked yet for this call
        m_tick.start();
        updateControls();
    });
    connect(m_session, &models::CallSession::progressed, this, &RequestTab::updateControls);
    connect(m_session, &models::CallSession::finished, this, [this] {
        m_tick.stop();
        updateControls();
        QString text =
            tr("%1 finished: %2")
                .arg(name(), QString::fromStdString(rpc::statusCodeName(m_session->status().code)));
        if (!m_session->wireNote().isEmpty())
            text += QStringLiteral(" — ") + m_session->wireNote();
        emit statusMessage(text);
        // Queued: the timeline, whose lane the replies are read from, takes the same batch of
        // events after the session has.
        QMetaObject::invokeMethod(this, &RequestTab::checkAssertions, Qt::QueuedConnection);
        emit callFinished();
    });
    // Any edit makes the tab differ from its saved file.
    auto onEdit = [this] {
        if (m_applying)
            return;
        setModified(true);
        emit edited(); // a tab already unsaved changes again: autosave must hear of it
    };
    connect(m_editor, &QsciScintilla::textChanged, this, onEdit);
    connect(m_target, &QLineEdit::textEdited, this, onEdit);
    connect(m_metadata, &QTableWidget::cellChanged, this, onEdit);
    connect(m_deadline, &QSpinBox::valueChanged, this, onEdit);
    connect(m_options->protocol(), &ProtocolPicker::changed, this, onEdit);
    connect(m_options->protocol(), &ProtocolPicker::changed, this, &RequestTab::updateControls);
    connect(m_target, &QLineEdit::textChanged, this, &RequestTab::updateControls); // https:// means TLS
    connect(&m_tick, &QTimer::timeout, this, &RequestTab::updateControls);
}

} // namespace ui
