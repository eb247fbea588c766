// Page table entries as values (semantics.md 1.2 and 1.3): each kind packs and
// unpacks losslessly, and the predicates mirror the kernel's swapops.h helpers
// (is_writable_migration_entry(), is_readable_exclusive_migration_entry(),
// is_device_private_entry(), pte_swp_exclusive(), ...).
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "pte.h"
#include "scenario_fixture.h"  // for the StringMakers (one definition in every test file)

using namespace mmt;

namespace {

constexpr uint32_t kAllPteBits =
    Pte::write | Pte::dirty | Pte::young | Pte::soft_dirty | Pte::swp_exclusive | Pte::protnone;

std::vector<Pte> one_of_each_kind(uint32_t bits) {
    return {
        Pte(),
        Pte::make_present(Pfn(7), bits),
        Pte::make_swap_entry(SwapSlot(9), bits),
        Pte::make_readable_migration_entry(Pfn(11), bits),
        Pte::make_readable_exclusive_migration_entry(Pfn(12), bits),
        Pte::make_writable_migration_entry(Pfn(13), bits),
        Pte::make_readable_device_private_entry(Pfn(14), bits),
        Pte::make_writable_device_private_entry(Pfn(15), bits),
    };
}

} // namespace

TEST_CASE("An empty PTE is none, carries nothing and is the all-zero word", "[pte]") {
    Pte none;
    CHECK(none.raw() == 0);
    CHECK(none.is_none());
    CHECK(none.kind() == PteKind::none);
    CHECK_FALSE(none.is_present());
    CHECK_FALSE(none.has_pfn());
    CHECK_FALSE(none.writable());
}

TEST_CASE("Every PTE kind survives a round trip through its raw 64-bit word", "[pte]") {
    for (uint32_t bits : {0u, uint32_t(Pte::write), uint32_t(Pte::swp_exclusive | Pte::soft_dirty), kAllPteBits}) {
        for (Pte pte : one_of_each_kind(bits)) {
            CAPTURE(pte_kind_name(pte.kind()), bits);
            Pte back = Pte::from_raw(pte.raw());
            CHECK(back == pte);
            CHECK(back.kind() == pte.kind());
            CHECK(back.bits() == pte.bits());
            CHECK(back.payload() == pte.payload());
        }
    }
}

TEST_CASE("A present PTE keeps its pfn and its W, D, Y, SD bits independently", "[pte]") {
    Pte pte = Pte::make_present(Pfn(0xfffffffe), Pte::write | Pte::dirty);
    CHECK(pte.is_present());
    CHECK(pte.pfn() == Pfn(0xfffffffe));
    CHECK(pte.has(Pte::write));
    CHECK(pte.has(Pte::dirty));
    CHECK_FALSE(pte.has(Pte::young));
    CHECK_FALSE(pte.has(Pte::soft_dirty));
    CHECK(pte.writable());

    // ptep_set_wrprotect(): only W goes, the rest of the entry stays.
    Pte wrprotected = pte.without(Pte::write);
    CHECK_FALSE(wrprotected.writable());
    CHECK(wrprotected.has(Pte::dirty));
    CHECK(wrprotected.pfn() == pte.pfn());
    CHECK(wrprotected.with(Pte::write) == pte);
}

TEST_CASE("Only a present PTE with W is writable, W on a non-present entry means nothing", "[pte]") {
    CHECK(Pte::make_present(Pfn(3), Pte::write).writable());
    CHECK_FALSE(Pte::make_present(Pfn(3), Pte::dirty).writable());
    CHECK_FALSE(Pte::make_writable_migration_entry(Pfn(3), Pte::write).writable());
    CHECK_FALSE(Pte::make_swap_entry(SwapSlot(3), Pte::write).writable());
}

TEST_CASE("A swap entry names a slot, not a pfn, and carries the exclusive bit (pte_swp_exclusive)", "[pte]") {
    Pte swp = Pte::make_swap_entry(SwapSlot(42), Pte::swp_exclusive);
    CHECK(swp.is_swap_entry());
    CHECK_FALSE(swp.has_pfn());
    CHECK_FALSE(swp.is_migration_entry());
    CHECK(swp.swap_slot() == SwapSlot(42));
    CHECK(swp.has(Pte::swp_exclusive));
    // fork clears the bit in the parent (pte_swp_clear_exclusive), slot unchanged.
    Pte shared = swp.without(Pte::swp_exclusive);
    CHECK_FALSE(shared.has(Pte::swp_exclusive));
    CHECK(shared.swap_slot() == SwapSlot(42));
}

TEST_CASE("The three migration entry types are told apart as the kernel's helpers do", "[pte]") {
    Pte r = Pte::make_readable_migration_entry(Pfn(5), 0);
    Pte rx = Pte::make_readable_exclusive_migration_entry(Pfn(5), 0);
    Pte w = Pte::make_writable_migration_entry(Pfn(5), 0);
    for (Pte e : {r, rx, w}) {
        CHECK(e.is_migration_entry());
        CHECK(e.has_pfn());
        CHECK(e.pfn() == Pfn(5));
        CHECK_FALSE(e.is_present());
        CHECK_FALSE(e.is_device_private_entry());
        CHECK_FALSE(e.is_swap_entry());
    }
    CHECK(r.kind() == PteKind::migration_read);
    CHECK_FALSE(r.is_writable_migration_entry());
    CHECK_FALSE(r.is_readable_exclusive_migration_entry());
    CHECK(rx.kind() == PteKind::migration_read_exclusive);
    CHECK(rx.is_readable_exclusive_migration_entry());
    CHECK_FALSE(rx.is_writable_migration_entry());
    CHECK(w.kind() == PteKind::migration_write);
    CHECK(w.is_writable_migration_entry());
    CHECK_FALSE(w.is_readable_exclusive_migration_entry());
}

TEST_CASE("Device-private entries hold a pfn and say whether they are writable", "[pte]") {
    Pte ro = Pte::make_readable_device_private_entry(Pfn(77), 0);
    Pte rw = Pte::make_writable_device_private_entry(Pfn(77), 0);
    for (Pte e : {ro, rw}) {
        CHECK(e.is_device_private_entry());
        CHECK(e.has_pfn());
        CHECK(e.pfn() == Pfn(77));
        CHECK_FALSE(e.is_present());
        CHECK_FALSE(e.is_migration_entry());
        CHECK_FALSE(e.writable());  // the CPU can never access a device-private page
    }
    CHECK(rw.is_writable_device_private_entry());
    CHECK_FALSE(ro.is_writable_device_private_entry());
}

TEST_CASE("Soft-dirty travels on migration and swap entries (pte_swp_soft_dirty)", "[pte]") {
    CHECK(Pte::make_writable_migration_entry(Pfn(1), Pte::soft_dirty).has(Pte::soft_dirty));
    CHECK(Pte::make_readable_exclusive_migration_entry(Pfn(1), Pte::soft_dirty).has(Pte::soft_dirty));
    CHECK(Pte::make_swap_entry(SwapSlot(1), Pte::soft_dirty).has(Pte::soft_dirty));
}

TEST_CASE("PTE kind names are the words the scenario language uses", "[pte]") {
    CHECK(pte_kind_name(PteKind::none) == "none");
    CHECK(pte_kind_name(PteKind::swap) == "swap");
    CHECK(pte_kind_name(PteKind::migration_read) == "migration-readable");
    CHECK(pte_kind_name(PteKind::migration_read_exclusive) == "migration-readable-exclusive");
    CHECK(pte_kind_name(PteKind::migration_write) == "migration-writable");
    CHECK(pte_kind_name(PteKind::device_private_read) == "device-private-ro");
    CHECK(pte_kind_name(PteKind::device_private_write) == "device-private-rw");
}

TEST_CASE("Every PMD kind survives a round trip through its raw word", "[pte]") {
    std::vector<Pmd> pmds = {
        Pmd(),
        Pmd::make_table(3),
        Pmd::make_huge(Pfn(1024), Pte::write | Pte::dirty),
        Pmd::make_huge_zero(Pfn(2)),
        Pmd::make_migration(PmdKind::migration_read, Pfn(1024), 0),
        Pmd::make_migration(PmdKind::migration_read_exclusive, Pfn(1024), Pte::soft_dirty),
        Pmd::make_migration(PmdKind::migration_write, Pfn(1024), 0),
    };
    for (Pmd pmd : pmds) {
        CAPTURE(pmd_kind_name(pmd.kind()));
        Pmd back = Pmd::from_raw(pmd.raw());
        CHECK(back == pmd);
        CHECK(back.bits() == pmd.bits());
        CHECK(back.payload() == pmd.payload());
    }
}

TEST_CASE("A PMD is a table, a THP mapping, the huge zero page or a PMD migration entry", "[pte]") {
    Pmd table = Pmd::make_table(5);
    CHECK(table.is_table());
    CHECK(table.table() == 5);
    CHECK_FALSE(table.is_trans_huge());

    Pmd thp = Pmd::make_huge(Pfn(2048), Pte::write | Pte::dirty | Pte::young);
    CHECK(thp.is_trans_huge());
    CHECK(thp.head() == Pfn(2048));
    CHECK(thp.has(Pte::write));
    CHECK_FALSE(thp.without(Pte::write).has(Pte::write));
    CHECK(thp.without(Pte::write).has(Pte::dirty));

    Pmd zero = Pmd::make_huge_zero(Pfn(2));
    CHECK(zero.is_huge_zero());
    CHECK_FALSE(zero.has(Pte::write));  // the huge zero page is always mapped read-only
    CHECK_FALSE(zero.is_trans_huge());

    for (PmdKind kind : {PmdKind::migration_read, PmdKind::migration_read_exclusive, PmdKind::migration_write}) {
        Pmd m = Pmd::make_migration(kind, Pfn(2048), 0);
        CHECK(m.is_migration_entry());
        CHECK(m.kind() == kind);
        CHECK(m.head() == Pfn(2048));
        CHECK_FALSE(m.is_trans_huge());
    }
    CHECK(Pmd().is_none());
}

TEST_CASE("PMD kind names", "[pte]") {
    CHECK(pmd_kind_name(PmdKind::thp) == "thp");
    CHECK(pmd_kind_name(PmdKind::huge_zero) == "huge-zero");
    CHECK(pmd_kind_name(PmdKind::table) == "table");
}
