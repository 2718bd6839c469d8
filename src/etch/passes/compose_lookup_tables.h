#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// A QLut whose input is another QLut's output, read by nothing else, becomes
// one QLut with the composed table (t2[t1[x + 128] + 128]): a LeakyRelu table
// followed by a Max(x, c) table, say, costs the vector unit and the integer
// runtime one pass over the tensor instead of two, with the same int8 output.
// Runs on the integer graph (quant::lower_qdq).
bool compose_lookup_tables(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
