// MADV_COLLAPSE (mm/khugepaged.c, v6.1): the synchronous collapse of whole
// aligned 2 MiB blocks of small pages into one PMD-mapped THP, with the
// scan, swap-in, isolation and copy that khugepaged itself uses. MADV_COLLAPSE
// sets none of khugepaged's limits (max_ptes_none, _swap, _shared).
#pragma once

#include "address.h"

namespace mmt {

class Kernel;

// madvise_collapse() over pages [first, last] of one VMA, all mapped: each
// run of pages with the same attributes is one kernel VMA. The first VMA
// that fails ends the walk, as madvise_walk_vmas() does.
Outcome madvise_collapse(Kernel& k, VmaId vma, uint32_t first, uint32_t last);

} // namespace mmt
