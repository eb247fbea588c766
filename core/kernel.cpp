#include "kernel.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "era_policy.h"
#include "invariants.h"

namespace mmt {

bool KernelState::operator==(const KernelState& o) const {
    return pages.same_live(o.pages) && ptes.same_live(o.ptes) && pmds.same_live(o.pmds) &&
           vma_pages.same_live(o.vma_pages) && processes.same_live(o.processes) && vmas.same_live(o.vmas) &&
           swap_slots.same_live(o.swap_slots) && holders.same_live(o.holders);
}

Kernel::Kernel(Era era) : era_(era), policy_(make_era_policy(era)) {
    paths_.push_back({0, ""});
    paths_.reserve(64);
    // Boot: pfn 0 is never used (0 means "no page"), pfn 1 is the shared zero
    // page, pfns 2..513 the huge zero page; slot 0 of swap is never used.
    state_.pages.grow(1);
    state_.pages.grow(1);
    state_.pages[1].flags = PG_zero | PG_allocated;
    state_.pages[1].head = 1;
    state_.pages[1].refcount = 1;
    uint32_t huge = state_.pages.grow(kPagesPerPmd);
    for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
        Page& p = state_.pages[huge + i];
        p.flags = PG_zero | PG_allocated | (i == 0 ? PG_head : PG_tail);
        p.head = huge;
    }
    state_.pages[huge].order = 9;
    state_.pages[huge].refcount = 1;
    state_.swap_slots.grow(1);
    state_.processes.grow(1);   // process 0 is no process
}

Kernel::~Kernel() = default;

int32_t Kernel::folio_mapcount(Pfn pfn) const {
    Pfn head = folio(pfn);
    const Page& h = page(head);
    int32_t total = h.entire_mapcount;
    uint32_t n = 1u << h.order;
    for (uint32_t i = 0; i < n; ++i)
        total += state_.pages[head.value + i].mapcount;
    return total;
}

bool Kernel::folio_maybe_dma_pinned(Pfn pfn) const {
    const Page& h = head_page(pfn);
    if (h.order > 0)
        return h.pincount > 0;
    return h.refcount >= kGupPinCountingBias;
}

// The newest process of that name: a name is free again once its process
// has exited.
std::optional<ProcessId> Kernel::find_process(std::string_view name) const {
    for (uint32_t i = uint32_t(state_.processes.size()); i-- > 1;)
        if (strings_.text(state_.processes[i].name) == name)
            return ProcessId(i);
    return std::nullopt;
}

std::optional<VmaId> Kernel::find_vma(ProcessId process, std::string_view name) const {
    for (uint32_t i = 0; i < state_.vmas.size(); ++i) {
        const Vma& v = state_.vmas[i];
        if (v.process == process && strings_.text(v.name) == name)
            return VmaId(i);
    }
    return std::nullopt;
}

std::optional<VmaId> Kernel::find_vma_by_name_id(ProcessId process, uint32_t name) const {
    for (uint32_t i = 0; i < state_.vmas.size(); ++i) {
        const Vma& v = state_.vmas[i];
        if (v.process == process && v.name == name)
            return VmaId(i);
    }
    return std::nullopt;
}

std::vector<VmaId> Kernel::vmas_of(ProcessId process) const {
    std::vector<VmaId> out;
    for (uint32_t i = 0; i < state_.vmas.size(); ++i)
        if (state_.vmas[i].process == process)
            out.push_back(VmaId(i));
    return out;
}

// The newest reference of that name (released names may be taken again).
std::optional<HolderId> Kernel::find_holder(std::string_view name) const {
    for (uint32_t i = uint32_t(state_.holders.size()); i-- > 0;)
        if (strings_.text(state_.holders[i].name) == name)
            return HolderId(i);
    return std::nullopt;
}

std::string Kernel::page_name(Pfn pfn) const {
    const Page& p = page(pfn);
    if (p.test(PG_zero))
        return pfn == zero_pfn() ? "the zero page" : "huge zero page";
    std::string name = (p.test(PG_device_private) ? "device page #" : "page #") + std::to_string(pfn.value);
    return name;
}

std::string Kernel::address_name(VmaId vma, uint32_t index) const {
    const Vma& v = state_.vmas[vma.value];
    return strings_.text(state_.processes[v.process.value].name) + " " + strings_.text(v.name) + "[" +
           std::to_string(index) + "]";
}

// ---------------------------------------------------------------------------
// Journaled setters

// `note` rides in the change's unused index: for pages, the new frame's contents.
void Kernel::grow(TableId table, uint32_t before, uint32_t after, uint32_t note) {
    record(ChangeKind::grow, static_cast<uint8_t>(table), note, before, after);
}

// set_pte() on a PMD that has no PTE table yet: allocate one and point the
// PMD at it.
Pmd Kernel::install_pte_table(VmaId vma, uint32_t pmd_index) {
    set_pmd(vma, pmd_index, Pmd::make_table(alloc_pte_table()));
    return pmd(vma, pmd_index);
}

void Kernel::set_pmd(VmaId vma, uint32_t pmd_index, Pmd value) {
    uint32_t slot = pmd_slot(vma, pmd_index);
    uint64_t old = state_.pmds[slot];
    if (old == value.raw())
        return;
    record(ChangeKind::pmd, 0, slot, old, value.raw());
    state_.pmds[slot] = value.raw();
    if (value.is_table()) {
        if (table_owner_.size() <= value.table())
            table_owner_.resize(value.table() + 1);
        table_owner_[value.table()] = {vma, pmd_index};
    }
}

void Kernel::set_vma_has_anon_vma(VmaId vma, bool on) {
    Vma& v = state_.vmas[vma.value];
    if (v.has_anon_vma == on)
        return;
    record(ChangeKind::vma_page, kVmaAnonVmaField, vma.value, v.has_anon_vma, on);
    v.has_anon_vma = on;
}

void Kernel::set_detached_pte(uint32_t table, uint32_t i, Pte value) {
    uint32_t slot = table * kPagesPerPmd + i;
    uint64_t old = state_.ptes[slot];
    if (old == value.raw())
        return;
    record(ChangeKind::pte, 0, slot, old, value.raw());
    state_.ptes[slot] = value.raw();
}

void Kernel::set_vma_page(VmaId vma, uint32_t index, uint8_t bits) {
    uint32_t slot = vma_page_slot(vma, index);
    uint8_t old = state_.vma_pages[slot];
    if (old == bits)
        return;
    record(ChangeKind::vma_page, 0, slot, old, bits);
    state_.vma_pages[slot] = bits;
}

void Kernel::set_process(ProcessId id, ProcessField field, uint32_t value) {
    Process& p = state_.processes[id.value];
    uint32_t old = p.get(field);
    if (old == value)
        return;
    record(ChangeKind::process, static_cast<uint8_t>(field), id.value, old, value);
    p.set(field, value);
}

void Kernel::set_swap_slot(SwapSlot slot, SwapField field, uint32_t value) {
    SwapSlotInfo& s = state_.swap_slots[slot.value];
    uint32_t old = s.get(field);
    if (old == value)
        return;
    record(ChangeKind::swap_slot, static_cast<uint8_t>(field), slot.value, old, value);
    s.set(field, value);
}

void Kernel::set_holder(HolderId id, HolderField field, uint32_t value) {
    Holder& h = state_.holders[id.value];
    uint32_t old = h.get(field);
    if (old == value)
        return;
    record(ChangeKind::holder, static_cast<uint8_t>(field), id.value, old, value);
    h.set(field, value);
}

// ---------------------------------------------------------------------------
// Allocation

// A new frame is created already initialised: one journal record (the table
// growing) revives it exactly on redo, since every later change to it is
// undone before the growth is.
Pfn Kernel::alloc_page(uint32_t contents, PageFlag extra) {
    uint32_t before = state_.pages.size();
    Page page;
    page.head = before;
    page.flags = PG_allocated | extra;
    page.contents = contents;
    page.refcount = 1;
    page.in_flight = 1;
    uint32_t pfn = state_.pages.grow(1, page);
    grow(TableId::pages, before, state_.pages.size(), contents);
    return Pfn(pfn);
}

Pfn Kernel::alloc_device_private_page() {
    // The test driver hands out a free device page with its one reference
    // (the driver's, held until the page is mapped). Before v5.18 the free
    // page already had a reference of its own, and the driver's get_page()
    // came on top of it.
    Pfn page = alloc_page(0, PG_device_private);
    if (policy().zone_device_page_has_extra_ref())
        set_page(page, PageField::refcount, 2);
    return page;
}

int32_t Kernel::zone_device_base_refs(Pfn head) const {
    return page(head).test(PG_device_private) && policy().zone_device_page_has_extra_ref() ? 1 : 0;
}

Pfn Kernel::alloc_thp() {
    uint32_t before = state_.pages.size();
    Page tail;
    tail.head = before;
    tail.flags = PG_allocated | PG_tail;
    uint32_t head = state_.pages.grow(kPagesPerPmd, tail);
    Page& h = state_.pages[head];
    h.flags = PG_allocated | PG_head;
    h.order = 9;
    h.refcount = 1;
    h.in_flight = 1;
    grow(TableId::pages, before, state_.pages.size());
    return Pfn(head);
}

void Kernel::free_folio(Pfn head) {
    uint32_t n = folio_nr_pages(head);
    for (uint32_t i = 0; i < n; ++i) {
        Pfn p(head.value + i);
        // Freeing resets every flag: PG_anon_exclusive and the mapping go too.
        // A device page stays device memory (the driver takes it back), so a
        // trace read later still names it as one.
        set_page(p, PageField::flags, page(p).flags & PG_device_private);
        set_page(p, PageField::anon_vma, 0);
        set_page(p, PageField::mapcount, 0);
    }
    set_page(head, PageField::pincount, 0);
    set_page(head, PageField::entire_mapcount, 0);
}

void Kernel::folio_put(Pfn pfn) { folio_put_refs(pfn, 1); }

void Kernel::folio_put_refs(Pfn pfn, int32_t refs) {
    Pfn h = folio(pfn);
    folio_ref_add(h, -refs);
    if (page(h).refcount == zone_device_base_refs(h)) {
        if (page(h).test(PG_device_private)) {
            // free_zone_device_page(): the driver's page_free() takes it back.
            step(policy().has_anon_exclusive()
                     ? "device page #{0} loses its last reference: free_zone_device_page() clears "
                       "PG_anon_exclusive and the mapping and hands it back to the driver"
                 : zone_device_base_refs(h)
                     ? "device page #{0} is down to the reference ZONE_DEVICE keeps: put_devmap_managed_page() "
                       "clears its mapping and the driver's page_free() takes it back (it keeps refcount 1)"
                     : "device page #{0} loses its last reference: its mapping is cleared and the driver's "
                       "page_free() takes it back",
                 static_cast<int32_t>(h.value));
        } else {
            step("page #{0} loses its last reference: it is freed and all its flags are reset",
                 static_cast<int32_t>(h.value));
        }
        free_folio(h);
    }
}

void Kernel::folio_put_in_flight(Pfn pfn) {
    folio_in_flight_add(pfn, -1);
    folio_put(pfn);
}

void Kernel::pte_alloc(VmaId vma, uint32_t index) {
    if (pmd(vma, index / kPagesPerPmd).is_none())
        install_pte_table(vma, index / kPagesPerPmd);
}

uint32_t Kernel::alloc_pte_table() {
    uint32_t before = state_.ptes.size();
    uint32_t first = state_.ptes.grow(kPagesPerPmd);
    grow(TableId::ptes, before, state_.ptes.size());
    return first / kPagesPerPmd;
}

ProcessId Kernel::create_process(std::string_view name) {
    uint32_t before = state_.processes.size();
    Process p;
    p.name = strings_.intern(name);
    uint32_t id = state_.processes.grow(1, p);
    grow(TableId::processes, before, state_.processes.size());
    return ProcessId(id);
}

uint64_t Kernel::next_vma_start(ProcessId process) const {
    uint64_t start = 0x7f0000000000ull;
    for (uint32_t i = 0; i < state_.vmas.size(); ++i) {
        const Vma& v = state_.vmas[i];
        if (v.process != process)
            continue;
        uint64_t end = v.start + uint64_t(v.npages) * 4096;
        uint64_t aligned = (end + (2ull << 20) - 1) & ~((2ull << 20) - 1);
        if (aligned + (2ull << 20) > start)
            start = aligned + (2ull << 20);  // leave a 2 MiB guard gap
    }
    return start;
}

// A new mapping's anon_vma is named after the VMA, unless a VMA that is not
// its relative already uses that name: then after the process too, so that
// the rmap (and ksm_might_need_to_copy) never mistakes one for the other.
uint32_t Kernel::fresh_anon_vma(uint32_t name, ProcessId process) {
    auto taken = [&](uint32_t id) {
        for (uint32_t v = 0; v < state_.vmas.size(); ++v)
            if (state_.vmas[v].anon_vma == id)
                return true;
        return false;
    };
    if (!taken(name))
        return name;
    std::string base = strings_.text(name) + " of " + strings_.text(state_.processes[process.value].name);
    uint32_t id = strings_.intern(base);
    for (int n = 2; taken(id); ++n)
        id = strings_.intern(base + " #" + std::to_string(n));
    return id;
}

VmaId Kernel::create_vma(ProcessId process, uint32_t name, uint32_t npages, bool hugepage, uint8_t page_bits,
                         uint64_t start, uint32_t anon_vma, bool has_anon_vma) {
    uint32_t npmds = (npages + kPagesPerPmd - 1) / kPagesPerPmd;
    uint32_t pmd_before = state_.pmds.size();
    uint32_t first_pmd = state_.pmds.grow(npmds, 0);
    grow(TableId::pmds, pmd_before, state_.pmds.size());
    uint32_t vp_before = state_.vma_pages.size();
    uint32_t first_page = state_.vma_pages.grow(npages, page_bits);
    grow(TableId::vma_pages, vp_before, state_.vma_pages.size());
    Vma v;
    v.name = name;
    v.process = process;
    v.npages = npages;
    v.start = start;
    v.first_pmd = first_pmd;
    v.first_page = first_page;
    v.hugepage = hugepage;
    v.anon_vma = anon_vma != 0 ? anon_vma : fresh_anon_vma(name, process);
    v.has_anon_vma = has_anon_vma;
    uint32_t before = state_.vmas.size();
    uint32_t id = state_.vmas.grow(1, v);
    grow(TableId::vmas, before, state_.vmas.size());
    return VmaId(id);
}

SwapSlot Kernel::alloc_swap_slot() {
    // get_swap_page(): the lowest free slot, as a simple allocator would.
    for (uint32_t i = 1; i < state_.swap_slots.size(); ++i) {
        const SwapSlotInfo& s = state_.swap_slots[i];
        if (s.count == 0 && s.cache_pfn == 0)
            return SwapSlot(i);
    }
    uint32_t before = state_.swap_slots.size();
    uint32_t id = state_.swap_slots.grow(1);
    grow(TableId::swap_slots, before, state_.swap_slots.size());
    return SwapSlot(id);
}

HolderId Kernel::create_holder(const Holder& holder) {
    uint32_t before = state_.holders.size();
    uint32_t id = state_.holders.grow(1, holder);
    grow(TableId::holders, before, state_.holders.size());
    return HolderId(id);
}

// ---------------------------------------------------------------------------
// Steps and commands

// Behind path_child()'s two recent children of each node: a direct-mapped
// cache, then the map of every path ever entered.
uint32_t Kernel::path_child_slow(uint32_t parent, const char* function) {
    uint64_t key = (uint64_t(parent) << 32) ^ reinterpret_cast<uintptr_t>(function);
    PathCacheSlot& slot = path_cache_[(key ^ (key >> 17) ^ (key >> 31)) & 255];
    uint32_t child;
    if (slot.key == key) {
        child = slot.id;
    } else {
        auto [it, inserted] = path_index_.try_emplace(key, static_cast<uint32_t>(paths_.size()));
        if (inserted)
            paths_.push_back({parent, function});
        slot = {key, it->second};
        child = it->second;
    }
    PathNode& node = paths_[parent];
    node.recent_function[node.next_recent] = function;
    node.recent_child[node.next_recent] = child;
    node.next_recent ^= 1;
    return child;
}

uint32_t Kernel::add_sentence(SentenceCacheSlot& slot, const char* why, int32_t a0, int32_t a1, int32_t a2) {
    slot.why = why;
    slot.args01 = pack_args(a0, a1);
    slot.arg2 = a2;
    slot.id = static_cast<uint32_t>(sentences_.size());
    sentences_.push_back(StepSentence{why, {a0, a1, a2}});
    return slot.id;
}

// A change made before its command opened any step still belongs to a step
// of that command. Out of line: record() stays small enough to inline.
void Kernel::open_unnamed_step() { step("state change"); }

void Kernel::check_finished_step() {
    check_step_invariants(*this, static_cast<uint32_t>(steps_.size() - 1), checked_change_);
}

void Kernel::begin_command(uint32_t source_index, uint32_t line) {
    CommandSlot c;
    c.source_index = source_index;
    c.line = line;
    c.step_begin = static_cast<uint32_t>(steps_.size());
    current_command_ = static_cast<uint32_t>(commands_.size());
    commands_.push_back(c);
    command_change_begin_ = journal_.end_pos();
    command_change_count_ = journal_.size();
    in_command_ = true;
    command_without_step_ = true;
}

void Kernel::end_command(const char* failure, std::optional<uint32_t> value) {
    finish_step();
    if (check_invariants_ && journal_.size() > command_change_count_)
        check_command_invariants(*this, command_change_begin_);
    CommandSlot& c = commands_.back();
    if (failure != nullptr) {
        auto [it, added] = failure_ids_.try_emplace(failure, static_cast<uint32_t>(failure_texts_.size()));
        if (added)
            failure_texts_.push_back(failure);
        c.failure = it->second;
    }
    if (value) {
        c.has_value = 1;
        command_values_.emplace_back(current_command_, *value);
    }
    in_command_ = false;
    command_without_step_ = false;
}

uint32_t Kernel::change_end(uint32_t step) const {
    return step + 1 < steps_.size() ? steps_[step + 1] : journal_.end_pos();
}

CommandRecord Kernel::command(uint32_t index) const {
    const CommandSlot& slot = commands_[index];
    CommandRecord r;
    r.source_index = slot.source_index;
    r.line = slot.line;
    r.step_begin = slot.step_begin;
    r.step_end = index + 1 < commands_.size() ? commands_[index + 1].step_begin : static_cast<uint32_t>(steps_.size());
    r.failure = failure_texts_[slot.failure];
    if (slot.has_value) {
        auto it = std::lower_bound(command_values_.begin(), command_values_.end(), std::pair(index, 0u));
        r.value = it->second;
    }
    return r;
}

uint32_t Kernel::command_of_step(uint32_t step) const {
    // Commands are in step order; one without steps shares its step_begin
    // with the next, so the last command starting at or before the step
    // is the one that holds it.
    size_t low = 0, high = commands_.size();  // the answer is below high
    while (high - low > 1) {
        size_t mid = low + (high - low) / 2;
        if (commands_[mid].step_begin <= step)
            low = mid;
        else
            high = mid;
    }
    return static_cast<uint32_t>(low);
}

std::string Kernel::step_path(uint32_t step) const {
    std::vector<const char*> names;
    for (uint32_t p = journal_.header(steps_[step]).path; p != 0; p = paths_[p].parent)
        names.push_back(paths_[p].function);
    std::string out;
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        if (!out.empty())
            out += " → ";
        out += *it;
    }
    return out;
}

std::string Kernel::step_sentence(uint32_t step) const {
    const StepSentence& s = sentences_[journal_.header(steps_[step]).sentence];
    std::string out;
    for (const char* c = s.why; *c; ++c) {
        if (c[0] == '{' && c[1] >= '0' && c[1] <= '2' && c[2] == '}') {
            out += std::to_string(s.args[c[1] - '0']);
            c += 2;
        } else if (c[0] == '{' && c[1] == 'P' && c[2] >= '0' && c[2] <= '2' && c[3] == '}') {
            // A page frame number, named as the change lines name it.
            out += page_name(Pfn(static_cast<uint32_t>(s.args[c[2] - '0'])));
            c += 3;
        } else {
            out += *c;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// History

void Kernel::apply(const Change& c, bool forward) {
    uint64_t v = forward ? c.after() : c.before();
    switch (c.kind) {
    case ChangeKind::page: state_.pages[c.index].set(static_cast<PageField>(c.field), static_cast<uint32_t>(v)); break;
    case ChangeKind::pte: state_.ptes[c.index] = v; break;
    case ChangeKind::pmd: state_.pmds[c.index] = v; break;
    case ChangeKind::vma_page:
        if (c.field == kVmaAnonVmaField)
            state_.vmas[c.index].has_anon_vma = v != 0;
        else
            state_.vma_pages[c.index] = static_cast<uint8_t>(v);
        break;
    case ChangeKind::process:
        state_.processes[c.index].set(static_cast<ProcessField>(c.field), static_cast<uint32_t>(v));
        break;
    case ChangeKind::swap_slot:
        state_.swap_slots[c.index].set(static_cast<SwapField>(c.field), static_cast<uint32_t>(v));
        break;
    case ChangeKind::holder:
        state_.holders[c.index].set(static_cast<HolderField>(c.field), static_cast<uint32_t>(v));
        break;
    case ChangeKind::grow: {
        auto n = static_cast<uint32_t>(v);
        switch (static_cast<TableId>(c.field)) {
        case TableId::pages: state_.pages.set_live(n); break;
        case TableId::ptes: state_.ptes.set_live(n); break;
        case TableId::pmds: state_.pmds.set_live(n); break;
        case TableId::vma_pages: state_.vma_pages.set_live(n); break;
        case TableId::processes: state_.processes.set_live(n); break;
        case TableId::vmas: state_.vmas.set_live(n); break;
        case TableId::swap_slots: state_.swap_slots.set_live(n); break;
        case TableId::holders: state_.holders.set_live(n); break;
        }
        break;
    }
    }
}

void Kernel::step_back() {
    if (cursor_ == 0)
        return;
    uint32_t s = cursor_ - 1;
    undo_buffer_.clear();
    for (const Change& c : step_changes_of(s))
        undo_buffer_.push_back(c);
    for (auto it = undo_buffer_.rbegin(); it != undo_buffer_.rend(); ++it)
        apply(*it, false);
    cursor_ = s;
}

void Kernel::step_forward() {
    if (cursor_ >= steps_.size())
        return;
    uint32_t s = cursor_;
    for (const Change& c : step_changes_of(s))
        apply(c, true);
    cursor_ = s + 1;
}

void Kernel::seek(uint32_t step) {
    if (step > steps_.size())
        step = static_cast<uint32_t>(steps_.size());
    while (cursor_ > step)
        step_back();
    while (cursor_ < step)
        step_forward();
}

size_t Kernel::memory_bytes() const {
    return journal_.used_bytes() + steps_.used_bytes() + commands_.used_bytes() + state_.pages.used_bytes() + state_.ptes.used_bytes() +
           state_.pmds.used_bytes() + state_.vma_pages.used_bytes();
}

} // namespace mmt
