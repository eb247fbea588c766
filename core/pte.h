// A page table entry, packed into 64 bits the way the hardware (and the
// kernel's swp_entry_t) packs it: a kind, a few bits, and a payload that is a
// page frame number or a swap slot. Being a plain value makes it cheap to
// journal: a PTE change is one 64-bit before/after pair.
#pragma once

#include <cstdint>
#include <string_view>

#include "types.h"

namespace mmt {

enum class PteKind : uint8_t {
    none = 0,
    present = 1,
    swap = 2,                         // genuine swap entry
    migration_read = 3,               // SWP_MIGRATION_READ: possibly shared
    migration_read_exclusive = 4,     // SWP_MIGRATION_READ_EXCLUSIVE (era c only)
    migration_write = 5,              // SWP_MIGRATION_WRITE
    device_private_read = 6,          // SWP_DEVICE_READ
    device_private_write = 7,         // SWP_DEVICE_WRITE
};

std::string_view pte_kind_name(PteKind kind);

class Pte {
public:
    enum Bit : uint32_t {
        write = 1u << 0,       // _PAGE_RW
        dirty = 1u << 1,       // _PAGE_DIRTY
        young = 1u << 2,       // _PAGE_ACCESSED
        soft_dirty = 1u << 3,  // _PAGE_SOFT_DIRTY / _PAGE_SWP_SOFT_DIRTY
        swp_exclusive = 1u << 4,  // _PAGE_SWP_EXCLUSIVE (swap entries, era c)
        protnone = 1u << 5,    // PROT_NONE mapping of a present page
    };

    constexpr Pte() = default;
    static constexpr Pte from_raw(uint64_t raw) { Pte p; p.raw_ = raw; return p; }

    static constexpr Pte make_present(Pfn pfn, uint32_t bits) { return Pte(PteKind::present, bits, pfn.value); }
    static constexpr Pte make_swap_entry(SwapSlot slot, uint32_t bits) { return Pte(PteKind::swap, bits, slot.value); }
    static constexpr Pte make_readable_migration_entry(Pfn pfn, uint32_t bits) { return Pte(PteKind::migration_read, bits, pfn.value); }
    static constexpr Pte make_readable_exclusive_migration_entry(Pfn pfn, uint32_t bits) { return Pte(PteKind::migration_read_exclusive, bits, pfn.value); }
    static constexpr Pte make_writable_migration_entry(Pfn pfn, uint32_t bits) { return Pte(PteKind::migration_write, bits, pfn.value); }
    static constexpr Pte make_readable_device_private_entry(Pfn pfn, uint32_t bits) { return Pte(PteKind::device_private_read, bits, pfn.value); }
    static constexpr Pte make_writable_device_private_entry(Pfn pfn, uint32_t bits) { return Pte(PteKind::device_private_write, bits, pfn.value); }

    constexpr uint64_t raw() const { return raw_; }
    constexpr PteKind kind() const { return static_cast<PteKind>(raw_ & 0xf); }
    constexpr uint32_t bits() const { return static_cast<uint32_t>((raw_ >> 4) & 0xfff); }
    constexpr bool has(Bit b) const { return (bits() & b) != 0; }
    constexpr uint32_t payload() const { return static_cast<uint32_t>(raw_ >> 32); }

    constexpr bool is_none() const { return kind() == PteKind::none; }
    constexpr bool is_present() const { return kind() == PteKind::present; }
    constexpr bool is_swap_entry() const { return kind() == PteKind::swap; }
    constexpr bool is_migration_entry() const {
        return kind() == PteKind::migration_read || kind() == PteKind::migration_read_exclusive ||
               kind() == PteKind::migration_write;
    }
    constexpr bool is_writable_migration_entry() const { return kind() == PteKind::migration_write; }
    constexpr bool is_readable_exclusive_migration_entry() const { return kind() == PteKind::migration_read_exclusive; }
    constexpr bool is_device_private_entry() const {
        return kind() == PteKind::device_private_read || kind() == PteKind::device_private_write;
    }
    constexpr bool is_writable_device_private_entry() const { return kind() == PteKind::device_private_write; }
    // Entries whose payload is a page frame number.
    constexpr bool has_pfn() const { return is_present() || is_migration_entry() || is_device_private_entry(); }
    constexpr Pfn pfn() const { return Pfn(payload()); }
    constexpr SwapSlot swap_slot() const { return SwapSlot(payload()); }
    constexpr bool writable() const { return is_present() && has(write); }

    constexpr Pte with(uint32_t b) const { return Pte(kind(), bits() | b, payload()); }
    constexpr Pte without(uint32_t b) const { return Pte(kind(), bits() & ~b, payload()); }

    constexpr bool operator==(const Pte&) const = default;

private:
    constexpr Pte(PteKind kind, uint32_t bits, uint32_t payload)
        : raw_(static_cast<uint64_t>(kind) | (static_cast<uint64_t>(bits & 0xfff) << 4) |
               (static_cast<uint64_t>(payload) << 32)) {}
    uint64_t raw_ = 0;
};

// A PMD entry: either points at a PTE table, maps a whole THP, maps the huge
// zero page, or is a PMD migration entry for a THP.
enum class PmdKind : uint8_t {
    none = 0,
    table = 1,
    thp = 2,
    huge_zero = 3,
    migration_read = 4,
    migration_read_exclusive = 5,
    migration_write = 6,
};

std::string_view pmd_kind_name(PmdKind kind);

class Pmd {
public:
    constexpr Pmd() = default;
    static constexpr Pmd from_raw(uint64_t raw) { Pmd p; p.raw_ = raw; return p; }
    static constexpr Pmd make_table(uint32_t table) { return Pmd(PmdKind::table, 0, table); }
    static constexpr Pmd make_huge(Pfn head, uint32_t bits) { return Pmd(PmdKind::thp, bits, head.value); }
    static constexpr Pmd make_huge_zero(Pfn head) { return Pmd(PmdKind::huge_zero, 0, head.value); }
    static constexpr Pmd make_migration(PmdKind kind, Pfn head, uint32_t bits) { return Pmd(kind, bits, head.value); }

    constexpr uint64_t raw() const { return raw_; }
    constexpr PmdKind kind() const { return static_cast<PmdKind>(raw_ & 0xf); }
    constexpr uint32_t bits() const { return static_cast<uint32_t>((raw_ >> 4) & 0xfff); }
    constexpr bool has(Pte::Bit b) const { return (bits() & b) != 0; }
    constexpr uint32_t payload() const { return static_cast<uint32_t>(raw_ >> 32); }
    constexpr bool is_none() const { return kind() == PmdKind::none; }
    constexpr bool is_table() const { return kind() == PmdKind::table; }
    constexpr bool is_trans_huge() const { return kind() == PmdKind::thp; }
    constexpr bool is_huge_zero() const { return kind() == PmdKind::huge_zero; }
    constexpr bool is_migration_entry() const {
        return kind() == PmdKind::migration_read || kind() == PmdKind::migration_read_exclusive ||
               kind() == PmdKind::migration_write;
    }
    constexpr uint32_t table() const { return payload(); }
    constexpr Pfn head() const { return Pfn(payload()); }
    constexpr Pmd with(uint32_t b) const { return Pmd(kind(), bits() | b, payload()); }
    constexpr Pmd without(uint32_t b) const { return Pmd(kind(), bits() & ~b, payload()); }
    constexpr bool operator==(const Pmd&) const = default;

private:
    constexpr Pmd(PmdKind kind, uint32_t bits, uint32_t payload)
        : raw_(static_cast<uint64_t>(kind) | (static_cast<uint64_t>(bits & 0xfff) << 4) |
               (static_cast<uint64_t>(payload) << 32)) {}
    uint64_t raw_ = 0;
};

} // namespace mmt
