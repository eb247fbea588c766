// The invariant checker (semantics reference section 4.1). Local rules of the
// era (I1 writable ⇒ exclusive, I2 pinned ⇒ exclusive, I4 KSM, I5, I7) are
// checked after every kernel step on what the step touched; the accounting
// identities (refcount, mapcount, pincount, swap counts: I12–I14) hold only in
// a quiescent state, so they are checked when a command ends, on everything
// the command touched. Coherence (a GUP reference still refers to the page its
// process maps there) is checked in every era and reported as the bug it is.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace mmt {

void check_step_invariants(Kernel& k, uint32_t step, uint32_t first_change);
void check_command_invariants(Kernel& k, uint32_t first_change);
// A full check of the current state (`expect invariants`); returns breaches.
std::vector<Violation> check_all_invariants(const Kernel& k);
std::vector<Violation> check_coherence(const Kernel& k);
// Whether a holder still refers to the page its process maps where it was
// taken (true when there is nothing to compare: released, let go, the zero
// page, an exited process or nothing mapped there now).
bool holder_coherent(const Kernel& k, HolderId id);
// The page an address stands for: present, PMD, migration or device-private
// entry, or the swap cache page of a swap entry; 0 if none.
Pfn resolve_page(const Kernel& k, VmaId vma, uint32_t index);

} // namespace mmt
