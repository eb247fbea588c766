// Transparent huge pages (mm/huge_memory.c): PMD-mapped anonymous THPs, the
// huge zero page, splitting PMDs (the commit's I.6 cases) and folios.
#pragma once

#include <cstdint>
#include <functional>

#include "address.h"
#include "fault.h"

namespace mmt {

class Kernel;

void do_huge_pmd_anonymous_page(Kernel& k, const Address& a, bool write);
// Returns false for VM_FAULT_FALLBACK (the PMD was split: retry on PTEs).
bool do_huge_pmd_wp_page(Kernel& k, const Address& a, FaultKind kind);
// __split_huge_pmd without freeze (case (b)); the huge zero page becomes
// 512 zero-page PTEs.
void split_huge_pmd(Kernel& k, VmaId vma, uint32_t pmd_index);
class MmuGather;
// zap_huge_pmd(): the THP's reference goes into `tlb`, dropped after the
// flush (tlb_remove_page_size), as a PTE's does.
void zap_huge_pmd(Kernel& k, MmuGather& tlb, VmaId vma, uint32_t pmd_index);
// vma_adjust_trans_huge(), from split_vma: pages [first, last] of a VMA are
// about to take the flags new_bits() gives them, so the kernel's VMA is split
// at the range's ends. No PMD may map across two VMAs: a PMD-mapped THP (or
// huge zero page, or PMD migration entry) that a new boundary cuts is split
// first, while the VMA still has its old flags.
void vma_adjust_trans_huge(Kernel& k, VmaId vma, uint32_t first, uint32_t last,
                           const std::function<uint8_t(uint8_t)>& new_bits);
// split_huge_page(): the folio becomes 512 order-0 pages. The caller holds
// one reference and the lock, on `page` (head unless given); those stay with
// that subpage. Fails (false) when any other reference exists beyond the
// mappings and the swap cache (can_split_folio): a pin, a GUP reference, or
// a second reference of the caller's own.
bool split_huge_page(Kernel& k, Pfn head, Pfn page = Pfn());
// can_split_folio() (can_split_huge_page() before v5.18): no reference
// beyond the mappings, the swap cache's and the caller's one. Says why in a
// step when there is one.
bool can_split_folio(Kernel& k, Pfn head);
// split_huge_page_to_list() as reclaim calls it, holding the THP isolated
// from the LRU, locked and with its reference: the head keeps those, and the
// tail pages go on reclaim's own list instead of the LRU, each with a
// reference of reclaim's (a temporary one), so that none is freed here.
bool split_huge_page_to_list(Kernel& k, Pfn head);
// What every caller of split_huge_page() here does around it: take a
// reference and the page lock (get_page, trylock_page; reclaim's isolation
// reference), split, then unlock and put (on the first subpage once split).
bool split_huge_page_held(Kernel& k, Pfn head);

} // namespace mmt
