#include "memory.h"

#include <algorithm>
#include <cassert>

#include "era_policy.h"
#include "huge_memory.h"
#include "kernel.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

bool vma_allows(const Kernel& k, const Address& a, bool write) {
    uint8_t bits = k.vma_page(a.vma, a.index);
    if (!(bits & VMA_mapped))
        return false;
    return write ? (bits & VMA_write) != 0 : (bits & VMA_read) != 0;
}

bool vma_prot_none(const Kernel& k, VmaId vma, uint32_t index) {
    uint8_t bits = k.vma_page(vma, index);
    return (bits & VMA_mapped) && !(bits & (VMA_read | VMA_write));
}

bool thp_eligible(const Kernel& k, VmaId vma, uint32_t index) {
    const Vma& v = k.vma(vma);
    if (!v.hugepage)
        return false;
    uint32_t base = index - index % kPagesPerPmd;
    if (base + kPagesPerPmd > v.npages)
        return false;
    // One VMA in the kernel's sense: every page covered, same protection.
    uint8_t first = k.vma_page(vma, base);
    if (!(first & VMA_mapped))
        return false;
    for (uint32_t i = 1; i < kPagesPerPmd; ++i)
        if (k.vma_page(vma, base + i) != first)
            return false;
    return true;
}

std::optional<uint32_t> thp_range_split_at(const Kernel& k, VmaId vma, uint32_t index) {
    const Vma& v = k.vma(vma);
    const uint32_t base = index - index % kPagesPerPmd;
    if (!v.hugepage || base + kPagesPerPmd > v.npages)
        return std::nullopt;
    // The kernel VMA holding `index` is the run of pages with its flags: report
    // the page it starts at when that lies inside the range, else the page
    // after its end.
    const uint8_t bits = k.vma_page(vma, index);
    uint32_t start = index;
    while (start > base && k.vma_page(vma, start - 1) == bits)
        --start;
    if (start > base)
        return start;
    uint32_t end = index + 1;
    while (end < base + kPagesPerPmd && k.vma_page(vma, end) == bits)
        ++end;
    if (end < base + kPagesPerPmd)
        return end;
    return std::nullopt;
}

MmuGather::~MmuGather() {
    assert(pages_.empty() && "an mmu_gather ends in tlb_finish_mmu()");
}

void free_swap_cache(Kernel& k, Pfn page) {
    if (!k.page(page).test(PG_swapcache) || k.folio_mapcount(page) > 0)
        return;
    auto scope = k.enter("free_swap_cache");
    try_to_free_swap(k, page);
}

namespace {

// zap_pte_range() on one PTE. A present page's reference goes into `tlb`
// when there is one (unmap_vmas, zap_page_range), or is dropped at once.
void zap_one_pte(Kernel& k, VmaId vma, uint32_t index, MmuGather* tlb) {
    Pte pte = k.pte(vma, index);
    if (pte.is_none())
        return;
    auto scope = k.enter("zap_pte_range");
    if (pte.is_present()) {
        Pfn page = pte.pfn();
        if (k.is_zero_pfn(page)) {
            k.step("clear the PTE mapping the shared zero page (no counts to drop)");
            k.set_pte(vma, index, Pte());
            return;
        }
        const bool stale = k.PageAnonExclusive(page);
        if (tlb != nullptr) {
            k.step(stale
                       ? "clear the PTE and drop its mapping (page_remove_rmap); the page's reference waits in the "
                         "mmu_gather until the TLB is flushed; PG_anon_exclusive stays as it was (stale)"
                       : "clear the PTE and drop its mapping (page_remove_rmap); the page's reference waits in the "
                         "mmu_gather until the TLB is flushed");
            k.set_pte(vma, index, Pte());
            page_remove_rmap(k, page, false);
            k.folio_in_flight_add(page, 1);  // the mapping's reference is now the batch's
            tlb->add(page);
            return;
        }
        k.step(stale
                   ? "clear the PTE and drop its mapping (page_remove_rmap) and its reference; PG_anon_exclusive "
                     "stays as it was (stale)"
                   : "clear the PTE and drop its mapping (page_remove_rmap) and its reference");
        k.set_pte(vma, index, Pte());
        page_remove_rmap(k, page, false);
        free_swap_cache(k, page);
        k.folio_put(page);
        return;
    }
    if (pte.is_device_private_entry()) {
        k.step("clear the device-private entry: page_remove_rmap and put_page on the device page");
        k.set_pte(vma, index, Pte());
        page_remove_rmap(k, pte.pfn(), false);
        k.folio_put(pte.pfn());
        return;
    }
    if (pte.is_swap_entry()) {
        k.step("clear the swap entry: free_swap_and_cache drops the slot's swap count");
        k.set_pte(vma, index, Pte());
        free_swap_and_cache(k, pte.swap_slot());
        return;
    }
    k.step("clear the migration entry (the migrating thread holds the page)");
    k.set_pte(vma, index, Pte());
}

// unmap_page_range(): the PMDs and PTEs of [first, last] of one VMA.
void unmap_page_range(Kernel& k, MmuGather& tlb, VmaId vma, uint32_t first, uint32_t last) {
    for (uint32_t i = first; i <= last;) {
        uint32_t pmd_index = i / kPagesPerPmd;
        uint32_t base = pmd_index * kPagesPerPmd;
        Pmd pmd = k.pmd(vma, pmd_index);
        uint32_t end = std::min(last, base + kPagesPerPmd - 1);
        if (pmd.is_trans_huge() || pmd.is_huge_zero()) {
            if (i == base && end == base + kPagesPerPmd - 1) {
                zap_huge_pmd(k, tlb, vma, pmd_index);
                i = end + 1;
                continue;
            }
            // A partial range: split the PMD first, then zap PTEs.
            split_huge_pmd(k, vma, pmd_index);
        }
        if (k.pmd(vma, pmd_index).is_table())
            for (uint32_t j = i; j <= end; ++j)
                zap_one_pte(k, vma, j, &tlb);
        i = end + 1;
    }
    // Holders taken at these addresses now refer to memory the process let go.
    ProcessId owner = k.vma(vma).process;
    for (uint32_t h = 0; h < k.holder_count(); ++h) {
        const Holder& holder = k.holder(HolderId(h));
        if (holder.process == owner && holder.vma == vma && holder.index >= first && holder.index <= last &&
            !holder.detached)
            k.set_holder(HolderId(h), HolderField::detached, 1);
    }
}

} // namespace

void zap_pte(Kernel& k, VmaId vma, uint32_t index) {
    zap_one_pte(k, vma, index, nullptr);
}

void unmap_vmas(Kernel& k, MmuGather& tlb, VmaId vma, uint32_t first, uint32_t last) {
    auto scope = k.enter("unmap_vmas");
    unmap_page_range(k, tlb, vma, first, last);
}

void tlb_finish_mmu(Kernel& k, MmuGather& tlb) {
    if (tlb.pages().empty())
        return;
    auto scope = k.enter("tlb_finish_mmu");
    k.step("flush the TLB: no CPU can reach the unmapped pages any more, so the gathered pages can go");
    auto free = k.enter("free_pages_and_swap_cache");
    // First every page's swap cache (free_swap_cache), then release_pages().
    for (Pfn page : tlb.pages())
        free_swap_cache(k, page);
    for (Pfn page : tlb.pages()) {
        k.step("release_pages: drop the reference the page's mapping held");
        k.folio_put_in_flight(page);
    }
    tlb.clear();
}

void zap_page_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::zap_page_range));
    MmuGather tlb;
    unmap_page_range(k, tlb, vma, first, last);
    tlb_finish_mmu(k, tlb);
}

} // namespace mmt
