#include "etch/eval/npu_executor.h"

#include <cstring>

#include "etch/core/error.h"
#include "etch/runtime/interpreter.h"

namespace etch::eval {

NpuExecutor::NpuExecutor(const ir::Graph& g, const compiler::CompiledModel& m)
    : g_(g), model_(m), sim_(std::make_unique<sim::Simulator>(m.program)) {
  for (size_t i = 0; i < m.program.tensors.size(); ++i) {
    auto v = g.find_value(m.program.tensors[i].name);
    ETCH_REQUIRE(v.has_value(), InvalidInput)
        << "compiled program tensor '" << m.program.tensors[i].name << "' is not a value of the graph";
    value_of_tensor_[static_cast<int>(i)] = *v;
  }
  stats_.layer_info = m.program.layers;
  stats_.layers.resize(m.program.layers.size());
}

NpuExecutor::~NpuExecutor() = default;

double NpuExecutor::latency_ms() const {
  if (stats_.runs == 0) return 0;
  return sim::SimStats::latency_ms(stats_.total.cycles, target()) / static_cast<double>(stats_.runs);
}

Tensor batch_item(const Tensor& t, int64_t b) {
  ETCH_REQUIRE(t.rank() >= 1 && b < t.dim(0), InvalidInput) << "batch index " << b << " out of range";
  Shape s = t.shape();
  s[0] = 1;
  Tensor out(t.dtype(), s);
  const size_t bytes = out.nbytes();
  std::memcpy(out.raw(), t.raw() + b * bytes, bytes);
  out.set_quant(t.quant());
  return out;
}

Tensor stack_batch(const std::vector<Tensor>& images) {
  ETCH_CHECK(!images.empty()) << "stack_batch of nothing";
  Shape s = images[0].shape();
  if (s.empty()) return images[0];
  s[0] = 0;
  for (const Tensor& t : images) s[0] += t.dim(0);
  Tensor out(images[0].dtype(), s);
  size_t off = 0;
  for (const Tensor& t : images) {
    std::memcpy(out.raw() + off, t.raw(), t.nbytes());
    off += t.nbytes();
  }
  return out;
}

std::vector<Tensor> NpuExecutor::run(const std::vector<Tensor>& inputs) {
  ETCH_REQUIRE(inputs.size() == g_.inputs.size(), InvalidInput)
      << "model takes " << g_.inputs.size() << " inputs, got " << inputs.size();
  const int64_t n = inputs.empty() || inputs[0].rank() == 0 ? 1 : inputs[0].dim(0);
  // One sample: every input as given (a recurrent state such as [2, 1, 128]
  // has no batch axis to split). A graph of a fixed batch B > 1 takes its B
  // rows at once (the compiler leaves all of it to the host: the NPU runs
  // one sample at a time).
  const ir::Value& first = g_.value(g_.inputs.at(0));
  const bool fixed_batch = first.has_shape && !first.shape.empty() && first.shape[0] > 1;
  if (n == 1 || fixed_batch) return run_one(inputs);
  std::vector<std::vector<Tensor>> per_output(g_.outputs.size());
  for (int64_t b = 0; b < n; ++b) {
    std::vector<Tensor> one;
    for (const Tensor& t : inputs) one.push_back(batch_item(t, b));
    std::vector<Tensor> outs = run_one(one);
    for (size_t i = 0; i < outs.size(); ++i) per_output[i].push_back(std::move(outs[i]));
  }
  std::vector<Tensor> result;
  for (auto& imgs : per_output) result.push_back(stack_batch(imgs));
  return result;
}

std::vector<Tensor> NpuExecutor::run_one(const std::vector<Tensor>& inputs) {
  std::map<ir::ValueId, Tensor> env;
  for (size_t i = 0; i < inputs.size(); ++i) env[g_.inputs[i]] = inputs[i];
  auto get = [&](ir::ValueId v) -> const Tensor& {
    const ir::Value& val = g_.value(v);
    if (val.data) return *val.data;
    auto it = env.find(v);
    ETCH_CHECK(it != env.end()) << "value '" << val.name << "' not computed";
    return it->second;
  };
  const npu::Program& p = model_.program;
  for (const compiler::Step& s : model_.steps) {
    if (!s.npu) {
      for (ir::NodeId id : s.nodes) {
        const ir::Node& node = *g_.find_node(id);
        std::vector<const Tensor*> ins;
        for (size_t i = 0; i < node.inputs.size(); ++i)
          ins.push_back(node.has_input(i) ? &get(node.inputs[i]) : nullptr);
        std::vector<Tensor> outs = runtime::run_node(node, ins);
        for (size_t i = 0; i < node.outputs.size() && i < outs.size(); ++i)
          if (node.outputs[i] != ir::kNoValue) env[node.outputs[i]] = std::move(outs[i]);
      }
      continue;
    }
    const npu::Segment& seg = p.segments[s.segment];
    for (int t : seg.inputs) {
      const Tensor& x = get(value_of_tensor_.at(t));
      ETCH_REQUIRE(x.dtype() == DType::I8 && x.numel() == p.tensors[t].numel(), InvalidInput)
          << "NPU input '" << p.tensors[t].name << "' must be int8 with " << p.tensors[t].numel() << " elements";
      sim_->write_tensor(t, x.data<int8_t>());
    }
    stats_.add(sim_->run_segment(s.segment));
    for (int t : seg.outputs) {
      Tensor y(DType::I8, p.tensors[t].shape);
      sim_->read_tensor(t, y.data<int8_t>());
      env[value_of_tensor_.at(t)] = std::move(y);
    }
  }
  stats_.runs += 1;
  std::vector<Tensor> outs;
  for (ir::ValueId o : g_.outputs) outs.push_back(get(o));
  return outs;
}

ModelAnalysis analyze_plans(const ir::Graph& g, const npu::Target& t, const std::vector<Tensor>& one_image,
                            const compiler::CompileOptions& opt) {
  compiler::CompileOptions naive_opt = opt;
  naive_opt.naive = true;
  const compiler::CompiledModel chosen = compiler::compile(g, t, opt), naive = compiler::compile(g, t, naive_opt);
  NpuExecutor ec(g, chosen), en(g, naive);
  ec.run(one_image);
  en.run(one_image);
  ModelAnalysis a;
  a.cycles = ec.stats().total.cycles;
  a.naive_cycles = en.stats().total.cycles;
  a.stats = ec.stats();
  for (const compiler::LayerReport& l : chosen.layers) {
    if (!l.has_plan) continue;
    LayerAnalysis x;
    x.name = l.name;
    x.kind = l.kind;
    x.plan = l.plan.str();
    x.naive_plan = l.naive.str();
    x.macs = l.macs;
    x.sparse = l.sparse;
    x.predicted = l.predicted_cycles;
    x.cycles = ec.stats().layers[l.layer].cycles;
    x.naive_cycles = en.stats().layers[l.layer].cycles;
    x.array_cycles = ec.stats().layers[l.layer].array_cycles;
    x.bound = l.bounds.bound();
    a.layers.push_back(x);
  }
  return a;
}

}  // namespace etch::eval
