#include "etch/eval/stage_cache.h"

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/eval/interrupt.h"
#include "etch/eval/sha256.h"

namespace etch::eval {
namespace {

namespace fs = std::filesystem;

bool is_temp_name(const std::string& name) {
  const size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at + 5 >= name.size()) return false;
  return name.find_first_not_of("0123456789", at + 5) == std::string::npos;
}

void remove_stale_temps(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && is_temp_name(e.path().filename().string())) fs::remove(e.path(), ec);
}

void ensure_writable_dir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ETCH_REQUIRE(!ec && fs::is_directory(dir), InvalidInput)
      << what << " " << dir << ": cannot create folder (" << (ec ? ec.message() : "not a folder") << ")";
  ETCH_REQUIRE(::access(dir.c_str(), W_OK | X_OK) == 0, InvalidInput)
      << what << " " << dir << ": folder is not writable";
}

}  // namespace

void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::unique_ptr<TempPathGuard>> guards;
  std::vector<std::unique_ptr<AtomicFile>> out;
  for (const auto& [path, bytes] : files) {
    out.push_back(std::make_unique<AtomicFile>(path));
    guards.push_back(std::make_unique<TempPathGuard>(out.back()->temp_path()));
    out.back()->write(bytes);
  }
  for (auto& f : out) f->commit();
}

StageCache::StageCache(std::string out_dir) : out_(std::move(out_dir)), cache_(out_ + "/.etch-cache") {
  ensure_writable_dir(out_, "output folder");
  ensure_writable_dir(cache_, "output folder");
  remove_stale_temps(out_);
  remove_stale_temps(cache_);
}

std::optional<nlohmann::json> StageCache::lookup(const std::string& stage, const std::string& key) const {
  const std::string record = cache_ + "/" + stage + ".json";
  if (!fs::exists(record)) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(read_file(record), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("key", "") != key) return std::nullopt;
  if (!j.contains("artifacts") || !j["artifacts"].is_object()) return std::nullopt;
  for (auto it = j["artifacts"].begin(); it != j["artifacts"].end(); ++it) {
    const std::string p = path(it.key());
    if (!fs::exists(p) || !it.value().is_string() || sha256_hex(read_file(p)) != it.value().get<std::string>())
      return std::nullopt;
  }
  return j.value("info", nlohmann::json::object());
}

void StageCache::commit(const std::string& stage, const std::string& key, const std::vector<Artifact>& artifacts,
                        const nlohmann::json& info) {
  nlohmann::json rec = {{"stage", stage}, {"key", key}, {"artifacts", nlohmann::json::object()}, {"info", info}};
  std::vector<std::pair<std::string, std::string>> files;
  for (const Artifact& a : artifacts) {
    rec["artifacts"][a.name] = sha256_hex(a.bytes);
    files.emplace_back(path(a.name), a.bytes);
  }
  // The old record goes first: a crash between the artifact renames and the
  // new record then leaves no record that could vouch for mixed files.
  std::error_code ec;
  fs::remove(cache_ + "/" + stage + ".json", ec);
  write_files_atomically(files);
  write_files_atomically({{cache_ + "/" + stage + ".json", rec.dump(2) + "\n"}});
}

}  // namespace etch::eval
