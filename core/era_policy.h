// What differs between kernel eras, behind one interface. The operations ask
// the policy at each point where the eras part ways (and only there); no other
// code looks at the era. Era a: v5.7. Era b: v5.9 to v5.17 (the v5.17 code).
// Era c: v5.19 PG_anon_exclusive with the swap-entry exclusive bit and
// FAULT_FLAG_UNSHARE, plus v6.0's mprotect upgrade, v6.1's memory barriers
// against GUP-fast (reclaim batches every TLB flush again) and v6.2's
// long-term R/O pin rule.
#pragma once

#include <memory>
#include <string_view>

#include "types.h"

namespace mmt {

class Kernel;

enum class WpDecision : uint8_t { reuse, copy };
enum class HugeWpDecision : uint8_t { reuse, split_and_fallback, copy_whole_thp };

class EraPolicy {
public:
    virtual ~EraPolicy() = default;
    virtual Era era() const = 0;
    virtual std::string_view kernel_version() const = 0;

    // PG_anon_exclusive exists, and with it the readable-exclusive migration
    // entry, the swap PTE's exclusive bit, FAULT_FLAG_UNSHARE, and
    // page_try_dup_anon_rmap / page_try_share_anon_rmap refusing pinned pages.
    virtual bool has_anon_exclusive() const = 0;

    // do_wp_page() on an anonymous (sub)page: may the fault write into it in
    // place? May change state on the way (drain, free the swap cache,
    // page_move_anon_rmap) and explains its decision in steps.
    virtual WpDecision do_wp_page_anon(Kernel& k, Pfn page, bool unshare) const = 0;

    // do_huge_pmd_wp_page() on a PMD-mapped anonymous THP.
    virtual HugeWpDecision do_huge_pmd_wp_page(Kernel& k, Pfn head, bool unshare) const = 0;

    // copy_present_pte()/copy_huge_pmd() at fork: must the child get its own
    // copy now because the parent's page may be pinned?
    virtual bool fork_must_copy_for_dma(const Kernel& k, ProcessId parent, Pfn page) const = 0;

    // GUP on a present, non-writable entry: must a R/O pin unshare first?
    virtual bool gup_must_unshare(const Kernel& k, bool foll_pin, bool longterm, Pfn page) const = 0;

    // shrink_page_list(): keep pages that may be pinned out of the swap cache.
    virtual bool reclaim_skips_maybe_pinned() const = 0;

    // try_to_unmap_one() may batch the TLB flush after clearing a PTE that
    // maps an exclusive page, as it does for any other (should_defer_flush).
    // v5.19 flushed such a PTE at once, so that GUP-fast on another CPU could
    // not pin the page behind page_try_share_anon_rmap()'s back; v6.1
    // (088b8aa537c2) orders the same steps with memory barriers instead: a
    // full barrier between the clear and the pin check, one between GUP-fast's
    // pin and its re-read of the PTE. Before v5.19 no page is exclusive and
    // reclaim batches every flush. Migration (try_to_migrate_one) flushes at
    // once in every era here.
    virtual bool reclaim_may_defer_flush_of_exclusive() const = 0;

    // do_swap_page(): may the swapped-in page be mapped writable (on a write
    // fault) and, in era c, exclusive? `swp_exclusive` is the swap PTE's bit.
    virtual bool do_swap_page_exclusive(Kernel& k, Pfn page, bool swp_exclusive, bool write_fault) const = 0;

    // fork looks for possibly pinned pages and gives the child a copy of
    // them (v5.9 copy_present_page, v5.12 page_needs_cow_for_dma; v5.19
    // page_try_dup_anon_rmap). Before, fork shares every anonymous page.
    virtual bool fork_copies_maybe_pinned() const = 0;

    // The mm remembers that it was ever pinned (mm->has_pinned in v5.9,
    // MMF_HAS_PINNED from v5.14, a458b76a4171): it came with fork's copy of possibly pinned
    // pages, its only reader besides clear_refs.
    bool has_mmf_has_pinned() const { return fork_copies_maybe_pinned(); }

    // A large folio's exact pin count is the field hpage_pinned_refcount
    // (page[2]) up to v5.17; "mm: Make compound_pincount always available"
    // (v5.18) made it page[1].compound_pincount.
    virtual bool pincount_is_hpage_pinned_refcount() const = 0;

    // fork raises mm->write_protect_seq around copying (v5.11).
    virtual bool has_write_protect_seq() const = 0;

    // wp_page_copy lets go of the old page's swap cache once no PTE maps it
    // (free_swap_cache, v5.14); before, reclaim found the idle page later.
    virtual bool cow_frees_swap_cache() const = 0;

    // migrate_vma_setup chooses system or device-private pages by
    // MIGRATE_VMA_SELECT_* flags (v5.9); v5.7 chose by src_owner (unset:
    // system pages; the driver's owner: its device-private pages).
    virtual bool has_migrate_vma_select_flags() const = 0;

    // remove_migration_pte copies the soft-dirty bit into a device-private
    // entry (3d321bf82c4b, v5.9); v5.7 built the entry without it.
    virtual bool device_private_keeps_soft_dirty() const = 0;

    // KSM's break_ksm() takes an unshare fault (v6.2, "mm/ksm: fix KSM COW
    // breaking with userfaultfd-wp via FAULT_FLAG_UNSHARE") instead of a write
    // fault with a page reference held.
    virtual bool break_ksm_unshares() const = 0;

    // migrate_vma_collect_pmd moves a cleared PTE's dirty bit to the page
    // ("mm/migrate_device.c: copy pte dirty bit to page", v6.0); before, the
    // bit was dropped with the PTE.
    virtual bool migrate_vma_collect_keeps_dirty() const = 0;

    // A migration entry remembers the young and dirty bits of the entry it
    // replaced, and remove_migration_pte gives them back (2e3468778dbe,
    // v6.1); before, the restored entry was old and clean, its dirty bit
    // having gone to the page.
    virtual bool migration_entry_keeps_young_dirty() const = 0;

    // A plain __split_huge_pmd gives a dirty PMD's dirty bit to the new PTEs
    // as well as to the THP (0ccf7f168e17 in v6.1, partly reverted by
    // 624a2c94f5b7 and re-applied by e833bc503405 before v6.2); before, only
    // the THP got it (SetPageDirty) and the PTEs started clean.
    virtual bool split_huge_pmd_keeps_dirty() const = 0;

    // clear_refs leaves writable PTEs of possibly pinned pages alone
    // (pte_is_pinned, v5.11).
    virtual bool clear_refs_skips_maybe_pinned() const = 0;

    // mprotect(PROT_READ|PROT_WRITE) maps exclusive anon pages (and, v6.2,
    // exclusive PMD-mapped THPs) writable directly (can_change_pte_writable,
    // v6.0; without its dirty test from v6.2).
    virtual bool mprotect_makes_exclusive_writable() const = 0;

    // madvise(MADV_COLLAPSE) exists (v6.1); before, the advice is -EINVAL.
    virtual bool has_madv_collapse() const = 0;

    // do_swap_page takes a reference on a device-private page before it calls
    // the driver's migrate_to_ram, and migrate_vma_setup is told that page
    // (fault_page) so it expects that reference (16ce101db85d, v6.1); before,
    // the driver got the page with no reference held for it.
    virtual bool device_fault_holds_page_ref() const = 0;

    // A ZONE_DEVICE page keeps one reference of its own, free or in use:
    // the driver's allocator hands it out with get_page() on top, and
    // put_page() gives it back to the driver (page_free) when the count falls
    // to 1. 27674ef6c73f ("mm: remove the extra ZONE_DEVICE struct page
    // refcount", v5.18) made its count that of its users, freed at 0.
    virtual bool zone_device_page_has_extra_ref() const = 0;
    // migrate_vma_setup isolates and checks the collected pages in
    // migrate_vma_prepare before migrate_vma_unmap unmaps their other
    // mappings (v5.7); ab09243aa95a (v5.16) folded the two into
    // migrate_vma_unmap.
    virtual bool has_migrate_vma_prepare() const = 0;

    // GUP-fast pins an order-0 page with one reference, then the rest of the
    // bias (try_get_compound_head, then page_ref_add; v5.14 onwards); v5.7
    // added the whole bias at once.
    virtual bool gup_fast_grabs_one_then_bias() const = 0;
    // unpin puts 1023 references, then the last one (put_compound_head ->
    // put_page_refs, v5.14..v5.17); v5.7 and v6.2 subtract the bias at once.
    virtual bool unpin_puts_bias_minus_one_then_one() const = 0;

    // Functions renamed or split out after v5.7 (the base names are v5.17's):
    // the name this era's kernel gives the code a step runs in (the call path
    // the trace shows).
    enum class Function : uint8_t {
        gup_fast,
        copy_present_pte,
        copy_nonpresent_pte,
        try_to_migrate,
        try_to_migrate_one,
        folio_migrate_mapping,
        folio_migrate_copy,
        folio_migrate_flags,
        try_to_free_swap,
        zap_page_range,
        shrink_page_list,
        page_maybe_dma_pinned,
        can_split_folio,
        dmirror_migrate_to_device,
        unmap_folio,
        folio_ref_freeze,
        mmap_lock,
        vma_lookup,
    };
    // Whether this era's kernel calls `f` by `name` (for sentences written
    // once per name).
    bool names(Function f, std::string_view name) const { return name == name_of(f); }
    virtual const char* name_of(Function f) const {
        switch (f) {
        case Function::gup_fast: return "lockless_pages_from_mm";
        case Function::copy_present_pte: return "copy_present_pte";
        case Function::copy_nonpresent_pte: return "copy_nonpresent_pte";
        case Function::try_to_migrate: return "try_to_migrate";
        case Function::try_to_migrate_one: return "try_to_migrate_one";
        case Function::folio_migrate_mapping: return "folio_migrate_mapping";
        case Function::folio_migrate_copy: return "folio_migrate_copy";
        case Function::folio_migrate_flags: return "folio_migrate_flags";
        case Function::try_to_free_swap: return "try_to_free_swap";
        case Function::zap_page_range: return "zap_page_range";
        case Function::shrink_page_list: return "shrink_page_list";
        case Function::page_maybe_dma_pinned: return "page_maybe_dma_pinned";
        case Function::can_split_folio: return "can_split_huge_page";
        case Function::dmirror_migrate_to_device: return "dmirror_migrate";
        case Function::unmap_folio: return "unmap_page";
        case Function::folio_ref_freeze: return "page_ref_freeze";
        case Function::mmap_lock: return "mmap_lock";
        case Function::vma_lookup: return "vma_lookup";
        }
        return "";
    }
};

std::unique_ptr<EraPolicy> make_era_policy(Era era);

} // namespace mmt
