// Device migration, the project's seed (mm/migrate_device.c; semantics.md 2.15,
// 2.16 and the worked example of 2.15; commit message I.3, I.7b).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {
// Lines 1-3.
const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"data\"\n";
}

TEST_CASE("The seed's worked example: an exclusive writable page S moves to a device page D", "[device]") {
    Pfn s_pfn = Sim::run(kWritten).pfn("P", "buf", 0);
    auto s = Sim::run(kWritten + "migrate-to-device P buf\n");  // line 4
    CHECK(s.last_outcome() == "ok");
    // collect: migration-W (MIGRATE_PFN_WRITE) replaces the present PTE.
    CHECK(s.wrote_kind_at_line(4, PteKind::migration_write));
    // finalize: devpriv-W, D ref 1, map 1, AE 1.
    CHECK(s.kind("P", "buf", 0) == "device-private-rw");
    Pfn d_pfn = s.pte("P", "buf", 0).pfn();
    const Page& d = s.k().page(d_pfn);
    CHECK(d.test(PG_device_private));
    CHECK(d.test(PG_anon));
    CHECK(d.test(PG_anon_exclusive));
    CHECK(d.mapcount == 1);
    CHECK(d.refcount == 1);
    CHECK_FALSE(d.test(PG_locked));
    CHECK(s.data(d_pfn) == "data");
    // S: putback_lru_page drops the last reference: freed.
    CHECK(s.k().page(s_pfn).refcount == 0);
    CHECK_FALSE(s.k().page(s_pfn).test(PG_allocated));
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("Holes and the zero page become zeroed, exclusive device pages", "[device]") {
    auto s = Sim::run("process P\nmap P buf 3 rw\nread P buf[1]\nwrite P buf[2] \"two\"\n"
                      "migrate-to-device P buf\n");
    for (uint32_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(s.kind("P", "buf", i) == "device-private-rw");
        const Page& d = s.page("P", "buf", i);
        CHECK(d.test(PG_device_private));
        CHECK(d.test(PG_anon_exclusive));  // migrate_vma_insert_page: page_add_new_anon_rmap
        CHECK(d.mapcount == 1);
        CHECK(d.refcount == 1);
    }
    CHECK(s.data("P", "buf", 0) == "");
    CHECK(s.data("P", "buf", 1) == "");
    CHECK(s.data("P", "buf", 2) == "two");
}

TEST_CASE("A read-only VMA gets read-only device entries that are still exclusive", "[device]") {
    auto s = Sim::run("process P\nmap P buf 1 ro\nread P buf[0]\nmigrate-to-device P buf\n");
    CHECK(s.kind("P", "buf", 0) == "device-private-ro");
    CHECK(s.exclusive("P", "buf", 0));
}

TEST_CASE("A pinned exclusive page is skipped: it stays mapped writable and pinned", "[device]") {
    auto before = Sim::run(kWritten + "pin P buf[0] write longterm as H\n");
    auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nmigrate-to-device P buf\n");  // line 5
    CHECK(s.last_outcome() == "ok");  // the command succeeds; the page just stays
    for (Pte p : s.ptes_written_at_line(5))
        CHECK_FALSE(p.is_migration_entry());
    CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_locked));
}

TEST_CASE("A page with a FOLL_GET reference is restored: migrate_vma_check_page sees the extra reference",
          "[device]") {
    auto before = Sim::run(kWritten + "get P buf[0] as G\n");
    auto s = Sim::run(kWritten + "get P buf[0] as G\nmigrate-to-device P buf\n");  // line 5
    CHECK(s.last_outcome() == "ok");
    CHECK(s.wrote_kind_at_line(5, PteKind::migration_write));  // collected, then restored
    // remove_migration_pte() rebuilds the PTE: same page, writable, but old and
    // clean (the dirty bit went to the page when the entry was installed).
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.pfn("P", "buf", 0) == before.pfn("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).test(PG_dirty));  // v6.0 moves the PTE's dirty bit to the page
    CHECK(s.exclusive("P", "buf", 0));  // restored from the W entry
    // Before v6.0 migrate_vma_collect_pmd dropped the dirty bit with the PTE.
    auto b = Sim::run(kWritten + "get P buf[0] as G\nmigrate-to-device P buf\n", Era::b);
    CHECK_FALSE(b.page("P", "buf", 0).test(PG_dirty));
    CHECK(s.page("P", "buf", 0).refcount == 2);
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_locked));
    CHECK(s.page("P", "buf", 0).test(PG_lru));
}

TEST_CASE("Eras a and b collect a pinned page, then migrate_vma_check_page restores it", "[device]") {
    for (Era era : {Era::a, Era::b}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kWritten + "pin P buf[0] write longterm as H\nmigrate-to-device P buf\n", era);
        CHECK(s.wrote_kind_at_line(5, PteKind::migration_write));
        CHECK(s.kind("P", "buf", 0) == "present-rw");
        CHECK(s.pfn("P", "buf", 0) == s.holder("H").pfn);
        CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
    }
}

// migrate_vma_pages() refuses to move a page that has a mapping (a file page or, as here, a swap cache page) to
// device-private memory: "src page present: device-private dst and src has a mapping (file/swapcache) → clear
// MIGRATE" (semantics.md 2.15, pages). The page is restored from its RX entry: present, read-only, still
// exclusive, still in the swap cache.
TEST_CASE("A page still in the swap cache is not migrated to device memory", "[device]") {
    const std::string setup = kWritten + "swapout P buf[0]\nread P buf[0]\n";
    Pfn page = Sim::run(setup).pfn("P", "buf", 0);
    REQUIRE(Sim::run(setup).page("P", "buf", 0).test(PG_swapcache));
    auto s = Sim::run(setup + "migrate-to-device P buf\n");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.pfn("P", "buf", 0) == page);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).test(PG_swapcache));
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_device_private));
}

TEST_CASE("A swapped-out page is not collected and stays on swap", "[device]") {
    auto before = Sim::run(kWritten + "swapout P buf[0]\n");
    auto s = Sim::run(kWritten + "swapout P buf[0]\nmigrate-to-device P buf\n");
    CHECK(s.pte("P", "buf", 0) == before.pte("P", "buf", 0));
    CHECK(s.slot("P", "buf", 0).count == 1);
}

TEST_CASE("A CPU read migrates the page back to system memory with its data, exclusive", "[device]") {
    Pfn d_pfn = Sim::run(kWritten + "migrate-to-device P buf\n").pte("P", "buf", 0).pfn();
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nread P buf[0]\n");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.last_value() == "data");
    // The devpriv-W entry became migration-W: restored present, W (VM_WRITE), AE.
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    const Page& page = s.page("P", "buf", 0);
    CHECK_FALSE(page.test(PG_device_private));
    CHECK(page.refcount == 1);
    CHECK(page.mapcount == 1);
    CHECK_FALSE(page.test(PG_locked));
    // free_zone_device_page(): AE and the mapping are cleared.
    CHECK_FALSE(s.k().page(d_pfn).test(PG_anon_exclusive));
    CHECK(s.k().page(d_pfn).mapcount == 0);
}

// 27674ef6c73f (v5.18): before it, a ZONE_DEVICE page kept one reference of
// its own, free or in use; the driver's get_page() came on top, and
// put_page() handed the page back to the driver when the count fell to 1.
TEST_CASE("Before v5.18 a device page's refcount is one above its users, and it goes back to the driver at 1",
          "[device][era]") {
    const std::string text = kWritten + "migrate-to-device P buf\nread P buf[0]\n";  // migrate: line 4
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        const int32_t own = era == Era::c ? 0 : 1;
        auto s = Sim::run(kWritten + "migrate-to-device P buf\n", era);
        const Page& d = s.page("P", "buf", 0);
        CHECK(d.mapcount == 1);
        CHECK(d.refcount == 1 + own);
        CHECK(s.step_says(4, "ZONE_DEVICE keeps one of its own") == (own == 1));
        CHECK(s.violations_text().empty());
        // Back to system memory: the device page is the driver's again.
        auto back = Sim::run(text, era);
        Pfn device = s.pte("P", "buf", 0).pfn();
        CHECK_FALSE(back.k().page(device).test(PG_allocated));
        CHECK(back.k().page(device).refcount == own);
        CHECK(back.step_says(5, "is down to the reference ZONE_DEVICE keeps") == (own == 1));
        CHECK(back.last_value() == "data");
        CHECK(back.violations_text().empty());
    }
}

TEST_CASE("From v6.1 do_swap_page holds a reference on the device page across migrate_to_ram",
          "[device][era]") {
    // 16ce101db85d: the fault takes a reference while the PTE still maps the
    // device page, migrate_vma_setup and migrate_vma_pages expect it
    // (fault_page, migrate_folio_extra), and do_swap_page's put frees it.
    const std::string text = kWritten + "migrate-to-device P buf\nread P buf[0]\n";  // read: line 5
    auto refcounts_of_device_page = [](const Sim& s) {
        Pfn device = Sim::run(kWritten + "migrate-to-device P buf\n").pte("P", "buf", 0).pfn();
        std::vector<uint64_t> out;
        const CommandRecord& read = s.k().commands()[s.k().command_count() - 1];
        for (const Change& c : s.k().changes_of_steps(read.step_begin, read.step_end))
            if (c.kind == ChangeKind::page && c.index == device.value &&
                c.field == static_cast<uint8_t>(PageField::refcount))
                out.push_back(c.after());
        return out;
    };
    auto c = Sim::run(text);
    CHECK(c.last_value() == "data");
    CHECK(refcounts_of_device_page(c) == std::vector<uint64_t>{2, 3, 2, 1, 0});
    CHECK(c.step_says(5, "handle_mm_fault → do_swap_page – a device-private entry: while the page table lock still shows it mapped, do_swap_page takes its own reference"));
    CHECK(c.step_says(5, "handle_mm_fault → do_swap_page – back from migrate_to_ram: drop the reference"));
    CHECK(c.step_says(5, "do_swap_page → dmirror_devmem_fault → migrate_vma_setup"));
    CHECK(c.page("P", "buf", 0).refcount == 1);
    for (Era era : {Era::a, Era::b}) {
        auto s = Sim::run(text, era);
        CHECK(s.last_value() == "data");
        // One more throughout: the ZONE_DEVICE page's own reference, which
        // stays when the driver takes the page back (v5.18 removed it).
        CHECK(refcounts_of_device_page(s) == std::vector<uint64_t>{3, 2, 1});
        CHECK(s.step_says(5, "handle_mm_fault → do_swap_page – a device-private entry: call the driver's "
                             "migrate_to_ram"));
        CHECK_FALSE(s.step_says(5, "drop the reference taken for the fault"));
        CHECK(s.kind("P", "buf", 0) == "present-rw");
    }
}

TEST_CASE("A CPU write migrates back and writes in place", "[device]") {
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nwrite P buf[0] \"new\"\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.data("P", "buf", 0) == "new");
    CHECK(s.page("P", "buf", 0).refcount == 1);
}

TEST_CASE("A read-only exclusive page comes back read-only but exclusive (RX entries)", "[device]") {
    auto s = Sim::run(kWritten + "clear-softdirty P\nmigrate-to-device P buf\n");
    CHECK(s.kind("P", "buf", 0) == "device-private-ro");
    CHECK(s.exclusive("P", "buf", 0));
    auto r = Sim::run(kWritten + "clear-softdirty P\nmigrate-to-device P buf\nread P buf[0]\n");
    CHECK(r.kind("P", "buf", 0) == "present-ro");
    CHECK(r.exclusive("P", "buf", 0));
}

TEST_CASE("After fork, a CPU access in one process migrates the page back for both, shared read-only",
          "[device]") {
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nfork P C\nread P buf[0]\n");
    CHECK(s.last_value() == "data");
    CHECK(s.kind("P", "buf", 0) == "present-ro");
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
    const Page& page = s.page("P", "buf", 0);
    CHECK_FALSE(page.test(PG_device_private));
    CHECK_FALSE(page.test(PG_anon_exclusive));
    CHECK(page.mapcount == 2);
    CHECK(page.refcount == 2);
    // The next write COWs as usual.
    auto w = Sim::run(kWritten + "migrate-to-device P buf\nfork P C\nread P buf[0]\nwrite C buf[0] \"c\"\n");
    CHECK(w.pfn("P", "buf", 0) != w.pfn("C", "buf", 0));
    CHECK(w.data("P", "buf", 0) == "data");
    CHECK(w.data("C", "buf", 0) == "c");
}

TEST_CASE("A device page that is already on the device is not selected again", "[device]") {
    Pte first = Sim::run(kWritten + "migrate-to-device P buf\n").pte("P", "buf", 0);
    auto s = Sim::run(kWritten + "migrate-to-device P buf\nmigrate-to-device P buf\n");
    CHECK(s.pte("P", "buf", 0) == first);
    CHECK(s.page("P", "buf", 0).refcount == 1);
}

TEST_CASE("A shared page (after fork) moves to the device for both processes, read-only, not exclusive",
          "[device]") {
    auto s = Sim::run(kWritten + "fork P C\nmigrate-to-device P buf\n");
    CHECK(s.kind("P", "buf", 0) == "device-private-ro");
    CHECK(s.kind("C", "buf", 0) == "device-private-ro");
    CHECK(s.pfn("P", "buf", 0) == s.pfn("C", "buf", 0));
    CHECK_FALSE(s.exclusive("P", "buf", 0));
    CHECK(s.page("P", "buf", 0).mapcount == 2);
    CHECK(s.page("P", "buf", 0).refcount == 2);
}

TEST_CASE("A pin of a device-private address first migrates the page back, then pins it", "[device]") {
    auto s = Sim::run(kWritten + "migrate-to-device P buf\npin P buf[0] write as H\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_device_private));
    CHECK(s.page("P", "buf", 0).refcount == 1 + kPin);
}

TEST_CASE("A PMD-mapped THP is split so that its 4 KiB pages can move", "[device]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"z\"\nmigrate-to-device P buf[0..1]\n");
    CHECK(s.pmd("P", "buf", 0).is_table());
    CHECK(s.kind("P", "buf", 0) == "device-private-rw");
    CHECK(s.kind("P", "buf", 1) == "device-private-rw");
    CHECK(s.kind("P", "buf", 2) == "present-rw");
    CHECK(s.exclusive("P", "buf", 2));
    CHECK(s.data("P", "buf", 0) == "z");
}

TEST_CASE("The test driver stops at a PROT_NONE part or a hole: -EINVAL, what came before has migrated",
          "[device]") {
    const std::string three = "process P\nmap P buf 3 rw\nwrite P buf[0] \"a\"\nwrite P buf[1] \"b\"\n"
                              "write P buf[2] \"c\"\n";
    for (const char* gap : {"protect P buf[1] none\n", "unmap P buf[1]\n"}) {
        INFO(gap);
        auto s = Sim::run(three + gap + "migrate-to-device P buf\n");
        CHECK(s.last_outcome() == "invalid argument (-EINVAL)");
        CHECK(s.kind("P", "buf", 0) == "device-private-rw");
        CHECK(s.kind("P", "buf", 2) == "present-rw");
        CHECK(s.page("P", "buf", 2).mapcount == 1);
    }
    auto n = Sim::run(three + "protect P buf none\nmigrate-to-device P buf\n");
    CHECK(n.last_outcome() == "invalid argument (-EINVAL)");
    CHECK_FALSE(n.pte("P", "buf", 0).is_device_private_entry());
}

TEST_CASE("v5.7 built device-private entries without soft-dirty, from v5.9 remove_migration_pte copies it",
          "[migrate_device][era]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nmigrate-to-device P buf\n";
    auto a = Sim::run(text, Era::a);
    CHECK(a.kind("P", "buf", 0) == "device-private-rw");
    CHECK_FALSE(a.pte("P", "buf", 0).has(Pte::soft_dirty));
    for (Era era : {Era::b, Era::c}) {
        auto s = Sim::run(text, era);
        CHECK(s.pte("P", "buf", 0).has(Pte::soft_dirty));
    }
}

TEST_CASE("migrate_vma_pages moves only the page state: the driver copied the data (MIGRATE_SYNC_NO_COPY)",
          "[migrate_device]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nmigrate-to-device P buf\n";
    auto c = Sim::run(text);
    CHECK(c.step_says(4, "migrate_vma_pages → folio_migrate_flags"));
    CHECK_FALSE(c.step_says(4, "folio_migrate_copy"));
    auto a = Sim::run(text, Era::a);
    CHECK(a.step_says(4, "migrate_vma_pages → migrate_page_states"));
    CHECK(c.data("P", "buf", 0) == "x");
}

TEST_CASE("A device page freed later is still named a device page in the trace of its allocation",
          "[migrate_device]") {
    // buf[0] goes to the device and comes back: its device page is freed.
    auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nmigrate-to-device P buf\nread P buf[0]\n");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    const Kernel& k = s.k();
    const CommandRecord& migrate = k.commands()[k.command_count() - 2];
    bool listed = false;
    for (uint32_t i = migrate.step_begin; i < migrate.step_end; ++i)
        for (const std::string& c : k.step_changes(i))
            listed = listed || c.find("new device page #") != std::string::npos;
    CHECK(listed);
}

TEST_CASE("v5.7 checks each collected page in migrate_vma_prepare, before migrate_vma_unmap, later kernels "
          "check in migrate_vma_unmap",
          "[migrate_device][era]") {
    const std::string text = kWritten + "get P buf[0] as G\nmigrate-to-device P buf\n";  // line 5
    auto a = Sim::run(text, Era::a);
    CHECK(a.step_says(5, "migrate_vma_setup → migrate_vma_prepare – isolate page"));
    CHECK(a.step_says(5, "migrate_vma_prepare – migrate_vma_check_page: page"));
    CHECK_FALSE(a.step_says(5, "migrate_vma_unmap – migrate_vma_check_page"));
    CHECK(a.pfn("P", "buf", 0) == a.holder("G").pfn);
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK_FALSE(s.step_says(5, "migrate_vma_prepare"));
        CHECK(s.step_says(5, "migrate_vma_unmap – migrate_vma_check_page: page"));
        CHECK(s.kind("P", "buf", 0) == "present-rw");
    }
}

TEST_CASE("The test driver is dmirror_migrate before v6.0 and dmirror_migrate_to_device after", "[migrate_device]") {
    const std::string text = kWritten + "migrate-to-device P buf\n";
    CHECK(Sim::run(text, Era::a).step_says(4, "dmirror_migrate → migrate_vma_setup"));
    CHECK(Sim::run(text, Era::b).step_says(4, "dmirror_migrate → migrate_vma_setup"));
    CHECK(Sim::run(text, Era::c).step_says(4, "dmirror_migrate_to_device → migrate_vma_setup"));
}

TEST_CASE("Collect holds a reference on a THP while it splits it, so can_split sees that reference too",
          "[migrate_device][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\npin P buf[3] write as H\n"
                             "migrate-to-device P buf\n";  // line 5
    // Mapping 1 + collect 1 + pin 1 (a large folio's pin adds one reference)
    // against the mapping and the caller's reference.
    auto c = Sim::run(text);
    CHECK(c.step_says(5, "can_split_folio fails: the THP has references beyond its mappings (refcount 3, expected 2)"));
    CHECK(c.pmd("P", "buf", 0).is_trans_huge());
    const Page& head = c.head("P", "buf", 0);
    CHECK(head.refcount == 2);
    CHECK(head.in_flight == 0);
    CHECK_FALSE(head.test(PG_locked));
    auto b = Sim::run(text, Era::b);
    CHECK(b.step_says(5, "can_split_huge_page fails: the THP has references beyond its mappings (refcount 3, "
                         "expected 2)"));
    // Without the pin the split succeeds and the reference is put again.
    auto free = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\nmigrate-to-device P buf[0]\n");
    CHECK(free.kind("P", "buf", 0) == "device-private-rw");
    CHECK(free.page("P", "buf", 1).refcount == 1);
    CHECK(free.page("P", "buf", 1).in_flight == 0);
    CHECK_FALSE(free.page("P", "buf", 1).test(PG_locked));
}

TEST_CASE("A swap cache page with a FOLL_GET reference fails migrate_vma_check_page: no device page is allocated",
          "[migrate_device]") {
    // page_mapping() adds one expected reference for a swap cache page, not two.
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"s\"\nswapout P buf[0]\nread P buf[0]\n"
                             "get P buf[0] as G\nmigrate-to-device P buf\n";  // line 7
    auto s = Sim::run(text);
    CHECK(s.step_says(7, "migrate_vma_check_page: page"));
    CHECK_FALSE(s.step_says(7, "the driver allocates a device page"));
    CHECK(s.pfn("P", "buf", 0) == s.holder("G").pfn);
    CHECK(s.page("P", "buf", 0).test(PG_swapcache));
    // Without the reference the check passes, and migrate_vma_pages refuses the
    // page because it has a mapping.
    auto n = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"s\"\nswapout P buf[0]\nread P buf[0]\n"
                      "migrate-to-device P buf\n");
    CHECK(n.step_says(6, "the driver allocates a device page"));
    CHECK(n.step_says(6, "has a mapping (it is in the swap cache)"));
}

TEST_CASE("A device page never goes on the LRU", "[migrate_device]") {
    auto s = Sim::run("process P\nmap P buf 2 rw\nread P buf[1]\nmigrate-to-device P buf\n");
    for (uint32_t i : {0u, 1u}) {
        CAPTURE(i);
        CHECK(s.kind("P", "buf", i) == "device-private-rw");
        CHECK_FALSE(s.page("P", "buf", i).test(PG_lru));
        for (const std::string& step : s.steps_at_line(4))
            CHECK(step.find("PG_lru") == std::string::npos);
    }
    bool lru_touched = false;
    const CommandRecord& cmd = s.k().commands()[s.k().command_count() - 1];
    for (uint32_t i = cmd.step_begin; i < cmd.step_end; ++i)
        for (const std::string& c : s.k().step_changes(i))
            lru_touched = lru_touched || (c.find("device page") != std::string::npos && c.find("PG_lru") != std::string::npos);
    CHECK_FALSE(lru_touched);
}
