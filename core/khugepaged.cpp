#include "khugepaged.h"

#include <algorithm>
#include <array>
#include <vector>

#include "era_policy.h"
#include "kernel.h"
#include "memory.h"
#include "migrate_device.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

namespace {

// The results of khugepaged's scan (enum scan_result) that MADV_COLLAPSE can
// meet here.
enum class Scan : uint8_t {
    succeed,
    pmd_null,         // no PMD table for this address at all (pud missing)
    pmd_none,         // a PMD table, but this PMD maps nothing
    pmd_mapped,       // already a PMD mapping
    pte_non_present,  // an entry still not present after the swap-in
    page_ro,          // no PTE in the 2 MiB maps a page writable
    page_lock,        // trylock_page failed
    page_count,       // references beyond the mappings and the swap cache
    page_lru,         // the page is not on the LRU
    del_page_lru,     // isolate_lru_page failed
    fail,             // the swap-in failed
};

// madvise_collapse() goes on to the next 2 MiB after these failures; after
// any other it returns at once (SCAN_PMD_NONE among them: v6.2's list has
// only SCAN_PMD_NULL).
bool may_go_on(Scan r) {
    switch (r) {
    case Scan::pmd_null:
    case Scan::pte_non_present:
    case Scan::page_ro:
    case Scan::page_lock:
    case Scan::page_count:
    case Scan::page_lru:
    case Scan::del_page_lru:
        return true;
    default:
        return false;
    }
}

// What madvise_collapse() returns when not every 2 MiB became a THP: the
// errno of the last failure (madvise_collapse_errno). A failure that may
// pass is -EAGAIN (SCAN_PAGE_COUNT too, from "mm/MADV_COLLAPSE: set EAGAIN on
// unexpected page refcount", merged for v6.2's release), any other -EINVAL.
const char* failure_sentence(Scan r) {
    switch (r) {
    case Scan::page_lock:
        return "not every 2 MiB became a THP: madvise returns -EAGAIN (last failure SCAN_PAGE_LOCK: a retry may "
               "succeed)";
    case Scan::page_count:
        return "not every 2 MiB became a THP: madvise returns -EAGAIN (last failure SCAN_PAGE_COUNT: a retry may "
               "succeed once the extra references are gone)";
    case Scan::page_lru:
    case Scan::del_page_lru:
        return "not every 2 MiB became a THP: madvise returns -EAGAIN (last failure: a page off the LRU)";
    case Scan::page_ro:
        return "not every 2 MiB became a THP: madvise returns -EINVAL (last failure SCAN_PAGE_RO)";
    case Scan::pmd_null:
    case Scan::pmd_none:
        return "not every 2 MiB became a THP: madvise returns -EINVAL (the last failure: nothing mapped there)";
    default:
        return "not every 2 MiB became a THP: madvise returns -EINVAL";
    }
}

bool failure_may_pass(Scan r) {
    return r == Scan::page_lock || r == Scan::page_count || r == Scan::page_lru || r == Scan::del_page_lru;
}

// is_refcount_suitable(): no references beyond the page's mappings and the
// swap cache's.
bool refcount_suitable(const Kernel& k, Pfn page) {
    int32_t expected = k.folio_mapcount(page);
    if (k.head_page(page).test(PG_swapcache))
        expected += static_cast<int32_t>(k.folio_nr_pages(page));
    return k.page_count(page) == expected;
}

// Whether the pud of this 2 MiB is populated: x86-64 gives each 1 GiB one
// table of PMDs, there as soon as any PMD in that GiB has been used.
bool pud_present(const Kernel& k, VmaId vma, uint32_t pmd_index) {
    const Vma& v = k.vma(vma);
    const uint64_t gib = (v.start + uint64_t(pmd_index) * kPagesPerPmd * 4096) >> 30;
    for (VmaId other : k.vmas_of(v.process)) {
        const Vma& o = k.vma(other);
        uint32_t npmds = (o.npages + kPagesPerPmd - 1) / kPagesPerPmd;
        for (uint32_t p = 0; p < npmds; ++p)
            if (((o.start + uint64_t(p) * kPagesPerPmd * 4096) >> 30) == gib && !k.pmd(other, p).is_none())
                return true;
    }
    return false;
}

// find_pmd_or_thp_or_none().
Scan find_pmd_or_thp_or_none(Kernel& k, VmaId vma, uint32_t pmd_index) {
    Pmd pmd = k.pmd(vma, pmd_index);
    if (pmd.is_none()) {
        if (pud_present(k, vma, pmd_index)) {
            k.step("this 2 MiB has no page table, but its PMD table exists (SCAN_PMD_NONE): madvise_collapse "
                   "does not go on after this result");
            return Scan::pmd_none;
        }
        k.step("nothing maps this 2 MiB, not even a table of PMDs (SCAN_PMD_NULL): on to the next 2 MiB");
        return Scan::pmd_null;
    }
    if (pmd.is_trans_huge() || pmd.is_huge_zero()) {
        k.step(pmd.is_huge_zero() ? "a PMD already maps the huge zero page (SCAN_PMD_MAPPED): nothing to do"
                                  : "a PMD already maps a THP here (SCAN_PMD_MAPPED): nothing to do");
        return Scan::pmd_mapped;
    }
    if (!pmd.is_table()) {
        k.step("a PMD migration entry (SCAN_PMD_NULL): on to the next 2 MiB");
        return Scan::pmd_null;
    }
    return Scan::succeed;
}

// hpage_collapse_scan_pmd()'s look at each PTE, before anything is locked.
// Entries that are not present pass (MADV_COLLAPSE has no max_ptes_swap) and
// are counted: collapse_huge_page swaps them in.
Scan scan_ptes(Kernel& k, VmaId vma, uint32_t base, uint32_t& unmapped) {
    bool writable = false;
    for (uint32_t i = base; i < base + kPagesPerPmd; ++i) {
        Pte pte = k.pte(vma, i);
        if (!pte.is_present()) {
            if (!pte.is_none())
                ++unmapped;
            continue;
        }
        if (k.is_zero_pfn(pte.pfn()))
            continue;
        writable |= pte.has(Pte::write);
        Pfn page = pte.pfn();
        if (!k.head_page(page).test(PG_lru)) {
            k.step("{P0} is not on the LRU (SCAN_PAGE_LRU)", page.value);
            return Scan::page_lru;
        }
        if (!refcount_suitable(k, page)) {
            k.step("{P0} has references beyond its mappings and the swap cache (refcount {1}): a GUP "
                   "reference or pin (SCAN_PAGE_COUNT)",
                   page.value, k.page_count(page));
            return Scan::page_count;
        }
    }
    if (!writable) {
        k.step("no PTE in this 2 MiB maps a page writable (SCAN_PAGE_RO): shared after fork or write-protected, "
               "it is left alone");
        return Scan::page_ro;
    }
    k.step(unmapped ? "every page may be collapsed; {0} entries are not present and will be swapped in first"
                    : "every page may be collapsed (SCAN_SUCCEED)",
           unmapped);
    return Scan::succeed;
}

// __collapse_huge_page_swapin(): a read fault on each entry that is not
// present; the pages come back mapped read-only.
Scan collapse_huge_page_swapin(Kernel& k, VmaId vma, uint32_t base) {
    auto scope = k.enter("__collapse_huge_page_swapin");
    k.step("some entries are not present: fault each in (do_swap_page, as a read)");
    ProcessId process = k.vma(vma).process;
    for (uint32_t i = base; i < base + kPagesPerPmd; ++i) {
        Pte pte = k.pte(vma, i);
        Address a{process, vma, i};
        if (pte.is_swap_entry()) {
            do_swap_page(k, a, FaultKind::read);
        } else if (pte.is_device_private_entry() && !do_swap_page_device_private(k, a)) {
            // The test driver's migrate_to_ram reports no error when a page
            // stays behind: the entry is simply still not present.
            k.step("the page stayed in device memory: its entry is still not present (SCAN_PTE_NON_PRESENT)");
            return Scan::pte_non_present;
        }
    }
    return Scan::succeed;
}

// The pages __collapse_huge_page_isolate() locked and took off the LRU.
struct Isolated {
    std::vector<Pfn> small;     // order-0 pages
    std::vector<Pfn> compound;  // heads of PTE-mapped THPs (compound_pagelist)
};

// putback_lru_page(): back on the LRU, and the isolation reference dropped.
void putback_lru_page(Kernel& k, Pfn page) {
    k.set_page_flag(page, PG_lru, true);
    k.folio_put_in_flight(page);
}

// release_pte_pages(): undo the isolation of what was isolated so far.
void release_pte_pages(Kernel& k, Isolated& isolated) {
    for (const std::vector<Pfn>* list : {&isolated.small, &isolated.compound})
        for (Pfn page : *list) {
            k.set_page_flag(page, PG_locked, false);
            putback_lru_page(k, page);
        }
    isolated = {};
}

// __collapse_huge_page_isolate(), on the PTEs of the table khugepaged has
// just unlinked: lock each page, check its references again, take it off
// the LRU. A compound page is taken once, however many PTEs map it; an
// order-0 page mapped twice here (KSM) is found locked the second time.
Scan collapse_huge_page_isolate(Kernel& k, const std::array<Pte, kPagesPerPmd>& ptes, Isolated& isolated) {
    auto scope = k.enter("__collapse_huge_page_isolate");
    k.step("isolate every page the table maps: trylock it, check its references, take it off the LRU "
           "(isolate_lru_page takes a reference)");
    bool writable = false;
    for (Pte pte : ptes) {
        if (pte.is_none() || (pte.is_present() && k.is_zero_pfn(pte.pfn())))
            continue;
        if (!pte.is_present()) {
            k.step("an entry is still not present (SCAN_PTE_NON_PRESENT)");
            release_pte_pages(k, isolated);
            return Scan::pte_non_present;
        }
        Pfn page = k.folio(pte.pfn());
        const bool large = k.folio_test_large(page);
        if (large && std::find(isolated.compound.begin(), isolated.compound.end(), page) != isolated.compound.end()) {
            writable |= pte.has(Pte::write);
            continue;
        }
        if (k.page(page).test(PG_locked)) {
            k.step("trylock_page fails on {P0}: it is locked already, here by this very walk (KSM maps one "
                   "page at two addresses of the range) (SCAN_PAGE_LOCK)",
                   page.value);
            release_pte_pages(k, isolated);
            return Scan::page_lock;
        }
        if (!refcount_suitable(k, page)) {
            k.step("{P0} has references beyond its mappings and the swap cache (refcount {1}) (SCAN_PAGE_COUNT)",
                   page.value, k.page_count(page));
            release_pte_pages(k, isolated);
            return Scan::page_count;
        }
        if (!k.page(page).test(PG_lru)) {
            k.step("{P0} cannot be taken off the LRU (SCAN_DEL_PAGE_LRU)", page.value);
            release_pte_pages(k, isolated);
            return Scan::del_page_lru;
        }
        k.set_page_flag(page, PG_locked, true);
        k.folio_get_in_flight(page);
        k.set_page_flag(page, PG_lru, false);
        (large ? isolated.compound : isolated.small).push_back(page);
        writable |= pte.has(Pte::write);
    }
    if (!writable) {
        k.step("no PTE maps a page writable (SCAN_PAGE_RO)");
        release_pte_pages(k, isolated);
        return Scan::page_ro;
    }
    return Scan::succeed;
}

// __collapse_huge_page_copy(): copy each page into the THP (none and zero-page
// entries become zeroes), clear its PTE in the unlinked table and let the
// page go (free_page_and_swap_cache); PTE-mapped THPs go last, once.
void collapse_huge_page_copy(Kernel& k, VmaId vma, uint32_t table, const std::array<Pte, kPagesPerPmd>& ptes,
                             Pfn head, Isolated& isolated) {
    auto scope = k.enter("__collapse_huge_page_copy");
    k.step("copy each page into the new THP (none and zero-page entries give zeroes), clear its PTE and drop "
           "its mapping; an order-0 page is unlocked and goes back to the LRU");
    // The kernel drops each page's reference right after its copy; here the
    // references are dropped in a second step, so that the frees they cause
    // do not interleave with the copies (the end state is the same).
    std::vector<Pfn> copied;
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Pte pte = ptes[i];
        if (pte.is_none())
            continue;
        Pfn page = pte.pfn();
        if (k.is_zero_pfn(page)) {
            k.set_detached_pte(table, i, Pte());
            continue;
        }
        k.set_page(Pfn(head.value + i), PageField::contents, k.page(page).contents);
        if (!k.folio_test_large(page)) {
            // release_pte_page(): unlocked and put back before the PTE goes.
            k.set_page_flag(page, PG_locked, false);
            putback_lru_page(k, page);
        }
        k.set_detached_pte(table, i, Pte());
        page_remove_rmap(k, page, false);
        k.folio_in_flight_add(page, 1);  // the mapping's reference, until it is dropped below
        copied.push_back(page);
    }
    if (!copied.empty()) {
        k.step("drop the reference each copied page's mapping held (free_page_and_swap_cache): a page nobody "
               "else holds is freed, with its swap cache");
        for (Pfn page : copied) {
            free_swap_cache(k, page);
            k.folio_put_in_flight(page);
        }
    }
    for (Pfn folio : isolated.compound) {
        k.step("the PTE-mapped THP {P0} was copied whole: unlock it, drop its swap cache and its isolation "
               "reference",
               folio.value);
        k.set_page_flag(folio, PG_locked, false);
        free_swap_cache(k, folio);
        putback_lru_page(k, folio);
    }
    isolated = {};
}

// collapse_huge_page(): allocate the THP, swap in what is not present, unlink
// the page table from its PMD (pmdp_collapse_flush: GUP-fast sees the PMD
// change and backs off), isolate, copy, and map the THP with one PMD. A
// failed isolation puts the table back (pmd_populate).
Scan collapse_huge_page(Kernel& k, VmaId vma, uint32_t pmd_index, uint32_t unmapped) {
    auto scope = k.enter("collapse_huge_page");
    const uint32_t base = pmd_index * kPagesPerPmd;
    k.step("allocate the new THP (alloc_charge_hpage)");
    Pfn head = k.alloc_thp();
    if (unmapped) {
        if (Scan r = collapse_huge_page_swapin(k, vma, base); r != Scan::succeed) {
            k.step("put the THP that was allocated for this 2 MiB");
            k.folio_put_in_flight(head);
            return r;
        }
    }
    const Pmd table_pmd = k.pmd(vma, pmd_index);
    std::array<Pte, kPagesPerPmd> ptes;
    for (uint32_t i = 0; i < kPagesPerPmd; ++i)
        ptes[i] = k.pte(vma, base + i);
    k.step("pmdp_collapse_flush: unlink the page table from the PMD and flush the TLB; a GUP-fast walk that "
           "re-reads the PMD finds it changed and gives up, and the process faults (and waits) if it touches the "
           "range now");
    k.set_pmd(vma, pmd_index, Pmd());
    Isolated isolated;
    if (Scan r = collapse_huge_page_isolate(k, ptes, isolated); r != Scan::succeed) {
        k.step("the isolation failed: pmd_populate puts the page table back, and the THP is put");
        k.set_pmd(vma, pmd_index, table_pmd);
        k.folio_put_in_flight(head);
        return r;
    }
    collapse_huge_page_copy(k, vma, table_pmd.table(), ptes, head, isolated);
    k.step(k.policy().has_anon_exclusive()
               ? "page_add_new_anon_rmap makes the THP anonymous and exclusive; set_pmd_at maps it with one PMD, "
                 "dirty, writable if the VMA is"
               : "page_add_new_anon_rmap makes the THP anonymous; set_pmd_at maps it with one PMD, dirty, "
                 "writable if the VMA is");
    page_add_new_anon_rmap(k, head, vma, base, true);
    uint32_t bits = Pte::dirty | Pte::young | Pte::soft_dirty;
    if (k.vma_page(vma, base) & VMA_write)
        bits |= Pte::write;
    k.set_pmd(vma, pmd_index, Pmd::make_huge(head, bits));
    return Scan::succeed;
}

// hpage_collapse_scan_pmd() for the 2 MiB block at pmd_index, and the
// collapse when the scan finds nothing against it.
Scan hpage_collapse_scan_pmd(Kernel& k, VmaId vma, uint32_t pmd_index) {
    auto scope = k.enter("hpage_collapse_scan_pmd");
    if (Scan r = find_pmd_or_thp_or_none(k, vma, pmd_index); r != Scan::succeed)
        return r;
    uint32_t unmapped = 0;
    if (Scan r = scan_ptes(k, vma, pmd_index * kPagesPerPmd, unmapped); r != Scan::succeed)
        return r;
    return collapse_huge_page(k, vma, pmd_index, unmapped);
}

// madvise_collapse() on one kernel VMA: pages [first, last] of the run
// [run_first, run_last] with the same attributes.
Outcome madvise_collapse_vma(Kernel& k, VmaId vma, uint32_t run_first, uint32_t run_last, uint32_t first,
                             uint32_t last) {
    auto scope = k.enter("madvise_collapse");
    uint32_t aligned = (run_first + kPagesPerPmd - 1) / kPagesPerPmd * kPagesPerPmd;
    if (aligned + kPagesPerPmd - 1 > run_last) {
        k.step("this VMA cannot hold an aligned 2 MiB (hugepage_vma_check): -EINVAL");
        return Outcome::fail(reason::collapse_einval);
    }
    if (!k.vma(vma).has_anon_vma) {
        k.step("the VMA has no anon_vma yet (nothing but the zero page was ever mapped in it), which "
               "hugepage_vma_check requires: -EINVAL");
        return Outcome::fail(reason::collapse_einval);
    }
    uint32_t hstart = (first + kPagesPerPmd - 1) / kPagesPerPmd;
    uint32_t hend = (last + 1) / kPagesPerPmd;
    if (hstart == hend) {
        k.step("this part of the range holds no whole aligned 2 MiB: nothing to collapse");
        return Outcome::success();
    }
    if (hstart > hend) {
        // Both ends inside one 2 MiB, neither on its boundary: the rounded
        // start lies past the rounded end, and the final count test compares
        // 0 collapsed THPs with their (unsigned, wrapped) difference.
        k.step("the range starts and ends inside one 2 MiB without reaching either boundary: the start rounded up "
               "lies past the end rounded down, the unsigned count of 2 MiB blocks wraps around, and the 0 THPs "
               "made never match it (a v6.2 quirk): -EINVAL");
        return Outcome::fail(reason::collapse_einval);
    }
    uint32_t thps = 0;
    Scan last_fail = Scan::succeed;
    for (uint32_t p = hstart; p < hend; ++p) {
        Scan r = hpage_collapse_scan_pmd(k, vma, p);
        if (r == Scan::succeed || r == Scan::pmd_mapped) {
            ++thps;
            continue;
        }
        last_fail = r;
        if (!may_go_on(r))
            break;
    }
    if (thps == hend - hstart)
        return Outcome::success();
    k.step(failure_sentence(last_fail));
    return Outcome::fail(failure_may_pass(last_fail) ? reason::collapse_eagain : reason::collapse_einval);
}

} // namespace

Outcome madvise_collapse(Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    const uint32_t npages = k.vma(vma).npages;
    for (uint32_t i = first; i <= last;) {
        uint8_t bits = k.vma_page(vma, i);
        uint32_t run_first = i, run_last = i;
        while (run_first > 0 && k.vma_page(vma, run_first - 1) == bits)
            --run_first;
        while (run_last + 1 < npages && k.vma_page(vma, run_last + 1) == bits)
            ++run_last;
        uint32_t piece_last = std::min(last, run_last);
        if (Outcome o = madvise_collapse_vma(k, vma, run_first, run_last, i, piece_last); !o.ok())
            return o;
        i = piece_last + 1;
    }
    return Outcome::success();
}

} // namespace mmt
