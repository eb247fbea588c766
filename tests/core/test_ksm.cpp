// KSM (semantics.md 2.18, scenario S11; mm/ksm.c try_to_merge_two_pages).
#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
// Two processes, one page each, same contents. Lines 1-6.
const std::string kTwins = "process P\nmap P buf 1 rw\nwrite P buf[0] \"same\"\n"
                           "process Q\nmap Q buf 1 rw\nwrite Q buf[0] \"same\"\n";

// A 4 KiB page a[0] and, as the second page of the pair, buf[5]: a subpage of
// a PMD-mapped THP that a pin on buf[9] keeps from being split. Lines 1-6.
const std::string kPageThenPinnedThp = "process P\nmap P a 1 rw\nmap P buf 512 rw thp\nwrite P a[0] \"same\"\n"
                                       "write P buf[5] \"same\"\npin P buf[9] write as H\n";

// The scenario line the next command appended to `text` will have.
uint32_t next_line(const std::string& text) {
    return static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// Position of the first step of the command on `line` that says `words`
// (in its call path or its sentence); the number of steps if none does.
size_t first_step_saying(const Sim& s, uint32_t line, const std::string& words) {
    const std::vector<std::string> steps = s.steps_at_line(line);
    return static_cast<size_t>(std::find_if(steps.begin(), steps.end(),
                                            [&](const std::string& x) { return x.find(words) != std::string::npos; }) -
                               steps.begin());
}
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
// calls break_cow() on the first page, which already became a KSM page with a single PTE. v6.2's break_ksm()
// takes an unshare fault: do_wp_page() copies the KSM page (2.3: KSM pages are always copied) into an
// exclusive page mapped read-only. Before v6.2 it was a write fault, so the copy was mapped writable.
TEST_CASE("When the second page cannot be merged, KSM breaks COW on the first one again",
          "[ksm]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const Pfn ksm = Sim::run(kTwins, era).pfn("P", "buf", 0);
        auto s = Sim::run(kTwins + "pin Q buf[0] write longterm as H\nksm-merge P buf[0] Q buf[0]\n", era);
        CHECK(s.last_outcome() == "page is pinned");
        CHECK(s.pfn("Q", "buf", 0) == s.holder("H").pfn);
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
        CHECK(s.pfn("P", "buf", 0) != ksm);  // copied, in every era
        CHECK(s.kind("P", "buf", 0) == (era == Era::c ? "present-ro" : "present-rw"));
        CHECK(s.data("P", "buf", 0) == "same");
        if (era == Era::c)
            CHECK(s.exclusive("P", "buf", 0));
    }
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

// mm/ksm.c try_to_merge_two_pages() (v5.7, v5.17, v6.2 alike):
// try_to_merge_with_ksm_page(rmap_item, page, NULL) first makes the first
// page a KSM page; only then try_to_merge_with_ksm_page(tree_rmap_item,
// tree_page, page) looks at the second, and its try_to_merge_one_page()
// splits a THP there. When that split fails (the THP is pinned), break_cow()
// faults the first address: break_ksm() holds a reference across the write
// fault before v6.2, so even era a copies the KSM page; v6.2 unshares it
// (an exclusive copy mapped read-only).
TEST_CASE("KSM makes the first page a KSM page before it tries to split the second page's THP", "[ksm]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const Pfn first = Sim::run(kPageThenPinnedThp, era).pfn("P", "a", 0);
        auto s = Sim::run(kPageThenPinnedThp + "ksm-merge P a[0] P buf[5]\n", era);
        const uint32_t line = next_line(kPageThenPinnedThp);
        CHECK(s.last_outcome() == "page is pinned");
        const size_t made_ksm = first_step_saying(s, line, "set_page_stable_node");
        const size_t split = first_step_saying(s, line, "split_huge_page –");
        const size_t broke = first_step_saying(s, line, "break_cow");
        const size_t none = s.steps_at_line(line).size();
        CHECK(made_ksm < split);
        CHECK(split < broke);
        CHECK(broke < none);
        CHECK(s.step_says(line, era == Era::c ? "can_split_folio fails" : "can_split_huge_page fails"));
        // The first address maps an ordinary anonymous page again.
        CHECK(s.kind("P", "a", 0) == (era == Era::c ? "present-ro" : "present-rw"));
        CHECK(s.data("P", "a", 0) == "same");
        const Page& a = s.page("P", "a", 0);
        CHECK_FALSE(a.test(PG_ksm));
        CHECK(a.mapcount == 1);
        CHECK(a.refcount == 1);
        CHECK(s.pfn("P", "a", 0) != first);  // the KSM page is copied and freed
        CHECK(s.k().page(first).refcount == 0);
        CHECK_FALSE(s.k().page(first).test(PG_allocated));
        if (era == Era::c)
            CHECK(s.exclusive("P", "a", 0));
        // The THP is untouched: still one PMD, still pinned.
        CHECK(s.pmd("P", "buf", 5).is_trans_huge());
        CHECK(s.head("P", "buf", 5).pincount == 1);
        CHECK(s.kind("P", "buf", 5) == "present-rw");
        CHECK(s.violations("invariant").empty());
    }
}

// The first page was swapped out and read back, so its PTE is clean and
// read-only, and a FOLL_GET reference G holds it. Eras a and b:
// write_protect_page() only checks the refcount when the PTE is writable or
// dirty, so G goes unseen and the page becomes a KSM page; the THP split of
// the second page fails; break_cow() then copies the KSM page (it is in the
// swap cache and G holds it), and G is left on a page P no longer maps. Era c
// (v5.19+): the page is PageAnonExclusive (the swap entry kept the bit), so
// write_protect_page() does the refcount test, sees G and gives up on the
// first page: the second page is never looked at.
TEST_CASE("A swapped-in page held by FOLL_GET: eras a and b merge it then break COW, era c refuses it first",
          "[ksm]") {
    const std::string setup = kPageThenPinnedThp + "swapout P a[0]\nread P a[0]\nget P a[0] as G\n";
    const uint32_t line = next_line(setup);
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(setup + "ksm-merge P a[0] P buf[5]\n", era);
        CHECK(s.last_outcome() == "page is pinned");  // the THP's pin stopped the pair
        CHECK(s.step_says(line, "the PTE is already clean and read-only"));
        CHECK(first_step_saying(s, line, "set_page_stable_node") < first_step_saying(s, line, "break_cow"));
        CHECK(s.kind("P", "a", 0) == "present-rw");
        CHECK(s.pfn("P", "a", 0) != s.holder("G").pfn);
        CHECK(s.data("P", "a", 0) == "same");
        CHECK(s.page("P", "a", 0).refcount == 1);
        const Page& old = s.held_page("G");
        CHECK(old.test(PG_ksm));
        CHECK(old.mapcount == 0);
        if (era == Era::a) {
            CHECK(old.test(PG_swapcache));  // v5.7's wp_page_copy leaves the swap cache to reclaim
            CHECK(old.refcount == 2);       // the swap cache and G
        } else {
            CHECK_FALSE(old.test(PG_swapcache));  // v5.14+: free_swap_cache after the copy
            CHECK(old.refcount == 1);             // G
        }
        CHECK_FALSE(s.violations("coherence").empty());  // G no longer sees what P maps
        CHECK(s.pmd("P", "buf", 5).is_trans_huge());
        CHECK(s.violations("invariant").empty());
    }
    auto c = Sim::run(setup + "ksm-merge P a[0] P buf[5]\n", Era::c);
    CHECK(c.last_outcome() == "page has unexpected references");
    CHECK(c.step_says(line, "someone holds a GUP reference or pin"));
    CHECK_FALSE(c.step_says(line, "split_huge_page"));
    CHECK_FALSE(c.step_says(line, "break_cow"));
    CHECK(c.kind("P", "a", 0) == "present-ro");
    CHECK(c.pfn("P", "a", 0) == c.holder("G").pfn);
    CHECK(c.exclusive("P", "a", 0));
    const Page& a = c.page("P", "a", 0);
    CHECK_FALSE(a.test(PG_ksm));
    CHECK(a.test(PG_swapcache));
    CHECK(a.mapcount == 1);
    CHECK(a.refcount == 3);  // the mapping, the swap cache and G
    CHECK(c.pmd("P", "buf", 5).is_trans_huge());
    CHECK(c.violations("coherence").empty());
    CHECK(c.violations("invariant").empty());
}

// write_protect_page()'s refcount test cannot tell a pin from a FOLL_GET;
// the outcome names a pin only when the page may be pinned.
TEST_CASE("KSM refused by a FOLL_GET reference says extra references, not a pin", "[ksm]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kTwins + "get P buf[0] as G\nksm-merge P buf[0] Q buf[0]\n", era);
        CHECK(s.last_outcome() == "page has unexpected references");
        auto t = Sim::run(kPageThenPinnedThp + "release H\nget P buf[9] as G\nksm-merge P a[0] P buf[5]\n", era);
        CHECK(t.last_outcome() == "page has unexpected references");  // the THP split failed on G
        CHECK(t.pmd("P", "buf", 5).is_trans_huge());
    }
}

TEST_CASE("A KSM page already in the stable tree takes the other page, whichever address names it", "[ksm]") {
    // v[0] and v[1] become one KSM page; v[2] then merges into it even when
    // it is the first address of the command (stable_tree_search).
    const std::string text = "process P\nmap P v 3 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nwrite P v[2] \"s\"\n"
                             "ksm-merge P v[0] P v[1]\nksm-merge P v[2] P v[0]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.step_says(7, "stable_tree_search finds a KSM page"));
        CHECK(s.pfn("P", "v", 2) == s.pfn("P", "v", 0));
        CHECK(s.pfn("P", "v", 1) == s.pfn("P", "v", 0));
        CHECK(s.page("P", "v", 0).mapcount == 3);
        // replace_page builds the PTE from the VMA's protection: young, not soft-dirty.
        CHECK(s.pte("P", "v", 2).has(Pte::young));
        CHECK_FALSE(s.pte("P", "v", 2).has(Pte::soft_dirty));
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("KSM does not merge a page with itself: a page shared after fork stays an ordinary page", "[ksm]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kTwins + "fork P C\nksm-merge P buf[0] C buf[0]\n", era);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.step_says(8, "KSM does not merge a page with itself"));
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
        CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
        CHECK(s.page("P", "buf", 0).mapcount == 2);
    }
}

TEST_CASE("Era a: do_wp_page copies a KSM page someone else holds before reuse_ksm_page is asked", "[ksm][era]") {
    auto s = Sim::run(kTwins + "ksm-merge P buf[0] Q buf[0]\nwrite P buf[0] \"mine\"\n", Era::a);
    CHECK(s.step_says(8, "do_wp_page – a KSM page in the swap cache or held by someone else"));
    CHECK_FALSE(s.step_says(8, "reuse_ksm_page"));
    CHECK(s.pfn("P", "buf", 0) != s.pfn("Q", "buf", 0));
}

TEST_CASE("Two subpages of one THP: the first pass only splits it (KSM's two references), the next one merges",
          "[ksm][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"same\"\nwrite P buf[1] \"same\"\n"
                             "ksm-merge P buf[0] P buf[1]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "both pages are in one THP: KSM split it and merged nothing yet");
        // try_to_merge_two_pages' split sees the scan's and the lookup's reference.
        CHECK(s.step_says(5, era == Era::c ? "can_split_folio fails" : "can_split_huge_page fails"));
        CHECK(s.step_says(5, "refcount 3, expected 2"));
        CHECK(s.pmd("P", "buf", 0).is_table());
        CHECK(s.kind("P", "buf", 0) == "present-rw");
        CHECK(s.kind("P", "buf", 1) == "present-rw");
        CHECK(s.pfn("P", "buf", 0) != s.pfn("P", "buf", 1));
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_ksm));
        // Both references are gone again: each 4 KiB page has only its mapping's.
        CHECK(s.page("P", "buf", 0).refcount == 1);
        CHECK(s.page("P", "buf", 0).in_flight == 0);
        CHECK(s.page("P", "buf", 1).refcount == 1);
        CHECK_FALSE(s.page("P", "buf", 0).test(PG_locked));
        if (era == Era::c) {
            CHECK(s.exclusive("P", "buf", 0));
            CHECK(s.exclusive("P", "buf", 1));
        }
        CHECK(s.violations("invariant").empty());

        auto again = Sim::run(text + "ksm-merge P buf[0] P buf[1]\n", era);
        CHECK(again.last_outcome() == "ok");
        CHECK(again.pfn("P", "buf", 0) == again.pfn("P", "buf", 1));
        CHECK(again.page("P", "buf", 0).test(PG_ksm));
        CHECK(again.page("P", "buf", 0).refcount == 2);
        CHECK(again.violations("invariant").empty());
    }
}

TEST_CASE("stable_tree_search goes by contents: two new pages equal to a KSM page both merge into it", "[ksm]") {
    const std::string text = "process P\nmap P v 4 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nwrite P v[2] \"s\"\n"
                             "write P v[3] \"s\"\nksm-merge P v[0] P v[1]\nksm-merge P v[2] P v[3]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.step_says(8, "stable_tree_search finds a KSM page with the same contents"));
        CHECK_FALSE(s.step_says(8, "set_page_stable_node"));  // no second KSM page is made
        const Pfn kpage = s.pfn("P", "v", 0);
        for (uint32_t i = 1; i < 4; ++i)
            CHECK(s.pfn("P", "v", i) == kpage);
        CHECK(s.k().page(kpage).mapcount == 4);
        CHECK(s.k().page(kpage).refcount == 4);
        CHECK(s.k().page(kpage).in_flight == 0);
        CHECK(s.kind("P", "v", 3) == "present-ro");
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("A pin on one page keeps only that page out of the stable KSM page, the other still merges", "[ksm]") {
    const std::string text = "process P\nmap P v 4 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nwrite P v[2] \"s\"\n"
                             "write P v[3] \"s\"\nksm-merge P v[0] P v[1]\npin P v[2] write as H\n"
                             "ksm-merge P v[2] P v[3]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "page is pinned");
        CHECK(s.pfn("P", "v", 3) == s.pfn("P", "v", 0));
        CHECK(s.pfn("P", "v", 2) == s.holder("H").pfn);
        CHECK(s.kind("P", "v", 2) == "present-rw");  // restored as it was, no break_cow
        CHECK_FALSE(s.step_says(9, "break_cow"));
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("Eras a, b: break_cow write-faults while the scan holds the KSM page (page_count 3)",
          "[ksm]") {
    const std::string text = "process P\nmap P v 2 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nget P v[1] as G\n"
                             "ksm-merge P v[0] P v[1]\n";
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "page has unexpected references");
        // The mapping, the scan's reference and break_ksm's own: wp_page_copy's
        // temporary reference makes the fourth.
        if (era == Era::a)
            CHECK(s.step_says(6, "held by someone else (page_count 3)"));
        bool copy_saw_three = false;
        for (const CommandRecord& c : s.k().commands())
            for (uint32_t step = c.step_begin; c.line == 6 && step < c.step_end; ++step)
                if (s.k().step_path(step).ends_with("wp_page_copy"))
                    for (const std::string& change : s.k().step_changes(step))
                        copy_saw_three |= change.ends_with("refcount 3 → 4");
        CHECK(copy_saw_three);
        CHECK(s.kind("P", "v", 0) == "present-rw");
        CHECK_FALSE(s.page("P", "v", 0).test(PG_ksm));
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("KSM skips an address with no page behind it: a device-private entry is not followed", "[ksm]") {
    const std::string text = "process P\nmap P v 2 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\n"
                             "migrate-to-device P v[1]\nksm-merge P v[0] P v[1]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "no page mapped at this address");
        CHECK(s.step_says(6, "follow_page finds no page mapped at the second address"));
        CHECK(s.kind("P", "v", 1) == "device-private-rw");
    }
}

TEST_CASE("The stable tree is searched before the second address is looked at", "[ksm]") {
    // v[0] and v[1] share a KSM page; v[2] holds the same data, v[3] other
    // data and v[4] nothing. Scanning v[2] merges it whatever v[3] or v[4] are.
    const std::string text = "process P\nmap P v 5 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nwrite P v[2] \"s\"\n"
                             "write P v[3] \"t\"\nksm-merge P v[0] P v[1]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto differ = Sim::run(text + "ksm-merge P v[2] P v[3]\n", era);
        CHECK(differ.last_outcome() == "pages differ in content");
        CHECK(differ.pfn("P", "v", 2) == differ.pfn("P", "v", 0));
        CHECK(differ.kind("P", "v", 3) == "present-rw");
        CHECK(differ.violations("invariant").empty());
        auto hole = Sim::run(text + "ksm-merge P v[2] P v[4]\n", era);
        CHECK(hole.last_outcome() == "no page mapped at this address");
        CHECK(hole.pfn("P", "v", 2) == hole.pfn("P", "v", 0));
        CHECK(hole.kind("P", "v", 4) == "none");
    }
}

TEST_CASE("A page shared after fork joins a KSM page with its contents through both mappings", "[ksm]") {
    const std::string text = "process P\nmap P v 3 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\nwrite P v[2] \"s\"\n"
                             "ksm-merge P v[0] P v[1]\nfork P C\nksm-merge P v[2] C v[2]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const Pfn shared = Sim::run(text.substr(0, text.rfind("ksm-merge")), era).pfn("P", "v", 2);
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "ok");
        const Pfn kpage = s.pfn("P", "v", 0);
        CHECK(s.pfn("P", "v", 2) == kpage);
        CHECK(s.pfn("C", "v", 2) == kpage);
        // write_protect_page passed: mapcount 2 + the scan's reference was the whole refcount.
        CHECK(s.k().page(kpage).mapcount == 6);
        CHECK(s.k().page(shared).refcount == 0);
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("break_cow's copy in a PROT_NONE range is PROT_NONE too: GUP-fast still refuses it", "[ksm][mprotect]") {
    const std::string text = "process P\nmap P v 2 rw\nwrite P v[0] \"s\"\nwrite P v[1] \"s\"\npin P v[1] as H\n"
                             "protect P v none\nksm-merge P v[0] P v[1]\nget P v[0] fast as G\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.outcome_at_line(7) == "page is pinned");
        CHECK(s.step_says(7, "break_cow"));
        CHECK(s.pte("P", "v", 0).has(Pte::protnone));
        CHECK_FALSE(s.pte("P", "v", 0).has(Pte::write));
        CHECK_FALSE(s.page("P", "v", 0).test(PG_ksm));
        CHECK(s.last_outcome() == "bad address (-EFAULT)");
        CHECK(s.violations("invariant").empty());
    }
}

TEST_CASE("A swap cache page that becomes the KSM page leaves swap entries at both addresses when reclaimed",
          "[ksm][swap]") {
    // Read back from swap, buf[0]'s page stays in the swap cache; KSM makes it
    // the KSM page, and reclaim then puts the same swap entry at both addresses.
    const std::string text = "process Q\nmap Q v 2 rw\nwrite Q v[0] \"q\"\nwrite Q v[1] \"q\"\nswapout Q v[0]\n"
                             "read Q v[0]\nksm-merge Q v[0] Q v[1]\nswapout Q v[0]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.outcome_at_line(7) == "ok");
        CHECK(s.kind("Q", "v", 0) == "swap");
        CHECK(s.kind("Q", "v", 1) == "swap");
        CHECK(s.pte("Q", "v", 0).swap_slot() == s.pte("Q", "v", 1).swap_slot());
        CHECK(s.slot("Q", "v", 0).count == 2);
        CHECK(s.violations_text() == "");
    }
}

// get_ksm_page() finds a KSM page for as long as it is not freed: unmapped
// everywhere but kept alive by a GUP reference, it still takes new pages with
// its contents, and the reference sees what they map.
TEST_CASE("An unmapped KSM page a reference keeps alive is still in the stable tree", "[ksm]") {
    const std::string text = "process P\nmap P buf 4 rw\nwrite P buf[0] \"same\"\nwrite P buf[1] \"same\"\n"
                             "ksm-merge P buf[0] P buf[1]\nget P buf[0] as G\nmadvise P buf[0..1] dontneed\n"
                             "write P buf[2] \"same\"\nwrite P buf[3] \"same\"\n"
                             "ksm-merge P buf[2] P buf[3]\n";  // line 10
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.step_says(10, "stable_tree_search finds a KSM page"));
        const Pfn kpage = s.holder("G").pfn;
        CHECK(s.pfn("P", "buf", 2) == kpage);
        CHECK(s.pfn("P", "buf", 3) == kpage);
        CHECK(s.k().page(kpage).test(PG_ksm));
        CHECK(s.k().page(kpage).mapcount == 2);
        CHECK(s.k().page(kpage).refcount == 3);  // two mappings and G
        CHECK(s.kind("P", "buf", 2) == "present-ro");
        CHECK(s.violations("coherence").empty());
    }
}
