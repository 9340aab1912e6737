// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>

namespace ui {

// The workspace tree as shown: filtered by the filter box (a method, service or source whose
// name matches stays, with its parents and children) and decorated with call-kind icons.
class SourcesFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit SourcesFilterModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
};

} // namespace ui
