#include "chunk_memory.h"

#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif
#endif

namespace mmt {

namespace {

constexpr uintptr_t kHostPage = 4096;

bool mapped(size_t bytes) {
#if defined(__linux__)
    return bytes >= kBigChunkBytes;
#else
    return false;
#endif
}

size_t mapping_bytes(size_t bytes) { return (bytes + kHostPage - 1) & ~size_t(kHostPage - 1); }

} // namespace

void* allocate_chunk(size_t bytes) {
    if (!mapped(bytes))
        return ::operator new(bytes);
#if defined(__linux__)
    void* chunk = mmap(nullptr, mapping_bytes(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (chunk == MAP_FAILED)
        throw std::bad_alloc();
    return chunk;
#else
    return ::operator new(bytes);
#endif
}

void free_chunk(void* chunk, size_t bytes) {
    if (!mapped(bytes)) {
        ::operator delete(chunk);
        return;
    }
#if defined(__linux__)
    munmap(chunk, mapping_bytes(bytes));
#endif
}

void populate_chunk(void* start, size_t bytes) {
#if defined(__linux__)
    auto begin = reinterpret_cast<uintptr_t>(start) & ~(kHostPage - 1);
    auto end = (reinterpret_cast<uintptr_t>(start) + bytes + kHostPage - 1) & ~(kHostPage - 1);
    if (end > begin)
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
}

} // namespace mmt
