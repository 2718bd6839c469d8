#include "etch/runtime/sample_feed.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "etch/core/error.h"

namespace etch::runtime {
namespace {

size_t row_bytes(const Tensor& t) {
  return t.rank() == 0 || t.dim(0) == 0 ? 0 : t.nbytes() / static_cast<size_t>(t.dim(0));
}

bool dims_fit(const Shape& data, size_t from, const Shape& declared, size_t declared_from) {
  if (data.size() - from != declared.size() - declared_from) return false;
  for (size_t d = 0; d + declared_from < declared.size(); ++d)
    if (declared[d + declared_from] >= 0 && declared[d + declared_from] != data[d + from]) return false;
  return true;
}

// "[N,d1,d2]": N samples of the dims of `s` from `from` on, for messages.
std::string samples_of(const Shape& s, size_t from) {
  const std::string tail = shape_str(Shape(s.begin() + static_cast<std::ptrdiff_t>(from), s.end()));
  std::string out = "[N";
  if (tail != "[]") {
    out += ',';
    out.append(tail, 1, std::string::npos);
  } else {
    out += ']';
  }
  return out;
}

}  // namespace

SampleFeed::SampleFeed(const ir::Graph& g, const std::map<std::string, Tensor>& arrays, int64_t max_batch,
                       const std::map<std::string, double>& scalars, const Streaming& streaming) {
  ETCH_REQUIRE(max_batch >= 1, InvalidInput) << "batch must be at least 1, got " << max_batch;
  samples_ = -1;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ir::Value& in = g.value(g.inputs[i]);
    Feed f;
    f.dtype = in.dtype;
    f.shape = in.has_shape ? in.shape : Shape{};
    auto it = arrays.find(in.name);
    if (it == arrays.end() && i == 0 && arrays.size() == 1) it = arrays.begin();
    if (it != arrays.end()) {
      const Tensor& a = it->second;
      f.array = it->first;
      ETCH_REQUIRE(a.dtype() == in.dtype, InvalidInput)
          << "data array '" << it->first << "' is " << dtype_name(a.dtype()) << " but model input '" << in.name
          << "' is " << dtype_name(in.dtype);
      ETCH_REQUIRE(a.rank() >= 1, InvalidInput)
          << "data array '" << it->first << "' is a scalar; its first axis must count samples";
      if (!in.has_shape) {
        f.values = a;
      } else if (static_cast<size_t>(a.rank()) == f.shape.size() + 1 && !f.shape.empty() && f.shape[0] > 0 &&
                 a.dim(1) == f.shape[0] && dims_fit(a.shape(), 2, f.shape, 1)) {
        // One whole model input per sample: merge the sample and batch axes.
        f.rows_per_sample = f.shape[0];
        Shape merged = a.shape();
        merged[1] *= merged[0];
        merged.erase(merged.begin());
        f.values = a.reshaped(merged);
      } else {
        ETCH_REQUIRE(!f.shape.empty() && dims_fit(a.shape(), 1, f.shape, 1), InvalidInput)
            << "data array '" << it->first << "' has shape " << shape_str(a.shape())
            << " (first axis = samples), which does not fit model input '" << in.name << "' of shape "
            << shape_str(f.shape) << ": give " << samples_of(f.shape, 1) << " (N rows of its batch)"
            << (!f.shape.empty() && f.shape[0] > 0 ? " or " + samples_of(f.shape, 0) + " (N whole inputs)" : "");
        f.values = a;
        if (f.shape[0] > 0) f.rows_per_sample = 1;
      }
      const int64_t n = f.values.dim(0) / f.rows_per_sample;
      ETCH_REQUIRE(samples_ < 0 || samples_ == n, InvalidInput)
          << "data array '" << it->first << "' has " << n << " samples, another array has " << samples_;
      samples_ = n;
      // Samples per interpreter call: one for whole-input samples, the fixed batch when split.
      int64_t per_call = 0;
      if (f.rows_per_sample > 1 || (static_cast<size_t>(a.rank()) == f.shape.size() + 1 && in.has_shape))
        per_call = 1;
      else if (in.has_shape && !f.shape.empty() && f.shape[0] > 0)
        per_call = f.shape[0];
      if (per_call > 0) {
        ETCH_REQUIRE(fixed_batch_ == 0 || fixed_batch_ == per_call, InvalidInput)
            << "model inputs take different numbers of samples per run (" << fixed_batch_ << " and " << per_call
            << " for '" << in.name << "')";
        fixed_batch_ = per_call;
      }
    } else {
      ETCH_REQUIRE(in.has_shape, InvalidInput)
          << "model input '" << in.name << "' has no data array and no declared shape to fill with zeros";
      for (size_t d = 1; d < f.shape.size(); ++d)
        ETCH_REQUIRE(f.shape[d] >= 0, InvalidInput)
            << "model input '" << in.name << "' has no data array and a dynamic dimension " << d << " in "
            << shape_str(f.shape) << "; give it in the data";
      if (auto s = scalars.find(in.name); s != scalars.end()) f.scalar = s->second;
    }
    feeds_.push_back(std::move(f));
  }
  ETCH_REQUIRE(samples_ >= 0, InvalidInput) << "the data has no array for any model input";
  chunk_ = fixed_batch_ > 0 ? fixed_batch_ : max_batch;
  for (const auto& [out, in] : streaming.carry) {
    Carried c;
    c.names = out + ":" + in;
    auto named = [&](const std::vector<ir::ValueId>& values, const std::string& name) {
      size_t i = 0;
      while (i < values.size() && g.value(values[i]).name != name) ++i;
      return i;
    };
    c.output = named(g.outputs, out);
    c.input = named(g.inputs, in);
    ETCH_REQUIRE(c.output < g.outputs.size(), InvalidInput)
        << "carry=" << c.names << ": the model has no output '" << out << "'";
    ETCH_REQUIRE(c.input < g.inputs.size(), InvalidInput)
        << "carry=" << c.names << ": the model has no input '" << in << "'";
    ETCH_REQUIRE(feeds_[c.input].array.empty(), InvalidInput)
        << "carry=" << c.names << ": input '" << in << "' is fed by data array '" << feeds_[c.input].array
        << "'; carry only into an input the data leaves to zeros";
    carried_.push_back(std::move(c));
  }
  if (!carried_.empty()) {
    ETCH_CHECK(static_cast<int64_t>(streaming.sequence.size()) == samples_)
        << "streaming data: " << streaming.sequence.size() << " sequence ids for " << samples_ << " samples";
    ETCH_REQUIRE(fixed_batch_ <= 1, InvalidInput)
        << "a model whose state is carried runs one sample at a time, but its inputs take " << fixed_batch_;
    sequence_ = streaming.sequence;
    chunk_ = 1;
  }
}

void SampleFeed::keep_state(int64_t row, const std::vector<Tensor>& outputs) {
  if (carried_.empty()) return;  // state_row_ stays -1: no sample continues another
  for (Carried& c : carried_) {
    const Feed& f = feeds_[c.input];
    const Shape s = f.zero_shape(1);
    ETCH_REQUIRE(outputs[c.output].shape() == s && outputs[c.output].dtype() == f.dtype, InvalidInput)
        << "carry=" << c.names << ": the output is " << dtype_name(outputs[c.output].dtype()) << " "
        << shape_str(outputs[c.output].shape()) << " but the input takes " << dtype_name(f.dtype) << " "
        << shape_str(s);
    c.state = outputs[c.output].clone();
  }
  state_row_ = row;
}

std::vector<Tensor> SampleFeed::inputs(const std::vector<int64_t>& rows, size_t begin, size_t end) const {
  ETCH_CHECK(end > begin && static_cast<int64_t>(end - begin) <= chunk_) << "bad chunk";
  const int64_t count = static_cast<int64_t>(end - begin);
  // Streaming (one sample per call): does this sample continue the one whose state is kept?
  const int64_t row = rows[begin];
  const bool continues = state_row_ >= 0 && row == state_row_ + 1 && sequence_[row] == sequence_[state_row_];
  std::vector<Tensor> out;
  for (const Feed& f : feeds_) {
    if (continues) {
      const size_t i = out.size();
      auto c = std::find_if(carried_.begin(), carried_.end(), [&](const Carried& k) { return k.input == i; });
      if (c != carried_.end()) {
        out.push_back(c->state.clone());
        continue;
      }
    }
    if (f.array.empty()) {
      Tensor t = Tensor::zeros(f.dtype, f.zero_shape(count));
      if (f.scalar != 0)
        for (int64_t k = 0; k < t.numel(); ++k) t.set_from_double(k, f.scalar);
      out.push_back(std::move(t));
      continue;
    }
    // Rows of this input per call: a fixed batch is always filled (padding
    // repeats the last real row), a dynamic one takes just the samples.
    const int64_t per = f.rows_per_sample;
    const int64_t real_rows = count * per;
    const int64_t call_rows = f.shape.empty() || f.shape[0] < 0 ? real_rows : std::max(real_rows, f.shape[0]);
    Shape s = f.values.shape();
    s[0] = call_rows;
    Tensor t = Tensor::uninitialized(f.values.dtype(), s);
    const size_t rb = row_bytes(f.values);
    for (int64_t r = 0; r < call_rows; ++r) {
      const int64_t k = std::min(r, real_rows - 1);
      const int64_t src = rows[begin + static_cast<size_t>(k / per)] * per + k % per;
      std::memcpy(t.raw() + r * rb, f.values.raw() + src * rb, rb);
    }
    out.push_back(std::move(t));
  }
  return out;
}

Tensor take_rows(const Tensor& t, int64_t begin, int64_t end) {
  ETCH_CHECK(t.rank() >= 1 && begin >= 0 && end <= t.dim(0) && begin <= end) << "take_rows out of range";
  Shape s = t.shape();
  s[0] = end - begin;
  Tensor out = Tensor::uninitialized(t.dtype(), s);
  const size_t rb = row_bytes(t);
  if (rb > 0) std::memcpy(out.raw(), t.raw() + begin * rb, static_cast<size_t>(end - begin) * rb);
  return out;
}

Tensor concat_rows(const std::vector<Tensor>& parts) {
  ETCH_CHECK(!parts.empty()) << "concat_rows of nothing";
  if (parts.size() == 1) return parts[0];
  Shape s = parts[0].shape();
  ETCH_CHECK(!s.empty()) << "concat_rows of scalars";
  int64_t rows = 0;
  for (const Tensor& p : parts) {
    Shape ps = p.shape();
    ETCH_REQUIRE(p.rank() == parts[0].rank() && p.dtype() == parts[0].dtype() &&
                     std::equal(ps.begin() + 1, ps.end(), s.begin() + 1),
                 InvalidInput)
        << "model outputs of different chunks have different shapes: " << shape_str(s) << " and " << shape_str(ps);
    rows += p.dim(0);
  }
  s[0] = rows;
  Tensor out = Tensor::uninitialized(parts[0].dtype(), s);
  size_t at = 0;
  for (const Tensor& p : parts) {
    std::memcpy(out.raw() + at, p.raw(), p.nbytes());
    at += p.nbytes();
  }
  return out;
}

int64_t SampleFeed::sample_elements(const Tensor& output, size_t count) const {
  // A short last chunk of a fixed batch was padded: outputs whose first axis
  // is that batch end with the padding rows.
  const bool padded_rows =
      padded() && static_cast<int64_t>(count) < chunk_ && output.rank() >= 1 && output.dim(0) == chunk_;
  return padded_rows ? output.numel() / chunk_ * static_cast<int64_t>(count) : output.numel();
}

void SampleFeed::drop_padding(std::vector<Tensor>& outputs, size_t count) const {
  for (Tensor& o : outputs)
    if (sample_elements(o, count) < o.numel()) o = take_rows(o, 0, static_cast<int64_t>(count));
}

void run_feed(Interpreter& interp, SampleFeed& feed, const std::vector<int64_t>& rows,
              const std::function<void(size_t begin, size_t count, std::vector<Tensor>& outputs)>& on_chunk) {
  const size_t chunk = static_cast<size_t>(feed.chunk());
  for (size_t b = 0; b < rows.size(); b += chunk) {
    const size_t e = std::min(rows.size(), b + chunk);
    std::vector<Tensor> outs = interp.run(feed.inputs(rows, b, e));
    feed.keep_state(rows[b], outs);
    feed.drop_padding(outs, e - b);
    on_chunk(b, e - b, outs);
  }
}

std::vector<Tensor> run_all(Interpreter& interp, SampleFeed& feed) {
  std::vector<int64_t> rows(static_cast<size_t>(feed.samples()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  std::vector<std::vector<Tensor>> parts;
  run_feed(interp, feed, rows, [&](size_t, size_t, std::vector<Tensor>& outs) {
    if (parts.empty()) parts.resize(outs.size());
    for (size_t i = 0; i < outs.size(); ++i) parts[i].push_back(std::move(outs[i]));
  });
  std::vector<Tensor> result;
  for (auto& p : parts) result.push_back(concat_rows(p));
  return result;
}

}  // namespace etch::runtime
