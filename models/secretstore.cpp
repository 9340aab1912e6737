// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/secretstore.h"

#include <qt6keychain/keychain.h>

#include <QCryptographicHash>
#include <QDir>

namespace models {

SecretStore::SecretStore(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{}

QString SecretStore::keyFor(const QString &workspaceFolder, const QString &environment,
                            const QString &variable)
{
    // The folder as a short hash keeps keys readable in keychain tools and free of '/'.
    const QByteArray folder = QDir(workspaceFolder).absolutePath().toUtf8();
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(folder, QCryptographicHash::Sha256).toHex().left(12));
    return QStringLiteral("%1/%2/%3").arg(hash, environment, variable);
}

std::optional<QString> SecretStore::cached(const QString &key) const
{
    const auto it = m_values.find(key);
    if (it == m_values.end())
        return std::nullopt;
    return *it;
}

void SecretStore::markUnavailable(const QString &reason)
{
    if (!m_available)
        return;
    m_available = false;
    m_reason = reason;
    emit keychainUnavailable(reason);
}

// Jobs have no parent: one still waiting for the keychain when the store goes away (the window
// closing) finishes and deletes itself instead of being freed under the backend's pending
// callback. The connections use the store as context, so a late answer reaches nobody.
void SecretStore::read(const QString &key)
{
    if (m_values.contains(key) || !m_available) {
        const bool found = m_values.contains(key);
        QMetaObject::invokeMethod(
            this, [this, key, found] { emit readFinished(key, found); }, Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *done) {
        auto *j = static_cast<QKeychain::ReadPasswordJob *>(done);
        if (j->error() == QKeychain::NoError) {
            m_values.insert(key, j->textData());
            emit readFinished(key, true);
            return;
        }
        if (j->error() != QKeychain::EntryNotFound)
            markUnavailable(j->errorString());
        emit readFinished(key, m_values.contains(key));
    });
    job->start();
}

void SecretStore::write(const QString &key, const QString &value)
{
    m_values.insert(key, value);
    if (!m_available) {
        QMetaObject::invokeMethod(
            this, [this, key] { emit writeFinished(key, false); }, Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *done) {
        const bool ok = done->error() == QKeychain::NoError;
        if (!ok)
            markUnavailable(done->errorString());
        emit writeFinished(key, ok);
    });
    job->start();
}

void SecretStore::remove(const QString &key)
{
    m_values.remove(key);
    if (!m_available)
        return;
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setKey(key);
    job->start();
}

} // namespace models
