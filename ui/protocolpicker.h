// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/protocolchoice.h"

#include <QWidget>

class QComboBox;

namespace ui {

// How a request goes over the wire, in one row: the protocol (the default, gRPC, gRPC-Web,
// gRPC-Web base64 or Connect), the HTTP version (web protocols only) and Connect's codec. Each
// box may be left at its first entry, "default", which the request file then leaves out; the
// entry says what the default is (the workspace's, else gRPC, the protocol's version, proto).
class ProtocolPicker final : public QWidget
{
    Q_OBJECT

public:
    explicit ProtocolPicker(QWidget *parent = nullptr);

    models::ProtocolChoice choice() const;
    void setChoice(const models::ProtocolChoice &choice);
    // What the request gets where it says nothing (the workspace's "defaults"). Not a change of
    // the choice: changed() does not follow.
    void setFallback(const models::ProtocolChoice &fallback);
    // The choice as sent: this one over the fallback.
    models::ProtocolChoice effective() const { return choice().over(m_fallback); }

signals:
    void changed(); // by the user or by setChoice

private:
    void relabel();

    QComboBox *m_protocol = nullptr;
    QComboBox *m_version = nullptr;
    QComboBox *m_codec = nullptr;
    models::ProtocolChoice m_fallback;
};

} // namespace ui
