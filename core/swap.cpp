#include "swap.h"

#include "era_policy.h"
#include "fault.h"
#include "huge_memory.h"
#include "kernel.h"
#include "rmap.h"


namespace mmt {

void swap_duplicate(Kernel& k, SwapSlot slot) {
    k.set_swap_slot(slot, SwapField::count, k.swap_slot(slot).count + 1);
}

void swap_free(Kernel& k, SwapSlot slot) {
    k.set_swap_slot(slot, SwapField::count, k.swap_slot(slot).count - 1);
}

void delete_from_swap_cache(Kernel& k, Pfn page) {
    SwapSlot slot(k.page(page).swap_slot);
    k.set_swap_slot(slot, SwapField::cache_pfn, 0);
    k.set_page(page, PageField::swap_slot, 0);
    k.set_page_flag(page, PG_swapcache, false);
    k.folio_put(page);
}

bool try_to_free_swap(Kernel& k, Pfn page) {
    if (!k.page(page).test(PG_swapcache))
        return false;
    SwapSlot slot(k.page(page).swap_slot);
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::try_to_free_swap));
    if (k.swap_slot(slot).count > 0) {
        k.step("the swap slot is still referenced by {0} swap PTE(s): the page stays in the swap cache",
               k.swap_slot(slot).count);
        return false;
    }
    k.step("no swap PTE needs slot {0} any more: the page leaves the swap cache and the slot is freed; the page "
           "is marked dirty, memory now holding its only copy",
           slot.value);
    k.set_page_flag(page, PG_dirty, true);
    delete_from_swap_cache(k, page);
    return true;
}

void free_swap_and_cache(Kernel& k, SwapSlot slot) {
    auto scope = k.enter("free_swap_and_cache");
    swap_free(k, slot);
    const SwapSlotInfo& s = k.swap_slot(slot);
    if (s.count != 0 || s.cache_pfn == 0)
        return;
    // Only SWAP_HAS_CACHE is left: __try_to_reclaim_swap(TTRS_UNMAPPED |
    // TTRS_FULL) frees the cache page if no PTE maps it (swap is never
    // full here, so a mapped page stays).
    Pfn page(s.cache_pfn);
    auto reclaim = k.enter("__try_to_reclaim_swap");
    if (k.folio_mapcount(page) == 0)
        try_to_free_swap(k, page);
}

namespace {

// try_to_unmap_one() for one PTE mapping of an order-0 page. `batched`
// gathers what the walk leaves to the batched TLB flush.
bool try_to_unmap_one(Kernel& k, Pfn page, const RmapEntry& e, BatchedFlush* batched) {
    auto scope = k.enter("try_to_unmap_one");
    Pte pte = k.pte(e.vma, e.index);
    bool anon_exclusive = k.PageAnonExclusive(page);
    SwapSlot slot(k.page(page).swap_slot);
    const bool flush_at_once = anon_exclusive && !k.policy().reclaim_may_defer_flush_of_exclusive();
    if (flush_at_once)
        k.step("the page is exclusive: clear the PTE and flush the TLB at once (ptep_clear_flush), so that "
               "GUP-fast cannot pin it behind our back");
    else if (anon_exclusive)
        k.step(
            "the page is exclusive: clear the PTE, its TLB flush batched like any other; a memory barrier in "
            "page_try_share_anon_rmap orders the clear before the pin check, so GUP-fast cannot pin the page "
            "behind our back (v6.1)");
    else
        k.step(k.policy().has_anon_exclusive() && !k.policy().reclaim_may_defer_flush_of_exclusive()
                   ? "clear the PTE (the TLB flush may be batched: the page is not exclusive)"
                   : "clear the PTE (the TLB flush may be batched)");
    k.set_pte(e.vma, e.index, Pte());
    if (!flush_at_once && *batched != BatchedFlush::pending_dirty)
        *batched = pte.has(Pte::dirty) ? BatchedFlush::pending_dirty : BatchedFlush::pending;
    if (pte.has(Pte::dirty))
        k.set_page_flag(page, PG_dirty, true);
    if (!page_try_share_anon_rmap(k, page,
                                  "page_try_share_anon_rmap finds no pin: PG_anon_exclusive is cleared, the swap "
                                  "entry will remember the exclusivity")) {
        k.step("page_try_share_anon_rmap fails: the page may be pinned; restore the PTE and stop");
        k.set_pte(e.vma, e.index, pte);
        return false;
    }
    uint32_t bits = pte.bits() & Pte::soft_dirty;
    if (anon_exclusive && k.policy().has_anon_exclusive())
        bits |= Pte::swp_exclusive;
    if (anon_exclusive)
        k.step(k.policy().has_anon_exclusive()
                   ? "install a swap entry that keeps the exclusivity in its exclusive bit, raise the slot's count, "
                     "drop the mapping and its reference"
                   : "install a swap entry for slot {0}, raise the slot's count, drop the mapping and its reference",
               slot.value);
    else
        k.step("install a swap entry for slot {0}, raise the slot's count, drop the mapping and its reference",
               slot.value);
    swap_duplicate(k, slot);
    k.set_pte(e.vma, e.index, Pte::make_swap_entry(slot, bits));
    page_remove_rmap(k, page, false);
    k.folio_ref_add(page, -1);
    return true;
}

// isolate_lru_page() and the trylock at the top of shrink_page_list():
// reclaim's reference, off the LRU, locked.
void reclaim_isolate(Kernel& k, Pfn page, const char* why) {
    k.step(why);
    k.folio_get_in_flight(page);
    k.set_page_flag(page, PG_lru, false);
    k.set_page_flag(page, PG_locked, true);
}

// keep_locked / activate_locked: unlocked, back on the LRU, reclaim's
// reference dropped.
void reclaim_putback(Kernel& k, Pfn page, const char* why, int32_t a0 = 0) {
    k.step(why, a0);
    k.set_page_flag(page, PG_locked, false);
    k.set_page_flag(page, PG_lru, true);
    k.folio_put_in_flight(page);
}

// shrink_page_list() on an order-0 page that reclaim holds isolated and
// locked: into the swap cache, unmapped everywhere, written and freed.
Outcome shrink_isolated_page(Kernel& k, Pfn page) {
    auto putback = [&](const char* why) { reclaim_putback(k, page, why, k.page_count(page)); };
    if (!k.page(page).test(PG_swapcache)) {
        if (k.policy().reclaim_skips_maybe_pinned() && k.folio_maybe_dma_pinned(page)) {
            putback(reclaim_keeps_maybe_pinned(k));
            return Outcome::fail(reason::pinned);
        }
        auto add = k.enter("add_to_swap");
        SwapSlot slot = k.alloc_swap_slot();
        k.step("add_to_swap: allocate swap slot {0}, add the page to the swap cache (a reference) and mark it "
               "dirty: the slot holds nothing yet",
               slot.value);
        k.set_swap_slot(slot, SwapField::cache_pfn, page.value);
        k.set_swap_slot(slot, SwapField::anon_vma, k.page(page).test(PG_ksm) ? 0 : k.page(page).anon_vma);
        k.set_swap_slot(slot, SwapField::index, k.page(page).index);
        k.set_page(page, PageField::swap_slot, slot.value);
        k.set_page_flag(page, PG_swapcache, true);
        k.set_page_flag(page, PG_dirty, true);
        k.folio_ref_add(page, 1);
    }
    BatchedFlush batched = BatchedFlush::none;
    {
        auto unmap = k.enter("try_to_unmap");
        for (const RmapEntry& e : rmap_walk(k, page, true))
            if (!try_to_unmap_one(k, page, e, &batched))
                break;
    }
    if (k.page_mapcount(page) > 0) {
        putback("the page is still mapped: reclaim gives up on it this round");
        return Outcome::fail(reason::pinned);
    }
    pageout_and_free(k, page, batched);
    return Outcome::success();
}

Outcome shrink_page(Kernel& k, Pfn page) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::shrink_page_list));
    reclaim_isolate(k, page, "reclaim isolates the page from the LRU (a reference) and locks it");
    return shrink_isolated_page(k, page);
}

// shrink_page_list() on a THP. Pages are swapped out 4 KiB at a time here:
// a THP mapped by a PMD first tries add_to_swap() whole, which needs a free
// cluster of 512 slots, and the modelled swap device (a disk, not an SSD)
// keeps no clusters; so reclaim falls back to splitting it, as it does at
// once for a THP that no PMD maps. The tail pages go on reclaim's own list
// and are reclaimed after the head, each in turn.
Outcome shrink_huge_page(Kernel& k, Pfn head) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::shrink_page_list));
    reclaim_isolate(k, head, "reclaim isolates the THP from the LRU (a reference) and locks it");
    if (k.policy().reclaim_skips_maybe_pinned() && k.folio_maybe_dma_pinned(head)) {
        reclaim_putback(k, head, reclaim_keeps_maybe_pinned(k));
        return Outcome::fail(reason::pinned);
    }
    if (!can_split_folio(k, head)) {
        const bool pinned = k.folio_maybe_dma_pinned(head);
        reclaim_putback(k, head, "reclaim cannot split the THP: it puts it back on the LRU (activate_locked)");
        return Outcome::fail(pinned ? reason::not_splittable : reason::extra_refs);
    }
    k.step(k.page(head).entire_mapcount > 0
               ? "add_to_swap cannot swap the THP out whole: that needs a free cluster of 512 swap slots, and this "
                 "swap device (a disk, not an SSD) keeps none; so reclaim splits the THP, its tail pages going on "
                 "reclaim's own list"
               : "no PMD maps the THP: reclaim splits it at once, its tail pages going on reclaim's own list");
    if (!split_huge_page_to_list(k, head))
        return Outcome::fail(reason::extra_refs);  // can_split_folio said yes a step ago
    Outcome result = shrink_isolated_page(k, head);
    for (uint32_t i = 1; i < kPagesPerPmd; ++i) {
        Pfn sub(head.value + i);
        k.step("reclaim takes {P0} from its list and locks it", static_cast<int32_t>(sub.value));
        k.set_page_flag(sub, PG_locked, true);
        Outcome o = shrink_isolated_page(k, sub);
        if (!o.ok())
            result = o;
    }
    return result;
}

} // namespace

const char* reclaim_keeps_maybe_pinned(const Kernel& k) {
    // v5.11 added the test as page_maybe_dma_pinned(); the folio conversion
    // of reclaim renamed it.
    return k.policy().names(EraPolicy::Function::page_maybe_dma_pinned, "folio_maybe_dma_pinned")
               ? "folio_maybe_dma_pinned: the page may be pinned, so reclaim keeps it (put back on the LRU)"
               : "page_maybe_dma_pinned: the page may be pinned, so reclaim keeps it (put back on the LRU)";
}

void pageout_and_free(Kernel& k, Pfn page, BatchedFlush batched) {
    SwapSlot slot(k.page(page).swap_slot);
    // keep_locked: unlock the page and put it back on the LRU; reclaim's
    // reference goes, the swap cache keeps its own.
    auto keep = [&] {
        k.set_page_flag(page, PG_locked, false);
        k.set_page_flag(page, PG_lru, true);
        k.folio_put_in_flight(page);
    };
    if (k.page(page).test(PG_dirty)) {
        // A clean PTE cannot be written through a stale TLB entry without
        // faulting, so only a dirty one's flush must come before the write;
        // the rest waits for try_to_unmap_flush() at the end of reclaim.
        if (batched == BatchedFlush::pending_dirty)
            k.step("try_to_unmap_flush_dirty: a dirty PTE was cleared with its TLB flush batched; the flush "
                   "completes now, before pageout, so that no CPU can still write to the page through its "
                   "TLB while the data goes to swap");
        auto out = k.enter("pageout");
        // is_page_cache_freeable(): only reclaim's reference and the swap
        // cache's may remain, or writing the page out would be wasted.
        if (k.page_count(page) != 2) {
            k.step("is_page_cache_freeable fails: someone else holds a reference (refcount {0}), so pageout keeps "
                   "the page (PAGE_KEEP): unmapped, in the swap cache, dirty and not written; reclaim unlocks it "
                   "and puts it back on the LRU",
                   k.page_count(page));
            keep();
            return;
        }
        k.step("the page is dirty: write the page's data to swap slot {0}; once written it is clean", slot.value);
        k.set_swap_slot(slot, SwapField::contents, k.page(page).contents);
        k.set_page_flag(page, PG_dirty, false);
    } else {
        k.step("the page is clean: swap slot {0} already holds its data, so nothing is written (no pageout)",
               slot.value);
    }
    auto remove = k.enter("__remove_mapping");
    // page_ref_freeze(page, 2): succeeds only while the swap cache and
    // reclaim hold the only references.
    // folio_ref_freeze since v5.18's folio conversion of __remove_mapping.
    const bool folio_name =
        k.policy().names(EraPolicy::Function::folio_ref_freeze, "folio_ref_freeze");
    if (k.page_count(page) != 2) {
        k.step(folio_name ? "folio_ref_freeze fails: someone else holds a reference (refcount {0}, not 2), so "
                            "reclaim keeps the page: unmapped, in the swap cache, clean"
                          : "page_ref_freeze fails: someone else holds a reference (refcount {0}, not 2), so "
                            "reclaim keeps the page: unmapped, in the swap cache, clean",
               k.page_count(page));
        keep();
        return;
    }
    k.step(folio_name ? "folio_ref_freeze succeeds: only the swap cache and reclaim hold the page, so it leaves "
                        "the swap cache and is freed"
                      : "page_ref_freeze succeeds: only the swap cache and reclaim hold the page, so it leaves the "
                        "swap cache and is freed");
    k.set_page_flag(page, PG_locked, false);
    delete_from_swap_cache(k, page);
    k.folio_put_in_flight(page);
}

Outcome shrink_folio(Kernel& k, const Address& a) {
    Pfn page = mapped_page(k, a);
    if (page.value == 0 || k.is_zero_pfn(page) || !k.PageAnon(page)) {
        auto scope = k.enter(k.policy().name_of(EraPolicy::Function::shrink_page_list));
        k.step("nothing to reclaim: no anonymous page is mapped here");
        return Outcome::fail(reason::no_page);
    }
    if (k.folio_test_large(page))
        return shrink_huge_page(k, k.folio(page));
    return shrink_page(k, page);
}

void do_swap_page(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("do_swap_page");
    Pte pte = k.pte(a.vma, a.index);
    SwapSlot slot = pte.swap_slot();
    Pfn page(k.swap_slot(slot).cache_pfn);
    if (page.value != 0) {
        k.step("the page is still in the swap cache: take a reference on it");
        k.folio_get_in_flight(page);
    } else {
        k.step("swapin_readahead: allocate a page, read slot {0} into it and add it to the swap cache", slot.value);
        page = k.alloc_page(k.swap_slot(slot).contents);
        k.set_page_flag(page, PG_swapbacked, true);
        k.set_page_flag(page, PG_lru, true);
        k.set_page_flag(page, PG_swapcache, true);
        k.set_page(page, PageField::swap_slot, slot.value);
        k.set_swap_slot(slot, SwapField::cache_pfn, page.value);
        k.folio_ref_add(page, 1);
    }
    bool write = kind == FaultKind::write;
    // ksm_might_need_to_copy(): a slot that a KSM page was swapped out from
    // is shared by PTEs at different addresses; a swap cache page whose rmap
    // names another address cannot be mapped here, so this address gets its
    // own copy (a fresh, exclusive page).
    const Page& cached = k.page(page);
    if (!cached.test(PG_ksm) && cached.anon_vma != 0 &&
        (cached.anon_vma != k.vma(a.vma).anon_vma || cached.index != a.index)) {
        auto copy_scope = k.enter("ksm_might_need_to_copy");
        k.step("the swap cache page belongs to another address (it was a KSM page): copy it into a new page for "
               "this address");
        Pfn copy = k.alloc_page(cached.contents);
        k.set_page_flag(copy, PG_dirty, true);  // the copy exists nowhere else
        swap_free(k, slot);
        uint32_t bits = Pte::young | (pte.bits() & Pte::soft_dirty);
        if (write && (k.vma_page(a.vma, a.index) & VMA_write))
            bits |= Pte::write | Pte::dirty | Pte::soft_dirty;
        k.set_pte(a.vma, a.index, Pte::make_present(copy, bits));
        page_add_new_anon_rmap(k, copy, a.vma, a.index, false);
        // Only the fault's reference on the swap cache page goes: the page
        // stays in the swap cache (reclaim finds it later).
        k.step("unlock and put the swap cache page: it stays in the swap cache");
        k.folio_put_in_flight(page);
        return;
    }
    bool exclusive = k.policy().do_swap_page_exclusive(k, page, pte.has(Pte::swp_exclusive), write);
    uint32_t bits = Pte::young | (pte.bits() & Pte::soft_dirty);
    if (exclusive && write) {
        bits |= Pte::dirty | Pte::soft_dirty;
        if (k.vma_page(a.vma, a.index) & VMA_write)
            bits |= Pte::write;
        k.step("map the page writable: the write is done in this fault");
    } else {
        k.step(exclusive ? "map the page read-only, remembered as exclusive"
                         : "map the page read-only; it may be shared");
    }
    k.set_pte(a.vma, a.index, Pte::make_present(page, bits));
    k.set_page_flag(page, PG_anon, true);
    // A page just read from swap has no mapping yet: the rmap call gives it
    // this VMA's anon_vma and index.
    if (k.page(page).anon_vma == 0) {
        k.set_page(page, PageField::anon_vma, k.vma(a.vma).anon_vma);
        k.set_page(page, PageField::index, a.index);
    }
    page_add_anon_rmap(k, page, false, exclusive);
    k.folio_in_flight_add(page, -1);  // the fault's reference becomes the mapping's
    if (write && !(exclusive && (bits & Pte::write)))
        do_wp_page(k, a, FaultKind::write);
}

} // namespace mmt
