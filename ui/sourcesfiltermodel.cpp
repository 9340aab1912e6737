// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/sourcesfiltermodel.h"

#include "models/sourcesmodel.h"
#include "rpc/types.h"

#include <QIcon>

namespace ui {

using models::SourcesModel;

SourcesFilterModel::SourcesFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

bool SourcesFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (filterRegularExpression().pattern().isEmpty())
        return true;
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    // Sources always stay, so their state stays visible; children of a match stay too.
    if (idx.data(SourcesModel::NodeTypeRole).toInt() == int(SourcesModel::NodeType::Source))
        return true;
    for (QModelIndex p = sourceParent; p.isValid(); p = p.parent()) {
        if (p.data(SourcesModel::NodeTypeRole).toInt() == int(SourcesModel::NodeType::Service) &&
            p.data().toString().contains(filterRegularExpression()))
            return true;
    }
    return idx.data().toString().contains(filterRegularExpression());
}

QVariant SourcesFilterModel::data(const QModelIndex &index, int role) const
{
    if (role != Qt::DecorationRole)
        return QSortFilterProxyModel::data(index, role);
    static const QIcon unary(QStringLiteral(":/icons/method-unary.svg"));
    static const QIcon serverStream(QStringLiteral(":/icons/method-server-stream.svg"));
    static const QIcon clientStream(QStringLiteral(":/icons/method-client-stream.svg"));
    static const QIcon bidi(QStringLiteral(":/icons/method-bidi.svg"));
    static const QIcon service(QStringLiteral(":/icons/service.svg"));
    static const QIcon file(QStringLiteral(":/icons/source-file.svg"));
    static const QIcon protoset(QStringLiteral(":/icons/source-protoset.svg"));
    static const QIcon reflection(QStringLiteral(":/icons/source-reflection.svg"));
    static const QIcon failed(QStringLiteral(":/icons/source-failed.svg"));
    switch (SourcesModel::NodeType(index.data(SourcesModel::NodeTypeRole).toInt())) {
    case SourcesModel::NodeType::Method:
        switch (rpc::MethodKind(index.data(SourcesModel::MethodKindRole).toInt())) {
        case rpc::MethodKind::Unary:
            return unary;
        case rpc::MethodKind::ServerStreaming:
            return serverStream;
        case rpc::MethodKind::ClientStreaming:
            return clientStream;
        case rpc::MethodKind::BidiStreaming:
            return bidi;
        }
        return {};
    case SourcesModel::NodeType::Service:
        return service;
    case SourcesModel::NodeType::Source: {
        if (index.data(SourcesModel::StateRole).toInt() == int(SourcesModel::State::Failed))
            return failed;
        const auto *model = qobject_cast<const SourcesModel *>(sourceModel());
        const auto *spec = model ? model->spec(index.data(SourcesModel::SourceIdRole).toInt()) : nullptr;
        if (spec && spec->kind == models::SourceSpec::Kind::Reflection)
            return reflection;
        if (spec && spec->kind == models::SourceSpec::Kind::Protoset)
            return protoset;
        return file;
    }
    }
    return {};
}

} // namespace ui
