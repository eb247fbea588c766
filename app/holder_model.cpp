#include "holder_model.h"

#include "invariants.h"
#include "kernel.h"

namespace {

// A released reference whose name a later `as H` took: the scenario's later
// lines mean the new one, so the stage shows that one alone.
bool supersededByName(const mmt::Kernel& kernel, uint32_t id) {
    const mmt::Holder& holder = kernel.holder(mmt::HolderId(id));
    if (holder.released == 0)
        return false;
    for (uint32_t later = id + 1; later < kernel.holder_count(); ++later)
        if (kernel.holder(mmt::HolderId(later)).name == holder.name)
            return true;
    return false;
}

} // namespace

std::vector<HolderRow> HolderModel::build(const mmt::Kernel& kernel) {
    std::vector<HolderRow> rows;
    for (uint32_t id = 0; id < kernel.holder_count(); ++id) {
        if (supersededByName(kernel, id))
            continue;
        const mmt::Holder& holder = kernel.holder(mmt::HolderId(id));
        HolderRow row;
        row.key = id;
        row.name = QString::fromStdString(kernel.strings().text(holder.name));
        row.kind = holder.kind == mmt::HolderKind::pin ? QStringLiteral("pin") : QStringLiteral("get");
        row.write = holder.write;
        row.longterm = holder.longterm;
        row.fast = holder.fast;
        row.pfn = static_cast<int>(holder.pfn.value);
        if (holder.pfn.value != 0) {
            row.page = QString::fromStdString(kernel.page_name(holder.pfn));
            // A subpage has no card of its own: name the THP card it is part of.
            const mmt::Pfn head = kernel.folio(holder.pfn);
            if (head != holder.pfn)
                row.page += QStringLiteral(" (subpage %1 of THP page #%2)")
                                .arg(holder.pfn.value - head.value)
                                .arg(head.value);
            row.targetKey = QStringLiteral("page:%1").arg(kernel.folio(holder.pfn).value);
        }
        if (holder.process.value != 0) {
            row.address = QString::fromStdString(kernel.address_name(holder.vma, holder.index));
            row.processExited = kernel.process(holder.process).alive == 0;
        }
        row.released = holder.released != 0;
        row.detached = holder.detached != 0;
        row.incoherent = !mmt::holder_coherent(kernel, mmt::HolderId(id));
        rows.push_back(std::move(row));
    }
    return rows;
}

QVariant HolderModel::data(const QModelIndex& index, int role) const {
    const HolderRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row->name;
    case KindRole:
        return row->kind;
    case WriteRole:
        return row->write;
    case LongtermRole:
        return row->longterm;
    case FastRole:
        return row->fast;
    case PfnRole:
        return row->pfn;
    case PageRole:
        return row->page;
    case TargetKeyRole:
        return row->targetKey;
    case AddressRole:
        return row->address;
    case ReleasedRole:
        return row->released;
    case DetachedRole:
        return row->detached;
    case HolderIdRole:
        return row->key;
    case ProcessExitedRole:
        return row->processExited;
    case IncoherentRole:
        return row->incoherent;
    default:
        return {};
    }
}

QHash<int, QByteArray> HolderModel::roleNames() const {
    return {{NameRole, "name"},
            {KindRole, "kind"},
            {WriteRole, "write"},
            {LongtermRole, "longterm"},
            {FastRole, "fast"},
            {PfnRole, "pfn"},
            {PageRole, "page"},
            {TargetKeyRole, "targetKey"},
            {AddressRole, "address"},
            {ReleasedRole, "released"},
            {DetachedRole, "detached"},
            {HolderIdRole, "holderId"},
            {ProcessExitedRole, "processExited"},
            {IncoherentRole, "incoherent"}};
}
