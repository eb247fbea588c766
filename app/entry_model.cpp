#include "entry_model.h"

#include "kernel.h"
#include "mm.h"
#include "trace.h"

#include <algorithm>

namespace {

QString bitsText(uint32_t bits, bool present) {
    QStringList out;
    if (present && (bits & mmt::Pte::write))
        out << QStringLiteral("W");
    if (bits & mmt::Pte::dirty)
        out << QStringLiteral("D");
    if (bits & mmt::Pte::young)
        out << QStringLiteral("Y");
    if (bits & mmt::Pte::soft_dirty)
        out << QStringLiteral("SD");
    if (bits & mmt::Pte::swp_exclusive)
        out << QStringLiteral("X");
    if (bits & mmt::Pte::protnone)
        out << QStringLiteral("PROT_NONE");
    return out.join(QLatin1Char(' '));
}

QString rangeText(const QString& vma, uint32_t first, uint32_t count) {
    if (count == 1)
        return QStringLiteral("%1[%2]").arg(vma).arg(first);
    return QStringLiteral("%1[%2..%3]").arg(vma).arg(first).arg(first + count - 1);
}

QString pageKey(const mmt::Kernel& kernel, mmt::Pfn pfn) {
    return QStringLiteral("page:%1").arg(kernel.folio(pfn).value);
}

uint64_t rowKey(mmt::VmaId vma, uint32_t first, EntryModel::Level level) {
    return (static_cast<uint64_t>(vma.value) << 32) | (static_cast<uint64_t>(first) << 1) | level;
}

EntryRow pteRow(const mmt::Kernel& kernel, mmt::Pte pte) {
    EntryRow row;
    row.bits = bitsText(pte.bits(), pte.is_present());
    if (pte.is_present()) {
        row.kind = EntryModel::Present;
        row.kindText = QString::fromLatin1(pte.has(mmt::Pte::write) ? "present-rw" : "present-ro");
        row.link = EntryModel::Solid;
    } else {
        row.kindText = QString::fromUtf8(mmt::pte_kind_name(pte.kind()).data());
        if (pte.is_swap_entry()) {
            row.kind = EntryModel::Swap;
            row.link = EntryModel::Dotted;
            row.target = QStringLiteral("slot %1").arg(pte.swap_slot().value);
            row.targetKey = QStringLiteral("slot:%1").arg(pte.swap_slot().value);
        } else if (pte.is_migration_entry()) {
            row.kind = EntryModel::Migration;
            row.link = EntryModel::Dashed;
        } else if (pte.is_device_private_entry()) {
            row.kind = EntryModel::DevicePrivate;
            row.link = EntryModel::Dotted;
        }
    }
    if (pte.has_pfn()) {
        row.targetPfn = static_cast<int>(pte.pfn().value);
        row.target = QString::fromStdString(kernel.page_name(pte.pfn()));
        row.targetKey = pageKey(kernel, pte.pfn());
    }
    return row;
}

EntryRow pmdRow(const mmt::Kernel& kernel, mmt::Pmd pmd) {
    EntryRow row;
    row.level = EntryModel::Pmd;
    row.bits = bitsText(pmd.bits(), pmd.is_trans_huge());
    if (pmd.is_trans_huge()) {
        row.kind = EntryModel::Thp;
        row.kindText = QString::fromLatin1(pmd.has(mmt::Pte::write) ? "thp-rw" : "thp-ro");
        row.link = EntryModel::Solid;
    } else if (pmd.is_huge_zero()) {
        row.kind = EntryModel::HugeZero;
        row.kindText = QStringLiteral("huge-zero");
        row.link = EntryModel::Solid;
    } else {
        row.kind = EntryModel::PmdMigration;
        row.kindText = QString::fromUtf8(mmt::pmd_kind_name(pmd.kind()).data());
        row.link = EntryModel::Dashed;
    }
    row.targetPfn = static_cast<int>(pmd.head().value);
    row.target = QStringLiteral("THP ") + QString::fromStdString(kernel.page_name(pmd.head()));
    row.targetKey = pageKey(kernel, pmd.head());
    return row;
}

// Two neighbouring PTEs a collapsed row can stand for together: the same
// kind and the same bits (the write bit included) give the same kind text and
// bits text, so this needs no strings.
bool alike(mmt::Pte a, mmt::Pte b) {
    return a.kind() == b.kind() && a.bits() == b.bits();
}

// What a run of `count` like PTEs from `first` refers to: one folio (a THP
// mapped by PTEs) gets an arrow to its card, many pages an arrow to the
// section that holds them.
void describeRunTarget(const mmt::Kernel& kernel, mmt::VmaId vma, uint32_t first, uint32_t count,
                       EntryRow& row) {
    if (row.kind == EntryModel::Swap) {
        row.target = QStringLiteral("%1 swap slots").arg(count);
        row.targetKey = QStringLiteral("section:swap");
        row.targetPfn = 0;
        return;
    }
    const mmt::Pte head = kernel.pte(vma, first);
    bool oneFolio = head.has_pfn();
    const mmt::Pfn folio = oneFolio ? kernel.folio(head.pfn()) : mmt::Pfn(0);
    for (uint32_t i = 1; oneFolio && i < count; ++i) {
        const mmt::Pte pte = kernel.pte(vma, first + i);
        oneFolio = pte.has_pfn() && kernel.folio(pte.pfn()) == folio;
    }
    if (oneFolio) {
        // The count is in the kind ("present-rw ×512"): the target stays short
        // enough to be read whole in the row.
        row.target = QStringLiteral("subpages of %1").arg(QString::fromStdString(kernel.page_name(folio)));
        row.targetKey = pageKey(kernel, folio);
        return;
    }
    const bool device = row.kind == EntryModel::DevicePrivate;
    row.target = QStringLiteral("%1 %2").arg(count).arg(device ? "device pages" : "pages");
    row.targetKey = device ? QStringLiteral("section:device") : QStringLiteral("section:pages");
    row.targetPfn = 0;
}

} // namespace

EntryModel::EntryModel(mmt::ProcessId process, QObject* parent) : RowListModel(parent), process_(process) {}

void EntryModel::load(const mmt::Kernel& kernel) {
    kernel_ = &kernel;
    resetRows(build(kernel));
}

void EntryModel::update(const mmt::Kernel& kernel) {
    kernel_ = &kernel;
    replaceRows(build(kernel));
}

bool EntryModel::isExpanded(uint32_t vma, uint32_t index) const {
    return std::any_of(expanded_.begin(), expanded_.end(), [&](const Expanded& range) {
        return range.vma == vma && index >= range.first && index < range.end;
    });
}

void EntryModel::expandRange(int vmaId, int first, int count) {
    if (kernel_ == nullptr || vmaId < 0 || first < 0 || count <= 0)
        return;
    expanded_.push_back({static_cast<uint32_t>(vmaId), static_cast<uint32_t>(first),
                         static_cast<uint32_t>(first) + static_cast<uint32_t>(count)});
    replaceRows(build(*kernel_));
    emit expandedChanged();
}

void EntryModel::collapseAll() {
    if (expanded_.empty())
        return;
    expanded_.clear();
    if (kernel_ != nullptr)
        replaceRows(build(*kernel_));
    emit expandedChanged();
}

std::vector<EntryRow> EntryModel::build(const mmt::Kernel& kernel) const {
    std::vector<EntryRow> rows;
    if (process_.value >= kernel.process_count())
        return rows;
    for (mmt::VmaId vmaId : kernel.vmas_of(process_)) {
        const mmt::Vma& vma = kernel.vma(vmaId);
        const QString name = QString::fromStdString(kernel.strings().text(vma.name));
        uint32_t index = 0;
        while (index < vma.npages) {
            const uint32_t pmdIndex = index / mmt::kPagesPerPmd;
            const uint32_t pmdEnd = std::min(vma.npages, (pmdIndex + 1) * mmt::kPagesPerPmd);
            const mmt::Pmd pmd = kernel.pmd(vmaId, pmdIndex);
            EntryRow row;
            uint32_t count = 1;
            if (!pmd.is_none() && !pmd.is_table()) {
                row = pmdRow(kernel, pmd);
                count = pmdEnd - index;
            } else if (const mmt::Pte pte = kernel.pte(vmaId, index); !pte.is_none()) {
                row = pteRow(kernel, pte);
                // A run of like entries, within this page table, none of them expanded.
                while (index + count < pmdEnd && !isExpanded(vmaId.value, index + count) &&
                       alike(pte, kernel.pte(vmaId, index + count)))
                    ++count;
                if (count >= kMinCollapsedRun && !isExpanded(vmaId.value, index)) {
                    row.collapsed = true;
                    describeRunTarget(kernel, vmaId, index, count, row);
                } else {
                    count = 1;
                }
            } else {
                // A run of none entries, split where the VMA's coverage changes.
                const bool mapped = kernel.vma_page(vmaId, index) & mmt::VMA_mapped;
                while (index + count < pmdEnd && kernel.pte(vmaId, index + count).is_none() &&
                       static_cast<bool>(kernel.vma_page(vmaId, index + count) & mmt::VMA_mapped) == mapped)
                    ++count;
                row.kind = mapped ? None : Unmapped;
                row.kindText = QString::fromLatin1(mapped ? "none" : "unmapped");
            }
            row.key = rowKey(vmaId, index, static_cast<Level>(row.level));
            row.vma = name;
            row.vmaId = static_cast<int>(vmaId.value);
            row.firstIndex = static_cast<int>(index);
            row.pageCount = static_cast<int>(count);
            row.address = rangeText(name, index, count);
            rows.push_back(std::move(row));
            index += count;
        }
    }
    return rows;
}

QList<int> EntryModel::changedRoles(const EntryRow& before, const EntryRow& after) const {
    QList<int> roles;
    if (before.address != after.address)
        roles << AddressRole;
    if (before.pageCount != after.pageCount)
        roles << PageCountRole;
    if (before.level != after.level)
        roles << LevelRole;
    if (before.kind != after.kind)
        roles << KindRole;
    if (before.kindText != after.kindText)
        roles << KindTextRole;
    if (before.bits != after.bits)
        roles << BitsRole;
    if (before.target != after.target)
        roles << TargetRole;
    if (before.targetKey != after.targetKey)
        roles << TargetKeyRole;
    if (before.targetPfn != after.targetPfn)
        roles << TargetPfnRole;
    if (before.link != after.link)
        roles << LinkRole;
    if (before.collapsed != after.collapsed)
        roles << CollapsedRole;
    // Keys are equal, so VMA and first index are too.
    return roles;
}

QVariant EntryModel::data(const QModelIndex& index, int role) const {
    const EntryRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case AddressRole:
        return row->address;
    case VmaRole:
        return row->vma;
    case FirstIndexRole:
        return row->firstIndex;
    case PageCountRole:
        return row->pageCount;
    case LevelRole:
        return row->level;
    case KindRole:
        return row->kind;
    case KindTextRole:
        return row->kindText;
    case BitsRole:
        return row->bits;
    case TargetRole:
        return row->target;
    case TargetKeyRole:
        return row->targetKey;
    case TargetPfnRole:
        return row->targetPfn;
    case LinkRole:
        return row->link;
    case VmaIdRole:
        return row->vmaId;
    case CollapsedRole:
        return row->collapsed;
    default:
        return {};
    }
}

QHash<int, QByteArray> EntryModel::roleNames() const {
    return {
        {AddressRole, "address"},       {VmaRole, "vma"},
        {FirstIndexRole, "firstIndex"}, {PageCountRole, "pageCount"},
        {LevelRole, "level"},           {KindRole, "kind"},
        {KindTextRole, "kindText"},     {BitsRole, "bits"},
        {TargetRole, "target"},         {TargetKeyRole, "targetKey"},
        {TargetPfnRole, "targetPfn"},   {LinkRole, "link"},
        {VmaIdRole, "vmaId"},           {CollapsedRole, "collapsed"},
    };
}
