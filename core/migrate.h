// Page migration (mm/migrate.c, mm/rmap.c try_to_migrate): the commit's I.3.
// Exclusivity travels in the migration entries (writable, readable-exclusive,
// readable), never on the new page.
#pragma once

#include "address.h"
#include "pte.h"

namespace mmt {

class Kernel;

// migrate_pages() for the folio mapped at `a`: to a new frame.
Outcome migrate_page_at(Kernel& k, const Address& a);
// try_to_migrate(): every mapping of the folio becomes a migration entry.
// Returns false when a mapping remains (a pinned exclusive page in era c).
bool try_to_migrate(Kernel& k, Pfn folio);
// try_to_migrate_one() for one PTE mapping.
bool try_to_migrate_one(Kernel& k, Pfn page, VmaId vma, uint32_t index);
// The bits a migration entry keeps from the present entry it replaces:
// soft-dirty always, young and dirty from v6.1.
uint32_t migration_entry_bits(const Kernel& k, uint32_t present_bits);
// remove_migration_ptes(): entries that stand for `src` map `dst` again;
// RMAP_EXCLUSIVE iff the entry was writable or readable-exclusive.
void remove_migration_ptes(Kernel& k, Pfn src, Pfn dst);
// folio_migrate_mapping(): the refcount check (a freeze for a swap cache
// page); `expected` references are the ones migration itself holds. On
// success `dst` takes over the anon mapping, the index and any swap cache
// entry.
bool folio_migrate_mapping(Kernel& k, Pfn src, Pfn dst, int32_t expected);
// Copies data and the flags that travel (not PG_anon_exclusive) to `dst`.
void folio_migrate_copy(Kernel& k, Pfn src, Pfn dst);
// migrate_vma_pages' migrate_folio(MIGRATE_SYNC_NO_COPY): the device driver
// copied the data itself; only the page state moves.
void folio_migrate_flags(Kernel& k, Pfn src, Pfn dst);

} // namespace mmt
