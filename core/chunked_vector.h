// Append-only storage for the engine's history and state: ChunkedVector
// (chunks that double, never copied when growing) and Table (a chunked
// array whose live prefix is the current state).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <new>
#include <type_traits>
#include <utility>

#include "chunk_memory.h"

namespace mmt {

// An iterator by index over a container with size() and operator[], which
// may return a reference or a value decoded on demand.
template <typename Container>
class IndexIterator {
public:
    using reference = decltype(std::declval<const Container&>()[size_t(0)]);
    using value_type = std::remove_cvref_t<reference>;
    using iterator_category =
        std::conditional_t<std::is_reference_v<reference>, std::forward_iterator_tag, std::input_iterator_tag>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    IndexIterator() = default;
    IndexIterator(const Container* c, size_t i) : c_(c), i_(i) {}
    reference operator*() const { return (*c_)[i_]; }
    IndexIterator& operator++() {
        ++i_;
        return *this;
    }
    IndexIterator operator++(int) {
        IndexIterator old = *this;
        ++i_;
        return old;
    }
    bool operator==(const IndexIterator& o) const { return i_ == o.i_; }
    size_t index() const { return i_; }

private:
    const Container* c_ = nullptr;
    size_t i_ = 0;
};

// Append-only storage in chunks that double in size: growing never copies
// what is there (a vector doubling a 200 MB journal would copy it and hold
// both), a small kernel (a scenario, a lesson, one interleaving of the
// explorer) uses one small heap chunk, and a big run quickly gets chunks of
// 2 MiB and more, which are populated ahead of the writes (chunk_memory.h).
// Chunks are not initialised: an element is written once, when it is appended.
// Chunk c holds 2^(FirstBits + c) elements: with j = i + 2^FirstBits, element
// i is in the chunk numbered by j's highest set bit, at j without that bit.
// Reading an element is on every path of the engine, so each chunk's address
// is kept biased by its first j (as an integer: the biased value points
// nowhere), indexed by countl_zero(j): a read is an add, a bit scan, a load
// and an indexed address.
template <typename T, size_t FirstBits>
class ChunkedVector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    static constexpr size_t kFirst = size_t(1) << FirstBits;
    static constexpr size_t kMaxChunks = 8 * sizeof(size_t) - FirstBits;

public:
    ChunkedVector() = default;
    ~ChunkedVector() { release(); }
    ChunkedVector(ChunkedVector&& other) noexcept { take(other); }
    ChunkedVector& operator=(ChunkedVector&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    // A deep copy (tests snapshot whole states to compare them).
    ChunkedVector(const ChunkedVector& other) {
        for (size_t c = 0; size_ < other.size_; ++c) {
            add_chunk();
            tail_end_ = chunk_end_;  // the copy writes it all
            size_t used = std::min(chunk_length(c), other.size_ - size_);
            std::memcpy(static_cast<void*>(tail_), other.chunks_[c], used * sizeof(T));
            tail_ += used;
            size_ += used;
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
    T& operator[](size_t i) { return *locate(i); }
    const T& operator[](size_t i) const { return *locate(i); }
    T& back() { return tail_[-1]; }
    const T& back() const { return tail_[-1]; }
    void push_back(const T& value) {
        if (tail_ == tail_end_) [[unlikely]]
            make_room();
        ::new (static_cast<void*>(tail_)) T(value);
        ++tail_;
        ++size_;
    }
    size_t used_bytes() const { return size_ * sizeof(T); }

    // Read-only iteration in order (range-for, standard algorithms).
    using const_iterator = IndexIterator<ChunkedVector>;
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size_}; }

private:
    static size_t chunk_length(size_t c) { return kFirst << c; }
    static constexpr size_t kBits = 8 * sizeof(size_t);
    // countl_zero(j) of the elements of chunk c.
    static constexpr size_t leading_zeros(size_t c) { return kBits - 1 - FirstBits - c; }
    T* locate(size_t i) const {
        size_t j = i + kFirst;
        return reinterpret_cast<T*>(biased_[std::countl_zero(j)] + j * sizeof(T));
    }
    // tail_end_ is where the room made so far ends: the end of the last
    // chunk, or for a big chunk the end of the part populated so far.
    void make_room() {
        if (tail_ == chunk_end_)
            add_chunk();
        else
            populate_window();
    }
    void add_chunk() {
        size_t length = chunk_length(count_);
        T* chunk = static_cast<T*>(allocate_chunk(length * sizeof(T)));
        chunks_[count_] = chunk;
        biased_[leading_zeros(count_)] = reinterpret_cast<uintptr_t>(chunk) - (kFirst << count_) * sizeof(T);
        ++count_;
        tail_ = tail_end_ = chunk;
        chunk_end_ = chunk + length;
        if (length * sizeof(T) < kBigChunkBytes) {
            tail_end_ = chunk_end_;
        } else {
            prefault_chunk(chunk, std::min(length, window()) * sizeof(T));
            populate_window();
        }
    }
    // The next window of a big chunk becomes room to append, and the
    // background thread is asked for the one after it (chunk_memory.h).
    void populate_window() {
        tail_end_ += std::min<size_t>(chunk_end_ - tail_end_, window());
        if (size_t ahead = std::min<size_t>(chunk_end_ - tail_end_, window()))
            prefault_chunk(tail_end_, ahead * sizeof(T));
    }
    static size_t window() { return std::max<size_t>(1, kPopulateWindowBytes / sizeof(T)); }
    void release() {
        for (size_t c = 0; c < count_; ++c)
            free_chunk(chunks_[c], chunk_length(c) * sizeof(T));
        count_ = 0;
        tail_ = tail_end_ = chunk_end_ = nullptr;
        size_ = 0;
    }
    void take(ChunkedVector& other) {
        chunks_ = other.chunks_;
        biased_ = other.biased_;
        count_ = other.count_;
        tail_ = other.tail_;
        tail_end_ = other.tail_end_;
        chunk_end_ = other.chunk_end_;
        size_ = other.size_;
        other.count_ = 0;
        other.tail_ = other.tail_end_ = other.chunk_end_ = nullptr;
        other.size_ = 0;
    }

    std::array<T*, kMaxChunks> chunks_{};
    std::array<uintptr_t, kBits> biased_{};  // by countl_zero(j): chunk address - first j * sizeof(T)
    size_t count_ = 0;       // chunks allocated
    T* tail_ = nullptr;      // where the next element goes
    T* tail_end_ = nullptr;   // end of the room made for appending
    T* chunk_end_ = nullptr;  // end of the last chunk
    size_t size_ = 0;
};

// An append-only table whose live prefix is the current state. Objects past
// the live size are the ones a later step created; stepping forward revives
// them unchanged (their fields were restored by the undone changes first).
// Stored in chunks, like the journal, so growing never copies the table:
// the first holds 1024 objects.
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
    size_t used_bytes() const { return items_.used_bytes(); }

private:
    ChunkedVector<T, 10> items_;
    uint32_t live_ = 0;
};

} // namespace mmt
