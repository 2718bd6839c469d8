#include "etch/compress/distill.h"

#include <cmath>
#include <memory>

#include "etch/runtime/interpreter.h"
#include "etch/train/loss.h"

namespace etch::compress {

void check_distill(const ir::Graph& teacher, const ir::Graph& student, const data::Dataset& train,
                   const DistillOptions& o) {
  ETCH_REQUIRE(std::isfinite(o.temperature) && o.temperature > 0, InvalidInput)
      << "--temperature must be > 0, got " << o.temperature;
  ETCH_REQUIRE(o.alpha >= 0 && o.alpha <= 1, InvalidInput) << "--alpha must be in [0, 1], got " << o.alpha;
  ETCH_REQUIRE(teacher.outputs.size() == 1 && student.outputs.size() == 1, InvalidInput)
      << "distillation needs one output per model; " << o.teacher_name << " has " << teacher.outputs.size()
      << " and " << o.student_name << " has " << student.outputs.size();
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

train::TrainResult distill(ir::Graph& student, const ir::Graph& teacher, const data::Dataset& train,
                           const data::Dataset* eval, const DistillOptions& o, train::TrainConfig cfg) {
  check_distill(teacher, student, train, o);
  auto interp = std::make_shared<runtime::Interpreter>(teacher);
  cfg.loss = [interp, o](const Tensor& logits, const data::Batch& batch) {
    const Tensor t = interp->run({batch.images})[0];
    return distill_loss(logits, t, batch.labels, o);
  };
  return train::fit(student, train, eval, cfg);
}

}  // namespace etch::compress
