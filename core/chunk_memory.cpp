#include "chunk_memory.h"

#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mmt {

namespace {

constexpr size_t kHostPage = 4096;

bool mapped_huge(size_t bytes, ChunkBacking backing) {
#if defined(__linux__)
    return backing == ChunkBacking::huge_pages && bytes >= kHugePageBytes;
#else
    return false;
#endif
}

size_t host_pages_bytes(size_t bytes) { return (bytes + kHostPage - 1) & ~(kHostPage - 1); }

} // namespace

// A huge-page chunk is mapped with room to align it to 2 MiB; the unaligned
// ends are given back at once.
void* allocate_chunk(size_t bytes, ChunkBacking backing) {
    if (!mapped_huge(bytes, backing))
        return ::operator new(bytes);
#if defined(__linux__)
    size_t span = bytes + kHugePageBytes;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        throw std::bad_alloc();
    auto start = reinterpret_cast<uintptr_t>(raw);
    uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t(kHugePageBytes) - 1);
    uintptr_t used_end = aligned + host_pages_bytes(bytes);
    if (aligned > start)
        munmap(raw, aligned - start);
    if (start + span > used_end)
        munmap(reinterpret_cast<void*>(used_end), start + span - used_end);
    // Only advice: where the host has no transparent huge pages, the chunk
    // is ordinary memory and works the same.
    madvise(reinterpret_cast<void*>(aligned), host_pages_bytes(bytes), MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
#else
    return ::operator new(bytes);
#endif
}

void free_chunk(void* chunk, size_t bytes, ChunkBacking backing) {
    if (!mapped_huge(bytes, backing)) {
        ::operator delete(chunk);
        return;
    }
#if defined(__linux__)
    munmap(chunk, host_pages_bytes(bytes));
#endif
}

} // namespace mmt
