#include "etch/eval/executor.h"

namespace etch::eval {

GraphExecutor::GraphExecutor(std::string name, ir::Graph g) : name_(std::move(name)), graph_(std::move(g)) {
  ETCH_REQUIRE(graph_.inputs.size() == 1 && !graph_.outputs.empty(), InvalidInput)
      << name_ << " model: expected one image input and a score output, got " << graph_.inputs.size() << " inputs and "
      << graph_.outputs.size() << " outputs";
  const ir::Value& in = graph_.value(graph_.inputs[0]);
  if (in.has_shape && !in.shape.empty() && in.shape[0] > 0) fixed_batch_ = in.shape[0];
  interp_ = std::make_unique<runtime::Interpreter>(graph_);
}

Tensor GraphExecutor::run(const Tensor& images) {
  std::vector<Tensor> outs = interp_->run({images});
  Tensor scores = outs.at(0);
  // [B, K, 1, 1] and similar collapse to [B, K]; anything else is reported by the metrics.
  if (scores.rank() > 2 && scores.dim(0) > 0) scores = scores.reshaped({scores.dim(0), scores.numel() / scores.dim(0)});
  return scores;
}

void check_model_fits_data(const ir::Graph& g, const std::string& model_label, const std::string& data_spec,
                           const Shape& image_shape, int64_t dataset_classes) {
  ETCH_REQUIRE(g.inputs.size() == 1, InvalidInput)
      << model_label << ": a data set can feed a model with one input, this one has " << g.inputs.size();
  ETCH_REQUIRE(!g.outputs.empty(), InvalidInput) << model_label << ": model has no outputs";
  const ir::Value& in = g.value(g.inputs[0]);
  ETCH_REQUIRE(in.dtype == DType::F32, InvalidInput)
      << model_label << ": input '" << in.name << "' is " << dtype_name(in.dtype) << "; data sets feed f32 images";
  if (in.has_shape) {
    bool ok = in.shape.size() == image_shape.size();
    for (size_t d = 1; ok && d < image_shape.size(); ++d) ok = in.shape[d] < 0 || in.shape[d] == image_shape[d];
    Shape per_image = image_shape;
    if (!per_image.empty()) per_image[0] = -1;
    ETCH_REQUIRE(ok, InvalidInput) << "data set '" << data_spec << "' has images of shape " << shape_str(per_image)
                                   << " but " << model_label << " input '" << in.name << "' expects "
                                   << shape_str(in.shape);
  }
  const ir::Value& out = g.value(g.outputs[0]);
  if (out.has_shape && out.shape.size() >= 2) {
    int64_t classes = 1;
    for (size_t d = 1; d < out.shape.size(); ++d) classes = out.shape[d] < 0 ? -1 : classes * out.shape[d];
    ETCH_REQUIRE(classes < 0 || classes == dataset_classes, InvalidInput)
        << "data set '" << data_spec << "' has " << dataset_classes << " classes but " << model_label << " output '"
        << out.name << "' has " << classes << " scores per image (shape " << shape_str(out.shape) << ")";
  }
}

}  // namespace etch::eval
