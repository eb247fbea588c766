#include "timeline_scale.h"

#include <algorithm>
#include <cmath>

double TimelineScale::weight(uint32_t steps) {
    return steps == 0 ? 0.0 : 1.0 + std::log2(static_cast<double>(steps));
}

void TimelineScale::reset(const std::vector<uint32_t>& commandStarts, uint32_t stepCount) {
    segments_.clear();
    commandPositions_.clear();
    stepCount_ = stepCount;
    total_ = 0.0;

    std::vector<uint32_t> firsts;
    if (commandStarts.empty() || commandStarts.front() > 0)
        firsts.push_back(0);
    for (uint32_t first : commandStarts)
        firsts.push_back(std::min(first, stepCount));

    for (size_t i = 0; i < firsts.size(); ++i) {
        const uint32_t end = i + 1 < firsts.size() ? firsts[i + 1] : stepCount;
        Segment segment;
        segment.first = firsts[i];
        segment.steps = end > firsts[i] ? end - firsts[i] : 0;
        segment.start = total_;
        segment.width = weight(segment.steps);
        total_ += segment.width;
        segments_.push_back(segment);
    }
    for (uint32_t first : commandStarts)
        commandPositions_.push_back(position(first));
}

double TimelineScale::position(uint32_t steps) const {
    if (total_ <= 0.0 || steps >= stepCount_)
        return stepCount_ == 0 ? 0.0 : 1.0;
    // The last segment starting at or before `steps`: an empty one shares
    // its start with the next, so this is the one the step belongs to.
    auto it = std::upper_bound(segments_.begin(), segments_.end(), steps,
                               [](uint32_t s, const Segment& segment) { return s < segment.first; });
    const Segment& segment = *(it - 1);
    if (segment.steps == 0)
        return segment.start / total_;
    const double into = static_cast<double>(steps - segment.first) / segment.steps;
    return (segment.start + segment.width * into) / total_;
}

uint32_t TimelineScale::stepsAt(double position) const {
    if (total_ <= 0.0 || !(position > 0.0))
        return 0;
    if (position >= 1.0)
        return stepCount_;
    const double units = position * total_;
    auto it = std::upper_bound(segments_.begin(), segments_.end(), units,
                               [](double u, const Segment& segment) { return u < segment.start; });
    const Segment& segment = *(it - 1);
    if (segment.width <= 0.0)
        return segment.first;
    const double into = (units - segment.start) / segment.width;
    const auto offset = static_cast<uint32_t>(std::lround(into * segment.steps));
    return std::min(segment.first + std::min(offset, segment.steps), stepCount_);
}
