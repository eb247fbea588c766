// The journal: every change to the kernel state is one 24-byte record with the
// value before and after. Stepping back applies `before` values in reverse,
// stepping forward applies `after` values: the cost of a step is proportional
// to what it changed, never to the size of the state.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace mmt {

enum class ChangeKind : uint8_t {
    page,          // index = pfn, field = PageField
    pte,           // index = slot in KernelState::ptes
    pmd,           // index = slot in KernelState::pmds
    vma_page,      // index = slot in KernelState::vma_pages
    process,       // index = process id, field = ProcessField
    swap_slot,     // index = slot, field = SwapField
    holder,        // index = holder id, field = HolderField
    grow,          // a table grew: field = TableId, before/after = its live size
};

enum class TableId : uint8_t { pages, ptes, pmds, vma_pages, processes, vmas, swap_slots, holders };

struct Change {
    ChangeKind kind;
    uint8_t field;
    uint32_t index;
    uint64_t before;
    uint64_t after;
};
static_assert(sizeof(Change) == 24);

// Append-only storage in fixed chunks: growing never copies what is there
// (a vector doubling a 200 MB journal would copy it and hold both), and peak
// memory stays close to what is used.
template <typename T, size_t ChunkBits = 16>
class ChunkedVector {
public:
    static constexpr size_t kChunk = size_t(1) << ChunkBits;
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T& operator[](size_t i) { return chunks_[i >> ChunkBits][i & (kChunk - 1)]; }
    const T& operator[](size_t i) const { return chunks_[i >> ChunkBits][i & (kChunk - 1)]; }
    T& back() { return (*this)[size_ - 1]; }
    const T& back() const { return (*this)[size_ - 1]; }
    void push_back(const T& value) {
        if ((size_ & (kChunk - 1)) == 0 && (size_ >> ChunkBits) == chunks_.size())
            chunks_.emplace_back(new T[kChunk]);
        (*this)[size_++] = value;
    }
    size_t capacity_bytes() const { return chunks_.size() * kChunk * sizeof(T); }

private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    size_t size_ = 0;
};

// An append-only table whose live prefix is the current state. Objects past
// the live size are the ones a later step created; stepping forward revives
// them unchanged (their fields were restored by the undone changes first).
template <typename T>
class Table {
public:
    uint32_t size() const { return live_; }
    T& operator[](uint32_t i) { return items_[i]; }
    const T& operator[](uint32_t i) const { return items_[i]; }
    // Appends n objects; returns the index of the first. Forgets any future.
    uint32_t grow(uint32_t n, const T& value = T{}) {
        items_.resize(live_);
        items_.resize(live_ + n, value);
        uint32_t first = live_;
        live_ += n;
        return first;
    }
    void set_live(uint32_t n) { live_ = n; }
    bool same_live(const Table& other) const {
        if (live_ != other.live_)
            return false;
        for (uint32_t i = 0; i < live_; ++i)
            if (!(items_[i] == other.items_[i]))
                return false;
        return true;
    }
    void reserve(size_t n) { items_.reserve(n); }
    size_t capacity_bytes() const { return items_.capacity() * sizeof(T); }

private:
    std::vector<T> items_;
    uint32_t live_ = 0;
};

} // namespace mmt
