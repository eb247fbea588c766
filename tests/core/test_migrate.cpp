// Page migration (semantics.md 2.14, commit message I.3, scenario S12).
// Line numbers: the scenarios below put the command under test on line 3+.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "era_policy.h"
#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
// Lines 1-3.
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("Migrating an exclusive writable page: new frame, writable, exclusive again, data kept", "[migrate]") {
    Pfn old = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "migrate P buf[0]\n");  // line 4
    CHECK(s.last_outcome() == "ok");
    CHECK(s.wrote_kind_at_line(4, PteKind::migration_write));
    CHECK(s.pfn("P", "buf", 0) != old);
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));  // restored from the writable entry (RMAP_EXCLUSIVE)
    CHECK(s.data("P", "buf", 0) == "data");
    CHECK(s.page("P", "buf", 0).refcount == 1);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.k().page(old).refcount == 0);
    CHECK_FALSE(s.k().page(old).test(PG_allocated));
}

TEST_CASE("The new page takes over the anon mapping in folio_migrate_mapping, the data and PG_dirty in the copy",
          "[migrate][trace]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "migrate P buf[0]\n", era);
        const CommandRecord& migrate = s.k().commands().back();
        const std::string mapping_fn =
            s.k().policy().name_of(EraPolicy::Function::folio_migrate_mapping);
        const std::string copy_fn = s.k().policy().name_of(EraPolicy::Function::folio_migrate_copy);
        std::vector<std::string> in_mapping, in_copy;
        for (uint32_t step = migrate.step_begin; step < migrate.step_end; ++step) {
            const std::string path = s.k().step_path(step);
            auto ends_with = [&](const std::string& fn) {
                return path.size() >= fn.size() && path.compare(path.size() - fn.size(), fn.size(), fn) == 0;
            };
            for (const std::string& change : s.k().step_changes(step)) {
                if (ends_with(mapping_fn))
                    in_mapping.push_back(change);
                if (ends_with(copy_fn))
                    in_copy.push_back(change);
            }
        }
        const std::string dst = s.k().page_name(s.pfn("P", "buf", 0));
        CHECK(in_mapping == std::vector<std::string>{dst + ": mapping none → anon_vma of buf",
                                                     dst + ": PAGE_MAPPING_ANON set, PG_swapbacked set"});
        CHECK(in_copy == std::vector<std::string>{dst + ": contents \"\" → \"data\"", dst + ": PG_dirty set"});
    }
}

TEST_CASE("Migrating a read-only exclusive page goes through a readable-exclusive entry and stays exclusive",
          "[migrate]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\nmigrate P buf[0]\n");  // line 5
    CHECK(s.last_outcome() == "ok");
    CHECK(s.wrote_kind_at_line(5, PteKind::migration_read_exclusive));
    CHECK_FALSE(s.wrote_kind_at_line(5, PteKind::migration_write));
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    // Exclusive, so the next write reuses the new page without copying.
    auto w = Sim::run(kWritten + "clear-softdirty P\nmigrate P buf[0]\nwrite P buf[0] \"x\"\n");
    CHECK(w.pfn("P", "buf", 0) == s.pfn("P", "buf", 0));
    CHECK(w.kind("P", "buf", 0) == "present-rw");
}

TEST_CASE("Migrating a page shared after fork: both processes map the new frame read-only, not exclusive",
          "[migrate]") {
    Pfn old = Sim::run(kWritten + "fork P C\n").pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "fork P C\nmigrate P buf[0]\n");  // line 5
    CHECK(s.last_outcome() == "ok");
    CHECK(s.wrote_kind_at_line(5, PteKind::migration_read));
    CHECK_FALSE(s.wrote_kind_at_line(5, PteKind::migration_read_exclusive));
    Pfn now = s.pfn("P", "buf", 0);
    CHECK(now != old);
    CHECK(s.pfn("C", "buf", 0) == now);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK_FALSE(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).mapcount == 2);
    CHECK(s.page("P", "buf", 0).refcount == 2);
}

TEST_CASE("Era c refuses to migrate a pinned page at unmap time: no migration entry is ever installed",
          "[migrate]") {
    auto before = Sim::run(kWritten + "pin P buf[0] write longterm as H\n");
    auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nmigrate P buf[0]\n");  // line 5
    CHECK(s.last_outcome() == "page is pinned");
    for (Pte p : s.ptes_written_at_line(5))
        CHECK_FALSE(p.is_migration_entry());
    CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("A FOLL_GET reference makes the refcount test fail, the page is restored still exclusive",
          "[migrate]") {
    auto before = Sim::run(kWritten + "get P buf[0] as G\n");
    auto s = Sim::run(kWritten + "get P buf[0] as G\nmigrate P buf[0]\n");  // line 5
    CHECK(s.last_outcome() == "page has unexpected references");
    CHECK(s.wrote_kind_at_line(5, PteKind::migration_write));  // unmapping succeeded
    CHECK(s.pfn("P", "buf", 0) == s.holder("G").pfn);
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));  // restored from the W entry type
    CHECK(s.page("P", "buf", 0).refcount == 2);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.pte("P", "buf", 0).pfn() == before.pte("P", "buf", 0).pfn());
}

TEST_CASE("Eras a and b unmap a pinned page, fail on the refcount, and map it back", "[migrate]") {
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nmigrate P buf[0]\n", era);  // line 5
        CHECK(s.last_outcome() == "page is pinned");
        CHECK(s.wrote_kind_at_line(5, PteKind::migration_write));
        CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
        CHECK(s.kind("P", "buf", 0) == "present-rw");
        CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
        CHECK(s.page("P", "buf", 0).mapcount == 1);
        CHECK(s.violations("coherence").empty());
    }
}

TEST_CASE("Eras a and b have no readable-exclusive entry: a read-only page migrates through a readable one",
          "[migrate]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\nmigrate P buf[0]\n", Era::b);  // line 5
    CHECK(s.wrote_kind_at_line(5, PteKind::migration_read));
    CHECK_FALSE(s.wrote_kind_at_line(5, PteKind::migration_read_exclusive));
    CHECK(s.kind("P", "buf", 0) == "present-ro");
}

TEST_CASE("Migrating a PMD-mapped THP moves the whole folio and keeps it exclusive", "[migrate]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[7] \"seven\"\n";
    Pfn old = Sim::run(thp).pmd("P", "buf", 0).head();
    auto s = Sim::run(thp + "migrate P buf[7]\n");
    CHECK(s.last_outcome() == "ok");
    Pmd pmd = s.pmd("P", "buf", 0);
    REQUIRE(pmd.is_trans_huge());
    CHECK(pmd.head() != old);
    CHECK(pmd.has(Pte::write));
    CHECK(s.k().page(pmd.head()).test(PG_anon_exclusive));
    CHECK(s.k().page(pmd.head()).entire_mapcount == 1);
    CHECK(s.k().page(pmd.head()).refcount == 1);
    CHECK(s.data("P", "buf", 7) == "seven");
}

TEST_CASE("Nothing to migrate where no anonymous page is mapped, and the zero page is never migrated",
          "[migrate]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\nread P buf[0]\nmigrate P buf[0]\n");
    CHECK(s.last_outcome() == "the shared zero page is not migrated");
    CHECK(s.pte("P", "buf", 0).pfn() == s.k().zero_pfn());
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    auto none = Sim::run("process P\nmap P buf 1 rw\nmigrate P buf[0]\n");
    CHECK(none.last_outcome() == "no page mapped at this address");
    CHECK(none.kind("P", "buf", 0) == "none");
}

TEST_CASE("A PMD migration entry is set from inside try_to_migrate_one's walk", "[migrate][thp]") {
    auto c = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"h\"\nmigrate P buf[0]\n");
    CHECK(c.step_says(4, "try_to_migrate → try_to_migrate_one → set_pmd_migration_entry"));
    auto a = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"h\"\nmigrate P buf[0]\n", Era::a);
    CHECK(a.step_says(4, "try_to_unmap → try_to_unmap_one → set_pmd_migration_entry"));
    CHECK(c.pmd("P", "buf", 0).is_trans_huge());
}

TEST_CASE("Era c: only an exclusive page is looked at for pins, a refused pinned page never had an entry",
          "[migrate]") {
    auto shared = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nfork P C\nmigrate P buf[0]\n");
    CHECK(shared.last_outcome() == "ok");
    CHECK(shared.step_says(5, "the page is not exclusive, so there is no pin to look for"));
    CHECK_FALSE(shared.step_says(5, "before looking for pins"));
    auto pinned = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write as H\n"
                           "migrate P buf[0]\n");
    CHECK(pinned.last_outcome() == "page is pinned");
    CHECK(pinned.step_says(5, "migration failed before any migration entry was installed"));
    // Eras a and b install the entries and then fail on the refcount.
    auto b = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write as H\n"
                      "migrate P buf[0]\n", Era::b);
    CHECK(b.step_says(5, "the migration entries point at the old page again"));
}

// folio_migrate_mapping() (migrate_page_move_mapping in v5.7): an anonymous
// page outside the swap cache has no mapping whose lock would keep new
// references away, so its refcount is only compared with what migration
// holds; a page in the swap cache can be found through the swap cache, so
// its refcount is frozen under the swap cache's lock while its entry moves.
TEST_CASE("Migration compares the refcount of an anonymous page and freezes that of a swap cache page",
          "[migrate]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto plain = Sim::run(kWritten + "migrate P buf[0]\n", era); // line 4
        CHECK(plain.last_outcome() == "ok");
        CHECK(plain.step_says(4, "compared, not frozen"));
        CHECK_FALSE(plain.step_says(4, "freeze the refcount"));
        // Swapped out and read back: the page is in the swap cache.
        auto cached =
            Sim::run(kWritten + "swapout P buf[0]\nread P buf[0]\nmigrate P buf[0]\n", era); // line 6
        REQUIRE(cached.last_outcome() == "ok");
        CHECK(cached.step_says(6, "freeze the refcount at 2"));
        CHECK(cached.page("P", "buf", 0).test(PG_swapcache));
        CHECK(cached.data("P", "buf", 0) == "data");
        auto held =
            Sim::run(kWritten + "swapout P buf[0]\nread P buf[0]\nget P buf[0] as G\nmigrate P buf[0]\n",
                     era); // line 7
        CHECK(held.last_outcome() == "page has unexpected references");
        CHECK(held.step_says(7, "its refcount cannot be frozen"));
    }
}

TEST_CASE("Migration of a PROT_NONE page restores a PROT_NONE PTE (mk_pte with the VMA's PAGE_NONE)",
          "[migrate]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nprotect P buf none\nmigrate P buf[0]\n"
                          "read P buf[0]\n",
                          era);
        CHECK(s.outcome_at_line(5) == "ok");
        CHECK(s.pte("P", "buf", 0).has(Pte::protnone));
        CHECK(s.kind("P", "buf", 0) == "present-ro");
        CHECK(s.last_outcome() == "segmentation fault");
    }
    // A PMD-mapped THP likewise, and a PROT_NONE PMD stays PROT_NONE.
    auto t = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\nprotect P buf none\nmigrate P buf[0]\n");
    CHECK(t.pmd("P", "buf", 0).is_trans_huge());
    CHECK(t.pmd("P", "buf", 0).has(Pte::protnone));
}

// v6.1 ("mm: remember young/dirty bit for page migrations") keeps the two
// bits in the migration entry and gives them back; before, remove_migration_pte
// built an old, clean entry, and only PG_dirty remembered the write.
TEST_CASE("Era c: the migration entry keeps the young and dirty bits and gives them back, a and b drop them",
          "[migrate]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const bool keeps = era == Era::c;
        REQUIRE(Sim::run(kWritten, era).pte("P", "buf", 0).has(Pte::dirty));
        auto s = Sim::run(kWritten + "migrate P buf[0]\n", era);  // line 4
        REQUIRE(s.last_outcome() == "ok");
        bool entry_seen = false;
        for (Pte p : s.ptes_written_at_line(4))
            if (p.is_migration_entry()) {
                entry_seen = true;
                CHECK(p.has(Pte::young) == keeps);
                CHECK(p.has(Pte::dirty) == keeps);
                CHECK(p.has(Pte::soft_dirty));
            }
        CHECK(entry_seen);
        Pte now = s.pte("P", "buf", 0);
        CHECK(now.has(Pte::write));
        CHECK(now.has(Pte::soft_dirty));
        CHECK(now.has(Pte::young) == keeps);
        CHECK(now.has(Pte::dirty) == keeps);
        CHECK(s.page("P", "buf", 0).test(PG_dirty));  // the unmap moved the dirty bit to the page
    }
}

TEST_CASE("Era c: a PMD migration entry keeps the PMD's young and dirty bits too", "[migrate][thp]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"h\"\nmigrate P buf[0]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const bool keeps = era == Era::c;
        auto s = Sim::run(thp, era);  // line 4
        REQUIRE(s.last_outcome() == "ok");
        bool entry_seen = false;
        for (Pmd p : s.pmds_written_at_line(4))
            if (p.is_migration_entry()) {
                entry_seen = true;
                CHECK(p.has(Pte::young) == keeps);
                CHECK(p.has(Pte::dirty) == keeps);
            }
        CHECK(entry_seen);
        Pmd now = s.pmd("P", "buf", 0);
        REQUIRE(now.is_trans_huge());
        CHECK(now.has(Pte::young) == keeps);
        CHECK(now.has(Pte::dirty) == keeps);
        CHECK(s.k().page(now.head()).test(PG_dirty));
    }
}

TEST_CASE("A clean entry stays clean after migration in era c: the dirty bit comes back only if it was there",
          "[migrate]") {
    // Swapped out and read back: a clean, young, read-only PTE of a clean
    // swap cache page.
    auto s = Sim::run(kWritten + "swapout P buf[0]\nread P buf[0]\nmigrate P buf[0]\n");  // line 6
    REQUIRE(s.last_outcome() == "ok");
    Pte now = s.pte("P", "buf", 0);
    CHECK(now.has(Pte::young));
    CHECK_FALSE(now.has(Pte::dirty));
}
