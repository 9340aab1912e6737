// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/connectionoptions.h"

#include "rpc/proxy.h"
#include "ui/protocolpicker.h"
#include "ui/unitspinbox.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QBoxLayout>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>

namespace ui {

namespace {

enum ProxyMode { ProxyFromEnvironment, ProxyNone, ProxyUrl };

QLineEdit *fileField(QWidget *parent, QFormLayout *form, const QString &label, const QString &name)
{
    auto *row = new QWidget(parent);
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto *edit = new QLineEdit(row);
    edit->setObjectName(name);
    edit->setPlaceholderText(QObject::tr("PEM file"));
    auto *browse = new QPushButton(QObject::tr("Browse…"), row);
    QObject::connect(browse, &QPushButton::clicked, edit, [edit] {
        const QString file =
            QFileDialog::getOpenFileName(edit, QObject::tr("Choose a PEM file"), edit->text(),
                                         QObject::tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!file.isEmpty())
            edit->setText(file);
    });
    h->addWidget(edit, 1);
    h->addWidget(browse);
    form->addRow(label, row);
    return edit;
}

} // namespace

ConnectionOptions::ConnectionOptions(bool canCapture, QWidget *parent)
    : QGroupBox(parent)
{
    setObjectName(QStringLiteral("connectionBox"));
    setFlat(true);
    // Three groups, side by side where the width holds them, else one above the other: in one
    // box of two columns, a 1024 px window scrolled them sideways and the first rows were all a
    // short options area showed.
    m_groups = new QBoxLayout(QBoxLayout::LeftToRight, this);
    m_groups->setContentsMargins(0, 0, 0, 0);
    auto group = [this](const QString &title, const QString &name) {
        auto *box = new QGroupBox(title, this);
        box->setObjectName(name);
        m_groups->addWidget(box, 0, Qt::AlignTop);
        return new QFormLayout(box);
    };
    auto *connectionForm = group(tr("Connection"), QStringLiteral("connectionGroup"));
    auto *tlsForm = group(tr("TLS"), QStringLiteral("tlsGroup"));
    auto *limitsForm = group(tr("Limits"), QStringLiteral("limitsGroup"));
    m_groups->addStretch(1);

    m_protocol = new ProtocolPicker(this);
    connectionForm->addRow(tr("Protocol"), m_protocol);
    m_authority = new QLineEdit(this);
    m_authority->setPlaceholderText(tr(":authority override"));
    connectionForm->addRow(tr("Authority"), m_authority);
    {
        auto *row = new QWidget(this);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        m_proxyMode = new QComboBox(row);
        m_proxyMode->setObjectName(QStringLiteral("proxyModeBox"));
        m_proxyMode->addItems({tr("From the environment"), tr("None (connect directly)"), tr("This proxy:")});
        m_proxyMode->setToolTip(tr("From the environment: the grpc_proxy, https_proxy, http_proxy, "
                                   "no_grpc_proxy and no_proxy variables, read as gRPC reads them"));
        m_proxyUrl = new QLineEdit(row);
        m_proxyUrl->setObjectName(QStringLiteral("proxyUrlEdit"));
        m_proxyUrl->setPlaceholderText(tr("http://user:password@host:port"));
        m_proxyUrl->setEnabled(false);
        h->addWidget(m_proxyMode);
        h->addWidget(m_proxyUrl, 1);
        connectionForm->addRow(tr("HTTP proxy"), row);
        connect(m_proxyMode, &QComboBox::currentIndexChanged, this,
                [this](int index) { m_proxyUrl->setEnabled(index == ProxyUrl); });
    }
    m_caFile = fileField(this, tlsForm, tr("CA certificate"), QStringLiteral("caFileEdit"));
    m_caFile->setPlaceholderText(tr("system roots"));
    m_certFile = fileField(this, tlsForm, tr("Client certificate"), QStringLiteral("certFileEdit"));
    m_keyFile = fileField(this, tlsForm, tr("Client key"), QStringLiteral("keyFileEdit"));
    m_serverName = new QLineEdit(this);
    m_serverName->setPlaceholderText(tr("name checked against the certificate"));
    tlsForm->addRow(tr("Server name"), m_serverName);

    // Sizes in bytes and times in milliseconds, exactly as the engine takes them: 1000000 bytes
    // or 0.5 s from a grpcurl command or a workspace stay what they are.
    auto limit = [limitsForm](QSpinBox *box, const QString &label, const QString &name, const QString &zero) {
        box->setObjectName(name);
        box->setSpecialValueText(zero);
        limitsForm->addRow(label, box);
    };
    m_maxReceive = new UnitSpinBox(UnitSpinBox::Unit::Bytes, this);
    limit(m_maxReceive, tr("Max receive"), QStringLiteral("maxReceiveBox"), tr("default (4 MiB)"));
    m_maxSend = new UnitSpinBox(UnitSpinBox::Unit::Bytes, this);
    limit(m_maxSend, tr("Max send"), QStringLiteral("maxSendBox"), tr("unlimited"));
    m_keepalive = new UnitSpinBox(UnitSpinBox::Unit::Milliseconds, this);
    m_keepalive->setMaximum(86400 * 1000);
    limit(m_keepalive, tr("Keepalive"), QStringLiteral("keepaliveBox"), tr("off"));
    m_connectTimeout = new UnitSpinBox(UnitSpinBox::Unit::Milliseconds, this);
    m_connectTimeout->setMaximum(600 * 1000);
    limit(m_connectTimeout, tr("Connect timeout"), QStringLiteral("connectTimeoutBox"), tr("none"));
    m_connectTimeout->setValue(models::ConnectionSettings::kDefaultConnectTimeoutMs);
    m_gzip = new QCheckBox(tr("Compress requests with gzip"), this);
    limitsForm->addRow(QString(), m_gzip);
    m_captureWire = new QCheckBox(tr("Show HTTP/2 frames (wire tap)"), this);
    m_captureWire->setObjectName(QStringLiteral("captureWireBox"));
    m_captureWire->setToolTip(tr("Route the call through a local relay that decodes every HTTP/2 frame "
                                 "for the timeline's wire view; the bytes pass unchanged"));
    m_captureWire->setChecked(canCapture);
    m_captureWire->setEnabled(canCapture);
    limitsForm->addRow(QString(), m_captureWire);

    // The wheel scrolls the options, and changes a box only once it has been clicked: rolling
    // over the Protocol box switched gRPC to Connect without a word.
    for (QWidget *w : findChildren<QWidget *>()) {
        if (qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractSpinBox *>(w)) {
            w->setFocusPolicy(Qt::StrongFocus);
            w->installEventFilter(this);
        }
    }
    setVisible(false);
}

bool ConnectionOptions::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Wheel || !watched->isWidgetType() || static_cast<QWidget *>(watched)->hasFocus())
        return QGroupBox::eventFilter(watched, event);
    // Handed to the scroll area around the options, if there is one.
    for (QWidget *up = static_cast<QWidget *>(watched)->parentWidget(); up; up = up->parentWidget()) {
        if (auto *area = qobject_cast<QAbstractScrollArea *>(up)) {
            QCoreApplication::sendEvent(area->verticalScrollBar(), event);
            break;
        }
    }
    return true;
}

QWidget *ConnectionOptions::firstGroup() const
{
    return m_groups->itemAt(0)->widget();
}

void ConnectionOptions::resizeEvent(QResizeEvent *event)
{
    QGroupBox::resizeEvent(event);
    // Across when the groups fit the width side by side, else down. The narrowest width is one
    // group's: in a scroll area, a minimum of all three side by side would keep them across.
    int across = 0;
    int widest = 0;
    int groups = 0;
    for (int i = 0; i < m_groups->count(); ++i) {
        if (QWidget *w = m_groups->itemAt(i)->widget()) {
            across += w->sizeHint().width();
            widest = std::max(widest, w->minimumSizeHint().width());
            ++groups;
        }
    }
    across += (groups - 1) * m_groups->spacing();
    setMinimumWidth(widest);
    const auto direction = width() >= across ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
    if (m_groups->direction() != direction)
        m_groups->setDirection(direction);
}

void ConnectionOptions::setTls(bool tls)
{
    for (QWidget *w : {m_caFile->parentWidget(), m_certFile->parentWidget(), m_keyFile->parentWidget(),
                       static_cast<QWidget *>(m_serverName)})
        w->setEnabled(tls);
}

bool ConnectionOptions::captureWire() const
{
    return m_captureWire->isChecked();
}

models::ConnectionSettings ConnectionOptions::settings(bool plaintext, bool skipVerify) const
{
    models::ConnectionSettings c;
    c.plaintext = plaintext;
    c.skipVerify = skipVerify;
    if (!c.plaintext) {
        c.caFile = m_caFile->text().trimmed();
        c.certFile = m_certFile->text().trimmed();
        c.keyFile = m_keyFile->text().trimmed();
        c.serverName = m_serverName->text().trimmed();
    }
    c.authority = m_authority->text().trimmed();
    c.maxReceiveBytes = m_maxReceive->value();
    c.maxSendBytes = m_maxSend->value();
    c.keepaliveMs = m_keepalive->value();
    c.connectTimeoutMs = m_connectTimeout->value();
    c.gzip = m_gzip->isChecked();
    if (m_proxyMode->currentIndex() == ProxyNone)
        c.proxy = QString::fromLatin1(rpc::kNoProxy);
    else if (m_proxyMode->currentIndex() == ProxyUrl)
        c.proxy = m_proxyUrl->text().trimmed();
    return c;
}

void ConnectionOptions::apply(const models::ConnectionSettings &c)
{
    m_caFile->setText(c.caFile);
    m_certFile->setText(c.certFile);
    m_keyFile->setText(c.keyFile);
    m_serverName->setText(c.serverName);
    m_authority->setText(c.authority);
    m_maxReceive->setValue(c.maxReceiveBytes);
    m_maxSend->setValue(c.maxSendBytes);
    m_keepalive->setValue(c.keepaliveMs);
    m_connectTimeout->setValue(c.connectTimeoutMs);
    m_gzip->setChecked(c.gzip);
    const bool none = c.proxy == QLatin1String(rpc::kNoProxy);
    m_proxyMode->setCurrentIndex(c.proxy.isEmpty() ? ProxyFromEnvironment : none ? ProxyNone : ProxyUrl);
    m_proxyUrl->setText(none ? QString() : c.proxy);
}

} // namespace ui
