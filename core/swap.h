// Swap (mm/vmscan.c shrink_page_list, shrink_folio_list from v6.1; mm/rmap.c
// try_to_unmap; mm/swapfile.c, mm/swap_state.c, mm/memory.c do_swap_page):
// the commit's I.4 and I.5.
#pragma once

#include "address.h"
#include "fault.h"

#include <cstdint>

namespace mmt {

class Kernel;

// What try_to_unmap() left to the batched TLB flush (tlbflush_unmap_batch):
// nothing, a flush (set_tlb_ubc_flush_pending), or a flush of a PTE that was
// dirty, which may have been writable in some CPU's TLB ("writable").
enum class BatchedFlush : uint8_t { none, pending, pending_dirty };

// Reclaims the folio mapped at `a` to swap.
Outcome shrink_folio(Kernel& k, const Address& a);
void do_swap_page(Kernel& k, const Address& a, FaultKind kind);
// Leaves the swap cache if no swap PTE refers to the slot any more.
bool try_to_free_swap(Kernel& k, Pfn page);
void swap_duplicate(Kernel& k, SwapSlot slot);
void swap_free(Kernel& k, SwapSlot slot);
// zap_pte_range() on a swap entry: drop the slot's count; when only the swap
// cache still uses the slot, __try_to_reclaim_swap() frees its page if no
// PTE maps it.
void free_swap_and_cache(Kernel& k, SwapSlot slot);
// delete_from_swap_cache(): the page leaves the swap cache.
void delete_from_swap_cache(Kernel& k, Pfn page);
// The end of shrink_page_list() for an unmapped page in the swap cache,
// locked and holding reclaim's reference. Only a dirty page goes through
// pageout(), which writes it (or keeps it, PAGE_KEEP, when someone else
// holds a reference); a clean page's data is already in its slot. Before
// pageout, try_to_unmap_flush_dirty() completes a batched flush of a dirty
// PTE: no CPU may write through a stale TLB entry while the write is on its
// way (a race block makes this step wait for a CPU inside GUP-fast). Then
// __remove_mapping() frees the page if its refcount freezes at 2 (the swap
// cache's and reclaim's references); otherwise the page is kept, unmapped,
// in the swap cache.
void pageout_and_free(Kernel& k, Pfn page, BatchedFlush batched);
// The sentence of reclaim's racy early pin test (v5.11, before add_to_swap)
// when it finds a possible pin, named as this era's kernel names the test.
const char* reclaim_keeps_maybe_pinned(const Kernel& k);

} // namespace mmt
