// The simulated kernel: all state (pages, page tables, processes, VMAs, swap,
// reference holders), the journal of every change, the kernel steps that
// explain the changes, and the era policy. Operations (fault.cpp, fork.cpp,
// gup.cpp, ...) are free functions on a Kernel&, named as the kernel names
// them; they change state only through the journaled setters below.
//
// A kernel step is opened by step(): one decision of one kernel function,
// with a sentence saying what it decided and why; the changes made until the
// next step() belong to it. Commands group steps.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chunked_vector.h"
#include "journal.h"
#include "mm.h"
#include "page.h"
#include "pte.h"
#include "string_table.h"
#include "types.h"

namespace mmt {

class EraPolicy;

// Flat state. Every mutable object lives in a Table so that history can
// revive it; tests compare two states with ==.
struct KernelState {
    Table<Page> pages;
    Table<uint64_t> ptes;       // PTE tables: 512 consecutive slots each
    Table<uint64_t> pmds;       // PMD slots: each VMA owns a contiguous run
    Table<uint8_t> vma_pages;   // VmaPageBit per virtual page
    Table<Process> processes;
    Table<Vma> vmas;
    Table<SwapSlotInfo> swap_slots;
    Table<Holder> holders;
    bool operator==(const KernelState& o) const;
};

// A kernel step as the trace reads it. The journal holds each step's record
// (its header, then its changes); this is that record decoded, plus the
// command it belongs to.
struct KernelStep {
    uint32_t command = 0;      // index into Kernel::commands()
    uint32_t change_begin = 0; // journal position of the step's record
    uint32_t path = 0;         // call path id (handle_mm_fault → do_wp_page → ...)
    uint8_t cpu = 0;
    uint32_t sentence = 0;     // index into the kernel's sentences (what it decided and why)
};

// A step's sentence: the text with {0} {1} {2} placeholders and their values
// ({P0} {P1} {P2}: the value is a page frame, named "page #N" or "device page #N").
struct StepSentence {
    const char* why = "";
    std::array<int32_t, 3> args{};
};

// A command of the run as its users read it (Kernel::commands()).
struct CommandRecord {
    uint32_t source_index = 0;   // index of the command in the scenario
    uint32_t line = 0;
    uint32_t step_begin = 0;
    uint32_t step_end = 0;
    const char* failure = nullptr; // nullptr: ok
    std::optional<uint32_t> value; // string id of a value read
};

// A command as the history keeps it, in 16 bytes: a big run has a command
// per access. Its steps end where the next command's begin; the few
// failures and values read are kept on the side.
struct CommandSlot {
    uint32_t source_index = 0;
    uint32_t line = 0;
    uint32_t step_begin = 0;
    uint32_t failure : 31 = 0;   // index into the kernel's failure texts; 0: ok
    uint32_t has_value : 1 = 0;
};
static_assert(sizeof(CommandSlot) == 16);

class Kernel;

// The commands of the run, by number, each decoded on demand.
class CommandsView {
public:
    explicit CommandsView(const Kernel& k) : kernel_(&k) {}
    size_t size() const;
    bool empty() const { return size() == 0; }
    CommandRecord operator[](size_t command) const;
    CommandRecord back() const { return (*this)[size() - 1]; }

    using iterator = IndexIterator<CommandsView>;
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, size()}; }

private:
    const Kernel* kernel_;
};

// The steps of the run, by number: size() and operator[] (decoded on
// demand, so a step costs the history four bytes plus its record).
class StepsView {
public:
    explicit StepsView(const Kernel& k) : kernel_(&k) {}
    size_t size() const;
    bool empty() const { return size() == 0; }
    KernelStep operator[](size_t step) const;
    KernelStep back() const { return (*this)[size() - 1]; }

private:
    const Kernel* kernel_;
};

struct Violation {
    uint32_t step = 0;         // the step after which it was found
    std::string kind;          // "invariant" or "coherence"
    std::string rule;          // e.g. "I1 writable => exclusive"
    std::string message;       // names the objects
};

class Kernel {
public:
    explicit Kernel(Era era);
    ~Kernel();
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    Era era() const { return era_; }
    const EraPolicy& policy() const { return *policy_; }
    const KernelState& state() const { return state_; }
    StringTable& strings() { return strings_; }
    const StringTable& strings() const { return strings_; }

    // --- reading state ---------------------------------------------------
    const Page& page(Pfn pfn) const { return state_.pages[pfn.value]; }
    Pfn folio(Pfn pfn) const { return Pfn(state_.pages[pfn.value].head); }
    const Page& head_page(Pfn pfn) const { return page(folio(pfn)); }
    bool folio_test_large(Pfn pfn) const { return head_page(pfn).order > 0; }
    uint32_t folio_nr_pages(Pfn pfn) const { return 1u << head_page(pfn).order; }
    bool PageAnonExclusive(Pfn pfn) const { return page(pfn).test(PG_anon_exclusive); }
    bool PageAnon(Pfn pfn) const { return page(pfn).test(PG_anon); }
    bool PageKsm(Pfn pfn) const { return page(pfn).test(PG_ksm); }
    bool is_zero_pfn(Pfn pfn) const { return page(pfn).test(PG_zero); }
    int32_t page_count(Pfn pfn) const { return head_page(pfn).refcount; }
    // page_mapcount(): PTE mappings of the subpage plus PMD mappings of the folio.
    int32_t page_mapcount(Pfn pfn) const { return page(pfn).mapcount + head_page(pfn).entire_mapcount; }
    int32_t folio_mapcount(Pfn pfn) const;
    // page_maybe_dma_pinned(): exact for large folios, may err towards
    // "pinned" for order-0 pages with 1024 or more ordinary references.
    bool folio_maybe_dma_pinned(Pfn pfn) const;

    const Process& process(ProcessId id) const { return state_.processes[id.value]; }
    const Vma& vma(VmaId id) const { return state_.vmas[id.value]; }
    uint32_t process_count() const { return state_.processes.size(); }
    uint32_t vma_count() const { return state_.vmas.size(); }
    std::optional<ProcessId> find_process(std::string_view name) const;
    std::optional<VmaId> find_vma(ProcessId process, std::string_view name) const;
    std::optional<VmaId> find_vma_by_name_id(ProcessId process, uint32_t name) const;
    std::vector<VmaId> vmas_of(ProcessId process) const;
    uint8_t vma_page(VmaId vma, uint32_t index) const { return state_.vma_pages[vma_page_slot(vma, index)]; }
    Pmd pmd(VmaId vma, uint32_t index) const { return Pmd::from_raw(state_.pmds[pmd_slot(vma, index)]); }
    // The PTE for page `index` of the VMA; none if no PTE table exists.
    Pte pte(VmaId vma, uint32_t index) const;
    const SwapSlotInfo& swap_slot(SwapSlot slot) const { return state_.swap_slots[slot.value]; }
    const Holder& holder(HolderId id) const { return state_.holders[id.value]; }
    uint32_t holder_count() const { return state_.holders.size(); }
    std::optional<HolderId> find_holder(std::string_view name) const;
    std::string page_name(Pfn pfn) const;
    std::string address_name(VmaId vma, uint32_t index) const;

    // The zero page and the huge zero page are allocated at boot.
    Pfn zero_pfn() const { return Pfn(1); }
    Pfn huge_zero_pfn() const { return Pfn(2); }

    // --- changing state (journaled) --------------------------------------
    void set_page(Pfn pfn, PageField field, uint32_t value);
    void set_page_flag(Pfn pfn, PageFlag flag, bool on);
    void SetPageAnonExclusive(Pfn pfn) { set_page_flag(pfn, PG_anon_exclusive, true); }
    void ClearPageAnonExclusive(Pfn pfn) { set_page_flag(pfn, PG_anon_exclusive, false); }
    // Reference counts live on the folio's head.
    void folio_ref_add(Pfn pfn, int32_t delta);
    void page_mapcount_add(Pfn pfn, int32_t delta);
    void folio_entire_mapcount_add(Pfn pfn, int32_t delta);
    void folio_pincount_add(Pfn pfn, int32_t delta);
    void folio_in_flight_add(Pfn pfn, int32_t delta);
    void set_pte(VmaId vma, uint32_t index, Pte pte);
    void set_pmd(VmaId vma, uint32_t pmd_index, Pmd pmd);
    // PTE i of a page table no PMD points at for now: khugepaged unlinks the
    // table from its PMD before it clears the entries.
    void set_detached_pte(uint32_t table, uint32_t i, Pte pte);
    void set_vma_page(VmaId vma, uint32_t index, uint8_t bits);
    // Vma::has_anon_vma (journaled as a vma_page change with field 1, index
    // the VMA).
    void set_vma_has_anon_vma(VmaId vma, bool on);
    void set_process(ProcessId id, ProcessField field, uint32_t value);
    void set_swap_slot(SwapSlot slot, SwapField field, uint32_t value);
    void set_holder(HolderId id, HolderField field, uint32_t value);

    // Allocation: a fresh order-0 page (refcount 1, held by the caller as an
    // in-flight reference), or a THP of 512 pages (head refcount 1).
    Pfn alloc_page(uint32_t contents, PageFlag extra = PageFlag(0));
    Pfn alloc_thp();
    Pfn alloc_device_private_page();
    // The references a ZONE_DEVICE page holds of its own: 1 before v5.18 for
    // a device page (free or not), 0 otherwise (EraPolicy).
    int32_t zone_device_base_refs(Pfn head) const;
    // Frees a folio whose refcount reached zero (all flags reset).
    void free_folio(Pfn head);
    // Drops one reference; frees the folio when it was the last.
    void folio_put(Pfn pfn);
    // folio_put_refs(): drops `refs` references at once; frees the folio when
    // they were the last.
    void folio_put_refs(Pfn pfn, int32_t refs);
    // A reference the kernel holds while it works on the page (isolation, a
    // fault's or migration's get_page, KSM's scan): counted as in flight so
    // that the refcount identity stays exact. The put drops it again.
    void folio_get_in_flight(Pfn pfn);
    void folio_put_in_flight(Pfn pfn);
    uint32_t alloc_pte_table();
    // pte_alloc(): give the PMD over page `index` a PTE table if it has none.
    void pte_alloc(VmaId vma, uint32_t index);
    ProcessId create_process(std::string_view name);
    // anon_vma 0: a fresh one (see Vma::anon_vma); fork passes the parent's.
    VmaId create_vma(ProcessId process, uint32_t name, uint32_t npages, bool hugepage, uint8_t page_bits,
                     uint64_t start, uint32_t anon_vma = 0, bool has_anon_vma = false);
    SwapSlot alloc_swap_slot();
    HolderId create_holder(const Holder& holder);
    uint64_t next_vma_start(ProcessId process) const;

    // --- steps, commands, history ----------------------------------------
    // Push/pop a kernel function on the call path of the steps that follow.
    class FunctionScope {
    public:
        FunctionScope(Kernel& k, const char* function);
        ~FunctionScope();
        FunctionScope(const FunctionScope&) = delete;
        FunctionScope& operator=(const FunctionScope&) = delete;
    private:
        Kernel& kernel_;
        uint32_t saved_;
    };
    FunctionScope enter(const char* function) { return FunctionScope(*this, function); }
    void step(const char* why, int32_t a0 = 0, int32_t a1 = 0, int32_t a2 = 0);
    void set_cpu(uint8_t cpu) { cpu_ = cpu; }

    void begin_command(uint32_t source_index, uint32_t line);
    void end_command(const char* failure, std::optional<uint32_t> value = std::nullopt);
    CommandsView commands() const { return CommandsView(*this); }
    uint32_t command_count() const { return static_cast<uint32_t>(commands_.size()); }
    CommandRecord command(uint32_t index) const;
    StepsView steps() const { return StepsView(*this); }
    uint32_t step_count() const { return static_cast<uint32_t>(steps_.size()); }
    const Journal& journal() const { return journal_; }
    // Journal positions: where step `step`'s record starts, and where it ends
    // (the next step's record, or the journal's end).
    uint32_t change_begin(uint32_t step) const { return steps_[step]; }
    uint32_t change_end(uint32_t step) const;
    // The changes of steps [first, end).
    Journal::Range changes_of_steps(uint32_t first, uint32_t end) const {
        return journal_.changes(first < end ? change_begin(first) : 0, first < end ? change_end(end - 1) : 0);
    }
    Journal::Range step_changes_of(uint32_t step) const { return changes_of_steps(step, step + 1); }
    bool step_changes_nothing(uint32_t step) const { return step_changes_of(step).begin() == std::default_sentinel; }
    // The command step `step` belongs to.
    uint32_t command_of_step(uint32_t step) const;
    std::string step_path(uint32_t step) const;
    std::string step_sentence(uint32_t step) const;
    // One change in words; empty for the model's own bookkeeping, which no
    // reader is shown.
    std::string describe_change(const Change& change) const;
    std::vector<std::string> step_changes(uint32_t step) const { return steps_changes(step, step + 1); }
    // The changes of steps [first, end) in words, runs of like changes said
    // once as a range (see trace.cpp).
    std::vector<std::string> steps_changes(uint32_t first, uint32_t end) const;

    // Number of steps currently applied (0 = the initial state).
    uint32_t cursor() const { return cursor_; }
    void step_back();
    void step_forward();
    void seek(uint32_t step);
    bool at_end() const { return cursor_ == steps_.size(); }

    // --- invariants --------------------------------------------------------
    void set_check_invariants(bool on) { check_invariants_ = on; }
    bool check_invariants() const { return check_invariants_; }
    const std::vector<Violation>& violations() const { return violations_; }
    void add_violation(Violation v) { violations_.push_back(std::move(v)); }
    // Pages and entries touched since the last check (for the incremental checker).
    void finish_step();

    // Bytes the journal, the steps and the big state tables hold.
    size_t memory_bytes() const;
    // Which VMA page a PTE-table slot belongs to (tables are never reused, so
    // this index needs no journal).
    std::pair<VmaId, uint32_t> pte_slot_owner(uint32_t slot) const {
        auto [vma, pmd_index] = table_owner_[slot / kPagesPerPmd];
        return {vma, pmd_index * kPagesPerPmd + slot % kPagesPerPmd};
    }
    bool pte_slot_owned(uint32_t slot) const { return slot / kPagesPerPmd < table_owner_.size(); }

private:
    uint32_t vma_page_slot(VmaId vma, uint32_t index) const { return state_.vmas[vma.value].first_page + index; }
    uint32_t pmd_slot(VmaId vma, uint32_t pmd_index) const { return state_.vmas[vma.value].first_pmd + pmd_index; }
    void record(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after);
    void grow(TableId table, uint32_t before, uint32_t after, uint32_t note = 0);
    void apply(const Change& c, bool forward);
    uint32_t path_child(uint32_t parent, const char* function);
    uint32_t path_child_slow(uint32_t parent, const char* function);
    Pmd install_pte_table(VmaId vma, uint32_t pmd_index);
    void check_finished_step();
    void open_unnamed_step();
    uint32_t fresh_anon_vma(uint32_t name, ProcessId process);

    Era era_;
    std::unique_ptr<EraPolicy> policy_;
    KernelState state_;
    StringTable strings_;
    Journal journal_;
    ChunkedVector<uint32_t, 12> steps_;  // journal position of each step's record
    ChunkedVector<CommandSlot, 10> commands_;
    std::vector<const char*> failure_texts_{nullptr};  // by CommandSlot::failure
    std::unordered_map<const char*, uint32_t> failure_ids_;
    std::vector<std::pair<uint32_t, uint32_t>> command_values_;  // (command, value), by command
    std::vector<Violation> violations_;
    uint32_t cursor_ = 0;
    uint32_t current_command_ = 0;
    bool in_command_ = false;
    bool command_without_step_ = false;  // in a command that has no step yet
    bool check_invariants_ = true;
    uint8_t cpu_ = 0;

    // A call path node, with the two children entered from it most recently:
    // a fault enters the same few functions from the same callers each time.
    struct PathNode {
        uint32_t parent = 0;
        const char* function = "";
        std::array<const char*, 2> recent_function{};
        std::array<uint32_t, 2> recent_child{};
        uint8_t next_recent = 0;
    };
    std::vector<PathNode> paths_;
    std::unordered_map<uint64_t, uint32_t> path_index_;
    // Sentences of steps, shared by every step that says the same thing. A
    // direct-mapped cache finds the entry of a sentence said recently; a miss
    // adds an entry (a repeat of an older one is harmless).
    ChunkedVector<StepSentence, 8> sentences_;
    struct SentenceCacheSlot {
        const char* why = nullptr;  // no step has a null sentence
        uint64_t args01 = 0;        // the first two arguments, compared at once
        int32_t arg2 = 0;
        uint32_t id = 0;
    };
    static uint64_t pack_args(int32_t a0, int32_t a1) { return uint32_t(a0) | uint64_t(uint32_t(a1)) << 32; }
    std::array<SentenceCacheSlot, 256> sentence_cache_{};
    uint32_t sentence_id(const char* why, int32_t a0, int32_t a1, int32_t a2);
    uint32_t add_sentence(SentenceCacheSlot& slot, const char* why, int32_t a0, int32_t a1, int32_t a2);
    // Direct-mapped cache in front of path_index_: the same few call paths
    // are entered millions of times in a large run.
    struct PathCacheSlot { uint64_t key = ~0ull; uint32_t id = 0; };
    std::array<PathCacheSlot, 256> path_cache_{};
    uint32_t current_path_ = 0;
    uint32_t checked_change_ = 0;  // journal position the invariant checker has seen
    size_t checked_count_ = 0;     // changes it has seen
    uint32_t command_change_begin_ = 0;
    size_t command_change_count_ = 0;
    std::vector<Change> undo_buffer_;  // a step's changes, decoded to apply in reverse
    std::vector<std::pair<VmaId, uint32_t>> table_owner_;
};

} // namespace mmt

#include "kernel_inline.h"
