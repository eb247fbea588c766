// mm/memory.c outside the fault handlers: tearing mappings down
// (zap_pte_range, zap_huge_pmd) and the VMA checks a user access makes.
#pragma once

#include "address.h"
#include "pte.h"

namespace mmt {

class Kernel;

bool vma_allows(const Kernel& k, const Address& a, bool write);
// Is the 2 MiB range around `index` one THP-eligible, fully covered range?
bool thp_eligible(const Kernel& k, VmaId vma, uint32_t index);
// Zaps pages [first, last] of a VMA (munmap, MADV_DONTNEED, exit). Holders
// taken at these addresses are marked detached: the process let go of them.
void zap_page_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last);
void zap_pte(Kernel& k, VmaId vma, uint32_t index);
// free_swap_cache(): drop a swap cache page nobody maps and no swap PTE needs.
void free_swap_cache(Kernel& k, Pfn page);

} // namespace mmt
