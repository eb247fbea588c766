// Where each step of the history sits on the timeline's slider. A THP fault
// or split is a thousand kernel steps and a `process` line is one, so a
// slider linear in steps squeezes a scenario's small commands into a few
// pixels at one end, where nobody can click them. Here each command gets a
// share of the track that grows with the logarithm of its step count, and
// its steps are spread evenly inside that share: every command keeps room to
// be seen and picked, and a big command still looks big.
#pragma once

#include <cstdint>
#include <vector>

class TimelineScale {
public:
    // `commandStarts`: the first step of each command, in order; `stepCount`:
    // the steps of the whole run. Steps before the first command, if any,
    // count as a command of their own.
    void reset(const std::vector<uint32_t>& commandStarts, uint32_t stepCount);
    void clear() { reset({}, 0); }

    // The slider position (0 to 1) of the cursor after `steps` steps.
    double position(uint32_t steps) const;
    // The cursor (0 to stepCount) nearest to a slider position.
    uint32_t stepsAt(double position) const;
    // The position where each command starts, in command order.
    const std::vector<double>& commandPositions() const { return commandPositions_; }

    // The share of the track a command of `steps` steps gets, in units where
    // a one-step command gets 1.
    static double weight(uint32_t steps);

private:
    struct Segment {
        uint32_t first = 0;   // cursor where it starts
        uint32_t steps = 0;
        double start = 0.0;   // in weight units
        double width = 0.0;
    };
    std::vector<Segment> segments_;
    std::vector<double> commandPositions_;
    uint32_t stepCount_ = 0;
    double total_ = 0.0;
};
