// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/requesttab.h"

#include "models/appsettings.h"
#include "models/callrequest.h"
#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/wirecapture.h"
#include "ui/connectionoptions.h"
#include "ui/formeditor.h"
#include "ui/jsoneditor.h"
#include "ui/protocolpicker.h"
#include "ui/responsepanel.h"
#include "ui/unitspinbox.h"

#include "rpc/proxy.h"
#include "rpc/web.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
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
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

namespace {

enum Security { Plaintext, Tls, TlsSkipVerify };

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
            for (const auto &m : service->methods)
                m_methodBox->addItem(QString::fromStdString(m.serviceName + '/' + m.name));
        }
    }
    m_target = new QLineEdit(this);
    m_target->setObjectName(QStringLiteral("targetEdit"));
    m_target->setPlaceholderText(tr("host:port"));
    m_target->setMinimumWidth(m_target->fontMetrics().horizontalAdvance(QStringLiteral("localhost:50051")) + 16);
    m_security = new QComboBox(this);
    m_security->setObjectName(QStringLiteral("securityBox"));
    m_security->addItems({tr("Plaintext"), tr("TLS"), tr("TLS, skip verification (insecure)")});
    // As wide as "Plaintext", not as its longest item (220 px): the list shows the whole text.
    m_security->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_security->setMinimumContentsLength(int(tr("Plaintext").size()) - 2); // an 'X' is wider than most letters
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
    top->addWidget(m_optionsButton);
    return top;
}

// Connection options: TLS files and names, proxy, limits, keepalive, compression, the wire tap.

// Shown when the saved file changed on disk while this tab had unsaved edits.
QWidget *RequestTab::createConflictBar()
{
    m_conflictBar = new QWidget(this);
    m_conflictBar->setObjectName(QStringLiteral("conflictBar"));
    m_conflictBar->setAutoFillBackground(true);
    {
        QPalette palette = m_conflictBar->palette();
        palette.setColor(QPalette::Window, QColor(0xfff3cd));
        palette.setColor(QPalette::WindowText, QColor(0x664d03));
        m_conflictBar->setPalette(palette);
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
    // The hint's button takes the user to the setting that fixes the failed call.
    connect(m_response, &ResponsePanel::fixRequested, this, [this](models::CallSession::Fix fix) {
        QWidget *field = m_security;
        if (fix == models::CallSession::Fix::MaxReceive) {
            m_optionsButton->setChecked(true);
            field = m_options->findChild<QSpinBox *>(QStringLiteral("maxReceiveBox"));
        } else if (fix == models::CallSession::Fix::Deadline) {
            field = m_deadline;
        }
        if (field) {
            field->setFocus(Qt::OtherFocusReason);
            if (auto *box = qobject_cast<QAbstractSpinBox *>(field))
                box->selectAll();
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
    connect(m_security, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index != Plaintext)
            m_optionsButton->setChecked(true);
        updateControls();
    });
    connect(m_optionsButton, &QToolButton::toggled, this, &RequestTab::showOptions);
    connect(m_methodBox, &QComboBox::currentTextChanged, this, [this](const QString &path) {
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
        emit callFinished();
    });
    // Any edit makes the tab differ from its saved file.
    auto edited = [this] {
        if (!m_applying)
            setModified(true);
    };
    connect(m_editor, &QsciScintilla::textChanged, this, edited);
    connect(m_target, &QLineEdit::textEdited, this, edited);
    connect(m_metadata, &QTableWidget::cellChanged, this, edited);
    connect(m_deadline, &QSpinBox::valueChanged, this, edited);
    connect(m_options->protocol(), &ProtocolPicker::changed, this, edited);
    connect(m_options->protocol(), &ProtocolPicker::changed, this, &RequestTab::updateControls);
    connect(m_target, &QLineEdit::textChanged, this, &RequestTab::updateControls); // https:// means TLS
    connect(&m_tick, &QTimer::timeout, this, &RequestTab::updateControls);

}

void RequestTab::resetLayout()
{
    m_optionsButton->setChecked(false);
    if (auto *split = findChild<QSplitter *>(QStringLiteral("requestSplitter"))) {
        const int total = split->width();
        split->setSizes({total / 2, total - total / 2});
    }
}

void RequestTab::showOptions(bool show)
{
    m_optionsArea->setVisible(show);
    const int total = m_optionsSplit->height() - m_optionsSplit->handleWidth();
    if (!show || !isVisible() || total <= 0)
        return; // not laid out yet (a TLS request opening): the splitter shares by size hints
    // As tall as the options need, but never more than half the tab: the editors keep the rest.
    const int wanted = std::min(m_options->sizeHint().height() + 2 * m_optionsArea->frameWidth(), total / 2);
    m_optionsSplit->setSizes({wanted, total - wanted});
}

RequestTab::~RequestTab()
{
    m_validation.waitForFinished(); // a running check reads the schema this tab holds
}

QString RequestTab::name() const
{
    return m_saved.path.isEmpty() ? QString::fromStdString(m_method.name) : QFileInfo(m_saved.path).completeBaseName();
}

QString RequestTab::title() const
{
    return m_modified ? name() + QStringLiteral(" •") : name();
}

QString RequestTab::target() const
{
    return m_target->text().trimmed();
}

void RequestTab::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    emit modifiedChanged();
    emit titleChanged();
}

models::SavedRequest RequestTab::toSaved(bool withBody) const
{
    models::SavedRequest r = m_saved;
    r.method = QString::fromStdString(m_method.serviceName + '/' + m_method.name);
    r.target = m_target->text().trimmed();
    r.metadata.clear();
    for (int row = 0; row < m_metadata->rowCount(); ++row) {
        auto *k = m_metadata->item(row, 0);
        auto *v = m_metadata->item(row, 1);
        const QString key = k ? k->text().trimmed() : QString();
        if (!key.isEmpty())
            r.metadata.emplace_back(key, v ? v->text() : QString());
    }
    if (withBody)
        r.body = m_editor->text();
    else
        r.body.clear(); // not the body last saved either
    r.deadlineSeconds = double(m_deadline->value()) / 1000.0;
    r.protocol = m_options->protocol()->choice();
    return r;
}

qint64 RequestTab::bodyBytes() const
{
    return m_editor->length();
}

void RequestTab::applySaved(const models::SavedRequest &request)
{
    m_applying = true;
    m_saved = request;
    m_target->setText(request.target);
    m_deadline->setValue(int(models::deadlineMilliseconds(request.deadlineSeconds).valueOr(0)));
    {
        const QSignalBlocker block(m_metadata);
        m_metadata->setRowCount(0);
        m_metadata->setRowCount(int(request.metadata.size()) + 1);
        for (int row = 0; row < int(request.metadata.size()); ++row) {
            m_metadata->setItem(row, 0, new QTableWidgetItem(request.metadata[std::size_t(row)].first));
            m_metadata->setItem(row, 1, new QTableWidgetItem(request.metadata[std::size_t(row)].second));
        }
    }
    m_editor->setText(request.body);
    m_options->protocol()->setChoice(request.protocol);
    m_applying = false;
    markClean();
}

void RequestTab::markClean()
{
    hideConflict();
    m_modified = true; // so that setModified(false) signals even when nothing changed
    setModified(false);
}

void RequestTab::markSaved(const models::SavedRequest &written)
{
    models::SavedRequest now = toSaved();
    now.path = written.path;
    m_saved = written;
    if (now == written) {
        markClean();
        return;
    }
    // Edited while the save ran: the file holds what was written, the edits since stay unsaved.
    hideConflict();
    emit titleChanged();
}

void RequestTab::setDefaults(const models::WorkspaceSettings &settings)
{
    m_defaults = settings;
    const QString target = m_defaults.defaults.value(QStringLiteral("target")).toString();
    m_target->setPlaceholderText(target.isEmpty() ? tr("host:port")
                                                  : tr("%1 (the workspace's default)").arg(target));
    m_options->protocol()->setFallback(models::ProtocolChoice::fromJson(settings.defaults).valueOr({}));
    updateControls();
}

bool RequestTab::isStreamArray(const QString &body) const
{
    return m_method.clientStreams() && body.trimmed().startsWith(QLatin1Char('['));
}

void RequestTab::setSavedPath(const QString &path)
{
    m_saved.path = path;
    if (path.isEmpty())
        setModified(true);
    emit titleChanged();
}

void RequestTab::showConflict(const QString &text)
{
    m_conflictText->setText(text);
    m_conflictBar->show();
}

void RequestTab::hideConflict()
{
    m_conflictBar->hide();
}

bool RequestTab::conflictShown() const
{
    return !m_conflictBar->isHidden();
}

models::ConnectionSettings RequestTab::connectionSettings() const
{
    return m_options->settings(m_security->currentIndex() == Plaintext, m_security->currentIndex() == TlsSkipVerify);
}

void RequestTab::applyConnection(const models::ConnectionSettings &c)
{
    m_security->setCurrentIndex(c.plaintext ? Plaintext : c.skipVerify ? TlsSkipVerify : Tls);
    m_options->apply(c);
}

QString RequestTab::sentTo() const
{
    return m_lastTarget;
}

void RequestTab::setMethod(const rpc::MethodInfo &method)
{
    const bool sameInput = method.inputType == m_method.inputType && !m_editor->text().isEmpty();
    m_method = method;
    m_form->setMessageType(m_schema, method.inputType);
    {
        const QSignalBlocker block(m_methodBox);
        m_methodBox->setCurrentText(QString::fromStdString(method.serviceName + '/' + method.name));
    }
    if (!sameInput)
        generateExample();
    updateControls();
    emit titleChanged();
}

void RequestTab::setTarget(const QString &target)
{
    m_target->setText(target);
}

void RequestTab::setBody(const QString &json)
{
    m_editor->setText(json);
}

QString RequestTab::body() const
{
    return m_editor->text();
}

void RequestTab::showForm()
{
    m_requestTabs->setCurrentWidget(m_form->parentWidget());
}

void RequestTab::syncFormFromJson()
{
    const models::Status parsed = m_form->setJson(m_editor->utf8Text());
    if (parsed) {
        m_formNotice->hide();
        return;
    }
    // The form keeps its last state; nothing typed in the JSON is lost.
    m_formNotice->setText(tr("The JSON does not parse (%1); the form shows the last request that did.")
                              .arg(parsed.errorMessage()));
    m_formNotice->show();
}

void RequestTab::generateExample()
{
    auto text = m_schema->messageTemplate(m_method.inputType);
    if (!text) {
        emit statusMessage(QString::fromStdString(text.error().toString()));
        return;
    }
    m_editor->setText(QString::fromStdString(*text));
    if (m_requestTabs->currentWidget() == m_form->parentWidget())
        syncFormFromJson();
}

void RequestTab::scheduleValidation()
{
    m_validateTimer.start();
}

void RequestTab::validate()
{
    // A stream's saved messages (a JSON array) are checked one by one when sent.
    if (m_method.clientStreams() && isStreamArray(m_editor->text())) {
        m_editor->setDiagnostics({});
        return;
    }
    // Checked on a pool thread: a big request must not hold up typing.
    m_validation.setFuture(
        QtConcurrent::run([schema = m_schema, type = m_method.inputType, json = m_editor->utf8String()] {
            return schema->validateJson(type, json, rpc::CodecOptions{});
        }));
}

models::Result<rpc::CallRequest> RequestTab::buildRequest() const
{
    Variables variables;
    if (m_variables)
        variables = m_variables();
    models::CallOptions options;
    options.userAgent = "wirescope/" WIRESCOPE_UI_VERSION;
    // The body as the editor holds it (UTF-8), read in place rather than copied: it is read
    // only while the request is built, here on the UI thread where the editor cannot change,
    // and the engine's request takes its own copy. Copying it first as well was a second copy
    // of the 45 MiB request of wirescope-uibench as the call started.
    const std::string_view text = m_editor->textView();
    options.utf8Body = QByteArray::fromRawData(text.data(), static_cast<qsizetype>(text.size()));
    // As typed, with the workspace's defaults where the tab says nothing.
    return models::buildCallRequest(models::withDefaults(toSaved(false), m_defaults), connectionSettings(),
                                    variables.environment, variables.secrets, m_schema, m_method,
                                    models::BodyMode::Interactive, options);
}

void RequestTab::send()
{
    if (models::withDefaults(toSaved(false), m_defaults).target.trimmed().isEmpty()) {
        emit statusMessage(tr("Enter a target (host:port) first"));
        m_target->setFocus();
        return;
    }
    if (const QString problem = protocolProblem(); !problem.isEmpty()) {
        emit statusMessage(tr("Not sent: %1").arg(problem));
        return;
    }
    auto request = buildRequest();
    if (!request) {
        emit statusMessage(tr("Not sent: %1").arg(request.errorMessage()));
        return;
    }
    m_lastTarget = QString::fromStdString(request->channel.target);
    m_sentTo->setText(m_lastTarget == m_target->text().trimmed() ? QString() : tr("→ %1").arg(m_lastTarget));
    // Every protocol goes through the wire tap when asked: it decodes HTTP/2 and HTTP/1.1.
    m_session->start(std::move(*request), m_method, m_options->captureWire());
    if (!m_session->wireNote().isEmpty())
        emit statusMessage(m_session->wireNote());
}

void RequestTab::sendMessage()
{
    if (!m_session->canSend()) {
        if (!m_session->isRunning() && m_method.clientStreams())
            send(); // opening the stream sends the first message
        return;
    }
    m_session->sendMessage(m_editor->utf8Text());
}

void RequestTab::endStream()
{
    m_session->endStream();
}

void RequestTab::cancel()
{
    m_session->cancel();
}

QString RequestTab::protocolProblem() const
{
    QString target = m_target->text().trimmed();
    if (target.isEmpty())
        target = m_defaults.defaults.value(QStringLiteral("target")).toString().trimmed();
    bool tls = m_security->currentIndex() != Plaintext;
    if (rpc::isUrlTarget(target.toStdString())) {
        if (auto url = rpc::parseUrlTarget(target.toStdString()))
            tls = url->tls;
    }
    return m_options->protocol()->effective().problem(m_method.kind, tls);
}

void RequestTab::updateControls()
{
    m_options->setTls(m_security->currentIndex() != Plaintext);
    const bool running = m_session->isRunning();
    const bool streams = m_method.clientStreams();
    const models::ProtocolChoice protocol = m_options->protocol()->effective();
    const QString problem = protocolProblem();
    const bool web = protocol.effectiveProtocol() != rpc::Protocol::Grpc;
    // The protocol shows beside the target while the options are folded away.
    m_optionsButton->setText(web ? tr("Options · %1").arg(models::protocolLabel(protocol.effectiveProtocol()))
                                 : tr("Options"));
    if (m_target->placeholderText() == tr("host:port") || m_target->placeholderText() == tr("host:port or URL"))
        m_target->setPlaceholderText(web ? tr("host:port or URL") : tr("host:port"));
    m_send->setEnabled(!running && problem.isEmpty());
    m_send->setToolTip(problem.isEmpty() ? tr("Start the call (Ctrl+Enter)") : problem);
    m_sendMessage->setVisible(streams);
    m_endStream->setVisible(streams);
    m_sendMessage->setEnabled(streams && (m_session->canSend() || (!running && problem.isEmpty())));
    m_endStream->setEnabled(m_session->canSend());
    m_cancel->setEnabled(running);
    QString state;
    if (m_session->state() != models::CallSession::State::Idle) {
        state = tr("%1 · %2 sent · %3 received · %4")
                    .arg(running ? tr("running") : tr("done"))
                    .arg(m_session->sentCount())
                    .arg(m_session->receivedCount())
                    .arg(models::formatDuration(m_session->totalTime()));
        if (running && m_session->halfClosed())
            state += tr(" · stream ended");
    } else {
        state = problem.isEmpty() ? QString::fromLatin1(rpc::methodKindName(m_method.kind))
                                  : tr("Cannot send: %1").arg(problem);
    }
    m_state->setText(state);
}

} // namespace ui
