// The journal: every change to the kernel state is one 24-byte record with the
// value before and after. Stepping back applies `before` values in reverse,
// stepping forward applies `after` values: the cost of a step is proportional
// to what it changed, never to the size of the state.
#pragma once

#include <algorithm>
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

// 20 bytes: a PTE or PMD value has 48 significant bits (kind and flag bits in
// the low 16, the frame or slot number in the high 32); every other field is
// 32 bits. Millions of these are kept, so the packing is worth it.
class Change {
public:
    Change() = default;
    Change(ChangeKind kind, uint8_t field, uint32_t index, uint64_t before, uint64_t after)
        : kind(kind), field(field), index(index) {
        encode(before, &before_low_, &before_high_);
        encode(after, &after_low_, &after_high_);
    }
    ChangeKind kind = ChangeKind::page;
    uint8_t field = 0;
    uint32_t index = 0;
    uint64_t before() const { return decode(before_low_, before_high_); }
    uint64_t after() const { return decode(after_low_, after_high_); }

private:
    bool wide() const { return kind == ChangeKind::pte || kind == ChangeKind::pmd; }
    void encode(uint64_t v, uint16_t* low, uint32_t* high) const {
        if (wide()) {
            *low = static_cast<uint16_t>(v & 0xffff);
            *high = static_cast<uint32_t>(v >> 32);
        } else {
            *low = 0;
            *high = static_cast<uint32_t>(v);
        }
    }
    uint64_t decode(uint16_t low, uint32_t high) const {
        return wide() ? (uint64_t(high) << 32) | low : high;
    }
    uint16_t before_low_ = 0;
    uint16_t after_low_ = 0;
    uint32_t before_high_ = 0;
    uint32_t after_high_ = 0;
};
static_assert(sizeof(Change) == 20);

// Append-only storage in fixed chunks: growing never copies what is there
// (a vector doubling a 200 MB journal would copy it and hold both), and peak
// memory stays close to what is used.
template <typename T, size_t ChunkBits = 16>
class ChunkedVector {
public:
    static constexpr size_t kChunk = size_t(1) << ChunkBits;
    ChunkedVector() = default;
    ChunkedVector(ChunkedVector&&) noexcept = default;
    ChunkedVector& operator=(ChunkedVector&&) noexcept = default;
    // A deep copy (tests snapshot whole states to compare them).
    ChunkedVector(const ChunkedVector& other) : size_(other.size_) {
        for (size_t c = 0; c < other.chunks_.size(); ++c) {
            chunks_.emplace_back(new T[kChunk]);
            size_t used = std::min(kChunk, other.size_ > c * kChunk ? other.size_ - c * kChunk : 0);
            std::copy(other.chunks_[c].get(), other.chunks_[c].get() + used, chunks_.back().get());
        }
    }
    ChunkedVector& operator=(const ChunkedVector& other) {
        if (this != &other) {
            ChunkedVector copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
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
// Stored in chunks, like the journal, so growing never copies the table.
template <typename T>
class Table {
public:
    uint32_t size() const { return live_; }
    T& operator[](uint32_t i) { return items_[i]; }
    const T& operator[](uint32_t i) const { return items_[i]; }
    // Appends n objects; returns the index of the first. Forgets any future.
    uint32_t grow(uint32_t n, const T& value = T{}) {
        uint32_t first = live_;
        for (uint32_t i = 0; i < n; ++i) {
            if (live_ + i < items_.size())
                items_[live_ + i] = value;
            else
                items_.push_back(value);
        }
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
    size_t capacity_bytes() const { return items_.capacity_bytes(); }

private:
    ChunkedVector<T, 10> items_;
    uint32_t live_ = 0;
};

} // namespace mmt
