// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/sourcesfiltermodel.h"

#include "ui/icons.h"

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
    switch (SourcesModel::NodeType(index.data(SourcesModel::NodeTypeRole).toInt())) {
    case SourcesModel::NodeType::Method:
        return icons::method(rpc::MethodKind(index.data(SourcesModel::MethodKindRole).toInt()));
    case SourcesModel::NodeType::Service:
        return icons::service();
    case SourcesModel::NodeType::Source: {
        if (index.data(SourcesModel::StateRole).toInt() == int(SourcesModel::State::Failed))
            return icons::failedSource();
        const auto *model = qobject_cast<const SourcesModel *>(sourceModel());
        const auto *spec = model ? model->spec(index.data(SourcesModel::SourceIdRole).toInt()) : nullptr;
        return icons::source(spec ? spec->kind : models::SourceSpec::Kind::ProtoFiles);
    }
    }
    return {};
}

} // namespace ui
