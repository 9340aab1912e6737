// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/protocolpicker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QListView>
#include <QSignalBlocker>
#include <QStandardItemModel>

namespace ui {

namespace {

constexpr int kUnset = -1;

// The entry whose data is `value` (kUnset for the default entry).
void select(QComboBox *box, int value)
{
    box->setCurrentIndex(std::max(0, box->findData(value)));
}

// The explicit entry for what the default entry already stands for is hidden (a box listed
// "gRPC (default)" and "gRPC"), unless it is the one chosen.
void hideTwinOfDefault(QComboBox *box, std::optional<int> defaultValue)
{
    auto *view = qobject_cast<QListView *>(box->view());
    auto *model = qobject_cast<QStandardItemModel *>(box->model());
    for (int row = 1; row < box->count(); ++row) {
        const bool twin = defaultValue && box->itemData(row).toInt() == *defaultValue && row != box->currentIndex();
        if (view)
            view->setRowHidden(row, twin);
        if (QStandardItem *item = model ? model->item(row) : nullptr)
            item->setEnabled(!twin); // the keys and the wheel skip it too
    }
}

template<typename T> std::optional<T> chosen(const QComboBox *box)
{
    const int value = box->currentData().toInt();
    return value == kUnset ? std::nullopt : std::optional<T>(static_cast<T>(value));
}

} // namespace

ProtocolPicker::ProtocolPicker(QWidget *parent)
    : QWidget(parent)
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    m_protocol = new QComboBox(this);
    m_protocol->setObjectName(QStringLiteral("protocolBox"));
    m_protocol->addItem(QString(), kUnset);
    for (rpc::Protocol p : {rpc::Protocol::Grpc, rpc::Protocol::GrpcWeb, rpc::Protocol::GrpcWebText, rpc::Protocol::Connect})
        m_protocol->addItem(models::protocolLabel(p), int(p));
    m_protocol->setToolTip(tr("gRPC over HTTP/2, gRPC-Web (binary or base64, as browsers and Envoy speak it) or "
                              "the Connect protocol; web protocols take host:port or a URL with a path prefix"));
    m_version = new QComboBox(this);
    m_version->setObjectName(QStringLiteral("httpVersionBox"));
    m_version->addItem(QString(), kUnset);
    m_version->addItem(tr("HTTP/1.1"), int(rpc::HttpVersion::Http1));
    m_version->addItem(tr("HTTP/2"), int(rpc::HttpVersion::Http2));
    m_version->setToolTip(tr("The HTTP version of a gRPC-Web or Connect call. Auto: HTTP/1.1 without TLS, "
                             "what the server offers with TLS. HTTP/2 without TLS is h2c (prior knowledge)."));
    m_codec = new QComboBox(this);
    m_codec->setObjectName(QStringLiteral("codecBox"));
    m_codec->addItem(QString(), kUnset);
    m_codec->addItem(tr("Protobuf"), int(rpc::ContentCodec::Proto));
    m_codec->addItem(tr("JSON"), int(rpc::ContentCodec::Json));
    m_codec->setToolTip(tr("How Connect encodes messages: protobuf binary (application/proto) or JSON "
                           "(application/json). gRPC and gRPC-Web always send protobuf."));
    row->addWidget(m_protocol, 2);
    row->addWidget(m_version, 1);
    row->addWidget(m_codec, 1);
    for (QComboBox *box : {m_protocol, m_version, m_codec}) {
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            relabel();
            emit changed();
        });
    }
    relabel();
}

models::ProtocolChoice ProtocolPicker::choice() const
{
    return {chosen<rpc::Protocol>(m_protocol), chosen<rpc::HttpVersion>(m_version), chosen<rpc::ContentCodec>(m_codec)};
}

void ProtocolPicker::setChoice(const models::ProtocolChoice &choice)
{
    {
        const QSignalBlocker a(m_protocol), b(m_version), c(m_codec);
        select(m_protocol, choice.protocol ? int(*choice.protocol) : kUnset);
        select(m_version, choice.httpVersion ? int(*choice.httpVersion) : kUnset);
        select(m_codec, choice.codec ? int(*choice.codec) : kUnset);
    }
    relabel();
    emit changed();
}

void ProtocolPicker::setFallback(const models::ProtocolChoice &fallback)
{
    m_fallback = fallback;
    relabel();
}

// The default entries say what the default is; the boxes a protocol has no use for are off.
void ProtocolPicker::relabel()
{
    const models::ProtocolChoice now = effective();
    m_protocol->setItemText(0, m_fallback.protocol
                                   ? tr("%1 (workspace default)").arg(models::protocolLabel(*m_fallback.protocol))
                                   : tr("%1 (default)").arg(models::protocolLabel(rpc::Protocol::Grpc)));
    // What the default entries stand for: the fallback's only when the protocol is not chosen.
    const models::ProtocolChoice base = choice().protocol ? models::ProtocolChoice{} : m_fallback;
    m_version->setItemText(0, base.httpVersion ? tr("%1 (default)").arg(m_version->itemText(m_version->findData(int(*base.httpVersion))))
                                               : tr("HTTP: auto"));
    m_codec->setItemText(0, base.codec ? tr("%1 (default)").arg(m_codec->itemText(m_codec->findData(int(*base.codec))))
                                       : tr("Protobuf (default)"));
    hideTwinOfDefault(m_protocol, int(m_fallback.protocol.value_or(rpc::Protocol::Grpc)));
    hideTwinOfDefault(m_version, base.httpVersion ? std::optional<int>(int(*base.httpVersion)) : std::nullopt);
    hideTwinOfDefault(m_codec, int(base.codec.value_or(rpc::ContentCodec::Proto)));
    m_version->setEnabled(now.effectiveProtocol() != rpc::Protocol::Grpc);
    m_codec->setEnabled(now.effectiveProtocol() == rpc::Protocol::Connect);
}

} // namespace ui
