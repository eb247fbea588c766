// Raw memory for the append-only chunks of the journal, the step history and
// the state tables. A large run writes a few hundred megabytes of history,
// and taking fresh memory from the host costs more than writing it: on a
// virtual machine, a first touch of a 4 KiB page costs about a microsecond
// (the guest's page fault and often the host's). Big chunks are therefore
// populated ahead of the writes, a window at a time, in one system call per
// window instead of a page fault per page. (Transparent huge pages were tried:
// they are five times cheaper than 4 KiB faults while the host still backs
// the memory, and three times dearer once it has taken the memory back.)
// The memory is not initialised: callers construct what they store.
#pragma once

#include <cstddef>

namespace mmt {

// Chunks this big or bigger are mapped on their own and populated ahead.
inline constexpr size_t kBigChunkBytes = size_t(2) << 20;
// How much of a big chunk is populated at a time.
inline constexpr size_t kPopulateWindowBytes = size_t(1) << 20;

// free_chunk() must be given the size the chunk was allocated with.
void* allocate_chunk(size_t bytes);
void free_chunk(void* chunk, size_t bytes);

// Makes [start, start + bytes) of a big chunk resident and writable now.
// Only a hint: where the host cannot, the pages are faulted in on first use.
void populate_chunk(void* start, size_t bytes);

} // namespace mmt
