// Cross-layer equalization (CLE; Nagel et al., 2019, "Data-Free Quantization
// Through Weight Equalization and Bias Correction"): for a Conv A whose output
// reaches exactly one Conv B, directly or through a Relu/LeakyRelu or a
// Clip(0, M) (ReLU6), output channel c of A (weights and bias) is divided by
// s_c > 0 and input channel c of B's weights multiplied by s_c. ReLU and
// LeakyReLU are positively homogeneous, so the float function is unchanged;
// what changes is where the range sits, and so what int8 can resolve.
//
// Clip(0, M) commutes with a positive scale only below its bound: a Clip pair
// is equalized in kActivations mode only, a channel whose calibrated range
// reaches M keeps s_c = 1, and every other one gets s_c >= a_c / M, so that
// neither the original nor the scaled channel reaches the bound on the
// calibration data (the function changes only for inputs that drive a
// channel past a_c, which its calibrated int8 range clips anyway).
//
// Two ways to pick s_c:
//  - kWeights (Nagel's, data-free): balance A's row range r1_c against B's
//    column range r2_c, s_c = sqrt(r1_c / r2_c). It matters most for per-tensor
//    weights.
//  - kActivations (the default; the same balance with A's calibrated output
//    range a_c in place of r1_c, as SmoothQuant does for transformers):
//    s_c = sqrt(a_c / r2_c). With per-channel weights A's rows cost nothing to
//    scale, and the per-tensor activation between A and B is what loses
//    precision when a few channels are much larger than the rest (depthwise
//    layers of MobileNet-style models).
#pragma once
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::quant {

enum class Equalization { kNone, kWeights, kActivations };
Equalization parse_equalization(const std::string& s);  // none | weights | activations
std::string equalization_name(Equalization e);

struct EqualizationPair {
  ir::NodeId a = -1, b = -1;
  ir::ValueId between = ir::kNoValue;                       // the value B reads: A's output, or the activation's
  float clip_max = std::numeric_limits<float>::infinity();  // M when the activation is Clip(0, M)
};

// Pairs in graph order. A: a float Conv with constant weights and at most a
// constant bias; B: a float Conv with constant weights reading `between` as its
// data input; nothing else reads A's output or `between`, neither is a graph
// output.
std::vector<EqualizationPair> equalization_pairs(const ir::Graph& g);

// Equalizes every pair; for kActivations, absmax[between] holds the per-channel
// (axis 1) absolute maximum of `between` on calibration data (pairs without it
// are left alone). Returns the number of pairs changed.
int equalize_cross_layer(ir::Graph& g, Equalization mode, const std::vector<EqualizationPair>& pairs,
                         const std::map<ir::ValueId, std::vector<double>>& absmax);

}  // namespace etch::quant
