// Swap-out and swap-in (semantics.md 1.7, 2.11-2.13; commit message I.4, I.5;
// era differences 3.1-3.3, scenario S9).
#include <catch2/catch.hpp>
#include <algorithm>
#include <string>

#include "era_policy.h"
#include "kernel.h"
#include "memory.h"
#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";

// The scenario line the next command appended to `text` will have.
uint32_t next_line(const std::string& text) {
    return static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// Whether a step of the command on `line` ran in a call path ending in
// `path` (as the trace prints it, "a → b").
bool ran_in(const Sim& s, uint32_t line, const std::string& path) {
    for (const std::string& step : s.steps_at_line(line)) {
        std::string p = step.substr(0, step.find(" – "));
        if (p.size() >= path.size() && p.compare(p.size() - path.size(), path.size(), path) == 0)
            return true;
    }
    return false;
}

// shrink_page_list, or shrink_folio_list from v6.1 (49fd9b6df54e).
std::string shrink_name(const Sim& s) {
    return s.k().policy().name_of(EraPolicy::Function::shrink_page_list);
}
} // namespace

TEST_CASE("Swapping out an exclusive page leaves a swap entry with the exclusive bit, the page is freed",
          "[swap]") {
    Pfn page = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "swapout P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    Pte pte = s.pte("P", "buf", 0);
    CHECK(pte.is_swap_entry());
    CHECK(pte.has(Pte::swp_exclusive));
    const SwapSlotInfo& slot = s.slot("P", "buf", 0);
    CHECK(slot.count == 1);
    CHECK(slot.cache_pfn == 0);
    CHECK(s.k().strings().text(slot.contents) == "data");
    CHECK(s.k().page(page).refcount == 0);
    CHECK_FALSE(s.k().page(page).test(PG_allocated));
    CHECK_FALSE(s.k().page(page).test(PG_anon_exclusive));
}

TEST_CASE("add_to_swap's trace names the swap cache and the page's slot, and nothing the kernel does not keep",
          "[swap][trace]") {
    auto s = Sim::run("process P\nmap P buf 4 rw\nwrite P buf[3] \"data\"\nswapout P buf[3]\n");
    std::vector<std::string> changes;
    const CommandRecord& swapout = s.k().commands().back();
    for (uint32_t step = swapout.step_begin; step < swapout.step_end; ++step)
        for (const std::string& change : s.k().step_changes(step))
            changes.push_back(change);
    auto said = [&](const std::string& text) {
        return std::find(changes.begin(), changes.end(), text) != changes.end();
    };
    CHECK(said("swap slot 1: SWAP_HAS_CACHE set (page #514)"));
    CHECK(said("page #514: swap slot none → 1"));
    CHECK(said("page #514: swap slot 1 → none"));
    CHECK(said("page #514: freed (back to the page allocator); PAGE_MAPPING_ANON cleared, PG_swapbacked cleared"));
    // The model's own rmap from a slot to its entries is not shown.
    for (const std::string& change : changes) {
        CAPTURE(change);
        if (change.rfind("swap slot", 0) == 0) {
            CHECK(change.find("mapping") == std::string::npos);
            CHECK(change.find("index") == std::string::npos);
        }
    }
    CHECK(std::count_if(changes.begin(), changes.end(),
                        [](const std::string& c) { return c.rfind("swap slot 1:", 0) == 0; }) == 4);
}

TEST_CASE("Swapping out a page shared after fork: two swap entries without the exclusive bit, count 2",
          "[swap]") {
    auto s = Sim::run(kWritten + "fork P C\nswapout P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    Pte p = s.pte("P", "buf", 0), c = s.pte("C", "buf", 0);
    CHECK(p.is_swap_entry());
    CHECK(c.is_swap_entry());
    CHECK(p.swap_slot() == c.swap_slot());
    CHECK_FALSE(p.has(Pte::swp_exclusive));
    CHECK_FALSE(c.has(Pte::swp_exclusive));
    CHECK(s.slot("P", "buf", 0).count == 2);
}

TEST_CASE("Eras b and c refuse to swap out a pinned page: the PTE does not change", "[swap]") {
    for (Era era : {Era::c, Era::b}) {
        CAPTURE(era_letter(era));
        auto before = Sim::run(kWritten + "pin P buf[0] write longterm as H\n", era);
        auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nswapout P buf[0]\n", era);
        CHECK(s.last_outcome() == "page is pinned");
        CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
        CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_swapcache));
        if (era == Era::c)
            CHECK(s.exclusive("P", "buf", 0));
    }
}

TEST_CASE("Era a swaps a pinned page out: it is unmapped but the pin keeps it in the swap cache", "[swap]") {
    auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nswapout P buf[0]\n", Era::a);
    CHECK(s.last_outcome() == "ok");
    CHECK(s.pte("P", "buf", 0).is_swap_entry());
    CHECK_FALSE(s.pte("P", "buf", 0).has(Pte::swp_exclusive));  // no such bit before v5.19
    const SwapSlotInfo& slot = s.slot("P", "buf", 0);
    CHECK(slot.count == 1);
    CHECK(slot.cache_pfn == s.holder("H").pfn.value);
    const Page& held = s.held_page("H");
    CHECK(held.test(PG_swapcache));
    CHECK(held.mapcount == 0);
    CHECK(held.refcount == kPin + 1);  // the pin and the swap cache
}

TEST_CASE("Era c: a page held by FOLL_GET is unmapped to an exclusive swap entry and stays in the swap cache",
          "[swap]") {
    auto s = Sim::run(kWritten + "get P buf[0] as G\nswapout P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    Pte pte = s.pte("P", "buf", 0);
    CHECK(pte.is_swap_entry());
    CHECK(pte.has(Pte::swp_exclusive));
    const SwapSlotInfo& slot = s.slot("P", "buf", 0);
    CHECK(slot.count == 1);
    CHECK(slot.cache_pfn == s.holder("G").pfn.value);
    const Page& held = s.held_page("G");
    CHECK(held.test(PG_swapcache));
    CHECK_FALSE(held.test(PG_anon_exclusive));  // page_try_share_anon_rmap cleared it (I.4)
    CHECK(held.mapcount == 0);
    CHECK(held.refcount == 2);  // 4.1 table: swap cache + FOLL_GET
}

TEST_CASE("Era c: reading it back maps the same page exclusive (the X bit, I.5), a write then reuses it",
          "[swap]") {
    auto s = Sim::run(kWritten + "get P buf[0] as G\nswapout P buf[0]\nread P buf[0]\n");
    CHECK(s.last_value() == "data");
    CHECK(s.pfn("P", "buf", 0) == s.holder("G").pfn);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    const Page& page = s.page("P", "buf", 0);
    CHECK(page.mapcount == 1);
    CHECK(page.test(PG_swapcache));        // a read fault keeps the swap cache
    CHECK(page.refcount == 3);             // mapping + swap cache + FOLL_GET
    CHECK(s.k().swap_slot(SwapSlot(page.swap_slot)).count == 0);

    auto w = Sim::run(kWritten + "get P buf[0] as G\nswapout P buf[0]\nread P buf[0]\nwrite P buf[0] \"new\"\n");
    CHECK(w.pfn("P", "buf", 0) == w.holder("G").pfn);
    CHECK(w.kind("P", "buf", 0) == "present-rw");
    CHECK(w.held_data("G") == "new");
    CHECK(w.violations("coherence").empty());
}

TEST_CASE("Era b loses a FOLL_GET reference across swap-out, read and write (S9)", "[swap]") {
    const std::string text = kWritten + "get P buf[0] as G\nswapout P buf[0]\nread P buf[0]\nwrite P buf[0] \"new\"\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.pfn("P", "buf", 0) != b.holder("G").pfn);
    CHECK(b.held_data("G") == "data");
    CHECK_FALSE(b.violations("coherence").empty());
    auto a = Sim::run(text, Era::a);  // reuse_swap_page ignores the reference: OK
    CHECK(a.pfn("P", "buf", 0) == a.holder("G").pfn);
    CHECK(a.held_data("G") == "new");
}

TEST_CASE("A write fault on an exclusive swap entry maps the page writable and frees the slot", "[swap]") {
    auto s = Sim::run(kWritten + "swapout P buf[0]\nwrite P buf[0] \"new\"\n");
    SwapSlot slot = Sim::run(kWritten + "swapout P buf[0]\n").pte("P", "buf", 0).swap_slot();
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    const Page& page = s.page("P", "buf", 0);
    CHECK(page.refcount == 1);
    CHECK(page.mapcount == 1);
    CHECK_FALSE(page.test(PG_swapcache));
    CHECK(s.k().swap_slot(slot).count == 0);
    CHECK(s.k().swap_slot(slot).cache_pfn == 0);
    CHECK(s.data("P", "buf", 0) == "new");
}

TEST_CASE("A read fault on an exclusive swap entry maps R/O and exclusive, keeping the swap cache", "[swap]") {
    auto s = Sim::run(kWritten + "swapout P buf[0]\nread P buf[0]\n");
    CHECK(s.last_value() == "data");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 2);  // 4.1 table: mapping + swap cache
    CHECK(s.page("P", "buf", 0).test(PG_swapcache));
}

TEST_CASE("Reading a shared swap slot back maps the page read-only and not exclusive", "[swap]") {
    auto s = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\n");
    CHECK(s.last_value() == "data");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK_FALSE(s.exclusive("P", "buf", 0));
    CHECK(s.pte("C", "buf", 0).is_swap_entry());
    const Page& page = s.page("P", "buf", 0);
    CHECK(page.test(PG_swapcache));
    CHECK(s.k().swap_slot(SwapSlot(page.swap_slot)).count == 1);  // the child's entry
    CHECK(page.refcount == 2);

    // The write that follows copies: the child's entry still needs the cache page.
    auto w = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\nwrite P buf[0] \"p\"\n");
    CHECK(w.kind("P", "buf", 0) == "present-rw");
    CHECK(w.pfn("P", "buf", 0) != Pfn(w.k().swap_slot(w.pte("C", "buf", 0).swap_slot()).cache_pfn));
    auto r = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\nwrite P buf[0] \"p\"\nread C buf[0]\n");
    CHECK(r.last_value() == "data");
}

TEST_CASE("Zapping a swap entry drops the slot's count (free_swap_and_cache)", "[swap]") {
    auto s = Sim::run(kWritten + "fork P C\nswapout P buf[0]\nexit C\n");
    CHECK(s.slot("P", "buf", 0).count == 1);
    auto d = Sim::run(kWritten + "swapout P buf[0]\nmadvise P buf dontneed\nread P buf[0]\n");
    CHECK(d.last_value() == "");
    CHECK(d.kind("P", "buf", 0) == "present-ro");
}

TEST_CASE("Once the other swap user is gone, era c frees the swap cache and reuses the page, era b copies",
          "[swap]") {
    const std::string setup = kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\nexit C\n";
    auto before = Sim::run(setup);
    REQUIRE(before.page("P", "buf", 0).test(PG_swapcache));
    REQUIRE_FALSE(before.exclusive("P", "buf", 0));
    const Pfn page = before.pfn("P", "buf", 0);
    // Era c (2.3 b5): try_to_free_swap succeeds (no swap PTE left), page_count 1, reuse.
    auto c = Sim::run(setup + "write P buf[0] \"new\"\n");
    CHECK(c.pfn("P", "buf", 0) == page);
    CHECK(c.exclusive("P", "buf", 0));
    CHECK_FALSE(c.page("P", "buf", 0).test(PG_swapcache));
    CHECK(c.page("P", "buf", 0).refcount == 1);
    // Era b (3.1): the swap cache holds a reference, page_count is 2: copy.
    auto b = Sim::run(setup + "write P buf[0] \"new\"\n", Era::b);
    CHECK(b.pfn("P", "buf", 0) != page);
    // Era a (3.3): reuse_swap_page counts one mapping and no swap entry: reuse.
    auto a = Sim::run(setup + "write P buf[0] \"new\"\n", Era::a);
    CHECK(a.pfn("P", "buf", 0) == page);
    CHECK_FALSE(a.page("P", "buf", 0).test(PG_swapcache));
}

TEST_CASE("pageout keeps a page someone else holds: unmapped, in the swap cache, dirty and unwritten",
          "[swap]") {
    // FOLL_GET references are not pins: reclaim unmaps the page in every era,
    // then is_page_cache_freeable() sees the extra reference (PAGE_KEEP).
    for (Era era : {Era::a, Era::b, Era::c}) {
        auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\nget P buf[0] as G\nswapout P buf[0]\n",
                          era);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.kind("P", "buf", 0) == "swap");
        const Page& page = s.k().page(s.holder("G").pfn);
        CHECK(page.test(PG_swapcache));
        CHECK(page.test(PG_dirty));
        CHECK_FALSE(page.test(PG_locked));
        CHECK(page.refcount == 2);  // the swap cache and G
        CHECK(s.slot("P", "buf", 0).contents == 0);  // never written
        CHECK(s.slot("P", "buf", 0).cache_pfn == s.holder("G").pfn.value);
        auto r = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\nget P buf[0] as G\nswapout P buf[0]\n"
                          "read P buf[0]\n",
                          era);
        CHECK(r.last_value() == "data");
        CHECK(r.pfn("P", "buf", 0) == r.holder("G").pfn);  // swap-in finds it in the swap cache
    }
}

// mm/vmscan.c shrink_page_list() (shrink_folio_list from v6.1, 49fd9b6df54e):
// only a PageDirty page goes through pageout().
// A page read back from swap and not written since is clean: its data is
// already in the slot, so reclaim goes straight to __remove_mapping(), whose
// page_ref_freeze(page, 2) succeeds when only the swap cache and reclaim
// hold the page. Same in v5.7, v5.17 and v6.2.
TEST_CASE("Reclaiming a clean page already in the swap cache writes nothing and frees it", "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const std::string setup = kWritten + "swapout P buf[0]\nread P buf[0]\n";
        auto before = Sim::run(setup, era);
        const Pfn page = before.pfn("P", "buf", 0);
        REQUIRE(before.page("P", "buf", 0).test(PG_swapcache));
        REQUIRE_FALSE(before.page("P", "buf", 0).test(PG_dirty));
        auto s = Sim::run(setup + "swapout P buf[0]\n", era);
        const uint32_t line = next_line(setup);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.kind("P", "buf", 0) == "swap");
        CHECK(s.pte("P", "buf", 0).has(Pte::swp_exclusive) == (era == Era::c));
        const SwapSlotInfo& slot = s.slot("P", "buf", 0);
        CHECK(slot.count == 1);
        CHECK(slot.cache_pfn == 0);
        CHECK(s.k().strings().text(slot.contents) == "data");
        CHECK(s.k().page(page).refcount == 0);
        CHECK_FALSE(s.k().page(page).test(PG_allocated));
        CHECK_FALSE(ran_in(s, line, "pageout"));
        CHECK(s.step_says(line, "nothing is written"));
        CHECK(ran_in(s, line, shrink_name(s) + " → __remove_mapping"));
        CHECK(s.violations("invariant").empty());
        auto r = Sim::run(setup + "swapout P buf[0]\nread P buf[0]\n", era);
        CHECK(r.last_value() == "data");
    }
}

// The same clean page, but someone holds a FOLL_GET reference: try_to_unmap
// still unmaps it (a reference is not a pin), there is still nothing to
// write, and __remove_mapping's refcount freeze fails (3 references: swap
// cache, reclaim, G). The page stays in the swap cache, unmapped and clean;
// the next fault finds it there, so G and the process still share it.
TEST_CASE("A clean swap cache page someone else holds is unmapped but kept by __remove_mapping", "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const std::string setup = kWritten + "swapout P buf[0]\nread P buf[0]\nget P buf[0] as G\n";
        auto s = Sim::run(setup + "swapout P buf[0]\n", era);
        const uint32_t line = next_line(setup);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.kind("P", "buf", 0) == "swap");
        const Page& held = s.held_page("G");
        CHECK(held.test(PG_swapcache));
        CHECK_FALSE(held.test(PG_dirty));
        CHECK_FALSE(held.test(PG_locked));
        CHECK(held.test(PG_lru));
        CHECK(held.mapcount == 0);
        CHECK(held.refcount == 2);  // the swap cache and G
        CHECK(held.in_flight == 0);
        const SwapSlotInfo& slot = s.slot("P", "buf", 0);
        CHECK(slot.count == 1);
        CHECK(slot.cache_pfn == s.holder("G").pfn.value);
        CHECK(s.k().strings().text(slot.contents) == "data");
        CHECK_FALSE(ran_in(s, line, "pageout"));
        CHECK(ran_in(s, line, shrink_name(s) + " → __remove_mapping"));
        CHECK(s.step_says(line, era == Era::c ? "folio_ref_freeze fails" : "page_ref_freeze fails"));
        CHECK(s.violations("invariant").empty());
        auto r = Sim::run(setup + "swapout P buf[0]\nread P buf[0]\n", era);
        CHECK(r.last_value() == "data");
        CHECK(r.pfn("P", "buf", 0) == r.holder("G").pfn);
    }
}

// A dirty page: pageout() writes it, then shrink_page_list itself calls
// __remove_mapping(), which is not part of pageout().
TEST_CASE("A dirty page is written by pageout, then freed by __remove_mapping called from shrink_page_list",
          "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "swapout P buf[0]\n", era);
        const uint32_t line = next_line(kWritten);
        CHECK(ran_in(s, line, shrink_name(s) + " → pageout"));
        CHECK(s.step_says(line, "write the page's data to swap slot"));
        CHECK(ran_in(s, line, shrink_name(s) + " → __remove_mapping"));
        CHECK_FALSE(s.step_says(line, "pageout → __remove_mapping"));
        CHECK(s.slot("P", "buf", 0).cache_pfn == 0);
    }
}

// A THP is split before reclaim; can_split_folio() refuses when references
// beyond the mappings exist. A FOLL_GET is not a pin, and the reason says so.
TEST_CASE("Reclaim of a THP with a FOLL_GET reference fails on extra references, not on a pin", "[swap]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nwrite P buf[5] \"five\"\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(thp + "get P buf[3] as G\nswapout P buf[5]\n", era);
        CHECK(s.last_outcome() == "page has unexpected references");
        CHECK(s.pmd("P", "buf", 5).is_trans_huge());
        CHECK(s.head("P", "buf", 5).refcount == 2);  // the PMD mapping and G
    }
    // Era a has no folio_maybe_dma_pinned() test in reclaim: a pinned THP
    // reaches the split, which the pin forbids.
    auto a = Sim::run(thp + "pin P buf[3] write as H\nswapout P buf[5]\n", Era::a);
    CHECK(a.last_outcome() == "THP cannot be split (pinned)");
}

// shrink_folio_list on a PMD-mapped THP: add_to_swap cannot take it whole
// (no swap cluster on the modelled disk), so reclaim splits it with
// split_huge_page_to_list. The head stays isolated, locked and referenced;
// the tail pages go on reclaim's list, off the LRU, with a reference of
// reclaim's each, and are taken from it one by one.
TEST_CASE("Reclaim splits a THP onto its own list: the tails wait off the LRU with reclaim's reference",
          "[swap][thp]") {
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nwrite P buf[5] \"five\"\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(thp + "swapout P buf[5]\n", era);  // line 5
        REQUIRE(s.last_outcome() == "ok");
        CHECK(s.step_says(5, "reclaim isolates the THP from the LRU (a reference) and locks it"));
        CHECK(s.step_says(5, "add_to_swap cannot swap the THP out whole"));
        CHECK(s.step_says(5, "split_huge_page_to_list → __split_huge_page"));
        CHECK(s.step_says(5, "reclaim takes page #1025 from its list and locks it"));
        CHECK_FALSE(s.step_says(5, "isolates the page"));  // no subpage is isolated a second time
        CHECK_FALSE(s.step_says(5, "drop the reference taken for the split"));
        // In the end every subpage is in its own swap slot, the data kept.
        for (uint32_t i : {0u, 5u, 511u})
            CHECK(s.kind("P", "buf", i) == "swap");
        CHECK(s.slot("P", "buf", 5).contents == s.k().strings().intern("five"));
        CHECK(s.violations_text().empty());

        // The state just after __split_huge_page.
        Kernel& k = s.k();
        uint32_t after_split = 0;
        for (const CommandRecord& c : k.commands())
            if (c.line == 5)
                for (uint32_t step = c.step_begin; step < c.step_end; ++step)
                    if (k.step_path(step).ends_with("__split_huge_page"))
                        after_split = step + 1;
        REQUIRE(after_split != 0);
        k.seek(after_split);
        Pfn head = s.pfn("P", "buf", 0);
        const Page& h = k.page(head);
        CHECK(h.order == 0);
        CHECK(h.test(PG_locked));
        CHECK_FALSE(h.test(PG_lru));
        CHECK(h.refcount == 2);  // its PTE and reclaim
        CHECK(h.in_flight == 1);
        const Page& tail = k.page(Pfn(head.value + 5));
        CHECK(k.folio(Pfn(head.value + 5)) == Pfn(head.value + 5));
        CHECK_FALSE(tail.test(PG_locked));
        CHECK_FALSE(tail.test(PG_lru));
        CHECK(tail.refcount == 2);  // its PTE and reclaim's list
        CHECK(tail.in_flight == 1);
        CHECK(tail.mapcount == 1);
        CHECK(s.kind("P", "buf", 5) == "present-rw");
    }
}

// A THP that no PMD maps is split at once, before add_to_swap is tried.
TEST_CASE("Reclaim splits a THP that only PTEs map before it tries add_to_swap", "[swap][thp]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nsplit-pmd P buf[0]\n"
                      "swapout P buf[9]\n");  // line 5
    CHECK(s.step_says(5, "no PMD maps the THP: reclaim splits it at once"));
    CHECK_FALSE(s.step_says(5, "add_to_swap cannot swap the THP out whole"));
    CHECK(s.kind("P", "buf", 9) == "swap");
}

// Teardown (mm/memory.c zap_pte_range, mm/mmu_gather.c): a present page's
// mapping goes at once (page_remove_rmap), but its reference waits in the
// mmu_gather until the TLB is flushed; tlb_finish_mmu() then runs
// free_pages_and_swap_cache(): free_swap_cache() on each page nobody maps,
// then release_pages(). Same names in v5.7, v5.17 and v6.2.
TEST_CASE("munmap drops the page's mapping in zap_pte_range and its reference in tlb_finish_mmu", "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        // P maps the swap cache page; C still has a swap entry for the slot.
        const std::string setup = kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\n";
        const Pfn page = Sim::run(setup, era).pfn("P", "buf", 0);
        auto s = Sim::run(setup + "unmap P buf\n", era);
        const uint32_t line = next_line(setup);
        CHECK(s.step_says(line, "waits in the mmu_gather"));
        // try_to_free_swap is folio_free_swap from v6.1.
        const std::string free_swap = s.k().policy().name_of(EraPolicy::Function::try_to_free_swap);
        CHECK(ran_in(s, line, "tlb_finish_mmu → free_pages_and_swap_cache → free_swap_cache → " + free_swap));
        CHECK(ran_in(s, line, "tlb_finish_mmu → free_pages_and_swap_cache"));
        CHECK_FALSE(s.step_says(line, "zap_pte_range → " + free_swap));
        CHECK_FALSE(s.step_says(line, "zap_pte_range → free_swap_cache"));
        // C's swap entry still needs the slot: the page stays in the swap
        // cache with the cache's reference only.
        const Page& p = s.k().page(page);
        CHECK(p.test(PG_swapcache));
        CHECK(p.mapcount == 0);
        CHECK(p.refcount == 1);
        CHECK(p.in_flight == 0);
        CHECK(s.slot("C", "buf", 0).count == 1);
        CHECK(s.violations("invariant").empty());
    }
}

// mm/swapfile.c free_swap_and_cache(): when only SWAP_HAS_CACHE is left, it
// reclaims through __try_to_reclaim_swap(TTRS_UNMAPPED | TTRS_FULL), which
// frees the cache page only if no PTE maps it (swap is never full here).
TEST_CASE("The last swap entry's zap frees an unmapped cache page through __try_to_reclaim_swap", "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        // The cache page is unmapped (P unmapped it), C's entry is the last user.
        const std::string setup = kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\nunmap P buf\n";
        auto before = Sim::run(setup, era);
        const Pfn page(before.slot("C", "buf", 0).cache_pfn);
        REQUIRE(page.value != 0);
        REQUIRE(before.k().page(page).mapcount == 0);
        auto s = Sim::run(setup + "exit C\n", era);
        const uint32_t line = next_line(setup);
        const std::string free_swap = s.k().policy().name_of(EraPolicy::Function::try_to_free_swap);
        CHECK(ran_in(s, line, "zap_pte_range → free_swap_and_cache → __try_to_reclaim_swap → " + free_swap));
        CHECK_FALSE(s.step_says(line, "zap_pte_range → " + free_swap));
        CHECK(s.k().page(page).refcount == 0);
        CHECK_FALSE(s.k().page(page).test(PG_allocated));

        // The cache page is still mapped by P: TTRS_UNMAPPED does not hold,
        // the page stays in the swap cache, the slot keeps SWAP_HAS_CACHE.
        const std::string mapped = kWritten + "fork P C\nswapout P buf[0]\nread P buf[0]\n";
        auto m = Sim::run(mapped + "exit C\n", era);
        const uint32_t exit_line = next_line(mapped);
        CHECK(ran_in(m, exit_line, "zap_pte_range"));
        CHECK_FALSE(m.step_says(exit_line, free_swap));
        CHECK(m.page("P", "buf", 0).test(PG_swapcache));
        CHECK(m.k().swap_slot(SwapSlot(m.page("P", "buf", 0).swap_slot)).count == 0);
        CHECK(m.page("P", "buf", 0).refcount == 2);  // the mapping and the swap cache
    }
}

// MADV_DONTNEED (madvise_dontneed_single_vma → zap_page_range) gathers and
// finishes on its own.
TEST_CASE("MADV_DONTNEED frees the page in zap_page_range's own tlb_finish_mmu", "[swap]") {
    const Pfn page = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "madvise P buf dontneed\n");
    const uint32_t line = next_line(kWritten);
    // Era c (v6.2) names it zap_page_range_single.
    CHECK(ran_in(s, line, "zap_page_range_single → zap_pte_range"));
    CHECK(ran_in(s, line, "zap_page_range_single → tlb_finish_mmu → free_pages_and_swap_cache"));
    auto b = Sim::run(kWritten + "madvise P buf dontneed\n", Era::b);
    CHECK(ran_in(b, line, "zap_page_range → zap_pte_range"));
    CHECK(s.kind("P", "buf", 0) == "none");
    CHECK(s.k().page(page).refcount == 0);
    CHECK_FALSE(s.k().page(page).test(PG_allocated));
}

// The gather between unmap_vmas() and tlb_finish_mmu(), as exit_mmap and
// munmap's unmap_region use it: unmapped, still referenced, then freed.
TEST_CASE("Between unmap_vmas and tlb_finish_mmu the page is unmapped but still referenced", "[swap]") {
    auto s = Sim::run(kWritten);
    Kernel& k = s.k();
    const VmaId vma = s.vma("P", "buf");
    const Pfn page = s.pfn("P", "buf", 0);
    k.begin_command(100, 100);
    MmuGather tlb;
    unmap_vmas(k, tlb, vma, 0, 0);
    CHECK(k.pte(vma, 0).is_none());
    CHECK(k.page(page).mapcount == 0);
    CHECK(k.page(page).refcount == 1);
    CHECK(k.page(page).in_flight == 1);  // the batch's reference
    REQUIRE(tlb.pages().size() == 1);
    CHECK(tlb.pages()[0] == page);
    tlb_finish_mmu(k, tlb);
    k.end_command(nullptr);
    CHECK(tlb.pages().empty());
    CHECK(k.page(page).refcount == 0);
    CHECK_FALSE(k.page(page).test(PG_allocated));
    CHECK(s.step_says(100, "waits in the mmu_gather"));
    CHECK(ran_in(s, 100, "unmap_vmas → zap_pte_range"));
    CHECK(ran_in(s, 100, "tlb_finish_mmu → free_pages_and_swap_cache"));
    CHECK(s.violations("invariant").empty());
}

// try_to_unmap_one() batches the TLB flush of an exclusive page's PTE in v6.2
// (v6.1, 088b8aa537c2: memory barriers in page_try_share_anon_rmap order the
// clear before the pin check); v5.7 and v5.17 have no exclusive pages and
// batch every flush. Either way the PTE was dirty, so shrink_page_list
// (shrink_folio_list in v6.2) completes the batched flush with
// try_to_unmap_flush_dirty() before pageout() writes the page.
TEST_CASE("Reclaim batches the flush of a dirty PTE and completes it before pageout, in every era",
          "[swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "swapout P buf[0]\n", era);
        const uint32_t line = next_line(kWritten);
        CHECK(s.step_says(line, "TLB flush batched like any other") == (era == Era::c));
        CHECK_FALSE(s.step_says(line, "flush the TLB at once"));
        std::vector<std::string> steps = s.steps_at_line(line);
        auto at = [&](const std::string& words) {
            for (size_t i = 0; i < steps.size(); ++i)
                if (steps[i].find(words) != std::string::npos)
                    return static_cast<int>(i);
            return -1;
        };
        const int flush = at(shrink_name(s) + " – try_to_unmap_flush_dirty: a dirty PTE was cleared");
        REQUIRE(flush >= 0);
        CHECK(at(shrink_name(s) + " → pageout – the page is dirty: write") > flush);
        CHECK(shrink_name(s) == (era == Era::c ? "shrink_folio_list" : "shrink_page_list"));
    }
    // A page swapped back in by a read is mapped by a clean PTE and is clean
    // itself: nothing is pending that pageout must wait for, and there is no
    // pageout.
    auto clean = Sim::run(kWritten + "swapout P buf[0]\nread P buf[0]\nswapout P buf[0]\n");
    CHECK_FALSE(clean.step_says(6, "try_to_unmap_flush_dirty"));
}

// feb889fb40fa (v5.11) keeps possibly pinned pages out of the swap cache with
// page_maybe_dma_pinned(); v6.2 asks folio_maybe_dma_pinned().
TEST_CASE("Reclaim's early pin test is named as each era's kernel names it", "[swap]") {
    const std::string pinned = kWritten + "pin P buf[0] write as H\nswapout P buf[0]\n";
    auto b = Sim::run(pinned, Era::b);
    CHECK(b.last_outcome() == "page is pinned");
    CHECK(b.step_says(5, "shrink_page_list – page_maybe_dma_pinned: the page may be pinned"));
    auto c = Sim::run(pinned, Era::c);
    CHECK(c.last_outcome() == "page is pinned");
    CHECK(c.step_says(5, "shrink_folio_list – folio_maybe_dma_pinned: the page may be pinned"));
}

TEST_CASE("Eras a and b: do_swap_page asks reuse_swap_page, then swap_free drops the slot's count in a step of "
          "its own",
          "[swap][era]") {
    // Parent and child share the slot; the parent's write fault on its swap
    // entry cannot reuse (mapcount 0 + swap count 2), maps read-only, then
    // do_wp_page copies.
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"old\"\nfork P C\nswapout P buf[0]\n"
                             "write P buf[0] \"new\"\n";  // line 6
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.step_says(6, "mapcount + swap count is 2"));
        CHECK(s.step_says(6, "do_swap_page – swap_free: this PTE no longer holds the swap entry"));
        CHECK(s.data("P", "buf", 0) == "new");
        CHECK(s.data("C", "buf", 0) == "old");
        CHECK(s.kind("C", "buf", 0) == "swap");
    }
    // Era a's reuse_swap_page is asked twice: at swap-in (map read-only), then
    // by do_wp_page (copy).
    auto a = Sim::run(text, Era::a);
    CHECK(a.step_says(6, "do_swap_page → reuse_swap_page – mapcount + swap count is 2: another mapping or swap entry still refers to this page, so map it read-only"));
    CHECK(a.step_says(6, "do_wp_page → reuse_swap_page – mapcount + swap count is 2: another mapping or swap entry still refers to this page, copy it"));
}

TEST_CASE("A KSM swap-in copy is dirty, and the swap cache page it was copied from stays in the swap cache",
          "[swap][ksm]") {
    // ksm_might_need_to_copy() marks its copy dirty (it exists nowhere else);
    // do_swap_page only puts its reference on the old page.
    const std::string text = "process P\nprocess Q\nmap P k 1 rw\nmap Q k 1 rw\nwrite P k[0] \"same\"\n"
                             "write Q k[0] \"same\"\nksm-merge P k[0] Q k[0]\nswapout P k[0]\nread P k[0]\n"
                             "madvise P k dontneed\nread Q k[0]\n";  // line 11
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        Sim before = Sim::run(text.substr(0, text.rfind("read Q")), era);
        const SwapSlot slot = before.pte("Q", "k", 0).swap_slot();
        const Pfn cached(before.k().swap_slot(slot).cache_pfn);
        REQUIRE(cached.value != 0);
        auto s = Sim::run(text, era);
        CHECK(s.last_value() == "same");
        CHECK(s.step_says(11, "ksm_might_need_to_copy"));
        CHECK(s.pfn("Q", "k", 0) != cached);
        CHECK(s.page("Q", "k", 0).test(PG_dirty));
        const Page& old = s.k().page(cached);
        CHECK(old.test(PG_swapcache));
        CHECK(old.refcount == 1);
        CHECK(old.mapcount == 0);
        CHECK(s.k().swap_slot(slot).cache_pfn == cached.value);
        CHECK(s.k().swap_slot(slot).count == 0);
    }
}
