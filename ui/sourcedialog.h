// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcesmodel.h"

#include <QDialog>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace ui {

class ConnectionOptions;

// Adds or edits one schema source: the .proto files and the import roots they are named from
// (protoc -I), the protoset files, or the reflection server's address with its TLS settings
// (the request tab's own connection options). OK is refused, with the reason under the fields,
// while the source could not load (no file, no root, no address).
class SourceDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SourceDialog(const models::SourceSpec &spec, QWidget *parent = nullptr);

    // The source as edited.
    models::SourceSpec spec() const;
    // Why OK is refused now, or "".
    QString problem() const;

    void accept() override;

private:
    QWidget *createPathList(QListWidget **list, const QString &name, const QString &addText,
                            const std::function<QStringList()> &pick);

    models::SourceSpec m_spec;
    QListWidget *m_files = nullptr;
    QListWidget *m_roots = nullptr;
    QLineEdit *m_target = nullptr;
    QComboBox *m_security = nullptr;
    ConnectionOptions *m_options = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace ui
