// Checking a lesson runs the engine (check_lesson), and each run of the
// engine's Kernel allocates its journal in chunks of a megabyte or more.
// glibc hands such freed blocks back to the system at once, so checking a
// pack of many lessons spends most of its time faulting the same fresh
// memory in again (1.4 s instead of 0.3 s for 100 lessons, see
// mmtutor-store-bench). Before checking lessons in bulk, the store asks glibc
// to keep freed blocks for reuse: the process keeps the engine's peak (a few
// megabytes) instead of returning it between lessons.
#pragma once

namespace store {

// Idempotent; a no-op where the C library is not glibc.
void keepFreedEngineMemory();

} // namespace store
