#include "madvise.h"

#include <algorithm>
#include <vector>

#include "fault.h"
#include "huge_memory.h"
#include "era_policy.h"
#include "kernel.h"
#include "khugepaged.h"
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
            if (!split_huge_page_held(k, pmd.head()))
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
                if (!split_huge_page_held(k, k.folio(page)))
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
    k.step("every page the process mapped has been let go: its page tables and its mm are freed, and the process "
           "is gone");
    k.set_process(process, ProcessField::alive, 0);
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
// mapped part in address order, and the first part that fails ends the call
// with its own error (madvise_walk_vmas); only if none fails does the hole
// make it return -ENOMEM.
Outcome madvise_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Advice advice) {
    auto scope = k.enter("madvise");
    if (advice == Advice::collapse && !k.policy().has_madv_collapse()) {
        k.step("MADV_COLLAPSE arrived in v6.1: this kernel does not know the advice and returns -EINVAL "
               "(khugepaged may still collapse the range later, in its own time)");
        return Outcome::fail(reason::einval_advice);
    }
    if (range_mapped(k, vma, first, last))
        return madvise_vma(k, vma, first, last, advice);
    k.step("part of the range is not mapped: the advice goes to each mapped part in turn; a part that fails ends "
           "the call with its error");
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
    k.step("every mapped part took the advice: for the hole, madvise returns -ENOMEM");
    return Outcome::fail("range not mapped (-ENOMEM)");
}

} // namespace mmt
