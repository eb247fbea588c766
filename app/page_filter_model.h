// One part of physical memory for one view: the huge folios (THP cards that
// expand into their subpages) or the small ones (a virtualized grid of
// cards). Forwards the PageModel's precise dataChanged signals.
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

class PageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    QML_ELEMENT
    // true: only folios of more than one page; false: only single pages.
    Q_PROPERTY(bool huge READ huge WRITE setHuge NOTIFY hugeChanged FINAL)
    Q_PROPERTY(int count READ count NOTIFY countChanged FINAL)

public:
    explicit PageFilterModel(QObject* parent = nullptr);

    bool huge() const { return huge_; }
    void setHuge(bool huge);
    int count() const { return rowCount(); }
    // The row of the card whose key is `cardKey` ("page:12"), or -1.
    Q_INVOKABLE int rowOfCard(const QString& cardKey) const;

signals:
    void hugeChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    bool huge_ = false;
};
