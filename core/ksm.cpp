#include "ksm.h"

#include "era_policy.h"
#include "fault.h"
#include "huge_memory.h"
#include "kernel.h"
#include "memory.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

namespace {

// write_protect_page(): clear + flush, then the refcount test that catches
// any GUP reference, then (era c) page_try_share_anon_rmap.
bool write_protect_page_locked(Kernel& k, const Address& a);

// KSM's scan holds its own reference on the page while it works on it.
bool write_protect_page(Kernel& k, const Address& a) {
    Pfn page = k.pte(a.vma, a.index).pfn();
    k.step("KSM's scan takes its own reference on the page while it works on it");
    k.folio_ref_add(page, 1);
    k.folio_in_flight_add(page, 1);
    bool ok = write_protect_page_locked(k, a);
    k.folio_put_in_flight(page);
    return ok;
}

bool write_protect_page_locked(Kernel& k, const Address& a) {
    auto scope = k.enter("write_protect_page");
    Pte pte = k.pte(a.vma, a.index);
    Pfn page = pte.pfn();
    bool needs = pte.has(Pte::write) || pte.has(Pte::dirty) || k.PageAnonExclusive(page);
    if (!needs) {
        k.step("the PTE is already clean and read-only: nothing to write-protect");
        return true;
    }
    k.step("clear the PTE and flush the TLB (ptep_clear_flush): GUP-fast cannot take a new reference unseen");
    k.set_pte(a.vma, a.index, Pte());
    int32_t expected = k.page_mapcount(page) + 1 + (k.page(page).test(PG_swapcache) ? 1 : 0);
    // The mapping we just cleared still counts in mapcount and refcount.
    if (k.page_count(page) != expected) {
        k.step("mapcount + 1 + swapcache is {0} but refcount is {1}: someone holds a GUP reference or pin; "
               "restore the PTE and give up",
               expected, k.page_count(page));
        k.set_pte(a.vma, a.index, pte);
        return false;
    }
    if (!page_try_share_anon_rmap(k, page)) {
        k.step("page_try_share_anon_rmap fails: restore the PTE and give up");
        k.set_pte(a.vma, a.index, pte);
        return false;
    }
    if (pte.has(Pte::dirty))
        k.set_page_flag(page, PG_dirty, true);
    k.step(k.policy().has_anon_exclusive() ? "map the page clean and read-only again; it is no longer exclusive"
                                            : "map the page clean and read-only again");
    k.set_pte(a.vma, a.index, pte.without(Pte::write | Pte::dirty));
    return true;
}

} // namespace

Outcome ksm_merge(Kernel& k, const Address& a, const Address& b) {
    auto scope = k.enter("try_to_merge_two_pages");
    // KSM works on 4 KiB pages: split PMD-mapped THPs first.
    for (const Address* x : {&a, &b}) {
        Pmd pmd = k.pmd(x->vma, x->index / kPagesPerPmd);
        if (pmd.is_trans_huge()) {
            if (!split_huge_page(k, pmd.head()))
                return Outcome::fail(reason::pinned);
        }
    }
    Pfn pa = mapped_page(k, a), pb = mapped_page(k, b);
    if (pa.value == 0 || pb.value == 0 || k.is_zero_pfn(pa) || k.is_zero_pfn(pb) || !k.PageAnon(pa) ||
        !k.PageAnon(pb)) {
        k.step("KSM merges only present anonymous pages");
        return Outcome::fail(reason::not_anon);
    }
    if (k.page(pa).contents != k.page(pb).contents) {
        k.step("the pages' contents differ: nothing to merge");
        return Outcome::fail(reason::differ);
    }
    if (k.folio_test_large(pa) || k.folio_test_large(pb)) {
        k.step("a PTE-mapped THP subpage: split_huge_page first");
        if ((k.folio_test_large(pa) && !split_huge_page(k, k.folio(pa))) ||
            (k.folio_test_large(pb) && !split_huge_page(k, k.folio(pb))))
            return Outcome::fail(reason::pinned);
    }
    // The first page becomes the KSM page.
    bool made_ksm = false;
    if (!k.PageKsm(pa)) {
        made_ksm = true;
        auto s = k.enter("try_to_merge_with_ksm_page");
        if (!write_protect_page(k, a))
            return Outcome::fail(reason::pinned);
        k.step(k.policy().has_anon_exclusive() ? "set_page_stable_node: the page becomes a KSM page (never exclusive)"
                                                : "set_page_stable_node: the page becomes a KSM page");
        k.set_page_flag(pa, PG_ksm, true);
        k.set_page_flag(pa, PG_dirty, true);
    }
    if (pa == pb)
        return Outcome::success();
    auto s = k.enter("try_to_merge_with_ksm_page");
    if (!write_protect_page(k, b)) {
        if (made_ksm) {
            // try_to_merge_two_pages(): the pair failed, so the first page must
            // not stay a lonely KSM page: break_cow() write-faults it again.
            auto brk = k.enter("break_cow");
            k.step(k.policy().has_anon_exclusive()
                       ? "the second page cannot be merged: break_cow takes a write fault on the first address, which "
                         "copies the KSM page back into an ordinary exclusive page"
                       : "the second page cannot be merged: break_cow takes a write fault on the first address, after "
                         "which that address maps an ordinary anonymous page again");
            (void)handle_mm_fault(k, a, FaultKind::write);
        }
        return Outcome::fail(reason::pinned);
    }
    auto r = k.enter("replace_page");
    k.step("replace_page: the second address now maps the KSM page read-only; the duplicate loses its mapping");
    Pte old = k.pte(b.vma, b.index);
    k.folio_ref_add(pa, 1);
    page_add_anon_rmap(k, pa, false, false);
    k.set_pte(b.vma, b.index, Pte::make_present(pa, old.bits() & Pte::soft_dirty));
    page_remove_rmap(k, pb, false);
    free_swap_cache(k, pb);
    k.folio_put(pb);
    return Outcome::success();
}

} // namespace mmt
