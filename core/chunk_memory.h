// Raw memory for the append-only chunks of the journal, the step history and
// the state tables. A large run writes a hundred megabytes of history, and
// taking fresh memory from the host costs about as much as the engine's own
// work: on a virtual machine, a first touch of a 4 KiB page costs about two
// microseconds (the guest's page fault, zeroing, and often the host's fault).
// Big chunks are therefore populated ahead of the writes by a background
// thread (MADV_POPULATE_WRITE, a window at a time), so that on a machine
// with two cores the engine computes while the memory it will write next is
// made ready. Where that thread is late, or the host cannot populate, the
// pages are simply faulted in on first use: populating is only ever a hint.
// (Transparent huge pages were tried: five times cheaper while the host
// still backs the memory, many times dearer once it has taken it back.)
// The memory is not initialised: callers construct what they store.
#pragma once

#include <cstddef>

namespace mmt {

// Chunks this big or bigger are mapped on their own and populated ahead.
inline constexpr size_t kBigChunkBytes = size_t(2) << 20;
// How much of a big chunk is populated at a time.
inline constexpr size_t kPopulateWindowBytes = size_t(1) << 20;

// free_chunk() must be given the size the chunk was allocated with; it
// waits for any populating of the chunk in progress.
void* allocate_chunk(size_t bytes);
void free_chunk(void* chunk, size_t bytes);

// Asks the background thread to make [start, start + bytes) of a big chunk
// resident and writable soon; returns at once.
void prefault_chunk(void* start, size_t bytes);

} // namespace mmt
