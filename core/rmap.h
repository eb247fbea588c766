// Reverse mapping (mm/rmap.c): adding and removing mappings of anonymous
// pages, and the helpers that own every PG_anon_exclusive transition.
#pragma once

#include <functional>

#include "address.h"
#include "pte.h"

namespace mmt {

class Kernel;

// The fresh page of a fault: becomes anonymous, mapped once, and (era c)
// exclusive; the fault's in-flight reference becomes the mapping's.
void page_add_new_anon_rmap(Kernel& k, Pfn page, VmaId vma, uint32_t index, bool compound);
// Another mapping of an existing anon page; `exclusive` is RMAP_EXCLUSIVE.
void page_add_anon_rmap(Kernel& k, Pfn page, bool compound, bool exclusive);
void page_remove_rmap(Kernel& k, Pfn page, bool compound);
// anon_vma_prepare(): give the VMA its anon_vma if it has none yet.
void anon_vma_prepare(Kernel& k, VmaId vma);
// fork: share the page with the child unless it may be pinned (returns false).
bool page_try_dup_anon_rmap(Kernel& k, Pfn page, bool compound, ProcessId parent);
// swap-out, migration, KSM, THP freeze: mark the page possibly shared; fails
// when it may be pinned. `cleared`, if given, is the step that says so when
// the flag is cleared (it owns that change).
bool page_try_share_anon_rmap(Kernel& k, Pfn page, const char* cleared = nullptr);
// COW reuse: the page is ours alone; remember it.
void page_move_anon_rmap(Kernel& k, Pfn page, VmaId vma);

// One mapping of a page found by the rmap walk.
struct RmapEntry {
    VmaId vma;
    uint32_t index = 0;  // page index in the VMA (of the subpage, or the PMD's first page)
    bool pmd = false;    // the folio is mapped by a PMD there
};
// Walks every mapping (present PTE, device-private entry, PMD) of the folio
// (or of just `page` when `only_subpage`).
std::vector<RmapEntry> rmap_walk(const Kernel& k, Pfn page, bool only_subpage);

} // namespace mmt
