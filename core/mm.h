// mm_struct and vm_area_struct, reduced to what anonymous memory needs.
// A VMA here is a named region of a process; the scenario's `VMA[i]` names
// page i of it. munmap, mprotect and madvise on part of a VMA would split it
// in the kernel; the engine keeps the region whole and records the attributes
// per page instead (VmaPage), which is the same thing seen page by page.
#pragma once

#include <cstdint>

#include "types.h"

namespace mmt {

// Per-page VMA attributes (vm_flags of the VMA that covers that page).
enum VmaPageBit : uint8_t {
    VMA_mapped = 1u << 0,       // a VMA covers this page (cleared by munmap/exit)
    VMA_read = 1u << 1,         // VM_READ
    VMA_write = 1u << 2,        // VM_WRITE
    VMA_dontcopy = 1u << 3,     // VM_DONTCOPY (MADV_DONTFORK)
    VMA_wipeonfork = 1u << 4,   // VM_WIPEONFORK
    VMA_softdirty = 1u << 5,    // VM_SOFTDIRTY: soft-dirty tracking not armed
    // VM_ACCOUNT: the pages were charged as private writable memory, by an
    // mmap with PROT_WRITE or by an mprotect that made them writable. An
    // mprotect back to read-only keeps it (the commit is not given back), so
    // such pages no longer merge into one VMA with never-writable neighbours.
    VMA_account = 1u << 6,
};

struct Vma {
    uint32_t name = 0;        // StringId
    ProcessId process;
    uint32_t npages = 0;
    uint64_t start = 0;       // virtual address of page 0 (PMD-aligned)
    uint32_t first_pmd = 0;   // index of the VMA's first PMD slot in KernelState::pmds
    uint32_t first_page = 0;  // index of page 0's attributes in KernelState::vma_pages
    bool hugepage = false;    // VM_HUGEPAGE: THP-eligible
    // StringId naming the root of its anon_vma: what an anonymous page's
    // mapping points at. A child's VMA shares its parent's (fork); an
    // unrelated VMA of the same name gets a name of its own.
    uint32_t anon_vma = 0;
    // vma->anon_vma is set: anon_vma_prepare() ran (a page was allocated
    // here; the zero page needs none) or fork gave the VMA its parent's.
    // Fork copies nothing from a VMA without one (copy_page_range).
    bool has_anon_vma = false;
    bool operator==(const Vma&) const = default;
};

enum class ProcessField : uint8_t { alive, has_pinned, write_protect_seq, count_ };

struct Process {
    uint32_t name = 0;              // StringId
    uint32_t alive = 1;
    uint32_t has_pinned = 0;        // MMF_HAS_PINNED (sticky)
    uint32_t write_protect_seq = 0; // odd while fork copies page tables
    uint32_t first_vma = 0;         // VMAs of a process are contiguous in KernelState::vmas
    uint32_t nvmas = 0;
    bool operator==(const Process&) const = default;
    uint32_t get(ProcessField f) const;
    void set(ProcessField f, uint32_t v);
};

// A slot on the swap device: swap_map count plus SWAP_HAS_CACHE, and the data
// that was written out.
enum class SwapField : uint8_t { count, cache_pfn, contents, anon_vma, index, count_ };

struct SwapSlotInfo {
    uint32_t count = 0;      // swap PTEs referring to the slot (swap_map & ~SWAP_HAS_CACHE)
    uint32_t cache_pfn = 0;  // the swapcache page (SWAP_HAS_CACHE set iff non-zero)
    uint32_t contents = 0;   // StringId of what was written to the slot
    uint32_t anon_vma = 0;   // rmap of the page that was swapped out
    uint32_t index = 0;
    bool operator==(const SwapSlotInfo&) const = default;
    uint32_t get(SwapField f) const;
    void set(SwapField f, uint32_t v);
};

// Someone outside the process holding a page: a device, a pipe, the kernel.
enum class HolderKind : uint8_t { pin, get };
enum class HolderField : uint8_t { released, detached, count_ };

struct Holder {
    uint32_t name = 0;       // StringId of the handle (`as H`)
    HolderKind kind = HolderKind::get;
    bool write = false;      // FOLL_WRITE
    bool longterm = false;   // FOLL_LONGTERM
    bool fast = false;       // taken through GUP-fast
    Pfn pfn;                 // the (sub)page held
    ProcessId process;       // whose address it was taken at
    VmaId vma;
    uint32_t index = 0;
    uint32_t released = 0;   // unpinned / put
    uint32_t detached = 0;   // the process unmapped or remapped that address since
    bool operator==(const Holder&) const = default;
    uint32_t get(HolderField f) const;
    void set(HolderField f, uint32_t v);
};

} // namespace mmt
