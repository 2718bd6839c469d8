// Target <-> TOML. One table of fields drives parsing, validation and writing,
// so a new field is added in one place (plus docs/targets.md).
#include "etch/npu/target.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <variant>

#include "etch/core/error.h"

namespace etch::npu {

const char* dataflow_name(Dataflow d) { return d == Dataflow::WeightStationary ? "ws" : "os"; }

namespace {

using Ref = std::variant<int& (*)(Target&), int64_t& (*)(Target&), double& (*)(Target&), bool& (*)(Target&),
                         Dataflow& (*)(Target&), std::string& (*)(Target&)>;

// Numeric limits are inclusive except min_exclusive (for "> 0" reals).
struct Field {
  const char* section;  // "" = top level
  const char* key;
  Ref ref;
  double min = 0, max = 0;
  bool min_exclusive = false;
  const char* doc = "";
};

std::string full_name(const Field& f) {
  return *f.section ? fmt::format("{}.{}", f.section, f.key) : std::string(f.key);
}

constexpr double kTiB = 1024.0 * 1024 * 1024 * 1024;

// clang-format off
const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
    {"", "name", +[](Target& t) -> std::string& { return t.name; }, 0, 0, false,
     "label shown in reports"},
    {"", "clock_mhz", +[](Target& t) -> double& { return t.clock_mhz; }, 0, 1e5, true,
     "core clock in MHz; converts cycles to seconds"},
    {"array", "rows", +[](Target& t) -> int& { return t.rows; }, 1, 1024, false,
     "systolic array rows (int8 MACs); any size 1..1024"},
    {"array", "cols", +[](Target& t) -> int& { return t.cols; }, 1, 1024, false,
     "systolic array columns; any size 1..1024"},
    {"array", "dataflow", +[](Target& t) -> Dataflow& { return t.dataflow; }, 0, 0, false,
     "\"ws\" weight-stationary or \"os\" output-stationary"},
    {"buffers", "input_bytes", +[](Target& t) -> int64_t& { return t.input_buffer_bytes; }, 1, kTiB, false,
     "input (activation) SRAM, total; the compiler double-buffers in halves"},
    {"buffers", "weight_bytes", +[](Target& t) -> int64_t& { return t.weight_buffer_bytes; }, 1, kTiB, false,
     "weight SRAM, total; double-buffered in halves"},
    {"buffers", "accumulator_bytes", +[](Target& t) -> int64_t& { return t.accumulator_buffer_bytes; }, 1, kTiB,
     false, "int32 accumulator SRAM, total; double-buffered in halves"},
    {"dram", "bytes_per_cycle", +[](Target& t) -> double& { return t.dram_bytes_per_cycle; }, 0, 1e6, true,
     "sustained DMA bandwidth in bytes per core cycle"},
    {"dram", "latency_cycles", +[](Target& t) -> int64_t& { return t.dram_latency_cycles; }, 0, 1e9, false,
     "fixed cycles added to every DMA transfer"},
    {"vector", "lanes", +[](Target& t) -> int& { return t.vector_lanes; }, 1, 65536, false,
     "vector unit width (elements per cycle): bias, requantize, activation, pooling, add"},
    {"features", "sparsity_2_4", +[](Target& t) -> bool& { return t.sparsity_2_4; }, 0, 0, false,
     "the array skips pruned weights of 2:4 structured-sparse layers"},
    {"features", "int4_weights", +[](Target& t) -> bool& { return t.int4_weights; }, 0, 0, false,
     "weights may be stored and fed as packed int4"},
    {"energy", "mac_int8_pj", +[](Target& t) -> double& { return t.energy.mac_int8_pj; }, 0, 1e6, false,
     "pJ per int8 MAC (multiply + int32 accumulate)"},
    {"energy", "sram_byte_pj", +[](Target& t) -> double& { return t.energy.sram_byte_pj; }, 0, 1e6, false,
     "pJ per byte read from or written to on-chip SRAM"},
    {"energy", "dram_byte_pj", +[](Target& t) -> double& { return t.energy.dram_byte_pj; }, 0, 1e6, false,
     "pJ per byte moved to or from DRAM"},
  };
  return table;
}
// clang-format on

const std::vector<std::string>& sections() {
  static const std::vector<std::string> s = {"array", "buffers", "dram", "vector", "features", "energy"};
  return s;
}

std::string range_text(const Field& f, bool integer) {
  if (integer) {
    if (f.min == 1 && f.max == kTiB) return "a positive integer (at most 2^40, 1 TiB)";
    if (f.min == 1) return fmt::format("a positive integer (at most {:.0f})", f.max);
    return fmt::format("an integer in [{:.0f}, {:.0f}]", f.min, f.max);
  }
  return fmt::format("a number {} {} and at most {}", f.min_exclusive ? ">" : ">=", f.min, f.max);
}

std::optional<std::string> int_problem(const Field& f, int64_t v) {
  if (static_cast<double>(v) < f.min || static_cast<double>(v) > f.max)
    return fmt::format("must be {}, got {}", range_text(f, true), v);
  return std::nullopt;
}

std::optional<std::string> real_problem(const Field& f, double v) {
  const bool low = f.min_exclusive ? !(v > f.min) : !(v >= f.min);
  if (!std::isfinite(v) || low || v > f.max) return fmt::format("must be {}, got {}", range_text(f, false), v);
  return std::nullopt;
}

std::optional<std::string> name_problem(const std::string& s) {
  if (s.empty()) return "must not be empty";
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  return std::nullopt;
}

// The current value of a field in t, checked against the field's rules.
std::optional<std::string> field_problem(const Field& f, const Target& t) {
  Target& m = const_cast<Target&>(t);  // refs are accessors; nothing is written here
  return std::visit(
      [&](auto ref) -> std::optional<std::string> {
        auto& v = ref(m);
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, int> || std::is_same_v<V, int64_t>)
          return int_problem(f, v);
        else if constexpr (std::is_same_v<V, double>)
          return real_problem(f, v);
        else if constexpr (std::is_same_v<V, std::string>)
          return name_problem(v);
        else
          return std::nullopt;
      },
      f.ref);
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

class Parser {
 public:
  explicit Parser(const std::string& label) : label_(label) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& field, const std::string& what) const {
    throw Error(ErrorKind::InvalidInput,
                fmt::format("target file '{}', line {}: field '{}' {}", label_, where.begin.line, field, what));
  }

  // Type-checks n, range-checks it and stores it into t.
  void set(const Field& f, const toml::node& n, Target& t) const {
    const std::string name = full_name(f);
    const auto& where = n.source();
    auto wrong_type = [&](const char* expected) {
      fail(where, name, fmt::format("must be {}, got {}", expected, type_name(n)));
    };
    std::visit(
        [&](auto ref) {
          auto& dst = ref(t);
          using V = std::decay_t<decltype(dst)>;
          if constexpr (std::is_same_v<V, int> || std::is_same_v<V, int64_t>) {
            if (!n.is_integer()) wrong_type("an integer");
            const int64_t v = n.as_integer()->get();
            if (auto p = int_problem(f, v)) fail(where, name, *p);
            dst = static_cast<V>(v);
          } else if constexpr (std::is_same_v<V, double>) {
            if (!n.is_number()) wrong_type("a number");
            const double v = n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.as_floating_point()->get();
            if (auto p = real_problem(f, v)) fail(where, name, *p);
            dst = v;
          } else if constexpr (std::is_same_v<V, bool>) {
            if (!n.is_boolean()) wrong_type("a boolean (true or false)");
            dst = n.as_boolean()->get();
          } else if constexpr (std::is_same_v<V, Dataflow>) {
            if (!n.is_string()) wrong_type("a string (\"ws\" or \"os\")");
            const std::string& s = n.as_string()->get();
            if (s == "ws")
              dst = Dataflow::WeightStationary;
            else if (s == "os")
              dst = Dataflow::OutputStationary;
            else
              fail(where, name,
                   fmt::format("must be \"ws\" (weight-stationary) or \"os\" (output-stationary), got \"{}\"", s));
          } else {
            if (!n.is_string()) wrong_type("a string");
            const std::string& s = n.as_string()->get();
            if (auto p = name_problem(s)) fail(where, name, *p);
            dst = s;
          }
        },
        f.ref);
  }

  const Field* find(std::string_view section, std::string_view key) const {
    for (const Field& f : fields())
      if (section == f.section && key == f.key) return &f;
    return nullptr;
  }

  std::string known_keys(std::string_view section) const {
    std::vector<std::string> keys;
    for (const Field& f : fields())
      if (section == f.section) keys.push_back(f.key);
    if (section.empty()) {
      keys.insert(keys.begin(), "preset");
      for (const auto& s : sections()) keys.push_back("[" + s + "]");
    }
    return fmt::format("{}", fmt::join(keys, ", "));
  }

  Target parse(const toml::table& root, const std::string& default_name) {
    Target t;
    bool from_preset = false;
    if (const toml::node* p = root.get("preset")) {
      if (!p->is_string()) fail(p->source(), "preset", fmt::format("must be a string, got {}", type_name(*p)));
      const std::string& name = p->as_string()->get();
      if (!is_preset(name))
        fail(p->source(), "preset",
             fmt::format("names no preset: '{}' (known: {})", name, fmt::join(preset_names(), ", ")));
      t = preset(name);
      from_preset = true;
    }
    t.name = default_name;
    std::set<const Field*> seen;
    for (const auto& [key, node] : root) {
      if (key.str() == "preset") continue;
      if (const Field* f = find("", key.str())) {
        set(*f, node, t);
        seen.insert(f);
        continue;
      }
      const bool is_section = std::find(sections().begin(), sections().end(), key.str()) != sections().end();
      if (!is_section)
        fail(key.source(), std::string(key.str()), fmt::format("is unknown (known: {})", known_keys("")));
      if (!node.is_table())
        fail(node.source(), std::string(key.str()), fmt::format("must be a table, got {}", type_name(node)));
      for (const auto& [sub_key, sub_node] : *node.as_table()) {
        const Field* f = find(key.str(), sub_key.str());
        if (!f)
          fail(sub_key.source(), fmt::format("{}.{}", key.str(), sub_key.str()),
               fmt::format("is unknown (known in [{}]: {})", key.str(), known_keys(key.str())));
        set(*f, sub_node, t);
        seen.insert(f);
      }
    }
    if (!from_preset)
      for (const Field& f : fields())
        if (!seen.count(&f) && std::string_view(f.key) != "name")
          ETCH_FAIL(InvalidInput) << fmt::format(
              "target file '{}': missing field '{}' (give every field, or start from a preset: preset = \"edge\")",
              label_, full_name(f));
    return t;
  }

 private:
  std::string label_;
};

std::string real_text(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
  return s;
}

std::string toml_quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string value_text(const Field& f, const Target& t) {
  Target& m = const_cast<Target&>(t);
  return std::visit(
      [&](auto ref) -> std::string {
        auto& v = ref(m);
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, int> || std::is_same_v<V, int64_t>)
          return std::to_string(v);
        else if constexpr (std::is_same_v<V, double>)
          return real_text(v);
        else if constexpr (std::is_same_v<V, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<V, Dataflow>)
          return toml_quoted(dataflow_name(v));
        else
          return toml_quoted(v);
      },
      f.ref);
}

}  // namespace

void validate_target(const Target& t) {
  for (const Field& f : fields())
    if (auto p = field_problem(f, t))
      ETCH_FAIL(InvalidInput) << fmt::format("target '{}': field '{}' {}", t.name, full_name(f), *p);
}

Target target_from_toml_string(std::string_view text, const std::string& label) {
  // Every field is a number, a boolean or a name in [A-Za-z0-9_-], so a target
  // file is ASCII. Non-ASCII text is refused before TOML parsing because
  // Debian's toml++ 3.3 reaches undefined behaviour on some code points
  // (upstream issue marzer/tomlplusplus#295, found here by fuzz_target_toml).
  for (size_t i = 0, line = 1; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (static_cast<unsigned char>(text[i]) >= 0x80)
      ETCH_FAIL(InvalidInput) << fmt::format(
          "target file '{}', line {}: non-ASCII byte 0x{:02X}; target files are ASCII", label, line,
          static_cast<unsigned char>(text[i]));
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(label));
  } catch (const toml::parse_error& e) {
    ETCH_FAIL(InvalidInput) << fmt::format("target file '{}', line {}: not valid TOML: {}", label,
                                           e.source().begin.line, e.description());
  }
  std::string default_name = std::filesystem::path(label).stem().string();
  if (name_problem(default_name)) default_name = "target";
  return Parser(label).parse(root, default_name);
}

Target load_target_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ETCH_REQUIRE(in.good(), InvalidInput) << fmt::format("cannot read target file '{}'", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return target_from_toml_string(ss.str(), path);
}

std::string target_to_toml(const Target& t) {
  validate_target(t);
  std::string out = fmt::format(
      "# etch NPU target '{}' (field reference: docs/targets.md).\n"
      "# Edit and use with --target FILE; check with: etch targets show FILE\n"
      "# Or start from a preset and override only some fields: preset = \"edge\"\n",
      t.name);
  std::string current = "-";
  for (const Field& f : fields()) {
    if (current != f.section) {
      current = f.section;
      if (!current.empty()) out += fmt::format("\n[{}]\n", current);
    }
    out += fmt::format("{} = {}  # {}\n", f.key, value_text(f, t), f.doc);
  }
  return out;
}

Target resolve_target(const std::string& spec) {
  if (is_preset(spec)) return preset(spec);
  std::error_code ec;
  if (std::filesystem::is_regular_file(spec, ec)) return load_target_file(spec);
  throw Error(ErrorKind::InvalidInput,
              fmt::format("unknown target '{}': neither a preset ({}) nor a readable .toml file", spec,
                          fmt::join(preset_names(), ", ")));
}

}  // namespace etch::npu
