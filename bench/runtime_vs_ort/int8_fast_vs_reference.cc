// bench_int8_exact QUANT.onnx DATA-SPEC: runs the integer graph of a quantized
// model on every sample of a data set twice, once with the integer runtime's
// fast paths and once on the reference loops (set_integer_fast_paths(false)),
// and counts the samples whose outputs differ in any byte. The acceptance
// check that the fast kernels are bit-identical on real data, not only on the
// unit tests' random tensors. Exit 1 if any sample differs.
#include <cstdio>
#include <cstring>

#include "etch/core/error.h"
#include "etch/data/dataset.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/load_model.h"
#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

using namespace etch;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_int8_exact QUANT.onnx DATA-SPEC\n");
    return 2;
  }
  try {
    const ir::Graph q = eval::to_integer_graph(eval::load_model(argv[1]), argv[1]);
    const data::Dataset d = data::load_dataset(argv[2]);
    runtime::Interpreter interp(q);
    const runtime::SampleFeed feed(q, data::named_arrays(d), 1);
    std::vector<int64_t> rows(static_cast<size_t>(d.size()));
    for (int64_t i = 0; i < d.size(); ++i) rows[i] = i;
    int64_t differing = 0, bytes = 0;
    for (size_t b = 0; b < rows.size(); ++b) {
      const std::vector<Tensor> x = feed.inputs(rows, b, b + 1);
      runtime::set_integer_fast_paths(true);
      const std::vector<Tensor> fast = interp.run(x);
      runtime::set_integer_fast_paths(false);
      const std::vector<Tensor> ref = interp.run(x);
      bool same = fast.size() == ref.size();
      for (size_t o = 0; same && o < fast.size(); ++o) {
        same = fast[o].dtype() == ref[o].dtype() && fast[o].shape() == ref[o].shape() &&
               std::memcmp(fast[o].raw(), ref[o].raw(), fast[o].nbytes()) == 0;
        bytes += fast[o].nbytes();
      }
      differing += same ? 0 : 1;
    }
    std::printf("%s: %zu samples, %lld output bytes compared, %lld samples differ\n", argv[1], rows.size(),
                static_cast<long long>(bytes), static_cast<long long>(differing));
    return differing == 0 ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_int8_exact: %s\n", e.what());
    return 2;
  }
}
