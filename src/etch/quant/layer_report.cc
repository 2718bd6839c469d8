#include "etch/quant/layer_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "etch/core/int4.h"
#include "etch/passes/activation_fusion.h"
#include "etch/quant/int4_storage.h"
#include "etch/quant/qdq_util.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

namespace etch::quant {

namespace {
struct Acc {
  double sig = 0, noise = 0, self_noise = 0;
  void add(double x, double xh, double xr) {
    sig += x * x;
    noise += (x - xh) * (x - xh);
    self_noise += (x - xr) * (x - xr);
  }
};

double db(double sig, double noise) {
  if (noise == 0) return std::numeric_limits<double>::infinity();
  if (sig == 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(sig / noise);
}

// SQNR of the float weight of node `name` in `prepared` against its
// dequantized value in `qdq` (+inf when either has none).
double weight_sqnr(const ir::Graph& prepared, const ir::Graph& qdq, const std::string& name) {
  const ir::Node* f = prepared.find_node_by_name(name);
  const ir::Node* q = qdq.find_node_by_name(name);
  if (!f || !q || !f->has_input(1) || !q->has_input(1)) return std::numeric_limits<double>::infinity();
  const ir::Value& w = prepared.value(f->inputs[1]);
  const ir::Node* dq = producer_of(qdq, q->inputs[1]);
  if (!w.data || !dq || !is_dequantize(*dq)) return std::numeric_limits<double>::infinity();
  auto p = qdq_params(qdq, *dq);
  Tensor qi = packed_int4_source(qdq, dq->inputs[0]);
  if (!qi.defined() && qdq.value(dq->inputs[0]).data) qi = *qdq.value(dq->inputs[0]).data;
  if (!p || !qi.defined() || qi.numel() != w.data->numel()) return std::numeric_limits<double>::infinity();
  const std::vector<float> qv = unpack_int4(qi).to_float_vector();
  Tensor wq(DType::F32, w.data->shape());
  const int64_t per = wq.numel() / std::max<int64_t>(1, wq.dim(0));
  for (int64_t i = 0; i < wq.numel(); ++i) wq.data<float>()[i] = qv[i] * p->scales[p->per_channel() ? i / per : 0];
  return sqnr_db(*w.data, wq);
}
}  // namespace

std::vector<LayerError> layer_errors(const ir::Graph& prepared, const ir::Graph& qdq, const ir::Graph& integer,
                                     const data::Dataset& data, int64_t samples) {
  struct Probe {
    ir::ValueId fv, iv;
    QuantParams p;
    std::string node, op;
    bool float_entry;
  };
  std::vector<Probe> probes;
  for (const ir::Node& qn : qdq.nodes()) {
    if (!is_quantize(qn)) continue;
    const std::string fname = qdq.value(qn.inputs[0]).name;
    auto fv = prepared.find_value(fname);
    // A quantized graph output: PTQ renamed the float value "<name>_float".
    const std::string suffix = "_float";
    if (!fv && fname.size() > suffix.size() && fname.compare(fname.size() - suffix.size(), suffix.size(), suffix) == 0)
      fv = prepared.find_value(fname.substr(0, fname.size() - suffix.size()));
    // A fused Relu/Clip that PTQ dropped as redundant (ptq.cc): Q reads the
    // Conv's output, but the float model's tensor is the activation's output.
    // (One kept in float, --keep-float, is still there and produces its output.)
    if (const ir::Node* prod = fv ? producer_of(prepared, *fv) : nullptr) {
      if (auto f = passes::fused_activation(prepared, *prod)) {
        const ir::Node& act = *prepared.find_node(f->activation);
        const auto in_qdq = qdq.find_value(prepared.value(act.outputs[0]).name);
        const ir::Node* p = in_qdq ? producer_of(qdq, *in_qdq) : nullptr;
        if (!p || p->op_type != act.op_type) fv = act.outputs[0];
      }
    }
    auto iv = integer.find_value(qdq.value(qn.outputs[0]).name);
    auto p = qdq_params(qdq, qn);
    if (!fv || !iv || !p || p->per_channel()) continue;
    const ir::Node* prod = producer_of(integer, *iv);
    const bool entry = !prod || is_quantize(*prod);
    probes.push_back({*fv, *iv, *p, prod ? prod->name : std::string(), entry ? kQuantizeLinear : prod->op_type, entry});
  }
  std::vector<ir::ValueId> fk, ik;
  for (const auto& p : probes) fk.push_back(p.fv), ik.push_back(p.iv);
  runtime::Interpreter fi(prepared), ii(integer);
  fi.keep_values(fk);
  ii.keep_values(ik);
  std::vector<Acc> acc(probes.size());
  const int64_t n = std::min(samples, data.size());
  const runtime::SampleFeed feed(prepared, data::named_arrays(data), 64);
  std::vector<int64_t> rows(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  const size_t chunk = static_cast<size_t>(feed.chunk());
  for (size_t b = 0; b < rows.size(); b += chunk) {
    const std::vector<Tensor> x = feed.inputs(rows, b, std::min(rows.size(), b + chunk));
    fi.run(x);
    ii.run(x);
    // A probe on a graph input or a constant is not a node output: look it up there.
    auto find = [&](const ir::Graph& g, const runtime::Interpreter& in, ir::ValueId v) -> const Tensor* {
      if (auto it = in.kept().find(v); it != in.kept().end()) return &it->second;
      for (size_t i = 0; i < g.inputs.size(); ++i)
        if (g.inputs[i] == v) return &x[i];
      return g.value(v).data ? &*g.value(v).data : nullptr;
    };
    for (size_t k = 0; k < probes.size(); ++k) {
      const Tensor* fptr = find(prepared, fi, probes[k].fv);
      const Tensor* qptr = find(integer, ii, probes[k].iv);
      if (!fptr || !qptr) continue;
      const Tensor& f = *fptr;
      const Tensor& q = *qptr;
      if (f.numel() != q.numel() || q.dtype() != DType::I8 || f.dtype() != DType::F32) continue;
      const float s = probes[k].p.scales[0];
      const int32_t z = probes[k].p.zero_points[0];
      const float* fp = f.data<float>();
      const int8_t* qp = q.data<int8_t>();
      for (int64_t i = 0; i < f.numel(); ++i) {
        const double xr = static_cast<double>(s) * (std::clamp<double>(std::nearbyint(fp[i] / s) + z, -128, 127) - z);
        acc[k].add(fp[i], static_cast<double>(s) * (qp[i] - z), xr);
      }
    }
  }
  std::vector<LayerError> out;
  for (size_t k = 0; k < probes.size(); ++k) {
    LayerError e;
    e.node = probes[k].node;
    e.op = probes[k].op;
    e.float_entry = probes[k].float_entry;
    e.value = prepared.value(probes[k].fv).name;
    e.sqnr_db = db(acc[k].sig, acc[k].noise);
    e.act_sqnr_db = db(acc[k].sig, acc[k].self_noise);
    e.weight_sqnr_db = weight_sqnr(prepared, qdq, e.node);
    e.dominant = e.weight_sqnr_db < e.act_sqnr_db ? "weights" : "activations";
    out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LayerError& a, const LayerError& b) { return a.sqnr_db < b.sqnr_db; });
  return out;
}

std::string layer_errors_json(const std::vector<LayerError>& errors) {
  auto num = [](double v) -> nlohmann::json {
    if (std::isfinite(v)) return v;
    return nullptr;
  };
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : errors)
    j.push_back({{"node", e.node},
                 {"op", e.op},
                 {"value", e.value},
                 {"sqnr_db", num(e.sqnr_db)},
                 {"weight_sqnr_db", num(e.weight_sqnr_db)},
                 {"activation_sqnr_db", num(e.act_sqnr_db)},
                 {"dominant", e.dominant}});
  return j.dump(2);
}

}  // namespace etch::quant
