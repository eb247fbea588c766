// Raw memory for the big append-only chunks of the journal and the step
// history. A large run writes a few hundred megabytes of history; taking it
// from the host 4 KiB at a time costs one host page fault per page (about a
// quarter of the run's time). Chunks of 2 MiB or more can therefore be mapped
// 2 MiB-aligned and advised as huge pages: one host fault per 2 MiB.
// The memory is not initialised: callers construct what they store.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mmt {

inline constexpr size_t kHugePageBytes = size_t(2) << 20;

enum class ChunkBacking : uint8_t {
    heap,        // ordinary heap memory
    huge_pages,  // aligned and advised as transparent huge pages (when the chunk is 2 MiB or more)
};

// free_chunk() must be given the size and backing the chunk was allocated with.
void* allocate_chunk(size_t bytes, ChunkBacking backing);
void free_chunk(void* chunk, size_t bytes, ChunkBacking backing);

} // namespace mmt
