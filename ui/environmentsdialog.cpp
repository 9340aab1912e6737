// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/environmentsdialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ui {

namespace {

enum Column { NameColumn, ValueColumn, SecretColumn };
constexpr int kTypedSecretRole = Qt::UserRole + 1; // a secret value typed in this dialog
const QString kMask = QStringLiteral("••••••");

bool isSecretRow(const QTableWidget *table, int row)
{
    const QTableWidgetItem *flag = table->item(row, SecretColumn);
    return flag && flag->checkState() == Qt::Checked;
}

// Values of secret variables are typed into a password field and never shown.
class ValueDelegate final : public QStyledItemDelegate
{
public:
    explicit ValueDelegate(QTableWidget *table)
        : QStyledItemDelegate(table)
        , m_table(table)
    {}

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &,
                          const QModelIndex &index) const override
    {
        auto *edit = new QLineEdit(parent);
        if (isSecretRow(m_table, index.row())) {
            edit->setEchoMode(QLineEdit::Password);
            edit->setPlaceholderText(tr("new secret value"));
        }
        return edit;
    }
    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        if (!isSecretRow(m_table, index.row()))
            static_cast<QLineEdit *>(editor)->setText(index.data().toString());
    }
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override
    {
        const QString text = static_cast<QLineEdit *>(editor)->text();
        if (!isSecretRow(m_table, index.row())) {
            model->setData(index, text);
            return;
        }
        if (text.isEmpty())
            return; // nothing typed: the secret keeps its value
        model->setData(index, text, kTypedSecretRole);
        model->setData(index, kMask);
    }

private:
    QTableWidget *m_table;
};

// Wide enough for the whole title in the window manager's title bar: a dialog sized to its
// content ("Name:", a field, two buttons) showed "Add E… nment".
int widthForTitle(const QWidget &dialog)
{
    // Window managers draw titles in bold, beside the window's icon and three buttons, each
    // about as wide as the bar is tall.
    QFont bold = dialog.font();
    bold.setBold(true);
    const int bar = std::max(dialog.style()->pixelMetric(QStyle::PM_TitleBarHeight, nullptr, &dialog),
                             QFontMetrics(bold).height() + 8);
    return QFontMetrics(bold).horizontalAdvance(dialog.windowTitle()) + 5 * bar;
}

} // namespace

EnvironmentsDialog::EnvironmentsDialog(std::vector<models::Environment> environments,
                                       QHash<QString, bool> knownSecrets, const QString &current,
                                       QWidget *parent)
    : QDialog(parent)
    , m_envs(std::move(environments))
    , m_known(std::move(knownSecrets))
{
    setWindowTitle(tr("Environments"));
    setObjectName(QStringLiteral("environmentsDialog"));
    m_typed.resize(m_envs.size());
    for (const auto &e : m_envs)
        m_original.push_back(e.name);

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("environmentList"));
    m_list->setToolTip(tr("Double-click a name to rename it"));
    for (const auto &e : m_envs) {
        auto *item = new QListWidgetItem(e.name, m_list);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
    }
    auto *addEnv = new QPushButton(tr("Add"), this);
    addEnv->setObjectName(QStringLiteral("addEnvironmentButton"));
    auto *removeEnv = new QPushButton(tr("Remove"), this);
    removeEnv->setObjectName(QStringLiteral("removeEnvironmentButton"));
    auto *envButtons = new QHBoxLayout;
    envButtons->addWidget(addEnv);
    envButtons->addWidget(removeEnv);
    auto *left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("Environments"), this));
    left->addWidget(m_list, 1);
    left->addLayout(envButtons);

    m_table = new QTableWidget(0, 3, this);
    m_table->setObjectName(QStringLiteral("variableTable"));
    m_table->setHorizontalHeaderLabels({tr("Variable"), tr("Value"), tr("Secret")});
    m_table->horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setItemDelegateForColumn(ValueColumn, new ValueDelegate(m_table));
    auto *addVar = new QPushButton(tr("Add Variable"), this);
    addVar->setObjectName(QStringLiteral("addVariableButton"));
    auto *removeVar = new QPushButton(tr("Remove Variable"), this);
    removeVar->setObjectName(QStringLiteral("removeVariableButton"));
    auto *varButtons = new QHBoxLayout;
    varButtons->addWidget(addVar);
    varButtons->addWidget(removeVar);
    varButtons->addStretch(1);
    auto *note =
        new QLabel(tr("Use a variable as {{name}} in targets, metadata and bodies. A secret's value is kept "
                      "in the system keychain (or for this session where there is none), never in the "
                      "workspace files."),
                   this);
    note->setWordWrap(true);
    auto *right = new QVBoxLayout;
    right->addWidget(m_table, 1);
    right->addLayout(varButtons);
    right->addWidget(note);

    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 3);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(buttons);
    resize(720, 400);

    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        storeTable();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(addEnv, &QPushButton::clicked, this, [this] {
        QInputDialog ask(this);
        ask.setObjectName(QStringLiteral("addEnvironmentDialog"));
        ask.setWindowTitle(tr("Add Environment"));
        ask.setLabelText(tr("Name of the new environment:"));
        ask.setTextValue(QString()); // makes the field
        // The dialog's layout fixes its width to its content's: the field makes room.
        if (auto *field = ask.findChild<QLineEdit *>())
            field->setMinimumWidth(widthForTitle(ask));
        if (ask.exec() != QDialog::Accepted)
            return;
        const QString name = ask.textValue().trimmed();
        if (!name.isEmpty())
            addEnvironment(name);
    });
    connect(removeEnv, &QPushButton::clicked, this, &EnvironmentsDialog::removeCurrentEnvironment);
    connect(addVar, &QPushButton::clicked, this, &EnvironmentsDialog::addVariable);
    connect(removeVar, &QPushButton::clicked, this, [this] {
        if (m_table->currentRow() >= 0)
            m_table->removeRow(m_table->currentRow());
    });
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        storeTable();
        showTable(row);
    });
    connect(m_list, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const int row = m_list->row(item);
        const QString name = item->text().trimmed();
        if (row >= 0 && row < int(m_envs.size()) && !name.isEmpty())
            m_envs[std::size_t(row)].name = name;
    });
    connect(m_table, &QTableWidget::cellChanged, this, &EnvironmentsDialog::rowChanged);

    int start = 0;
    for (int i = 0; i < int(m_envs.size()); ++i) {
        if (m_envs[std::size_t(i)].name == current)
            start = i;
    }
    m_list->setCurrentRow(m_envs.empty() ? -1 : start);
    if (m_envs.empty())
        showTable(-1);
}

void EnvironmentsDialog::addEnvironment(const QString &name)
{
    storeTable();
    m_envs.push_back({name, {}});
    m_typed.emplace_back();
    m_original.emplace_back();
    auto *item = new QListWidgetItem(name, m_list);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    m_shown = -1; // stored already
    m_list->setCurrentItem(item);
}

void EnvironmentsDialog::removeCurrentEnvironment()
{
    const int row = m_list->currentRow();
    if (row < 0)
        return;
    m_shown = -1; // its table goes with it
    m_envs.erase(m_envs.begin() + row);
    m_typed.erase(m_typed.begin() + row);
    m_original.erase(m_original.begin() + row);
    delete m_list->takeItem(row);
    showTable(m_list->currentRow());
}

void EnvironmentsDialog::addVariable()
{
    if (m_shown < 0)
        return;
    const int row = m_table->rowCount();
    m_filling = true;
    m_table->insertRow(row);
    m_table->setItem(row, NameColumn, new QTableWidgetItem);
    m_table->setItem(row, ValueColumn, new QTableWidgetItem);
    auto *flag = new QTableWidgetItem;
    flag->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    flag->setCheckState(Qt::Unchecked);
    m_table->setItem(row, SecretColumn, flag);
    m_filling = false;
    m_table->setCurrentCell(row, NameColumn);
    m_table->editItem(m_table->item(row, NameColumn));
}

void EnvironmentsDialog::showTable(int index)
{
    m_filling = true;
    m_table->setRowCount(0);
    m_shown = index;
    m_table->setEnabled(index >= 0);
    if (index >= 0) {
        const models::Environment &env = m_envs[std::size_t(index)];
        const auto &typed = m_typed[std::size_t(index)];
        for (const auto &v : env.variables) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, NameColumn, new QTableWidgetItem(v.name));
            auto *value = new QTableWidgetItem(v.value);
            if (v.secret) {
                const bool has = typed.contains(v.name) ||
                                 m_known.value(m_original[std::size_t(index)] + QLatin1Char('/') + v.name);
                value->setText(has ? kMask : QString());
                value->setToolTip(has ? tr("Kept in the keychain; type to replace it")
                                      : tr("Not set yet: asked for when first used, or type it here"));
                if (typed.contains(v.name))
                    value->setData(kTypedSecretRole, typed.value(v.name));
            }
            m_table->setItem(row, ValueColumn, value);
            auto *flag = new QTableWidgetItem;
            flag->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            flag->setCheckState(v.secret ? Qt::Checked : Qt::Unchecked);
            m_table->setItem(row, SecretColumn, flag);
        }
    }
    m_filling = false;
}

void EnvironmentsDialog::rowChanged(int row, int column)
{
    if (m_filling || column != SecretColumn)
        return;
    QTableWidgetItem *value = m_table->item(row, ValueColumn);
    if (!value)
        return;
    m_filling = true;
    if (isSecretRow(m_table, row)) {
        // A plain value made secret goes to the keychain, not the file.
        if (!value->text().isEmpty()) {
            value->setData(kTypedSecretRole, value->text());
            value->setText(kMask);
        }
    } else {
        // Made plain: what was typed here shows again; a keychain value is not brought out.
        const QVariant typed = value->data(kTypedSecretRole);
        value->setData(kTypedSecretRole, QVariant());
        value->setText(typed.toString());
    }
    m_filling = false;
}

void EnvironmentsDialog::storeTable()
{
    if (m_shown < 0 || m_shown >= int(m_envs.size()))
        return;
    models::Environment &env = m_envs[std::size_t(m_shown)];
    QHash<QString, QString> &typed = m_typed[std::size_t(m_shown)];
    env.variables.clear();
    typed.clear();
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString name =
            m_table->item(row, NameColumn) ? m_table->item(row, NameColumn)->text().trimmed() : QString();
        if (name.isEmpty())
            continue;
        const bool secret = isSecretRow(m_table, row);
        const QTableWidgetItem *value = m_table->item(row, ValueColumn);
        if (secret) {
            env.variables.push_back({name, QString(), true});
            if (value && value->data(kTypedSecretRole).isValid())
                typed.insert(name, value->data(kTypedSecretRole).toString());
        } else {
            env.variables.push_back({name, value ? value->text() : QString(), false});
        }
    }
}

std::vector<models::Environment> EnvironmentsDialog::environments() const
{
    return m_envs;
}

std::vector<EnvironmentsDialog::SecretValue> EnvironmentsDialog::secretValues() const
{
    std::vector<SecretValue> out;
    for (std::size_t i = 0; i < m_envs.size(); ++i) {
        for (auto it = m_typed[i].begin(); it != m_typed[i].end(); ++it)
            out.push_back({m_envs[i].name, it.key(), it.value()});
    }
    return out;
}

QHash<QString, QString> EnvironmentsDialog::renamed() const
{
    QHash<QString, QString> out;
    for (std::size_t i = 0; i < m_envs.size(); ++i) {
        if (!m_original[i].isEmpty() && m_original[i] != m_envs[i].name)
            out.insert(m_envs[i].name, m_original[i]);
    }
    return out;
}

} // namespace ui
