// GUP (semantics.md 2.4, 2.6-2.8, 1.4 gup_must_unshare, 2.20 v6.2 rule).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
const std::string kShared = kWritten + "fork P C\n";
const std::string kThp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"data\"\n";
} // namespace

TEST_CASE("FOLL_GET adds one reference and changes nothing else", "[gup]") {
    auto s = Sim::run(kWritten + "get P buf[0] as G\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.holder("G").kind == HolderKind::get);
    CHECK(s.holder("G").pfn == s.pfn("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 2);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.k().process(s.process("P")).has_pinned == 0);  // only FOLL_PIN sets MMF_HAS_PINNED
}

TEST_CASE("FOLL_PIN on an order-0 page adds GUP_PIN_COUNTING_BIAS and sets MMF_HAS_PINNED", "[gup]") {
    auto s = Sim::run(kWritten + "pin P buf[0] write as H\n");
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.page("P", "buf", 0).mapcount == 1);
    CHECK(s.page("P", "buf", 0).pincount == 0);
    CHECK(s.k().folio_maybe_dma_pinned(s.pfn("P", "buf", 0)));
    CHECK(s.k().process(s.process("P")).has_pinned == 1);
}

TEST_CASE("FOLL_PIN on a THP adds 1 to the refcount and 1 to compound_pincount", "[gup]") {
    auto s = Sim::run(kThp + "pin P buf[3] write as H\n");
    CHECK(s.pmd("P", "buf", 3).is_trans_huge());
    const Page& head = s.head("P", "buf", 3);
    CHECK(head.refcount == 2);
    CHECK(head.pincount == 1);
    CHECK(s.holder("H").pfn == Pfn(s.pmd("P", "buf", 0).head().value + 3));  // the subpage
    CHECK(s.k().folio_maybe_dma_pinned(s.holder("H").pfn));
}

TEST_CASE("Releasing drops exactly what was taken, MMF_HAS_PINNED stays set", "[gup]") {
    auto pin = Sim::run(kWritten + "pin P buf[0] write as H\nrelease H\n");
    CHECK(pin.page("P", "buf", 0).refcount == 1);
    CHECK(pin.k().process(pin.process("P")).has_pinned == 1);
    CHECK(pin.holder("H").released == 1);
    auto get = Sim::run(kWritten + "get P buf[0] as G\nrelease G\n");
    CHECK(get.page("P", "buf", 0).refcount == 1);
    auto thp = Sim::run(kThp + "pin P buf[3] write as H\nrelease H\n");
    CHECK(thp.head("P", "buf", 3).refcount == 1);
    CHECK(thp.head("P", "buf", 3).pincount == 0);
}

TEST_CASE("A write pin of untouched memory faults in a fresh exclusive page and pins it", "[gup]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\npin P buf[0] write as H\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
}

TEST_CASE("A write pin of a shared page breaks COW first and pins the new page", "[gup]") {
    auto s = Sim::run(kShared + "pin P buf[0] write as H\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.pfn("P", "buf", 0) != s.pfn("C", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("C", "buf", 0).refcount == 1);
}

TEST_CASE("Era c: a read-only pin of a shared page unshares: a new exclusive R/O page is pinned", "[gup]") {
    auto s = Sim::run(kShared + "pin P buf[0] as H\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.kind("P", "buf", 0) == "present-ro");  // unshare never maps writable (2.4)
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.pfn("P", "buf", 0) != s.pfn("C", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.data("P", "buf", 0) == "data");
    // The child keeps the old page, now mapped once.
    CHECK(s.page("C", "buf", 0).refcount == 1);
    CHECK(s.page("C", "buf", 0).mapcount == 1);
    CHECK(s.kind("C", "buf", 0) == "present-ro");
}

TEST_CASE("Eras a and b: a read-only pin of a shared page pins the shared page as it is (B-3)", "[gup]") {
    for (Era era : {Era::a, Era::b}) {
        auto s = Sim::run(kShared + "pin P buf[0] as H\n", era);
        CAPTURE(era_letter(era));
        CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
        CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
        CHECK(s.page("P", "buf", 0).refcount == 2 + kPin);
        CHECK(s.page("P", "buf", 0).mapcount == 2);
    }
}

TEST_CASE("A read-only pin of an exclusive read-only page pins it without copying", "[gup]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\npin P buf[0] as H\n");
    Pfn before = Sim::run(kWritten + "clear-softdirty P\n").pfn("P", "buf", 0);
    CHECK(s.holder("H").pfn == before);
    CHECK(s.pfn("P", "buf", 0) == before);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
}

TEST_CASE("A read-only pin of a no-longer-shared page marks it exclusive without copying", "[gup]") {
    // fork, the child exits: not exclusive but page_count 1 → page_move_anon_rmap.
    auto s = Sim::run(kShared + "exit C\npin P buf[0] as H\n");
    Pfn before = Sim::run(kShared).pfn("P", "buf", 0);
    CHECK(s.holder("H").pfn == before);
    CHECK(s.pfn("P", "buf", 0) == before);
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("A write pin in a read-only VMA fails with -EFAULT and changes nothing", "[gup]") {
    auto s = Sim::run("process P\nmap P buf 1 ro\nread P buf[0]\npin P buf[0] write as H\n");
    CHECK(s.last_outcome() == "bad address (-EFAULT)");
    CHECK(s.pte("P", "buf", 0).pfn() == s.k().zero_pfn());
    CHECK_FALSE(s.k().find_holder("H"));
}

TEST_CASE("Era c: a long-term read-only pin of untouched memory maps a fresh exclusive page (v6.2)", "[gup]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\npin P buf[0] longterm as H\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.pfn("P", "buf", 0) != s.k().zero_pfn());
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(s.data("P", "buf", 0) == "");
}

TEST_CASE("A short-term read-only pin of untouched memory pins the shared zero page", "[gup]") {
    const int32_t zero_ref = Sim::run("process P\n").k().page(Pfn(1)).refcount;
    auto s = Sim::run("process P\nmap P buf 1 rw\npin P buf[0] as H\n");
    CHECK(s.pte("P", "buf", 0).pfn() == s.k().zero_pfn());
    CHECK(s.holder("H").pfn == s.k().zero_pfn());
    CHECK(s.k().page(s.k().zero_pfn()).refcount == zero_ref + kPin);
    for (Era era : {Era::a, Era::b}) {
        auto old = Sim::run("process P\nmap P buf 1 rw\npin P buf[0] longterm as H\n", era);
        CHECK(old.holder("H").pfn == old.k().zero_pfn());
    }
}

TEST_CASE("GUP-fast ends with the same pages as the slow path", "[gup]") {
    auto shared = Sim::run(kShared + "pin P buf[0] fast as H\n");
    CHECK(shared.holder("H").pfn == shared.pfn("P", "buf", 0));
    CHECK(shared.pfn("P", "buf", 0) != shared.pfn("C", "buf", 0));  // unshared on the slow path
    CHECK(shared.exclusive("P", "buf", 0));
    CHECK(shared.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(shared.page("C", "buf", 0).refcount == 1);  // the attempt on the old page was undone

    auto zero = Sim::run("process P\nmap P buf 1 rw\npin P buf[0] longterm fast as H\n");
    CHECK(zero.pfn("P", "buf", 0) != zero.k().zero_pfn());
    CHECK(zero.holder("H").pfn == zero.pfn("P", "buf", 0));

    auto get = Sim::run(kShared + "get P buf[0] fast as G\n");
    CHECK(get.holder("G").pfn == get.pfn("C", "buf", 0));  // FOLL_GET never unshares
    CHECK(get.page("P", "buf", 0).refcount == 3);

    auto write = Sim::run(kWritten + "pin P buf[0] write fast as H\n");
    CHECK(write.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK(write.k().process(write.process("P")).has_pinned == 1);
}

TEST_CASE("Era c: a read-only pin of a shared THP unshares one 4 KiB subpage", "[gup]") {
    auto s = Sim::run(kThp + "fork P C\npin P buf[3] as H\n");
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 3));
    CHECK(s.exclusive("P", "buf", 3));
    CHECK(s.kind("P", "buf", 3) == "present-ro");
    CHECK(s.pfn("P", "buf", 3) != s.pfn("C", "buf", 3));
    CHECK_FALSE(s.k().folio_test_large(s.holder("H").pfn));
    CHECK(s.pmd("C", "buf", 0).is_trans_huge());  // the child's PMD is untouched
}

TEST_CASE("A device writes only through a reference taken with FOLL_WRITE, the zero page stays zero",
          "[gup]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        // A short-term R/O pin of untouched memory holds the shared zero page.
        auto s = Sim::run("process P\nprocess Q\nmap P buf 1 rw\nmap Q buf 1 rw\nread P buf[0]\n"
                          "pin P buf[0] as H\ndma-write H \"X\"\n",
                          era);
        CHECK(s.last_outcome() == "reference is read-only (taken without FOLL_WRITE)");
        CHECK(s.k().page(s.k().zero_pfn()).contents == 0);
        auto q = Sim::run("process P\nprocess Q\nmap P buf 1 rw\nmap Q buf 1 rw\nread P buf[0]\n"
                          "pin P buf[0] as H\ndma-write H \"X\"\nread Q buf[0]\n",
                          era);
        CHECK(q.last_value() == "");
        // A FOLL_GET reference without write is read-only too; with write the store lands.
        auto g = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nget P buf[0] as G\ndma-write G \"b\"\n",
                          era);
        CHECK(g.last_outcome() == "reference is read-only (taken without FOLL_WRITE)");
        CHECK(g.data("P", "buf", 0) == "a");
        auto w = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nget P buf[0] write as G\n"
                          "dma-write G \"b\"\n",
                          era);
        CHECK(w.last_outcome() == "ok");
        CHECK(w.data("P", "buf", 0) == "b");
    }
}

TEST_CASE("GUP-fast grabs a huge zero PMD like a THP: only the small zero page's PTE is special", "[gup][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nread P buf[0]\npin P buf[3] fast as H\n";
    auto slow_path_taken = [](const Sim& s) {
        const Kernel& k = s.k();
        CommandRecord last = k.commands()[k.command_count() - 1];
        for (uint32_t step = last.step_begin; step < last.step_end; ++step)
            if (k.step_path(step).find("__get_user_pages") != std::string::npos)
                return true;
        return false;
    };
    for (Era era : {Era::a, Era::b, Era::c}) {
        auto s = Sim::run(text, era);
        CHECK(s.holder("H").pfn.value == s.k().huge_zero_pfn().value + 3);
        CHECK_FALSE(slow_path_taken(s));  // pinned by gup_huge_pmd itself
    }
    // Era c, long-term: gup_must_unshare undoes the grab and the slow path unshares.
    auto l = Sim::run("process P\nmap P buf 512 rw thp\nread P buf[0]\npin P buf[3] longterm fast as H\n");
    CHECK(slow_path_taken(l));
    CHECK_FALSE(l.k().is_zero_pfn(l.holder("H").pfn));
    // The small zero page behind a PTE is special: GUP-fast backs off at once.
    auto z = Sim::run("process P\nmap P buf 1 rw\nread P buf[0]\npin P buf[0] fast as H\n");
    CHECK(slow_path_taken(z));
    CHECK(z.holder("H").pfn == z.k().zero_pfn());
}

TEST_CASE("Era a has no MMF_HAS_PINNED: v5.7's mm did not remember pins (mm->has_pinned came in v5.9)",
          "[gup][era]") {
    auto a = Sim::run(kWritten + "pin P buf[0] write as H\n", Era::a);
    CHECK(a.k().process(a.process("P")).has_pinned == 0);
    CHECK_FALSE(a.step_says(4, "MMF_HAS_PINNED"));
    CHECK(a.page("P", "buf", 0).refcount == 1 + kPin);  // the pin itself is counted the same way
    auto b = Sim::run(kWritten + "pin P buf[0] write as H\n", Era::b);
    CHECK(b.k().process(b.process("P")).has_pinned == 1);
    CHECK(b.step_says(4, "set MMF_HAS_PINNED"));
}

TEST_CASE("MMF_HAS_PINNED is set on entry to pin_user_pages, so a pin the VMA refuses leaves it set too",
          "[gup]") {
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run("process P\nmap P buf 1 ro\nread P buf[0]\npin P buf[0] write as H\n", era);
        CHECK(s.last_outcome() == "bad address (-EFAULT)");
        CHECK(s.k().process(s.process("P")).has_pinned == 1);
    }
}

TEST_CASE("GUP on an address no VMA covers fails in find_extend_vma, a VMA that forbids it, in check_vma_flags",
          "[gup]") {
    auto gone = Sim::run("process P\nmap P buf 2 rw\nwrite P buf[1] \"x\"\nunmap P buf[1]\nget P buf[1] as G\n");
    CHECK(gone.last_outcome() == "bad address (-EFAULT)");
    CHECK(gone.step_says(5, "find_extend_vma: no VMA covers the address"));
    CHECK_FALSE(gone.step_says(5, "check_vma_flags"));
    auto none = Sim::run("process P\nmap P buf 1 rw\nprotect P buf none\npin P buf[0] as H\n");
    CHECK(none.last_outcome() == "bad address (-EFAULT)");
    CHECK(none.step_says(4, "check_vma_flags: the VMA does not allow this access"));
}

TEST_CASE("v5.7 counts a compound page's pins in hpage_pinned_refcount, later kernels in compound_pincount",
          "[gup][thp][era]") {
    auto a = Sim::run(kThp + "pin P buf[3] write as H\n", Era::a);
    CHECK(a.head("P", "buf", 3).pincount == 1);
    CHECK(a.step_says(4, "hpage_pinned_refcount +1"));
    CHECK_FALSE(a.step_says(4, "compound_pincount"));
    auto c = Sim::run(kThp + "pin P buf[3] write as H\n", Era::c);
    CHECK(c.head("P", "buf", 3).pincount == 1);
    CHECK(c.step_says(4, "compound_pincount +1"));
}

namespace {
// The refcount values the command on `line` wrote to `page`, in order.
std::vector<uint64_t> refcounts_written(const Sim& s, uint32_t line, Pfn page) {
    std::vector<uint64_t> out;
    for (const CommandRecord& c : s.k().commands()) {
        if (c.line != line)
            continue;
        for (const Change& ch : s.k().changes_of_steps(c.step_begin, c.step_end))
            if (ch.kind == ChangeKind::page && ch.index == page.value &&
                ch.field == static_cast<uint8_t>(PageField::refcount))
                out.push_back(ch.after());
    }
    return out;
}
} // namespace

TEST_CASE("A pin's bias comes and goes in the steps each era's kernel takes", "[gup][era]") {
    // Slow-path grab: one addition everywhere. GUP-fast from v5.14: one
    // reference, then the rest. Unpin: v5.14..v5.17 put 1023, then 1; v5.7 and
    // v6.2 subtract 1024 at once.
    const std::string slow = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\npin P buf[0] as H\nrelease H\n";
    const std::string fast = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\npin P buf[0] fast as H\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(slow, era);
        const Pfn page = s.pfn("P", "buf", 0);
        CHECK(refcounts_written(s, 4, page) == std::vector<uint64_t>{1025});
        CHECK(refcounts_written(s, 5, page) ==
              (era == Era::b ? std::vector<uint64_t>{2, 1} : std::vector<uint64_t>{1}));
        auto f = Sim::run(fast, era);
        CHECK(refcounts_written(f, 4, page) ==
              (era == Era::a ? std::vector<uint64_t>{1025} : std::vector<uint64_t>{2, 1025}));
        CHECK(f.page("P", "buf", 0).refcount == 1025);
    }
}

TEST_CASE("FOLL_TOUCH with FOLL_WRITE dirties a clean PTE's page, or the PMD, and nothing else", "[gup]") {
    // The write fault left a dirty PTE: the page is not dirtied again.
    auto dirty = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\npin P buf[0] write as H\n");
    CHECK_FALSE(dirty.page("P", "buf", 0).test(PG_dirty));
    // A PMD-mapped THP: the PMD is made young and dirty, not the page.
    auto thp = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\npin P buf[3] write as H\n");
    CHECK(thp.pmd("P", "buf", 0).has(Pte::dirty));
    CHECK(thp.pmd("P", "buf", 0).has(Pte::young));
    CHECK_FALSE(thp.head("P", "buf", 0).test(PG_dirty));
}

TEST_CASE("GUP-fast never looks at the VMA: it gives up on a PROT_NONE entry and the slow path refuses it",
          "[gup]") {
    for (const char* map : {"map P buf 1 rw\nwrite P buf[0] \"a\"\n", "map P buf 512 rw thp\nwrite P buf[0] \"a\"\n"}) {
        CAPTURE(map);
        auto s = Sim::run(std::string("process P\n") + map + "protect P buf none\npin P buf[0] fast as H\n");
        CHECK(s.last_outcome() == "bad address (-EFAULT)");
        std::vector<std::string> steps = s.steps_at_line(5);
        REQUIRE(steps.size() >= 2);
        CHECK(steps[steps.size() - 2].find("GUP-fast reads the entry: PROT_NONE") != std::string::npos);
        CHECK(steps.back().find("check_vma_flags") != std::string::npos);
        CHECK(s.k().process(s.process("P")).has_pinned == 1);
    }
}
