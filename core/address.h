// An address as the scenario names it (page `index` of a process's VMA) and
// the outcome of an operation: ok, or failed with the reason the kernel gives.
#pragma once

#include <cstdint>

#include "types.h"

namespace mmt {

struct Address {
    ProcessId process;
    VmaId vma;
    uint32_t index = 0;
};

struct [[nodiscard]] Outcome {
    const char* failure = nullptr;  // a static sentence, nullptr when ok
    bool ok() const { return failure == nullptr; }
    static Outcome success() { return {}; }
    static Outcome fail(const char* why) { return Outcome{why}; }
};

// The reasons a command fails, as `failed: REASON` prints them.
namespace reason {
inline constexpr const char* segv = "segmentation fault";
inline constexpr const char* efault = "bad address (-EFAULT)";
inline constexpr const char* sigbus = "bus error (SIGBUS)";
inline constexpr const char* pinned = "page is pinned";
inline constexpr const char* extra_refs = "page has unexpected references";
inline constexpr const char* no_page = "no page mapped at this address";
inline constexpr const char* zero_page = "the shared zero page is not migrated";
inline constexpr const char* not_anon = "not an anonymous page";
inline constexpr const char* differ = "pages differ in content";
inline constexpr const char* released = "reference was released";
inline constexpr const char* read_only_reference = "reference is read-only (taken without FOLL_WRITE)";
inline constexpr const char* not_splittable = "THP cannot be split (pinned)";
inline constexpr const char* ksm_split_only = "both pages are in one THP: KSM split it and merged nothing yet";
inline constexpr const char* nothing_collected = "no page could be collected";
// MADV_COLLAPSE tells its caller whether a retry may help (madvise_collapse_errno).
inline constexpr const char* collapse_eagain = "range cannot be collapsed (-EAGAIN)";
inline constexpr const char* collapse_einval = "range cannot be collapsed (-EINVAL)";
inline constexpr const char* einval_advice = "invalid advice (-EINVAL)";
inline constexpr const char* einval = "invalid argument (-EINVAL)";
} // namespace reason

} // namespace mmt
