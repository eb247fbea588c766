// The Kernel members every operation calls several times per fault: the
// journaled setters of pages and PTEs, record(), step() and the call-path
// scope. A large run (fork of 1 GiB, then a COW fault on every page) calls
// them tens of millions of times, so they are inline: with the field a
// constant at the call site, set_page() becomes a compare, a store and a
// few-byte journal append. Included at the end of kernel.h; not for direct use.
#pragma once

#include <cassert>

namespace mmt {

inline Pte Kernel::pte(VmaId vma, uint32_t index) const {
    Pmd p = pmd(vma, index / kPagesPerPmd);
    if (!p.is_table())
        return Pte();
    return Pte::from_raw(state_.ptes[p.table() * kPagesPerPmd + index % kPagesPerPmd]);
}

inline void Kernel::record(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after) {
    assert(at_end() && "state changes only at the end of history");
    if (command_without_step_) [[unlikely]]
        open_unnamed_step();
    journal_.append(kind, field, index, before, after);
}

inline void Kernel::set_page(Pfn pfn, PageField field, uint32_t value) {
    Page& p = state_.pages[pfn.value];
    uint32_t old = p.get(field);
    if (old == value)
        return;
    record(ChangeKind::page, static_cast<uint8_t>(field), pfn.value, old, value);
    p.set(field, value);
}

inline void Kernel::set_page_flag(Pfn pfn, PageFlag flag, bool on) {
    uint32_t flags = page(pfn).flags;
    set_page(pfn, PageField::flags, on ? (flags | flag) : (flags & ~flag));
}

inline void Kernel::folio_ref_add(Pfn pfn, int32_t delta) {
    Pfn h = folio(pfn);
    set_page(h, PageField::refcount, static_cast<uint32_t>(page(h).refcount + delta));
}

inline void Kernel::page_mapcount_add(Pfn pfn, int32_t delta) {
    set_page(pfn, PageField::mapcount, static_cast<uint32_t>(page(pfn).mapcount + delta));
}

inline void Kernel::folio_entire_mapcount_add(Pfn pfn, int32_t delta) {
    Pfn h = folio(pfn);
    set_page(h, PageField::entire_mapcount, static_cast<uint32_t>(page(h).entire_mapcount + delta));
}

inline void Kernel::folio_pincount_add(Pfn pfn, int32_t delta) {
    Pfn h = folio(pfn);
    set_page(h, PageField::pincount, static_cast<uint32_t>(page(h).pincount + delta));
}

inline void Kernel::folio_in_flight_add(Pfn pfn, int32_t delta) {
    Pfn h = folio(pfn);
    set_page(h, PageField::in_flight, static_cast<uint32_t>(page(h).in_flight + delta));
}

inline void Kernel::folio_get_in_flight(Pfn pfn) {
    folio_ref_add(pfn, 1);
    folio_in_flight_add(pfn, 1);
}

inline void Kernel::set_pte(VmaId vma, uint32_t index, Pte value) {
    uint32_t pmd_index = index / kPagesPerPmd;
    Pmd p = pmd(vma, pmd_index);
    if (!p.is_table()) [[unlikely]] {
        assert(p.is_none());
        if (value.is_none())
            return;
        p = install_pte_table(vma, pmd_index);
    }
    uint32_t slot = p.table() * kPagesPerPmd + index % kPagesPerPmd;
    uint64_t old = state_.ptes[slot];
    if (old == value.raw())
        return;
    record(ChangeKind::pte, 0, slot, old, value.raw());
    state_.ptes[slot] = value.raw();
}

inline Kernel::FunctionScope::FunctionScope(Kernel& k, const char* function)
    : kernel_(k), saved_(k.current_path_) {
    k.current_path_ = k.path_child(k.current_path_, function);
}

inline Kernel::FunctionScope::~FunctionScope() { kernel_.current_path_ = saved_; }

inline uint32_t Kernel::path_child(uint32_t parent, const char* function) {
    const PathNode& node = paths_[parent];
    if (node.recent_function[0] == function)
        return node.recent_child[0];
    if (node.recent_function[1] == function)
        return node.recent_child[1];
    return path_child_slow(parent, function);
}

// Sentences are string literals, each at its own address; the first
// argument tells apart the few sentences said with varying counts.
inline uint32_t Kernel::sentence_id(const char* why, int32_t a0, int32_t a1, int32_t a2) {
    size_t key = (reinterpret_cast<uintptr_t>(why) >> 4) ^ static_cast<uint32_t>(a0);
    SentenceCacheSlot& slot = sentence_cache_[key & (sentence_cache_.size() - 1)];
    if (slot.why == why && slot.args01 == pack_args(a0, a1) && slot.arg2 == a2) [[likely]]
        return slot.id;
    return add_sentence(slot, why, a0, a1, a2);
}

inline void Kernel::finish_step() {
    if (steps_.empty() || checked_count_ == journal_.size())
        return;
    if (check_invariants_)
        check_finished_step();
    checked_change_ = journal_.end_pos();
    checked_count_ = journal_.size();
}

inline void Kernel::step(const char* why, int32_t a0, int32_t a1, int32_t a2) {
    assert(in_command_);
    finish_step();
    steps_.push_back(journal_.begin_step(StepHeader{current_path_, cpu_, sentence_id(why, a0, a1, a2)}));
    cursor_ = static_cast<uint32_t>(steps_.size());
    command_without_step_ = false;
}

inline size_t CommandsView::size() const { return kernel_->command_count(); }
inline CommandRecord CommandsView::operator[](size_t command) const {
    return kernel_->command(static_cast<uint32_t>(command));
}

inline size_t StepsView::size() const { return kernel_->step_count(); }

inline KernelStep StepsView::operator[](size_t step) const {
    auto i = static_cast<uint32_t>(step);
    StepHeader h = kernel_->journal().header(kernel_->change_begin(i));
    return KernelStep{kernel_->command_of_step(i), kernel_->change_begin(i), h.path, h.cpu, h.sentence};
}

} // namespace mmt
