#include "etch/eval/load_model.h"

#include <fstream>

#include "etch/onnx/importer.h"
#include "etch/tflite/importer.h"

namespace etch::eval {

ir::Graph load_model(const std::string& path) {
  // The FlatBuffers file identifier sits at bytes 4..7; ONNX protobufs never
  // carry "TFL3" there as a valid start, and the ONNX reader reports its own
  // errors for anything else.
  std::ifstream f(path, std::ios::binary);
  std::string head(8, '\0');
  if (f && f.read(head.data(), 8) && tflite::is_tflite(head)) return tflite::import_model(path);
  return onnx::import_model(path);
}

}  // namespace etch::eval
