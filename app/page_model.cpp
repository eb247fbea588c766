#include "page_model.h"

#include "kernel.h"
#include "trace.h"

#include <algorithm>

#include <QVariantMap>

namespace {

// Subpages of a THP shown one by one: the ones someone wrote, maps by PTE, or
// that carry the exclusive bit. The rest are counted.
constexpr int kMaxListedSubpages = 32;

QString text(const mmt::Kernel& kernel, uint32_t id) {
    return QString::fromStdString(kernel.strings().text(id));
}

QStringList badges(uint32_t flags) {
    // Flags with a card of their own (exclusive, zero, device, swapcache, ksm)
    // and the bookkeeping ones are left out.
    constexpr uint32_t shownElsewhere = mmt::PG_anon_exclusive | mmt::PG_zero | mmt::PG_device_private |
                                        mmt::PG_swapcache | mmt::PG_ksm | mmt::PG_head | mmt::PG_tail |
                                        mmt::PG_allocated;
    const std::string listed = mmt::page_flags_text(flags & ~shownElsewhere);
    if (listed == "-")
        return {};
    return QString::fromStdString(listed).split(QLatin1Char(','));
}

PageRow folioRow(const mmt::Kernel& kernel, mmt::Pfn head) {
    const mmt::Page& page = kernel.page(head);
    PageRow row;
    row.key = head.value;
    row.name = QString::fromStdString(kernel.page_name(head));
    row.contents = text(kernel, page.contents);
    row.refcount = page.refcount;
    row.mapcount = kernel.folio_mapcount(head);
    row.entireMapcount = page.entire_mapcount;
    row.pincount = page.pincount;
    row.inFlight = page.in_flight;
    row.maybePinned = kernel.folio_maybe_dma_pinned(head);
    row.anonExclusive = page.test(mmt::PG_anon_exclusive);
    row.zero = page.test(mmt::PG_zero);
    row.device = page.test(mmt::PG_device_private);
    row.swapCache = page.test(mmt::PG_swapcache);
    row.swapSlot = row.swapCache ? static_cast<int>(page.swap_slot) : 0;
    row.ksm = page.test(mmt::PG_ksm);
    row.pageCount = static_cast<int>(kernel.folio_nr_pages(head));
    row.flags = badges(page.flags);
    if (page.anon_vma != 0)
        row.owner =
            QStringLiteral("anon_vma of %1, index\u00a0%2").arg(text(kernel, page.anon_vma)).arg(page.index);
    if (row.pageCount > 1 && !row.zero) {
        row.subpageStates.reserve(row.pageCount);
        for (int i = 0; i < row.pageCount; ++i) {
            const mmt::Pfn pfn(head.value + static_cast<uint32_t>(i));
            const mmt::Page& subpage = kernel.page(pfn);
            const bool exclusive = subpage.test(mmt::PG_anon_exclusive);
            row.anonExclusive = row.anonExclusive || exclusive;
            // While a PMD maps the THP the head's exclusive bit stands for all
            // 512 subpages; a subpage's own bit means something once a PTE maps it.
            const bool ownExclusiveCounts = subpage.mapcount > 0;
            const int difference = (subpage.contents != 0 ? PageModel::Written : 0) |
                                   (subpage.mapcount != page.mapcount ? PageModel::MapcountDiffers : 0) |
                                   (ownExclusiveCounts && exclusive != page.test(mmt::PG_anon_exclusive)
                                        ? PageModel::ExclusiveDiffers
                                        : 0);
            row.subpageStates +=
                difference == 0 ? QLatin1Char('.') : QLatin1Char(static_cast<char>('0' + difference));
            row.differingSubpages += (difference & ~PageModel::Written) != 0 ? 1 : 0;
            row.writtenSubpages += subpage.contents != 0 ? 1 : 0;
            const bool interesting = subpage.contents != 0 || subpage.mapcount != 0 || exclusive;
            if (!interesting || row.subpages.size() >= kMaxListedSubpages) {
                ++row.otherSubpages;
                continue;
            }
            row.subpages.append(QVariantMap{
                {QStringLiteral("pfn"), pfn.value},
                {QStringLiteral("index"), i},
                {QStringLiteral("contents"), text(kernel, subpage.contents)},
                {QStringLiteral("mapcount"), subpage.mapcount},
                {QStringLiteral("anonExclusive"), exclusive},
            });
        }
    }
    return row;
}

} // namespace

PageModel::PageModel(Memory memory, QObject* parent) : RowListModel(parent), memory_(memory) {}

void PageModel::load(const mmt::Kernel& kernel) {
    seen_.clear(); // nothing shown can be reused
    rows_.clear();
    resetRows(build(kernel));
}

std::vector<PageRow> PageModel::build(const mmt::Kernel& kernel) {
    std::vector<PageRow> rows;
    const uint32_t end = kernel.state().pages.size();
    seen_.resize(end);
    size_t previous = 0; // walks rows_, which is in pfn order too
    for (uint32_t pfn = 1; pfn < end;) {
        const mmt::Page& page = kernel.page(mmt::Pfn(pfn));
        if (!page.test(mmt::PG_allocated) || page.test(mmt::PG_tail)) {
            ++pfn;
            continue;
        }
        const uint32_t count = std::min(end - pfn, 1u << page.order);
        const bool device = page.test(mmt::PG_device_private);
        if (device == (memory_ == Memory::device)) {
            while (previous < rows_.size() && rows_[previous].key < pfn)
                ++previous;
            bool same = previous < rows_.size() && rows_[previous].key == pfn;
            for (uint32_t i = 0; same && i < count; ++i)
                same = seen_[pfn + i] == kernel.page(mmt::Pfn(pfn + i));
            if (same) {
                rows.push_back(rows_[previous]);
            } else {
                rows.push_back(folioRow(kernel, mmt::Pfn(pfn)));
                for (uint32_t i = 0; i < count; ++i)
                    seen_[pfn + i] = kernel.page(mmt::Pfn(pfn + i));
            }
        }
        pfn += count;
    }
    return rows;
}

int PageModel::rowOfPfn(int pfn) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (pfn >= static_cast<int>(rows_[i].key) &&
            pfn < static_cast<int>(rows_[i].key) + rows_[i].pageCount)
            return static_cast<int>(i);
    return -1;
}

QVariant PageModel::data(const QModelIndex& index, int role) const {
    const PageRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row->name;
    case PfnRole:
        return row->key;
    case CardKeyRole:
        return QStringLiteral("page:%1").arg(row->key);
    case ContentsRole:
        return row->contents;
    case RefcountRole:
        return row->refcount;
    case MapcountRole:
        return row->mapcount;
    case EntireMapcountRole:
        return row->entireMapcount;
    case PincountRole:
        return row->pincount;
    case InFlightRole:
        return row->inFlight;
    case MaybePinnedRole:
        return row->maybePinned;
    case AnonExclusiveRole:
        return row->anonExclusive;
    case ZeroRole:
        return row->zero;
    case DeviceRole:
        return row->device;
    case SwapCacheRole:
        return row->swapCache;
    case SwapSlotRole:
        return row->swapSlot;
    case KsmRole:
        return row->ksm;
    case PageCountRole:
        return row->pageCount;
    case FlagsRole:
        return row->flags;
    case OwnerRole:
        return row->owner;
    case SubpagesRole:
        return row->subpages;
    case OtherSubpagesRole:
        return row->otherSubpages;
    case SubpageStatesRole:
        return row->subpageStates;
    case DifferingSubpagesRole:
        return row->differingSubpages;
    case WrittenSubpagesRole:
        return row->writtenSubpages;
    case HugeRole:
        return row->pageCount > 1;
    default:
        return {};
    }
}

QHash<int, QByteArray> PageModel::roleNames() const {
    return {
        {PfnRole, "pfn"},
        {CardKeyRole, "cardKey"},
        {NameRole, "name"},
        {ContentsRole, "contents"},
        {RefcountRole, "refcount"},
        {MapcountRole, "mapcount"},
        {EntireMapcountRole, "entireMapcount"},
        {PincountRole, "pincount"},
        {InFlightRole, "inFlight"},
        {MaybePinnedRole, "maybePinned"},
        {AnonExclusiveRole, "anonExclusive"},
        {ZeroRole, "zero"},
        {DeviceRole, "device"},
        {SwapCacheRole, "swapCache"},
        {SwapSlotRole, "swapSlot"},
        {KsmRole, "ksm"},
        {PageCountRole, "pageCount"},
        {FlagsRole, "flags"},
        {OwnerRole, "owner"},
        {SubpagesRole, "subpages"},
        {OtherSubpagesRole, "otherSubpages"},
        {SubpageStatesRole, "subpageStates"},
        {DifferingSubpagesRole, "differingSubpages"},
        {WrittenSubpagesRole, "writtenSubpages"},
        {HugeRole, "huge"},
    };
}

QList<int> PageModel::changedRoles(const PageRow& before, const PageRow& after) const {
    QList<int> roles;
    const auto check = [&](bool differs, std::initializer_list<int> of) {
        if (differs)
            roles.append(QList<int>(of));
    };
    check(before.name != after.name, {NameRole});
    check(before.contents != after.contents, {ContentsRole});
    check(before.refcount != after.refcount, {RefcountRole});
    check(before.mapcount != after.mapcount, {MapcountRole});
    check(before.entireMapcount != after.entireMapcount, {EntireMapcountRole});
    check(before.pincount != after.pincount, {PincountRole});
    check(before.inFlight != after.inFlight, {InFlightRole});
    check(before.maybePinned != after.maybePinned, {MaybePinnedRole});
    check(before.anonExclusive != after.anonExclusive, {AnonExclusiveRole});
    check(before.zero != after.zero, {ZeroRole});
    check(before.device != after.device, {DeviceRole});
    check(before.swapCache != after.swapCache, {SwapCacheRole});
    check(before.swapSlot != after.swapSlot, {SwapSlotRole});
    check(before.ksm != after.ksm, {KsmRole});
    check(before.pageCount != after.pageCount, {PageCountRole, HugeRole});
    check(before.flags != after.flags, {FlagsRole});
    check(before.owner != after.owner, {OwnerRole});
    check(before.subpages != after.subpages, {SubpagesRole});
    check(before.otherSubpages != after.otherSubpages, {OtherSubpagesRole});
    check(before.subpageStates != after.subpageStates, {SubpageStatesRole});
    check(before.differingSubpages != after.differingSubpages, {DifferingSubpagesRole});
    check(before.writtenSubpages != after.writtenSubpages, {WrittenSubpagesRole});
    return roles;
}
