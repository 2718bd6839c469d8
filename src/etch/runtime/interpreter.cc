#include "etch/runtime/interpreter.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

#include "etch/ir/op_registry.h"
#include "etch/ir/verifier.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {

Interpreter::Interpreter(const ir::Graph& g) : graph_(g) {
  std::vector<std::string> missing = ir::unsupported_nodes(g);
  for (const auto& n : g.nodes())
    if (ir::find_op(n.op_type, n.domain) && !has_any_kernel(n.op_type, n.domain))
      missing.push_back("'" + n.name + "' (" + n.op_type + ", no kernel)");
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
    ETCH_FAIL(Unsupported) << missing.size() << " node(s) use ops etch cannot run: " << list;
  }
  last_use_.assign(g.num_values(), -1);
  const auto& nodes = g.nodes();
  states_.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (size_t j = 0; j < nodes[i].inputs.size(); ++j) {
      const ir::ValueId v = nodes[i].inputs[j];
      if (v == ir::kNoValue) continue;
      last_use_[v] = static_cast<int>(i);
      if (j < 64 && g.value(v).data) states_[i].constant_inputs |= uint64_t{1} << j;
    }
  for (ir::ValueId v : g.outputs) last_use_[v] = static_cast<int>(nodes.size());
}

namespace {

// ETCH_PROFILE=1: wall time per op type (and per node, with its output shape,
// with ETCH_PROFILE=2),
// summed over every run of the process and printed to stderr at exit. Only for
// finding where time goes; it changes no result.
class OpProfile {
 public:
  static OpProfile* get() {
    static OpProfile* p = std::getenv("ETCH_PROFILE") ? new OpProfile(std::atoi(std::getenv("ETCH_PROFILE"))) : nullptr;
    return p;
  }
  void add(const ir::Node& n, const std::vector<Tensor>& outs, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = n.op_type;
    if (level_ >= 2) {
      key.append(" ").append(n.name);
      if (!outs.empty()) key.append(" ").append(shape_str(outs[0].shape()));
    }
    Entry& e = by_key_[key];
    e.seconds += seconds;
    ++e.calls;
  }
  ~OpProfile() = default;

 private:
  struct Entry {
    double seconds = 0;
    int64_t calls = 0;
  };
  explicit OpProfile(int level) : level_(level) {
    std::atexit([] { get()->print(); });
  }
  void print() {
    double total = 0;
    for (const auto& [k, e] : by_key_) total += e.seconds;
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [k, e] : by_key_) rows.emplace_back(e.seconds, k);
    std::sort(rows.rbegin(), rows.rend());
    std::fprintf(stderr, "etch profile: %.3f s in kernels\n", total);
    for (const auto& [sec, k] : rows)
      std::fprintf(stderr, "%8.3f s %5.1f%%  %6lld  %s\n", sec, 100 * sec / total,
                   static_cast<long long>(by_key_[k].calls), k.c_str());
  }
  int level_;
  std::mutex mu_;
  std::map<std::string, Entry> by_key_;
};

std::atomic<bool> g_poison_outputs{false};

void poison(Tensor& t) {
  if (t.dtype() == DType::F32)
    std::fill(t.data<float>(), t.data<float>() + t.numel(), std::numeric_limits<float>::quiet_NaN());
  else if (t.numel() > 0)
    std::memset(t.raw(), 0x5A, t.nbytes());
}

// The output types the op's inference gives for these inputs; *read_values
// tells whether it looked at any input's value (otherwise the types follow
// from the inputs' types and shapes alone).
std::vector<ir::TypeInfo> infer_outputs(const ir::Node& node, const std::vector<const Tensor*>& inputs,
                                        bool* read_values) {
  const ir::OpSchema* schema = ir::find_op(node.op_type, node.domain);
  ETCH_REQUIRE(schema, Unsupported) << node.describe() << ": op is not supported by etch";
  std::vector<ir::TypeInfo> infos(inputs.size());
  std::vector<const ir::TypeInfo*> info_ptrs(inputs.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) continue;
    infos[i] = ir::TypeInfo{inputs[i]->dtype(), inputs[i]->shape(), true};
    info_ptrs[i] = &infos[i];
  }
  ir::InferContext ictx(node, info_ptrs, inputs);
  schema->infer(ictx);
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    const ir::TypeInfo& t = ictx.outputs()[i];
    ETCH_CHECK(t.has_shape && shape_is_static(t.shape))
        << node.describe() << ": shape inference left output " << i << " unknown at run time";
  }
  if (read_values) *read_values = ictx.read_values();
  return ictx.outputs();
}

std::vector<Tensor> allocate(const std::vector<ir::TypeInfo>& types, bool zero_fill) {
  std::vector<Tensor> outputs;
  outputs.reserve(types.size());
  for (const ir::TypeInfo& t : types) {
    outputs.push_back(zero_fill ? Tensor(t.dtype, t.shape) : Tensor::uninitialized(t.dtype, t.shape));
    if (!zero_fill && g_poison_outputs.load(std::memory_order_relaxed)) poison(outputs.back());
  }
  return outputs;
}
}  // namespace

void set_poison_uninitialised_outputs(bool on) { g_poison_outputs.store(on, std::memory_order_relaxed); }

std::vector<Tensor> allocate_outputs(const ir::Node& node, const std::vector<const Tensor*>& inputs, bool zero_fill) {
  return allocate(infer_outputs(node, inputs, nullptr), zero_fill);
}

void Interpreter::NodeState::prepare(const ir::Node& node, const std::vector<const Tensor*>& inputs) {
  const DType key = inputs.empty() || !inputs[0] ? DType::F32 : inputs[0]->dtype();
  fn = find_kernel(node.op_type, node.domain, key);
  // Shape errors from inference come before the missing-kernel error.
  bool read_values = false;
  outputs = infer_outputs(node, inputs, &read_values);
  ETCH_REQUIRE(fn, Unsupported) << node.describe() << ": no kernel for input type " << dtype_name(key);
  zero_fill = !kernel_overwrites_outputs(node.op_type, node.domain, key);
  plan.reset();
  reusable = !read_values;
  input_types.clear();
  for (const Tensor* t : inputs)
    input_types.push_back(t ? std::optional<ir::TypeInfo>(ir::TypeInfo{t->dtype(), t->shape(), true}) : std::nullopt);
}

bool Interpreter::NodeState::matches(const std::vector<const Tensor*>& inputs) const {
  if (!reusable || inputs.size() != input_types.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& known = input_types[i];
    if (!inputs[i] || !known) {
      if (inputs[i] || known) return false;
    } else if (inputs[i]->dtype() != known->dtype || inputs[i]->shape() != known->shape) {
      return false;
    }
  }
  return true;
}

std::vector<Tensor> Interpreter::NodeState::run(const ir::Node& node, const std::vector<const Tensor*>& inputs) {
  std::vector<Tensor> outputs = allocate(this->outputs, zero_fill);
  KernelContext kctx(node, inputs, &outputs, reusable ? &plan : nullptr, constant_inputs);
  fn(kctx);
  return outputs;
}

std::vector<Tensor> run_node(const ir::Node& node, const std::vector<const Tensor*>& inputs) {
  Interpreter::NodeState state;
  state.prepare(node, inputs);
  return state.run(node, inputs);
}

std::vector<Tensor> Interpreter::run(const std::vector<Tensor>& inputs) {
  const ir::Graph& g = graph_;
  ETCH_REQUIRE(inputs.size() == g.inputs.size(), InvalidInput)
      << "model expects " << g.inputs.size() << " input(s), got " << inputs.size();
  ir::set_current_opset(g.opset);
  std::vector<Tensor> env(g.num_values());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    const Tensor& t = inputs[i];
    ETCH_REQUIRE(t.dtype() == v.dtype, InvalidInput)
        << "input '" << v.name << "': expected " << dtype_name(v.dtype) << ", got " << dtype_name(t.dtype());
    if (v.has_shape) {
      bool ok = t.rank() == static_cast<int>(v.shape.size());
      for (size_t d = 0; ok && d < v.shape.size(); ++d) ok = v.shape[d] < 0 || v.shape[d] == t.shape()[d];
      ETCH_REQUIRE(ok, InvalidInput) << "input '" << v.name << "': expected shape " << shape_str(v.shape) << ", got "
                                     << shape_str(t.shape());
    }
    env[g.inputs[i]] = t;
  }
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data) env[v] = *g.value(v).data;
  kept_values_.clear();
  const auto& nodes = g.nodes();
  for (size_t ni = 0; ni < nodes.size(); ++ni) {
    const ir::Node& n = nodes[ni];
    std::vector<const Tensor*> ins(n.inputs.size(), nullptr);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (n.inputs[i] == ir::kNoValue) continue;
      ETCH_CHECK(env[n.inputs[i]].defined())
          << n.describe() << ": input '" << g.value(n.inputs[i]).name << "' not computed";
      ins[i] = &env[n.inputs[i]];
    }
    OpProfile* prof = OpProfile::get();
    const auto t0 = prof ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    // Kernel, output types and the kernel's plan from the node's last run
    // while its inputs' types and shapes stay the same.
    NodeState& state = states_[ni];
    if (!state.matches(ins)) state.prepare(n, ins);
    std::vector<Tensor> outs = state.run(n, ins);
    if (prof) prof->add(n, outs, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (observer_) observer_(n, outs);
    for (size_t i = 0; i < n.outputs.size(); ++i) env[n.outputs[i]] = std::move(outs[i]);
    for (ir::ValueId v : keep_)
      for (ir::ValueId o : n.outputs)
        if (v == o) kept_values_[v] = env[v];
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue && last_use_[v] == static_cast<int>(ni) && !g.value(v).data) env[v] = Tensor();
  }
  std::vector<Tensor> out;
  for (ir::ValueId v : g.outputs) out.push_back(env[v]);
  return out;
}

std::map<std::string, Tensor> Interpreter::run_named(const std::map<std::string, Tensor>& inputs) {
  std::vector<Tensor> ordered;
  for (ir::ValueId v : graph_.inputs) {
    auto it = inputs.find(graph_.value(v).name);
    ETCH_REQUIRE(it != inputs.end(), InvalidInput) << "missing model input '" << graph_.value(v).name << "'";
    ordered.push_back(it->second);
  }
  for (const auto& [name, t] : inputs) {
    bool known = false;
    for (ir::ValueId v : graph_.inputs) known |= graph_.value(v).name == name;
    ETCH_REQUIRE(known, InvalidInput) << "model has no input named '" << name << "'";
  }
  auto outs = run(ordered);
  std::map<std::string, Tensor> named;
  for (size_t i = 0; i < outs.size(); ++i) named[graph_.value(graph_.outputs[i]).name] = outs[i];
  return named;
}

}  // namespace etch::runtime
