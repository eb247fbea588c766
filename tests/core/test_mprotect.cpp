// mprotect and clear_refs (semantics.md 2.10, 2.20 can_change_pte_writable;
// commit message I.8; scenario S10).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kernel.h"
#include "migrate.h"
#include "mprotect.h"
#include "scenario_fixture.h"
#include "trace.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("mprotect(PROT_READ) write-protects the PTE and leaves PG_anon_exclusive alone", "[mprotect]") {
    auto s = Sim::run(kWritten + "protect P buf ro\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.pte("P", "buf", 0).has(Pte::dirty));
    auto w = Sim::run(kWritten + "protect P buf ro\nwrite P buf[0] \"x\"\n");
    CHECK(w.last_outcome() == "segmentation fault");
}

TEST_CASE("Era c: mprotect back to read-write maps a dirty exclusive page writable at once (v6.0)",
          "[mprotect]") {
    Pfn page = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "protect P buf ro\nprotect P buf rw\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.pfn("P", "buf", 0) == page);
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("Eras a and b: mprotect back to read-write keeps the PTE read-only until a write fault",
          "[mprotect]") {
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        Pfn page = Sim::run(kWritten, era).pfn("P", "buf", 0);
        auto s = Sim::run(kWritten + "protect P buf ro\nprotect P buf rw\n", era);
        CHECK(s.kind("P", "buf", 0) == "present-ro");
        // Nothing else holds the page: the write fault reuses it.
        auto w = Sim::run(kWritten + "protect P buf ro\nprotect P buf rw\nwrite P buf[0] \"x\"\n", era);
        CHECK(w.kind("P", "buf", 0) == "present-rw");
        CHECK(w.pfn("P", "buf", 0) == page);
    }
}

TEST_CASE("Era c: mprotect to read-write does not make a shared page writable", "[mprotect]") {
    auto s = Sim::run(kWritten + "fork P C\nprotect P buf ro\nprotect P buf rw\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK_FALSE(s.exclusive("P", "buf", 0));
}

TEST_CASE("Era c (v6.2): a clean exclusive page (read back from swap) is writable again after mprotect",
          "[mprotect]") {
    const std::string text = kWritten + "swapout P buf[0]\nread P buf[0]\nprotect P buf ro\nprotect P buf rw\n";
    auto s = Sim::run(text);
    REQUIRE(s.exclusive("P", "buf", 0));
    CHECK_FALSE(s.pte("P", "buf", 0).has(Pte::dirty));  // no dirty test since v6.2
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.step_says(7, "can_change_pte_writable"));
    // Eras a and b never set the write bit from mprotect in a private mapping.
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        CHECK(Sim::run(text, era).kind("P", "buf", 0) == "present-ro");
    }
}

TEST_CASE("Era c (v6.2): mprotect maps an exclusive PMD-mapped THP writable at once, a shared one waits for a fault",
          "[mprotect][thp]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\n";
    auto s = Sim::run(thp + "protect P buf ro\nprotect P buf rw\n");
    CHECK(s.pmd("P", "buf", 0).is_trans_huge());
    CHECK(s.pmd("P", "buf", 0).has(Pte::write));
    CHECK(s.step_says(5, "can_change_pmd_writable"));
    auto shared = Sim::run(thp + "fork P C\nprotect P buf ro\nprotect P buf rw\n");
    CHECK_FALSE(shared.pmd("P", "buf", 0).has(Pte::write));
    CHECK(shared.kind("P", "buf", 0) == "present-ro");
    auto b = Sim::run(thp + "protect P buf ro\nprotect P buf rw\n", Era::b);
    CHECK_FALSE(b.pmd("P", "buf", 0).has(Pte::write));
}

TEST_CASE("Era c: with soft-dirty tracking armed, mprotect leaves the write fault to happen", "[mprotect]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\nprotect P buf ro\nprotect P buf rw\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    auto w = Sim::run(kWritten + "clear-softdirty P\nprotect P buf ro\nprotect P buf rw\nwrite P buf[0] \"x\"\n");
    CHECK(w.kind("P", "buf", 0) == "present-rw");
    CHECK(w.pte("P", "buf", 0).has(Pte::soft_dirty));
    CHECK(w.pfn("P", "buf", 0) == s.pfn("P", "buf", 0));
}

TEST_CASE("Era c keeps a R/W pin coherent across mprotect, era b breaks it (B-1, S4)", "[mprotect]") {
    const std::string text = kWritten + "pin P buf[0] write longterm as H\nprotect P buf ro\nprotect P buf rw\n"
                                        "write P buf[0] \"new\"\n";
    auto c = Sim::run(text, Era::c);
    CHECK(c.pfn("P", "buf", 0) == c.holder("H").pfn);
    CHECK(c.held_data("H") == "new");
    auto b = Sim::run(text, Era::b);
    CHECK(b.pfn("P", "buf", 0) != b.holder("H").pfn);
    CHECK(b.held_data("H") == "data");
}

TEST_CASE("clear-softdirty write-protects writable PTEs and clears soft-dirty, exclusivity stays", "[mprotect]") {
    auto before = Sim::run(kWritten);
    REQUIRE(before.pte("P", "buf", 0).has(Pte::soft_dirty));
    auto s = Sim::run(kWritten + "clear-softdirty P\n");
    Pte pte = s.pte("P", "buf", 0);
    CHECK(pte.is_present());
    CHECK_FALSE(pte.has(Pte::write));
    CHECK_FALSE(pte.has(Pte::soft_dirty));
    CHECK(pte.pfn() == before.pfn("P", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1);
}

TEST_CASE("clear-softdirty leaves the writable PTE of a pinned page alone in eras b and c (pte_is_pinned)",
          "[mprotect]") {
    const std::string text = kWritten + "pin P buf[0] write longterm as H\nclear-softdirty P\n";
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.kind("P", "buf", 0) == "present-rw");
        CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
    }
    CHECK(Sim::run(text, Era::a).kind("P", "buf", 0) == "present-ro");  // v5.7 has no such check
}

// fs/proc/task_mmu.c clear_soft_dirty_pmd() write-protects a present PMD and clears its soft-dirty bit
// unconditionally; only the PTE variant (clear_soft_dirty) asks pte_is_pinned().
TEST_CASE("clear-softdirty write-protects a PMD-mapped THP even when it is pinned", "[mprotect]") {
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\npin P buf[0] write as H\n"
                          "clear-softdirty P\n", era);
        REQUIRE(s.pmd("P", "buf", 0).is_trans_huge());
        CHECK_FALSE(s.pmd("P", "buf", 0).has(Pte::write));
        CHECK_FALSE(s.pmd("P", "buf", 0).has(Pte::soft_dirty));
    }
}

TEST_CASE("A FOLL_GET reference survives clear-softdirty and a write in era c, not in era b (S10)",
          "[mprotect]") {
    const std::string text = kWritten + "get P buf[0] as G\nclear-softdirty P\nwrite P buf[0] \"new\"\n";
    auto c = Sim::run(text, Era::c);
    CHECK(c.pfn("P", "buf", 0) == c.holder("G").pfn);
    CHECK(c.held_data("G") == "new");
    auto b = Sim::run(text, Era::b);
    CHECK(b.pfn("P", "buf", 0) != b.holder("G").pfn);
    CHECK(b.held_data("G") == "data");
}

TEST_CASE("mprotect(PROT_READ) of a writable device-private entry makes it readable, still exclusive",
          "[mprotect]") {
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nprotect P buf ro\n");
    CHECK(s.kind("P", "buf", 0) == "device-private-ro");
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("mprotect(PROT_READ) turns a writable migration entry into a readable-exclusive one (I.8)",
          "[mprotect]") {
    // Not reachable from a scenario (migration completes inside one command),
    // so the migration is driven step by step through the engine's functions.
    for (Era era : {Era::c, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten, era);
        Kernel& k = s.k();
        const VmaId vma = s.vma("P", "buf");
        const Pfn page = s.pfn("P", "buf", 0);
        k.begin_command(100, 100);
        k.step("test: isolate the page as migrate_pages() would");
        k.folio_ref_add(page, 1);
        k.folio_in_flight_add(page, 1);
        REQUIRE(try_to_migrate(k, page));
        REQUIRE(k.pte(vma, 0).kind() == PteKind::migration_write);
        CHECK(mprotect_range(k, vma, 0, 0, Protection::ro).ok());
        // Era c remembers exclusivity in the entry; eras a/b have only R and W.
        CHECK(k.pte(vma, 0).kind() == (era == Era::c ? PteKind::migration_read_exclusive : PteKind::migration_read));
        CHECK(k.pte(vma, 0).pfn() == page);
        remove_migration_ptes(k, page, page);
        k.folio_put_in_flight(page);
        k.end_command(nullptr);
        CHECK(k.pte(vma, 0).is_present());
        CHECK_FALSE(k.pte(vma, 0).has(Pte::write));
        if (era == Era::c)
            CHECK(k.PageAnonExclusive(page));  // RX → RMAP_EXCLUSIVE
        CHECK(k.page(page).refcount == 1);
        CHECK(k.page(page).mapcount == 1);
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("A partial mprotect splits a PMD-mapped THP with the old flags: the pages outside stay writable",
          "[mprotect][thp]") {
    // split_vma (vma_adjust_trans_huge) splits the PMD before the new flags
    // are set; change_protection then write-protects the range alone. Were
    // the split made with the new flags, era b would copy buf[300] away
    // from its pin on the next write.
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[3] \"three\"\nwrite P buf[300] \"tri\"\n"
                             "pin P buf[300] write longterm as H\nprotect P buf[0..255] ro\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text + "write P buf[300] \"new\"\n", era);
        CHECK(s.step_says(6, "split_vma → __split_huge_pmd"));
        CHECK(s.kind("P", "buf", 3) == "present-ro");
        CHECK(s.kind("P", "buf", 255) == "present-ro");
        CHECK(s.kind("P", "buf", 256) == "present-rw");
        CHECK(s.kind("P", "buf", 300) == "present-rw");
        CHECK(s.holder("H").pfn == s.pfn("P", "buf", 300));
        CHECK(s.held_data("H") == "new");
    }
}

TEST_CASE("Pages once made writable keep VM_ACCOUNT when made read-only again, so the VMA stays split",
          "[mprotect][thp]") {
    // mmap(PROT_READ) charges nothing; mprotect(PROT_WRITE) charges pages 0..9
    // (VM_ACCOUNT) and mprotect(PROT_READ) does not give the charge back, so
    // vma_merge() finds different flags and no 2 MiB range lies in one VMA.
    const std::string ro_thp = "process P\nmap P t 512 ro thp\n";
    const std::string round_trip = "protect P t[0..9] rw\nprotect P t[0..9] ro\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto merged = Sim::run(ro_thp + "read P t[200]\n", era);
        CHECK(merged.pmd("P", "t", 200).is_huge_zero());
        CHECK(merged.kind("P", "t", 300) == "present-ro");

        auto split = Sim::run(ro_thp + round_trip + "read P t[200]\n", era);
        CHECK(split.pmd("P", "t", 200).kind() == PmdKind::table);
        CHECK(split.kind("P", "t", 200) == "present-ro");
        CHECK(split.pfn("P", "t", 200) == split.k().zero_pfn());
        CHECK(split.kind("P", "t", 300) == "none");
        // The narration says why a VMA that asked for huge pages got none:
        // the read on line 5 falls in the part that starts at page 10.
        CHECK(split.step_says(5, "No huge zero page: the VMA asked for huge pages, but mprotect, madvise or "
                                 "munmap split it at page 10"));
        CHECK_FALSE(merged.step_says(3, "split it"));
        CHECK(split.step_says(3, "private pages made writable are charged to the memory commit (VM_ACCOUNT)"));
        CHECK(split.step_says(4, "the pages keep VM_ACCOUNT (a charge is not given back), so they stay a VMA apart"));
        auto written = Sim::run("process P\nmap P t 512 rw thp\nprotect P t[0..9] ro\nwrite P t[100] \"x\"\n", era);
        CHECK(written.kind("P", "t", 100) == "present-rw");
        CHECK(written.step_says(4, "A 4 KiB page: the VMA asked for huge pages, but mprotect, madvise or munmap "
                                   "split it at page 10"));
        // The small zero page needs no anon_vma, and fork copies nothing
        // from a VMA without one.
        auto forked = Sim::run(ro_thp + round_trip + "read P t[200]\nfork P C\n", era);
        CHECK(forked.kind("C", "t", 200) == "none");

        // Made writable as a whole, every page has VM_ACCOUNT: one VMA again.
        auto remerged = Sim::run(ro_thp + round_trip + "protect P t rw\nwrite P t[200] \"x\"\n", era);
        CHECK(remerged.pmd("P", "t", 200).is_trans_huge());
    }
}

TEST_CASE("mprotect over a hole changes what lies before it, then fails with -ENOMEM", "[mprotect]") {
    const std::string text = "process P\nmap P buf 4 rw\nwrite P buf[0] \"a\"\nwrite P buf[3] \"d\"\nunmap P buf[2]\n";
    auto s = Sim::run(text + "protect P buf ro\n");
    CHECK(s.last_outcome() == "range not mapped (-ENOMEM)");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK((s.k().vma_page(s.vma("P", "buf"), 1) & VMA_write) == 0);
    CHECK(s.kind("P", "buf", 3) == "present-rw");  // after the hole: not looked at
    CHECK((s.k().vma_page(s.vma("P", "buf"), 3) & VMA_write) != 0);

    // A hole at the very start: nothing changes.
    auto first = Sim::run(text + "protect P buf[2..3] ro\n");
    CHECK(first.last_outcome() == "range not mapped (-ENOMEM)");
    CHECK(first.kind("P", "buf", 3) == "present-rw");
}

TEST_CASE("A page fork copies for the child in a PROT_NONE range gets a PROT_NONE PTE, leaving PROT_NONE maps it "
          "read-only",
          "[mprotect][fork]") {
    // copy_present_page builds the child's PTE from the VMA's vm_page_prot.
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write as H\n"
                             "protect P buf none\nfork P C\nprotect C buf ro\n";  // lines 6, 7
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        std::vector<Pte> at_fork = s.ptes_written_at_line(6);
        REQUIRE_FALSE(at_fork.empty());
        CHECK(at_fork.back().has(Pte::protnone));
        CHECK(s.step_says(7, "the PTE is no longer PROT_NONE: it maps the page read-only"));
        CHECK_FALSE(s.step_says(7, "write-protect the PTE"));
        CHECK(s.kind("C", "buf", 0) == "present-ro");
        CHECK_FALSE(s.pte("C", "buf", 0).has(Pte::protnone));
        CHECK(s.pfn("C", "buf", 0) != s.pfn("P", "buf", 0));
        CHECK(s.data("C", "buf", 0) == "a");
    }
}

TEST_CASE("mprotect(PROT_NONE) makes a huge zero PMD PROT_NONE too, so GUP-fast gives up on it", "[mprotect][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nread P buf[0]\nprotect P buf none\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text + "get P buf[3] fast as G\n", era);
        CHECK(s.pmd("P", "buf", 0).is_huge_zero());
        CHECK(s.pmd("P", "buf", 0).has(Pte::protnone));
        CHECK(s.last_outcome() == "bad address (-EFAULT)");
        CHECK(s.step_says(4, "change_huge_pmd – the PMD mapping the huge zero page becomes PROT_NONE"));
        auto back = Sim::run(text + "protect P buf ro\nread P buf[7]\n", era);
        CHECK_FALSE(back.pmd("P", "buf", 0).has(Pte::protnone));
        CHECK(back.pmd("P", "buf", 0).is_huge_zero());
        CHECK(back.last_value() == "");
    }
}

TEST_CASE("A PROT_NONE entry reads as present but without access in the trace, not as read-only", "[mprotect][trace]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nprotect P buf none\n"
                      "process Q\nmap Q v 1 rw\nwrite Q v[0] \"b\"\nprotect Q v none\n");
    CHECK(pmd_text(s.k(), s.pmd("P", "buf", 0)).starts_with("thp, no access (PROT_NONE) → THP page #"));
    CHECK(pte_text(s.k(), s.pte("Q", "v", 0)).starts_with("present, no access (PROT_NONE) → page #"));
    CHECK(s.kind("Q", "v", 0) == "present-ro");  // what `expect ... pte` sees is unchanged
}
