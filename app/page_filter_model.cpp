#include "page_filter_model.h"

#include "page_model.h"

PageFilterModel::PageFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    // A folio split in place changes its page count under the same key:
    // changed rows are filtered again (there is no sorting).
    setDynamicSortFilter(true);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(this, signal, this, &PageFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &PageFilterModel::countChanged);
}

void PageFilterModel::setHuge(bool huge) {
    if (huge == huge_)
        return;
    huge_ = huge;
    invalidateFilter();
    emit hugeChanged();
    emit countChanged();
}

int PageFilterModel::rowOfCard(const QString& cardKey) const {
    for (int row = 0; row < rowCount(); ++row)
        if (data(index(row, 0), PageModel::CardKeyRole).toString() == cardKey)
            return row;
    return -1;
}

bool PageFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex source = sourceModel()->index(sourceRow, 0, sourceParent);
    return (sourceModel()->data(source, PageModel::PageCountRole).toInt() > 1) == huge_;
}
