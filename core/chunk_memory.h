// Raw memory for the append-only chunks of the journal, the step history and
// the state tables. A large run writes a few hundred megabytes of history;
// taking it from the host 4 KiB at a time costs one host page fault per page
// (most of the run's time on a virtual machine). Chunks of 2 MiB or more are
// therefore mapped 2 MiB-aligned and advised as transparent huge pages: one
// host fault per 2 MiB. Smaller chunks come from the heap.
// The memory is not initialised: callers construct what they store.
#pragma once

#include <cstddef>

namespace mmt {

inline constexpr size_t kHugePageBytes = size_t(2) << 20;

// free_chunk() must be given the size the chunk was allocated with.
void* allocate_chunk(size_t bytes);
void free_chunk(void* chunk, size_t bytes);

// Advises [start, start + bytes) as huge pages where whole 2 MiB pages fit
// (for memory a std::vector owns, which cannot come from allocate_chunk).
void advise_huge_pages(void* start, size_t bytes);

} // namespace mmt
