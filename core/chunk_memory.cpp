#include "chunk_memory.h"

#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mmt {

namespace {

bool mapped_huge(size_t bytes) {
#if defined(__linux__)
    return bytes >= kHugePageBytes;
#else
    return false;
#endif
}

// A huge-page chunk's mapping is whole huge pages, so that its tail can be
// a huge page too. Only the part that is written becomes resident.
size_t mapping_bytes(size_t bytes) { return (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1); }

} // namespace

void* allocate_chunk(size_t bytes) {
    if (!mapped_huge(bytes))
        return ::operator new(bytes);
#if defined(__linux__)
    // Map one huge page more than needed, then give back the unaligned ends.
    size_t length = mapping_bytes(bytes);
    size_t span = length + kHugePageBytes;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        throw std::bad_alloc();
    auto start = reinterpret_cast<uintptr_t>(raw);
    uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t(kHugePageBytes) - 1);
    if (aligned > start)
        munmap(raw, aligned - start);
    if (start + span > aligned + length)
        munmap(reinterpret_cast<void*>(aligned + length), start + span - (aligned + length));
    // Only advice: where the host has no transparent huge pages, the chunk
    // is ordinary memory and works the same.
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
#else
    return ::operator new(bytes);
#endif
}

void free_chunk(void* chunk, size_t bytes) {
    if (!mapped_huge(bytes)) {
        ::operator delete(chunk);
        return;
    }
#if defined(__linux__)
    munmap(chunk, mapping_bytes(bytes));
#endif
}

void advise_huge_pages(void* start, size_t bytes) {
#if defined(__linux__)
    auto begin = reinterpret_cast<uintptr_t>(start);
    uintptr_t first = (begin + kHugePageBytes - 1) & ~(uintptr_t(kHugePageBytes) - 1);
    uintptr_t last = (begin + bytes) & ~(uintptr_t(kHugePageBytes) - 1);
    if (last > first)
        madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

} // namespace mmt
