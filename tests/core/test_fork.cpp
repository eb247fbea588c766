// fork (semantics.md 2.5, commit message I.7; era differences 3.1, 3.3).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("fork shares an unpinned exclusive page: both map it read-only, it is no longer exclusive (I.7a)",
          "[fork]") {
    auto s = Sim::run(kWritten + "fork P C\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
    const Page& p = s.page("P", "buf", 0);
    CHECK_FALSE(p.test(PG_anon_exclusive));
    CHECK(p.mapcount == 2);
    CHECK(p.refcount == 2);
    CHECK(s.pte("C", "buf", 0).has(Pte::dirty));  // D kept for private mappings (2.5 step 4)
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("fork gives the child its own copy of a pinned page, the parent keeps W, exclusivity and the pin",
          "[fork]") {
    auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nfork P C\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.page("P", "buf", 0).mapcount == 1);

    // copy_present_page(): new page, page_add_new_anon_rmap (AE), W iff VM_WRITE.
    CHECK(s.pfn("C", "buf", 0) != s.pfn("P", "buf", 0));
    CHECK(s.kind("C", "buf", 0) == "present-rw");
    CHECK(s.exclusive("C", "buf", 0));
    CHECK(s.page("C", "buf", 0).refcount == 1);
    CHECK(s.page("C", "buf", 0).mapcount == 1);
    CHECK(s.data("C", "buf", 0) == "data");
}

TEST_CASE("A read-only pin on an exclusive page also makes fork copy the page for the child", "[fork]") {
    auto s = Sim::run(kWritten + "pin P buf[0] longterm as H\nfork P C\n");
    CHECK(s.pfn("C", "buf", 0) != s.holder("H").pfn);
    CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.kind("P", "buf", 0) == "present-rw");
}

TEST_CASE("fork duplicates a swap entry: slot count 2, the parent's entry loses its exclusive bit", "[fork]") {
    auto before = Sim::run(kWritten + "swapout P buf[0]\n");
    REQUIRE(before.pte("P", "buf", 0).has(Pte::swp_exclusive));
    auto s = Sim::run(kWritten + "swapout P buf[0]\nfork P C\n");
    Pte parent = s.pte("P", "buf", 0);
    Pte child = s.pte("C", "buf", 0);
    CHECK(parent.is_swap_entry());
    CHECK(child.is_swap_entry());
    CHECK(parent.swap_slot() == child.swap_slot());
    CHECK(s.slot("P", "buf", 0).count == 2);
    CHECK_FALSE(parent.has(Pte::swp_exclusive));
    CHECK_FALSE(child.has(Pte::swp_exclusive));
}

TEST_CASE("A MADV_DONTFORK range does not exist in the child: touching it is a segmentation fault", "[fork]") {
    auto s = Sim::run(kWritten + "madvise P buf dontfork\nfork P C\nread C buf[0]\n");
    CHECK(s.last_outcome() == "segmentation fault");
    // The parent is untouched: still writable and exclusive.
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).mapcount == 1);
}

TEST_CASE("A MADV_WIPEONFORK range starts empty in the child, the parent keeps its page", "[fork]") {
    auto s = Sim::run(kWritten + "madvise P buf wipeonfork\nfork P C\n");
    CHECK(s.kind("C", "buf", 0) == "none");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1);
    auto r = Sim::run(kWritten + "madvise P buf wipeonfork\nfork P C\nread C buf[0]\n");
    CHECK(r.last_outcome() == "ok");
    CHECK(r.last_value() == "");
}

TEST_CASE("fork of a device-private entry: both get a read-only entry, the device page is shared (I.7b)",
          "[fork]") {
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nfork P C\n");
    CHECK(s.kind("P", "buf", 0) == "device-private-ro");
    CHECK(s.kind("C", "buf", 0) == "device-private-ro");
    CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
    const Page& d = s.page("P", "buf", 0);
    CHECK(d.test(PG_device_private));
    CHECK_FALSE(d.test(PG_anon_exclusive));
    CHECK(d.mapcount == 2);
    CHECK(d.refcount == 2);
}

TEST_CASE("fork leaves a readable device-private entry alone: parent and child keep it, soft-dirty included",
          "[fork]") {
    // Only a writable entry is rewritten (and loses soft-dirty); a readable
    // one is copied to the child as it is, in every era. (v5.7 made
    // device-private entries without soft-dirty in the first place.)
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "protect P buf ro\nmigrate-to-device P buf\nfork P C\n", era);
        const bool soft_dirty = era != Era::a;
        CHECK(s.kind("P", "buf", 0) == "device-private-ro");
        CHECK(s.kind("C", "buf", 0) == "device-private-ro");
        CHECK(s.pte("P", "buf", 0).has(Pte::soft_dirty) == soft_dirty);
        CHECK(s.pte("C", "buf", 0).has(Pte::soft_dirty) == soft_dirty);
        CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
        CHECK(s.page("P", "buf", 0).mapcount == 2);
        // Before v5.18 a ZONE_DEVICE page also holds a reference of its own.
        CHECK(s.page("P", "buf", 0).refcount == (era == Era::c ? 2 : 3));
    }
}

TEST_CASE("fork turns a writable device-private entry readable in both, without soft-dirty", "[fork]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "migrate-to-device P buf\nfork P C\n", era);
        CHECK(s.kind("P", "buf", 0) == "device-private-ro");
        CHECK_FALSE(s.pte("P", "buf", 0).has(Pte::soft_dirty));
        CHECK_FALSE(s.pte("C", "buf", 0).has(Pte::soft_dirty));
    }
}

TEST_CASE("The zero page is shared by fork without any reference", "[fork]") {
    // buf[1] was written, so the VMA has an anon_vma and fork copies its PTEs.
    auto s = Sim::run("process P\nmap P buf 2 rw\nread P buf[0]\nwrite P buf[1] \"x\"\nfork P C\n");
    CHECK(s.pte("C", "buf", 0).pfn() == s.k().zero_pfn());
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK(s.k().page(s.k().zero_pfn()).refcount == Sim::run("process P\n").k().page(s.k().zero_pfn()).refcount);
}

TEST_CASE("Fork copies nothing from a VMA that has no anon_vma: only the zero page was ever mapped there",
          "[fork]") {
    // do_anonymous_page maps the zero page before anon_vma_prepare(); with no
    // anon_vma, copy_page_range (vma_needs_copy in v6.2) copies nothing.
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run("process P\nmap P buf 2 rw\nread P buf[0]\nfork P C\nread C buf[0]\n", era);
        CHECK(s.kind("P", "buf", 0) == "present-ro");
        CHECK_FALSE(s.k().vma(s.vma("P", "buf")).has_anon_vma);
        CHECK(s.step_says(4, "copy_page_range – this VMA has no anon_vma"));
        CHECK(s.last_value() == "");
        CHECK(s.kind("C", "buf", 0) == "present-ro");  // its own read fault mapped the zero page again
        CHECK(s.step_says(5, "do_anonymous_page"));
        // A write gives the VMA its anon_vma; the child of a later fork gets one too.
        auto w = Sim::run("process P\nmap P buf 2 rw\nread P buf[0]\nwrite P buf[1] \"x\"\nfork P C\n", era);
        CHECK(w.k().vma(w.vma("P", "buf")).has_anon_vma);
        CHECK(w.k().vma(w.vma("C", "buf")).has_anon_vma);
        // The huge zero page comes after anon_vma_prepare(): its PMD is copied.
        auto h = Sim::run("process P\nmap P buf 512 rw thp\nread P buf[0]\nfork P C\n", era);
        CHECK(h.pmd("C", "buf", 0).is_huge_zero());
    }
}

TEST_CASE("A FOLL_GET reference is invisible to fork: the page is shared (era c's known limitation)", "[fork]") {
    auto s = Sim::run(kWritten + "get P buf[0] as G\nfork P C\n");
    CHECK(s.pfn("C", "buf", 0) == s.pfn("P", "buf", 0));
    CHECK_FALSE(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 3);  // two mappings + the GET
    CHECK(s.page("P", "buf", 0).mapcount == 2);
}

TEST_CASE("Era b copies a possibly pinned page for the child, era a shares it (A-2)", "[fork]") {
    const std::string text = kWritten + "pin P buf[0] write longterm as H\nfork P C\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.kind("P", "buf", 0) == "present-rw");
    CHECK(b.pfn("P", "buf", 0) == b.holder("H").pfn);
    CHECK(b.pfn("C", "buf", 0) != b.pfn("P", "buf", 0));
    CHECK(b.kind("C", "buf", 0) == "present-rw");
    CHECK(b.page("P", "buf", 0).mapcount == 1);

    auto a = Sim::run(text, Era::a);
    CHECK(a.kind("P", "buf", 0) == "present-ro");
    CHECK(a.kind("C", "buf", 0) == "present-ro");
    CHECK(a.pfn("C", "buf", 0) == a.pfn("P", "buf", 0));
    CHECK(a.page("P", "buf", 0).mapcount == 2);
    CHECK(a.page("P", "buf", 0).refcount == 2 + kPin);
}

TEST_CASE("In era a, the parent's write after fork leaves its pin on the page the child now owns (A-2)",
          "[fork]") {
    auto a = Sim::run(kWritten + "pin P buf[0] write longterm as H\nfork P C\nwrite P buf[0] \"new\"\n",
                      Era::a);
    CHECK(a.pfn("P", "buf", 0) != a.holder("H").pfn);
    CHECK(a.pfn("C", "buf", 0) == a.holder("H").pfn);
    CHECK(a.held_data("H") == "data");
    CHECK_FALSE(a.violations("coherence").empty());
}

TEST_CASE("Era b does not copy an unpinned page at fork just because it holds a FOLL_GET reference",
          "[fork]") {
    auto b = Sim::run(kWritten + "get P buf[0] as G\nfork P C\n", Era::b);
    CHECK(b.pfn("C", "buf", 0) == b.pfn("P", "buf", 0));
    CHECK(b.page("P", "buf", 0).mapcount == 2);
}

TEST_CASE("copy_huge_pmd of a pinned THP: v5.17 tests for pins before taking a reference, v6.2 after",
          "[fork][thp][era]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"data\"\n"
                             "pin P buf[0] write as H\nfork P C\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.step_says(5, "page_needs_cow_for_dma: the THP may be pinned"));
    CHECK_FALSE(b.step_says(5, "get_page on the THP"));
    auto c = Sim::run(text, Era::c);
    CHECK(c.step_says(5, "get_page on the THP, then page_try_dup_anon_rmap"));
    CHECK(c.step_says(5, "drop the reference, split the parent's PMD"));
    for (const Sim* s : {&b, &c}) {
        // Either way the parent's PMD is split and the child gets copies.
        CHECK_FALSE(s->pmd("P", "buf", 0).is_trans_huge());
        CHECK(s->pfn("C", "buf", 0) != s->pfn("P", "buf", 0));
        CHECK(s->data("C", "buf", 0) == "data");
        CHECK(s->holder("H").pfn == s->pfn("P", "buf", 0));
    }
}

TEST_CASE("copy_present_pte of a pinned page: v6.2 takes the child's reference, is refused, and gives it back",
          "[fork][era]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\npin P buf[0] write as H\n"
                             "fork P C\n";  // fork on line 5
    // The refcount changes of the pinned page that fork's refusal step makes.
    auto refusal_refcounts = [](const Sim& s, Pfn page) {
        std::vector<std::pair<uint64_t, uint64_t>> out;
        for (const CommandRecord& c : s.k().commands()) {
            if (c.line != 5)
                continue;
            for (uint32_t step = c.step_begin; step < c.step_end; ++step) {
                if (s.k().step_sentence(step).find("must not share it") == std::string::npos)
                    continue;
                for (const Change& ch : s.k().step_changes_of(step))
                    if (ch.kind == ChangeKind::page && ch.index == page.value &&
                        ch.field == static_cast<uint8_t>(PageField::refcount))
                        out.emplace_back(ch.before(), ch.after());
            }
        }
        return out;
    };
    auto c = Sim::run(text, Era::c);
    Pfn pinned = c.pfn("P", "buf", 0);
    const uint64_t r = 1 + kPin;
    CHECK(c.step_says(5, "get_page; page_try_dup_anon_rmap refuses (-EBUSY)"));
    CHECK(refusal_refcounts(c, pinned) == std::vector<std::pair<uint64_t, uint64_t>>{{r, r + 1}, {r + 1, r}});
    CHECK(c.page("P", "buf", 0).refcount == r);
    CHECK(c.pfn("C", "buf", 0) != pinned);
    // v5.17 asks page_needs_cow_for_dma first: no reference comes and goes.
    auto b = Sim::run(text, Era::b);
    CHECK(b.step_says(5, "page_needs_cow_for_dma: the page may be pinned"));
    CHECK(refusal_refcounts(b, b.pfn("P", "buf", 0)).empty());
}

TEST_CASE("write_protect_seq is odd while each COW VMA is copied (v5.11+), not across all of fork", "[fork]") {
    // Two VMAs with pages, and one where only the zero page was mapped (no
    // anon_vma: copy_page_range returns before touching the counter).
    const std::string text = "process P\nmap P a 1 rw\nmap P b 1 rw\nmap P z 1 rw\nwrite P a[0] \"x\"\n"
                             "write P b[0] \"y\"\nread P z[0]\nfork P C\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        const Kernel& k = s.k();
        const bool seq = era != Era::a;
        CHECK(k.process(s.process("P")).write_protect_seq == (seq ? 4u : 0u));
        std::vector<std::string> odd_steps;
        for (const std::string& step : s.steps_at_line(8))
            if (step.find("write_protect_seq") != std::string::npos)
                odd_steps.push_back(step);
        REQUIRE(odd_steps.size() == (seq ? 4u : 0u));
        if (seq) {
            CHECK(odd_steps[0].starts_with("dup_mmap → copy_page_range – a COW mapping: write_protect_seq becomes odd"));
            CHECK(odd_steps[1].starts_with("dup_mmap → copy_page_range – this VMA is copied"));
        }
        CHECK(s.step_says(8, "has no anon_vma"));
    }
}

TEST_CASE("A VM_WIPEONFORK VMA is not copied, so write_protect_seq stays even for it", "[fork]") {
    const std::string text = "process P\nmap P a 1 rw\nmap P w 1 rw\nwrite P a[0] \"x\"\nwrite P w[0] \"y\"\n"
                             "madvise P w wipeonfork\nfork P C\n";
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.k().process(s.process("P")).write_protect_seq == 2u);  // a's copy only
        CHECK(s.kind("C", "w", 0) == "none");
        CHECK(s.kind("C", "a", 0) == "present-ro");
    }
}
