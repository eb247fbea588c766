// Page faults (semantics.md 2.1-2.3, 1.5): do_anonymous_page and do_wp_page.
#include <catch2/catch.hpp>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
constexpr const char* kOnePage = "process P\nmap P buf 1 rw\n";
}

TEST_CASE("A read fault on untouched memory maps the shared zero page read-only and allocates nothing", "[fault]") {
    Sim fresh = Sim::run(kOnePage);
    const uint32_t pages_before = fresh.k().state().pages.size();
    const int32_t zero_ref = fresh.k().page(fresh.k().zero_pfn()).refcount;

    auto s = Sim::run(std::string(kOnePage) + "read P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.last_value() == "");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.pte("P", "buf", 0).pfn() == s.k().zero_pfn());
    // 2.1 step 4: no page state changes anywhere; the zero page takes no reference.
    CHECK(s.k().page(s.k().zero_pfn()).refcount == zero_ref);
    CHECK(s.k().page(s.k().zero_pfn()).mapcount == 0);
    CHECK(s.k().state().pages.size() == pages_before);
    CHECK_FALSE(s.k().PageAnon(s.k().zero_pfn()));
}

TEST_CASE("A write fault on untouched memory maps a fresh exclusive page writable (I.1)", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) + "write P buf[0] \"hello\"\n");
    CHECK(s.last_outcome() == "ok");
    Pte pte = s.pte("P", "buf", 0);
    CHECK(pte.is_present());
    CHECK(pte.has(Pte::write));
    CHECK(pte.has(Pte::dirty));
    const Page& p = s.page("P", "buf", 0);
    CHECK(p.refcount == 1);
    CHECK(p.mapcount == 1);
    CHECK(p.test(PG_anon));
    CHECK(p.test(PG_anon_exclusive));
    CHECK(p.test(PG_swapbacked));
    CHECK(s.data("P", "buf", 0) == "hello");
}

TEST_CASE("Writing to a page that maps the zero page allocates a new page, the zero page is untouched", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) + "read P buf[0]\nwrite P buf[0] \"x\"\n");
    const int32_t zero_ref = Sim::run(kOnePage).k().page(s.k().zero_pfn()).refcount;
    Pte pte = s.pte("P", "buf", 0);
    CHECK(pte.has(Pte::write));
    CHECK(pte.pfn() != s.k().zero_pfn());
    const Page& p = s.page("P", "buf", 0);
    CHECK(p.refcount == 1);
    CHECK(p.mapcount == 1);
    CHECK(p.test(PG_anon_exclusive));
    CHECK(s.data("P", "buf", 0) == "x");
    CHECK(s.k().page(s.k().zero_pfn()).refcount == zero_ref);
}

TEST_CASE("A write to a write-protected exclusive page reuses it in place (2.3 a)", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) +
                      "write P buf[0] \"one\"\n"
                      "clear-softdirty P\n"
                      "write P buf[0] \"two\"\n");
    Pfn before = Sim::run(std::string(kOnePage) + "write P buf[0] \"one\"\nclear-softdirty P\n").pfn("P", "buf", 0);
    CHECK(s.pfn("P", "buf", 0) == before);
    CHECK(s.pte("P", "buf", 0).has(Pte::write));
    CHECK(s.page("P", "buf", 0).refcount == 1);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.data("P", "buf", 0) == "two");
}

TEST_CASE("An exclusive page is reused even when it is pinned: the pin keeps seeing the process' data",
          "[fault]") {
    // clear-softdirty write-protects the page first (a pinned writable PTE it
    // would leave alone); the read-only pin of an exclusive page needs no unshare.
    const std::string setup = std::string(kOnePage) + "write P buf[0] \"one\"\nclear-softdirty P\n"
                                                      "pin P buf[0] longterm as H\n";
    REQUIRE(Sim::run(setup).kind("P", "buf", 0) == "present-ro");
    auto s = Sim::run(setup + "write P buf[0] \"two\"\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
    CHECK(s.pte("P", "buf", 0).has(Pte::write));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.held_data("H") == "two");
    CHECK(s.violations("coherence").empty());
}

TEST_CASE("Once the other process unmapped a shared page, a write reuses it and marks it exclusive again", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) +
                      "write P buf[0] \"one\"\n"
                      "fork P C\n"
                      "unmap C buf\n"
                      "write P buf[0] \"two\"\n");
    Pfn shared = Sim::run(std::string(kOnePage) + "write P buf[0] \"one\"\nfork P C\n").pfn("P", "buf", 0);
    // 2.3 (b) 7: page_count is 1 → page_move_anon_rmap sets PG_anon_exclusive.
    CHECK(s.pfn("P", "buf", 0) == shared);
    CHECK(s.pte("P", "buf", 0).has(Pte::write));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
}

TEST_CASE("A write to a page shared with a child copies it, the child keeps the old page read-only", "[fault]") {
    auto before = Sim::run(std::string(kOnePage) + "write P buf[0] \"one\"\nfork P C\n");
    auto s = Sim::run(std::string(kOnePage) +
                      "write P buf[0] \"one\"\n"
                      "fork P C\n"
                      "write P buf[0] \"two\"\n");
    Pfn old = before.pfn("P", "buf", 0);
    Pfn copy = s.pfn("P", "buf", 0);
    CHECK(copy != old);
    CHECK(s.pfn("C", "buf", 0) == old);
    CHECK(s.pte("P", "buf", 0).has(Pte::write));
    CHECK(s.k().page(copy).refcount == 1);
    CHECK(s.k().page(copy).mapcount == 1);
    CHECK(s.k().page(copy).test(PG_anon_exclusive));
    // The old page: O.map 2→1, O.ref 2→1, AE stays clear.
    CHECK(s.k().page(old).refcount == 1);
    CHECK(s.k().page(old).mapcount == 1);
    CHECK_FALSE(s.k().page(old).test(PG_anon_exclusive));
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK(s.data(copy) == "two");
    CHECK(s.data(old) == "one");
}

TEST_CASE("A FOLL_GET reference on a possibly shared page makes the write fault copy (2.3 outcome table)", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) +
                      "write P buf[0] \"one\"\n"
                      "fork P C\n"
                      "exit C\n"
                      "get P buf[0] as G\n"
                      "write P buf[0] \"two\"\n",
                      Era::c);
    // Not exclusive (fork cleared it) and page_count is 2 (mapping + GET): copy.
    CHECK(s.pfn("P", "buf", 0) != s.holder("G").pfn);
    CHECK(s.held_data("G") == "one");
    CHECK(s.data("P", "buf", 0) == "two");
    CHECK(s.held_page("G").refcount == 1);
    CHECK(s.held_page("G").mapcount == 0);
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("A write into a read-only VMA is a segmentation fault, a read is fine", "[fault]") {
    auto s = Sim::run("process P\nmap P buf 1 ro\nwrite P buf[0] \"x\"\n");
    CHECK(s.last_outcome() == "segmentation fault");
    CHECK(s.kind("P", "buf", 0) == "none");
    auto r = Sim::run("process P\nmap P buf 1 ro\nread P buf[0]\n");
    CHECK(r.last_outcome() == "ok");
    CHECK(r.last_value() == "");
}

TEST_CASE("Any access to a PROT_NONE range is a segmentation fault and leaves the page alone", "[fault]") {
    auto s = Sim::run(std::string(kOnePage) + "write P buf[0] \"x\"\nprotect P buf none\nread P buf[0]\n");
    CHECK(s.last_outcome() == "segmentation fault");
    auto w = Sim::run(std::string(kOnePage) + "write P buf[0] \"x\"\nprotect P buf none\nwrite P buf[0] \"y\"\n");
    CHECK(w.last_outcome() == "segmentation fault");
    CHECK(w.data("P", "buf", 0) == "x");
    CHECK_FALSE(w.pte("P", "buf", 0).has(Pte::write));
    CHECK(w.exclusive("P", "buf", 0));  // mprotect never touches PG_anon_exclusive (2.10)
}

TEST_CASE("Era b copies a pinned read-only page on a write, eras a and c write into it (B-3 without fork)",
          "[fault]") {
    const char* text = "process P\nmap P buf 1 rw\n"
                       "write P buf[0] \"one\"\n"
                       "clear-softdirty P\n"
                       "pin P buf[0] longterm as H\n"
                       "write P buf[0] \"two\"\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.pfn("P", "buf", 0) != b.holder("H").pfn);  // page_count 1025 != 1 → copy
    CHECK(b.held_data("H") == "one");
    auto a = Sim::run(text, Era::a);
    CHECK(a.pfn("P", "buf", 0) == a.holder("H").pfn);  // reuse_swap_page: mapcount 1
    CHECK(a.held_data("H") == "two");
    auto c = Sim::run(text, Era::c);
    CHECK(c.pfn("P", "buf", 0) == c.holder("H").pfn);  // PG_anon_exclusive
    CHECK(c.held_data("H") == "two");
}

TEST_CASE("Era a's do_wp_page moves a page it reuses to the faulting VMA's anon_vma, era b's reuse does not",
          "[fault][rmap]") {
    // The child is gone, so P's write finds mapcount 1 (era a) and page_count 1 (era b).
    const char* text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nfork P C\nexit C\n"
                       "write P buf[0] \"y\"\n";
    auto a = Sim::run(text, Era::a);
    REQUIRE(a.steps_at_line(6).size() >= 3);
    CHECK(a.steps_at_line(6)[0].starts_with("handle_mm_fault → do_wp_page → reuse_swap_page – mapcount + swap "
                                            "count is 1"));
    CHECK(a.steps_at_line(6)[1].starts_with("handle_mm_fault → do_wp_page → page_move_anon_rmap – "));
    CHECK(a.steps_at_line(6)[2].starts_with("handle_mm_fault → do_wp_page → wp_page_reuse – "));
    CHECK_FALSE(a.step_says(6, "exclusive"));
    CHECK(a.kind("P", "buf", 0) == "present-rw");
    CHECK(a.data("P", "buf", 0) == "y");
    auto b = Sim::run(text, Era::b);
    CHECK_FALSE(b.step_says(6, "page_move_anon_rmap"));
    CHECK(b.step_says(6, "wp_page_reuse"));
    CHECK(b.data("P", "buf", 0) == "y");
}

TEST_CASE("After a COW copy, wp_page_copy lets go of the old page's swap cache from v5.14 (eras b, c), not in v5.7",
          "[fault][swap]") {
    // Three swap entries share the slot; C's write swaps it in and copies,
    // leaving the old page unmapped in the swap cache.
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nswapout P buf[0]\n"
                             "fork P C\nfork P D\nwrite C buf[0] \"c\"\n";
    auto a = Sim::run(text, Era::a);
    CHECK_FALSE(a.step_says(7, "try_to_free_swap"));
    auto b = Sim::run(text, Era::b);
    CHECK(b.step_says(7, "wp_page_copy → free_swap_cache → try_to_free_swap"));
    for (const Sim* s : {&a, &b}) {
        // The slot is still referenced by P's and D's entries either way.
        CHECK(s->kind("P", "buf", 0) == "swap");
        CHECK(s->kind("D", "buf", 0) == "swap");
        CHECK(s->slot("P", "buf", 0).count == 2);
        CHECK(s->data("C", "buf", 0) == "c");
    }
}

TEST_CASE("A store dirties the entry, not the page: PG_dirty comes when the entry goes or add_to_swap",
          "[fault][swap]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\n");
    CHECK(s.pte("P", "buf", 0).has(Pte::dirty));
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_dirty));
    // A THP written through its PMD likewise.
    auto t = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\n");
    CHECK(t.pmd("P", "buf", 0).has(Pte::dirty));
    CHECK_FALSE(t.head("P", "buf", 0).test(PG_dirty));
    // Reclaim writes it out all the same: the slot holds the data.
    auto r = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nswapout P buf[0]\n");
    CHECK(r.kind("P", "buf", 0) == "swap");
    CHECK(r.k().strings().text(r.slot("P", "buf", 0).contents) == "x");
}

TEST_CASE("Era a reuses a page mapped once, but moves it to the VMA's anon_vma only if the whole folio is",
          "[fault][era-a]") {
    // Order-0, shared by fork until the child exits: total_map_swapcount is 1.
    auto small = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nfork P C\nexit C\nwrite P buf[0] \"b\"\n",
                          Era::a);
    CHECK(small.kind("P", "buf", 0) == "present-rw");
    CHECK(small.step_says(6, "do_wp_page → page_move_anon_rmap"));
    // A subpage of a PTE-mapped THP: reused (its own mapcount is 1), but the
    // folio's 512 mappings keep its anon_vma where it is.
    auto thp = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"a\"\nsplit-pmd P buf[0]\nfork P C\n"
                        "exit C\nwrite P buf[0] \"b\"\n",
                        Era::a);
    CHECK(thp.kind("P", "buf", 0) == "present-rw");
    CHECK(thp.pfn("P", "buf", 0).value + 1 == thp.pfn("P", "buf", 1).value);  // written in place
    CHECK_FALSE(thp.step_says(7, "page_move_anon_rmap"));
}
