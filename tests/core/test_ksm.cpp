// KSM (semantics.md 2.18, scenario S11; mm/ksm.c try_to_merge_two_pages).
#include <catch2/catch.hpp>
#include <string>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
// Two processes, one page each, same contents. Lines 1-6.
const std::string kTwins = "process P\nmap P buf 1 rw\nwrite P buf[0] \"same\"\n"
                           "process Q\nmap Q buf 1 rw\nwrite Q buf[0] \"same\"\n";
} // namespace

TEST_CASE("Merging two identical pages leaves one KSM page, read-only in both, never exclusive", "[ksm]") {
    auto before = Sim::run(kTwins);
    Pfn p_page = before.pfn("P", "buf", 0), q_page = before.pfn("Q", "buf", 0);
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    Pfn kpage = s.pfn("P", "buf", 0);
    CHECK(kpage == p_page);  // the first page of the pair becomes the KSM page
    CHECK(s.pfn("Q", "buf", 0) == kpage);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.kind("Q", "buf", 0) == "present-ro");
    const Page& k = s.k().page(kpage);
    CHECK(k.test(PG_ksm));
    CHECK_FALSE(k.test(PG_anon_exclusive));
    CHECK(k.mapcount == 2);
    CHECK(k.refcount == 2);
    CHECK_FALSE(s.pte("P", "buf", 0).has(Pte::dirty));  // write_protect_page: clean and R/O
    // The duplicate lost its only mapping and reference.
    CHECK(s.k().page(q_page).refcount == 0);
    CHECK_FALSE(s.k().page(q_page).test(PG_allocated));
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("A write to a KSM page always copies it, even when only one process still maps it", "[ksm]") {
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nwrite P buf[0] \"mine\"\n");
    Pfn kpage = s.pfn("Q", "buf", 0);
    CHECK(s.pfn("P", "buf", 0) != kpage);
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
    CHECK(s.k().page(kpage).mapcount == 1);
    CHECK(s.data(kpage) == "same");

    auto alone = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nexit Q\nwrite P buf[0] \"mine\"\n");
    CHECK(alone.pfn("P", "buf", 0) != kpage);  // mapcount 1, but KSM: copy (2.3 outcome table)
    CHECK(alone.exclusive("P", "buf", 0));
}

TEST_CASE("A read-only pin of a KSM page unshares it first (era c)", "[ksm]") {
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\npin P buf[0] as H\n");
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.pfn("P", "buf", 0) != s.pfn("Q", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK_FALSE(s.held_page("H").test(PG_ksm));
}

TEST_CASE("KSM refuses a pinned page: nothing changes (S11)", "[ksm]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const std::string setup = kTwins + "pin P buf[0] write longterm as H\n";
        auto before = Sim::run(setup, era);
        auto s = Sim::run(setup + "ksm-merge P buf[0] Q buf[0]\n", era);
        CHECK(s.last_outcome() == "page is pinned");
        CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
        CHECK(s.pte("Q", "buf", 0) == before.pte("Q", "buf", 0));
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
        CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
        if (era == Era::c)
            CHECK(s.exclusive("P", "buf", 0));
    }
}

TEST_CASE("KSM refuses a page with a FOLL_GET reference (O_DIRECT in flight)", "[ksm]") {
    auto before = Sim::run(kTwins + "get P buf[0] as G\n");
    auto s = Sim::run(kTwins + "get P buf[0] as G\nksm-merge P buf[0] Q buf[0]\n");
    CHECK(s.last_outcome() != "ok");  // write_protect_page: mapcount + 1 != page_count
    CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 2);
}

TEST_CASE("KSM does not merge pages whose contents differ", "[ksm]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\n"
                             "process Q\nmap Q buf 1 rw\nwrite Q buf[0] \"b\"\n";
    auto before = Sim::run(text);
    auto s = Sim::run(text + "ksm-merge P buf[0] Q buf[0]\n");
    CHECK(s.last_outcome() == "pages differ in content");
    CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
    CHECK(s.pte("Q", "buf", 0) == before.pte("Q", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("KSM merges only anonymous pages: the zero page is refused", "[ksm]") {
    auto s = Sim::run("process P\nmap P buf 2 rw\nread P buf[0]\nread P buf[1]\nksm-merge P buf[0] P buf[1]\n");
    CHECK(s.last_outcome() == "not an anonymous page");
}

TEST_CASE("fork of a KSM page just adds a mapping", "[ksm]") {
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nfork P C\n");
    CHECK(s.pfn("C", "buf", 0) == s.pfn("Q", "buf", 0));
    CHECK(s.page("C", "buf", 0).mapcount == 3);
    CHECK(s.page("C", "buf", 0).refcount == 3);
    CHECK_FALSE(s.exclusive("C", "buf", 0));
}

// When the second page of the pair cannot be merged (here: it is pinned), mm/ksm.c try_to_merge_two_pages()
// calls break_cow() on the first page, which already became a KSM page with a single PTE: break_ksm() takes a
// write fault, do_wp_page() copies the KSM page (2.3: KSM pages are always copied, 2.18 step 5), and the first
// process ends up with an ordinary, exclusive, writable anonymous page again.
TEST_CASE("When the second page cannot be merged, KSM breaks COW on the first one again",
          "[ksm]") {
    auto s = Sim::run(kTwins + "pin Q buf[0] write longterm as H\nksm-merge P buf[0] Q buf[0]\n");
    CHECK(s.last_outcome() == "page is pinned");
    CHECK(s.pfn("Q", "buf", 0) == s.holder("H").pfn);
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.data("P", "buf", 0) == "same");
}

// Migration gives the new page the old page's mapping (semantics.md 2.14 step 3: "T gets S's mapping"), and for
// a KSM page the mapping is the stable node, which is what makes a page PageKsm (1.4): the migrated page is
// still a KSM page (never exclusive, always copied on write, 2.18 step 5).
TEST_CASE("A migrated KSM page is still a KSM page", "[ksm]") {
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nmigrate P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.pfn("P", "buf", 0) == s.pfn("Q", "buf", 0));
    CHECK(s.page("P", "buf", 0).test(PG_ksm));
    CHECK(s.page("P", "buf", 0).mapcount == 2);
    CHECK(s.violations("invariant").empty());
    auto w = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nmigrate P buf[0]\nexit Q\nwrite P buf[0] \"x\"\n");
    Pfn migrated = s.pfn("P", "buf", 0);
    CHECK(w.pfn("P", "buf", 0) != migrated);  // KSM: copy, even when mapped once
}

// era a (v5.7) do_wp_page() reuses a KSM page that nobody else holds: reuse_ksm_page() freezes page_count at 1,
// page_move_anon_rmap() makes it an ordinary anonymous page of this VMA again, and the write goes in place
// (semantics.md 3.3, "KSM: reuse_ksm_page() may reuse"; removed in v5.9 by 1a0cf26323c8, so eras b and c copy).
TEST_CASE("Era a reuses a KSM page that only one process still maps", "[ksm]") {
    const std::string text = kTwins + "ksm-merge P buf[0] Q buf[0]\nexit Q\nwrite P buf[0] \"mine\"\n";
    Pfn kpage = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\n", Era::a).pfn("P", "buf", 0);
    auto a = Sim::run(text, Era::a);
    CHECK(a.pfn("P", "buf", 0) == kpage);
    CHECK_FALSE(a.page("P", "buf", 0).test(PG_ksm));
    CHECK(a.kind("P", "buf", 0) == "present-rw");
    auto b = Sim::run(text, Era::b);
    CHECK(b.pfn("P", "buf", 0) != kpage);
}

// ksm_might_need_to_copy(): a swapped-out KSM page comes back as an ordinary
// page of the first process that faults it in; another process gets it only
// if its VMA shares that anon_vma (a fork relative) at the same index. Two
// unrelated processes whose VMAs happen to have the same name do not.
TEST_CASE("A swapped-out KSM page is copied for an unrelated process, whatever its VMA is called", "[ksm][swap]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nswapout P buf[0]\nread P buf[0]\nread Q buf[0]\n",
                          era);
        CHECK(s.pfn("P", "buf", 0) != s.pfn("Q", "buf", 0));
        CHECK(s.page("P", "buf", 0).mapcount == 1);
        CHECK(s.page("Q", "buf", 0).mapcount == 1);
        CHECK(s.data("Q", "buf", 0) == s.data("P", "buf", 0));
        CHECK(s.violations("invariant").empty());
        // A fork child shares the anon_vma: it maps the page P brought back.
        auto f = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nfork P C\nswapout P buf[0]\n"
                          "read P buf[0]\nread C buf[0]\n",
                          era);
        CHECK(f.pfn("P", "buf", 0) == f.pfn("C", "buf", 0));
        CHECK(f.page("P", "buf", 0).mapcount == 2);
    }
}
