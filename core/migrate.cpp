#include "migrate.h"

#include <algorithm>

#include "era_policy.h"
#include "fault.h"
#include "kernel.h"
#include "memory.h"
#include "rmap.h"

namespace mmt {

uint32_t migration_entry_bits(const Kernel& k, uint32_t present_bits) {
    uint32_t kept = Pte::soft_dirty;
    if (k.policy().migration_entry_keeps_young_dirty())
        kept |= Pte::young | Pte::dirty;
    return present_bits & kept;
}

namespace {

// What remove_migration_pte/pmd builds from an entry's bits: soft-dirty;
// from v6.1 young if the entry was, and dirty if the entry was and the new
// page is (PG_dirty); before, an old and clean entry.
uint32_t restored_bits(const Kernel& k, uint32_t entry_bits, Pfn page) {
    uint32_t bits = entry_bits & Pte::soft_dirty;
    if (k.policy().migration_entry_keeps_young_dirty()) {
        bits |= entry_bits & Pte::young;
        if ((entry_bits & Pte::dirty) && k.page(k.folio(page)).test(PG_dirty))
            bits |= Pte::dirty;
    }
    return bits;
}

} // namespace

bool try_to_migrate_one(Kernel& k, Pfn page, VmaId vma, uint32_t index) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::try_to_migrate_one));
    Pte pte = k.pte(vma, index);
    bool anon_exclusive = k.PageAnonExclusive(page);
    if (pte.is_device_private_entry()) {
        k.step(anon_exclusive ? "a device-private entry: PG_anon_exclusive is cleared (a device page cannot be "
                                "pinned), the entry becomes a migration entry"
                              : "a device-private entry becomes a migration entry");
        (void)page_try_share_anon_rmap(k, page);
    } else {
        k.step(!k.policy().has_anon_exclusive()
                   ? "clear the PTE and flush the TLB (ptep_clear_flush); nothing looks for pins here: a pin shows "
                     "only later, in the refcount check"
               : anon_exclusive
                   ? "clear the PTE and flush the TLB (ptep_clear_flush) before looking for pins: GUP-fast either "
                     "saw the old PTE and its pin is visible now, or it will see the cleared one"
                   : "clear the PTE and flush the TLB (ptep_clear_flush); the page is not exclusive, so there is "
                     "no pin to look for (only an exclusive page may be pinned)");
        k.set_pte(vma, index, Pte());
        if (pte.has(Pte::dirty) && !k.page(page).test(PG_dirty)) {
            k.step("the cleared PTE was dirty: its dirty bit goes to the page (PG_dirty)");
            k.set_page_flag(page, PG_dirty, true);
        }
        if (anon_exclusive &&
            !page_try_share_anon_rmap(k, page,
                                      "page_try_share_anon_rmap finds no pin: PG_anon_exclusive is cleared, the "
                                      "migration entry will remember the exclusivity")) {
            k.step("page_try_share_anon_rmap fails: the exclusive page may be pinned; restore the PTE and stop: "
                   "migration fails early");
            k.set_pte(vma, index, pte);
            return false;
        }
    }
    bool writable = pte.is_present() ? pte.has(Pte::write) : pte.is_writable_device_private_entry();
    // A device-private entry has no young or dirty bit to keep.
    uint32_t bits = pte.is_present() ? migration_entry_bits(k, pte.bits()) : pte.bits() & Pte::soft_dirty;
    Pte entry;
    if (writable) {
        entry = Pte::make_writable_migration_entry(page, bits);
        k.step(k.policy().has_anon_exclusive()
                   ? "install a writable migration entry: it implies an exclusive page; the PTE's mapping and its "
                     "reference go (migration holds its own)"
                   : "install a writable migration entry: the page was mapped writable; the PTE's mapping and its "
                     "reference go (migration holds its own)");
    } else if (anon_exclusive && k.policy().has_anon_exclusive()) {
        entry = Pte::make_readable_exclusive_migration_entry(page, bits);
        k.step("install a readable-exclusive migration entry: read-only, but the page was exclusive; the PTE's "
               "mapping and its reference go (migration holds its own)");
    } else {
        entry = Pte::make_readable_migration_entry(page, bits);
        k.step(k.policy().has_anon_exclusive()
                   ? "install a readable migration entry: the page is possibly shared; the PTE's mapping and its "
                     "reference go (migration holds its own)"
                   : "install a readable migration entry: the PTE was read-only; the PTE's mapping and its "
                     "reference go (migration holds its own)");
    }
    k.set_pte(vma, index, entry);
    page_remove_rmap(k, page, false);
    k.folio_put(page);
    return true;
}

namespace {

bool set_pmd_migration_entry(Kernel& k, Pfn head, VmaId vma, uint32_t pmd_index) {
    auto scope = k.enter("set_pmd_migration_entry");
    Pmd pmd = k.pmd(vma, pmd_index);
    bool anon_exclusive = k.PageAnonExclusive(head);
    k.step(k.policy().has_anon_exclusive()
               ? "pmdp_invalidate: make the PMD non-present and flush the TLB before looking for pins"
               : "pmdp_invalidate: make the PMD non-present and flush the TLB");
    k.set_pmd(vma, pmd_index, Pmd());
    if (anon_exclusive && !page_try_share_anon_rmap(k, head)) {
        k.step("page_try_share_anon_rmap fails: the THP may be pinned; restore the PMD, migration fails");
        k.set_pmd(vma, pmd_index, pmd);
        return false;
    }
    if (pmd.has(Pte::dirty))
        k.set_page_flag(head, PG_dirty, true);
    uint32_t bits = migration_entry_bits(k, pmd.bits());
    PmdKind kind = pmd.has(Pte::write) ? PmdKind::migration_write
                   : (anon_exclusive && k.policy().has_anon_exclusive()) ? PmdKind::migration_read_exclusive
                                                                         : PmdKind::migration_read;
    k.step(kind == PmdKind::migration_write ? "install a writable PMD migration entry"
           : kind == PmdKind::migration_read_exclusive ? "install a readable-exclusive PMD migration entry"
                                                       : "install a readable PMD migration entry");
    k.set_pmd(vma, pmd_index, Pmd::make_migration(kind, head, bits));
    page_remove_rmap(k, head, true);
    k.folio_put(head);
    return true;
}

} // namespace

bool try_to_migrate(Kernel& k, Pfn folio) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::try_to_migrate));
    Pfn head = k.folio(folio);
    for (const RmapEntry& e : rmap_walk(k, head, false)) {
        bool ok;
        if (e.pmd) {
            // try_to_migrate_one() meets the PMD in its page_vma_mapped_walk.
            auto one = k.enter(k.policy().name_of(EraPolicy::Function::try_to_migrate_one));
            ok = set_pmd_migration_entry(k, head, e.vma, e.index / kPagesPerPmd);
        } else {
            ok = try_to_migrate_one(k, k.pte(e.vma, e.index).pfn(), e.vma, e.index);
        }
        if (!ok)
            return false;
    }
    return k.folio_mapcount(head) == 0;
}

void remove_migration_ptes(Kernel& k, Pfn src, Pfn dst) {
    auto scope = k.enter("remove_migration_ptes");
    Pfn src_head = k.folio(src);
    uint32_t nr = k.folio_nr_pages(src_head);
    // A KSM page is mapped by unrelated VMAs (rmap_walk_ksm): look at all.
    uint32_t name = k.page(src_head).test(PG_ksm) ? 0 : k.page(src_head).anon_vma;
    bool device = k.page(dst).test(PG_device_private);
    // rmap_walk_anon: an anonymous page sits at its own index in every VMA of
    // its anon_vma (vma_address), so only that range is looked at; a KSM
    // page's mappings are anywhere (rmap_walk_ksm).
    const uint32_t lo = name != 0 ? k.page(src_head).index : 0;
    const uint32_t hi = name != 0 ? lo + nr : UINT32_MAX; // exclusive
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        const Vma& vma = k.vma(VmaId(v));
        if (!k.process(vma.process).alive || (name != 0 && vma.anon_vma != name))
            continue;
        uint32_t npmds = (vma.npages + kPagesPerPmd - 1) / kPagesPerPmd;
        uint32_t last_pmd = std::min(npmds, hi == UINT32_MAX ? npmds : (hi - 1) / kPagesPerPmd + 1);
        for (uint32_t p = lo / kPagesPerPmd; p < last_pmd; ++p) {
            Pmd pmd = k.pmd(VmaId(v), p);
            if (pmd.is_migration_entry() && pmd.head() == src_head) {
                auto pmd_scope = k.enter("remove_migration_pmd");
                bool exclusive = pmd.kind() != PmdKind::migration_read;
                if (!exclusive)
                    k.step(k.policy().has_anon_exclusive()
                               ? "restore the PMD read-only from a readable migration entry: possibly shared"
                               : "restore the PMD read-only from a readable migration entry, old and clean");
                else if (k.policy().has_anon_exclusive())
                    k.step("restore the PMD from the migration entry; it was writable or readable-exclusive, so the "
                           "THP is exclusive again (RMAP_EXCLUSIVE)");
                else
                    k.step("restore the PMD from a writable migration entry: writable again if the VMA allows "
                           "writes, old and clean");
                Pfn target = k.folio(dst);
                uint32_t bits = restored_bits(k, pmd.bits(), target);
                if (pmd.kind() == PmdKind::migration_write && (k.vma_page(VmaId(v), p * kPagesPerPmd) & VMA_write))
                    bits |= Pte::write;
                if (vma_prot_none(k, VmaId(v), p * kPagesPerPmd))
                    bits |= Pte::protnone;
                k.folio_ref_add(target, 1);
                k.set_pmd(VmaId(v), p, Pmd::make_huge(target, bits));
                page_add_anon_rmap(k, target, true, exclusive);
                continue;
            }
            if (!pmd.is_table())
                continue;
            uint32_t end = std::min({vma.npages, (p + 1) * kPagesPerPmd, hi});
            for (uint32_t i = std::max(p * kPagesPerPmd, lo); i < end; ++i) {
                Pte pte = k.pte(VmaId(v), i);
                if (!pte.is_migration_entry() || pte.pfn().value < src_head.value ||
                    pte.pfn().value >= src_head.value + nr)
                    continue;
                Pfn target(dst.value + (pte.pfn().value - src_head.value));
                bool exclusive = pte.kind() != PteKind::migration_read;
                bool writable = pte.is_writable_migration_entry() && (k.vma_page(VmaId(v), i) & VMA_write);
                auto pte_scope = k.enter("remove_migration_pte");
                // A device-private entry has no young or dirty bit.
                uint32_t bits = device ? pte.bits() & Pte::soft_dirty : restored_bits(k, pte.bits(), target);
                Pte restored;
                if (device && !k.policy().device_private_keeps_soft_dirty())
                    bits = 0;
                if (!device && vma_prot_none(k, VmaId(v), i))
                    bits |= Pte::protnone;  // mk_pte with the VMA's PAGE_NONE
                if (device) {
                    restored = writable ? Pte::make_writable_device_private_entry(target, bits)
                                        : Pte::make_readable_device_private_entry(target, bits);
                    if (!exclusive)
                        k.step("the migration entry becomes a readable device-private entry");
                    else if (k.policy().has_anon_exclusive())
                        k.step("the migration entry becomes a device-private entry; it was writable or "
                               "readable-exclusive, so the device page is exclusive");
                    else
                        k.step("the writable migration entry becomes a device-private entry, writable if the VMA "
                               "allows writes");
                } else {
                    restored = Pte::make_present(target, bits | (writable ? uint32_t(Pte::write) : 0u));
                    if (!exclusive)
                        k.step(k.policy().has_anon_exclusive()
                                   ? "restore a read-only PTE from a readable entry: possibly shared"
                                   : "restore a read-only PTE from a readable entry, old and clean");
                    else if (k.policy().has_anon_exclusive())
                        k.step("restore a present PTE; the entry was writable or readable-exclusive, so the page is "
                               "exclusive again (RMAP_EXCLUSIVE)");
                    else
                        k.step("restore a present PTE from a writable migration entry: writable again if the VMA "
                               "allows writes, old and clean");
                }
                k.folio_ref_add(target, 1);
                k.set_pte(VmaId(v), i, restored);
                page_add_anon_rmap(k, target, false, exclusive);
            }
        }
    }
}

namespace {

// What folio_migrate_mapping hands to the new folio: the mapping word (the
// anon_vma with its PAGE_MAPPING_ANON / KSM bits), the index, PG_swapbacked,
// and a swap cache entry with the references it holds.
void move_mapping(Kernel& k, Pfn src, Pfn dst) {
    Pfn head = k.folio(src);
    uint32_t nr = k.folio_nr_pages(head);
    uint32_t travel = k.page(head).flags & (PG_anon | PG_swapbacked | PG_ksm);
    for (uint32_t i = 0; i < nr; ++i) {
        Pfn s(head.value + i), d(dst.value + i);
        k.set_page(d, PageField::anon_vma, k.page(s).anon_vma);
        k.set_page(d, PageField::index, k.page(s).index);
        k.set_page(d, PageField::flags, k.page(d).flags | travel);
    }
    if (k.page(head).test(PG_swapcache)) {
        SwapSlot slot(k.page(head).swap_slot);
        k.set_swap_slot(slot, SwapField::cache_pfn, dst.value);
        k.set_page(dst, PageField::swap_slot, slot.value);
        k.set_page_flag(dst, PG_swapcache, true);
        k.folio_ref_add(dst, static_cast<int32_t>(nr));
        k.set_page(head, PageField::swap_slot, 0);
        k.set_page_flag(head, PG_swapcache, false);
        k.folio_ref_add(head, -static_cast<int32_t>(nr));
    }
}

// What folio_migrate_copy / folio_migrate_flags move: the data (unless a
// driver already copied it) and the page flags that travel, of which only
// PG_dirty is modelled.
void move_state(Kernel& k, Pfn src, Pfn dst, bool copy_data) {
    Pfn head = k.folio(src);
    uint32_t nr = k.folio_nr_pages(head);
    if (copy_data)
        for (uint32_t i = 0; i < nr; ++i)
            k.set_page(Pfn(dst.value + i), PageField::contents, k.page(Pfn(head.value + i)).contents);
    if (k.page(head).test(PG_dirty))
        k.set_page_flag(dst, PG_dirty, true);
}

} // namespace

bool folio_migrate_mapping(Kernel& k, Pfn src, Pfn dst, int32_t expected) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::folio_migrate_mapping));
    Pfn head = k.folio(src);
    const Page& h = k.page(head);
    // An anonymous page outside the swap cache has no mapping to lock: its
    // refcount is only compared. A swap cache page is looked up by others
    // through the swap cache, so its refcount is frozen (page_ref_freeze /
    // folio_ref_freeze) under the swap cache's lock while its entry moves.
    const bool swapcache = h.test(PG_swapcache);
    // Before v5.18 expected_page_refs() counts a device-private page's own
    // ZONE_DEVICE reference too.
    int32_t want = expected + (swapcache ? int32_t(k.folio_nr_pages(head)) : 0) + k.zone_device_base_refs(head);
    if (h.refcount != want) {
        k.step(
            swapcache
                ? "a swap cache page: under the swap cache's lock its refcount cannot be frozen: it is {0} "
                  "but migration expects {1}; someone else (a GUP reference or pin) holds the page: "
                  "-EAGAIN"
                : "an anonymous page outside the swap cache: the refcount is {0} but migration expects "
                  "{1}; someone else (a GUP reference or pin) holds the page: -EAGAIN",
            h.refcount, want);
        return false;
    }
    k.step(swapcache
               ? "a swap cache page: take the swap cache's lock and freeze the refcount at {0}, what "
                 "migration and the swap cache hold; the new page takes over the anon mapping, its index and "
                 "the swap cache entry"
               : "an anonymous page outside the swap cache: the refcount is exactly what migration holds "
                 "({0}); it is compared, not frozen, and the new page takes over the anon mapping and its index",
           want);
    move_mapping(k, src, dst);
    return true;
}


void folio_migrate_copy(Kernel& k, Pfn src, Pfn dst) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::folio_migrate_copy));
    k.step(k.policy().has_anon_exclusive()
               ? "copy the data and the page flags that travel (PG_dirty among them); a mapped page's "
                 "PG_anon_exclusive was already cleared: its migration entry carries it"
               : "copy the data and the page flags that travel (PG_dirty among them)");
    move_state(k, src, dst, true);
}

void folio_migrate_flags(Kernel& k, Pfn src, Pfn dst) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::folio_migrate_flags));
    k.step(k.policy().has_anon_exclusive()
               ? "the driver has copied the data (MIGRATE_SYNC_NO_COPY): only the page flags that travel move "
                 "(PG_dirty among them); a mapped page's PG_anon_exclusive was already cleared: its migration "
                 "entry carries it"
               : "the driver has copied the data (MIGRATE_SYNC_NO_COPY): only the page flags that travel move "
                 "(PG_dirty among them)");
    move_state(k, src, dst, false);
}

Outcome migrate_page_at(Kernel& k, const Address& a) {
    auto scope = k.enter("migrate_pages");
    Pfn page = mapped_page(k, a);
    if (page.value != 0 && k.is_zero_pfn(page)) {
        k.step(k.pmd(a.vma, a.index / kPagesPerPmd).is_huge_zero()
                   ? "the PMD maps the huge zero page: it is never migrated (move_pages reports -EFAULT for it)"
                   : "the PTE maps the shared zero page: it is not on the LRU and is never migrated (move_pages "
                     "reports -EFAULT for it)");
        return Outcome::fail(reason::zero_page);
    }
    if (page.value == 0 || !k.PageAnon(page)) {
        k.step("no anonymous page is mapped here: nothing to migrate");
        return Outcome::fail(reason::no_page);
    }
    Pfn src = k.folio(page);
    bool large = k.folio_test_large(src);
    k.step("isolate the page from the LRU (a reference) and lock it; allocate and lock the target");
    k.folio_get_in_flight(src);
    k.set_page_flag(src, PG_lru, false);
    k.set_page_flag(src, PG_locked, true);
    Pfn dst = large ? k.alloc_thp() : k.alloc_page(0);
    k.set_page_flag(dst, PG_locked, true);
    const int32_t mapped_before = k.folio_mapcount(src);
    bool unmapped = try_to_migrate(k, src);
    bool moved = unmapped && folio_migrate_mapping(k, src, dst, 1);
    const char* failure = nullptr;
    if (moved) {
        folio_migrate_copy(k, src, dst);
        remove_migration_ptes(k, src, dst);
        k.step("migration done: unlock both; the target goes on the LRU, the old page is freed");
        k.set_page_flag(dst, PG_locked, false);
        k.set_page_flag(dst, PG_lru, true);
        k.folio_put_in_flight(dst);
        k.set_page_flag(src, PG_locked, false);
        k.folio_put_in_flight(src);
    } else {
        failure = k.folio_maybe_dma_pinned(src) ? reason::pinned : reason::extra_refs;
        const bool entries = k.folio_mapcount(src) < mapped_before;
        remove_migration_ptes(k, src, src);
        k.step(entries ? "migration failed: the migration entries point at the old page again; free the target, "
                         "put the page back"
                       : "migration failed before any migration entry was installed: free the target, put the page "
                         "back");
        k.set_page_flag(dst, PG_locked, false);
        k.folio_put_in_flight(dst);
        k.set_page_flag(src, PG_locked, false);
        k.set_page_flag(src, PG_lru, true);
        k.folio_put_in_flight(src);
    }
    return failure ? Outcome::fail(failure) : Outcome::success();
}

} // namespace mmt
