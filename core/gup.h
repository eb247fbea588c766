// get_user_pages and pin_user_pages (mm/gup.c): FOLL_GET references and
// FOLL_PIN pins, the slow path that faults, and the lockless GUP-fast walk.
#pragma once

#include <string_view>

#include "address.h"

namespace mmt {

class Kernel;

struct GupFlags {
    bool pin = false;       // FOLL_PIN (pin_user_pages) instead of FOLL_GET
    bool write = false;     // FOLL_WRITE
    bool longterm = false;  // FOLL_LONGTERM
    bool fast = false;      // try GUP-fast first
};

// The slow path's VMA test: no VMA at the address (find_extend_vma), or one
// that does not allow the access (check_vma_flags): -EFAULT, as a step.
Outcome refuse_vma_access(Kernel& k, const Address& a, bool write);

// Takes the reference; on success returns the new holder in *holder.
Outcome get_user_pages(Kernel& k, const Address& a, GupFlags flags, std::string_view name, HolderId* holder);
// The slow path (__get_user_pages), on its own or as the one a GUP-fast walk
// falls back to inside the walk's own call (pin_user_pages_fast →
// __get_user_pages): it checks the VMA (the walk has already set
// MMF_HAS_PINNED), faults as needed, takes the reference.
Outcome gup_fast_fallback(Kernel& k, const Address& a, GupFlags flags, std::string_view name, HolderId* holder);
// unpin_user_page / put_page.
Outcome release_holder(Kernel& k, HolderId holder);
// What the holder reads or writes through its reference.
Outcome holder_read(Kernel& k, HolderId holder, uint32_t* contents);
Outcome holder_write(Kernel& k, HolderId holder, uint32_t contents);

// try_grab_page() / gup_put_folio(): the count changes of one reference.
// fast: GUP-fast's grab (try_grab_compound_head, try_grab_folio), which from
// v5.14 takes one reference before it adds the rest of a pin's bias.
void try_grab_page(Kernel& k, Pfn page, bool pin, bool fast = false);
void gup_put_folio(Kernel& k, Pfn page, bool pin);

} // namespace mmt
