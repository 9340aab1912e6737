// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/connectionsettings.h"

#include <QGroupBox>

class QBoxLayout;
class QCheckBox;
class QComboBox;
class QLineEdit;

namespace ui {

class ProtocolPicker;
class UnitSpinBox;

// A request tab's connection options, in three groups: the protocol, authority and HTTP proxy;
// TLS files and names; limits in bytes, keepalive and connect timeout in milliseconds, gzip and
// the wire tap. Plaintext or TLS is
// chosen beside the target; these fields follow it.
class ConnectionOptions final : public QGroupBox
{
    Q_OBJECT

public:
    // With `canCapture`, calls may go through the wire tap (on by default).
    explicit ConnectionOptions(bool canCapture, QWidget *parent = nullptr);

    // The settings shown, exactly; `plaintext` and `skipVerify` come from the security choice.
    models::ConnectionSettings settings(bool plaintext, bool skipVerify) const;
    // Shows `settings` (all but plaintext/skip-verify, which the caller shows).
    void apply(const models::ConnectionSettings &settings);
    // The TLS fields take input only with TLS.
    void setTls(bool tls);
    bool captureWire() const;
    // The request's protocol, HTTP version and codec (the first row).
    ProtocolPicker *protocol() const { return m_protocol; }
    // The group shown first: protocol, authority and proxy.
    QWidget *firstGroup() const;

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QBoxLayout *m_groups = nullptr;
    ProtocolPicker *m_protocol = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_certFile = nullptr;
    QLineEdit *m_keyFile = nullptr;
    QLineEdit *m_authority = nullptr;
    QLineEdit *m_serverName = nullptr;
    QComboBox *m_proxyMode = nullptr;
    QLineEdit *m_proxyUrl = nullptr;
    UnitSpinBox *m_maxReceive = nullptr;
    UnitSpinBox *m_maxSend = nullptr;
    UnitSpinBox *m_keepalive = nullptr;
    UnitSpinBox *m_connectTimeout = nullptr;
    QCheckBox *m_gzip = nullptr;
    QCheckBox *m_captureWire = nullptr;
};

} // namespace ui
