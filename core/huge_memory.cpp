#include "huge_memory.h"

#include <algorithm>

#include "era_policy.h"
#include "kernel.h"
#include "memory.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

void do_huge_pmd_anonymous_page(Kernel& k, const Address& a, bool write) {
    auto scope = k.enter("do_huge_pmd_anonymous_page");
    uint32_t pmd_index = a.index / kPagesPerPmd;
    // Unlike the small zero page, the huge one comes after anon_vma_prepare().
    if (!k.vma(a.vma).has_anon_vma) {
        k.step("anon_vma_prepare: the VMA's first anonymous memory is coming, so it gets its anon_vma");
        anon_vma_prepare(k, a.vma);
    }
    if (!write) {
        k.step("a read fault in a THP-eligible range maps the huge zero page with one PMD");
        k.set_pmd(a.vma, pmd_index, Pmd::make_huge_zero(k.huge_zero_pfn()));
        return;
    }
    k.step("a write fault in an empty, aligned 2 MiB range: allocate a THP (512 subpages) and map it with "
           "one PMD");
    Pfn head = k.alloc_thp();
    k.step(k.policy().has_anon_exclusive()
               ? "the PMD maps the whole THP writable; page_add_new_anon_rmap marks the head exclusive, which stands "
                 "for all 512 subpages while the PMD maps them; the THP joins the LRU"
               : "the PMD maps the whole THP writable; page_add_new_anon_rmap marks it anonymous, mapped once as "
                 "a whole; the THP joins the LRU");
    k.set_pmd(a.vma, pmd_index, Pmd::make_huge(head, Pte::write | Pte::dirty | Pte::young | Pte::soft_dirty));
    page_add_new_anon_rmap(k, head, a.vma, pmd_index * kPagesPerPmd, true);
}

namespace {

void copy_whole_thp(Kernel& k, const Address& a) {
    // Era a (v5.7) allocated a new THP on a COW fault and copied all 2 MiB,
    // in do_huge_pmd_wp_page itself (its _fallback is the path for when no
    // THP can be allocated, which the model never takes).
    uint32_t pmd_index = a.index / kPagesPerPmd;
    Pmd pmd = k.pmd(a.vma, pmd_index);
    Pfn old = pmd.head();
    bool from_zero = pmd.is_huge_zero();
    k.step(from_zero ? "the PMD maps the huge zero page: allocate a new THP and clear all 512 subpages"
                     : "allocate a new THP and copy all 512 subpages into it");
    Pfn head = k.alloc_thp();
    for (uint32_t i = 0; i < kPagesPerPmd; ++i)
        if (!from_zero)
            k.set_page(Pfn(head.value + i), PageField::contents, k.page(Pfn(old.value + i)).contents);
    k.step("map the new THP writable with the PMD");
    k.set_pmd(a.vma, pmd_index, Pmd::make_huge(head, Pte::write | Pte::dirty | Pte::young | Pte::soft_dirty));
    page_add_new_anon_rmap(k, head, a.vma, pmd_index * kPagesPerPmd, true);
    if (!from_zero) {
        k.step("the old THP loses this PMD mapping and its reference");
        page_remove_rmap(k, old, true);
        k.folio_put(old);
    }
}

} // namespace

bool do_huge_pmd_wp_page(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("do_huge_pmd_wp_page");
    uint32_t pmd_index = a.index / kPagesPerPmd;
    Pmd pmd = k.pmd(a.vma, pmd_index);
    HugeWpDecision d = k.policy().do_huge_pmd_wp_page(k, pmd.head(), kind == FaultKind::unshare);
    if (d == HugeWpDecision::reuse) {
        if (kind == FaultKind::unshare) {
            k.step("unshare: the THP is exclusive; the PMD stays read-only");
            return true;
        }
        k.step("reuse the THP in place: set the PMD writable and dirty");
        uint32_t bits = Pte::young | Pte::dirty | Pte::soft_dirty;
        if (k.vma_page(a.vma, a.index) & VMA_write)
            bits |= Pte::write;
        k.set_pmd(a.vma, pmd_index, pmd.with(bits));
        return true;
    }
    if (d == HugeWpDecision::copy_whole_thp) {
        copy_whole_thp(k, a);
        return true;
    }
    if (!pmd.is_huge_zero())  // the policy's step already said why the huge zero PMD is split
        k.step("cannot reuse the THP: split the PMD and fall back to a fault on the 4 KiB PTE "
               "(VM_FAULT_FALLBACK)");
    split_huge_pmd(k, a.vma, pmd_index);
    return false;
}

void split_huge_pmd(Kernel& k, VmaId vma, uint32_t pmd_index) {
    auto scope = k.enter("__split_huge_pmd");
    Pmd pmd = k.pmd(vma, pmd_index);
    uint32_t base = pmd_index * kPagesPerPmd;
    if (pmd.is_migration_entry()) {
        // Case (a): each PTE gets a migration entry of the same type for its
        // subpage; a readable-exclusive PMD entry gives readable-exclusive PTEs.
        k.step(k.policy().has_anon_exclusive()
                   ? "a PMD migration entry becomes 512 PTE migration entries of the same type (writable, "
                     "readable-exclusive or readable)"
                   : "a PMD migration entry becomes 512 PTE migration entries of the same type (writable or readable)");
        uint32_t bits = pmd.bits() & (Pte::soft_dirty | Pte::young | Pte::dirty);  // as the entry has them
        k.set_pmd(vma, pmd_index, Pmd::make_table(k.alloc_pte_table()));
        for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
            Pfn sub(pmd.head().value + i);
            Pte entry = pmd.kind() == PmdKind::migration_write ? Pte::make_writable_migration_entry(sub, bits)
                        : pmd.kind() == PmdKind::migration_read_exclusive
                            ? Pte::make_readable_exclusive_migration_entry(sub, bits)
                            : Pte::make_readable_migration_entry(sub, bits);
            k.set_pte(vma, base + i, entry);
        }
        return;
    }
    if (!pmd.is_trans_huge() && !pmd.is_huge_zero()) {
        k.step("nothing to split: no PMD mapping here");
        return;
    }
    if (pmd.is_huge_zero()) {
        k.step("the huge zero PMD becomes 512 PTEs that map the small zero page");
        k.set_pmd(vma, pmd_index, Pmd());
        const uint32_t zero_bits = Pte::young | (vma_prot_none(k, vma, base) ? uint32_t(Pte::protnone) : 0u);
        for (uint32_t i = 0; i < kPagesPerPmd; ++i)
            k.set_pte(vma, base + i, Pte::make_present(k.zero_pfn(), zero_bits));
        return;
    }
    Pfn head = pmd.head();
    bool exclusive = k.PageAnonExclusive(head);
    if (exclusive)
        k.step("a plain PMD split, without freezing the THP: 512 PTEs, one per subpage, each holding a reference on "
               "the THP (refcount +511); the PMD mapped an exclusive THP, so PG_anon_exclusive is forwarded to all "
               "512 subpages");
    else
        k.step(k.policy().has_anon_exclusive()
                   ? "split the PMD into 512 PTEs, one per subpage, each holding a reference on the THP (refcount "
                     "+511); the THP was not exclusive, so no subpage is"
                   : "split the PMD into 512 PTEs, one per subpage, writable if the PMD was; each holds a reference "
                     "on the THP (refcount +511)");
    // The PMD's dirty bit goes to the page (SetPageDirty below) in every
    // era; since v6.1 (era c) the new PTEs keep it too.
    const bool ptes_keep_dirty = k.policy().split_huge_pmd_keeps_dirty();
    uint32_t bits = pmd.bits() & (Pte::write | Pte::young | Pte::soft_dirty | (ptes_keep_dirty ? Pte::dirty : 0u));
    if (!(k.vma_page(vma, base) & VMA_write))
        bits &= ~Pte::write;
    if (vma_prot_none(k, vma, base))
        bits |= Pte::protnone;  // the PTEs are built from the VMA's PAGE_NONE
    k.set_pmd(vma, pmd_index, Pmd::make_table(k.alloc_pte_table()));
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Pfn sub(head.value + i);
        k.set_pte(vma, base + i, Pte::make_present(sub, bits));
        k.page_mapcount_add(sub, 1);
        if (exclusive)
            k.SetPageAnonExclusive(sub);
    }
    // One reference per PTE instead of one for the PMD.
    k.folio_ref_add(head, static_cast<int32_t>(kPagesPerPmd) - 1);
    k.folio_entire_mapcount_add(head, -1);
    // A step of its own once the counts agree again (invariants are checked
    // between steps).
    if (pmd.has(Pte::dirty) && !k.page(head).test(PG_dirty)) {
        k.step(ptes_keep_dirty ? "the PMD was dirty: the THP is marked dirty too (PG_dirty)"
                               : "the PMD was dirty: its dirty bit goes to the THP (PG_dirty), not to the new PTEs");
        k.set_page_flag(head, PG_dirty, true);
    }
}

bool split_huge_page_held(Kernel& k, Pfn head) {
    k.folio_get_in_flight(head);
    k.set_page_flag(head, PG_locked, true);
    const bool split = split_huge_page(k, head);
    k.step(split ? "unlock the first page and drop the reference taken for the split"
                 : "unlock the THP and drop the reference taken for the split");
    k.set_page_flag(head, PG_locked, false);
    k.folio_put_in_flight(head);
    return split;
}

void zap_huge_pmd(Kernel& k, MmuGather& tlb, VmaId vma, uint32_t pmd_index) {
    auto scope = k.enter("zap_huge_pmd");
    Pmd pmd = k.pmd(vma, pmd_index);
    if (pmd.is_huge_zero()) {
        k.step("clear the PMD mapping the huge zero page");
        k.set_pmd(vma, pmd_index, Pmd());
        return;
    }
    k.step("clear the PMD: the THP loses its entire mapping (page_remove_rmap); the PMD's reference waits in the "
           "mmu_gather until the TLB is flushed");
    k.set_pmd(vma, pmd_index, Pmd());
    page_remove_rmap(k, pmd.head(), true);
    k.folio_in_flight_add(pmd.head(), 1);  // the mapping's reference is now the batch's
    tlb.add(pmd.head());
}

bool can_split_folio(Kernel& k, Pfn head) {
    const Page& h = k.page(head);
    // Exactly one reference beyond the mappings (and the swap cache's): the
    // caller's.
    int32_t expected = k.folio_mapcount(head) + 1 + (h.test(PG_swapcache) ? int32_t(kPagesPerPmd) : 0);
    if (h.refcount == expected && h.pincount == 0)
        return true;
    // can_split_folio() is v5.18's folio name for can_split_huge_page().
    const bool folio_name = k.policy().names(EraPolicy::Function::can_split_folio, "can_split_folio");
    k.step(folio_name ? "can_split_folio fails: the THP has references beyond its mappings (refcount {0}, "
                        "expected {1}), a GUP reference or pin"
                      : "can_split_huge_page fails: the THP has references beyond its mappings (refcount {0}, "
                        "expected {1}), a GUP reference or pin",
           h.refcount, expected);
    return false;
}

namespace {

// Where the tail pages go: back on the LRU (split_huge_page), or on the
// list of the reclaim that isolated the THP (split_huge_page_to_list).
enum class TailsTo : uint8_t { lru, reclaim_list };

bool split_folio(Kernel& k, Pfn head, Pfn page, TailsTo tails_to) {
    auto scope = k.enter(tails_to == TailsTo::lru ? "split_huge_page" : "split_huge_page_to_list");
    if (page.value == 0)
        page = head;
    if (!can_split_folio(k, head))
        return false;
    const bool keeps_young_dirty = k.policy().migration_entry_keeps_young_dirty();
    k.step(k.policy().has_anon_exclusive()
               ? "unmap_folio freezes every mapping into migration entries (writable, readable-exclusive or "
                 "readable), __split_huge_page makes 512 4 KiB (order-0) pages, remap_page restores the entries: "
                 "net effect, each subpage keeps the exclusivity its mapping had, and the young and dirty bits"
               : "unmap_page freezes every mapping into migration entries (writable or readable), __split_huge_page "
                 "makes 512 4 KiB (order-0) pages, remap_page restores the entries: net effect, each subpage is "
                 "mapped as before, but old and clean (a dirty bit goes to the page)");
    // PMD mappings first become PTE mappings (exclusivity forwarded as in
    // (b); a dirty PMD gives dirty PTEs from v6.1, as the frozen migration
    // entries would).
    for (const RmapEntry& e : rmap_walk(k, head, false))
        if (e.pmd)
            split_huge_pmd(k, e.vma, e.index / kPagesPerPmd);
    auto split_scope = k.enter("__split_huge_page");
    const bool to_list = tails_to == TailsTo::reclaim_list;
    if (to_list)
        k.step(keeps_young_dirty
                   ? "__split_huge_page: the entries come back with their young and dirty bits; the THP becomes 512 "
                     "order-0 pages, each with a reference per mapping and the head's flags; the tail pages go on "
                     "reclaim's list, off the LRU, each with a reference of reclaim's"
                   : "__split_huge_page: the entries come back old and clean (a dirty bit went to the page); the THP "
                     "becomes 512 order-0 pages, each with a reference per mapping and the head's flags; the tail "
                     "pages go on reclaim's list, off the LRU, each with a reference of reclaim's");
    else
        k.step(keeps_young_dirty
                   ? "__split_huge_page: the entries come back with their young and dirty bits; the THP becomes 512 "
                     "order-0 pages, each with a reference per mapping and the head's flags; subpages nobody maps or "
                     "holds are freed"
                   : "__split_huge_page: the entries come back old and clean (a dirty bit went to the page); the THP "
                     "becomes 512 order-0 pages, each with a reference per mapping and the head's flags; subpages "
                     "nobody maps or holds are freed");
    // The unmap moves each dirty bit to the page; before v6.1
    // remove_migration_pte built old, clean entries.
    for (const RmapEntry& e : rmap_walk(k, head, false)) {
        Pte pte = k.pte(e.vma, e.index);
        if (!pte.is_present())
            continue;
        if (pte.has(Pte::dirty))
            k.set_page_flag(head, PG_dirty, true);
        if (!keeps_young_dirty)
            k.set_pte(e.vma, e.index, pte.without(Pte::young | Pte::dirty));
    }
    // Reclaim isolated the head, so its PG_lru is clear and the tails on its
    // list do not get one either.
    uint32_t shared_flags = k.page(head).flags & (PG_anon | PG_swapbacked | PG_dirty | PG_lru);
    const int32_t in_flight = k.page(head).in_flight;
    const bool locked = k.page(head).test(PG_locked);
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Pfn sub(head.value + i);
        const Page& p = k.page(sub);
        uint32_t flags = PG_allocated | shared_flags;
        // Tails get a fresh flag word: a stale bit on an unmapped subpage goes.
        if (p.test(PG_anon_exclusive) && p.mapcount > 0)
            flags |= PG_anon_exclusive;
        if (sub == page && locked)
            flags |= PG_locked;
        const int32_t held = sub == page ? in_flight : to_list ? 1 : 0;
        k.set_page(sub, PageField::flags, flags);
        k.set_page(sub, PageField::head, sub.value);
        k.set_page(sub, PageField::refcount, static_cast<uint32_t>(p.mapcount + held));
        k.set_page(sub, PageField::anon_vma, k.page(head).anon_vma);
        if (sub != head)
            k.set_page(sub, PageField::in_flight, static_cast<uint32_t>(held));
    }
    if (page != head)
        k.set_page(head, PageField::in_flight, 0);
    k.set_page(head, PageField::order, 0);
    // Subpages nobody maps or holds are freed right away.
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Pfn sub(head.value + i);
        if (k.page(sub).refcount == 0)
            k.free_folio(sub);
    }
    return true;
}

} // namespace

bool split_huge_page(Kernel& k, Pfn head, Pfn page) { return split_folio(k, head, page, TailsTo::lru); }

bool split_huge_page_to_list(Kernel& k, Pfn head) { return split_folio(k, head, head, TailsTo::reclaim_list); }

} // namespace mmt

namespace mmt {

// Only the two ends of the range can be such a boundary; the THP itself
// stays whole (only its PMD mapping is split).
void vma_adjust_trans_huge(Kernel& k, VmaId vma, uint32_t first, uint32_t last,
                           const std::function<uint8_t(uint8_t)>& new_bits) {
    auto bits_after = [&](uint32_t i) {
        uint8_t bits = k.vma_page(vma, i);
        return i < first || i > last ? bits : new_bits(bits);
    };
    const uint32_t npages = k.vma(vma).npages;
    for (uint32_t p : {first / kPagesPerPmd, last / kPagesPerPmd}) {
        Pmd pmd = k.pmd(vma, p);
        if (!pmd.is_trans_huge() && !pmd.is_huge_zero() && !pmd.is_migration_entry())
            continue;
        const uint32_t base = p * kPagesPerPmd;
        bool uniform = true;
        for (uint32_t i = base + 1; i < std::min(npages, base + kPagesPerPmd) && uniform; ++i)
            uniform = bits_after(i) == bits_after(base);
        if (uniform)
            continue;
        auto scope = k.enter("split_vma");
        k.step("the new VMA boundary falls inside a PMD-mapped THP: vma_adjust_trans_huge splits the PMD (with the "
               "VMA's old flags), as no PMD may map across two VMAs");
        split_huge_pmd(k, vma, p);
    }
}

} // namespace mmt
