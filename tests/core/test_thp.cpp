// Transparent huge pages (semantics.md 2.2 THP variant, 2.19, 1.5 huge zero
// page; commit message I.6; scenario S2).
#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kThp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"zero\"\n";
}

TEST_CASE("A write fault in an empty THP range maps one exclusive THP with a PMD", "[thp]") {
    auto s = Sim::run(kThp);
    Pmd pmd = s.pmd("P", "buf", 0);
    REQUIRE(pmd.is_trans_huge());
    CHECK(pmd.has(Pte::write));
    CHECK(pmd.has(Pte::dirty));
    const Page& head = s.k().page(pmd.head());
    CHECK(head.order == 9);
    CHECK(head.entire_mapcount == 1);
    CHECK(head.refcount == 1);
    CHECK(head.pincount == 0);
    CHECK(head.test(PG_anon_exclusive));  // the head's bit stands for the PMD mapping
    CHECK(s.k().page(Pfn(pmd.head().value + 100)).mapcount == 0);  // no PTE maps a subpage
    CHECK(s.k().page_mapcount(Pfn(pmd.head().value + 100)) == 1);
    CHECK(s.kind("P", "buf", 511) == "present-rw");
    CHECK(s.data("P", "buf", 0) == "zero");
    CHECK(s.data("P", "buf", 1) == "");
    // The VMA's first fault attaches its anon_vma in a step of its own.
    CHECK(s.step_says(3, "do_huge_pmd_anonymous_page – anon_vma_prepare"));
    CHECK_FALSE(s.step_says(3, "state change"));
}

TEST_CASE("fork shares a THP: both PMDs read-only, entire mapcount 2, not exclusive", "[thp]") {
    auto s = Sim::run(kThp + "fork P C\n");
    Pmd p = s.pmd("P", "buf", 0), c = s.pmd("C", "buf", 0);
    REQUIRE(p.is_trans_huge());
    REQUIRE(c.is_trans_huge());
    CHECK(p.head() == c.head());
    CHECK_FALSE(p.has(Pte::write));
    CHECK_FALSE(c.has(Pte::write));
    const Page& head = s.k().page(p.head());
    CHECK(head.entire_mapcount == 2);
    CHECK(head.refcount == 2);
    CHECK_FALSE(head.test(PG_anon_exclusive));
}

TEST_CASE("Era c: a write after fork splits the PMD and copies only the 4 KiB subpage (2.19 fallback)",
          "[thp]") {
    auto s = Sim::run(kThp + "fork P C\nwrite P buf[0] \"new\"\n");
    Pfn head = s.pmd("C", "buf", 0).head();
    CHECK(s.pmd("C", "buf", 0).is_trans_huge());  // the child keeps its PMD
    CHECK(s.pmd("P", "buf", 0).is_table());
    // Subpage 0 was copied into a fresh exclusive order-0 page.
    Pfn copy = s.pfn("P", "buf", 0);
    CHECK(copy.value != head.value);
    CHECK_FALSE(s.k().folio_test_large(copy));
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.data("P", "buf", 0) == "new");
    // The other 511 PTEs map the THP's subpages read-only, not exclusive.
    CHECK(s.pfn("P", "buf", 1) == Pfn(head.value + 1));
    CHECK(s.kind("P", "buf", 1) == "present-ro");
    CHECK_FALSE(s.exclusive("P", "buf", 1));
    const Page& h = s.k().page(head);
    CHECK(h.entire_mapcount == 1);
    CHECK(h.refcount == 1 + 511);  // the child's PMD + one per PTE (2.19 split: ref += 511)
    CHECK(s.k().page(head).mapcount == 0);
    CHECK(s.k().page(Pfn(head.value + 1)).mapcount == 1);
    CHECK(s.data("C", "buf", 0) == "zero");
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("Splitting the PMD of an exclusive THP forwards PG_anon_exclusive to all 512 subpages (I.6b)",
          "[thp]") {
    auto s = Sim::run(kThp + "split-pmd P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    REQUIRE(s.pmd("P", "buf", 0).is_table());
    Pfn head = s.pfn("P", "buf", 0);
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        if (s.pfn("P", "buf", i) != Pfn(head.value + i) || !s.exclusive("P", "buf", i) ||
            s.kind("P", "buf", i) != "present-rw" || s.page("P", "buf", i).mapcount != 1)
            FAIL("subpage " << i << " is not a writable, exclusive PTE mapping of the THP's subpage");
    }
    CHECK(s.k().folio_test_large(head));  // the PMD is split, not the folio
    CHECK(s.k().page(head).entire_mapcount == 0);
    CHECK(s.k().page(head).refcount == 512);
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("Splitting the PMD of a shared THP leaves every subpage not exclusive", "[thp]") {
    auto s = Sim::run(kThp + "fork P C\nsplit-pmd P buf[0]\n");
    CHECK_FALSE(s.exclusive("P", "buf", 0));
    CHECK_FALSE(s.exclusive("P", "buf", 300));
    CHECK(s.kind("P", "buf", 300) == "present-ro");
    CHECK(s.head("C", "buf", 0).entire_mapcount == 1);
}

TEST_CASE("fork of a pinned THP: the parent's PMD is split and the child gets 4 KiB copies", "[thp]") {
    auto s = Sim::run(kThp + "pin P buf[0] write longterm as H\nfork P C\n");
    Pfn head = s.holder("H").pfn;
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.exclusive("P", "buf", 1));
    CHECK(s.pfn("P", "buf", 0) == head);
    CHECK(s.k().page(head).pincount == 1);
    for (uint32_t i : {0u, 1u, 511u}) {
        CAPTURE(i);
        CHECK(s.kind("C", "buf", i) == "present-rw");
        CHECK(s.exclusive("C", "buf", i));
        CHECK(s.pfn("C", "buf", i) != s.pfn("P", "buf", i));
        CHECK_FALSE(s.k().folio_test_large(s.pfn("C", "buf", i)));
    }
    CHECK(s.data("C", "buf", 0) == "zero");
    auto w = Sim::run(kThp + "pin P buf[0] write longterm as H\nfork P C\nwrite P buf[0] \"new\"\n");
    CHECK(w.held_data("H") == "new");
    CHECK(w.data("C", "buf", 0) == "zero");
}

TEST_CASE("A read of an untouched THP range maps the huge zero page with one PMD", "[thp]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nread P buf[5]\n");
    CHECK(s.last_value() == "");
    Pmd pmd = s.pmd("P", "buf", 5);
    CHECK(pmd.is_huge_zero());
    CHECK(pmd.head() == s.k().huge_zero_pfn());
    CHECK(s.kind("P", "buf", 5) == "present-ro");
}

TEST_CASE("A write to the huge zero page splits it and maps one new 4 KiB page", "[thp]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nread P buf[5]\nwrite P buf[5] \"x\"\n");
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.kind("P", "buf", 5) == "present-rw");
    CHECK(s.exclusive("P", "buf", 5));
    CHECK_FALSE(s.k().folio_test_large(s.pfn("P", "buf", 5)));
    CHECK(s.page("P", "buf", 5).refcount == 1);
    CHECK(s.pte("P", "buf", 4).pfn() == s.k().zero_pfn());
    CHECK(s.kind("P", "buf", 4) == "present-ro");
}

TEST_CASE("A THP whose only other mapping went away is reused on a write (page_move_anon_rmap)", "[thp]") {
    Pfn head = Sim::run(kThp).pmd("P", "buf", 0).head();
    auto s = Sim::run(kThp + "fork P C\nexit C\nwrite P buf[0] \"new\"\n");
    Pmd pmd = s.pmd("P", "buf", 0);
    REQUIRE(pmd.is_trans_huge());
    CHECK(pmd.head() == head);
    CHECK(pmd.has(Pte::write));
    CHECK(s.k().page(head).test(PG_anon_exclusive));
}

TEST_CASE("A vmsplice'd THP: era b lets the parent write into the page the pipe holds, era c does not (S2)",
          "[thp]") {
    const std::string text = kThp + "fork P C\nvmsplice C buf[0] as pipe\nunmap C buf\nwrite P buf[0] \"secret\"\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.held_data("pipe") == "secret");  // reuse_swap_page counts one mapping: leak
    auto c = Sim::run(text, Era::c);
    CHECK(c.held_data("pipe") == "zero");
    CHECK(c.data("P", "buf", 0) == "secret");
}

TEST_CASE("Era a copies the whole THP on a write after fork", "[thp]") {
    auto s = Sim::run(kThp + "fork P C\nwrite P buf[0] \"new\"\n", Era::a);
    Pmd p = s.pmd("P", "buf", 0), c = s.pmd("C", "buf", 0);
    REQUIRE(p.is_trans_huge());
    CHECK(p.has(Pte::write));
    CHECK(p.head() != c.head());
    CHECK(s.k().page(c.head()).entire_mapcount == 1);
    CHECK(s.data("P", "buf", 0) == "new");
    CHECK(s.data("C", "buf", 0) == "zero");
}

// eras a and b decide a PMD-mapped THP write fault with reuse_swap_page(), which counts every mapping of the
// folio: v5.7/v5.17 page_trans_huge_map_swapcount() takes the largest subpage mapcount plus the PMD (compound)
// mapcount (semantics.md 1.4: page_mapcount(sub) = pte_map(sub) + entire_map; 3.1 "THP write fault ...
// mapcount-based"). Here the child has split its PMD, so every subpage is still mapped twice (child PTE +
// parent PMD) and the THP must not be reused: the parent falls back (era b: split and copy 4 KiB; era a: copy
// the THP).
TEST_CASE("Eras a and b: a THP whose subpages the child maps with PTEs is not reused by the parent's write",
          "[thp]") {
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kThp + "fork P C\nsplit-pmd C buf[0]\nwrite P buf[0] \"new\"\n", era);
        CHECK(s.pfn("P", "buf", 0) != s.pfn("C", "buf", 0));
        CHECK(s.data("C", "buf", 0) == "zero");
        CHECK(s.data("P", "buf", 0) == "new");
    }
}

// era a's do_wp_page() on a subpage of a PTE-mapped THP asks reuse_swap_page(), whose count for a compound page
// is the largest subpage mapcount plus the compound mapcount (v5.7 page_trans_huge_map_swapcount). After fork
// the subpage is mapped by parent and child (2): copy.
TEST_CASE("Era a: a write to a subpage of a PTE-mapped THP shared with a child copies it", "[thp]") {
    auto s = Sim::run(kThp + "split-pmd P buf[0]\nfork P C\nwrite P buf[0] \"new\"\n", Era::a);
    CHECK(s.pfn("P", "buf", 0) != s.pfn("C", "buf", 0));
    CHECK(s.data("C", "buf", 0) == "zero");
}

TEST_CASE("Era b: a write to a subpage of a PTE-mapped THP shared with a child copies it (page_count)", "[thp]") {
    auto s = Sim::run(kThp + "split-pmd P buf[0]\nfork P C\nwrite P buf[0] \"new\"\n", Era::b);
    CHECK(s.pfn("P", "buf", 0) != s.pfn("C", "buf", 0));
    CHECK(s.data("C", "buf", 0) == "zero");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
}

TEST_CASE("madvise on part of a THP splits the VMA, and with it the PMD, at once, the THP stays whole",
          "[thp][madvise]") {
    for (const char* advice : {"dontfork", "wipeonfork"}) {
        INFO(advice);
        auto s = Sim::run(kThp + "madvise P buf[0..9] " + advice + "\n");
        REQUIRE(s.pmd("P", "buf", 0).is_table());
        Pfn head = s.pfn("P", "buf", 0);
        CHECK(s.k().folio_test_large(head));  // split_huge_pmd, not split_huge_page
        CHECK(s.pfn("P", "buf", 511).value == head.value + 511);
        CHECK(s.k().page(head).mapcount == 1);
        CHECK(s.k().page(head).entire_mapcount == 0);
        CHECK(s.kind("P", "buf", 10) == "present-rw");
    }
    // A range that covers the whole PMD moves no VMA boundary into it.
    CHECK(Sim::run(kThp + "madvise P buf dontfork\n").pmd("P", "buf", 0).is_trans_huge());
    // Nor does advice that changes nothing: MADV_DOFORK where VM_DONTCOPY is not set.
    CHECK(Sim::run(kThp + "madvise P buf[0..9] dofork\n").pmd("P", "buf", 0).is_trans_huge());
}

TEST_CASE("fork skips a VM_WIPEONFORK or VM_DONTCOPY THP: the parent keeps its PMD and its exclusive THP",
          "[thp][fork]") {
    for (const char* advice : {"dontfork", "wipeonfork"}) {
        INFO(advice);
        auto s = Sim::run(kThp + "madvise P buf " + advice + "\nfork P C\n");
        Pmd p = s.pmd("P", "buf", 0);
        REQUIRE(p.is_trans_huge());
        CHECK(p.has(Pte::write));
        const Page& head = s.k().page(p.head());
        CHECK(head.entire_mapcount == 1);
        CHECK(head.refcount == 1);
        CHECK(head.test(PG_anon_exclusive));
    }
    auto w = Sim::run(kThp + "madvise P buf wipeonfork\nfork P C\nread C buf[0]\n");
    CHECK(w.last_value() == "");
    CHECK(w.pmd("P", "buf", 0).is_trans_huge());
}

TEST_CASE("An aligned DONTFORK half of a THP VMA is left alone by fork, the other half's PMD is shared",
          "[thp][fork]") {
    auto s = Sim::run("process P\nmap P buf 1024 rw thp\nwrite P buf[0] \"a\"\nwrite P buf[512] \"b\"\n"
                      "madvise P buf[0..511] dontfork\nfork P C\n");
    REQUIRE(s.pmd("P", "buf", 0).is_trans_huge());
    CHECK(s.pmd("P", "buf", 0).has(Pte::write));
    CHECK(s.pmd("C", "buf", 0).is_none());
    REQUIRE(s.pmd("C", "buf", 512).is_trans_huge());
    CHECK(s.pmd("C", "buf", 512).head() == s.pmd("P", "buf", 512).head());
    CHECK_FALSE(s.pmd("P", "buf", 512).has(Pte::write));
    CHECK(s.k().page(s.pmd("P", "buf", 512).head()).entire_mapcount == 2);
}

TEST_CASE("Splitting a dirty PMD dirties the THP in every era, and the new PTEs too in era c (v6.1)",
          "[thp]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const bool ptes_dirty = era == Era::c;
        auto s = Sim::run(kThp + "split-pmd P buf[0]\n", era);  // line 4
        REQUIRE(s.pmd("P", "buf", 0).is_table());
        for (uint32_t i : {0u, 7u, 511u}) {
            CAPTURE(i);
            Pte pte = s.pte("P", "buf", i);
            CHECK(pte.has(Pte::write));
            CHECK(pte.has(Pte::young));
            CHECK(pte.has(Pte::soft_dirty));
            CHECK(pte.has(Pte::dirty) == ptes_dirty);
        }
        CHECK(s.k().page(s.k().folio(s.pfn("P", "buf", 7))).test(PG_dirty));
        CHECK(s.step_says(4, ptes_dirty ? "the THP is marked dirty too (PG_dirty)"
                                         : "its dirty bit goes to the THP (PG_dirty), not to the new PTEs"));
        // A store through a clean PTE has the MMU set its dirty bit, in a
        // step that says so; a PTE already dirty needs nothing.
        auto w = Sim::run(kThp + "split-pmd P buf[0]\nwrite P buf[7] \"seven\"\n", era);  // line 5
        CHECK(w.pte("P", "buf", 7).has(Pte::dirty));
        CHECK(w.pte("P", "buf", 8).has(Pte::dirty) == ptes_dirty);
        CHECK(w.step_says(5, "MMU sets the PTE's dirty and accessed bits") == !ptes_dirty);
        CHECK(w.data("P", "buf", 7) == "seven");
    }
}

TEST_CASE("Era c's mprotect(RW) makes the PTEs of an exclusive THP split writable at once, era b waits",
          "[thp][mprotect]") {
    // (A clean exclusive PTE gets the same shortcut in era c: test_mprotect.cpp.)
    auto c = Sim::run(kThp + "split-pmd P buf[0]\nprotect P buf ro\nprotect P buf rw\n");
    CHECK(c.kind("P", "buf", 7) == "present-rw");
    CHECK(c.pte("P", "buf", 7).has(Pte::dirty));
    auto b = Sim::run(kThp + "split-pmd P buf[0]\nprotect P buf ro\nprotect P buf rw\n", Era::b);
    CHECK(b.kind("P", "buf", 7) == "present-ro");
    CHECK_FALSE(b.pte("P", "buf", 7).has(Pte::dirty));
}

TEST_CASE("mprotect(PROT_NONE) of a whole THP makes its PMD PROT_NONE, a split then gives PROT_NONE PTEs",
          "[thp][mprotect]") {
    auto s = Sim::run(kThp + "protect P buf none\n");
    CHECK(s.pmd("P", "buf", 0).has(Pte::protnone));
    CHECK_FALSE(s.pmd("P", "buf", 0).has(Pte::write));
    auto split = Sim::run(kThp + "protect P buf none\nsplit-pmd P buf[0]\nprotect P buf rw\nwrite P buf[7] \"w\"\n");
    CHECK(split.ptes_written_at_line(5).front().has(Pte::protnone));  // what the split built
    CHECK_FALSE(split.pte("P", "buf", 0).has(Pte::protnone));         // rw again
    CHECK(split.data("P", "buf", 7) == "w");
}

TEST_CASE("The trace prints a PMD's bits as it prints a PTE's: D Y SD", "[thp][trace]") {
    auto s = Sim::run(kThp);
    const Kernel& k = s.k();
    const CommandRecord& write = k.commands().back();
    bool bits = false;
    for (uint32_t i = write.step_begin; i < write.step_end; ++i)
        for (const std::string& c : k.step_changes(i))
            bits = bits || (c.find("none → thp-rw → THP page #") != std::string::npos &&
                            c.find(" D Y SD") != std::string::npos);
    CHECK(bits);
}

TEST_CASE("zap_huge_pmd hands the THP's reference to the mmu_gather: it is dropped after the TLB flush",
          "[thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nunmap P buf\n";  // line 4
    Pfn head = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\n").pmd("P", "buf", 0).head();
    auto s = Sim::run(text);
    CHECK(s.step_says(4, "zap_huge_pmd – clear the PMD: the THP loses its entire mapping (page_remove_rmap); the "
                         "PMD's reference waits in the mmu_gather"));
    CHECK(s.step_says(4, "tlb_finish_mmu – flush the TLB"));
    CHECK(s.step_says(4, "free_pages_and_swap_cache – release_pages"));
    CHECK(s.k().page(head).refcount == 0);
    CHECK(s.k().page(head).in_flight == 0);
    CHECK_FALSE(s.k().page(head).test(PG_allocated));
    CHECK(s.violations("invariant").empty());
}

// split_huge_page freezes every mapping into migration entries and
// remap_page restores them: from v6.1 the entries keep the young and dirty
// bits, so a dirty PMD gives dirty PTEs (which a plain PMD split does not);
// before, every restored PTE was old and clean.
TEST_CASE("split_huge_page keeps young and dirty PTE bits in era c, eras a and b remap old and clean",
          "[thp][migrate]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const bool keeps = era == Era::c;
        // MADV_PAGEOUT of part of the THP splits it (split_huge_page) and
        // reclaims only buf[0]; buf[1..511] stay mapped by the new PTEs.
        auto s = Sim::run(kThp + "madvise P buf[0..0] pageout\n", era);  // line 4
        REQUIRE(s.step_says(4, "split_huge_page"));
        CHECK(s.kind("P", "buf", 0) == "swap");
        for (uint32_t i : {1u, 7u, 511u}) {
            CAPTURE(i);
            Pte p = s.pte("P", "buf", i);
            CHECK(s.kind("P", "buf", i) == "present-rw");
            CHECK(p.has(Pte::young) == keeps);
            CHECK(p.has(Pte::dirty) == keeps);
            CHECK(p.has(Pte::soft_dirty));
            CHECK(s.page("P", "buf", i).test(PG_dirty));
        }
    }
    // A plain PMD split keeps the PTEs young; era c's keep the dirty bit too.
    auto plain = Sim::run(kThp + "split-pmd P buf[0]\n");
    CHECK(plain.pte("P", "buf", 1).has(Pte::dirty));
    CHECK(plain.pte("P", "buf", 1).has(Pte::young));
    auto plain_b = Sim::run(kThp + "split-pmd P buf[0]\n", Era::b);
    CHECK_FALSE(plain_b.pte("P", "buf", 1).has(Pte::dirty));
}

TEST_CASE("A trace says a run of subpages or PTEs that change alike once, as a range", "[thp][trace]") {
    auto s = Sim::run(kThp + "split-pmd P buf[0]\n");
    auto changes_of_line = [&](uint32_t line) {
        std::vector<std::string> out;
        for (const CommandRecord& c : s.k().commands())
            if (c.line == line)
                for (uint32_t step = c.step_begin; step < c.step_end; ++step)
                    for (const std::string& change : s.k().step_changes(step))
                        out.push_back(change);
        return out;
    };
    const std::vector<std::string> fault = changes_of_line(3);
    CHECK(std::count(fault.begin(), fault.end(), "pages #515–#1025: PAGE_MAPPING_ANON set, PG_swapbacked set") == 1);
    CHECK(std::count(fault.begin(), fault.end(), "pages #515–#1025: index 0 → 1–511") == 1);
    const std::vector<std::string> split = changes_of_line(4);
    CHECK(split == std::vector<std::string>{
                       "PMD P buf[0]: thp-rw → THP page #514 D Y SD → table (PTE table 0)",
                       "PTE P buf[0..511]: none → present-rw → pages #514–#1025 D Y SD",
                       "pages #514–#1025: mapcount 0 → 1",
                       "pages #515–#1025: PG_anon_exclusive set",
                       "page #514: refcount 1 → 512",
                       "page #514: compound_mapcount 1 → 0",
                       "page #514: PG_dirty set",  // a step of its own: "the PMD was dirty"
                   });
}
