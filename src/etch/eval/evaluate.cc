#include "etch/eval/evaluate.h"

#include <chrono>
#include <cstring>

#include "etch/core/progress.h"
#include "etch/data/loader.h"

namespace etch::eval {
namespace {

Tensor first_rows(const Tensor& t, int64_t rows) {
  if (t.dim(0) == rows) return t;
  ETCH_REQUIRE(t.rank() == 2 && t.dim(0) > rows, InvalidInput)
      << "executor returned scores of shape " << shape_str(t.shape()) << " for " << rows << " images";
  Tensor out(t.dtype(), {rows, t.dim(1)});
  std::memcpy(out.raw(), t.raw(), out.nbytes());
  return out;
}

}  // namespace

const PairAgreement* Evaluation::pair(const std::string& a, const std::string& b) const {
  for (const PairAgreement& p : pairs)
    if ((p.a == a && p.b == b) || (p.a == b && p.b == a)) return &p;
  return nullptr;
}

Evaluation evaluate(const data::Dataset& ds, const std::vector<Executor*>& executors, const EvalOptions& opts,
                    const BatchHook& hook) {
  ETCH_REQUIRE(ds.size() > 0, InvalidInput) << "data set '" << ds.name << "' is empty";
  ETCH_REQUIRE(opts.batch >= 1, InvalidInput) << "batch size must be at least 1, got " << opts.batch;
  ETCH_CHECK(!executors.empty()) << "evaluate needs an executor";
  const int64_t n = ds.size(), classes = ds.num_classes;
  // Every executor sees the same batches; a fixed batch size (any executor's) sets them for all.
  int64_t batch = opts.batch;
  for (Executor* e : executors)
    if (e->fixed_batch() > 0) batch = e->fixed_batch();
  std::vector<ClassificationMetrics> metrics(executors.size(), ClassificationMetrics(classes));
  std::vector<double> seconds(executors.size(), 0.0);
  Evaluation ev;
  ev.data_spec = ds.name;
  ev.images = n;
  ev.class_names = ds.class_names;
  for (size_t i = 0; i < executors.size(); ++i)
    for (size_t j = i + 1; j < executors.size(); ++j)
      ev.pairs.push_back({executors[i]->name(), executors[j]->name(), {}});

  const std::vector<int64_t> all_labels = ds.labels.to_int64_vector();
  Progress progress(opts.progress_label, n);
  std::vector<Tensor> scores(executors.size());
  for (int64_t b = 0; b < n; b += batch) {
    const int64_t e = std::min(n, b + batch);
    Tensor images = data::slice_images(ds, b, e);
    const std::vector<int64_t> labels(all_labels.begin() + b, all_labels.begin() + e);
    for (size_t x = 0; x < executors.size(); ++x) {
      const int64_t fixed = executors[x]->fixed_batch();
      const Tensor in = fixed > 0 && e - b < fixed ? data::pad_batch(images, fixed) : images;
      const auto t0 = std::chrono::steady_clock::now();
      scores[x] = first_rows(executors[x]->run(in), e - b);
      seconds[x] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      try {
        metrics[x].add_batch(scores[x], labels);
      } catch (const Error& err) {
        ETCH_FAIL(InvalidInput) << executors[x]->name() << " executor on '" << ds.name << "': " << err.what();
      }
    }
    size_t p = 0;
    for (size_t i = 0; i < executors.size(); ++i)
      for (size_t j = i + 1; j < executors.size(); ++j) ev.pairs[p++].agreement.add_batch(scores[i], scores[j]);
    if (hook) hook(b, e);
    progress.advance(e - b);
  }
  progress.finish();
  for (size_t x = 0; x < executors.size(); ++x)
    ev.executors.push_back({executors[x]->name(), metrics[x].summary(), seconds[x]});
  return ev;
}

}  // namespace etch::eval
