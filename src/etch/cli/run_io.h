// Helpers of `etch run`: turning --input arguments into checked tensors,
// writing outputs all-or-nothing, and batching a data set through a model.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/data/dataset.h"
#include "etch/ir/graph.h"

namespace etch::cli {

// "NAME=FILE.npy" or, for a one-input model, "FILE.npy". Every model input must
// be given exactly once; each file is checked against the input's dtype and
// shape with an error naming both the file and the input.
std::map<std::string, Tensor> load_run_inputs(const ir::Graph& g, const std::vector<std::string>& specs);

// File name for an output value: characters outside [A-Za-z0-9._-] become '_'.
std::string output_file_name(const std::string& value_name);

// Writes every tensor to DIR/<name>.npy: all temporary files first, then all
// renames, so a failure while writing leaves none of them. Creates DIR if
// missing. Returns the paths written.
std::vector<std::string> write_outputs_atomically(const std::string& dir,
                                                  const std::vector<std::pair<std::string, Tensor>>& outputs);

struct TensorStats {
  double min = 0, max = 0, mean = 0;
};
TensorStats tensor_stats(const Tensor& t);

// Rows [begin, end) along axis 0 (copy); rows of several tensors concatenated.
Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end);
Tensor concat_rows(const std::vector<Tensor>& parts);

// For rows [0, end-begin) of a [B, classes] output: the arg-max class and its
// softmax probability (used as is when the rows already are probabilities),
// stored at [begin, end) of predicted/confidence.
void classify_rows(const std::string& model, const std::string& output_name, const Tensor& out, int64_t begin,
                   int64_t end, std::vector<int64_t>& predicted, std::vector<float>& confidence);

}  // namespace etch::cli
