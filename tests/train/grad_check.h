// Finite-difference gradient checks for the rules in src/etch/train/grads/.
//
// A check builds a one-node graph (operands as graph inputs, trainable
// constants or frozen constants), runs it through train::Autodiff and compares
// the analytic gradient of the scalar loss L = sum(y * R) — R a fixed random
// tensor — with central differences of L:
//     n_i = (L(x + eps e_i) - L(x - eps e_i)) / (2 eps),   eps = 1e-2 by default,
// L accumulated in double from the float32 outputs of etch's kernels.
// Criterion (float32 kernels): max_i |a_i - n_i| <= tol * max_i |n_i|, tol = 1e-2,
// and the numeric gradient must not vanish (max_i |n_i| > 1e-3), so a rule that
// writes zeros cannot pass. Inputs of non-smooth ops are kept > 2 eps away
// from kinks (Relu at 0, Clip bounds, MaxPool ties) so differences are exact.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "etch/ir/builder.h"
#include "etch/ir/graph.h"
#include "etch/train/autodiff.h"

namespace etch::gradtest {

enum class Role { Input, Param, Const, Absent };

struct Operand {
  Tensor value;
  Role role = Role::Input;
};

inline Operand input(Tensor t) { return {std::move(t), Role::Input}; }
inline Operand param(Tensor t) { return {std::move(t), Role::Param}; }
inline Operand constant(Tensor t) { return {std::move(t), Role::Const}; }
inline Operand absent() { return {Tensor(), Role::Absent}; }

struct GradCase {
  std::string op;
  std::vector<Operand> operands;
  std::map<std::string, ir::Attribute> attrs;
  int num_outputs = 1;  // only output 0 enters the loss
  int64_t opset = 17;
  bool training = true;
  double eps = 1e-2;
  double tol = 1e-2;
};

// Uniform values in [lo, hi) from a seeded splitmix64 stream.
inline Tensor random_tensor(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  ir::Rng rng(seed);
  Tensor t(DType::F32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = rng.uniform(lo, hi);
  return t;
}

// Moves every value at distance < margin from any kink out to that distance.
inline Tensor away_from(Tensor t, const std::vector<float>& kinks, float margin = 0.05f) {
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    for (float k : kinks)
      if (std::fabs(p[i] - k) < margin) p[i] = p[i] >= k ? k + margin : k - margin;
  return t;
}

// Distinct values spaced 0.1 apart in random order (no ties for max-pooling).
inline Tensor distinct_tensor(const Shape& shape, uint64_t seed) {
  Tensor t(DType::F32, shape);
  const int64_t n = t.numel();
  std::vector<int64_t> perm(n);
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  ir::Rng rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.next() % static_cast<uint64_t>(i + 1)]);
  float* p = t.data<float>();
  for (int64_t i = 0; i < n; ++i) p[i] = 0.1f * static_cast<float>(perm[i] - n / 2);
  return t;
}

// Built with append: GCC 12 warns (-Wrestrict, a known false positive) on
// "x" + std::to_string(i) once inlined.
inline std::string operand_name(size_t i) {
  std::string s = "x";
  s.append(std::to_string(i));
  return s;
}
inline std::string output_name(size_t i) {
  std::string s = "y";
  s.append(std::to_string(i));
  return s;
}

// The graph of one node; operands named x0, x1, ..., outputs y0, y1, ...
inline ir::Graph one_node_graph(const GradCase& c) {
  ir::Graph g;
  g.opset = c.opset;
  std::vector<ir::ValueId> ins;
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const Operand& o = c.operands[i];
    const std::string name = operand_name(i);
    if (o.role == Role::Absent)
      ins.push_back(ir::kNoValue);
    else if (o.role == Role::Input)
      ins.push_back(g.add_input(name, o.value.dtype(), o.value.shape()));
    else
      ins.push_back(g.add_constant(name, o.value.clone()));
  }
  std::vector<ir::ValueId> outs;
  for (int i = 0; i < c.num_outputs; ++i) outs.push_back(g.add_value(output_name(i), DType::F32, {}, false));
  g.add_node(c.op, ins, outs, "node", c.attrs);
  g.outputs = {outs[0]};
  return g;
}

struct GradRun {
  ir::Graph graph;
  std::vector<Tensor> inputs;   // graph inputs, in order
  std::vector<int> input_slot;  // operand index -> graph input index (-1)
};

inline double weighted_sum(const Tensor& y, const Tensor& r) {
  double s = 0;
  const float* a = y.data<float>();
  const float* b = r.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Runs the check for every operand whose role is Input or Param. Returns the
// analytic gradients (operand index -> gradient) for further assertions.
inline std::map<int, Tensor> check_gradients(const GradCase& c, uint64_t seed = 1234) {
  ir::Graph g = one_node_graph(c);
  std::set<std::string> frozen;
  std::vector<Tensor> inputs;
  std::vector<int> slot(c.operands.size(), -1);
  for (size_t i = 0; i < c.operands.size(); ++i) {
    if (c.operands[i].role == Role::Const) frozen.insert(operand_name(i));
    if (c.operands[i].role == Role::Input) {
      slot[i] = static_cast<int>(inputs.size());
      inputs.push_back(c.operands[i].value.clone());
    }
  }
  train::Autodiff ad(g, frozen, /*input_grads=*/true, /*any_constant=*/true);
  const uint64_t fwd_seed = 99;
  Tensor y = ad.forward(inputs, c.training, fwd_seed).at(0);
  const Tensor r = random_tensor(y.shape(), seed, -1.0f, 1.0f);
  ad.zero_grad();
  ad.backward({r});
  std::map<int, Tensor> analytic;
  std::map<int, Tensor*> storage;  // what to perturb
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const Role role = c.operands[i].role;
    if (role == Role::Input) {
      analytic[i] = ad.input_grad(slot[i]);
      storage[i] = &inputs[slot[i]];
    } else if (role == Role::Param) {
      for (auto& p : ad.params())
        if (p.name == operand_name(i)) {
          analytic[i] = p.grad.clone();
          storage[i] = &p.data;
        }
      EXPECT_TRUE(storage.count(i)) << c.op << ": operand " << i << " did not become a parameter";
    }
  }
  auto loss = [&] { return weighted_sum(ad.forward(inputs, c.training, fwd_seed).at(0), r); };
  for (auto& [i, t] : storage) {
    const Tensor& a = analytic[i];
    EXPECT_TRUE(a.defined()) << c.op << ": no gradient for operand " << i;
    if (!a.defined()) continue;
    EXPECT_EQ(a.shape(), t->shape()) << c.op << ": gradient shape of operand " << i;
    float* p = t->data<float>();
    double max_num = 0, max_err = 0;
    int64_t worst = -1;
    std::vector<double> num(t->numel());
    for (int64_t k = 0; k < t->numel(); ++k) {
      const float orig = p[k];
      p[k] = static_cast<float>(orig + c.eps);
      const double up = loss();
      p[k] = static_cast<float>(orig - c.eps);
      const double down = loss();
      p[k] = orig;
      // The perturbation actually applied, in float.
      const double h = static_cast<double>(static_cast<float>(orig + c.eps)) - static_cast<float>(orig - c.eps);
      num[k] = (up - down) / h;
      max_num = std::max(max_num, std::fabs(num[k]));
    }
    const float* ap = a.data<float>();
    for (int64_t k = 0; k < t->numel(); ++k) {
      const double err = std::fabs(ap[k] - num[k]);
      if (err > max_err) {
        max_err = err;
        worst = k;
      }
    }
    EXPECT_GT(max_num, 1e-3) << c.op << ": numeric gradient of operand " << i << " vanishes";
    EXPECT_LE(max_err, c.tol * max_num) << c.op << ": operand " << i << " element " << worst << " analytic "
                                        << (worst >= 0 ? ap[worst] : 0.0f) << " numeric "
                                        << (worst >= 0 ? num[worst] : 0.0) << " (max |numeric| " << max_num << ")";
  }
  return analytic;
}

}  // namespace etch::gradtest
