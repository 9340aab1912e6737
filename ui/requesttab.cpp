// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/requesttab.h"

#include "models/appsettings.h"
#include "models/callrequest.h"
#include "models/callsession.h"
#include "models/enginebridge.h"
#include "models/messagesmodel.h"
#include "models/runner.h"
#include "models/wirecapture.h"
#include "ui/connectionoptions.h"
#include "ui/formeditor.h"
#include "ui/jsoneditor.h"
#include "ui/palettecolors.h"
#include "ui/protocolpicker.h"
#include "ui/responsepanel.h"
#include "ui/unitspinbox.h"

#include "rpc/jsonutil.h"
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
#include <QFutureWatcher>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
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
    m_optionsSplit->refresh(); // takes the area in before its size is set
    const int total = m_optionsSplit->height() - m_optionsSplit->handleWidth();
    if (!show || !isVisible() || total <= 0)
        return; // not laid out yet (a TLS request opening): the splitter shares by size hints
    // As tall as the options need, up to half the tab or the first group's height if that is
    // more (the splitter keeps the editors' minimum).
    const int frame = 2 * m_optionsArea->frameWidth();
    const int wanted = std::min(m_options->sizeHint().height() + frame,
                                std::max(total / 2, m_options->firstGroup()->sizeHint().height() + frame));
    m_optionsSplit->setSizes({wanted, total - wanted});
}

RequestTab::~RequestTab()
{
    m_validation.waitForFinished(); // a running check reads the schema this tab holds
}

QString RequestTab::name() const
{
    return m_saved.path.isEmpty() ? QString::fromStdString(m_method.name)
                                  : QFileInfo(m_saved.path).completeBaseName();
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
    listAssertions();
    markClean();
}

void RequestTab::listAssertions(const QString &state)
{
    QStringList listed;
    for (auto it = m_saved.assertions.begin(); it != m_saved.assertions.end(); ++it) {
        if (it.key() == QLatin1String("json") && it.value().isArray()) {
            for (const QJsonValue &check : it.value().toArray())
                listed << QStringLiteral("json ") + QString::fromUtf8(QJsonDocument(check.toObject()).toJson(QJsonDocument::Compact));
            continue;
        }
        const QJsonValue v = it.value();
        listed << it.key() + QLatin1Char(' ') +
                      (v.isString()   ? v.toString()
                       : v.isDouble() ? QString::number(v.toDouble())
                       : v.isObject() ? QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact))
                                      : QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)));
    }
    m_response->listAssertions(listed, state);
}

void RequestTab::checkAssertions()
{
    if (m_saved.assertions.isEmpty())
        return;
    // A request that could not be encoded never left: nothing to check, as `run` counts it an
    // error rather than failed assertions.
    const rpc::RpcStatus &status = m_session->status();
    if (status.local && status.code == 3 && m_session->sentCount() == 0) {
        ++m_assertionRun;
        listAssertions(tr("not run: the request was not sent"));
        return;
    }
    const quint64 run = ++m_assertionRun;
    const Variables variables = m_variables ? m_variables() : Variables{};
    auto assertions = models::resolveAssertions(m_saved.assertions, variables.environment, variables.secrets);
    if (!assertions) {
        m_response->showAssertionOutcomes({{tr("variables"), false, assertions.errorMessage()}});
        return;
    }
    // The replies as the runner sees them. Taking their text from the timeline runs here (a
    // small message is decoded on demand), so a long stream is left to `run`, and so is one
    // whose first replies the timeline's retention dropped: checked here, counts and indexes
    // would be wrong.
    constexpr int kMostChecked = 10000;
    const models::MessagesModel *messages = m_session->messages();
    int received = 0;
    for (int row = 0; row < messages->count(); ++row)
        received += messages->isOutbound(row) ? 0 : 1;
    if (messages->droppedBefore() > 0 || received > kMostChecked) {
        m_response->showAssertionOutcomes(
            {{tr("replies"), false,
              messages->droppedBefore() > 0
                  ? tr("not checked here: the timeline dropped the first replies (its retention); "
                       "wirescope-cli run checks them all")
                  : tr("not checked here: %1 replies, more than the window checks (%2); wirescope-cli "
                       "run checks them all")
                        .arg(received)
                        .arg(kMostChecked)}});
        return;
    }
    models::CallOutcome outcome;
    outcome.statusCode = m_session->status().code;
    outcome.statusMessage = QString::fromStdString(m_session->status().message);
    outcome.latencyMs = double(m_session->totalTime()) / 1e6;
    QList<QByteArray> replies;
    for (int row = 0; row < messages->count(); ++row) {
        if (messages->isOutbound(row))
            continue;
        // A reply that could not be decoded reads as run gives it: {"error": why}.
        auto text = messages->text(row);
        replies << (text ? *text
                         : QByteArray("{\"error\":") + rpc::jsonQuote(text.errorMessage().toStdString()).c_str() + '}');
    }
    auto *watcher = new QFutureWatcher<std::vector<models::AssertionOutcome>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, run] {
        watcher->deleteLater();
        if (run == m_assertionRun) // not a call that ended before the one now shown
            m_response->showAssertionOutcomes(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([assertions = *assertions, outcome, replies]() mutable {
        for (const QByteArray &reply : replies)
            outcome.responses << QString::fromUtf8(reply);
        return models::evaluateAssertions(assertions, outcome);
    }));
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
    // A warning's colours for the palette in use now (light or dark).
    QPalette palette = this->palette();
    palette.setColor(QPalette::Window, warningBackground(palette));
    palette.setColor(QPalette::WindowText, warningText(palette));
    m_conflictBar->setPalette(palette);
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
    return m_options->settings(m_security->currentIndex() == Plaintext,
                               m_security->currentIndex() == TlsSkipVerify);
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
        const QString path = QString::fromStdString(method.serviceName + '/' + method.name);
        m_methodBox->setCurrentIndex(m_methodBox->findData(path));
        m_methodBox->setToolTip(path);
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

models::ProtocolChoice RequestTab::protocolChoice() const
{
    return m_options->protocol()->choice();
}

void RequestTab::setProtocolChoice(const models::ProtocolChoice &choice)
{
    m_options->protocol()->setChoice(choice);
}

void RequestTab::send()
{
    // Ctrl+Enter while a call runs: the next message on an open stream, as Send message does;
    // never a new call in place of the running one (it was cancelled, its conversation lost).
    if (m_session->isRunning()) {
        if (m_session->canSend())
            m_session->sendMessage(m_editor->utf8Text());
        else
            emit statusMessage(tr("The call is still running: Cancel (Ctrl+.) ends it"));
        return;
    }
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
    if (m_target->placeholderText() == tr("host:port") ||
        m_target->placeholderText() == tr("host:port or URL"))
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
        if (running && m_session->halfClosed() && streams) // a server stream's request ends at once
            state += tr(" · stream ended");
    } else {
        state = problem.isEmpty() ? QString::fromLatin1(rpc::methodKindName(m_method.kind))
                                  : tr("Cannot send: %1").arg(problem);
    }
    m_state->setText(state);
}

} // namespace ui
