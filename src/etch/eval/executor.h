// What `etch validate` compares: anything that turns a batch of images into
// class scores. The float and integer references run a Graph with the
// reference interpreter; the NPU executor (npu_executor.h) runs a compiled
// program on the simulator and is adapted to this interface in validate.cc.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"

namespace etch::eval {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;
  // images f32 [B, C, H, W] -> scores f32 [B, classes].
  virtual Tensor run(const Tensor& images) = 0;
  // A batch size the executor requires (0: any). Short batches are padded.
  virtual int64_t fixed_batch() const { return 0; }
};

// The reference interpreter on a graph with one image input and one score output.
class GraphExecutor : public Executor {
 public:
  GraphExecutor(std::string name, ir::Graph g);
  std::string name() const override { return name_; }
  Tensor run(const Tensor& images) override;
  int64_t fixed_batch() const override { return fixed_batch_; }
  const ir::Graph& graph() const { return graph_; }
  // Called after every node of every run (per-layer comparisons).
  void set_observer(runtime::Interpreter::Observer obs) { interp_->set_observer(std::move(obs)); }

 private:
  std::string name_;
  ir::Graph graph_;
  std::unique_ptr<runtime::Interpreter> interp_;
  int64_t fixed_batch_ = 0;
};

// Checks up front that a data set can feed a model: one f32 input whose
// per-image dims match the images, and a [batch, classes] output with at
// least as many classes as the data set has labels. InvalidInput names the
// model, the data set and both shapes.
void check_model_fits_data(const ir::Graph& g, const std::string& model_label, const std::string& data_spec,
                           const Shape& image_shape, int64_t dataset_classes);

}  // namespace etch::eval
