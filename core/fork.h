// fork(): dup_mmap → copy_page_range (kernel/fork.c, mm/memory.c,
// mm/huge_memory.c copy_huge_pmd). The commit's section I.7.
#pragma once

#include <string_view>

#include "address.h"

namespace mmt {

class Kernel;

ProcessId fork_process(Kernel& k, ProcessId parent, std::string_view child_name);

} // namespace mmt
