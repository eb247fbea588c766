// Page faults (mm/memory.c): handle_mm_fault and the handlers it dispatches
// to, and the user accesses (loads and stores) that take them.
#pragma once

#include "address.h"
#include "pte.h"

namespace mmt {

class Kernel;

enum class FaultKind : uint8_t { read, write, unshare };

Outcome handle_mm_fault(Kernel& k, const Address& a, FaultKind kind);
void do_anonymous_page(Kernel& k, const Address& a, FaultKind kind);
void do_wp_page(Kernel& k, const Address& a, FaultKind kind);
void wp_page_reuse(Kernel& k, const Address& a, FaultKind kind);
void wp_page_copy(Kernel& k, const Address& a, FaultKind kind);

// The page a present PTE or PMD maps at `a`, or none.
Pfn mapped_page(const Kernel& k, const Address& a);
// Is the entry at `a` already good for this access (no fault needed)?
bool access_permitted(const Kernel& k, const Address& a, bool write);

// A user load or store: the CPU tries, faults, retries.
Outcome user_write(Kernel& k, const Address& a, uint32_t contents);
Outcome user_read(Kernel& k, const Address& a, uint32_t* contents);

} // namespace mmt
