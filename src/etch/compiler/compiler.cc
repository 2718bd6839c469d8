#include "etch/compiler/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>

#include "etch/compiler/emit_conv.h"
#include "etch/compiler/group_packing.h"
#include "etch/compiler/layer_does_not_fit.h"
#include "etch/compiler/lower.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/mapper.h"
#include "etch/compiler/node_roles.h"
#include "etch/compiler/program_builder.h"
#include "etch/core/error.h"
#include "etch/ir/cost.h"

namespace etch::compiler {
namespace {

int64_t align64(int64_t x) { return (x + 63) / 64 * 64; }

// A node that does not fit the target (LayerDoesNotFit), for compile() to
// place on the host before compiling again.
struct UnfitNode {
  ir::NodeId node;
  std::string why;
};

// Whether conv/gemm layer r reads its input image's halo columns, not only
// its rows (ConvSpec::out_halo_columns of its writer).
bool reads_halo_columns(const ConvSpec& r) { return r.pad_l > 0 || r.cols_in(r.ow) - r.pad_l > r.in.w; }

class Compiler {
 public:
  // `unfit`: nodes that run on the host because they do not fit the target, and why.
  Compiler(const ir::Graph& g, const npu::Target& t, const CompileOptions& o,
           const std::map<ir::NodeId, std::string>& unfit)
      : g_(g), t_(t), o_(o), unfit_(unfit) {}

  CompiledModel run() {
    out_.program.target = t_;
    place();
    allocate();
    emit();
    segment_io();
    standalone();
    npu::validate_program(out_.program, "<compiled program>");
    return std::move(out_);
  }

 private:
  void place() {
    for (const ir::Node& n : g_.nodes()) {
      const auto unfit = unfit_.find(n.id);
      const std::string r = unfit != unfit_.end() ? unfit->second : host_reason(g_, n);
      npu_[n.id] = r.empty();
      const Lowering* l = find_lowering(n);
      out_.placements.push_back({n.name, n.op_type, r.empty(), r.empty() ? "" : r, -1,
                                 l && l->boundary != Boundary::None, ir::node_cost(g_, n).macs});
    }
    // Reshape/Flatten only move data: worth doing on the NPU only between NPU
    // layers (and then usually free, see below).
    std::set<ir::ValueId> graph_out(g_.outputs.begin(), g_.outputs.end());
    for (size_t i = 0; i < g_.nodes().size(); ++i) {
      const ir::Node& n = g_.nodes()[i];
      if (!npu_[n.id] || !is_view(n)) continue;
      const int prod = g_.value(n.inputs[0]).producer;
      bool ok = prod >= 0 && npu_[prod] && !graph_out.count(n.outputs[0]);
      for (ir::NodeId c : g_.consumers(n.outputs[0])) ok &= npu_[c];
      if (!ok) {
        npu_[n.id] = false;
        out_.placements[i].npu = false;
        out_.placements[i].reason = "reshape between host values";
      }
    }
    for (const ir::Node& n : g_.nodes())
      if (npu_[n.id] && n.has_input(0)) pad_[n.inputs[0]] = std::max(pad_[n.inputs[0]], input_pad(n));
    // Reshape/Flatten: alias the input's DRAM when neither side is padded,
    // copy when only the input is; otherwise run it on the host.
    for (size_t i = 0; i < g_.nodes().size(); ++i) {
      const ir::Node& n = g_.nodes()[i];
      if (!npu_[n.id] || !is_view(n)) continue;
      const ir::ValueId in = n.inputs[0], o = n.outputs[0];
      if (pad_[o] > 0) {
        npu_[n.id] = false;
        out_.placements[i].npu = false;
        out_.placements[i].reason = "reshape into a padded layout";
      } else if (pad_[in] == 0) {
        alias_[o] = in;
      }
    }
    concat_in_place();
    fuse_tables();
  }

  // An element-wise op with a table (Lowering::requant_table: QLut) that is
  // the only reader of an NPU conv/gemm layer's output runs in that layer's
  // REQUANT (ConvSpec::table): the layer writes the table's
  // output, and the intermediate tensor never goes to DRAM. Both must be in
  // the same run of NPU nodes (one segment), and the intermediate must be
  // nobody else's: not a graph output, not viewed, not a Concat's slice.
  void fuse_tables() {
    std::set<ir::ValueId> graph_out(g_.outputs.begin(), g_.outputs.end()), viewed;
    for (const auto& [view, src] : alias_) viewed.insert(src);
    for (size_t i = 0; i < g_.nodes().size(); ++i) {
      const ir::Node& n = g_.nodes()[i];
      const Lowering* l = find_lowering(n);
      if (!npu_[n.id] || !l || !l->array) continue;
      const ir::ValueId o = n.outputs[0];
      const std::vector<ir::NodeId> readers = g_.consumers(o);
      if (readers.size() != 1 || graph_out.count(o) || viewed.count(o) || in_place_.count(o)) continue;
      const ir::Node& lut = *g_.find_node(readers[0]);
      const Lowering* ll = find_lowering(lut);
      if (!npu_[lut.id] || !ll || !ll->requant_table || lut.inputs[0] != o) continue;
      bool one_run = true;  // every node between them (graph order) on the NPU
      for (size_t k = i + 1; g_.nodes()[k].id != lut.id; ++k) one_run &= npu_[g_.nodes()[k].id];
      if (!one_run) continue;
      fused_into_[lut.id] = i;
    }
  }

  // The table fused into conv/gemm node n's REQUANT (fuse_tables), or null.
  const ir::Node* fused_table(const ir::Node& n) const {
    const std::vector<ir::NodeId> readers = g_.consumers(n.outputs[0]);
    return readers.size() == 1 && fused_into_.count(readers[0]) ? g_.find_node(readers[0]) : nullptr;
  }

  // Concat in place: an input that an NPU layer writes is allocated inside
  // the Concat's output, at its channels (the same halo and zero point), so
  // its producer writes it there and the Concat copies nothing for it
  // (lowerings/concat.cc skips a copy onto itself). Its other readers read it
  // there: nothing writes those channels again.
  void concat_in_place() {
    std::set<ir::ValueId> graph_out(g_.outputs.begin(), g_.outputs.end()), hosts, viewed;
    for (const auto& [view, src] : alias_) viewed.insert(src);
    for (const ir::Node& n : g_.nodes()) {
      if (!npu_[n.id] || n.op_type != "Concat" || !n.domain.empty()) continue;
      const ir::ValueId o = n.outputs[0];
      // The host reads a segment's outputs as the layers of the segment wrote
      // them; a Concat that copies nothing is no layer, so one whose output
      // the host reads keeps its copies.
      bool host_reads = graph_out.count(o) > 0;
      for (ir::NodeId c : g_.consumers(o)) host_reads |= !npu_[c];
      if (host_reads) continue;
      std::vector<std::pair<ir::ValueId, int64_t>> candidates;  // input, its first channel in o
      int64_t channels = 0;
      bool pinned = viewed.count(o) > 0;  // a view aliases it: its halo cannot change
      for (ir::ValueId v : n.inputs) {
        const ir::Value& val = g_.value(v);
        const int prod = val.producer;
        // Not a view's output: a view writes its output without a halo.
        if (!val.is_constant() && prod >= 0 && npu_[prod] && !is_view(*g_.find_node(prod)) && !in_place_.count(v) &&
            !hosts.count(v) && !graph_out.count(v) && std::count(n.inputs.begin(), n.inputs.end(), v) == 1 &&
            zero_point_of(v) == zero_point_of(o)) {
          candidates.emplace_back(v, channels);
          pinned |= viewed.count(v) > 0;
        }
        channels += batch1_shape(val)[1];
      }
      // Inputs and output share one halo: the widest any of them needs, or
      // the output's when a view fixes one of their layouts.
      int64_t halo = pad_[o];
      if (!pinned)
        for (const auto& c : candidates) halo = std::max(halo, pad_[c.first]);
      for (const auto& [v, first] : candidates) {
        if (pad_[v] > halo || (viewed.count(v) && pad_[v] != halo)) continue;
        in_place_[v] = {o, first};
        pad_[v] = halo;
        hosts.insert(o);
      }
      pad_[o] = halo;
    }
  }

  bool concatenated_in_place(const ir::Node& n) const {
    if (n.op_type != "Concat" || !n.domain.empty()) return false;
    for (ir::ValueId v : n.inputs)
      if (!in_place_.count(v)) return false;
    return true;
  }

  int32_t zero_point_of(ir::ValueId v) {
    for (ir::NodeId c : g_.consumers(v)) {
      const ir::Node* n = g_.find_node(c);
      if (!n || !npu_[n->id] || n->inputs[0] != v) continue;
      const Lowering* l = find_lowering(*n);
      if (l && l->padding_zero_point)
        if (auto zp = l->padding_zero_point(*n)) return *zp;
    }
    const ir::Value& val = g_.value(v);
    if (val.producer >= 0) {
      const ir::Node* p = g_.find_node(val.producer);
      if (auto zp = output_zero_point(g_, *p)) return *zp;
      if (ir::ValueId in = kept_quantization_input(g_, *p); in != ir::kNoValue) return zero_point_of(in);
    }
    for (ir::NodeId c : g_.consumers(v)) {
      const ir::Node* n = g_.find_node(c);
      if (n && is_boundary(*n, Boundary::Dequantize)) return constant_zp(g_, *n);
    }
    return 0;
  }

  float scale_of(ir::ValueId v) {
    const ir::Value& val = g_.value(v);
    if (val.producer >= 0) {
      const ir::Node* p = g_.find_node(val.producer);
      const Lowering* l = find_lowering(*p);
      if (l && l->output_scale)
        if (auto scale = l->output_scale(g_, *p)) return *scale;
      if (p->has_attr("y_scale")) return p->attr_float("y_scale", 1.0f);
      if (ir::ValueId in = kept_quantization_input(g_, *p); in != ir::kNoValue)
        return scale_of(in);  // data movement keeps its input's parameters
    }
    for (ir::NodeId c : g_.consumers(v)) {
      const ir::Node* n = g_.find_node(c);
      if (n && is_boundary(*n, Boundary::Dequantize)) return constant_scale(g_, *n);
    }
    return 1.0f;
  }

  int tensor(ir::ValueId v) {
    auto it = tensor_of_.find(v);
    if (it != tensor_of_.end()) return it->second;
    const ir::Value& val = g_.value(v);
    npu::TensorDesc d;
    d.name = val.name;
    d.shape = batch1_shape(val);
    ETCH_CHECK(!d.shape.empty()) << "value " << val.name << " has no shape";
    if (d.shape.size() == 4) {
      d.c = d.shape[1], d.h = d.shape[2], d.w = d.shape[3];
    } else if (d.shape.size() == 2) {
      d.c = d.shape[1], d.h = 1, d.w = 1;
    } else {
      d.c = 1, d.h = 1;
      d.w = 1;
      for (int64_t x : d.shape) d.w *= x;
    }
    d.pad = pad_[v];
    d.zero_point = zero_point_of(v);
    d.scale = scale_of(v);
    auto al = alias_.find(v);
    if (auto ip = in_place_.find(v); ip != in_place_.end()) {
      const uint64_t out = out_.program.tensors[tensor(ip->second.first)].dram_addr;
      d.dram_addr = out + static_cast<uint64_t>(ip->second.second * d.chan_stride());
    } else if (al != alias_.end()) {
      d.dram_addr = out_.program.tensors[tensor(al->second)].dram_addr;
    } else {
      d.dram_addr = next_addr_;
      next_addr_ += align64(d.dram_bytes());
    }
    out_.program.tensors.push_back(d);
    const int id = static_cast<int>(out_.program.tensors.size()) - 1;
    tensor_of_[v] = id;
    return id;
  }

  void allocate() {
    for (const ir::Node& n : g_.nodes()) {
      if (!npu_[n.id]) continue;
      // A fused table's input is its conv's output, which stays on chip.
      const bool fused = fused_into_.count(n.id) > 0;
      for (size_t i = 0; i < n.inputs.size(); ++i)
        if (n.has_input(i) && !g_.value(n.inputs[i]).is_constant() && !(i == 0 && fused)) tensor(n.inputs[i]);
      if (!fused_table(n)) tensor(n.outputs[0]);
    }
    out_.program.weight_addr = static_cast<uint64_t>(align64(next_addr_));
  }

  const npu::TensorDesc& desc(ir::ValueId v) { return out_.program.tensors[tensor_of_.at(v)]; }

  // Whether n's output comes out of a conv/gemm layer's REQUANT (n is one,
  // or a table fused into one).
  bool written_by_array(const ir::Node& n) const {
    const Lowering* l = find_lowering(n);
    return (l && l->array) || fused_into_.count(n.id);
  }

  // Graph order, except that inside every run of NPU nodes each node is
  // emitted as late as its consumers allow, following producer chains
  // (reverse list scheduling, last-ready first). In a residual block the
  // projection then no longer sits between two convolutions of the main path,
  // so the second one's weights prefetch behind the first.
  std::vector<size_t> emission_order() const {
    const auto& nodes = g_.nodes();
    std::vector<size_t> order;
    for (size_t i = 0; i < nodes.size();) {
      if (!npu_.at(nodes[i].id)) {
        order.push_back(i++);
        continue;
      }
      size_t j = i;
      while (j < nodes.size() && npu_.at(nodes[j].id)) ++j;
      std::map<ir::NodeId, size_t> index;
      for (size_t k = i; k < j; ++k) index[nodes[k].id] = k;
      // Producers inside the run, and how many consumers inside it each waits for.
      std::vector<std::vector<size_t>> producers(j - i);
      std::vector<int> waiting(j - i, 0);
      for (size_t k = i; k < j; ++k) {
        std::set<size_t> seen;
        for (size_t in = 0; in < nodes[k].inputs.size(); ++in) {
          if (!nodes[k].has_input(in)) continue;
          auto it = index.find(g_.value(nodes[k].inputs[in]).producer);
          if (it == index.end() || !seen.insert(it->second).second) continue;
          producers[k - i].push_back(it->second);
          ++waiting[it->second - i];
        }
        // Conv/gemm producers go last, so that each is emitted right before
        // its consumer and may leave its output on chip for it (a residual
        // Add's other input, e.g. a channel-padding Concat, goes first).
        std::stable_partition(producers[k - i].begin(), producers[k - i].end(),
                              [&](size_t pk) { return !written_by_array(nodes[pk]); });
      }
      std::vector<size_t> ready, reversed;
      for (size_t k = i; k < j; ++k)
        if (waiting[k - i] == 0) ready.push_back(k);
      while (!ready.empty()) {
        const size_t k = ready.back();
        ready.pop_back();
        reversed.push_back(k);
        for (size_t pk : producers[k - i])
          if (--waiting[pk - i] == 0) ready.push_back(pk);
      }
      ETCH_CHECK(reversed.size() == j - i) << "emission order: the graph is not topologically sorted";
      order.insert(order.end(), reversed.rbegin(), reversed.rend());
      i = j;
    }
    return order;
  }

  // A conv/gemm node lowered for the target: 2:4 sparse when the target,
  // the options and the weights allow and the buffers hold a sparse tile.
  ConvSpec conv_spec(const Lowering& l, const ir::Node& n) {
    const ir::Node* t = fused_table(n);
    ConvSpec s = l.array(g_, n, desc(n.inputs[0]), desc((t ? *t : n).outputs[0]));
    if (t) s.table = find_lowering(*t)->requant_table(g_, *t);
    if (t_.sparsity_2_4 && o_.allow_sparse && is_2_4_sparse(s)) {
      s.sparse = true;
      if (plan_overflow(s, minimal_plan(s), t_)) s.sparse = false;  // fall back to dense
    }
    require_minimal_tile(s, t_);
    return s;
  }

  // The cheapest plan over the group packings worth trying (group_packing.h);
  // `s` becomes the packed spec the plan is for. Among packings of equal
  // score the smallest wins. The largest packing is searched first (it is
  // most often the best on a depthwise layer), and each smaller one's search
  // cuts every option that cannot at least equal the best so far.
  PlanChoice search_packed(ConvSpec& s, int64_t* packed) {
    std::vector<std::pair<int64_t, ConvSpec>> packings;  // smallest first
    for (int64_t g : o_.pack_groups ? packing_factors(s, t_) : std::vector<int64_t>{1}) {
      ConvSpec candidate = pack_groups(s, g);
      if (g > 1 && plan_overflow(candidate, minimal_plan(candidate), t_)) break;
      packings.emplace_back(g, std::move(candidate));
    }
    PlanChoice best;
    size_t chosen = packings.size() - 1;
    for (size_t i = packings.size(); i-- > 0;) {
      const bool first = i + 1 == packings.size();
      PlanChoice c =
          search_plan(packings[i].second, t_, prev_ ? &prev_->layer : nullptr, before_ ? &before_->layer : nullptr,
                      first ? std::numeric_limits<int64_t>::max() : best.score + 1);
      if (first || c.score <= best.score) {
        best = c;
        chosen = i;
      }
    }
    *packed = packings[chosen].first;
    s = std::move(packings[chosen].second);
    return best;
  }

  // The node emitted after order[k] that makes a layer (not a fused table, a
  // view aliased in place or a Concat done in place); null when a host node
  // comes first or nothing follows.
  const ir::Node* next_layer(const std::vector<size_t>& order, size_t k) const {
    for (size_t j = k + 1; j < order.size(); ++j) {
      const ir::Node& m = g_.nodes()[order[j]];
      if (!npu_.at(m.id)) return nullptr;
      if (alias_.count(m.outputs[0]) || concatenated_in_place(m) || fused_into_.count(m.id)) continue;
      return &m;
    }
    return nullptr;
  }

  // Whether `reader` reads v once, as its first input unless `any_input`,
  // and nothing else does: not the host, a view or a Concat done in place
  // (with `others_read_dram`, other nodes may read v, from its DRAM copy).
  bool only_reader(ir::ValueId v, const ir::Node& reader, bool any_input = false, bool others_read_dram = false) const {
    if (std::find(g_.outputs.begin(), g_.outputs.end(), v) != g_.outputs.end() || alias_.count(v) || in_place_.count(v))
      return false;
    for (const auto& [view, src] : alias_)
      if (src == v) return false;
    const std::vector<ir::NodeId> readers = g_.consumers(v);
    return (readers.size() == 1 || others_read_dram) && std::count(readers.begin(), readers.end(), reader.id) == 1 &&
           (any_input || reader.inputs[0] == v) && std::count(reader.inputs.begin(), reader.inputs.end(), v) == 1;
  }

  // An output left on chip for the next layer (keep_output_on_chip,
  // vector_output_on_chip): the value, and the reading layer's spec with its
  // input image, made when the writer decided.
  struct OnChipImage {
    ir::ValueId value = ir::kNoValue;
    std::optional<ConvSpec> reader;  // a conv/gemm reader's spec with its input image (a vector reader: none)
    int64_t addr = -1, ibuf_lo = 0, ibuf_hi = 0;
  };

  // The conv/gemm reader `next`'s spec with image img as its resident input
  // (the image's bytes kept clear at its end of the input buffer) into
  // img.reader; whether its smallest plan fits beside the image.
  bool place_reader(OnChipImage& img, const Lowering& l, const ir::Node& next) {
    ConvSpec& r = img.reader.emplace(unless_unfit(next, [&] { return conv_spec(l, next); }));
    r.ibuf_lo = img.ibuf_lo;
    r.ibuf_hi = img.ibuf_hi;
    r.in_image = img.addr;
    return !plan_overflow(r, minimal_plan(r), t_);
  }

  // Keeps the output of conv/gemm layer n (spec s, order[k]) on chip when the
  // next layer is a conv/gemm that reads it and both still fit with the
  // image beside them (the reader reads it as a resident input). When later
  // layers or the host read it too, n also stores it to DRAM, from the
  // image, where they read it. The image takes at most a quarter of the
  // input buffer, at the end the image n reads is not at.
  // A vector-unit reader (Lowering::reads_image, e.g. a residual Add) may
  // read the image too, when the tensor has no halo (its channel planes are
  // then contiguous) and its own smallest tiles fit beside it.
  void keep_output_on_chip(const std::vector<size_t>& order, size_t k, const ir::Node& n, ConvSpec& s) {
    const ir::Node* next = next_layer(order, k);
    const Lowering* l = next ? find_lowering(*next) : nullptr;
    const ir::Node* table = fused_table(n);
    const ir::ValueId v = (table ? *table : n).outputs[0];
    if (!l) return;
    const bool vector_reader = l->reads_image && s.out.pad == 0;
    if (!(l->array || vector_reader) || !only_reader(v, *next, vector_reader, !vector_reader)) return;
    const int64_t bytes = s.out.dram_bytes(), cap = t_.input_buffer_bytes;
    if (4 * bytes > cap) return;
    // A vector reader's smallest tiles beside the image: two slots of one
    // channel plane for each of its other inputs and for its output.
    const int64_t plane = s.out.h * s.out.w;
    if (vector_reader && 2 * static_cast<int64_t>(next->inputs.size()) * plane > cap - bytes) return;
    const bool top = s.ibuf_hi == 0;
    const int64_t addr = top ? cap - bytes : 0;
    const int64_t lo = s.ibuf_lo, hi = s.ibuf_hi;
    (top ? s.ibuf_hi : s.ibuf_lo) = bytes;
    s.out_image = addr;
    s.store_out_image = g_.consumers(v).size() > 1;
    OnChipImage img{v, std::nullopt, addr, top ? 0 : bytes, top ? bytes : 0};
    bool fits = !plan_overflow(s, minimal_plan(s), t_);
    if (fits && l->array) fits = place_reader(img, *l, *next);
    if (!fits) {
      s.ibuf_lo = lo, s.ibuf_hi = hi, s.out_image = -1, s.store_out_image = false;
      return;
    }
    if (img.reader) s.out_halo_columns = reads_halo_columns(*img.reader);
    image_ = std::move(img);
  }

  // Leaves the output of vector layer n (order[k]) on chip for the next layer
  // when its lowering can write it there (Lowering::writes_image, with its
  // halo if it has one), the next layer is a conv/gemm that reads it (alone,
  // unless the lowering also stores it for later readers), and the reader's
  // smallest plan fits with the image beside it. The image takes at
  // most a quarter of the input buffer, at the end layer n's own input image
  // (if any) is not at. Returns the image with the reader's spec; sets
  // layer.out_image and the bytes the images hold.
  std::optional<OnChipImage> vector_output_on_chip(const std::vector<size_t>& order, size_t k, const ir::Node& n,
                                                   const Lowering& l, VectorLayer& layer) {
    const ir::Node* next = next_layer(order, k);
    const Lowering* nl = next ? find_lowering(*next) : nullptr;
    const ir::ValueId v = n.outputs[0];
    if (o_.naive || !o_.on_chip_activations || !l.writes_image || !nl || !nl->array ||
        !only_reader(v, *next, false, l.stores_written_image))
      return std::nullopt;
    const npu::TensorDesc& d = desc(v);
    if (d.pad > 0 && !l.writes_haloed_image) return std::nullopt;
    const int64_t bytes = d.dram_bytes(), cap = t_.input_buffer_bytes;
    if (4 * bytes > cap) return std::nullopt;
    const bool top = layer.ibuf_hi == 0;
    OnChipImage img{v, std::nullopt, top ? cap - bytes : 0, top ? 0 : bytes, top ? bytes : 0};
    if (!place_reader(img, *nl, *next)) return std::nullopt;
    layer.out_image = img.addr;
    layer.store_out_image = g_.consumers(v).size() > 1;
    layer.out_halo_columns = reads_halo_columns(*img.reader);
    (top ? layer.ibuf_hi : layer.ibuf_lo) = bytes;
    return img;
  }

  void emit() {
    npu::Program& p = out_.program;
    ProgramBuilder b(p);
    bool open = false;
    const std::vector<size_t> order = emission_order();
    for (size_t k = 0; k < order.size(); ++k) {
      const size_t i = order[k];
      const ir::Node& n = g_.nodes()[i];
      if (!npu_[n.id]) {
        if (open) close(b);
        open = false;
        if (out_.steps.empty() || out_.steps.back().npu) out_.steps.push_back({false, -1, {}});
        out_.steps.back().nodes.push_back(n.id);
        continue;
      }
      if (alias_.count(n.outputs[0])) {
        out_.placements[i].reason = "reshape in place (no data movement)";
        continue;
      }
      if (concatenated_in_place(n)) {
        out_.placements[i].reason = "concatenated in place (its inputs are written into it)";
        continue;
      }
      if (auto f = fused_into_.find(n.id); f != fused_into_.end()) {
        // Emitted with its producer, which is in the open segment.
        seg_nodes_.back().push_back(n.id);
        out_.placements[i].layer = out_.placements[f->second].layer;
        out_.placements[i].reason = fmt::format("fused into the requantization of {}", g_.nodes()[f->second].name);
        continue;
      }
      if (!open) {
        p.segments.push_back({static_cast<uint32_t>(p.instrs.size()), 0, {}, {}});
        out_.steps.push_back({true, static_cast<int>(p.segments.size()) - 1, {}});
        seg_nodes_.emplace_back();
        open = true;
      }
      seg_nodes_.back().push_back(n.id);
      const int layer = static_cast<int>(p.layers.size());
      b.set_layer(layer);
      out_.placements[i].layer = layer;
      LayerReport rep;
      rep.layer = layer;
      rep.name = n.name;
      const Lowering& l = *find_lowering(n);  // placed on the NPU: it has one
      if (l.array) {
        // The previous layer decided to leave this one's input on chip, with this spec.
        ETCH_CHECK(!image_ || (image_->value == n.inputs[0] && image_->reader))
            << "an image on chip for a layer that does not read it";
        ConvSpec s = image_ ? std::move(*image_->reader) : unless_unfit(n, [&] { return conv_spec(l, n); });
        image_.reset();
        if (!o_.naive && o_.on_chip_activations) keep_output_on_chip(order, k, n, s);
        rep.input_on_chip = s.in_image >= 0;
        rep.output_on_chip = s.out_image >= 0;
        rep.naive = naive_plan(s, t_);
        // Useful work and kind are the layer's own, whatever packing runs it.
        rep.macs = s.macs();
        rep.kind = l.kind(&s);
        PlanChoice c;
        int64_t packed = 1;
        if (o_.naive) {
          c.plan = rep.naive;
        } else {
          c = search_packed(s, &packed);
        }
        // A prefetch slows the tail of the layer it trails a little: its prediction follows.
        if (c.plan.prefetch) {
          const EmittedLayer& trailed = c.plan.prefetch_early ? *before_ : *prev_;
          if (out_.layers[trailed.report].has_plan)
            out_.layers[trailed.report].predicted_cycles += c.prev_end - trailed.layer.end;
        }
        rep.plan = c.plan;
        rep.has_plan = true;
        rep.sparse = s.sparse;
        rep.predicted_cycles = rep.plan.predicted_cycles;
        rep.bounds = conv_bounds(s, t_);
        p.layers.push_back({n.name, rep.kind, rep.macs});
        emit_conv(b, s, rep.plan, rep.plan.prefetch_early ? std::optional(before_->barrier) : std::nullopt);
        out_.placements[i].reason =
            fmt::format("{} {}{}{}{}{}", rep.kind, rep.plan.str(), s.sparse ? " 2:4" : "",
                        packed > 1 ? fmt::format(" {} groups packed", packed) : "",
                        rep.input_on_chip ? ", input on chip" : "", rep.output_on_chip ? ", output kept on chip" : "");
        before_.reset();
        if (!o_.naive)
          prev_ = EmittedLayer{conv_prev_layer(s, rep.plan, c.in, c.end, t_), out_.layers.size(), b.size() - 1};
      } else {
        // The next conv/gemm layer's prefetch may reach back over this layer to a conv/gemm right before it.
        std::optional<EmittedLayer> conv_before =
            prev_ && out_.layers[prev_->report].has_plan ? std::move(prev_) : std::nullopt;
        prev_.reset();
        before_.reset();
        rep.kind = l.kind(nullptr);
        p.layers.push_back({n.name, rep.kind, 0});
        const size_t first = b.size();
        VectorLayer layer{g_, n, [this](ir::ValueId v) -> const npu::TensorDesc& { return desc(v); }};
        if (image_) {
          ETCH_CHECK(l.reads_image && std::count(n.inputs.begin(), n.inputs.end(), image_->value) == 1)
              << "an image on chip for a layer that does not read it";
          layer.image_value = image_->value;
          layer.image_addr = image_->addr, layer.ibuf_lo = image_->ibuf_lo, layer.ibuf_hi = image_->ibuf_hi;
          rep.input_on_chip = true;
          image_.reset();
        }
        VectorLayer in_dram = layer;
        std::optional<OnChipImage> out_image = vector_output_on_chip(order, k, n, l, layer);
        if (out_image) try {
            l.emit(b, layer);
          } catch (const LayerDoesNotFit&) {
            // Its tiles do not fit beside both images: its output goes to DRAM.
            ETCH_CHECK(b.size() == first) << n.name << ": a layer that did not fit was partly emitted";
            out_image.reset();
          }
        if (!out_image) unless_unfit(n, [&] { l.emit(b, in_dram); });
        rep.output_on_chip = out_image.has_value();
        image_ = std::move(out_image);
        out_.placements[i].reason = rep.kind + (rep.input_on_chip ? ", input on chip" : "") +
                                    (rep.output_on_chip ? ", output kept on chip" : "");
        // The next conv/gemm layer may prefetch behind it: its instructions
        // but the closing BARRIER, read back as steps.
        if (!o_.naive && b.size() > first && p.instrs.back().op == npu::Opcode::Barrier) {
          const std::span<const npu::Instr> emitted(p.instrs.data() + first, b.size() - first - 1);
          if (auto v = vector_prev_layer(emitted, t_)) {
            before_ = std::move(conv_before);
            prev_ = EmittedLayer{std::move(*v), out_.layers.size(), b.size() - 1};
          }
        }
      }
      out_.layers.push_back(rep);
    }
    if (open) close(b);
    p.dram_bytes = p.weight_addr + p.weight_image.size();
    ETCH_REQUIRE(p.dram_bytes <= (uint64_t{1} << 32), InvalidInput)
        << "model needs " << p.dram_bytes << " bytes of NPU DRAM; the program format addresses at most 4 GiB";
  }

  // f(), or UnfitNode for `n` when its smallest tile does not fit (before
  // anything of it is emitted: the whole compile starts again).
  template <class F>
  auto unless_unfit(const ir::Node& n, F f) -> decltype(f()) {
    try {
      return f();
    } catch (const LayerDoesNotFit& e) {
      throw UnfitNode{n.id, e.what()};
    }
  }

  void close(ProgramBuilder& b) {
    prev_.reset();
    before_.reset();
    npu::Instr h;
    h.op = npu::Opcode::Halt;
    b.emit(h);
    out_.program.segments.back().end = static_cast<uint32_t>(b.size());
  }

  void segment_io() {
    std::set<ir::ValueId> graph_out(g_.outputs.begin(), g_.outputs.end());
    for (size_t s = 0; s < seg_nodes_.size(); ++s) {
      std::set<ir::NodeId> mine(seg_nodes_[s].begin(), seg_nodes_[s].end());
      npu::Segment& seg = out_.program.segments[s];
      std::set<int> ins, outs;
      for (ir::NodeId id : seg_nodes_[s]) {
        const ir::Node& n = *g_.find_node(id);
        for (size_t i = 0; i < n.inputs.size(); ++i) {
          if (!n.has_input(i) || g_.value(n.inputs[i]).is_constant()) continue;
          ir::ValueId v = n.inputs[i];
          while (alias_.count(v)) v = alias_.at(v);
          const int prod = g_.value(v).producer;
          if (prod < 0 || !npu_[prod]) ins.insert(tensor_of_.at(v));
        }
        for (ir::ValueId o : n.outputs) {
          if (o == ir::kNoValue || !tensor_of_.count(o)) continue;
          bool host_use = graph_out.count(o) > 0;
          for (ir::NodeId c : g_.consumers(o)) host_use |= !npu_[c];
          // Aliases of o used by the host count too.
          for (const auto& [a, src] : alias_)
            if (src == o) {
              host_use |= graph_out.count(a) > 0;
              for (ir::NodeId c : g_.consumers(a)) host_use |= !npu_[c];
              if (host_use) outs.insert(tensor_of_.at(a));
            }
          if (host_use) outs.insert(tensor_of_.at(o));
        }
      }
      seg.inputs.assign(ins.begin(), ins.end());
      seg.outputs.assign(outs.begin(), outs.end());
    }
  }

  // A program runs from its file alone when the host only quantizes the one
  // input (after optional element-wise Sub/Div/Mul/Add by constants, kept as
  // Program::input_ops) and dequantizes the outputs.
  void standalone() {
    npu::Program& p = out_.program;
    if (p.segments.size() != 1 || g_.inputs.size() != 1) return;
    std::set<ir::NodeId> prologue;
    std::vector<npu::InputOp> ops;
    ir::ValueId v = g_.inputs[0];
    const ir::Node* q = nullptr;
    for (;;) {
      const std::vector<ir::NodeId> cs = g_.consumers(v);
      if (cs.size() != 1) return;
      const ir::Node& n = *g_.find_node(cs[0]);
      if (is_boundary(n, Boundary::Quantize)) {
        q = &n;
        break;
      }
      static const std::map<std::string, uint8_t> kinds = {{"Sub", npu::InputOp::Sub},
                                                           {"Div", npu::InputOp::Div},
                                                           {"Mul", npu::InputOp::Mul},
                                                           {"Add", npu::InputOp::Add}};
      auto k = kinds.find(n.op_type);
      if (k == kinds.end() || !n.domain.empty() || n.inputs.size() != 2 || n.inputs[0] != v) return;
      const ir::Value& c = g_.value(n.inputs[1]);
      if (!c.data || c.data->dtype() != DType::F32) return;
      const Shape xs = batch1_shape(g_.value(v));
      const int64_t channels = xs.size() == 4 ? xs[1] : -1;
      const Shape& cs_shape = c.data->shape();
      const bool scalar = c.data->numel() == 1;
      const bool per_channel = channels > 0 && c.data->numel() == channels && cs_shape.size() >= 3 &&
                               cs_shape[cs_shape.size() - 3] == channels && cs_shape.back() == 1 &&
                               cs_shape[cs_shape.size() - 2] == 1;
      if (!scalar && !per_channel) return;
      ops.push_back({k->second, c.data->to_float_vector()});
      prologue.insert(n.id);
      v = n.outputs[0];
    }
    if (!tensor_of_.count(q->outputs[0])) return;
    std::vector<int> outs;
    for (ir::ValueId go : g_.outputs) {
      const ir::Value& val = g_.value(go);
      if (val.producer < 0) return;
      const ir::Node& n = *g_.find_node(val.producer);
      if (!is_boundary(n, Boundary::Dequantize) || !tensor_of_.count(n.inputs[0])) return;
      if (n.has_input(1) && g_.value(n.inputs[1]).data && g_.value(n.inputs[1]).data->numel() != 1) return;
      outs.push_back(tensor_of_.at(n.inputs[0]));
      // Dequantize exactly as this node does.
      p.tensors[outs.back()].scale = constant_scale(g_, n);
      p.tensors[outs.back()].zero_point = constant_zp(g_, n);
    }
    for (const ir::Node& n : g_.nodes()) {
      if (npu_[n.id] || prologue.count(n.id) || &n == q) continue;
      const bool dq_out = is_boundary(n, Boundary::Dequantize) &&
                          std::find(g_.outputs.begin(), g_.outputs.end(), n.outputs[0]) != g_.outputs.end();
      if (!dq_out) return;
    }
    if (q->has_input(1) && g_.value(q->inputs[1]).data && g_.value(q->inputs[1]).data->numel() != 1) return;
    p.inputs = {tensor_of_.at(q->outputs[0])};
    p.tensors[p.inputs[0]].scale = constant_scale(g_, *q);
    p.outputs = outs;
    p.input_ops = ops;
    out_.standalone = true;
  }

  const ir::Graph& g_;
  const npu::Target& t_;
  const CompileOptions& o_;
  const std::map<ir::NodeId, std::string>& unfit_;
  CompiledModel out_;
  std::map<ir::NodeId, bool> npu_;
  std::map<ir::ValueId, int64_t> pad_;
  std::map<ir::ValueId, ir::ValueId> alias_;
  std::map<ir::ValueId, std::pair<ir::ValueId, int64_t>> in_place_;  // Concat input -> (output, first channel)
  std::map<ir::NodeId, size_t> fused_into_;  // a table fused into a conv/gemm's REQUANT -> that node's graph index
  std::map<ir::ValueId, int> tensor_of_;
  std::vector<std::vector<ir::NodeId>> seg_nodes_;
  int64_t next_addr_ = 0;
  // The layer just emitted, while nothing else follows it in the segment:
  // the next conv/gemm layer may prefetch behind it.
  struct EmittedLayer {
    PrevLayer layer;
    size_t report = 0;   // its out_.layers index
    size_t barrier = 0;  // its closing BARRIER's index in the program
  };
  std::optional<EmittedLayer> prev_;
  // The conv/gemm layer before prev_, when prev_ is a vector-unit layer: the
  // next conv/gemm layer may prefetch behind it instead (TilePlan::prefetch_early).
  std::optional<EmittedLayer> before_;
  std::optional<OnChipImage> image_;
};

}  // namespace

CompiledModel compile(const ir::Graph& g, const npu::Target& t, const CompileOptions& opt) {
  npu::validate_target(t);
  require_integer_graph(g, g.name);
  // A layer the target cannot hold runs on the host, and the rest is compiled
  // again: its neighbours' placements and layouts may change with it.
  std::map<ir::NodeId, std::string> unfit;
  for (;;) {
    try {
      return Compiler(g, t, opt, unfit).run();
    } catch (const UnfitNode& e) {
      ETCH_CHECK(unfit.emplace(e.node, e.why).second) << "node " << e.node << " did not fit twice";
    }
  }
}

MacShare mac_share(const CompiledModel& m) {
  MacShare s;
  for (const Placement& p : m.placements) (p.npu ? s.npu : s.host) += p.macs;
  return s;
}

}  // namespace etch::compiler
