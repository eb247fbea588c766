// Swap-out and swap-in (semantics.md 1.7, 2.11-2.13; commit message I.4, I.5;
// era differences 3.1-3.3, scenario S9).
#include <catch2/catch.hpp>
#include <string>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("Swapping out an exclusive page leaves a swap entry with the exclusive bit; the page is freed",
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

TEST_CASE("Era c: reading it back maps the same page exclusive (the X bit, I.5); a write then reuses it",
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

TEST_CASE("Once the other swap user is gone, era c frees the swap cache and reuses the page; era b copies",
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
