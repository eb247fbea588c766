// madvise and munmap (semantics.md 2.9 zap, 2.11 reclaim for MADV_PAGEOUT;
// MADV_COLLAPSE is in test_khugepaged.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 2 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("MADV_DONTNEED zaps the page: it is freed and the next read sees zeroes", "[madvise]") {
    Pfn page = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "madvise P buf dontneed\n");
    CHECK(s.kind("P", "buf", 0) == "none");
    CHECK(s.k().page(page).refcount == 0);
    CHECK_FALSE(s.k().page(page).test(PG_allocated));
    auto r = Sim::run(kWritten + "madvise P buf dontneed\nread P buf[0]\n");
    CHECK(r.last_value() == "");
    CHECK(r.pte("P", "buf", 0).pfn() == r.k().zero_pfn());
}

TEST_CASE("A zapped pinned page stays allocated and exclusive, the process gets a new page later",
          "[madvise]") {
    auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nmadvise P buf[0] dontneed\n"
                                 "write P buf[0] \"new\"\n");
    const Page& held = s.held_page("H");
    CHECK(held.test(PG_allocated));
    CHECK(held.refcount == kPin);  // only the pin is left
    CHECK(held.mapcount == 0);
    CHECK(held.test(PG_anon_exclusive));  // stale, never cleared by page_remove_rmap (1.4)
    CHECK(s.pfn("P", "buf", 0) != s.holder("H").pfn);
    CHECK(s.held_data("H") == "data");
    CHECK(s.holder("H").detached == 1);
    CHECK(s.violations("coherence").empty());  // the process let go of that memory itself
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("MADV_DONTNEED on part of the range leaves the rest alone", "[madvise]") {
    auto s = Sim::run(kWritten + "write P buf[1] \"one\"\nmadvise P buf[1] dontneed\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.kind("P", "buf", 1) == "none");
    CHECK(s.data("P", "buf", 0) == "data");
}

TEST_CASE("MADV_PAGEOUT reclaims the range to swap, skipping what is not an anonymous page", "[madvise]") {
    auto s = Sim::run(kWritten + "read P buf[1]\nmadvise P buf pageout\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.pte("P", "buf", 0).is_swap_entry());
    CHECK(s.pte("P", "buf", 0).has(Pte::swp_exclusive));
    CHECK(s.slot("P", "buf", 0).count == 1);
    CHECK(s.pte("P", "buf", 1).pfn() == s.k().zero_pfn());  // the zero page is not reclaimed
    auto r = Sim::run(kWritten + "madvise P buf pageout\nread P buf[0]\n");
    CHECK(r.last_value() == "data");
}

TEST_CASE("MADV_PAGEOUT keeps a pinned page mapped", "[madvise]") {
    auto s = Sim::run(kWritten + "pin P buf[0] write as H\nmadvise P buf pageout\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
}

TEST_CASE("MADV_PAGEOUT leaves pages that other mappings share: after fork, KSM, a shared THP", "[madvise]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        auto f = Sim::run(kWritten + "fork P C\nmadvise P buf pageout\n", era);
        CHECK(f.kind("P", "buf", 0) == "present-ro");
        CHECK(f.kind("C", "buf", 0) == "present-ro");
        CHECK(f.pfn("P", "buf", 0) == f.pfn("C", "buf", 0));
        CHECK(f.k().page(f.pfn("P", "buf", 0)).mapcount == 2);
        CHECK_FALSE(f.k().page(f.pfn("P", "buf", 0)).test(PG_swapcache));
        auto m = Sim::run("process P\nprocess Q\nmap P buf 1 rw\nmap Q buf 1 rw\nwrite P buf[0] \"s\"\n"
                          "write Q buf[0] \"s\"\nksm-merge P buf[0] Q buf[0]\nmadvise P buf pageout\n",
                          era);
        CHECK(m.kind("P", "buf", 0) == "present-ro");
        CHECK(m.pfn("P", "buf", 0) == m.pfn("Q", "buf", 0));
        auto t = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\nfork P C\nmadvise P buf pageout\n",
                          era);
        REQUIRE(t.pmd("P", "buf", 0).is_trans_huge());
        CHECK(t.pmd("P", "buf", 0).head() == t.pmd("C", "buf", 0).head());
        CHECK(t.k().page(t.pmd("P", "buf", 0).head()).entire_mapcount == 2);
    }
}

TEST_CASE("MADV_PAGEOUT on part of a THP splits it and reclaims only the pages in the range", "[madvise][thp]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nwrite P buf[1] \"b\"\n";
    for (const std::string& setup : {thp, thp + "split-pmd P buf[0]\n"}) {
        INFO(setup);
        auto s = Sim::run(setup + "madvise P buf[0] pageout\n");
        CHECK(s.kind("P", "buf", 0) == "swap");
        CHECK(s.slot("P", "buf", 0).count == 1);
        CHECK(s.kind("P", "buf", 1) == "present-rw");
        CHECK(s.kind("P", "buf", 511) == "present-rw");
        Pfn second = s.pfn("P", "buf", 1);
        CHECK_FALSE(s.k().folio_test_large(second));  // split_huge_page made 512 order-0 pages
        CHECK(s.k().page(second).refcount == 1);
        CHECK(s.k().page(second).mapcount == 1);
        CHECK(s.data("P", "buf", 1) == "b");
        auto r = Sim::run(setup + "madvise P buf[0] pageout\nread P buf[0]\n");
        CHECK(r.last_value() == "a");
    }
    // The whole THP, mapped only here, goes to swap page by page.
    auto w = Sim::run(thp + "madvise P buf pageout\n");
    CHECK(w.kind("P", "buf", 0) == "swap");
    CHECK(w.kind("P", "buf", 511) == "swap");
}

TEST_CASE("munmap removes the range: the address faults with SIGSEGV afterwards", "[madvise]") {
    Pfn page = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "unmap P buf\nread P buf[0]\n");
    CHECK(s.last_outcome() == "segmentation fault");
    CHECK(s.k().page(page).refcount == 0);
}

TEST_CASE("exit tears down every mapping, and swap entries give their slot back", "[madvise]") {
    auto s = Sim::run(kWritten + "write P buf[1] \"x\"\nswapout P buf[1]\nexit P\n");
    SwapSlot slot = Sim::run(kWritten + "write P buf[1] \"x\"\nswapout P buf[1]\n").pte("P", "buf", 1).swap_slot();
    CHECK(s.k().swap_slot(slot).count == 0);
    CHECK(s.k().process(s.process("P")).alive == 0);
    CHECK(s.kind("P", "buf", 0) == "none");
}

TEST_CASE("madvise over a hole applies the advice to every mapped part, then fails with -ENOMEM", "[madvise]") {
    const std::string text = "process P\nmap P buf 4 rw\nwrite P buf[0] \"a\"\nwrite P buf[3] \"d\"\nunmap P buf[2]\n";
    auto dontneed = Sim::run(text + "madvise P buf dontneed\n");
    CHECK(dontneed.last_outcome() == "range not mapped (-ENOMEM)");
    CHECK(dontneed.kind("P", "buf", 0) == "none");
    CHECK(dontneed.kind("P", "buf", 3) == "none");  // after the hole too

    auto dontfork = Sim::run(text + "madvise P buf dontfork\nfork P C\nread C buf[0]\nread C buf[3]\n");
    CHECK(dontfork.outcome_at_line(6) == "range not mapped (-ENOMEM)");
    CHECK(dontfork.outcome_at_line(8) == "segmentation fault");
    CHECK(dontfork.outcome_at_line(9) == "segmentation fault");

    // An advice the kernel does not know is refused before the range is looked at.
    auto collapse = Sim::run(text + "madvise P buf collapse\n", Era::a);
    CHECK(collapse.last_outcome() == "invalid advice (-EINVAL)");
    CHECK(collapse.kind("P", "buf", 0) == "present-rw");

    // Only once every part took the advice does the hole give -ENOMEM.
    CHECK(dontneed.steps_at_line(6).back() ==
          "madvise – every mapped part took the advice: for the hole, madvise returns -ENOMEM");
}

TEST_CASE("madvise over a hole: a mapped part that fails ends the call with its own error", "[madvise]") {
    // MADV_COLLAPSE on the part before the hole fails (a 4-page VMA holds no
    // aligned 2 MiB): the walk stops there with -EINVAL, before the hole counts.
    auto s = Sim::run("process P\nmap P buf 4 rw\nwrite P buf[0] \"a\"\nunmap P buf[1]\nmadvise P buf collapse\n");
    CHECK(s.last_outcome() == "range cannot be collapsed (-EINVAL)");
    const std::vector<std::string> steps = s.steps_at_line(5);
    REQUIRE(steps.size() == 2);
    CHECK(steps[0] == "madvise – part of the range is not mapped: the advice goes to each mapped part in turn; a "
                      "part that fails ends the call with its error");
    CHECK(steps[1].find("hugepage_vma_check): -EINVAL") != std::string::npos);
}

TEST_CASE("munmap of part of a PMD-mapped THP splits the PMD in split_vma, then zaps the PTEs", "[madvise][thp]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\nunmap P buf[256..511]\n");
    CHECK(s.step_says(4, "do_munmap → split_vma → __split_huge_pmd"));
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.kind("P", "buf", 300) == "none");
    CHECK(s.k().folio_mapcount(s.pfn("P", "buf", 0)) == 256);
}
