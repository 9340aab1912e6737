// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workspace.h"

#include <QDialog>
#include <QHash>

#include <vector>

class QListWidget;
class QTableWidget;

namespace ui {

// Edits the workspace's environments: add, rename and remove environments; add, change and
// remove variables; mark a variable secret. A secret's value is typed into a password field and
// never shown; the dialog hands new secret values back separately, for the keychain, so they
// never reach the workspace file.
class EnvironmentsDialog final : public QDialog
{
    Q_OBJECT

public:
    // `knownSecrets` says which secrets ("environment/variable") already have a value.
    EnvironmentsDialog(std::vector<models::Environment> environments, QHash<QString, bool> knownSecrets,
                       const QString &current, QWidget *parent = nullptr);

    // The result: secret variables carry no value.
    std::vector<models::Environment> environments() const;
    // New secret values typed here, by environment and variable name.
    struct SecretValue
    {
        QString environment;
        QString variable;
        QString value;
    };
    std::vector<SecretValue> secretValues() const;
    // Environments renamed here: new name -> the name they had (their keychain entries follow).
    QHash<QString, QString> renamed() const;

    QListWidget *environmentList() const { return m_list; }
    QTableWidget *variableTable() const { return m_table; }
    void addEnvironment(const QString &name);
    void removeCurrentEnvironment();
    void addVariable();

private:
    void storeTable(); // the table into m_envs[m_shown]
    void showTable(int index);
    void rowChanged(int row, int column);

    // Each environment with, in step, the secret values typed for it here and its first name
    // (empty for one added here).
    std::vector<models::Environment> m_envs;
    std::vector<QHash<QString, QString>> m_typed;
    std::vector<QString> m_original;
    QHash<QString, bool> m_known; // "env/var" -> has a value
    QListWidget *m_list = nullptr;
    QTableWidget *m_table = nullptr;
    int m_shown = -1;
    bool m_filling = false;
};

} // namespace ui
