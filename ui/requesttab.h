// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/workspace.h"
#include "rpc/engine.h"
#include "rpc/schema.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

class QComboBox;
class QHBoxLayout;
class QScrollArea;
class QSplitter;
class QToolButton;
class QLabel;
class QLineEdit;
class QCheckBox;
class QGroupBox;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace models {
class CallSession;
class EngineBridge;
class Timeline;
class WireCapture;
} // namespace models

namespace ui {

class ConnectionOptions;
class UnitSpinBox;
class FormEditor;
class JsonEditor;
class ResponsePanel;

// One request: where to send it (target and connection settings), which method, metadata,
// deadline, the JSON body with inline schema errors, the call controls and the response.
class RequestTab final : public QWidget
{
    Q_OBJECT

public:
    // With `capture`, calls may go through a wire tap (an option, on by default).
    RequestTab(models::EngineBridge &bridge, models::Timeline &timeline, models::WireCapture *capture,
               rpc::SchemaPtr schema, const rpc::MethodInfo &method, QWidget *parent = nullptr);
    ~RequestTab() override;

    const rpc::MethodInfo &method() const { return m_method; }
    // The request's name (its file's, or its method's); title() is the tab's text, with " •"
    // while unsaved. Texts about the request (status, dialogs) use the name.
    QString name() const;
    QString title() const;
    QString target() const; // as typed, variables unresolved
    void setMethod(const rpc::MethodInfo &method);
    void setTarget(const QString &target);
    // The protocol as chosen in the tab (what it leaves unset comes from the workspace).
    models::ProtocolChoice protocolChoice() const;
    void setProtocolChoice(const models::ProtocolChoice &choice);
    void setBody(const QString &json);
    QString body() const;

    void send();        // starts the call (streams: with the editor's content as first message); while
                        // it runs, the next message on an open stream, else nothing
    void sendMessage(); // one more message on a running client or bidi stream
    void endStream();
    void cancel();

    models::CallSession &session() { return *m_session; }
    JsonEditor *editor() const { return m_editor; }
    FormEditor *form() const { return m_form; }
    void showForm();
    ResponsePanel *response() const { return m_response; }
    // True while the request is being checked against the schema in the background.
    bool isValidating() const { return m_validateTimer.isActive() || m_validation.isRunning(); }
    // The request as the engine will get it (without the call id), variables resolved, through
    // models::buildCallRequest as everywhere else. An error says what and where.
    models::Result<rpc::CallRequest> buildRequest() const;

    // The environment whose variables fill {{name}} in target, metadata and body at send time,
    // and how secrets are looked up (the window asks the keychain or the user).
    struct Variables
    {
        models::Environment environment;
        models::SecretLookup secrets;
    };
    void setVariables(std::function<Variables()> variables) { m_variables = std::move(variables); }
    // The target the last call went to, variables resolved ("" before a call).
    QString sentTo() const;

    // The tab as a saved request (variables unresolved); path, connection, assertions and
    // unknown fields come from the request it was opened from.
    // The tab as a saved request; without the body when only the settings are wanted (the
    // body of a big request is costly to take out of the editor).
    models::SavedRequest toSaved(bool withBody = true) const;
    qint64 bodyBytes() const; // the size of the body in UTF-8, without taking it out
    // Shows a saved request; the tab then counts as unmodified.
    void applySaved(const models::SavedRequest &request);
    // After a save wrote `written` to written.path: the tab belongs to that file, and is clean
    // only if it still holds what was written (edits typed while the save ran stay unsaved).
    void markSaved(const models::SavedRequest &written);
    QString savedPath() const { return m_saved.path; }
    // The open workspace's settings: its "defaults" (target, deadline, metadata) apply at send
    // time to what this tab leaves empty.
    void setDefaults(const models::WorkspaceSettings &settings);
    // The file was moved (or deleted: an empty path, and the tab counts as unsaved).
    void setSavedPath(const QString &path);
    // The connection settings as typed, in exact units, and back (a workspace connection, a
    // grpcurl import). The target is the request's (setTarget).
    models::ConnectionSettings connectionSettings() const;
    void applyConnection(const models::ConnectionSettings &connection);
    bool isModified() const { return m_modified; }
    void setModified(bool modified);
    // A bar above the editor saying the file changed on disk, with Reload and Overwrite.
    // The request/response split back to half and half, the options closed (Reset Layout).
    void resetLayout();
    void showConflict(const QString &text);
    void hideConflict();
    bool conflictShown() const;

signals:
    void titleChanged();
    void statusMessage(const QString &text);
    void modifiedChanged();
    void edited(); // each edit the user makes (modifiedChanged only says the first)
    void callFinished();
    void reloadRequested();    // from the conflict bar: take the file's content
    void overwriteRequested(); // from the conflict bar: write this tab's content over it

private:
    // The security box's entries, in order.
    enum Security { Plaintext, Tls, TlsSkipVerify };
    QHBoxLayout *createTargetRow();
    QWidget *createConflictBar();
    QHBoxLayout *createCallControls();
    QSplitter *createEditors();
    void connectWidgets();
    bool isStreamArray(const QString &body) const; // a saved client stream: one message per element
    // The saved request's assertions, in the response's tab; `state` as ResponsePanel's.
    void listAssertions(const QString &state = {});
    void checkAssertions(); // against the call that just ended, off the UI thread
    void markClean();                              // matches its file: no dot, no conflict bar
    void updateControls();
    void showOptions(bool show);
    // Why the request cannot go over the protocol chosen (what it cannot do with this method),
    // or empty: said on the disabled Send button before anything is sent.
    QString protocolProblem() const;
    void scheduleValidation();
    void validate();
    void generateExample();
    void syncFormFromJson();

    models::EngineBridge &m_bridge;
    rpc::SchemaPtr m_schema;
    rpc::MethodInfo m_method;
    models::CallSession *m_session = nullptr;

    QComboBox *m_methodBox = nullptr;
    QLineEdit *m_target = nullptr;
    QComboBox *m_security = nullptr;
    ConnectionOptions *m_options = nullptr;
    QScrollArea *m_optionsArea = nullptr;
    QSplitter *m_optionsSplit = nullptr;
    UnitSpinBox *m_deadline = nullptr;
    QToolButton *m_optionsButton = nullptr;
    QTabWidget *m_requestTabs = nullptr;
    JsonEditor *m_editor = nullptr;
    FormEditor *m_form = nullptr;
    QLabel *m_formNotice = nullptr;
    QTableWidget *m_metadata = nullptr;
    QPushButton *m_send = nullptr;
    QPushButton *m_sendMessage = nullptr;
    QPushButton *m_endStream = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_state = nullptr;
    ResponsePanel *m_response = nullptr;

    QWidget *m_conflictBar = nullptr;
    QLabel *m_conflictText = nullptr;
    QLabel *m_sentTo = nullptr;
    QString m_lastTarget;
    std::function<Variables()> m_variables;
    models::WorkspaceSettings m_defaults;
    models::SavedRequest m_saved;
    quint64 m_assertionRun = 0; // the call whose assertions are being checked
    bool m_modified = false;
    bool m_applying = false;

    QTimer m_validateTimer;
    QTimer m_tick;
    QFutureWatcher<std::vector<rpc::Diagnostic>> m_validation;
};

} // namespace ui
