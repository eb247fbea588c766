// mm/memory.c outside the fault handlers: tearing mappings down
// (unmap_vmas, zap_page_range, zap_pte_range, zap_huge_pmd), the mmu_gather
// that keeps the unmapped pages until the TLB is flushed, and the VMA checks
// a user access makes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "address.h"
#include "pte.h"

namespace mmt {

class Kernel;

bool vma_allows(const Kernel& k, const Address& a, bool write);
// A mapped page of a PROT_NONE range: an entry built from its VMA's
// vm_page_prot is a PROT_NONE entry.
bool vma_prot_none(const Kernel& k, VmaId vma, uint32_t index);
// Is the 2 MiB range around `index` one THP-eligible, fully covered range?
bool thp_eligible(const Kernel& k, VmaId vma, uint32_t index);
// For the narration of a 4 KiB fault in a THP-eligible VMA: where the kernel
// VMA ends inside the 2 MiB range around `index` (the first page whose flags
// differ), or nothing when that is not why the range gets no huge page.
std::optional<uint32_t> thp_range_split_at(const Kernel& k, VmaId vma, uint32_t index);

// struct mmu_gather (tlb_gather_mmu): the pages a zap unmapped. Each keeps
// the reference its mapping held, counted as an in-flight reference, until
// tlb_finish_mmu() has flushed the TLB: only then can no CPU still reach the
// page through a stale TLB entry, and free_pages_and_swap_cache() lets it go.
class MmuGather {
public:
    MmuGather() = default;
    MmuGather(const MmuGather&) = delete;
    MmuGather& operator=(const MmuGather&) = delete;
    // Every gather ends in tlb_finish_mmu(), which empties it.
    ~MmuGather();

    void add(Pfn page) { pages_.push_back(page); }
    const std::vector<Pfn>& pages() const { return pages_; }
    void clear() { pages_.clear(); }

private:
    std::vector<Pfn> pages_;
};

// unmap_vmas() (munmap's unmap_region, exit_mmap): zaps pages [first, last]
// of a VMA into `tlb`; the caller ends with tlb_finish_mmu(). Holders taken at
// these addresses are marked detached: the process let go of them.
void unmap_vmas(Kernel& k, MmuGather& tlb, VmaId vma, uint32_t first, uint32_t last);
// tlb_finish_mmu(): flush the TLB, then free_pages_and_swap_cache() drops the
// swap cache of each gathered page nobody maps (free_swap_cache) and releases
// the references the batch held.
void tlb_finish_mmu(Kernel& k, MmuGather& tlb);
// zap_page_range() (MADV_DONTNEED): its own gather, unmap and tlb_finish_mmu.
void zap_page_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last);
// One PTE cleared and its page let go at once (collapse's copy of the old
// pages, which frees them with free_page_and_swap_cache, not via a gather).
void zap_pte(Kernel& k, VmaId vma, uint32_t index);
// free_swap_cache(): drop a swap cache page nobody maps and no swap PTE needs.
void free_swap_cache(Kernel& k, Pfn page);

} // namespace mmt
