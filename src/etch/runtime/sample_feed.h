// Feeding N samples to a graph whatever its input shapes: the one place that
// decides which data array feeds which graph input, and that runs models with a
// fixed batch (usually 1) chunk by chunk. Calibration, evaluation, `etch run`,
// validate and deploy all go through it.
//
// The rule, per graph input (declared shape S, rank r):
//   - the data array named like the input feeds it; else, when the data has a
//     single array, it feeds the graph's first input; else the input gets zeros
//     of its declared shape (recurrent state such as Silero's `h`/`c`/`state`),
//     and a scalar input (rank 0, e.g. a sample rate `sr`) gets a value from
//     `scalars` when one is given for its name, else zero;
//   - an array of rank r splits along axis 0; an array of rank r + 1 whose
//     second axis equals S[0] holds one whole model input per sample (its first
//     two axes are merged, so a [N, 1, 25, 96] set feeds a [1, 25, 96] input);
//   - a fixed first dimension S[0] = b > 0 runs the model on b rows at a time
//     (the last chunk is padded with its own last row and the padding dropped
//     from the outputs); dynamic batches run `max_batch` rows at a time.
// Outputs of the chunks are concatenated along axis 0.
//
// A streaming model (Streaming::carry) runs one sample at a time: a zero-filled
// input that an output feeds gets, instead of zeros, that output of the
// previous sample when it ran just before (keep_state) in the same sequence.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"

namespace etch::runtime {

// Which outputs feed which inputs from one sample to the next of a sequence
// (data::Dataset::carry and ::sequence).
struct Streaming {
  std::vector<std::pair<std::string, std::string>> carry;  // {output, input}
  std::vector<int64_t> sequence;                           // per sample
};

class SampleFeed {
 public:
  // arrays: name -> [N, ...] (every array has the same N). Throws InvalidInput
  // naming the input and both shapes when an array cannot feed its input, or
  // when a zero-filled input has a dynamic dimension other than the batch.
  // With `streaming`, also when a carried output or input does not exist, or
  // the input is fed from the data.
  SampleFeed(const ir::Graph& g, const std::map<std::string, Tensor>& arrays, int64_t max_batch,
             const std::map<std::string, double>& scalars = {}, const Streaming& streaming = {});

  int64_t samples() const { return samples_; }
  // Samples per interpreter call.
  int64_t chunk() const { return chunk_; }
  // True when a short last chunk is padded to a fixed batch of rows.
  bool padded() const { return fixed_batch_ > 1; }
  // Graph inputs (in graph order) for samples rows[begin, end) (end - begin <= chunk()),
  // padded to the fixed batch when there is one.
  std::vector<Tensor> inputs(const std::vector<int64_t>& rows, size_t begin, size_t end) const;
  // Drops the padding rows of a short chunk of `count` samples (padded() only)
  // from outputs whose first axis is the fixed batch.
  void drop_padding(std::vector<Tensor>& outputs, size_t count) const;
  // The leading elements of a chunk's output that belong to its `count`
  // samples: all of them but the padding rows that drop_padding would drop.
  int64_t sample_elements(const Tensor& output, size_t count) const;
  // The name of the data array that feeds graph input i ("" when zero-filled).
  const std::string& source(size_t input_index) const { return feeds_[input_index].array; }
  // Streaming: the outputs of sample `row` (graph-output order), whose carried
  // ones the next sample of its sequence gets. Throws InvalidInput when a
  // carried output's shape is not its input's.
  void keep_state(int64_t row, const std::vector<Tensor>& outputs);

 private:
  struct Feed {
    std::string array;  // "" = zeros / scalar
    Tensor values;      // [N * rows_per_sample, ...] when fed from data
    Shape shape;        // the graph input's shape (static dims) for zero fills
    DType dtype = DType::F32;
    int64_t rows_per_sample = 1;
    double scalar = 0;
    // The zero-filled input's shape for `count` samples (a dynamic batch takes them all).
    Shape zero_shape(int64_t count) const {
      Shape s = shape;
      if (!s.empty() && s[0] < 0) s[0] = count;
      return s;
    }
  };
  std::vector<Feed> feeds_;
  int64_t samples_ = 0;
  int64_t chunk_ = 1;
  int64_t fixed_batch_ = 0;  // samples per call a fixed-batch input needs (0: dynamic)
  struct Carried {
    size_t output = 0, input = 0;  // graph-output and graph-input indices
    std::string names;             // "OUT:IN", for messages
    Tensor state;                  // the output of sample state_row_
  };
  std::vector<Carried> carried_;
  std::vector<int64_t> sequence_;
  int64_t state_row_ = -1;  // the sample whose outputs `state` holds (-1: none)
};

// Runs interp on rows[...] of the feed chunk by chunk; on_chunk gets the first
// row's position in `rows`, the number of real samples and the outputs with
// any padding removed (rows along axis 0).
void run_feed(Interpreter& interp, SampleFeed& feed, const std::vector<int64_t>& rows,
              const std::function<void(size_t begin, size_t count, std::vector<Tensor>& outputs)>& on_chunk);

// Every sample of the feed; outputs concatenated along axis 0, in graph-output order.
std::vector<Tensor> run_all(Interpreter& interp, SampleFeed& feed);

// Rows [begin, end) of several tensors concatenated along axis 0 (same trailing shape).
Tensor concat_rows(const std::vector<Tensor>& parts);
// Rows [begin, end) along axis 0 (copy).
Tensor take_rows(const Tensor& t, int64_t begin, int64_t end);

}  // namespace etch::runtime
