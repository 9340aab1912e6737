// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/formeditor.h"

#include "ui/formdelegate.h"

#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QScrollBar>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace ui {

using models::FormModel;

FormEditor::FormEditor(QWidget *parent)
    : QTreeView(parent)
    , m_model(new FormModel(this))
    , m_delegate(new FormDelegate(this))
{
    setModel(m_model);
    setItemDelegate(m_delegate);
    header()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    fitColumns();
    connect(header(), &QHeaderView::sectionResized, this, [this](int section) {
        if (!m_fitting && section != ValueColumn)
            m_userSized = true;
    });
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::SelectedClicked);
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &FormEditor::showMenu);
    connect(m_model, &FormModel::edited, this, &FormEditor::edited);
    connect(m_model, &FormModel::valueRejected, this, &FormEditor::valueRejected);
    // Said under the field too, not only in the status bar, where the eye is not. (A tooltip
    // went with the release of the Return key that made the edit.)
    m_refused = new QLabel(viewport());
    m_refused->setObjectName(QStringLiteral("formRefusedLabel"));
    m_refused->setForegroundRole(QPalette::ToolTipText);
    m_refused->setBackgroundRole(QPalette::ToolTipBase);
    m_refused->setAutoFillBackground(true);
    m_refused->setFrameShape(QFrame::Box);
    m_refused->setMargin(3);
    m_refused->hide();
    m_refusedTimer = new QTimer(this);
    m_refusedTimer->setSingleShot(true);
    m_refusedTimer->setInterval(6000);
    connect(m_refusedTimer, &QTimer::timeout, m_refused, &QWidget::hide);
    connect(m_model, &FormModel::valueRejected, this, &FormEditor::sayRefused);
    connect(m_model, &FormModel::edited, m_refused, &QWidget::hide);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, m_refused, &QWidget::hide);
    // What a user just filled in opens: a message set present, a oneof case, a new element.
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &parent, int first, int last) {
                if (parent.isValid())
                    expand(parent);
                for (int row = first; row <= last; ++row) {
                    const QModelIndex inserted = m_model->index(row, NameColumn, parent);
                    if (m_model->rowCount(inserted) > 0)
                        expand(inserted);
                }
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { expandToDepth(0); });
    connect(m_delegate, &FormDelegate::addClicked, this,
            [this](const QModelIndex &container) { added(addElement(container)); });
    connect(m_delegate, &FormDelegate::removeClicked, this, &FormEditor::removeElement);
}

void FormEditor::resizeEvent(QResizeEvent *event)
{
    QTreeView::resizeEvent(event);
    if (!m_userSized)
        fitColumns();
}

// The value column gets the room: in a narrow pane (the request side of a 1024x768 window) fixed
// name and type widths would push the values and their buttons out of sight.
void FormEditor::fitColumns()
{
    const int width = viewport()->width();
    m_fitting = true;
    setColumnWidth(NameColumn, std::clamp(width * 35 / 100, 80, 240));
    setColumnWidth(TypeColumn, std::clamp(width * 20 / 100, 50, 200));
    m_fitting = false;
}

void FormEditor::setMessageType(rpc::SchemaPtr schema, const std::string &typeName)
{
    m_model->setMessageType(std::move(schema), typeName);
}

models::Status FormEditor::setJson(const QByteArray &json)
{
    return m_model->setJson(json);
}

QByteArray FormEditor::toJson() const
{
    return m_model->toJson();
}

QModelIndex FormEditor::addElement(const QModelIndex &container, const QString &mapKey)
{
    return m_model->addElement(container, mapKey).valueOr(QModelIndex());
}

void FormEditor::removeElement(const QModelIndex &element)
{
    m_model->removeElement(element);
}

void FormEditor::moveElement(const QModelIndex &element, int delta)
{
    const QModelIndex parent = element.parent();
    const int to = element.row() + delta;
    if (m_model->moveElement(element, delta))
        setCurrentIndex(m_model->index(to, NameColumn, parent));
}

void FormEditor::setPresent(const QModelIndex &message, bool present)
{
    m_model->setPresent(message, present);
}

void FormEditor::chooseOneof(const QModelIndex &oneof, const QString &fieldName)
{
    m_model->chooseOneof(oneof, fieldName);
}

void FormEditor::chooseAnyType(const QModelIndex &any, const QString &typeName)
{
    m_model->chooseAnyType(any, typeName);
}

models::Status FormEditor::setValue(const QModelIndex &index, const QString &text)
{
    return m_model->setValue(index, text);
}

void FormEditor::loadBytesFromFile(const QModelIndex &index, const QString &file)
{
    // Read on a pool thread; the row may be gone by the time the bytes are there.
    const QPersistentModelIndex at(index);
    auto *watcher = new QFutureWatcher<QByteArray>(this);
    connect(watcher, &QFutureWatcher<QByteArray>::finished, this, [this, watcher, at] {
        watcher->deleteLater();
        if (at.isValid()) // a refusal is shown through valueRejected()
            (void)m_model->setValue(at, QString::fromLatin1(watcher->result().toBase64()));
    });
    watcher->setFuture(QtConcurrent::run([file] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }));
}

QModelIndex FormEditor::findItem(const QString &path) const
{
    return m_model->findIndex(path);
}

QString FormEditor::valueText(const QString &path) const
{
    const QModelIndex at = findItem(path);
    return at.isValid() ? at.siblingAtColumn(ValueColumn).data(Qt::EditRole).toString()
                        : QStringLiteral("<missing>");
}

QRect FormEditor::buttonRect(const QModelIndex &index) const
{
    const QModelIndex cell = index.siblingAtColumn(ValueColumn);
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(cell);
    if (option.rect.isEmpty())
        return {};
    return m_delegate->buttonRect(option, cell);
}

void FormEditor::added(const QModelIndex &element)
{
    if (!element.isValid())
        return;
    // The new row is where the user goes next: a map entry's key, or the element's value.
    const bool mapEntry = m_model->kind(element.parent()) == FormModel::Kind::Map;
    const FormModel::Kind kind = m_model->kind(element);
    const QModelIndex target = element.siblingAtColumn(mapEntry ? NameColumn : ValueColumn);
    scrollTo(target);
    setCurrentIndex(target);
    if (mapEntry || kind == FormModel::Kind::Scalar || kind == FormModel::Kind::WellKnown ||
        kind == FormModel::Kind::RawJson)
        edit(target);
}

void FormEditor::keyPressEvent(QKeyEvent *event)
{
    const QModelIndex current = currentIndex().siblingAtColumn(NameColumn);
    if (state() != EditingState && current.isValid()) {
        const bool element = current.data(FormModel::CanRemoveRole).toBool();
        if (event->key() == Qt::Key_Insert && event->modifiers() == Qt::NoModifier) {
            // On a container: add to it; on an element: add to its container.
            if (current.data(FormModel::CanAddRole).toBool())
                added(addElement(current));
            else if (element)
                added(addElement(current.parent()));
            event->accept();
            return;
        }
        if (event->key() == Qt::Key_Delete && event->modifiers() == Qt::NoModifier && element) {
            const QModelIndex container = current.parent();
            const int row = current.row();
            removeElement(current);
            const int rows = m_model->rowCount(container);
            setCurrentIndex(rows ? m_model->index(std::min(row, rows - 1), NameColumn, container)
                                 : container);
            event->accept();
            return;
        }
        if ((event->key() == Qt::Key_Up || event->key() == Qt::Key_Down) &&
            event->modifiers() == Qt::ControlModifier && element) {
            moveElement(current, event->key() == Qt::Key_Up ? -1 : 1);
            event->accept();
            return;
        }
    }
    QTreeView::keyPressEvent(event);
}

void FormEditor::showMenu(const QPoint &pos)
{
    const QPersistentModelIndex item(indexAt(pos).siblingAtColumn(NameColumn));
    if (!item.isValid())
        return;
    QMenu menu(this);
    const FormModel::Kind kind = m_model->kind(item);
    if (item.data(FormModel::CanAddRole).toBool())
        menu.addAction(kind == FormModel::Kind::Map ? tr("Add entry") : tr("Add element"), this,
                       [this, item] { added(addElement(item)); });
    if (item.data(FormModel::CanRemoveRole).toBool()) {
        menu.addAction(tr("Remove"), this, [this, item] { removeElement(item); });
        if (m_model->kind(item.parent()) == FormModel::Kind::Repeated) {
            menu.addAction(tr("Move up"), this, [this, item] { moveElement(item, -1); });
            menu.addAction(tr("Move down"), this, [this, item] { moveElement(item, 1); });
        }
    }
    if (kind == FormModel::Kind::Scalar && m_model->field(item).type == rpc::FieldShape::Type::Bytes) {
        menu.addAction(tr("Set from hex…"), this, [this, item] {
            bool ok = false;
            const QString hex = QInputDialog::getText(this, tr("Bytes as hex"), tr("Hex digits:"),
                                                      QLineEdit::Normal, {}, &ok);
            if (ok && item.isValid())
                (void)setValue(item, QString::fromLatin1(QByteArray::fromHex(hex.toLatin1()).toBase64()));
        });
        menu.addAction(tr("Load file…"), this, [this, item] {
            const QString file = QFileDialog::getOpenFileName(this, tr("Load bytes from a file"));
            if (!file.isEmpty() && item.isValid())
                loadBytesFromFile(item, file);
        });
    }
    if (!menu.isEmpty())
        menu.exec(viewport()->mapToGlobal(pos));
}

void FormEditor::sayRefused(const QString &reason)
{
    const QRect cell = visualRect(currentIndex().siblingAtColumn(ValueColumn));
    if (!cell.isValid())
        return;
    m_refused->setText(reason);
    m_refused->setMaximumWidth(std::max(120, viewport()->width() - cell.left() - 4));
    m_refused->setWordWrap(true);
    m_refused->adjustSize();
    // Below the field, or above it at the bottom of the view.
    int y = cell.bottom() + 1;
    if (y + m_refused->height() > viewport()->height())
        y = std::max(0, cell.top() - m_refused->height());
    m_refused->move(cell.left(), y);
    m_refused->show();
    m_refused->raise();
    m_refusedTimer->start();
}

} // namespace ui
