// History: every change is journaled, so stepping back and forward, or seeking
// anywhere, must reproduce exactly the state the run had at that step.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

// Scenarios that go through every kind of change: allocation, THP, swap
// (slots grow), device pages, KSM, holders, fork and exit.
const std::vector<std::string> kScenarios = {
    "process P\nmap P buf 2 rw\nwrite P buf[0] \"a\"\nfork P C\nwrite C buf[0] \"b\"\nread P buf[1]\n"
    "write P buf[1] \"c\"\nexit C\n",
    "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\npin P buf[1] write as H\nfork P C\n"
    "write P buf[2] \"u\"\nrelease H\nsplit-pmd C buf[0]\nmadvise C buf[0..3] dontneed\n",
    "process P\nmap P buf 2 rw\nwrite P buf[0] \"s\"\nget P buf[0] as G\nswapout P buf[0]\nread P buf[0]\n"
    "fork P C\nswapout C buf[0]\nwrite C buf[0] \"w\"\nrelease G\nmadvise P buf pageout\n",
    "process P\nmap P buf 3 rw\nwrite P buf[0] \"d\"\nread P buf[1]\nmigrate-to-device P buf\nfork P C\n"
    "read C buf[0]\nwrite P buf[2] \"e\"\nmigrate P buf[0]\nprotect P buf ro\nprotect P buf rw\n",
    "process P\nmap P buf 1 rw\nwrite P buf[0] \"k\"\nprocess Q\nmap Q buf 1 rw\nwrite Q buf[0] \"k\"\n"
    "ksm-merge P buf[0] Q buf[0]\nwrite Q buf[0] \"q\"\nclear-softdirty P\nmadvise P buf wipeonfork\nfork P C\n",
    "process P\nmap P buf 512 rw\nwrite P buf[0] \"x\"\nwrite P buf[9] \"y\"\nmadvise P buf collapse\n"
    "pin P buf[9] longterm as H\nmigrate P buf[9]\nswapout P buf[0]\nunmap P buf\n",
};

// The state after every step, recorded by walking forward from step 0.
std::vector<KernelState> states_by_step(Kernel& k) {
    std::vector<KernelState> out;
    k.seek(0);
    out.push_back(k.state());
    while (!k.at_end()) {
        k.step_forward();
        out.push_back(k.state());
    }
    return out;
}

void check_round_trips(const std::string& text, Era era) {
    Sim s = Sim::run(text, era);
    Kernel& k = s.k();
    REQUIRE(k.steps().size() > 0);
    const KernelState final_state = k.state();
    const uint32_t n = static_cast<uint32_t>(k.steps().size());

    // Step 0 is the freshly booted kernel.
    k.seek(0);
    CHECK(k.cursor() == 0);
    CHECK(k.state() == Kernel(era).state());
    k.seek(n);
    CHECK(k.state() == final_state);

    const std::vector<KernelState> states = states_by_step(k);
    REQUIRE(states.size() == n + 1);
    CHECK(states.back() == final_state);
    // From every step: all the way back, then all the way forward.
    for (uint32_t step = 0; step <= n; ++step) {
        k.seek(step);
        if (!(k.state() == states[step]))
            FAIL("seek(" << step << ") does not reproduce the state recorded at that step");
        while (k.cursor() > 0)
            k.step_back();
        if (!(k.state() == states[0]))
            FAIL("stepping back from step " << step << " does not reach the initial state");
        while (!k.at_end())
            k.step_forward();
        if (!(k.state() == final_state))
            FAIL("stepping forward again after going back from step " << step << " differs from the end state");
    }
}

void check_random_seeks(const std::string& text, Era era, uint64_t seed) {
    Sim a = Sim::run(text, era);
    Sim b = Sim::run(text, era);
    const uint32_t n = static_cast<uint32_t>(a.k().steps().size());
    REQUIRE(n == b.k().steps().size());
    std::mt19937 rng(static_cast<uint32_t>(seed));
    b.k().seek(0);
    for (int i = 0; i < 20; ++i) {
        uint32_t step = std::uniform_int_distribution<uint32_t>(0, n)(rng);
        a.k().seek(step);
        b.k().seek(step);
        if (!(a.k().state() == b.k().state()))
            FAIL("two runs seeked to step " << step << " differ");
        CHECK(a.k().cursor() == step);
    }
}

} // namespace

TEST_CASE("Stepping back to the start and forward to the end restores every state exactly", "[history]") {
    for (const std::string& text : kScenarios)
        for (Era era : {Era::a, Era::b, Era::c}) {
            CAPTURE(text, era_letter(era));
            check_round_trips(text, era);
        }
}

TEST_CASE("Seeking to random steps gives the same state as another run seeked there", "[history]") {
    uint64_t seed = 1;
    for (const std::string& text : kScenarios)
        for (Era era : {Era::a, Era::b, Era::c}) {
            CAPTURE(text, era_letter(era));
            check_random_seeks(text, era, seed++);
        }
}

TEST_CASE("Random scenarios step back and forth exactly in every era", "[history]") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        const std::string text = random_scenario(seed, 30);
        const Era era = seed % 3 == 0 ? Era::a : seed % 3 == 1 ? Era::b : Era::c;
        CAPTURE(seed, text, era_letter(era));
        check_round_trips(text, era);
        check_random_seeks(text, era, seed);
    }
}

TEST_CASE("Stepping past either end does nothing", "[history]") {
    Sim s = Sim::run(kScenarios[0]);
    Kernel& k = s.k();
    const KernelState end = k.state();
    k.step_forward();
    CHECK(k.at_end());
    CHECK(k.state() == end);
    k.seek(0);
    k.step_back();
    CHECK(k.cursor() == 0);
    k.seek(1u << 30);  // clamped to the end
    CHECK(k.at_end());
    CHECK(k.state() == end);
}

TEST_CASE("Each command's steps are contiguous and cover the whole history", "[history]") {
    Sim s = Sim::run(kScenarios[1]);
    const auto& commands = s.k().commands();
    uint32_t expected_begin = 0;
    for (uint32_t command = 0; command < commands.size(); ++command) {
        const CommandRecord& c = commands[command];
        CHECK(c.step_begin == expected_begin);
        CHECK(c.step_end >= c.step_begin);
        for (uint32_t i = c.step_begin; i < c.step_end; ++i)
            CHECK(s.k().steps()[i].command == command);
        expected_begin = c.step_end;
    }
    CHECK(expected_begin == s.k().steps().size());
}
