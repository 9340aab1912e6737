// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <optional>

namespace models {

// Values of secret variables. They live in the OS keychain (QtKeychain: the Secret Service,
// KWallet, macOS Keychain, Windows Credential Store) under the service "Wirescope" and a key
// naming the workspace, environment and variable. Where no keychain answers, values are kept
// for this session only and keychainUnavailable() says why, once. Reads and writes are
// asynchronous; values read or set are cached in memory for the session. Nothing is ever
// written to a file.
class SecretStore final : public QObject
{
    Q_OBJECT

public:
    explicit SecretStore(QString service = QStringLiteral("Wirescope"), QObject *parent = nullptr);

    static QString keyFor(const QString &workspaceFolder, const QString &environment,
                          const QString &variable);

    // Starts reading `key` from the keychain; readFinished follows (at once when cached).
    void read(const QString &key);
    // Keeps `value` for the session and stores it in the keychain when there is one.
    void write(const QString &key, const QString &value);
    void remove(const QString &key);

    std::optional<QString> cached(const QString &key) const;
    bool keychainAvailable() const { return m_available; }
    QString unavailableReason() const { return m_reason; }

signals:
    void readFinished(const QString &key, bool found);
    void writeFinished(const QString &key, bool inKeychain);
    void keychainUnavailable(const QString &reason);

private:
    void markUnavailable(const QString &reason);

    QString m_service;
    QHash<QString, QString> m_values;
    bool m_available = true;
    QString m_reason;
};

} // namespace models
