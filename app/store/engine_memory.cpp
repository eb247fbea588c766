#include "engine_memory.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace store {

void keepFreedEngineMemory() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 64 << 20);  // chunks come from the heap...
        mallopt(M_TRIM_THRESHOLD, 128 << 20); // ...and stay there when freed
    });
#endif
}

} // namespace store
