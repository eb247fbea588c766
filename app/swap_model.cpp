#include "swap_model.h"

#include "kernel.h"

std::vector<SwapRow> SwapModel::build(const mmt::Kernel& kernel) {
    std::vector<SwapRow> rows;
    const uint32_t end = kernel.state().swap_slots.size();
    for (uint32_t slot = 1; slot < end; ++slot) {
        const mmt::SwapSlotInfo& info = kernel.swap_slot(mmt::SwapSlot(slot));
        if (info.count == 0 && info.cache_pfn == 0)
            continue;
        SwapRow row;
        row.key = slot;
        row.count = static_cast<int>(info.count);
        row.cachePfn = static_cast<int>(info.cache_pfn);
        if (info.cache_pfn != 0) {
            row.cachePage = QString::fromStdString(kernel.page_name(mmt::Pfn(info.cache_pfn)));
            row.cacheDirty = kernel.page(mmt::Pfn(info.cache_pfn)).test(mmt::PG_dirty);
        }
        row.contents = QString::fromStdString(kernel.strings().text(info.contents));
        // Where the page was swapped out from: the slot keeps no anon_vma or
        // index of its own in the kernel (the model's note of it serves the
        // invariant checker), so the card says it as an address, not a field.
        if (info.anon_vma != 0)
            row.owner = QStringLiteral("swapped out from %1[%2]")
                            .arg(QString::fromStdString(kernel.strings().text(info.anon_vma)))
                            .arg(info.index);
        rows.push_back(std::move(row));
    }
    return rows;
}

QVariant SwapModel::data(const QModelIndex& index, int role) const {
    const SwapRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case SlotRole:
        return row->key;
    case CardKeyRole:
        return QStringLiteral("slot:%1").arg(row->key);
    case CountRole:
        return row->count;
    case CachePfnRole:
        return row->cachePfn;
    case CachePageRole:
        return row->cachePage;
    case ContentsRole:
        return row->contents;
    case OwnerRole:
        return row->owner;
    case CacheDirtyRole:
        return row->cacheDirty;
    default:
        return {};
    }
}

QHash<int, QByteArray> SwapModel::roleNames() const {
    return {{SlotRole, "slot"},         {CardKeyRole, "cardKey"},      {CountRole, "count"},
            {CachePfnRole, "cachePfn"}, {CachePageRole, "cachePage"},  {ContentsRole, "contents"},
            {OwnerRole, "owner"},       {CacheDirtyRole, "cacheDirty"}};
}
