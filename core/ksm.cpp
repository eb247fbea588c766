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
// any GUP reference, then (era c) page_try_share_anon_rmap. The caller (the
// scan, or the lookup that found the page) holds one reference on the page:
// the "+ 1" of the test.
bool write_protect_page(Kernel& k, const Address& a) {
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
        k.step("mapcount ({0}) + the scan's own reference (1) + the swap cache's ({1}) is not the refcount "
               "({2}): someone holds a GUP reference or pin; restore the PTE and give up",
               k.page_mapcount(page), k.page(page).test(PG_swapcache) ? 1 : 0, k.page_count(page));
        k.set_pte(a.vma, a.index, pte);
        return false;
    }
    if (!page_try_share_anon_rmap(k, page,
                                  "nobody else holds the page: page_try_share_anon_rmap clears PG_anon_exclusive")) {
        k.step("page_try_share_anon_rmap fails: restore the PTE and give up");
        k.set_pte(a.vma, a.index, pte);
        return false;
    }
    const bool dirty = pte.has(Pte::dirty);
    if (k.policy().has_anon_exclusive())
        k.step(dirty ? "the PTE was dirty, so the page is marked dirty; map the page clean and read-only again; it is "
                       "no longer exclusive"
                     : "map the page clean and read-only again; it is no longer exclusive");
    else
        k.step(dirty ? "the PTE was dirty, so the page is marked dirty; map the page clean and read-only again"
                     : "map the page clean and read-only again");
    if (dirty)
        k.set_page_flag(page, PG_dirty, true);
    k.set_pte(a.vma, a.index, pte.without(Pte::write | Pte::dirty));
    return true;
}

// Why a page could not be merged: a pin, or just some other reference (a
// FOLL_GET, O_DIRECT in flight) that the refcount tests see alike.
Outcome refused(const Kernel& k, Pfn page) {
    return Outcome::fail(k.folio_maybe_dma_pinned(page) ? reason::pinned : reason::extra_refs);
}

// try_to_merge_with_ksm_page() and the try_to_merge_one_page() it calls, for
// the page mapped at `a`: a THP is split first (KSM merges 4 KiB pages),
// write_protect_page() checks that nobody else holds a reference, then with
// no `kpage` the page itself becomes a KSM page (set_page_stable_node), or
// else replace_page() maps `kpage` at `a` in its place.
Outcome try_to_merge_with_ksm_page(Kernel& k, const Address& a, Pfn page, Pfn kpage) {
    auto scope = k.enter("try_to_merge_with_ksm_page");
    if (k.folio_test_large(page)) {
        k.step("a THP subpage: lock it and split_huge_page first, KSM merges 4 KiB pages");
        Pfn head = k.folio(page);
        k.set_page_flag(head, PG_locked, true);
        const bool split = split_huge_page(k, head, page);
        k.set_page_flag(k.folio(page), PG_locked, false);
        if (!split)
            return refused(k, head);
    }
    if (!write_protect_page(k, a))
        return refused(k, page);
    if (kpage.value == 0) {
        k.step(k.policy().has_anon_exclusive() ? "set_page_stable_node: the page becomes a KSM page (never exclusive)"
                                                : "set_page_stable_node: the page becomes a KSM page");
        k.set_page_flag(page, PG_ksm, true);
        k.set_page_flag(page, PG_dirty, true);
        // A KSM page's swap entries can sit at any address of any process,
        // as for a page that was KSM when it was added to the swap cache.
        if (k.page(page).test(PG_swapcache))
            k.set_swap_slot(SwapSlot(k.page(page).swap_slot), SwapField::anon_vma, 0);
        return Outcome::success();
    }
    auto r = k.enter("replace_page");
    k.step("replace_page: this address now maps the KSM page read-only; the duplicate page loses this mapping");
    k.folio_ref_add(kpage, 1);
    page_add_anon_rmap(k, kpage, false, false);
    // mk_pte with the VMA's vm_page_prot: young, not soft-dirty, PROT_NONE
    // in a PROT_NONE range.
    const uint32_t bits = Pte::young | (vma_prot_none(k, a.vma, a.index) ? uint32_t(Pte::protnone) : 0u);
    k.set_pte(a.vma, a.index, Pte::make_present(kpage, bits));
    page_remove_rmap(k, page, false);
    if (k.folio_mapcount(page) == 0)
        try_to_free_swap(k, page);
    k.folio_put(page);
    return Outcome::success();
}

// break_cow(): the first page must not stay a KSM page that only one PTE
// maps. Before v6.2, break_ksm() holds a reference on the KSM page (its
// follow_page takes FOLL_GET) across a write fault, so do_wp_page() copies
// it even in v5.7; v6.2 takes an unshare fault instead, which copies the KSM
// page into an exclusive page mapped read-only.
void break_cow(Kernel& k, const Address& a) {
    auto brk = k.enter("break_cow");
    if (k.policy().break_ksm_unshares()) {
        k.step("the second page cannot be merged: break_cow unshares the first address (FAULT_FLAG_UNSHARE), so "
               "that it does not stay the only mapping of a KSM page");
        (void)handle_mm_fault(k, a, FaultKind::unshare);
        return;
    }
    const Pfn kpage = k.pte(a.vma, a.index).pfn();
    k.step("the second page cannot be merged: break_ksm takes a reference on the KSM page (follow_page, FOLL_GET) "
           "and write-faults the first address, so that it does not stay the only mapping of a KSM page");
    k.folio_get_in_flight(kpage);
    (void)handle_mm_fault(k, a, FaultKind::write);
    k.step("break_ksm drops its reference on the KSM page");
    k.folio_put_in_flight(kpage);
}

// stable_tree_search(): a KSM page with these contents, if there is one (the
// stable tree is searched by contents). get_ksm_page() accepts a KSM page as
// long as it is not freed: one that no process maps any more but a GUP
// reference keeps alive is found and mapped again.
Pfn stable_tree_search(const Kernel& k, uint32_t contents) {
    for (uint32_t f = 1; f < k.state().pages.size(); ++f) {
        const Pfn pfn(f);
        const Page& p = k.page(pfn);
        if (p.test(PG_ksm) && p.contents == contents && p.refcount > 0)
            return pfn;
    }
    return Pfn();
}

// One cmp_and_merge_page() of the scan for the page at `a`, which found the
// KSM page `kpage` in the stable tree: the lookup holds a reference on kpage
// while the page is merged into it (try_to_merge_with_ksm_page). A failure
// leaves the page as it was: there is no COW to break.
Outcome merge_with_stable(Kernel& k, const Address& a, Pfn page, Pfn kpage) {
    k.step("KSM's scan takes a reference on this page (follow_page, FOLL_GET); stable_tree_search takes one on the "
           "KSM page it found");
    k.folio_get_in_flight(page);
    k.folio_get_in_flight(kpage);
    Outcome o = try_to_merge_with_ksm_page(k, a, page, kpage);
    k.step("drop both references");
    k.folio_put_in_flight(kpage);
    k.folio_put_in_flight(page);
    return o;
}

// Why the scan cannot take the page at an address: nothing mapped (follow_page
// finds nothing behind a none, swap, migration or device-private entry), or
// not an anonymous page (the shared zero page). nullptr: it can.
const char* not_mergeable(Kernel& k, Pfn page, bool first) {
    if (page.value == 0) {
        k.step(first ? "follow_page finds no page mapped at the first address: KSM skips it"
                     : "follow_page finds no page mapped at the second address: KSM skips it");
        return reason::no_page;
    }
    if (k.is_zero_pfn(page) || !k.PageAnon(page)) {
        k.step("KSM merges only anonymous pages (the shared zero page is not one)");
        return reason::not_anon;
    }
    return nullptr;
}

} // namespace

Outcome ksm_merge(Kernel& k, const Address& a, const Address& b) {
    auto scope = k.enter("cmp_and_merge_page");
    Pfn pa = mapped_page(k, a);
    if (const char* why = not_mergeable(k, pa, true))
        return Outcome::fail(why);
    // The stable tree first, by the first page's contents: a KSM page that
    // holds them takes the first page, then the second when the scan
    // reaches it (or the same page again, shared after fork, through its
    // other mapping). A KSM page scanned finds itself and is left as it is.
    const Pfn kpage = k.PageKsm(pa) ? pa : stable_tree_search(k, k.page(pa).contents);
    if (kpage.value != 0) {
        k.step("stable_tree_search finds a KSM page with the same contents: each page that is not already that page "
               "is merged into it");
        Outcome result = Outcome::success();
        for (int which = 0; which < 2; ++which) {
            const Address& addr = which == 0 ? a : b;
            const Pfn page = mapped_page(k, addr);
            if (page == kpage)
                continue;
            Outcome o = Outcome::success();
            if (const char* why = not_mergeable(k, page, which == 0)) {
                o = Outcome::fail(why);
            } else if (k.page(page).contents != k.page(kpage).contents) {
                k.step("the second page's contents differ: it has nothing to merge with");
                o = Outcome::fail(reason::differ);
            } else if (k.PageKsm(page)) {
                k.step("this page is a KSM page already in the stable tree: the search finds it as itself and "
                       "leaves it as it is");
                continue;
            } else {
                o = merge_with_stable(k, addr, page, kpage);
            }
            if (!o.ok() && result.ok())
                result = o;
        }
        return result;
    }
    Pfn pb = mapped_page(k, b);
    if (const char* why = not_mergeable(k, pb, false))
        return Outcome::fail(why);
    if (pa == pb) {
        // unstable_tree_search_insert() never substitutes a page for itself
        // (a page shared after fork).
        k.step("both addresses already map the same page: KSM does not merge a page with itself, nothing changes");
        return Outcome::success();
    }
    if (k.page(pa).contents != k.page(pb).contents) {
        k.step("the pages' contents differ: nothing to merge");
        return Outcome::fail(reason::differ);
    }
    // Two ordinary pages: unstable_tree_search_insert() found the other one.
    // The scan's reference on the first page and the lookup's on the second
    // are held across try_to_merge_two_pages(), which makes the first a KSM
    // page before it looks at the second (its THP split included).
    k.step("KSM's scan takes a reference on the first page (follow_page, FOLL_GET); the unstable tree lookup takes "
           "one on the second (get_mergeable_page)");
    k.folio_get_in_flight(pa);
    k.folio_get_in_flight(pb);
    const bool same_thp = k.folio_test_large(pa) && k.folio(pa) == k.folio(pb);
    Outcome result = Outcome::success();
    {
        auto two = k.enter("try_to_merge_two_pages");
        result = try_to_merge_with_ksm_page(k, a, pa, Pfn());
        if (result.ok()) {
            result = try_to_merge_with_ksm_page(k, b, pb, pa);
            if (!result.ok())
                break_cow(k, a);
        }
    }
    k.step("drop the unstable tree lookup's reference on the second page");
    k.folio_put_in_flight(pb);
    if (same_thp && k.folio_test_large(pa)) {
        // Both references were on one THP, so its split could not succeed.
        // With one dropped, cmp_and_merge_page splits it now; a later scan
        // would merge the 4 KiB pages.
        k.step("both pages are subpages of one THP, so KSM's own second reference made the split fail; with that "
               "reference dropped, split the THP now and leave the merging to a later pass");
        Pfn head = k.folio(pa);
        k.set_page_flag(head, PG_locked, true);
        const bool split = split_huge_page(k, head, pa);
        k.set_page_flag(k.folio(pa), PG_locked, false);
        result = split ? Outcome::fail(reason::ksm_split_only) : refused(k, head);
    }
    k.step("KSM's scan drops its reference on the first page");
    k.folio_put_in_flight(pa);
    return result;
}

} // namespace mmt
