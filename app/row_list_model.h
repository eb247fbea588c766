// A list model whose rows are plain values rebuilt from the kernel state.
// Navigation never resets it: replaceRows() compares the fresh rows with the
// shown ones and emits the smallest set of signals (removals and insertions
// where the row keys differ, dataChanged for rows whose values changed), so
// a view animates exactly what a kernel step touched.
#pragma once

#include <cstddef>
#include <vector>

#include <QAbstractListModel>

// Row needs a `key` member (identity across steps) and operator==.
template <typename Row>
class RowListModel : public QAbstractListModel {
public:
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : static_cast<int>(rows_.size());
    }

    // No scenario: no rows.
    void clear() { resetRows({}); }

protected:
    // The row an index stands for, or nullptr for an index that is not ours.
    const Row* rowAt(const QModelIndex& index) const {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return nullptr;
        return &rows_[static_cast<std::size_t>(index.row())];
    }

    // A new scenario: nothing on screen relates to what was there.
    void resetRows(std::vector<Row> fresh) {
        beginResetModel();
        rows_ = std::move(fresh);
        endResetModel();
    }

    void replaceRows(std::vector<Row> fresh) {
        const std::size_t oldCount = rows_.size();
        const std::size_t newCount = fresh.size();
        std::size_t prefix = 0;
        while (prefix < oldCount && prefix < newCount && rows_[prefix].key == fresh[prefix].key)
            ++prefix;
        std::size_t suffix = 0;
        while (suffix < oldCount - prefix && suffix < newCount - prefix &&
               rows_[oldCount - 1 - suffix].key == fresh[newCount - 1 - suffix].key)
            ++suffix;
        if (oldCount - prefix - suffix > 0) {
            beginRemoveRows({}, static_cast<int>(prefix), static_cast<int>(oldCount - suffix - 1));
            rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(prefix),
                        rows_.begin() + static_cast<std::ptrdiff_t>(oldCount - suffix));
            endRemoveRows();
        }
        if (newCount - prefix - suffix > 0) {
            beginInsertRows({}, static_cast<int>(prefix), static_cast<int>(newCount - suffix - 1));
            rows_.insert(rows_.begin() + static_cast<std::ptrdiff_t>(prefix),
                         fresh.begin() + static_cast<std::ptrdiff_t>(prefix),
                         fresh.begin() + static_cast<std::ptrdiff_t>(newCount - suffix));
            endInsertRows();
        }
        // Keys now match row for row; announce the rows whose values moved on,
        // one signal per run of neighbours that changed in the same roles, so
        // a delegate re-evaluates only the bindings that read those roles.
        int runStart = -1;
        QList<int> runRoles;
        for (std::size_t i = 0; i <= newCount; ++i) {
            const bool changed = i < newCount && !(rows_[i] == fresh[i]);
            QList<int> roles;
            if (changed)
                roles = changedRoles(rows_[i], fresh[i]);
            if (runStart >= 0 && (!changed || roles != runRoles)) {
                emit dataChanged(index(runStart), index(static_cast<int>(i) - 1), runRoles);
                runStart = -1;
            }
            if (changed) {
                rows_[i] = std::move(fresh[i]);
                if (runStart < 0) {
                    runStart = static_cast<int>(i);
                    runRoles = roles;
                }
            }
        }
    }

    // The roles whose values differ between two versions of one row; empty
    // means "all of them".
    virtual QList<int> changedRoles(const Row& before, const Row& after) const {
        Q_UNUSED(before);
        Q_UNUSED(after);
        return {};
    }

    std::vector<Row> rows_;
};
