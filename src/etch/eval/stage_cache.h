// Deploy's stage cache. Each stage's record lives in OUT/.etch-cache/<stage>.json:
//   {"stage": ..., "key": <sha256 of the stage's inputs and options>,
//    "artifacts": {"<file name in OUT>": <sha256 of its bytes>, ...}, "info": {...}}
// A stage is reused when its record holds the same key and every artifact it
// lists still exists with the recorded content (a file edited or deleted by
// hand makes the stage run again). The record is written after the artifacts,
// so an interrupted stage never looks finished.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace etch::eval {

struct Artifact {
  std::string name;   // file name inside the output folder
  std::string bytes;  // content
};

class StageCache {
 public:
  // Creates OUT and OUT/.etch-cache if missing; InvalidInput naming the folder
  // when it cannot be created or written. Removes temporary files that an
  // interrupted run may have left (name.tmp.PID).
  explicit StageCache(std::string out_dir);

  const std::string& out_dir() const { return out_; }
  std::string path(const std::string& artifact) const { return out_ + "/" + artifact; }

  // The stored info of a finished stage whose key matches and whose artifacts
  // are intact; nullopt otherwise.
  std::optional<nlohmann::json> lookup(const std::string& stage, const std::string& key) const;

  // Writes every artifact (temporary files first, then renames) and then the
  // record. Temporary files are removed if the process is interrupted
  // (interrupt.h).
  void commit(const std::string& stage, const std::string& key, const std::vector<Artifact>& artifacts,
              const nlohmann::json& info);

 private:
  std::string out_, cache_;
};

// Writes several files all-or-nothing as far as a crash or signal allows: all
// temporary files first, then all renames.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& path_and_bytes);

}  // namespace etch::eval
