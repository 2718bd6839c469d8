#include "etch/tflite/importer.h"

#include <filesystem>

#include "etch/core/atomic_file.h"
#include "etch/ir/verifier.h"
#include "etch/tflite/converter.h"
#include "etch/tflite/model_reader.h"

namespace etch::tflite {

ir::Graph import_model_bytes(const std::string& bytes, const std::string& label) {
  const ModelReader reader(bytes, label);
  try {
    ir::Graph g = Converter(reader).run();
    ir::verify(g);
    return g;
  } catch (const Error& e) {
    // Shape inference and the graph checks name the node, not the file.
    const std::string msg = e.what();
    if (msg.rfind(label + ": ", 0) == 0) throw;
    throw Error(e.kind(), label + ": " + msg);
  }
}

ir::Graph import_model(const std::string& path) {
  std::error_code ec;
  ETCH_REQUIRE(std::filesystem::is_regular_file(path, ec), InvalidInput) << path << ": no such file";
  return import_model_bytes(read_file(path), path);
}

bool is_tflite(const std::string& bytes) { return has_tflite_identifier(bytes); }

}  // namespace etch::tflite
