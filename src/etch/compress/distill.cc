#include "etch/compress/distill.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "etch/data/loader.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/loss.h"

namespace etch::compress {

void check_distill(const ir::Graph& teacher, const ir::Graph& student, const data::Dataset& train,
                   const DistillOptions& o) {
  ETCH_REQUIRE(std::isfinite(o.temperature) && o.temperature > 0, InvalidInput)
      << "--temperature must be > 0, got " << o.temperature;
  ETCH_REQUIRE(o.alpha >= 0 && o.alpha <= 1, InvalidInput) << "--alpha must be in [0, 1], got " << o.alpha;
  ETCH_REQUIRE(teacher.outputs.size() == 1 && student.outputs.size() == 1, InvalidInput)
      << "distillation needs one output per model; " << o.teacher_name << " has " << teacher.outputs.size() << " and "
      << o.student_name << " has " << student.outputs.size();
  ETCH_REQUIRE(train.size() > 0, InvalidInput) << "data set '" << train.name << "' is empty";
  const Tensor x = data::slice_images(train, 0, 1);
  runtime::Interpreter ti(teacher), si(student);
  const Tensor t = ti.run({x})[0];
  const Tensor s = si.run({x})[0];
  ETCH_REQUIRE(t.shape() == s.shape(), InvalidInput)
      << "teacher " << o.teacher_name << " outputs " << shape_str(t.shape()) << " per sample but student "
      << o.student_name << " outputs " << shape_str(s.shape()) << "; distillation needs outputs of the same size";
}

train::LossResult distill_loss(const Tensor& s, const Tensor& t, const Tensor& labels, const DistillOptions& o) {
  train::LossResult kl = train::distillation_kl(s, t, o.temperature);
  train::LossResult ce = train::softmax_cross_entropy(s, labels);
  train::LossResult r;
  const float a = o.alpha;
  r.loss = a * kl.loss + (1.0 - a) * ce.loss;
  r.correct = ce.correct;
  r.grad = Tensor(DType::F32, s.shape());
  for (int64_t i = 0; i < s.numel(); ++i)
    r.grad.data<float>()[i] = a * kl.grad.data<float>()[i] + (1.0f - a) * ce.grad.data<float>()[i];
  return r;
}

namespace {

// Teacher logits per row of the training set, filled as rows first appear in
// a batch. Only valid when the batch images of a row never change (no random
// augmentation): a row is computed once and reused in later epochs.
class TeacherCache {
 public:
  TeacherCache(const ir::Graph& teacher, int64_t rows) : interp_(teacher), rows_(rows), have_(rows, 0) {
    const ir::Value& in = teacher.value(teacher.inputs.at(0));
    if (in.has_shape && !in.shape.empty() && in.shape[0] > 0) fixed_batch_ = in.shape[0];
  }

  Tensor logits(const data::Batch& batch) {
    const int64_t b = batch.images.dim(0);
    ETCH_CHECK(static_cast<int64_t>(batch.indices.size()) == b) << "batch without row indices";
    std::vector<int64_t> missing;  // batch positions whose row is not stored yet
    for (int64_t i = 0; i < b; ++i) {
      const int64_t r = batch.indices[i];
      ETCH_CHECK(r >= 0 && r < rows_) << "row " << r << " outside the training set";
      if (!have_[r]) missing.push_back(i);
    }
    if (!missing.empty()) run_teacher(batch, missing);
    Tensor out(DType::F32, {b, classes_});
    for (int64_t i = 0; i < b; ++i)
      std::memcpy(out.data<float>() + i * classes_, store_.data() + batch.indices[i] * classes_,
                  classes_ * sizeof(float));
    return out;
  }

 private:
  // Runs the teacher on the listed batch positions only (after epoch 1 only
  // the few rows drop_last left out are new) and stores their logits.
  void run_teacher(const data::Batch& batch, const std::vector<int64_t>& pos) {
    const Shape& s = batch.images.shape();
    const int64_t per = batch.images.numel() / s[0];
    Shape sub_shape = s;
    sub_shape[0] = static_cast<int64_t>(pos.size());
    Tensor sub(DType::F32, sub_shape);
    for (size_t k = 0; k < pos.size(); ++k)
      std::memcpy(sub.data<float>() + k * per, batch.images.data<float>() + pos[k] * per, per * sizeof(float));
    // A teacher with a fixed batch size gets the rows padded up to it.
    if (fixed_batch_ > 0 && sub_shape[0] < fixed_batch_) sub = data::pad_batch(sub, fixed_batch_);
    const Tensor t = interp_.run({sub})[0];
    if (classes_ == 0) {
      classes_ = t.dim(1);
      store_.assign(static_cast<size_t>(rows_ * classes_), 0.0f);
    }
    for (size_t k = 0; k < pos.size(); ++k) {
      const int64_t r = batch.indices[pos[k]];
      std::memcpy(store_.data() + r * classes_, t.data<float>() + k * classes_, classes_ * sizeof(float));
      have_[r] = 1;
    }
  }

  runtime::Interpreter interp_;
  int64_t rows_, classes_ = 0, fixed_batch_ = 0;
  std::vector<uint8_t> have_;
  std::vector<float> store_;
};

}  // namespace

train::TrainResult distill(ir::Graph& student, const ir::Graph& teacher, const data::Dataset& train,
                           const data::Dataset* eval, const DistillOptions& o, train::TrainConfig cfg) {
  check_distill(teacher, student, train, o);
  if (o.cache_teacher_logits && !cfg.augment.random()) {
    auto cache = std::make_shared<TeacherCache>(teacher, train.size());
    cfg.loss = [cache, o](const Tensor& logits, const data::Batch& batch) {
      return distill_loss(logits, cache->logits(batch), batch.labels, o);
    };
  } else {
    auto interp = std::make_shared<runtime::Interpreter>(teacher);
    cfg.loss = [interp, o](const Tensor& logits, const data::Batch& batch) {
      const Tensor t = interp->run({batch.images})[0];
      return distill_loss(logits, t, batch.labels, o);
    };
  }
  return train::fit(student, train, eval, cfg);
}

}  // namespace etch::compress
