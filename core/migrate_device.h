// Device migration (mm/migrate_device.c, the project's seed, driven as the
// kernel's HMM test driver lib/test_hmm.c drives it): migrate_vma_setup
// (collect + unmap), the driver's copy, migrate_vma_pages,
// migrate_vma_finalize; and the way back, do_swap_page's migrate_to_ram.
#pragma once

#include "address.h"

namespace mmt {

class Kernel;

// Migrates pages [first, last] of the VMA to device-private memory. Pages that
// cannot be collected stay where they are; the command still succeeds.
Outcome migrate_vma_to_device(Kernel& k, ProcessId process, VmaId vma, uint32_t first, uint32_t last);
// A CPU access to a device-private entry: do_swap_page hands the page to the
// driver's migrate_to_ram, which migrates it back to system memory. False if
// the page stays on the device (the fault then ends in SIGBUS).
bool do_swap_page_device_private(Kernel& k, const Address& a);

} // namespace mmt
