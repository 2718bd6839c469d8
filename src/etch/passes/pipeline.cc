#include "etch/passes/pipeline.h"

#include "etch/ir/verifier.h"
#include "etch/passes/canonicalize_gemm.h"
#include "etch/passes/eliminate_dead_nodes.h"
#include "etch/passes/eliminate_identity.h"
#include "etch/passes/fold_batchnorm.h"
#include "etch/passes/fold_constants.h"
#include "etch/passes/fuse_conv_activation.h"
#include "etch/passes/fuse_conv_add.h"
#include "etch/passes/fuse_conv_maxpool.h"
#include "etch/passes/fuse_pad_conv.h"

namespace etch::passes {

std::vector<Pass> prepare_pipeline() {
  return {
      // Identity/Dropout first: they sit between producers and BatchNorms and
      // would hide Conv→BN pairs from fold_batchnorm.
      {"eliminate_identity", eliminate_identity},
      // Constant folding before BN folding: exported models often compute BN
      // parameters or reshape targets from constants.
      {"fold_constants", fold_constants},
      {"fold_batchnorm", fold_batchnorm},
      // After BN folding (which handles either Gemm layout): one layout for
      // fully connected layers, output channel first, as per-channel weight
      // quantization and QGemm expect.
      {"canonicalize_gemm", canonicalize_gemm},
      // Last: folding leaves constants and nodes nothing reads.
      {"eliminate_dead_nodes", eliminate_dead_nodes},
  };
}

std::vector<Pass> inference_pipeline() {
  return {
      {"eliminate_identity", eliminate_identity},
      {"fold_constants", fold_constants},
      {"fold_batchnorm", fold_batchnorm},
      // After constant folding (pads computed by a Concat of constants).
      {"fuse_pad_conv", fuse_pad_conv},
      // After BN folding: a Conv→BN→Add→Relu chain only becomes Conv→Add→Relu
      // there; before fuse_conv_activation, which would not see the Add.
      {"fuse_conv_add", fuse_conv_add},
      // After BN folding: a Conv→BN→Relu chain only becomes Conv→Relu there.
      {"fuse_conv_activation", fuse_conv_activation},
      // Needs the FusedConv the previous pass makes.
      {"fuse_conv_maxpool", fuse_conv_maxpool},
      {"eliminate_dead_nodes", eliminate_dead_nodes},
  };
}

std::vector<std::string> run_pipeline(ir::Graph& g, const std::vector<Pass>& passes, const PassContext& ctx,
                                      int max_rounds) {
  std::vector<std::string> changed;
  for (int round = 0; round < max_rounds; ++round) {
    bool any = false;
    for (const auto& p : passes) {
      if (!p.run(g, ctx)) continue;
      any = true;
      changed.push_back(p.name);
      if (ctx.verify_each) ir::verify(g);
    }
    if (!any) break;
  }
  return changed;
}

}  // namespace etch::passes
