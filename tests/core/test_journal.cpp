// The journal's packed byte stream gives back exactly what was recorded:
// every kind, extreme values, steps read on their own, and records on both
// sides of a chunk boundary.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "chunked_vector.h"
#include "journal.h"
#include "pte.h"

using namespace mmt;

namespace {

struct Recorded {
    std::vector<Change> changes;
    Journal::Pos begin = 0;
    StepHeader header;
};

bool same(const Change& a, const Change& b) {
    return a.kind == b.kind && a.field == b.field && a.index == b.index && a.before() == b.before() &&
           a.after() == b.after();
}

Change make(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after) {
    Change c;
    c.kind = kind;
    c.field = field;
    c.index = index;
    c.before_value = before;
    c.after_value = after;
    return c;
}

void record(Journal& j, const Change& c) { j.append(c.kind, c.field, c.index, c.before(), c.after()); }

std::vector<Change> read(const Journal& j, Journal::Pos from, Journal::Pos to) {
    std::vector<Change> out;
    for (const Change& c : j.changes(from, to))
        out.push_back(c);
    return out;
}

} // namespace

TEST_CASE("a step's changes come back as recorded, values of every width") {
    Journal j;
    const uint64_t present = Pte::make_present(Pfn(0xfffffffe), Pte::write | Pte::dirty | Pte::soft_dirty).raw();
    const std::vector<Change> step = {
        make(ChangeKind::page, 0, 70000, 2, 3),                  // refcount 2 -> 3
        make(ChangeKind::page, 4, 70000, 0, 1),                  // same page: no index bytes
        make(ChangeKind::page, 0, 69999, 1, 0xffffffff),         // a count driven to -1 by a breach
        make(ChangeKind::pte, 0, 0, 0, present),                 // none -> present at the top frame
        make(ChangeKind::pte, 0, 4000000, present, 0),           // and back to none
        make(ChangeKind::pmd, 0, 7, 0, Pmd::make_table(12345).raw()),
        make(ChangeKind::grow, 0, 99, 4294967295u, 0),           // a table shrinking when undone
        make(ChangeKind::holder, 15, 0xffffffff, 0xffffffff, 0), // the largest index and field
    };
    Journal::Pos begin = j.begin_step({3, 1, 42});
    for (const Change& c : step)
        record(j, c);
    REQUIRE(j.size() == step.size());
    std::vector<Change> back = read(j, begin, j.end_pos());
    REQUIRE(back.size() == step.size());
    for (size_t i = 0; i < step.size(); ++i) {
        INFO("change " << i);
        CHECK(same(back[i], step[i]));
    }
    StepHeader h = j.header(begin);
    CHECK(h.path == 3);
    CHECK(h.cpu == 1);
    CHECK(h.sentence == 42);
}

TEST_CASE("small changes take a few bytes, not a fixed record") {
    Journal j;
    j.begin_step({1, 0, 1});
    Journal::Pos start = j.end_pos();
    j.append(ChangeKind::page, 0, 262144, 2, 3);  // first index in the step: 3 bytes
    j.append(ChangeKind::page, 4, 262144, 0, 1);  // same page
    CHECK(j.end_pos() - start == 1 + 3 + 1 + 1 + 3);
}

TEST_CASE("steps are read on their own, across chunk boundaries") {
    Journal j;
    std::mt19937 rng(11);
    std::vector<Recorded> steps;
    // Enough to fill the 64 KiB first chunk and the next two several times over.
    for (int s = 0; s < 40000; ++s) {
        Recorded r;
        r.header = {static_cast<uint32_t>(rng() % 5000), static_cast<uint8_t>(rng() % 3),
                    static_cast<uint32_t>(rng())};
        r.begin = j.begin_step(r.header);
        int n = static_cast<int>(rng() % 6);
        for (int i = 0; i < n; ++i) {
            auto kind = static_cast<ChangeKind>(rng() % 8);
            bool wide = kind == ChangeKind::pte || kind == ChangeKind::pmd;
            auto value = [&]() -> uint64_t {
                if (!wide)
                    return rng() % 4 == 0 ? rng() : rng() % 8;
                return uint64_t(rng()) << 32 | (rng() & 0xfff);
            };
            Change c = make(kind, static_cast<uint8_t>(rng() % (kind == ChangeKind::grow ? 8 : 16)),
                            rng() % 2 ? rng() % 16 : rng(), value(), value());
            r.changes.push_back(c);
            record(j, c);
        }
        steps.push_back(std::move(r));
    }
    REQUIRE(j.end_pos() > 3 * (64u << 10));
    for (size_t s = 0; s < steps.size(); ++s) {
        Journal::Pos end = s + 1 < steps.size() ? steps[s + 1].begin : j.end_pos();
        std::vector<Change> back = read(j, steps[s].begin, end);
        INFO("step " << s);
        REQUIRE(back.size() == steps[s].changes.size());
        for (size_t i = 0; i < back.size(); ++i)
            CHECK(same(back[i], steps[s].changes[i]));
        StepHeader h = j.header(steps[s].begin);
        CHECK(h.path == steps[s].header.path);
        CHECK(h.cpu == steps[s].header.cpu);
        CHECK(h.sentence == steps[s].header.sentence);
    }
    // One range over all of them reads every change in order.
    size_t total = 0;
    for (const Change& c : j.changes(0, j.end_pos())) {
        (void)c;
        ++total;
    }
    CHECK(total == j.size());
}

TEST_CASE("a long history spans big chunks populated in the background, and frees cleanly") {
    // Big chunks (2 MiB and more) are mapped on their own and populated ahead
    // by a thread; build and drop a few such journals and step lists back to
    // back, reading every change back.
    for (int round = 0; round < 3; ++round) {
        Journal j;
        ChunkedVector<uint32_t, 12> positions;
        const uint32_t steps = 400000;
        for (uint32_t s = 0; s < steps; ++s) {
            positions.push_back(j.begin_step({s % 7, 0, s % 5}));
            j.append(ChangeKind::page, 0, 300000 + s, s % 4, s % 4 + 1);
            j.append(ChangeKind::pte, 0, s, 0, Pte::make_present(Pfn(300000 + s), Pte::write).raw());
        }
        REQUIRE(j.end_pos() > (6u << 20));
        REQUIRE(j.size() == 2 * steps);
        for (uint32_t s = 0; s < steps; s += 997) {
            Journal::Pos end = s + 1 < steps ? positions[s + 1] : j.end_pos();
            std::vector<Change> back = read(j, positions[s], end);
            REQUIRE(back.size() == 2);
            CHECK(back[0].index == 300000 + s);
            CHECK(back[0].after() == s % 4 + 1);
            CHECK(Pte::from_raw(back[1].after()).pfn().value == 300000 + s);
            CHECK(j.header(positions[s]).sentence == s % 5);
        }
    }
}
