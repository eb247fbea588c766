// The journal: every change to the kernel state, with the value before and
// after, grouped by the kernel step that made it. Stepping back applies
// `before` values in reverse, stepping forward applies `after` values: the
// cost of a step is proportional to what it changed, never to the size of
// the state.
#pragma once

#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "page.h"
#include "pte.h"

namespace mmt {

enum class ChangeKind : uint8_t {
    page,          // index = pfn, field = PageField
    pte,           // index = slot in KernelState::ptes
    pmd,           // index = slot in KernelState::pmds
    vma_page,      // index = slot in KernelState::vma_pages; field kVmaAnonVmaField: index = VMA, Vma::has_anon_vma
    process,       // index = process id, field = ProcessField
    swap_slot,     // index = slot, field = SwapField
    holder,        // index = holder id, field = HolderField
    grow,          // a table grew: field = TableId, before/after = its live size
};

inline constexpr uint8_t kVmaAnonVmaField = 1;

enum class TableId : uint8_t { pages, ptes, pmds, vma_pages, processes, vmas, swap_slots, holders };

// One change as the journal gives it back: which object, which field, the
// value before and after. The journal stores it packed (see Journal).
struct Change {
    uint32_t index = 0;
    ChangeKind kind = ChangeKind::page;
    uint8_t field = 0;
    uint64_t before_value = 0;
    uint64_t after_value = 0;
    uint64_t before() const { return before_value; }
    uint64_t after() const { return after_value; }
};
static_assert(Pte::protnone < (1u << 8), "a PTE's flag bits fit in the 12 low bits the journal keeps");
static_assert(static_cast<unsigned>(PageField::count_) < 16, "a field number fits in 4 bits");

// What a kernel step's record in the journal says: its call path, the CPU
// it ran on and its sentence (ids the Kernel resolves).
struct StepHeader {
    uint32_t path = 0;
    uint8_t cpu = 0;
    uint32_t sentence = 0;
};

// The journal is a byte stream: a big run keeps millions of changes, and
// most are small (a count going 2 -> 3, a flag set on the page the step
// already touched), so each is packed into a few bytes rather than a
// fixed-size record:
//   a change   tag (kind << 4 | field, bit 7: same index as the previous
//              change of this kind in the step), the index as a varint of
//              the zigzag difference from that previous index (absent when
//              bit 7 is set), the value before as a varint, and the
//              difference after - before as a zigzag varint. A PTE or PMD
//              value (payload in bits 32..63, kind and flags in bits 0..11)
//              is packed to 44 bits first.
//   a step     kStepTag, varint(path << 1 | cpu != 0), the CPU byte if not
//              0, varint(sentence). Index differences restart at each step,
//              so any step can be read without the ones before it.
//   padding    kPadding: the rest of the chunk is unused (a record never
//              straddles two chunks).
// Positions are byte offsets (32 bits: at most 4 GiB of history). Storage
// is chunks that double from 64 KiB, as ChunkedVector, populated ahead of
// the writes once they are big (chunk_memory.h).
class Journal {
public:
    using Pos = uint32_t;

    Journal() = default;
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Changes recorded.
    size_t size() const { return count_; }
    // Position just past the last record.
    Pos end_pos() const { return static_cast<Pos>(chunk_base_ + (tail_ - chunk_start_)); }
    size_t used_bytes() const { return end_pos(); }

    // Starts a step's record; returns its position.
    Pos begin_step(const StepHeader& header);
    void append(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after);

    // The header of the step whose record starts at `pos`.
    StepHeader header(Pos pos) const;

    // The changes recorded in [from, to), in order; step records in between
    // are skipped. `from` and `to` are positions of step records (or the
    // end), or a position end_pos() returned.
    class Range;
    Range changes(Pos from, Pos to) const;

private:
    struct Cursor {
        Pos pos = 0;
        const uint8_t* p = nullptr;
        std::array<uint32_t, 8> last{};  // previous index by kind, within the step
    };
    bool next(Cursor& c, Pos end, Change& out) const;

    static constexpr unsigned kFirstBits = 16;
    static constexpr size_t kFirst = size_t(1) << kFirstBits;
    static constexpr size_t kMaxRecord = 32;  // the longest change or step record, rounded up
    static constexpr size_t kBits = 8 * sizeof(size_t);
    static constexpr uint8_t kStepTag = 0xfe;  // a grow change of field 14: no such table
    static constexpr uint8_t kPadding = 0xff;  // field 15, same index: no such table either

    static uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
    static int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
    static uint8_t* put_varint(uint8_t* p, uint64_t v) {
        while (v >= 0x80) {
            *p++ = static_cast<uint8_t>(v | 0x80);
            v >>= 7;
        }
        *p++ = static_cast<uint8_t>(v);
        return p;
    }
    static uint64_t get_varint(const uint8_t*& p) {
        uint64_t v = *p & 0x7f;
        for (unsigned shift = 7; *p++ & 0x80; shift += 7)
            v |= uint64_t(*p & 0x7f) << shift;
        return v;
    }
    // A PTE or PMD value without the 20 bits it never uses.
    static uint64_t pack_wide(uint64_t v) { return (v >> 32) << 12 | (v & 0xfff); }
    static uint64_t unpack_wide(uint64_t v) { return (v >> 12) << 32 | (v & 0xfff); }
    static bool wide(ChangeKind kind) { return kind == ChangeKind::pte || kind == ChangeKind::pmd; }

    const uint8_t* locate(Pos pos) const {
        size_t j = size_t(pos) + kFirst;
        return reinterpret_cast<const uint8_t*>(biased_[std::countl_zero(j)] + j);
    }
    // The position where the chunk after the one holding `pos` starts.
    static Pos next_chunk(Pos pos) { return static_cast<Pos>((std::bit_floor(size_t(pos) + kFirst) << 1) - kFirst); }
    uint8_t* make_room();
    void add_chunk();

    std::array<uint8_t*, 16> chunks_{};   // chunk 15 ends just below 4 GiB
    std::array<uintptr_t, kBits> biased_{};  // by countl_zero(pos + kFirst): chunk address - its first pos + kFirst
    size_t chunk_count_ = 0;
    uint8_t* chunk_start_ = nullptr;
    uint8_t* tail_ = nullptr;       // where the next record goes
    uint8_t* tail_end_ = nullptr;   // end of the room made for appending
    uint8_t* chunk_end_ = nullptr;
    size_t chunk_base_ = 0;         // position of chunk_start_
    size_t count_ = 0;
    std::array<uint32_t, 8> last_index_{};  // of the step being written, by kind
};

class Journal::Range {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Change;
        using difference_type = std::ptrdiff_t;
        using pointer = const Change*;
        using reference = const Change&;
        const Change& operator*() const { return change_; }
        const Change* operator->() const { return &change_; }
        iterator& operator++() {
            done_ = !journal_->next(cursor_, end_, change_);
            return *this;
        }
        bool operator==(std::default_sentinel_t) const { return done_; }

    private:
        friend class Range;
        const Journal* journal_ = nullptr;
        Cursor cursor_;
        Pos end_ = 0;
        Change change_;
        bool done_ = true;
    };
    iterator begin() const {
        iterator it;
        it.journal_ = journal_;
        it.end_ = to_;
        it.cursor_.pos = from_;
        if (from_ < to_)
            it.cursor_.p = journal_->locate(from_);
        ++it;
        return it;
    }
    std::default_sentinel_t end() const { return {}; }

private:
    friend class Journal;
    Range(const Journal* journal, Pos from, Pos to) : journal_(journal), from_(from), to_(to) {}
    const Journal* journal_;
    Pos from_;
    Pos to_;
};

inline Journal::Range Journal::changes(Pos from, Pos to) const { return Range(this, from, to); }

inline Journal::Pos Journal::begin_step(const StepHeader& header) {
    uint8_t* p = tail_;
    if (static_cast<size_t>(tail_end_ - p) <= kMaxRecord) [[unlikely]]
        p = make_room();
    Pos pos = end_pos();
    *p++ = kStepTag;
    p = put_varint(p, uint64_t(header.path) << 1 | (header.cpu != 0));
    if (header.cpu != 0)
        *p++ = header.cpu;
    p = put_varint(p, header.sentence);
    tail_ = p;
    last_index_ = {};
    return pos;
}

inline void Journal::append(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after) {
    uint8_t* p = tail_;
    if (static_cast<size_t>(tail_end_ - p) <= kMaxRecord) [[unlikely]]
        p = make_room();
    auto k = static_cast<unsigned>(kind);
    auto tag = static_cast<uint8_t>(k << 4 | (field & 0xf));
    uint32_t& last = last_index_[k];
    if (index == last) {
        *p++ = tag | 0x80;
    } else {
        *p++ = tag;
        p = put_varint(p, zigzag(int64_t(index) - int64_t(last)));
        last = index;
    }
    if (wide(kind)) {
        assert(((before | after) & 0xfffff000u) == 0 && "a PTE or PMD value has no bits in 12..31");
        before = pack_wide(before);
        after = pack_wide(after);
    }
    p = put_varint(p, before);
    p = put_varint(p, zigzag(static_cast<int64_t>(after - before)));
    tail_ = p;
    ++count_;
}

} // namespace mmt
