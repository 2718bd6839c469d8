// QMul on the vector unit (MUL, docs/npu-isa.md): the product of two int8
// tensors of the same shape, or of a [1, C, H, W] activation and a per-channel
// [1, C, 1, 1] scale (squeeze-and-excitation; either input may be the scale).
// Tiled over channels and rows like the other vector layers; a tile loads the
// scale's tc values once and the MUL reads one per channel.
#include <string>

#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_mul.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/npu/vector/mul.h"

namespace etch::compiler::lowerings {
namespace {

using F = npu::Field;

bool per_channel_of(const Shape& big, const Shape& small) {
  return big.size() == 4 && small == Shape{1, big[1], 1, 1} && big != small;
}

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

std::string why_host(const ir::Graph& g, const ir::Node& n) {
  if (!is_int8(g, n, 0) || !is_int8(g, n, 1)) return "needs int8 inputs";
  const Shape a = batch1_shape(g.value(n.inputs[0])), b = batch1_shape(g.value(n.inputs[1]));
  if (a == b || per_channel_of(a, b) || per_channel_of(b, a)) return "";
  return "broadcasting multiply other than per channel (inputs " + shape_text(a) + " and " + shape_text(b) +
         "; the NPU takes the same shape or [1, C, H, W] by [1, C, 1, 1])";
}

void emit_mul(ProgramBuilder& b, const VectorLayer& v) {
  const ir::QMulParams q = ir::qmul_params(v.n);
  // `a` is the full-size operand, `s` the other (same size, or one per channel).
  const bool swap = per_channel_of(batch1_shape(v.g.value(v.n.inputs[1])), batch1_shape(v.g.value(v.n.inputs[0])));
  const npu::TensorDesc& a = v.desc(v.n.inputs[swap ? 1 : 0]);
  const npu::TensorDesc& s = v.desc(v.n.inputs[swap ? 0 : 1]);
  const npu::TensorDesc& out = v.desc(v.n.outputs[0]);
  const int32_t a_zp = swap ? q.b_zero_point : q.a_zero_point, s_zp = swap ? q.a_zero_point : q.b_zero_point;
  const bool per_channel = s.numel() != a.numel();
  const int64_t w = out.w;
  auto s_bytes = [&](int64_t tc, int64_t th) { return per_channel ? tc : tc * th * w; };
  const std::vector<Tile> tiles = make_tiles(v.n.name, out.c, out.h, b.target(),
                                             [&](int64_t tc, int64_t th) { return 2 * tc * th * w + s_bytes(tc, th); });
  const int64_t part = tiles[0].tc * tiles[0].th * w, s_part = s_bytes(tiles[0].tc, tiles[0].th);
  const int64_t s_base = 2 * part, out_base = 2 * part + 2 * s_part;  // two slots of each
  pipeline(
      b, tiles.size(),
      [&](size_t i, int slot) {
        const Tile& tl = tiles[i];
        return std::vector<npu::Instr>{
            interior(npu::Opcode::Load, a, slot * part, tl),
            interior(npu::Opcode::Load, s, s_base + slot * s_part, per_channel ? Tile{tl.c0, tl.tc, 0, 1} : tl)};
      },
      [&](size_t i, int slot) {
        npu::Instr m;
        m.op = npu::Opcode::Mul;
        m[F::a_addr] = slot * part;
        m[F::b_addr] = s_base + slot * s_part;
        m[F::out_addr] = out_base + slot * part;
        m[F::c] = tiles[i].tc;
        m[F::n] = tiles[i].th * w;
        m[F::mode] = per_channel ? npu::kMulPerChannel : npu::kMulSameShape;
        m[F::a_zp] = a_zp;
        m[F::b_zp] = s_zp;
        m[F::y_zp] = q.y.zero_point;
        m[F::mult] = q.requant.multiplier;
        m[F::shift] = q.requant.shift;
        m[F::act_min] = q.y.act_min;
        m[F::act_max] = q.y.act_max;
        return m;
      },
      [&](size_t i, int slot) { return interior(npu::Opcode::Store, out, out_base + slot * part, tiles[i]); });
}

Lowering qmul() {
  Lowering l;
  l.op_type = "QMul";
  l.domain = ir::kEtchDomain;
  l.reason_for_host = why_host;
  l.kind = [](const ConvSpec*) { return "mul"; };
  l.emit = emit_mul;
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qmul_params(n).y.zero_point;
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(qmul());

}  // namespace etch::compiler::lowerings
