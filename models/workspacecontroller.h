// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/result.h"
#include "models/sourcesmodel.h"
#include "models/workspace.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

class QLockFile;

namespace models {

class SecretStore;
class WorkspaceStore;

// A request on its way into a tab: opened from the collection or history, pasted as a grpcurl
// command, or restored after a crash. It waits until a loaded schema has its method.
struct RequestToOpen
{
    SavedRequest request; // the body as the tab is to show it
    bool keepPath = false; // the tab saves back to request.path
    bool modified = false; // the tab counts as unsaved
    // Settings for the tab: a pasted command's, or (filled in when it is ready) the workspace
    // connection the request names.
    std::optional<ConnectionSettings> connection;
    std::optional<SourceSpec> source; // where its schema came from, when it is not the workspace's
    QString workspace;                // the workspace folder it belongs to ("" for none)
    QJsonObject autosaved;            // restored: its autosave entry, kept if it cannot reopen
    // Restored, and it was sent to the demo service of its session: it goes to this session's
    // demo (whose port is another), and waits for it to start.
    bool demo = false;
    bool reported = false; // said once in the status bar as waiting for its schema
};

// An unsaved tab as autosave keeps it.
struct UnsavedTab
{
    SavedRequest request; // the path of its file (or empty), the body as typed
    QString workspace;    // the workspace folder it belongs to ("" for none)
    std::optional<SourceSpec> source; // never the demo's: it goes with its session
    bool demo = false; // its target is the built-in demo service of this session
};

// A finished call as the window saw it, for history. Secrets are masked and sizes capped here.
struct CallRecord
{
    QDateTime started; // UTC
    SavedRequest request;        // as written, variables unresolved; the body may be left out
    qint64 bodyOmittedBytes = 0; // the size of a body left out
    QString sentTarget;          // resolved
    int statusCode = 0;
    QString statusMessage;
    QList<QByteArray> responses; // the first History::kMaxResponses messages received
    int responseCount = 0;       // every message received
    double durationMs = 0;
};

// A secret value typed in the environment editor.
struct SecretValue
{
    QString environment;
    QString variable;
    QString value;
};

// The workspace side of the workbench, without widgets: the open workspace and its schema
// sources, environments, secrets (asked for through an injected prompt), history, grpcurl
// import and export, requests waiting for their schema, and autosave with crash restore.
// The window shows what this holds and forwards what the user does; tests drive it directly.
class WorkspaceController final : public QObject
{
    Q_OBJECT

public:
    // Asks the user for a secret's value; nothing when they decline. `keychain` says whether
    // the value will be kept in the system keychain or for this session only.
    using SecretPrompt =
        std::function<std::optional<QString>(const QString &variable, const QString &environment, bool keychain)>;

    // `dataFolder` holds history without a workspace and the autosave file.
    WorkspaceController(SourcesModel &sources, QString dataFolder, QObject *parent = nullptr);
    ~WorkspaceController() override;

    WorkspaceStore &store() const { return *m_store; }
    SecretStore &secrets() const { return *m_secrets; }
    SourcesModel &sources() const { return m_sources; }

    // Workspaces. Opening a folder that is already open, or being opened, opens nothing again;
    // `then` runs once it is open (at once when it is). workspaceOpened follows a real open.
    void openWorkspace(const QString &folder, const std::function<void()> &then = {});
    // Open Recent's entry: opened only if the folder still holds a workspace (looked at on the
    // disk thread). One moved or deleted is not made anew there, as Open Workspace would: it is
    // said, and taken off the list.
    void openRecentWorkspace(const QString &folder);
    QString workspaceFolder() const { return m_folder; } // open or being opened; "" for none
    // Back to no workspace: its environments and secrets are dropped and history is the one
    // kept without a workspace (the calls made before one was opened). workspaceClosed follows.
    void closeWorkspace();
    bool isOpen() const;

    // Environments of the open workspace and the one chosen (remembered per workspace).
    QStringList environmentNames() const;
    QString environmentName() const { return m_environment; }
    void chooseEnvironment(const QString &name);
    Environment environment() const; // the chosen one (secret values empty), or an empty one
    // Whether this session knows a secret's value (the environment editor shows it as set).
    bool knowsSecret(const QString &environment, const QString &variable) const;
    // Writes the edited environments to wirescope.json; `renamed` maps new names to old ones so
    // that keychain values follow; `values` are secret values typed in the editor.
    void saveEnvironments(const std::vector<Environment> &environments, const QHash<QString, QString> &renamed,
                          const std::vector<SecretValue> &values);

    // Secrets: the lookup every send uses. Only a {{name}} token naming a secret exactly asks
    // for it: from this session, else the keychain's value read earlier, else the prompt.
    void setSecretPrompt(SecretPrompt prompt) { m_prompt = std::move(prompt); }
    SecretLookup secretLookup();
    // Every known secret value of the workspace's environments, longest first (for masking).
    QStringList secretValues() const;
    // {{name}} in `text` from the chosen environment, secrets asked for as when sending.
    Result<QString> resolve(const QString &text, const QString &where);

    // History: masks secrets, caps the sizes and appends the call.
    void recordCall(const CallRecord &record);

    // Requests into tabs: requestReady(request, sourceId) follows once a loaded schema has the
    // method (now, or when one loads: the target's reflection is asked for when nothing else
    // has it).
    void openRequest(RequestToOpen request);

    // The request as sent: the open workspace's defaults fill what it leaves empty.
    SavedRequest asSent(const SavedRequest &request) const;

    // grpcurl. The command for a request as sent (the workspace's defaults applied, variables of
    // the chosen environment, secrets as shell variables) with the schema flags of `source`.
    Result<QString> exportGrpcurl(const SavedRequest &request, const ConnectionSettings &connection,
                                  const SourceSpec *source);
    // curl, for a Connect unary call (toCurl), as sent; curlProblem() says why another cannot be.
    Result<QString> exportCurl(const SavedRequest &request, const ConnectionSettings &connection, rpc::MethodKind kind);
    // A pasted command: its schema files are loaded and its request opens as an unsaved tab.
    Status importGrpcurl(const QString &commandLine);

    // Autosave: unsaved tabs are written a moment after a change (and on demand), grouped by
    // workspace, to a file of this window's own: `autosave-<session>.json` in the data folder,
    // locked (QLockFile, `<file>.lock`) for as long as the controller lives. No later than the
    // autosave interval after the first of a run of edits, however fast they come.
    QString autosaveFile() const;
    void setUnsavedTabs(std::function<std::vector<UnsavedTab>()> provider) { m_unsaved = std::move(provider); }
    void scheduleAutosave();
    void writeAutosaveNow();
    // The user chose to discard this window's unsaved tabs: they are not kept for a restore.
    void discardUnsaved();
    // Takes over the autosave files whose owner is gone (a crash; their lock is free or stale,
    // on the disk thread) and reopens their unsaved tabs of the workspace asked for (or, with
    // none asked for, of the last session's) and of no workspace; others wait for their
    // workspace to be opened. They are written to this window's file and the files taken over
    // are removed. Files of running windows are left to them. autosaveRestored(tabs) follows.
    // A tab whose schema is not loaded waits for it (said in statusMessage) and stays in the
    // file; one that cannot be read is said and kept.
    void restoreAutosave();
    // The demo service of this session runs at `address` ("" when it does not): restored tabs
    // that were sent to the demo of their own session go there.
    void setDemoAddress(const QString &address);
    void waitForDisk();

signals:
    void workspaceOpened();
    void workspaceClosed(const QString &folder); // its tabs close: their drafts are parked
    void workspaceChanged();    // the workspace's settings or requests changed
    void environmentsChanged(); // the list, or the one chosen
    void maskedValuesChanged(const QStringList &values);
    void requestReady(const models::RequestToOpen &request, int sourceId);
    void autosaveRestored(int tabs);
    void statusMessage(const QString &text);

private:
    QString historyWithoutWorkspace() const;
    void onStoreOpened();
    void onStoreChanged();
    void fetchSecrets();
    void addWorkspaceSources();
    int addSourceOnce(const SourceSpec &spec, bool quiet = false);
    void retryPending();
    void reportStalled();
    bool sourcesLoading() const;
    void reportMissing();
    QString nearestMethod(const QString &method) const;
    void reopen(const QJsonArray &entries, const QString &folder, const QString &environment);
    int closeCurrent(); // closeWorkspace without its status message: how many drafts it parked
    int parkUnsaved(const QString &folder); // its unsaved tabs, kept until it opens again: how many
    // Adds `entries` (autosave entries) to what waits for `folder` to open; `environment` is the
    // one to choose then ("" keeps what was said before).
    void park(const QString &folder, const QString &environment, const QJsonArray &entries);

    SourcesModel &m_sources;
    QString m_dataFolder;
    WorkspaceStore *m_store = nullptr;
    SecretStore *m_secrets = nullptr;
    SecretPrompt m_prompt;

    QString m_folder;   // the workspace open or being opened
    bool m_opening = false;
    std::vector<std::function<void()>> m_afterOpen;
    QString m_environment;
    QHash<QString, QString> m_renamed; // old environment name -> new, until the store reloads

    std::vector<RequestToOpen> m_pending;

    std::function<std::vector<UnsavedTab>()> m_unsaved;
    QTimer m_autosaveTimer;
    QThreadPool m_diskPool; // one thread: autosave reads and writes in order, off the UI thread
    bool m_discarded = false;
    QString m_session; // names this window's autosave file
    std::unique_ptr<QLockFile> m_lock; // on this window's autosave file; touched on the disk thread only
    QString m_demoAddress;
    // Autosave files of crashed windows taken over by restoreAutosave, and their locks: removed
    // (and released) by the first write after what they held is this window's.
    QStringList m_taken;
    std::vector<std::shared_ptr<QLockFile>> m_takenLocks;
    std::map<QString, QJsonObject> m_parked;     // sections waiting for their workspace to open
    std::map<QString, QJsonArray> m_kept;        // entries that could not be read back
};

} // namespace models

Q_DECLARE_METATYPE(models::RequestToOpen)
