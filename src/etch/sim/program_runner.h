// Runs a standalone program (Program::inputs/outputs set) on float images
// from the file alone: the input's float preprocessing (Program::input_ops),
// QuantizeLinear (round half to even, as ONNX), the simulator, then
// DequantizeLinear of every output — the same float32 steps the reference
// interpreter takes, so results are bit-identical.
#pragma once
#include <vector>

#include "etch/core/tensor.h"
#include "etch/npu/program.h"
#include "etch/sim/simulator.h"

namespace etch::sim {

class ProgramRunner {
 public:
  // InvalidInput (saying to pass the model) if the program is not standalone.
  explicit ProgramRunner(const npu::Program& p);
  // One image: `image` holds the input tensor's c*h*w floats; returns each
  // output's dequantized values. Statistics are added to `stats`.
  std::vector<std::vector<float>> run(const float* image, SimStats& stats);
  // A batch [N, ...] of f32 images (N * the input's c*h*w values), one image at
  // a time; returns the first output as f32 [N, ...]. `trace`, when given,
  // records the first image's engines.
  Tensor run_batch(const Tensor& batch, SimStats& stats, std::vector<TraceEvent>* trace = nullptr);
  Simulator& simulator() { return sim_; }

 private:
  const npu::Program& p_;
  Simulator sim_;
};

// ONNX QuantizeLinear to int8: saturate(round_half_even(x / scale) + zero_point).
int8_t quantize_linear(float x, float scale, int32_t zero_point);

}  // namespace etch::sim
