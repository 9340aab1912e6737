// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/sourcedialog.h"

#include "ui/connectionoptions.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace ui {

namespace {

enum Security { Plaintext, Tls, TlsSkipVerify };

QStringList toList(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

std::vector<std::string> itemsOf(const QListWidget *list)
{
    std::vector<std::string> out;
    for (int i = 0; i < list->count(); ++i)
        out.push_back(list->item(i)->text().toStdString());
    return out;
}

} // namespace

SourceDialog::SourceDialog(const models::SourceSpec &spec, QWidget *parent)
    : QDialog(parent)
    , m_spec(spec)
{
    setObjectName(QStringLiteral("sourceDialog"));
    setMinimumWidth(640);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    using Kind = models::SourceSpec::Kind;
    switch (spec.kind) {
    case Kind::ProtoFiles: {
        setWindowTitle(tr("Proto Files"));
        // U+2011 keeps "-I" on one line.
        auto *hint = new QLabel(tr("Files import each other by names relative to an import root (protoc \u2011I): "
                                   "a file importing \"acme/v1/types.proto\" needs the folder that holds acme/."),
                                this);
        hint->setWordWrap(true);
        layout->insertWidget(0, hint);
        form->addRow(tr("Files"), createPathList(&m_files, QStringLiteral("sourceFilesList"), tr("Add Files…"), [this] {
                         return QFileDialog::getOpenFileNames(this, tr("Add .proto files"), {},
                                                              tr("Protocol buffers (*.proto)"));
                     }));
        form->addRow(tr("Import roots"),
                     createPathList(&m_roots, QStringLiteral("importRootsList"), tr("Add Root…"), [this] {
                         const QString dir = QFileDialog::getExistingDirectory(this, tr("Add an import root"));
                         return dir.isEmpty() ? QStringList() : QStringList{dir};
                     }));
        m_files->addItems(toList(spec.schema.protoFiles));
        m_roots->addItems(toList(spec.schema.importPaths));
        break;
    }
    case Kind::Protoset:
        setWindowTitle(tr("Protosets"));
        form->addRow(tr("Files"), createPathList(&m_files, QStringLiteral("sourceFilesList"), tr("Add Files…"), [this] {
                         return QFileDialog::getOpenFileNames(this, tr("Add protosets"), {},
                                                              tr("Protosets (*.protoset *.pb *.bin *.desc);;All (*)"));
                     }));
        m_files->addItems(toList(spec.schema.protosetFiles));
        break;
    case Kind::Reflection: {
        setWindowTitle(tr("Server with Reflection"));
        auto *row = new QHBoxLayout;
        m_target = new QLineEdit(QString::fromStdString(spec.schema.reflectionChannel.target), this);
        m_target->setObjectName(QStringLiteral("sourceTargetEdit"));
        m_target->setPlaceholderText(tr("host:port"));
        m_security = new QComboBox(this);
        m_security->setObjectName(QStringLiteral("sourceSecurityBox"));
        m_security->addItems({tr("Plaintext"), tr("TLS"), tr("TLS, skip verification (insecure)")});
        row->addWidget(m_target, 1);
        row->addWidget(m_security);
        form->addRow(tr("Address"), row);
        m_options = new ConnectionOptions(false, this);
        m_options->apply(spec.connection);
        m_options->setVisible(true);
        // Loading a schema shows no frames: the wire tap is a request's choice.
        if (auto *capture = m_options->findChild<QWidget *>(QStringLiteral("captureWireBox")))
            capture->hide();
        layout->addWidget(m_options);
        const auto &c = spec.connection;
        m_security->setCurrentIndex(c.plaintext ? Plaintext : c.skipVerify ? TlsSkipVerify : Tls);
        m_options->setTls(!c.plaintext);
        connect(m_security, &QComboBox::currentIndexChanged, this,
                [this](int index) { m_options->setTls(index != Plaintext); });
        break;
    }
    }
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("sourceProblemLabel"));
    m_problem->setWordWrap(true);
    m_problem->hide();
    layout->addWidget(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QWidget *SourceDialog::createPathList(QListWidget **list, const QString &name, const QString &addText,
                                      const std::function<QStringList()> &pick)
{
    auto *box = new QWidget(this);
    auto *h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    auto *paths = new QListWidget(box);
    paths->setObjectName(name);
    paths->setSelectionMode(QAbstractItemView::ExtendedSelection);
    auto *buttons = new QVBoxLayout;
    auto *add = new QPushButton(addText, box);
    auto *remove = new QPushButton(tr("Remove"), box);
    add->setObjectName(name + QStringLiteral("Add"));
    remove->setObjectName(name + QStringLiteral("Remove"));
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    h->addWidget(paths, 1);
    h->addLayout(buttons);
    connect(add, &QPushButton::clicked, paths, [paths, pick] {
        for (const QString &p : pick()) {
            if (paths->findItems(p, Qt::MatchExactly).isEmpty())
                paths->addItem(p);
        }
    });
    connect(remove, &QPushButton::clicked, paths, [paths] { qDeleteAll(paths->selectedItems()); });
    *list = paths;
    return box;
}

models::SourceSpec SourceDialog::spec() const
{
    models::SourceSpec out = m_spec;
    using Kind = models::SourceSpec::Kind;
    switch (out.kind) {
    case Kind::ProtoFiles:
        out.schema.protoFiles = itemsOf(m_files);
        out.schema.importPaths = itemsOf(m_roots);
        // Edited files are no longer "the folder's .proto files".
        if (out.schema.protoFiles != m_spec.schema.protoFiles)
            out.folder.clear();
        break;
    case Kind::Protoset:
        out.schema.protosetFiles = itemsOf(m_files);
        break;
    case Kind::Reflection:
        out.setReflection(m_target->text().trimmed(),
                          m_options->settings(m_security->currentIndex() == Plaintext,
                                              m_security->currentIndex() == TlsSkipVerify));
        break;
    }
    return out;
}

QString SourceDialog::problem() const
{
    using Kind = models::SourceSpec::Kind;
    switch (m_spec.kind) {
    case Kind::ProtoFiles:
        if (m_files->count() == 0)
            return tr("Add at least one .proto file.");
        if (m_roots->count() == 0)
            return tr("Add an import root: the folder the files' import lines are relative to.");
        return {};
    case Kind::Protoset:
        return m_files->count() == 0 ? tr("Add at least one protoset file.") : QString();
    case Kind::Reflection:
        return m_target->text().trimmed().isEmpty() ? tr("Type the server's address, host:port.") : QString();
    }
    return {};
}

void SourceDialog::accept()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    if (why.isEmpty())
        QDialog::accept();
}

} // namespace ui
