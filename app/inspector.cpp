#include "inspector.h"

#include "kernel.h"

namespace {

std::string innermost_function(const std::string& path) {
    static const std::string arrow = " → ";
    const size_t at = path.rfind(arrow);
    return at == std::string::npos ? path : path.substr(at + arrow.size());
}

// A table growing over `id` is the object's creation (or its revival).
bool creates(const mmt::Change& change, mmt::TableId table, uint32_t id) {
    return change.kind == mmt::ChangeKind::grow && change.field == static_cast<uint8_t>(table)
        && change.before() <= id && id < change.after();
}

bool touches(const mmt::Kernel& kernel, const InspectedObject& object, const mmt::Change& change) {
    switch (object.kind) {
    case InspectedObject::Kind::page:
        return (change.kind == mmt::ChangeKind::page && change.index == object.id)
            || creates(change, mmt::TableId::pages, object.id);
    case InspectedObject::Kind::holder:
        return (change.kind == mmt::ChangeKind::holder && change.index == object.id)
            || creates(change, mmt::TableId::holders, object.id);
    case InspectedObject::Kind::pageTableEntry: {
        if (change.kind != mmt::ChangeKind::pte || !kernel.pte_slot_owned(change.index))
            return false;
        const auto [vma, index] = kernel.pte_slot_owner(change.index);
        return vma == object.vma && index == object.index;
    }
    case InspectedObject::Kind::pmdEntry: {
        if (change.kind != mmt::ChangeKind::pmd || object.vma.value >= kernel.state().vmas.size())
            return false;
        const uint32_t slot = kernel.state().vmas[object.vma.value].first_pmd + object.index / mmt::kPagesPerPmd;
        return change.index == slot;
    }
    }
    return false;
}

} // namespace

std::vector<HistoryItem> object_history(const mmt::Kernel& kernel, const InspectedObject& object,
                                        uint32_t up_to_step) {
    std::vector<HistoryItem> out;
    const uint32_t last = std::min<uint32_t>(up_to_step, static_cast<uint32_t>(kernel.steps().size()));
    for (uint32_t step = 0; step < last; ++step) {
        for (const mmt::Change& change : kernel.step_changes_of(step)) {
            if (!touches(kernel, object, change))
                continue;
            std::string text =
                change.kind == mmt::ChangeKind::grow ? std::string("created") : kernel.describe_change(change);
            if (!text.empty())
                out.push_back({step, innermost_function(kernel.step_path(step)), std::move(text)});
        }
    }
    return out;
}
