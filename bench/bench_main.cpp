// mmtutor-bench: prints the engine's speed and memory figures (issue goals in
// brackets). Not a test: nothing here fails, it measures.
//   1. fork of 1 GiB of written anonymous memory (262,144 pages), then a write
//      to every page in the parent (262,144 COW faults), full history kept
//   2. stepping back and forward anywhere in that history
//   3. parse + run of a 10,000-line scenario
//   4. peak memory (VmHWM) of run 1 with its history
//   5. the race explorer: every interleaving of 2 CPUs x 12 atomic steps
//      (2,704,156), with and without pruning; then the seed's race II model
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>
#include <algorithm>
#include <ctime>
#include <memory>

#include <sys/resource.h>

#include "explore.h"
#include "fault.h"
#include "fork.h"
#include "kernel.h"
#include "scenario.h"
#include "scenario_runner.h"

using namespace mmt;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of the process (user + system, which includes the host kernel
// zeroing the memory the run touches first). On a shared machine the wall
// time also counts waiting for a CPU; the CPU time does not.
double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Page faults the host kernel served (first touches of fresh memory).
long host_page_faults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt + usage.ru_majflt;
}

long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

void write_every_page(Kernel& k, ProcessId p, VmaId v, uint32_t pages, uint32_t data) {
    for (uint32_t i = 0; i < pages; ++i) {
        k.begin_command(0, 0);
        Outcome o = user_write(k, Address{p, v, i}, data);
        k.end_command(o.failure);
    }
}

// The main thread's CPU time: the engine's own work, without the thread
// that populates history memory ahead of it (core/chunk_memory.h).
double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct ForkCowRun {
    double setup_ms = 0, fork_ms = 0, cow_ms = 0, cpu_ms = 0, thread_cpu_ms = 0;
    long host_faults = 0;
};

// One fresh kernel: a parent writes every page, forks, then writes every
// page again. Returns the kernel for the stepping figures.
std::unique_ptr<Kernel> run_fork_and_cow(uint32_t pages, bool invariants, ForkCowRun& run) {
    auto k = std::make_unique<Kernel>(Era::c);
    k->set_check_invariants(invariants);
    k->begin_command(0, 0);
    ProcessId parent = k->create_process("parent");
    VmaId vma = k->create_vma(parent, k->strings().intern("buf"), pages, false,
                              VMA_mapped | VMA_read | VMA_write | VMA_softdirty, k->next_vma_start(parent));
    k->end_command(nullptr);
    auto t0 = Clock::now();
    write_every_page(*k, parent, vma, pages, k->strings().intern("parent data"));
    run.setup_ms = ms_since(t0);

    long faults0 = host_page_faults();
    double cpu0 = cpu_ms(), thread0 = thread_cpu_ms();
    t0 = Clock::now();
    k->begin_command(0, 0);
    fork_process(*k, parent, "child");
    k->end_command(nullptr);
    run.fork_ms = ms_since(t0);
    t0 = Clock::now();
    write_every_page(*k, parent, vma, pages, k->strings().intern("new data"));
    run.cow_ms = ms_since(t0);
    run.cpu_ms = cpu_ms() - cpu0;
    run.thread_cpu_ms = thread_cpu_ms() - thread0;
    run.host_faults = host_page_faults() - faults0;
    return k;
}

void bench_fork_and_cow(bool invariants) {
    constexpr uint32_t kPages = 262144;  // 1 GiB of 4 KiB pages
    // Several runs, each on a fresh kernel (the last one's memory is given
    // back first): a shared virtual machine varies a lot from run to run.
    const int runs = invariants ? 1 : 5;
    std::printf("fork + COW of 1 GiB (%u pages), invariant checker %s, %d run%s:\n", kPages,
                invariants ? "on" : "off", runs, runs > 1 ? "s" : "");
    std::printf("  run   setup   fork    COW   fork + COW   CPU (engine thread)   host faults\n");
    std::unique_ptr<Kernel> kernel;
    std::vector<double> totals;
    for (int r = 0; r < runs; ++r) {
        kernel.reset();
        ForkCowRun run;
        kernel = run_fork_and_cow(kPages, invariants, run);
        totals.push_back(run.fork_ms + run.cow_ms);
        std::printf("  %3d %7.1f %6.1f %6.1f %9.1f ms %8.1f (%.1f) ms %10ld\n", r + 1, run.setup_ms, run.fork_ms,
                    run.cow_ms, run.fork_ms + run.cow_ms, run.cpu_ms, run.thread_cpu_ms, run.host_faults);
    }
    std::sort(totals.begin(), totals.end());
    std::printf("  fork + COW faults: best %.1f ms, median %.1f ms%s\n", totals.front(), totals[totals.size() / 2],
                invariants ? "   (checking every step: no goal)" : "   [goal <= 100 ms]");
    Kernel& k = *kernel;
    std::printf("  history: %u kernel steps, %zu changes, %u commands, engine memory %.1f MB\n", k.step_count(),
                k.journal().size(), k.command_count(), k.memory_bytes() / 1e6);

    if (!invariants) {
        // Stepping: random seeks of one step, and long jumps, anywhere in the history.
        std::mt19937 rng(42);
        uint32_t n = static_cast<uint32_t>(k.steps().size());
        double worst = 0, total = 0;
        constexpr int kProbes = 2000;
        std::vector<uint32_t> targets(kProbes);
        for (uint32_t& t : targets)
            t = rng() % n;
        std::sort(targets.begin(), targets.end());  // one sweep: the jumps are not what we measure
        k.seek(0);
        for (int i = 0; i < kProbes; ++i) {
            uint32_t target = targets[i];
            k.seek(target);
            auto t = Clock::now();
            k.step_back();
            k.step_forward();
            double one = ms_since(t) / 2;
            worst = std::max(worst, one);
            total += one;
        }
        std::printf("  one step back or forward: mean %.4f ms, worst %.4f ms over %d random places   [goal <= 1 ms]\n",
                    total / kProbes, worst, kProbes);
        k.seek(n);
        auto t = Clock::now();
        k.seek(0);
        double to_start = ms_since(t);
        t = Clock::now();
        k.seek(n);
        double to_end = ms_since(t);
        std::printf("  seek to the start: %.1f ms, back to the end: %.1f ms (%u steps each way)\n", to_start, to_end,
                    n);
        std::printf("  peak RSS so far (VmHWM): %.1f MB   [goal <= 300 MB]\n", peak_rss_kib() / 1024.0);
    }
}

void bench_parse_and_run() {
    std::string text = "process p\nmap p buf 64 rw\nprocess q\nmap q buf 64 rw\n";
    std::mt19937 rng(7);
    uint32_t lines = 4;
    int forks = 0;
    while (lines < 10000) {
        uint32_t i = rng() % 64;
        switch (rng() % 6) {
        case 0: text += "write p buf[" + std::to_string(i) + "] \"d" + std::to_string(lines) + "\"\n"; break;
        case 1: text += "read p buf[" + std::to_string(i) + "]\n"; break;
        case 2: text += "write q buf[" + std::to_string(i) + "] \"e\"\n"; break;
        case 3: text += "expect read q buf[" + std::to_string(i) + "] == \"\"  # may fail, fine\n"; break;
        case 4:
            if (forks < 20) {
                text += "fork p c" + std::to_string(forks++) + "\n";
                break;
            }
            [[fallthrough]];
        default: text += "# a comment line\n"; break;
        }
        ++lines;
    }
    auto t0 = Clock::now();
    ParseResult parsed = parse_scenario(text, "bench.mmt");
    double parse_ms = ms_since(t0);
    if (!parsed.scenario) {
        std::printf("parse failed: %s\n", parsed.errors.front().format().c_str());
        return;
    }
    t0 = Clock::now();
    RunResult run = run_scenario(*parsed.scenario, Era::c);
    double run_ms = ms_since(t0);
    std::printf("10,000-line scenario (%zu commands): parse %.1f ms + run %.1f ms = %.1f ms   [goal <= 50 ms]\n",
                parsed.scenario->commands.size(), parse_ms, run_ms, parse_ms + run_ms);
    std::printf("  (run with the invariant checker on: %zu kernel steps)\n", run.kernel->steps().size());
}

// The explorer on the synthetic pair of 12-step machines (explore.h): all
// C(24, 12) = 2,704,156 interleavings, each step checked, once walking every
// schedule and once reusing the counts of states already explored.
void bench_explorer() {
    std::printf("race explorer, 2 CPUs x 12 atomic steps:\n");
    for (bool prune : {false, true}) {
        SyntheticRace model(12, 12, 6, 6);
        auto t0 = Clock::now();
        ExploreResult r = explore(model, ExploreOptions{prune});
        double ms = ms_since(t0);
        std::printf("  %-16s %llu interleavings explored (%llu break an invariant), %llu atomic steps run  %8.1f ms"
                    "   [goal <= 5 s]\n",
                    prune ? "with pruning:" : "without pruning:", (unsigned long long)r.interleavings,
                    (unsigned long long)r.breaking, (unsigned long long)r.steps_run, ms);
        if (prune)
            std::printf("  pruning: %llu distinct states; it runs %.4f%% of the %llu steps a plain search runs\n",
                        (unsigned long long)r.states, 100.0 * double(r.steps_run) / double(r.steps_unpruned),
                        (unsigned long long)r.steps_unpruned);
    }
    // The seed's race II on the engine (migration vs GUP-fast pin, then fork),
    // with and without the flush; undo there rebuilds the kernel and replays.
    for (bool flush : {true, false}) {
        std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nrace\n  cpu0 migrate P buf[0]\n"
                           "  cpu1 pin P buf[0] write fast as H\n  cpu1 fork P C\n";
        text += flush ? "end\n" : "  flush off\nend\n";
        ParseResult parsed = parse_scenario(text, "race.mmt");
        auto t0 = Clock::now();
        RaceExploreReport report = explore_race(*parsed.scenario, Era::c, first_race_command(*parsed.scenario));
        double ms = ms_since(t0);
        const ExploreResult& r = report.result;
        std::printf("  engine, race II + fork, flush %-3s: %llu interleavings, %llu break; %llu states, %llu steps "
                    "run (%llu without pruning)  %6.1f ms\n",
                    flush ? "on" : "off", (unsigned long long)r.interleavings, (unsigned long long)r.breaking,
                    (unsigned long long)r.states, (unsigned long long)r.steps_run,
                    (unsigned long long)r.steps_unpruned, ms);
    }
}

} // namespace

// With an argument, runs only that part (for profiling one figure):
// fork-cow, parse, fork-cow-checked, explorer.
int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string only = argc > 1 ? argv[1] : "";
    auto wanted = [&](const char* part) { return only.empty() || only == part; };
    std::printf("mmtutor-bench (engine, %s build)\n\n",
#ifdef NDEBUG
                "optimised"
#else
                "debug"
#endif
    );
    if (wanted("fork-cow"))
        bench_fork_and_cow(false);
    if (wanted("parse")) {
        std::printf("\n");
        bench_parse_and_run();
    }
    if (wanted("fork-cow-checked")) {
        std::printf("\n");
        bench_fork_and_cow(true);
    }
    if (wanted("explorer")) {
        std::printf("\n");
        bench_explorer();
    }
    return 0;
}
