// MADV_COLLAPSE (mm/khugepaged.c, v6.1; era c only): the scan, swap-in,
// isolation and copy that turn 512 small pages into one PMD-mapped THP, and
// when madvise_collapse() goes on to the next 2 MiB or stops.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

TEST_CASE("MADV_COLLAPSE builds a PMD-mapped, exclusive THP from the 512 small pages", "[khugepaged]") {
    const std::string text = "process P\nmap P buf 512 rw\nwrite P buf[0] \"a\"\nwrite P buf[5] \"b\"\n"
                             "read P buf[6]\n";
    Pfn old = Sim::run(text).pfn("P", "buf", 0);
    auto s = Sim::run(text + "madvise P buf collapse\n");
    CHECK(s.last_outcome() == "ok");
    Pmd pmd = s.pmd("P", "buf", 0);
    REQUIRE(pmd.is_trans_huge());
    CHECK(pmd.has(Pte::write));
    const Page& head = s.k().page(pmd.head());
    CHECK(head.order == 9);
    CHECK(head.entire_mapcount == 1);
    CHECK(head.refcount == 1);
    CHECK(head.test(PG_anon_exclusive));
    CHECK(s.data("P", "buf", 0) == "a");
    CHECK(s.data("P", "buf", 5) == "b");
    CHECK(s.data("P", "buf", 6) == "");
    CHECK(s.kind("P", "buf", 300) == "present-rw");
    CHECK(s.k().page(old).refcount == 0);
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("MADV_COLLAPSE fails when a page has references beyond its mappings", "[khugepaged]") {
    auto s = Sim::run("process P\nmap P buf 512 rw\nwrite P buf[0] \"a\"\nget P buf[0] as G\n"
                      "madvise P buf collapse\n");
    CHECK(s.last_outcome() == "range cannot be collapsed (-EAGAIN)");
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.pfn("P", "buf", 0) == s.holder("G").pfn);
}

TEST_CASE("MADV_COLLAPSE refuses a range no PTE maps writable, an empty one, and one that crosses a VMA boundary",
          "[khugepaged][thp]") {
    const std::string ptethp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nsplit-pmd P buf[0]\n";
    // cow.c "collapse after fork (fully shared)": every PTE read-only after fork (SCAN_PAGE_RO).
    auto f = Sim::run(ptethp + "fork P C\nmadvise P buf collapse\n");
    CHECK(f.last_outcome() == "range cannot be collapsed (-EINVAL)");
    CHECK(f.pmd("P", "buf", 0).is_table());
    CHECK(f.pfn("P", "buf", 0) == f.pfn("C", "buf", 0));
    // Write-protected by mprotect: the same.
    CHECK(Sim::run(ptethp + "protect P buf ro\nmadvise P buf collapse\n").last_outcome() ==
          "range cannot be collapsed (-EINVAL)");
    // Nothing mapped yet (SCAN_PMD_NULL): nothing is allocated.
    auto e = Sim::run("process P\nmap P buf 512 rw thp\nmadvise P buf collapse\n");
    CHECK(e.last_outcome() == "range cannot be collapsed (-EINVAL)");
    CHECK(e.pmd("P", "buf", 0).is_none());
    // Half of it DONTFORK: two VMAs, neither holds an aligned 2 MiB (hugepage_vma_check).
    auto v = Sim::run(ptethp + "madvise P buf[256..511] dontfork\nmadvise P buf collapse\n");
    CHECK(v.last_outcome() == "range cannot be collapsed (-EINVAL)");
    CHECK(v.pmd("P", "buf", 0).is_table());
}

TEST_CASE("MADV_COLLAPSE collapses only whole aligned 2 MiB blocks, and leaves a huge zero PMD alone",
          "[khugepaged][thp]") {
    const std::string ptethp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nsplit-pmd P buf[0]\n";
    auto part = Sim::run(ptethp + "madvise P buf[0..9] collapse\n");
    CHECK(part.last_outcome() == "ok");
    CHECK(part.pmd("P", "buf", 0).is_table());  // the range rounds to no whole block
    // Both ends inside the block, neither on a boundary: madvise_collapse's
    // rounded start passes its rounded end, the unsigned THP count wraps,
    // and the call fails with -EINVAL, changing nothing.
    for (const char* range : {"buf[3]", "buf[3..10]", "buf[1..510]"}) {
        CAPTURE(range);
        auto inside = Sim::run(ptethp + "madvise P " + range + " collapse\n");
        CHECK(inside.last_outcome() == "range cannot be collapsed (-EINVAL)");
        CHECK(inside.step_says(5, "-EINVAL"));
        CHECK(inside.pmd("P", "buf", 0).is_table());
    }
    // Reaching the next boundary rounds to an empty range, as starting on one does.
    auto to_end = Sim::run(ptethp + "madvise P buf[1..511] collapse\n");
    CHECK(to_end.last_outcome() == "ok");
    CHECK(to_end.pmd("P", "buf", 0).is_table());
    auto whole = Sim::run(ptethp + "madvise P buf collapse\n");
    CHECK(whole.last_outcome() == "ok");
    CHECK(whole.pmd("P", "buf", 0).is_trans_huge());
    auto zero = Sim::run("process P\nmap P buf 512 rw thp\nread P buf[0]\nmadvise P buf collapse\n");
    CHECK(zero.last_outcome() == "ok");
    CHECK(zero.pmd("P", "buf", 0).is_huge_zero());
}


TEST_CASE("MADV_COLLAPSE unlinks the page table first, isolates, copies, then maps the THP", "[khugepaged]") {
    const std::string text = "process P\nmap P buf 512 rw\nwrite P buf[0] \"a\"\nmadvise P buf collapse\n";
    auto s = Sim::run(text);
    REQUIRE(s.last_outcome() == "ok");
    std::vector<std::string> steps = s.steps_at_line(4);
    auto position = [&](std::string_view words) {
        for (size_t i = 0; i < steps.size(); ++i)
            if (steps[i].find(words) != std::string::npos)
                return static_cast<int>(i);
        return -1;
    };
    int alloc = position("collapse_huge_page – allocate the new THP");
    int unlink = position("collapse_huge_page – pmdp_collapse_flush");
    int isolate = position("__collapse_huge_page_isolate – isolate every page");
    int copy = position("__collapse_huge_page_copy – copy each page");
    int map = position("collapse_huge_page – page_add_new_anon_rmap");
    CHECK(alloc >= 0);
    CHECK(alloc < unlink);
    CHECK(unlink < isolate);
    CHECK(isolate < copy);
    CHECK(copy < map);
    CHECK(position("zap_pte_range") == -1);
    // The old PTE is cleared in the unlinked table, after the PMD went none.
    std::vector<Pte> ptes = s.ptes_written_at_line(4);
    REQUIRE_FALSE(ptes.empty());
    CHECK(ptes.back().is_none());
    // Its page went back to the LRU before it was freed; the THP is writable, dirty.
    Pmd pmd = s.pmd("P", "buf", 0);
    REQUIRE(pmd.is_trans_huge());
    CHECK(pmd.has(Pte::write));
    CHECK(pmd.has(Pte::dirty));
    CHECK(s.data("P", "buf", 0) == "a");
}

TEST_CASE("MADV_COLLAPSE stops at a 2 MiB whose PMD maps nothing when the PMD table exists (SCAN_PMD_NONE)",
          "[khugepaged]") {
    // buf[512..1023] has a page table, so the table of PMDs for this GiB
    // exists: block 0 is SCAN_PMD_NONE, which madvise_collapse does not go
    // past, and block 1 is never looked at.
    auto s = Sim::run("process P\nmap P buf 1024 rw\nwrite P buf[512] \"x\"\nmadvise P buf collapse\n");
    CHECK(s.last_outcome() == "range cannot be collapsed (-EINVAL)");
    CHECK(s.pmd("P", "buf", 0).is_none());
    CHECK(s.pmd("P", "buf", 512).is_table());
    CHECK(s.kind("P", "buf", 513) == "none");
    CHECK(s.step_says(4, "SCAN_PMD_NONE"));
    CHECK(s.step_says(4, "madvise returns -EINVAL"));
    // A block that may be skipped (SCAN_PAGE_RO) does not stop the next one.
    auto ro = Sim::run("process P\nmap P buf 1024 rw\nwrite P buf[0] \"a\"\nwrite P buf[512] \"b\"\n"
                       "fork P C\nwrite P buf[512] \"c\"\nmadvise P buf collapse\n");
    CHECK(ro.last_outcome() == "range cannot be collapsed (-EINVAL)");
    CHECK(ro.pmd("P", "buf", 0).is_table());
    CHECK(ro.pmd("P", "buf", 512).is_trans_huge());
    CHECK(ro.data("P", "buf", 512) == "c");
    CHECK(ro.data("C", "buf", 512) == "b");
}

TEST_CASE("MADV_COLLAPSE stops at the first VMA that fails: later VMAs are not collapsed", "[khugepaged]") {
    // madvise_walk_vmas returns the first VMA's error at once.
    const std::string text = "process P\nmap P buf 1024 rw\nwrite P buf[0] \"a\"\nwrite P buf[512] \"b\"\n"
                             "madvise P buf[512..1023] dontfork\npin P buf[0] write longterm as H\n"
                             "madvise P buf collapse\n";
    auto s = Sim::run(text);
    CHECK(s.last_outcome() == "range cannot be collapsed (-EAGAIN)");
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.pmd("P", "buf", 512).is_table());
    CHECK(s.step_says(7, "SCAN_PAGE_COUNT"));
    CHECK(s.step_says(7, "madvise returns -EAGAIN"));
    // Without the pin both VMAs are collapsed.
    auto free = Sim::run("process P\nmap P buf 1024 rw\nwrite P buf[0] \"a\"\nwrite P buf[512] \"b\"\n"
                         "madvise P buf[512..1023] dontfork\nmadvise P buf collapse\n");
    CHECK(free.last_outcome() == "ok");
    CHECK(free.pmd("P", "buf", 0).is_trans_huge());
    CHECK(free.pmd("P", "buf", 512).is_trans_huge());
}

TEST_CASE("MADV_COLLAPSE cannot collapse a KSM page mapped twice in the range: the second trylock fails",
          "[khugepaged][ksm]") {
    const std::string text = "process P\nmap P buf 512 rw\nwrite P buf[0] \"same\"\nwrite P buf[1] \"same\"\n"
                             "write P buf[2] \"w\"\nksm-merge P buf[0] P buf[1]\nmadvise P buf collapse\n";
    Pfn ksm = Sim::run(text).pfn("P", "buf", 0);
    auto s = Sim::run(text);
    CHECK(s.last_outcome() == "range cannot be collapsed (-EAGAIN)");
    CHECK(s.step_says(7, "SCAN_PAGE_LOCK"));
    CHECK(s.step_says(7, "the isolation failed: pmd_populate puts the page table back"));
    CHECK(s.step_says(7, "madvise returns -EAGAIN"));
    // Everything is as it was: the table is back, the KSM page unlocked, on
    // the LRU, with its two mappings' references only.
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.pfn("P", "buf", 0) == ksm);
    CHECK(s.pfn("P", "buf", 1) == ksm);
    const Page& page = s.k().page(ksm);
    CHECK(page.refcount == 2);
    CHECK(page.mapcount == 2);
    CHECK(page.in_flight == 0);
    CHECK_FALSE(page.test(PG_locked));
    CHECK(page.test(PG_lru));
    CHECK(s.data("P", "buf", 2) == "w");
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("MADV_COLLAPSE of a PTE-mapped THP copies it whole and frees the old folio once", "[khugepaged][thp]") {
    const std::string ptethp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nwrite P buf[7] \"h\"\n"
                               "split-pmd P buf[0]\n";
    Pfn old = Sim::run(ptethp).k().folio(Sim::run(ptethp).pfn("P", "buf", 0));
    auto s = Sim::run(ptethp + "madvise P buf collapse\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.step_says(6, "was copied whole"));
    CHECK(s.pmd("P", "buf", 0).is_trans_huge());
    CHECK(s.pmd("P", "buf", 0).head() != old);
    CHECK(s.k().page(old).refcount == 0);
    CHECK(s.data("P", "buf", 7) == "h");
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("MADV_COLLAPSE refuses a VMA without an anon_vma before it rounds the range", "[khugepaged]") {
    // Never touched, or only read outside any whole 2 MiB (the small zero
    // page; the huge zero page would have brought an anon_vma): -EINVAL even
    // for a range that holds no whole 2 MiB, which would otherwise succeed.
    for (const char* setup : {"", "read P v[1050]\n"}) {
        CAPTURE(setup);
        auto s = Sim::run(std::string("process P\nmap P v 1100 rw thp\n") + setup + "madvise P v[0..10] collapse\n");
        CHECK(s.last_outcome() == "range cannot be collapsed (-EINVAL)");
        CHECK(s.step_says(s.k().commands().back().line, "has no anon_vma yet"));
    }
    // A child's all-VM_WIPEONFORK VMA starts without one.
    auto child = Sim::run("process P\nmap P v 512 rw thp\nwrite P v[0] \"a\"\nmadvise P v wipeonfork\nfork P C\n"
                          "madvise C v[0..100] collapse\n");
    CHECK(child.last_outcome() == "range cannot be collapsed (-EINVAL)");
    auto written = Sim::run("process P\nmap P v 1024 rw thp\nwrite P v[600] \"a\"\nmadvise P v[0..10] collapse\n");
    CHECK(written.last_outcome() == "ok");
    auto huge_zero = Sim::run("process P\nmap P v 1024 rw thp\nread P v[0]\nmadvise P v[0..10] collapse\n");
    CHECK(huge_zero.last_outcome() == "ok");
}
