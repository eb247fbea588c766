#include "madvise.h"

#include <algorithm>
#include <vector>

#include "fault.h"
#include "huge_memory.h"
#include "era_policy.h"
#include "kernel.h"
#include "memory.h"
#include "migrate_device.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

namespace {

bool range_mapped(const Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    for (uint32_t i = first; i <= last; ++i)
        if (!(k.vma_page(vma, i) & VMA_mapped))
            return false;
    return true;
}

void set_vma_flag(Kernel& k, VmaId vma, uint32_t first, uint32_t last, uint8_t bit, bool on) {
    vma_adjust_trans_huge(k, vma, first, last, [&](uint8_t bits) { return on ? uint8_t(bits | bit) : uint8_t(bits & ~bit); });
    for (uint32_t i = first; i <= last; ++i) {
        uint8_t bits = k.vma_page(vma, i);
        k.set_vma_page(vma, i, on ? (bits | bit) : (bits & ~bit));
    }
}

// MADV_PAGEOUT reclaims only what this process alone maps ("do not
// interfere with other mappings of this page", since v5.6 and so in every
// era): a page or THP mapped more than once is left alone. A THP the range
// covers only in part is split first (split_huge_page) and only the pages
// in the range are reclaimed; the walk of a page table stops at a
// PTE-mapped THP that is mapped more than once, or that cannot be split.
// What a walk of one page table collects is reclaimed after it.
void madvise_cold_or_pageout_pte_range(Kernel& k, VmaId vma, uint32_t from, uint32_t to) {
    auto scope = k.enter("madvise_cold_or_pageout_pte_range");
    uint32_t pmd_index = from / kPagesPerPmd;
    uint32_t base = pmd_index * kPagesPerPmd;
    Pmd pmd = k.pmd(vma, pmd_index);
    std::vector<uint32_t> collected;
    if (pmd.is_trans_huge()) {
        if (k.page_mapcount(pmd.head()) != 1) {
            k.step("the THP is mapped more than once: leave it to its other mappings");
            return;
        }
        if (from == base && to == base + kPagesPerPmd - 1) {
            k.step("the range covers the whole THP, mapped only here: isolate it for reclaim");
            collected.push_back(base);
        } else {
            k.step("the range covers only part of the THP: split it (split_huge_page), then walk its PTEs");
            if (!split_huge_page(k, pmd.head()))
                return;
        }
    }
    if (k.pmd(vma, pmd_index).is_table()) {
        for (uint32_t i = from; i <= to; ++i) {
            Pte pte = k.pte(vma, i);
            if (!pte.is_present() || k.is_zero_pfn(pte.pfn()) || !k.PageAnon(pte.pfn()))
                continue;
            Pfn page = pte.pfn();
            if (k.folio_test_large(page)) {
                if (k.page_mapcount(page) != 1) {
                    k.step("a subpage of a THP that is mapped more than once: the walk of this page table stops "
                           "here");
                    break;
                }
                k.step("a PTE-mapped THP mapped only here: split it (split_huge_page) before reclaiming");
                if (!split_huge_page(k, k.folio(page)))
                    break;
            }
            if (k.page_mapcount(page) != 1) {
                k.step("mapped more than once (a COW page after fork, or KSM): skipped");
                continue;
            }
            collected.push_back(i);
        }
    }
    ProcessId process = k.vma(vma).process;
    for (uint32_t i : collected)
        (void)shrink_folio(k, Address{process, vma, i});
}

} // namespace

Outcome munmap_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    auto scope = k.enter("do_munmap");
    k.step("munmap: remove the VMA range and zap its page table entries");
    vma_adjust_trans_huge(k, vma, first, last, [](uint8_t) { return uint8_t(0); });
    MmuGather tlb;
    unmap_vmas(k, tlb, vma, first, last);
    tlb_finish_mmu(k, tlb);
    for (uint32_t i = first; i <= last; ++i)
        k.set_vma_page(vma, i, 0);
    return Outcome::success();
}

Outcome exit_mm(Kernel& k, ProcessId process) {
    auto scope = k.enter("exit_mmap");
    k.step("the process exits: every mapping is torn down");
    MmuGather tlb;
    for (VmaId vma : k.vmas_of(process)) {
        const Vma& v = k.vma(vma);
        unmap_vmas(k, tlb, vma, 0, v.npages - 1);
        for (uint32_t i = 0; i < v.npages; ++i)
            k.set_vma_page(vma, i, 0);
    }
    tlb_finish_mmu(k, tlb);
    k.set_process(process, ProcessField::alive, 0);
    return Outcome::success();
}

namespace {

// is_refcount_suitable(): no references beyond the page's mappings and the
// swap cache's (a GUP reference or pin makes the collapse fail).
bool refcount_suitable(const Kernel& k, Pfn page) {
    int32_t expected = k.folio_mapcount(page);
    if (k.head_page(page).test(PG_swapcache))
        expected += static_cast<int32_t>(k.folio_nr_pages(page));
    return k.page_count(page) == expected;
}

// The checks hpage_collapse_scan_pmd() and __collapse_huge_page_isolate()
// make of each entry. Non-present entries pass the scan (MADV_COLLAPSE sets
// no limit on them) but not the isolation, which runs after they are
// swapped in.
bool collapse_checks_pass(Kernel& k, VmaId vma, uint32_t base, bool isolating) {
    bool writable = false;
    for (uint32_t i = base; i < base + kPagesPerPmd; ++i) {
        Pte pte = k.pte(vma, i);
        if (!pte.is_present()) {
            if (isolating && !pte.is_none()) {
                k.step("an entry is still not present after the swap-in: collapse fails");
                return false;
            }
            continue;
        }
        if (k.is_zero_pfn(pte.pfn()))
            continue;
        writable |= pte.has(Pte::write);
        Pfn page = pte.pfn();
        if (!refcount_suitable(k, page)) {
            k.step("page {0} has references beyond its mappings and the swap cache (refcount {1}): collapse fails",
                   page.value, k.page_count(page));
            return false;
        }
    }
    // SCAN_PAGE_RO: a range that no PTE maps writable (all shared after
    // fork, or write-protected) is not collapsed.
    if (!writable) {
        k.step("no PTE in the range is writable (SCAN_PAGE_RO): collapse fails with -EINVAL");
        return false;
    }
    return true;
}

} // namespace

Outcome collapse_huge_page(Kernel& k, VmaId vma, uint32_t index) {
    auto scope = k.enter("madvise_collapse");
    uint32_t p = index / kPagesPerPmd;
    uint32_t base = p * kPagesPerPmd;
    const Vma& v = k.vma(vma);
    if (base + kPagesPerPmd > v.npages || !range_mapped(k, vma, base, base + kPagesPerPmd - 1)) {
        k.step("the 2 MiB range is not fully inside the VMA: nothing to collapse");
        return Outcome::fail(reason::collapse_failed);
    }
    Pmd pmd = k.pmd(vma, p);
    if (pmd.is_trans_huge() || pmd.is_huge_zero()) {
        k.step(pmd.is_huge_zero() ? "a PMD already maps the huge zero page (SCAN_PMD_MAPPED): nothing to do"
                                  : "already a PMD-mapped THP");
        return Outcome::success();
    }
    if (!pmd.is_table()) {
        k.step("no page table maps this 2 MiB (SCAN_PMD_NULL): nothing to collapse, -EINVAL");
        return Outcome::fail(reason::collapse_failed);
    }
    {
        auto scan = k.enter("hpage_collapse_scan_pmd");
        if (!collapse_checks_pass(k, vma, base, false))
            return Outcome::fail(reason::collapse_failed);
    }
    bool swapped = false;
    for (uint32_t i = base; i < base + kPagesPerPmd && !swapped; ++i) {
        Pte pte = k.pte(vma, i);
        swapped = pte.is_swap_entry() || pte.is_device_private_entry();
    }
    if (swapped) {
        // __collapse_huge_page_swapin(): a read fault on each entry that is
        // not present; the pages come back mapped read-only.
        auto swapin = k.enter("__collapse_huge_page_swapin");
        k.step("some entries are not present: fault them in first (do_swap_page on each, as a read)");
        ProcessId process = k.vma(vma).process;
        for (uint32_t i = base; i < base + kPagesPerPmd; ++i) {
            Pte pte = k.pte(vma, i);
            Address a{process, vma, i};
            if (pte.is_swap_entry())
                do_swap_page(k, a, FaultKind::read);
            else if (pte.is_device_private_entry() && !do_swap_page_device_private(k, a))
                return Outcome::fail(reason::collapse_failed);
        }
    }
    {
        auto isolate = k.enter("__collapse_huge_page_isolate");
        if (!collapse_checks_pass(k, vma, base, true))
            return Outcome::fail(reason::collapse_failed);
    }
    k.step("collapse_huge_page: allocate a THP and copy the 512 pages into it (holes stay zero)");
    Pfn head = k.alloc_thp();
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Pte pte = k.pte(vma, base + i);
        if (pte.is_present())
            k.set_page(Pfn(head.value + i), PageField::contents, k.page(pte.pfn()).contents);
    }
    k.step("the old PTEs are cleared and their pages released; one PMD maps the new exclusive THP");
    for (uint32_t i = base; i < base + kPagesPerPmd; ++i)
        zap_pte(k, vma, i);
    // Back in madvise_collapse: the zap steps above are zap_pte_range's.
    k.step("one PMD now maps the new THP; page_add_new_anon_rmap makes it anonymous and exclusive");
    k.set_pmd(vma, p, Pmd());
    k.set_pmd(vma, p, Pmd::make_huge(head, Pte::write | Pte::dirty | Pte::young | Pte::soft_dirty));
    if (!(k.vma_page(vma, base) & VMA_write))
        k.set_pmd(vma, p, k.pmd(vma, p).without(Pte::write));
    page_add_new_anon_rmap(k, head, vma, base, true);
    return Outcome::success();
}

namespace {

Outcome madvise_pageout(Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    auto scope = k.enter("madvise_pageout");
    k.step("MADV_PAGEOUT: walk the range and reclaim to swap the pages that only this process maps");
    for (uint32_t p = first / kPagesPerPmd; p <= last / kPagesPerPmd; ++p) {
        uint32_t base = p * kPagesPerPmd;
        madvise_cold_or_pageout_pte_range(k, vma, std::max(first, base),
                                          std::min(last, base + kPagesPerPmd - 1));
    }
    return Outcome::success();
}

// madvise() walks the kernel's VMAs, here the runs of pages with the same
// attributes, and madvise_collapse() takes each piece on its own: a VMA that
// cannot hold an aligned 2 MiB fails hugepage_vma_check (-EINVAL, and the walk
// stops); otherwise only the whole aligned 2 MiB blocks inside the piece are
// collapsed (the start rounded up, the end down), and a piece without one
// changes nothing.
Outcome madvise_collapse(Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    uint32_t npages = k.vma(vma).npages;
    Outcome result = Outcome::success();
    bool any = false;
    for (uint32_t i = first; i <= last;) {
        uint8_t bits = k.vma_page(vma, i);
        uint32_t run_first = i, run_last = i;
        while (run_first > 0 && k.vma_page(vma, run_first - 1) == bits)
            --run_first;
        while (run_last + 1 < npages && k.vma_page(vma, run_last + 1) == bits)
            ++run_last;
        uint32_t piece_last = std::min(last, run_last);
        uint32_t aligned = (run_first + kPagesPerPmd - 1) / kPagesPerPmd * kPagesPerPmd;
        if (aligned + kPagesPerPmd - 1 > run_last) {
            auto scope = k.enter("madvise_collapse");
            k.step("this VMA cannot hold an aligned 2 MiB (hugepage_vma_check): -EINVAL");
            return Outcome::fail(reason::collapse_failed);
        }
        uint32_t hstart = (i + kPagesPerPmd - 1) / kPagesPerPmd * kPagesPerPmd;
        uint32_t hend = (piece_last + 1) / kPagesPerPmd * kPagesPerPmd;
        for (uint32_t base = hstart; base + kPagesPerPmd <= hend; base += kPagesPerPmd) {
            any = true;
            Outcome o = collapse_huge_page(k, vma, base);
            if (!o.ok())
                result = o;
        }
        i = piece_last + 1;
    }
    if (!any) {
        auto scope = k.enter("madvise_collapse");
        k.step("the range holds no whole aligned 2 MiB: nothing to collapse");
    }
    return result;
}

// One advice over pages [first, last], all mapped (madvise_vma_behavior).
Outcome madvise_vma(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Advice advice) {
    switch (advice) {
    case Advice::dontneed: {
        auto s = k.enter("madvise_dontneed_single_vma");
        k.step("MADV_DONTNEED: zap the range; the VMA stays, the next access sees fresh zero-filled memory");
        zap_page_range(k, vma, first, last);
        return Outcome::success();
    }
    case Advice::dontfork:
        k.step("MADV_DONTFORK: set VM_DONTCOPY, the range will not exist in a child");
        set_vma_flag(k, vma, first, last, VMA_dontcopy, true);
        return Outcome::success();
    case Advice::dofork:
        k.step("MADV_DOFORK: clear VM_DONTCOPY");
        set_vma_flag(k, vma, first, last, VMA_dontcopy, false);
        return Outcome::success();
    case Advice::wipeonfork:
        k.step("MADV_WIPEONFORK: set VM_WIPEONFORK, a child sees zero-filled memory here");
        set_vma_flag(k, vma, first, last, VMA_wipeonfork, true);
        return Outcome::success();
    case Advice::keeponfork:
        k.step("MADV_KEEPONFORK: clear VM_WIPEONFORK");
        set_vma_flag(k, vma, first, last, VMA_wipeonfork, false);
        return Outcome::success();
    case Advice::pageout:
        return madvise_pageout(k, vma, first, last);
    case Advice::collapse:
        return madvise_collapse(k, vma, first, last);
    }
    return Outcome::success();
}

} // namespace

// do_madvise(): an advice the kernel does not know is refused before anything
// is looked at. Holes in the range are skipped: the advice applies to every
// mapped part, then the call returns -ENOMEM.
Outcome madvise_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Advice advice) {
    auto scope = k.enter("madvise");
    if (advice == Advice::collapse && !k.policy().has_madv_collapse()) {
        k.step("MADV_COLLAPSE arrived in v6.1: this kernel does not know the advice and returns -EINVAL "
               "(khugepaged may still collapse the range later, in its own time)");
        return Outcome::fail(reason::einval_advice);
    }
    if (range_mapped(k, vma, first, last))
        return madvise_vma(k, vma, first, last, advice);
    k.step("part of the range is not mapped: the advice still applies to each mapped part, then madvise returns "
           "-ENOMEM");
    for (uint32_t i = first; i <= last;) {
        if (!(k.vma_page(vma, i) & VMA_mapped)) {
            ++i;
            continue;
        }
        uint32_t run_last = i;
        while (run_last < last && (k.vma_page(vma, run_last + 1) & VMA_mapped))
            ++run_last;
        if (Outcome o = madvise_vma(k, vma, i, run_last, advice); !o.ok())
            return o;
        i = run_last + 1;
    }
    return Outcome::fail("range not mapped (-ENOMEM)");
}

} // namespace mmt
