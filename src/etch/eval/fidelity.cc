#include "etch/eval/fidelity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "etch/core/error.h"
#include "etch/quant/qdq_util.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

namespace etch::eval {
namespace {

// Samples x classes when the output is classifier-shaped, else 0 classes.
int64_t classes_of(const Shape& s) {
  if (s.empty() || s[0] <= 0) return 0;
  int64_t k = 1, big_axes = 0;
  for (size_t d = 1; d < s.size(); ++d)
    if (s[d] != 1) k *= s[d], ++big_axes;
  return big_axes == 1 && k > 1 ? k : 0;
}

// One value per sample, all in [0, 1]: a probability to threshold.
bool is_probability(const Shape& s, const std::vector<float>& ref) {
  if (s.empty() || s[0] <= 0 || shape_numel(s) != s[0]) return false;
  return std::all_of(ref.begin(), ref.end(), [](float v) { return v >= 0 && v <= 1; });
}

}  // namespace

std::vector<OutputFidelity> compare_outputs(const std::vector<std::string>& names, const std::vector<Tensor>& ref,
                                            const std::vector<Tensor>& test) {
  ETCH_CHECK(names.size() == ref.size() && ref.size() == test.size()) << "compare_outputs: sizes differ";
  std::vector<OutputFidelity> out;
  for (size_t i = 0; i < ref.size(); ++i) {
    ETCH_REQUIRE(ref[i].shape() == test[i].shape(), InvalidInput)
        << "output '" << names[i] << "' has shape " << shape_str(ref[i].shape()) << " in the reference but "
        << shape_str(test[i].shape()) << " in the model compared";
    const std::vector<float> r = ref[i].to_float_vector(), t = test[i].to_float_vector();
    OutputFidelity f;
    f.output = names[i];
    f.shape = ref[i].shape();
    for (size_t k = 0; k < r.size(); ++k)
      f.max_abs_diff = std::max(f.max_abs_diff, std::abs(static_cast<double>(r[k]) - t[k]));
    f.sqnr_db = quant::sqnr_db(ref[i], test[i]);
    if (const int64_t k = classes_of(f.shape); k > 0) {
      const int64_t n = f.shape[0];
      int64_t agree = 0;
      for (int64_t s = 0; s < n; ++s) {
        const auto rb = r.begin() + s * k, tb = t.begin() + s * k;
        agree += std::max_element(rb, rb + k) - rb == std::max_element(tb, tb + k) - tb;
      }
      f.top1_agreement = static_cast<double>(agree) / static_cast<double>(n);
    }
    if (is_probability(f.shape, r)) {
      constexpr float kThreshold = 0.5f;
      int64_t agree = 0;
      for (size_t k = 0; k < r.size(); ++k) agree += (r[k] > kThreshold) == (t[k] > kThreshold);
      f.decision_agreement = static_cast<double>(agree) / static_cast<double>(r.size());
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<OutputFidelity> run_fidelity(const ir::Graph& reference, const ir::Graph& test, const data::Dataset& ds,
                                         int64_t batch, int64_t samples) {
  const std::map<std::string, Tensor> arrays = data::named_arrays(ds);
  // Each model carries its own state along a sequence (streaming data).
  const runtime::Streaming streaming{ds.carry, ds.sequence};
  runtime::SampleFeed ref_feed(reference, arrays, batch, {}, streaming), test_feed(test, arrays, batch, {}, streaming);
  const int64_t n = samples > 0 ? std::min(samples, ref_feed.samples()) : ref_feed.samples();
  ETCH_REQUIRE(n > 0, InvalidInput) << "data set '" << ds.name << "' has no samples";
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  auto run = [&](const ir::Graph& g, runtime::SampleFeed& feed) {
    runtime::Interpreter interp(g);
    std::vector<std::vector<Tensor>> parts(g.outputs.size());
    runtime::run_feed(interp, feed, rows, [&](size_t, size_t, std::vector<Tensor>& outs) {
      for (size_t i = 0; i < outs.size(); ++i) parts[i].push_back(std::move(outs[i]));
    });
    std::vector<Tensor> all;
    for (auto& p : parts) all.push_back(runtime::concat_rows(p));
    return all;
  };
  const std::vector<Tensor> r = run(reference, ref_feed), t_raw = run(test, test_feed);
  // Match the test model's outputs to the reference's by name.
  std::vector<std::string> names;
  std::vector<Tensor> t;
  for (size_t i = 0; i < reference.outputs.size(); ++i) {
    const std::string& name = reference.value(reference.outputs[i]).name;
    names.push_back(name);
    size_t j = 0;
    while (j < test.outputs.size() && test.value(test.outputs[j]).name != name) ++j;
    ETCH_REQUIRE(j < test.outputs.size(), InvalidInput)
        << "the model compared has no output named '" << name << "' (the reference's output " << i << ")";
    t.push_back(t_raw[j]);
  }
  return compare_outputs(names, r, t);
}

nlohmann::json fidelity_json(const std::vector<OutputFidelity>& f) {
  auto num = [](double v) -> nlohmann::json {
    if (std::isfinite(v)) return v;
    return nullptr;  // JSON has no infinity: null = identical outputs
  };
  nlohmann::json j = nlohmann::json::array();
  for (const auto& o : f) {
    nlohmann::json e = {
        {"output", o.output}, {"shape", o.shape}, {"sqnr_db", num(o.sqnr_db)}, {"max_abs_diff", o.max_abs_diff}};
    e["top1_agreement"] = o.top1_agreement ? nlohmann::json(*o.top1_agreement) : nlohmann::json(nullptr);
    e["decision_agreement"] = o.decision_agreement ? nlohmann::json(*o.decision_agreement) : nlohmann::json(nullptr);
    j.push_back(e);
  }
  return j;
}

}  // namespace etch::eval
