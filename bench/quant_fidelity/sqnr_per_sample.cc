// bench_sqnr FLOAT.onnx QUANT.onnx DATA-SPEC [--fake-quant]: SQNR of the
// integer graph of QUANT against FLOAT, per output, pooled over the data set
// (what `etch validate` prints) and per sample (median and 10th percentile).
// --fake-quant runs QUANT's QDQ graph in float instead (as ONNX Runtime reads
// it): the loss of the int8 grid alone, without the integer arithmetic. A few inputs
// on which the float model's outputs are 100x their usual size dominate the
// pooled figure; the per-sample ones show how the model does on the rest.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "etch/core/error.h"
#include "etch/data/dataset.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/load_model.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

using namespace etch;

int main(int argc, char** argv) {
  const bool fake_quant = argc == 5 && std::string(argv[4]) == "--fake-quant";
  if (argc != 4 && !fake_quant) {
    std::fprintf(stderr, "usage: bench_sqnr FLOAT.onnx QUANT.onnx DATA-SPEC [--fake-quant]\n");
    return 2;
  }
  try {
    const ir::Graph f = eval::load_model(argv[1]);
    const ir::Graph q =
        fake_quant ? eval::load_model(argv[2]) : eval::to_integer_graph(eval::load_model(argv[2]), argv[2]);
    const data::Dataset d = data::load_dataset(argv[3]);
    runtime::Interpreter fi(f), qi(q);
    const runtime::SampleFeed feed(f, data::named_arrays(d), 1);
    std::vector<int64_t> rows(static_cast<size_t>(d.size()));
    for (int64_t i = 0; i < d.size(); ++i) rows[i] = i;
    const size_t outs = f.outputs.size();
    std::vector<std::vector<double>> per(outs);
    std::vector<double> signal(outs), noise(outs);
    for (size_t b = 0; b < rows.size(); ++b) {
      const std::vector<Tensor> x = feed.inputs(rows, b, b + 1);
      const std::vector<Tensor> yf = fi.run(x), yq = qi.run(x);
      for (size_t o = 0; o < outs; ++o) {
        const std::vector<float> a = yf[o].to_float_vector(), c = yq[o].to_float_vector();
        double s = 0, e = 0;
        for (size_t i = 0; i < a.size(); ++i)
          s += double(a[i]) * a[i], e += (double(a[i]) - c[i]) * (double(a[i]) - c[i]);
        per[o].push_back(10 * std::log10(s / std::max(e, 1e-30)));
        signal[o] += s, noise[o] += e;
      }
    }
    std::printf("%-24s %10s %10s %10s %8s\n", "output", "pooled dB", "median dB", "p10 dB", "samples");
    for (size_t o = 0; o < outs; ++o) {
      std::vector<double> v = per[o];
      std::sort(v.begin(), v.end());
      std::printf("%-24s %10.1f %10.1f %10.1f %8zu\n", f.value(f.outputs[o]).name.c_str(),
                  10 * std::log10(signal[o] / std::max(noise[o], 1e-30)), v[v.size() / 2], v[v.size() / 10], v.size());
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_sqnr: %s\n", e.what());
    return 2;
  }
  return 0;
}
