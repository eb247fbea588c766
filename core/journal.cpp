#include "journal.h"

#include <algorithm>
#include <stdexcept>

#include "chunk_memory.h"

namespace mmt {

Journal::~Journal() {
    for (size_t c = 0; c < chunk_count_; ++c)
        free_chunk(chunks_[c], kFirst << c);
}

// The current chunk has kMaxRecord bytes or fewer left in its room: make more
// room in it, or close it with padding and open the next.
uint8_t* Journal::make_room() {
    if (static_cast<size_t>(chunk_end_ - tail_) > kMaxRecord) {
        // The next window becomes room; the background thread is asked
        // for the one after it (chunk_memory.h).
        tail_end_ += std::min<size_t>(chunk_end_ - tail_end_, kPopulateWindowBytes);
        if (size_t ahead = std::min<size_t>(chunk_end_ - tail_end_, kPopulateWindowBytes))
            prefault_chunk(tail_end_, ahead);
        return tail_;
    }
    if (tail_ != nullptr)
        *tail_ = kPadding;  // every append leaves at least this one byte
    add_chunk();
    return tail_;
}

void Journal::add_chunk() {
    if (chunk_count_ == chunks_.size())
        throw std::length_error("the history of this run is over 4 GiB: it is too long to keep");
    size_t c = chunk_count_;
    size_t length = kFirst << c;
    auto* chunk = static_cast<uint8_t*>(allocate_chunk(length));
    chunks_[c] = chunk;
    size_t first = (kFirst << c) - kFirst;  // position of the chunk's first byte
    biased_[kBits - 1 - kFirstBits - c] = reinterpret_cast<uintptr_t>(chunk) - (first + kFirst);
    ++chunk_count_;
    chunk_start_ = tail_ = tail_end_ = chunk;
    chunk_base_ = first;
    chunk_end_ = chunk + length;
    if (length < kBigChunkBytes) {
        tail_end_ = chunk_end_;
    } else {
        prefault_chunk(chunk, 2 * kPopulateWindowBytes);
        tail_end_ = chunk + kPopulateWindowBytes;
    }
}

StepHeader Journal::header(Pos pos) const {
    const uint8_t* p = locate(pos);
    assert(*p == kStepTag && "a step's position is its record");
    ++p;
    StepHeader h;
    uint64_t path_cpu = get_varint(p);
    h.path = static_cast<uint32_t>(path_cpu >> 1);
    if (path_cpu & 1)
        h.cpu = *p++;
    h.sentence = static_cast<uint32_t>(get_varint(p));
    return h;
}

bool Journal::next(Cursor& c, Pos end, Change& out) const {
    while (c.pos < end) {
        const uint8_t* p = c.p;
        uint8_t tag = *p++;
        if (tag == kPadding) {
            c.pos = next_chunk(c.pos);
            c.p = c.pos < end ? locate(c.pos) : nullptr;
            continue;
        }
        if (tag == kStepTag) {
            if (get_varint(p) & 1)
                ++p;
            get_varint(p);
            c.last = {};
            c.pos += static_cast<Pos>(p - c.p);
            c.p = p;
            continue;
        }
        auto kind = static_cast<ChangeKind>((tag >> 4) & 7);
        uint32_t& last = c.last[static_cast<unsigned>(kind)];
        if (!(tag & 0x80))
            last = static_cast<uint32_t>(int64_t(last) + unzigzag(get_varint(p)));
        uint64_t before = get_varint(p);
        uint64_t after = before + static_cast<uint64_t>(unzigzag(get_varint(p)));
        if (wide(kind)) {
            before = unpack_wide(before);
            after = unpack_wide(after);
        }
        out.kind = kind;
        out.field = tag & 0xf;
        out.index = last;
        out.before_value = before;
        out.after_value = after;
        c.pos += static_cast<Pos>(p - c.p);
        c.p = p;
        return true;
    }
    return false;
}

} // namespace mmt
