#include "etch/runtime/kernels/nn_recurrent.h"

#include <algorithm>
#include <cmath>

#include "etch/core/error.h"
#include "etch/runtime/kernels/gemm.h"

namespace etch::runtime {
namespace {

GateActivation parse_activation(const ir::Node& n, const std::string& name) {
  if (name == "Sigmoid") return GateActivation::Sigmoid;
  if (name == "Tanh") return GateActivation::Tanh;
  if (name == "Relu") return GateActivation::Relu;
  ETCH_FAIL(Unsupported) << n.describe() << ": activation '" << name
                         << "' is not supported (etch has Sigmoid, Tanh and Relu in recurrent layers)";
}

}  // namespace

Recurrence::Recurrence(const KernelContext& ctx, int64_t gate_count, int64_t per_dir) : gates(gate_count) {
  const ir::Node& n = ctx.node();
  const Shape& x = ctx.input(0).shape();
  batch_major = n.attr_int("layout", 0) == 1;
  seq = batch_major ? x[1] : x[0];
  batch = batch_major ? x[0] : x[1];
  input = x[2];
  hidden = ctx.input(2).dim(2);
  const std::string dir = n.attr_string("direction", "forward");
  dirs = dir == "bidirectional" ? 2 : 1;
  reverse_only = dir == "reverse";
  clip = n.has_attr("clip") ? n.attr_float("clip", 0.0f) : 0.0f;
  ETCH_REQUIRE(!n.has_attr("input_forget") || n.attr_int("input_forget", 0) == 0, Unsupported)
      << n.describe() << ": input_forget = 1 is not supported";
  lens.assign(batch, seq);
  if (ctx.has_input(4)) {
    const std::vector<int64_t> given = ctx.input(4).to_int64_vector();
    for (int64_t b = 0; b < batch; ++b) {
      ETCH_REQUIRE(given[b] >= 0 && given[b] <= seq, InvalidInput)
          << n.describe() << ": sequence_lens[" << b << "] = " << given[b] << " is outside [0, " << seq << "]";
      lens[b] = given[b];
    }
  }
  std::vector<std::string> names = n.attr_strings("activations");
  if (names.empty())
    for (int64_t d = 0; d < dirs; ++d) {
      names.push_back("Sigmoid");
      for (int64_t i = 1; i < per_dir; ++i) names.push_back("Tanh");
    }
  ETCH_REQUIRE(static_cast<int64_t>(names.size()) == per_dir * dirs, InvalidInput)
      << n.describe() << ": 'activations' has " << names.size() << " entries, expected " << per_dir * dirs;
  for (const std::string& s : names) acts.push_back(parse_activation(n, s));
}

float Recurrence::act(int64_t dir, int which, float v) const {
  switch (acts[static_cast<size_t>(dir * (static_cast<int64_t>(acts.size()) / dirs) + which)]) {
    case GateActivation::Sigmoid:
      return 1.0f / (1.0f + std::exp(-v));
    case GateActivation::Tanh:
      return std::tanh(v);
    case GateActivation::Relu:
      return std::max(v, 0.0f);
  }
  return v;
}

std::vector<float> Recurrence::input_projection(const KernelContext& ctx, int64_t dir) const {
  const float* x = ctx.input(0).data<float>();
  std::vector<float> time_major;
  if (batch_major) {  // [batch, seq, input] -> [seq, batch, input]
    time_major.resize(static_cast<size_t>(seq * batch * input));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < seq; ++t)
        std::copy_n(x + (b * seq + t) * input, input, time_major.data() + (t * batch + b) * input);
    x = time_major.data();
  }
  const int64_t rows = gates * hidden;
  std::vector<float> xw(static_cast<size_t>(seq * batch * rows));
  const float* w = ctx.input(1).data<float>() + dir * rows * input;
  sgemm_parallel(false, true, seq * batch, rows, input, 1.0f, x, input, w, input, 0.0f, xw.data(), rows);
  return xw;
}

}  // namespace etch::runtime
