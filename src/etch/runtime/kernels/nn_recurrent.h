// What LSTM and GRU share: their attributes and inputs read once (direction,
// layout, sequence lengths, gate activations, clip), X in time-major order
// with X·Wᵀ for every step precomputed, and where a step's state goes in Y,
// Y_h and Y_c for either layout.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {

enum class GateActivation { Sigmoid, Tanh, Relu };

struct Recurrence {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 0;
  bool reverse_only = false;         // direction = reverse
  bool batch_major = false;          // layout = 1
  float clip = 0.0f;                 // > 0: pre-activations clipped to [-clip, clip]
  std::vector<int64_t> lens;         // per batch row, at most seq
  std::vector<GateActivation> acts;  // `per_dir` per direction (f, g[, h])

  // Reads the node's attributes and X's shape; `gates` 4 (LSTM) or 3 (GRU),
  // `per_dir` activations per direction (LSTM 3, GRU 2).
  Recurrence(const KernelContext& ctx, int64_t gates, int64_t per_dir);

  bool reversed(int64_t dir) const { return reverse_only || dir == 1; }
  // The time index a batch row processes at step s, or -1 when it is done.
  int64_t time_of(int64_t dir, int64_t step, int64_t b) const {
    if (step >= lens[b]) return -1;
    return reversed(dir) ? lens[b] - 1 - step : step;
  }
  float act(int64_t dir, int which, float v) const;
  float clipped(float v) const { return clip > 0 ? (v < -clip ? -clip : v > clip ? clip : v) : v; }

  // X·W[dir]ᵀ for every (t, b): [seq * batch, gates * hidden], time-major.
  std::vector<float> input_projection(const KernelContext& ctx, int64_t dir) const;
  // Offsets of (t, dir, b) in Y and of (dir, b) in Y_h / Y_c / initial states.
  int64_t y_offset(int64_t t, int64_t dir, int64_t b) const {
    return (batch_major ? ((b * seq + t) * dirs + dir) : ((t * dirs + dir) * batch + b)) * hidden;
  }
  int64_t state_offset(int64_t dir, int64_t b) const {
    return (batch_major ? (b * dirs + dir) : (dir * batch + b)) * hidden;
  }
};

}  // namespace etch::runtime
