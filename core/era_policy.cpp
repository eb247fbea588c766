#include "era_policy.h"

#include <algorithm>

#include "kernel.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

namespace {

// page_trans_huge_mapcount(): for a THP, the largest PTE mapcount of any
// subpage plus the PMD (compound) mappings; for an order-0 page its mapcount.
int32_t page_trans_huge_mapcount(const Kernel& k, Pfn page) {
    Pfn head = k.folio(page);
    if (!k.folio_test_large(head))
        return k.page_mapcount(page);
    int32_t most = 0;
    for (uint32_t i = 0; i < kPagesPerPmd; ++i)
        most = std::max(most, k.page(Pfn(head.value + i)).mapcount);
    return most + k.page(head).entire_mapcount;
}

// reuse_swap_page()'s total_map_swapcount: every mapping of the whole folio
// (each subpage's PTEs and the PMD mappings) plus the swap PTEs of the slot.
int32_t total_map_swapcount(const Kernel& k, Pfn page) {
    Pfn head = k.folio(page);
    int32_t total = 0;
    if (!k.folio_test_large(head)) {
        total = k.page_mapcount(page);
    } else {
        for (uint32_t i = 0; i < kPagesPerPmd; ++i)
            total += k.page(Pfn(head.value + i)).mapcount;
        total += k.page(head).entire_mapcount;
    }
    if (k.page(head).test(PG_swapcache))
        total += static_cast<int32_t>(k.swap_slot(SwapSlot(k.page(head).swap_slot)).count);
    return total;
}

// reuse_swap_page()'s count: mappings (as above) plus the swap PTEs of the slot.
int32_t map_swapcount(const Kernel& k, Pfn page) {
    int32_t count = page_trans_huge_mapcount(k, page);
    Pfn head = k.folio(page);
    if (k.page(head).test(PG_swapcache))
        count += static_cast<int32_t>(k.swap_slot(SwapSlot(k.page(head).swap_slot)).count);
    return count;
}

// Era a, v5.7: reuse_swap_page() decides by mapcount + swap count; nothing
// looks at the refcount, so GUP references are invisible to COW.
class EraA final : public EraPolicy {
public:
    Era era() const override { return Era::a; }
    std::string_view kernel_version() const override { return "v5.7"; }
    bool has_anon_exclusive() const override { return false; }

    WpDecision do_wp_page_anon(Kernel& k, Pfn page, bool) const override {
        if (k.PageKsm(page)) {
            // do_wp_page's own quick test, before it even locks the page.
            if (k.page(page).test(PG_swapcache) || k.page_count(page) != 1) {
                k.step("a KSM page in the swap cache or held by someone else (page_count {0}): copy",
                       k.page_count(page));
                return WpDecision::copy;
            }
            return reuse_ksm_page(k, page) ? WpDecision::reuse : WpDecision::copy;
        }
        const int32_t total = total_map_swapcount(k, page);
        if (!reuse_swap_page(k, page))
            return WpDecision::copy;
        // v5.7 moves a page it reuses to the faulting VMA's anon_vma, so
        // that rmap walks no longer look through the parent's or siblings',
        // but only when the whole folio has no other mapping or swap entry:
        // a PTE-mapped THP's other subpages keep it where it is.
        if (total == 1) {
            for (const RmapEntry& e : rmap_walk(k, page, true)) {
                page_move_anon_rmap(k, page, e.vma);
                break;
            }
        }
        return WpDecision::reuse;
    }

    // reuse_ksm_page() (v5.1 to v5.8): a KSM page nobody else holds becomes an
    // ordinary anonymous page of this VMA again and is written in place.
    static bool reuse_ksm_page(Kernel& k, Pfn page) {
        auto scope = k.enter("reuse_ksm_page");
        std::vector<RmapEntry> maps = rmap_walk(k, page, true);
        k.step("page_count is 1: nobody else holds this KSM page; page_move_anon_rmap makes it an ordinary "
               "anonymous page of this VMA and the write reuses it");
        k.set_page_flag(page, PG_ksm, false);
        if (!maps.empty()) {
            k.set_page(page, PageField::anon_vma, k.vma(maps.front().vma).anon_vma);
            k.set_page(page, PageField::index, maps.front().index);
        }
        return true;
    }

    HugeWpDecision do_huge_pmd_wp_page(Kernel& k, Pfn head, bool) const override {
        if (k.is_zero_pfn(head)) {
            k.step("a write to the huge zero page allocates a new THP");
            return HugeWpDecision::copy_whole_thp;
        }
        if (reuse_swap_page(k, head))
            return HugeWpDecision::reuse;
        return HugeWpDecision::copy_whole_thp;
    }

    bool fork_must_copy_for_dma(const Kernel&, ProcessId, Pfn) const override { return false; }
    bool fork_copies_maybe_pinned() const override { return false; }
    bool gup_must_unshare(const Kernel&, bool, bool, Pfn) const override { return false; }
    bool reclaim_skips_maybe_pinned() const override { return false; }
    bool reclaim_may_defer_flush_of_exclusive() const override { return true; }  // nothing is exclusive
    bool clear_refs_skips_maybe_pinned() const override { return false; }
    bool has_write_protect_seq() const override { return false; }
    bool cow_frees_swap_cache() const override { return false; }
    bool has_migrate_vma_select_flags() const override { return false; }
    bool device_private_keeps_soft_dirty() const override { return false; }
    bool break_ksm_unshares() const override { return false; }
    bool migrate_vma_collect_keeps_dirty() const override { return false; }
    bool migration_entry_keeps_young_dirty() const override { return false; }
    bool split_huge_pmd_keeps_dirty() const override { return false; }
    bool mprotect_makes_exclusive_writable() const override { return false; }
    // v5.7: GUP-fast was internal_get_user_pages_fast, fork copied every
    // PTE in copy_one_pte, and migration unmapped through try_to_unmap
    // (TTU_MIGRATION); the folio names of page migration came in v5.16.
    const char* name_of(Function f) const override {
        switch (f) {
        case Function::gup_fast: return "internal_get_user_pages_fast";
        case Function::copy_present_pte:
        case Function::copy_nonpresent_pte: return "copy_one_pte";
        case Function::try_to_migrate: return "try_to_unmap";
        case Function::try_to_migrate_one: return "try_to_unmap_one";
        case Function::folio_migrate_mapping: return "migrate_page_move_mapping";
        case Function::folio_migrate_copy: return "migrate_page_copy";
        case Function::folio_migrate_flags: return "migrate_page_states";
        case Function::mmap_lock: return "mmap_sem";  // renamed in v5.8
        case Function::vma_lookup: return "find_vma";  // v5.8's test driver; vma_lookup is v5.14
        default: return EraPolicy::name_of(f);
        }
    }
    bool has_madv_collapse() const override { return false; }
    bool device_fault_holds_page_ref() const override { return false; }
    bool zone_device_page_has_extra_ref() const override { return true; }
    bool has_migrate_vma_prepare() const override { return true; }
    bool pincount_is_hpage_pinned_refcount() const override { return true; }
    bool gup_fast_grabs_one_then_bias() const override { return false; }
    bool unpin_puts_bias_minus_one_then_one() const override { return false; }

    bool do_swap_page_exclusive(Kernel& k, Pfn page, bool, bool write_fault) const override {
        SwapSlot slot(k.page(page).swap_slot);
        bool reuse = write_fault && !k.PageKsm(page) && reuse_swap_page(k, page, true);
        k.step("swap_free: this PTE no longer holds the swap entry, so the slot loses its count");
        swap_free(k, slot);
        return reuse;
    }

protected:
    // reuse_swap_page(): the page's mappings plus the swap PTEs of its slot;
    // if that is one (us), the page may be written in place, and it leaves
    // the swap cache.
    // swapin: asked by do_swap_page, where a page that cannot be reused is
    // mapped read-only (the copy, if any, comes with a later write fault).
    static bool reuse_swap_page(Kernel& k, Pfn page, bool swapin = false) {
        auto scope = k.enter("reuse_swap_page");
        Pfn head = k.folio(page);
        int32_t count = map_swapcount(k, page);
        if (count > 1) {
            k.step(swapin ? "mapcount + swap count is {0}: another mapping or swap entry still refers to this page, so "
                            "map it read-only"
                          : "mapcount + swap count is {0}: another mapping or swap entry still refers to this page, "
                            "copy it",
                   count);
            return false;
        }
        if (k.page(head).test(PG_swapcache)) {
            k.step("mapcount + swap count is {0}: ours alone; leave the swap cache and reuse (the refcount, {1}, "
                   "is not looked at)",
                   count, k.page_count(head));
            delete_from_swap_cache(k, head);
            k.set_page_flag(head, PG_dirty, true);
        } else {
            k.step("mapcount + swap count is {0}: ours alone, reuse in place (the refcount, {1}, is not looked "
                   "at: GUP references are invisible)",
                   count, k.page_count(head));
        }
        return true;
    }
};

// Era b, v5.9 to v5.17: do_wp_page() reuses only if page_count() is 1; swap-in
// and PMD-mapped THP write faults still use reuse_swap_page(); fork copies
// possibly pinned pages; reclaim skips possibly pinned pages (v5.11).
class EraB final : public EraPolicy {
public:
    Era era() const override { return Era::b; }
    std::string_view kernel_version() const override { return "v5.17"; }
    bool has_anon_exclusive() const override { return false; }

    WpDecision do_wp_page_anon(Kernel& k, Pfn page, bool) const override {
        if (k.PageKsm(page) || k.page_count(page) != 1) {
            k.step(k.PageKsm(page) ? "a KSM page is copied"
                                   : "page_count is {0}, not 1: someone else may use the page (a mapping, the swap "
                                     "cache, a GUP reference or pin), so copy",
                   k.page_count(page));
            return WpDecision::copy;
        }
        if (k.page_mapcount(page) != 1) {
            k.step("mapcount is {0}: copy", k.page_mapcount(page));
            return WpDecision::copy;
        }
        k.step("page_count is 1 and mapcount is 1: the page is ours alone, reuse it");
        return WpDecision::reuse;
    }

    HugeWpDecision do_huge_pmd_wp_page(Kernel& k, Pfn head, bool) const override {
        if (k.is_zero_pfn(head))
            return HugeWpDecision::split_and_fallback;
        auto scope = k.enter("reuse_swap_page");
        int32_t count = map_swapcount(k, head);
        if (count <= 1) {
            k.step("THP: reuse_swap_page counts {0} mapping: reuse (the refcount, {1}, is not looked at)", count,
                   k.page_count(head));
            return HugeWpDecision::reuse;
        }
        k.step("THP: mapcount + swap count is {0}: split and fall back to 4 KiB pages", count);
        return HugeWpDecision::split_and_fallback;
    }

    bool fork_must_copy_for_dma(const Kernel& k, ProcessId parent, Pfn page) const override {
        return k.process(parent).has_pinned && k.folio_maybe_dma_pinned(page);
    }
    bool fork_copies_maybe_pinned() const override { return true; }
    bool gup_must_unshare(const Kernel&, bool, bool, Pfn) const override { return false; }
    bool reclaim_skips_maybe_pinned() const override { return true; }
    bool reclaim_may_defer_flush_of_exclusive() const override { return true; }  // nothing is exclusive
    bool clear_refs_skips_maybe_pinned() const override { return true; }
    bool has_write_protect_seq() const override { return true; }
    bool cow_frees_swap_cache() const override { return true; }
    bool has_migrate_vma_select_flags() const override { return true; }
    bool device_private_keeps_soft_dirty() const override { return true; }
    bool break_ksm_unshares() const override { return false; }
    bool migrate_vma_collect_keeps_dirty() const override { return false; }
    bool migration_entry_keeps_young_dirty() const override { return false; }
    bool split_huge_pmd_keeps_dirty() const override { return false; }
    bool mprotect_makes_exclusive_writable() const override { return false; }
    bool has_madv_collapse() const override { return false; }
    bool device_fault_holds_page_ref() const override { return false; }
    bool zone_device_page_has_extra_ref() const override { return true; }
    bool has_migrate_vma_prepare() const override { return false; }
    bool pincount_is_hpage_pinned_refcount() const override { return true; }
    bool gup_fast_grabs_one_then_bias() const override { return true; }
    bool unpin_puts_bias_minus_one_then_one() const override { return true; }
    // (v5.17's test driver looks the VMA up with vma_lookup, as
    // dmirror_migrate has since the v5.14 vma_lookup series.)

    bool do_swap_page_exclusive(Kernel& k, Pfn page, bool, bool write_fault) const override {
        SwapSlot slot(k.page(page).swap_slot);
        bool reuse = false;
        if (write_fault && !k.PageKsm(page)) {
            auto scope = k.enter("reuse_swap_page");
            int32_t count = map_swapcount(k, page);
            if (count <= 1) {
                k.step("mapcount + swap count is {0}: ours alone; leave the swap cache and map writable (the "
                       "refcount, {1}, is not looked at)",
                       count, k.page_count(page));
                delete_from_swap_cache(k, page);
                k.set_page_flag(page, PG_dirty, true);
                reuse = true;
            } else {
                k.step("mapcount + swap count is {0}: shared, map read-only", count);
            }
        }
        k.step("swap_free: this PTE no longer holds the swap entry, so the slot loses its count");
        swap_free(k, slot);
        return reuse;
    }
};

// Era c: PG_anon_exclusive (v5.19) with the swap PTE's exclusive bit and
// FAULT_FLAG_UNSHARE, v6.0's mprotect upgrade, v6.2's long-term pin rule.
class EraC final : public EraPolicy {
public:
    Era era() const override { return Era::c; }
    std::string_view kernel_version() const override { return "v6.2"; }
    bool has_anon_exclusive() const override { return true; }

    WpDecision do_wp_page_anon(Kernel& k, Pfn page, bool unshare) const override {
        if (k.PageAnonExclusive(page)) {
            k.step("PageAnonExclusive is set: the page is ours alone, reuse it without looking at any count");
            return WpDecision::reuse;
        }
        if (k.PageKsm(page) || k.page_count(page) > 3) {
            k.step(k.PageKsm(page)
                       ? "a KSM page is never exclusive: copy"
                       : "not exclusive and page_count is {0}, above the quick cut-off of 3 (our mapping, the swap "
                         "cache, an LRU batch): copy",
                   k.page_count(page));
            return WpDecision::copy;
        }
        bool swapcache = k.page(page).test(PG_swapcache);
        if (k.page_count(page) > 1 + (swapcache ? 1 : 0)) {
            k.step("not exclusive and page_count is {0}: someone else holds the page, copy", k.page_count(page));
            return WpDecision::copy;
        }
        if (swapcache && !try_to_free_swap(k, page)) {
            k.step("the swap cache still needs the page: copy");
            return WpDecision::copy;
        }
        if (k.page_count(page) != 1) {
            k.step("page_count is {0} under the page lock: copy", k.page_count(page));
            return WpDecision::copy;
        }
        k.step(unshare ? "page_count is 1 under the page lock: nobody else can see it, keep it and mark it exclusive"
                       : "page_count is 1 under the page lock: nobody else can see it, reuse it and mark it "
                         "exclusive");
        // Find the VMA through the page's rmap: the faulting mapping.
        for (const RmapEntry& e : rmap_walk(k, page, true)) {
            page_move_anon_rmap(k, page, e.vma);
            break;
        }
        return WpDecision::reuse;
    }

    HugeWpDecision do_huge_pmd_wp_page(Kernel& k, Pfn head, bool unshare) const override {
        if (k.is_zero_pfn(head)) {
            k.step(unshare ? "unsharing the huge zero page: split it and fall back to 4 KiB pages"
                           : "a write to the huge zero page: split it and fall back to 4 KiB pages");
            return HugeWpDecision::split_and_fallback;
        }
        if (k.PageAnonExclusive(head)) {
            k.step("the THP's head is PageAnonExclusive: reuse the whole THP");
            return HugeWpDecision::reuse;
        }
        bool swapcache = k.page(head).test(PG_swapcache);
        if (k.page_count(head) > 1 + (swapcache ? int32_t(kPagesPerPmd) : 0)) {
            k.step("the THP is not exclusive and page_count is {0}: split the PMD, fall back to 4 KiB",
                   k.page_count(head));
            return HugeWpDecision::split_and_fallback;
        }
        if (swapcache)
            try_to_free_swap(k, head);
        if (k.page_count(head) == 1) {
            k.step("page_count is 1: the THP is ours alone, mark it exclusive and reuse it");
            for (const RmapEntry& e : rmap_walk(k, head, false)) {
                page_move_anon_rmap(k, head, e.vma);
                break;
            }
            return HugeWpDecision::reuse;
        }
        k.step("page_count is {0}: split the PMD, fall back to 4 KiB", k.page_count(head));
        return HugeWpDecision::split_and_fallback;
    }

    bool fork_must_copy_for_dma(const Kernel& k, ProcessId parent, Pfn page) const override {
        // page_try_dup_anon_rmap(): only an exclusive page can be pinned.
        return k.PageAnonExclusive(page) && k.process(parent).has_pinned && k.folio_maybe_dma_pinned(page);
    }
    bool fork_copies_maybe_pinned() const override { return true; }

    bool gup_must_unshare(const Kernel& k, bool foll_pin, bool longterm, Pfn page) const override {
        if (!foll_pin)
            return false;
        if (!k.PageAnon(page))
            return longterm;  // v6.2: R/O long-term pins in COW mappings unshare the zero page too
        return !k.PageAnonExclusive(page);
    }

    bool reclaim_skips_maybe_pinned() const override { return true; }
    bool reclaim_may_defer_flush_of_exclusive() const override { return true; }  // v6.1, 088b8aa537c2
    bool clear_refs_skips_maybe_pinned() const override { return true; }
    bool has_write_protect_seq() const override { return true; }
    bool cow_frees_swap_cache() const override { return true; }
    bool has_migrate_vma_select_flags() const override { return true; }
    bool device_private_keeps_soft_dirty() const override { return true; }
    bool break_ksm_unshares() const override { return true; }
    bool migrate_vma_collect_keeps_dirty() const override { return true; }
    bool migration_entry_keeps_young_dirty() const override { return true; }
    bool split_huge_pmd_keeps_dirty() const override { return true; }
    bool mprotect_makes_exclusive_writable() const override { return true; }
    bool has_madv_collapse() const override { return true; }
    bool device_fault_holds_page_ref() const override { return true; }
    bool zone_device_page_has_extra_ref() const override { return false; }
    bool has_migrate_vma_prepare() const override { return false; }
    bool pincount_is_hpage_pinned_refcount() const override { return false; }
    bool gup_fast_grabs_one_then_bias() const override { return true; }
    bool unpin_puts_bias_minus_one_then_one() const override { return false; }
    // v6.1 converted try_to_free_swap to folios (folio_free_swap), renamed
    // shrink_page_list to shrink_folio_list (49fd9b6df54e), and MADV_DONTNEED
    // zaps through zap_page_range_single; reclaim's early pin test asks
    // folio_maybe_dma_pinned since its folio conversion.
    const char* name_of(Function f) const override {
        switch (f) {
        case Function::try_to_free_swap: return "folio_free_swap";
        case Function::zap_page_range: return "zap_page_range_single";
        case Function::shrink_page_list: return "shrink_folio_list";
        case Function::page_maybe_dma_pinned: return "folio_maybe_dma_pinned";
        case Function::can_split_folio: return "can_split_folio";
        case Function::dmirror_migrate_to_device: return "dmirror_migrate_to_device";
        case Function::unmap_folio: return "unmap_folio";
        case Function::folio_ref_freeze: return "folio_ref_freeze";
        default: return EraPolicy::name_of(f);
        }
    }

    bool do_swap_page_exclusive(Kernel& k, Pfn page, bool swp_exclusive, bool write_fault) const override {
        SwapSlot slot(k.page(page).swap_slot);
        bool ksm = k.PageKsm(page);
        bool exclusive = !ksm && swp_exclusive;
        k.step(exclusive ? "the swap PTE carries the exclusive bit: the page was exclusive when it was swapped out; "
                           "swap_free: this PTE no longer holds the swap entry, so the slot loses its count"
                         : "swap_free: this PTE no longer holds the swap entry, so the slot loses its count");
        swap_free(k, slot);
        if (write_fault && !ksm && k.page_count(page) == 2 && k.page(page).test(PG_swapcache))
            try_to_free_swap(k, page);
        if (!ksm && !exclusive && k.page_count(page) == 1) {
            k.step("page_count is 1: nobody else holds the page, map it exclusive");
            exclusive = true;
        }
        return exclusive;
    }
};

} // namespace

std::unique_ptr<EraPolicy> make_era_policy(Era era) {
    switch (era) {
    case Era::a: return std::make_unique<EraA>();
    case Era::b: return std::make_unique<EraB>();
    case Era::c: break;
    }
    return std::make_unique<EraC>();
}

} // namespace mmt
