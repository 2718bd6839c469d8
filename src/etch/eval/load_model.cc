#include "etch/eval/load_model.h"

#include <filesystem>
#include <fstream>

#include "etch/eval/model_corpus.h"
#include "etch/ir/op_registry.h"
#include "etch/passes/fold_constants.h"
#include "etch/runtime/interpreter.h"
#include "etch/tflite/importer.h"

namespace etch::eval {

namespace fs = std::filesystem;

namespace {

InputBindings& bindings() {
  static InputBindings b;
  return b;
}

// Folds what the graph converted so far computes from constants (shape
// arithmetic included), so that an If condition such as Equal(sr, 16000) or
// Equal(Gather(Shape(x)), 3) becomes a constant. Best effort: a node etch
// cannot infer or evaluate is left as it is, and the importer then names the
// If whose condition stayed unknown.
void fold_partial_graph(ir::Graph& g) {
  passes::PassContext ctx;
  ctx.evaluate = runtime::run_node;
  ir::set_current_opset(g.opset);
  for (int round = 0; round < 16; ++round) {
    for (const auto& n : g.nodes()) {
      if (!ir::find_op(n.op_type, n.domain)) continue;
      try {
        ir::infer_node(g, n);
      } catch (const Error&) {
        // left unknown; the full import reports it with its node name
      }
    }
    try {
      if (!passes::fold_constants(g, ctx)) return;
    } catch (const Error&) {
      return;
    }
  }
}

// The manifest's input shapes and constants of the corpus model whose cached file `path` is.
InputBindings manifest_bindings(const std::string& path) {
  InputBindings out;
  std::error_code ec;
  const std::string manifest = default_manifest_path();
  if (!fs::is_regular_file(manifest, ec)) return out;
  Corpus corpus;
  try {
    corpus = load_corpus(manifest);
  } catch (const Error&) {
    return out;  // `etch models` reports a broken manifest; loading a model does not depend on it
  }
  const std::string cache = model_cache_dir();
  for (const CorpusModel& m : corpus.models) {
    if (!fs::equivalent(path, cached_model_path(m, cache), ec) || ec) continue;
    for (const CorpusInput& in : m.inputs) {
      if (in.kind == "constant")
        out.const_inputs[in.name] = {in.value};
      else
        out.input_shapes[in.name] = in.shape;
    }
  }
  return out;
}

}  // namespace

void set_input_bindings(InputBindings b) { bindings() = std::move(b); }

onnx::ImportOptions import_options(const std::string& path) {
  onnx::ImportOptions o;
  o.fold = fold_partial_graph;
  const InputBindings m = manifest_bindings(path);
  o.const_inputs = m.const_inputs;
  o.input_shapes = m.input_shapes;
  for (const auto& [name, v] : bindings().const_inputs) o.const_inputs[name] = v;
  for (const auto& [name, v] : bindings().input_shapes) o.input_shapes[name] = v;
  return o;
}

ir::Graph load_model(const std::string& path) {
  // The FlatBuffers file identifier sits at bytes 4..7; ONNX protobufs never
  // carry "TFL3" there as a valid start, and the ONNX reader reports its own
  // errors for anything else.
  std::ifstream f(path, std::ios::binary);
  std::string head(8, '\0');
  if (f && f.read(head.data(), 8) && tflite::is_tflite(head)) return tflite::import_model(path);
  return onnx::import_model(path, import_options(path));
}

}  // namespace etch::eval
