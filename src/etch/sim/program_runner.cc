#include "etch/sim/program_runner.h"

#include <algorithm>
#include <cmath>

#include "etch/core/error.h"

namespace etch::sim {

int8_t quantize_linear(float x, float scale, int32_t zero_point) {
  const float scaled = x / scale;  // in float, as ONNX and the reference do
  if (std::isnan(scaled)) return static_cast<int8_t>(std::clamp(zero_point, -128, 127));
  const double v = static_cast<double>(scaled);
  const double r = std::fabs(v - std::trunc(v)) == 0.5 ? 2.0 * std::round(v / 2.0) : std::round(v);
  return static_cast<int8_t>(std::clamp(r + zero_point, -128.0, 127.0));
}

ProgramRunner::ProgramRunner(const npu::Program& p) : p_(p), sim_(p) {
  ETCH_REQUIRE(p.inputs.size() == 1 && !p.outputs.empty() && p.segments.size() == 1, InvalidInput)
      << "this program runs parts of the model on the host (or has int8 outputs) and cannot run from the file "
         "alone: give --model MODEL.onnx, the quantized model it was compiled from";
}

std::vector<std::vector<float>> ProgramRunner::run(const float* image, SimStats& stats) {
  const npu::TensorDesc& in = p_.tensors[p_.inputs[0]];
  const int64_t plane = in.h * in.w;
  std::vector<int8_t> q(in.numel());
  for (int64_t i = 0; i < in.numel(); ++i) {
    float x = image[i];
    for (const npu::InputOp& op : p_.input_ops) {
      const float v = op.values.size() == 1 ? op.values[0] : op.values[i / plane];
      switch (op.kind) {
        case npu::InputOp::Sub:
          x = x - v;
          break;
        case npu::InputOp::Div:
          x = x / v;
          break;
        case npu::InputOp::Mul:
          x = x * v;
          break;
        default:
          x = x + v;
          break;
      }
    }
    q[i] = quantize_linear(x, in.scale, in.zero_point);
  }
  sim_.write_tensor(p_.inputs[0], q.data());
  stats.add(sim_.run_all());
  std::vector<std::vector<float>> outs;
  for (int t : p_.outputs) {
    const npu::TensorDesc& d = p_.tensors[t];
    std::vector<int8_t> r(d.numel());
    sim_.read_tensor(t, r.data());
    std::vector<float> f(d.numel());
    for (int64_t i = 0; i < d.numel(); ++i)
      f[i] = static_cast<float>(static_cast<int64_t>(r[i]) - d.zero_point) * d.scale;
    outs.push_back(std::move(f));
  }
  return outs;
}

Tensor ProgramRunner::run_batch(const Tensor& batch, SimStats& stats, std::vector<TraceEvent>* trace) {
  const npu::TensorDesc& in = p_.tensors[p_.inputs[0]];
  const npu::TensorDesc& out = p_.tensors[p_.outputs[0]];
  ETCH_REQUIRE(batch.dtype() == DType::F32 && batch.rank() >= 1, InvalidInput)
      << "program input '" << in.name << "' takes float32 images [N, ...], got " << dtype_name(batch.dtype()) << " "
      << shape_str(batch.shape());
  ETCH_REQUIRE(batch.numel() == batch.dim(0) * in.numel(), InvalidInput)
      << "input has " << batch.numel() / std::max<int64_t>(1, batch.dim(0))
      << " values per image, the program's input '" << in.name << "' takes " << in.numel();
  Shape os = out.shape;
  os[0] = batch.dim(0);
  Tensor y(DType::F32, os);
  for (int64_t b = 0; b < batch.dim(0); ++b) {
    sim_.set_trace(b == 0 ? trace : nullptr);
    const auto outs = run(batch.data<float>() + b * in.numel(), stats);
    std::copy(outs[0].begin(), outs[0].end(), y.data<float>() + b * out.numel());
  }
  sim_.set_trace(nullptr);
  return y;
}

}  // namespace etch::sim
