// The swap device: one row per slot in use (referenced by swap entries or
// holding a swap cache page).
#pragma once

#include "row_list_model.h"

#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct SwapRow {
    uint32_t key = 0;        // slot
    int count = 0;           // swap_map: swap entries that refer to the slot
    int cachePfn = 0;        // the swap cache page, 0 if none
    QString cachePage;       // "page #12"
    bool cacheDirty = false; // the swap cache page holds data the slot does not have
    QString contents;        // what was written out
    QString owner;           // "swapped out from buf[0]"
    bool operator==(const SwapRow&) const = default;
};

class SwapModel : public RowListModel<SwapRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("swap slots come from Session")

public:
    enum Role {
        SlotRole = Qt::UserRole + 1,
        CardKeyRole,
        CountRole,
        CachePfnRole,
        CachePageRole,
        ContentsRole,
        OwnerRole,
        CacheDirtyRole,
    };
    Q_ENUM(Role)

    using RowListModel::RowListModel;

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel) { resetRows(build(kernel)); }
    void update(const mmt::Kernel& kernel) { replaceRows(build(kernel)); }

private:
    static std::vector<SwapRow> build(const mmt::Kernel& kernel);
};
