// Distinct integer types for the engine's object identities, so that a page
// frame number can never be passed where a swap slot or a process is meant.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace mmt {

template <typename Tag>
struct DistinctIndex {
    uint32_t value = 0;
    constexpr DistinctIndex() = default;
    constexpr explicit DistinctIndex(uint32_t v) : value(v) {}
    constexpr auto operator<=>(const DistinctIndex&) const = default;
};

struct PfnTag;
struct SwapSlotTag;
struct ProcessTag;
struct VmaTag;
struct HolderTag;
struct StringTag;

// Page frame number: index of a struct page in the simulated memory map.
using Pfn = DistinctIndex<PfnTag>;
// Offset of a slot on the (single) simulated swap device. Slot 0 is never used.
using SwapSlot = DistinctIndex<SwapSlotTag>;
using ProcessId = DistinctIndex<ProcessTag>;
using VmaId = DistinctIndex<VmaTag>;
// A GUP reference or pin held by someone outside the process (device, pipe).
using HolderId = DistinctIndex<HolderTag>;
// An interned string: page contents, names.
using StringId = DistinctIndex<StringTag>;

// Kernel semantics to simulate; see the scenario language's `era` command.
enum class Era : uint8_t { a, b, c };

constexpr char era_letter(Era era) { return era == Era::a ? 'a' : era == Era::b ? 'b' : 'c'; }

constexpr uint32_t kPagesPerPmd = 512;            // x86_64: 2 MiB / 4 KiB
constexpr int32_t kGupPinCountingBias = 1024;     // GUP_PIN_COUNTING_BIAS

} // namespace mmt

template <typename Tag>
struct std::hash<mmt::DistinctIndex<Tag>> {
    size_t operator()(const mmt::DistinctIndex<Tag>& i) const noexcept { return i.value; }
};
