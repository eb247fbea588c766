#include "chunk_memory.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <system_error>
#include <new>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif
#endif

namespace mmt {

namespace {

constexpr uintptr_t kHostPage = 4096;

bool mapped(size_t bytes) {
#if defined(__linux__)
    return bytes >= kBigChunkBytes;
#else
    return false;
#endif
}

size_t mapping_bytes(size_t bytes) { return (bytes + kHostPage - 1) & ~size_t(kHostPage - 1); }

struct Span {
    uintptr_t begin = 0;
    uintptr_t end = 0;
    bool overlaps(uintptr_t b, uintptr_t e) const { return begin < e && b < end; }
};

// One thread for the process, started by the first request. Requests are
// done in order; a chunk being freed first drops its queued requests and
// waits for the one in progress, so the thread never touches memory that
// has been unmapped (and perhaps mapped again for something else).
class Prefaulter {
public:
    static Prefaulter& instance() {
        static Prefaulter prefaulter;
        return prefaulter;
    }
    static Prefaulter* existing() { return started_.load(std::memory_order_acquire) ? &instance() : nullptr; }

    void request(Span span) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(span);
        }
        work_.notify_one();
    }

    void forget(Span chunk) {
        std::unique_lock lock(mutex_);
        std::erase_if(queue_, [&](const Span& s) { return s.overlaps(chunk.begin, chunk.end); });
        idle_.wait(lock, [&] { return !busy_ || !current_.overlaps(chunk.begin, chunk.end); });
    }

    ~Prefaulter() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
            queue_.clear();
        }
        work_.notify_one();
        thread_.join();
        started_.store(false, std::memory_order_release);
    }

private:
    Prefaulter() : thread_([this] { run(); }) { started_.store(true, std::memory_order_release); }

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_)
                return;
            current_ = queue_.front();
            queue_.pop_front();
            busy_ = true;
            lock.unlock();
#if defined(__linux__)
            madvise(reinterpret_cast<void*>(current_.begin), current_.end - current_.begin, MADV_POPULATE_WRITE);
#endif
            lock.lock();
            busy_ = false;
            idle_.notify_all();
        }
    }

    static inline std::atomic<bool> started_{false};
    std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable idle_;
    std::deque<Span> queue_;
    Span current_;
    bool busy_ = false;
    bool stop_ = false;
    std::thread thread_;  // last: starts once the rest is ready
};

} // namespace

void* allocate_chunk(size_t bytes) {
    if (!mapped(bytes))
        return ::operator new(bytes);
#if defined(__linux__)
    void* chunk = mmap(nullptr, mapping_bytes(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (chunk == MAP_FAILED)
        throw std::bad_alloc();
    return chunk;
#else
    return ::operator new(bytes);
#endif
}

void free_chunk(void* chunk, size_t bytes) {
    if (!mapped(bytes)) {
        ::operator delete(chunk);
        return;
    }
#if defined(__linux__)
    auto begin = reinterpret_cast<uintptr_t>(chunk);
    if (Prefaulter* prefaulter = Prefaulter::existing())
        prefaulter->forget({begin, begin + mapping_bytes(bytes)});
    munmap(chunk, mapping_bytes(bytes));
#endif
}

void prefault_chunk(void* start, size_t bytes) {
#if defined(__linux__)
    auto begin = reinterpret_cast<uintptr_t>(start) & ~(kHostPage - 1);
    auto end = (reinterpret_cast<uintptr_t>(start) + bytes + kHostPage - 1) & ~(kHostPage - 1);
    if (end <= begin)
        return;
    // Where no thread can be started, populate here and now instead.
    static std::atomic<bool> no_thread{false};
    if (!no_thread.load(std::memory_order_relaxed)) {
        try {
            Prefaulter::instance().request({begin, end});
            return;
        } catch (const std::system_error&) {
            no_thread.store(true, std::memory_order_relaxed);
        }
    }
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
}

} // namespace mmt
