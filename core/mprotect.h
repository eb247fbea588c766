// mprotect (mm/mprotect.c change_protection): the commit's I.8.
#pragma once

#include "address.h"
#include "scenario.h"

namespace mmt {

class Kernel;

Outcome mprotect_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Protection prot);
// clear_refs 4: soft-dirty bits cleared, writable PTEs write-protected.
Outcome clear_soft_dirty(Kernel& k, ProcessId process);

} // namespace mmt
