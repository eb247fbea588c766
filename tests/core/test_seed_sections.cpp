// The seed commit's message, section by section (6c287605fd "mm: remember
// exclusively mapped anonymous pages with PG_anon_exclusive", I.1-I.8). States
// that exist only inside one kernel operation (migration entries) are built by
// driving the engine's functions one step at a time, as migrate_pages() would.
#include <catch2/catch.hpp>
#include <string>

#include "fork.h"
#include "huge_memory.h"
#include "migrate.h"
#include "mprotect.h"
#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
const std::string kThp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"data\"\n";

// Opens a command on a finished run and isolates `page` (+1 reference), as
// migrate_pages() does before try_to_migrate().
void begin_migration(Kernel& k, Pfn page) {
    k.begin_command(1000, 1000);
    k.step("test: isolate the page from the LRU");
    k.folio_ref_add(page, 1);
    k.folio_in_flight_add(page, 1);
}

void end_migration(Kernel& k, Pfn page) {
    k.folio_put_in_flight(page);
    k.end_command(nullptr);
}

} // namespace

TEST_CASE("I.1 Fresh anonymous pages start out exclusive", "[seed]") {
    auto s = Sim::run(kWritten + "map P big 512 rw thp\nwrite P big[0] \"t\"\nmap P dev 1 rw\n"
                                 "migrate-to-device P dev\n");
    CHECK(s.exclusive("P", "buf", 0));                            // do_anonymous_page
    CHECK(s.k().PageAnonExclusive(s.pmd("P", "big", 0).head()));  // hugepage_add_new_anon_rmap: the head
    CHECK(s.exclusive("P", "dev", 0));                            // migrate_vma_insert_page
    auto cow = Sim::run(kWritten + "fork P C\nwrite C buf[0] \"c\"\n");
    CHECK(cow.exclusive("C", "buf", 0));                          // wp_page_copy's new page
    CHECK_FALSE(cow.exclusive("P", "buf", 0));                    // shared by fork, not reused yet
    CHECK_FALSE(Sim::run(kWritten, Era::b).page("P", "buf", 0).test(PG_anon_exclusive));  // no such bit before
}

TEST_CASE("I.2 COW reuses an exclusive page without checks, otherwise it tries harder under the page lock",
          "[seed]") {
    // Exclusive: reused whatever other references exist (here a FOLL_GET).
    auto reuse = Sim::run(kWritten + "get P buf[0] as G\nclear-softdirty P\nwrite P buf[0] \"x\"\n");
    CHECK(reuse.pfn("P", "buf", 0) == reuse.holder("G").pfn);
    CHECK(reuse.page("P", "buf", 0).refcount == 2);
    // Possibly shared but page_count 1: page_move_anon_rmap marks it exclusive.
    auto moved = Sim::run(kWritten + "fork P C\nexit C\nwrite P buf[0] \"x\"\n");
    CHECK(moved.exclusive("P", "buf", 0));
    CHECK(moved.page("P", "buf", 0).refcount == 1);
    // Possibly shared and really shared: copy.
    auto copied = Sim::run(kWritten + "fork P C\nwrite P buf[0] \"x\"\n");
    CHECK(copied.pfn("P", "buf", 0) != copied.pfn("C", "buf", 0));
}

TEST_CASE("I.3 Migration moves exclusivity into the entry and restores it from the entry type", "[seed]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\n");
    Kernel& k = s.k();
    const VmaId vma = s.vma("P", "buf");
    const Pfn page = s.pfn("P", "buf", 0);
    begin_migration(k, page);
    REQUIRE(try_to_migrate(k, page));
    CHECK(k.pte(vma, 0).kind() == PteKind::migration_read_exclusive);  // R/O but exclusive
    CHECK_FALSE(k.PageAnonExclusive(page));                             // page_try_share_anon_rmap
    remove_migration_ptes(k, page, page);
    CHECK(k.PageAnonExclusive(page));                                   // RMAP_EXCLUSIVE from RX
    end_migration(k, page);
    CHECK(k.pte(vma, 0).is_present());
    CHECK_FALSE(k.pte(vma, 0).has(Pte::write));

    // A pinned page cannot be marked shared: try_to_migrate() fails, the PTE stays.
    auto pinned = Sim::run(kWritten + "pin P buf[0] write as H\n");
    Kernel& kp = pinned.k();
    const Pfn pp = pinned.pfn("P", "buf", 0);
    const Pte before = pinned.pte("P", "buf", 0);
    begin_migration(kp, pp);
    CHECK_FALSE(try_to_migrate(kp, pp));
    CHECK(kp.pte(pinned.vma("P", "buf"), 0) == before);
    CHECK(kp.PageAnonExclusive(pp));
    end_migration(kp, pp);
    CHECK(pinned.violations("invariant").empty());
}

TEST_CASE("I.4 Swap-out marks the page possibly shared and fails on pinned pages", "[seed]") {
    auto s = Sim::run(kWritten + "get P buf[0] as G\nswapout P buf[0]\n");
    CHECK_FALSE(s.held_page("G").test(PG_anon_exclusive));  // unmapped, in the swap cache, possibly shared
    CHECK(s.held_page("G").test(PG_swapcache));
    CHECK(s.pte("P", "buf", 0).has(Pte::swp_exclusive));    // the follow-up remembers it in the entry
    auto pinned = Sim::run(kWritten + "pin P buf[0] write as H\nswapout P buf[0]\n");
    CHECK(pinned.last_outcome() == "page is pinned");
    CHECK(pinned.kind("P", "buf", 0) == "present-rw");
    CHECK(pinned.exclusive("P", "buf", 0));
}

TEST_CASE("I.5 Swap-in decides exclusivity itself: from the swap PTE's bit, or from the refcount", "[seed]") {
    auto x = Sim::run(kWritten + "get P buf[0] as G\nswapout P buf[0]\nread P buf[0]\n");
    CHECK(x.exclusive("P", "buf", 0));  // X bit, although page_count is 3
    auto shared = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\n");
    CHECK_FALSE(shared.exclusive("P", "buf", 0));
    auto alone = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nexit C\nwrite P buf[0] \"w\"\n");
    CHECK(alone.exclusive("P", "buf", 0));  // no X, but the swap cache freed → page_count 1
    CHECK(alone.kind("P", "buf", 0) == "present-rw");
    CHECK(alone.violations("invariant").empty());
}

TEST_CASE("I.6 THP: splitting a PMD forwards exclusivity (b), a pinned THP is not frozen (c)", "[seed]") {
    auto b = Sim::run(kThp + "split-pmd P buf[0]\n");
    for (uint32_t i : {0u, 1u, 255u, 511u})
        CHECK(b.exclusive("P", "buf", i));
    // (c): a pinned THP cannot be marked shared, so it is neither frozen nor migrated.
    auto c = Sim::run(kThp + "pin P buf[0] write as H\nmigrate P buf[0]\n");
    CHECK(c.last_outcome() == "page is pinned");
    CHECK(c.pmd("P", "buf", 0).is_trans_huge());
    CHECK(c.pmd("P", "buf", 0).has(Pte::write));
    CHECK(c.k().PageAnonExclusive(c.pmd("P", "buf", 0).head()));
    c.k().begin_command(1000, 1000);
    CHECK_FALSE(split_huge_page(c.k(), c.pmd("P", "buf", 0).head()));  // can_split_folio fails
    c.k().end_command(nullptr);
    CHECK(c.pmd("P", "buf", 0).is_trans_huge());
}

// __split_huge_pmd_locked() on a PMD migration entry (I.6a, semantics.md 2.19 split step 3) turns it into 512
// PTE migration entries of the same type (RX stays RX). Not reachable from a scenario (migration completes
// inside one command).
TEST_CASE("I.6a Splitting a readable-exclusive PMD migration entry gives readable-exclusive PTE entries",
          "[seed]") {
    auto s = Sim::run(kThp + "clear-softdirty P\n");
    Kernel& k = s.k();
    const VmaId vma = s.vma("P", "buf");
    const Pfn head = s.pmd("P", "buf", 0).head();
    begin_migration(k, head);
    REQUIRE(try_to_migrate(k, head));
    REQUIRE(k.pmd(vma, 0).kind() == PmdKind::migration_read_exclusive);
    split_huge_pmd(k, vma, 0);
    CHECK(k.pmd(vma, 0).is_table());
    for (uint32_t i : {0u, 7u, 511u}) {
        CHECK(k.pte(vma, i).kind() == PteKind::migration_read_exclusive);
        CHECK(k.pte(vma, i).pfn() == Pfn(head.value + i));
    }
    remove_migration_ptes(k, head, head);
    end_migration(k, head);
}

TEST_CASE("I.7 fork: present pages and device entries become shared, W and RX migration entries become R",
          "[seed]") {
    // a) present: shared unless pinned, then copied.
    auto a = Sim::run(kWritten + "fork P C\n");
    CHECK_FALSE(a.exclusive("P", "buf", 0));
    CHECK(a.pfn("P", "buf", 0) == a.pfn("C", "buf", 0));
    auto pinned = Sim::run(kWritten + "pin P buf[0] write as H\nfork P C\n");
    CHECK(pinned.exclusive("P", "buf", 0));
    CHECK(pinned.pfn("P", "buf", 0) != pinned.pfn("C", "buf", 0));
    // b) device-private: cannot be pinned, so page_try_dup_anon_rmap always succeeds.
    auto b = Sim::run(kWritten + "migrate-to-device P buf\nfork P C\n");
    CHECK_FALSE(b.exclusive("P", "buf", 0));
    CHECK(b.kind("C", "buf", 0) == "device-private-ro");
    // d) a writable migration entry is "possibly shared" after fork.
    auto d = Sim::run(kWritten);
    Kernel& k = d.k();
    const Pfn page = d.pfn("P", "buf", 0);
    begin_migration(k, page);
    REQUIRE(try_to_migrate(k, page));
    REQUIRE(k.pte(d.vma("P", "buf"), 0).kind() == PteKind::migration_write);
    fork_process(k, d.process("P"), "C");
    CHECK(d.pte("P", "buf", 0).kind() == PteKind::migration_read);
    CHECK(d.pte("C", "buf", 0).kind() == PteKind::migration_read);
    remove_migration_ptes(k, page, page);
    end_migration(k, page);
    CHECK(d.kind("P", "buf", 0) == "present-ro");
    CHECK(d.kind("C", "buf", 0) == "present-ro");
    CHECK_FALSE(k.PageAnonExclusive(page));
    CHECK(k.page(page).mapcount == 2);
    CHECK(k.page(page).refcount == 2);
    CHECK(d.violations("invariant").empty());
}

TEST_CASE("I.8 mprotect write-protects a writable migration entry as readable-exclusive", "[seed]") {
    auto s = Sim::run(kWritten);
    Kernel& k = s.k();
    const VmaId vma = s.vma("P", "buf");
    const Pfn page = s.pfn("P", "buf", 0);
    begin_migration(k, page);
    REQUIRE(try_to_migrate(k, page));
    CHECK(mprotect_range(k, vma, 0, 0, Protection::ro).ok());
    CHECK(k.pte(vma, 0).kind() == PteKind::migration_read_exclusive);
    remove_migration_ptes(k, page, page);
    end_migration(k, page);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(k.PageAnonExclusive(page));
    CHECK(s.violations("invariant").empty());
}
