// madvise (mm/madvise.c) and munmap / exit, which tear mappings down.
#pragma once

#include "address.h"
#include "scenario.h"

namespace mmt {

class Kernel;

Outcome madvise_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Advice advice);
Outcome munmap_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last);
Outcome exit_mm(Kernel& k, ProcessId process);

} // namespace mmt
