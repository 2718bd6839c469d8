#include "etch/compress/prune_options.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "etch/core/error.h"

namespace etch::compress {

namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

bool parse_int(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  v = std::stoll(s);
  return true;
}

double parse_sparsity(const std::string& s, const std::string& context) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  ETCH_REQUIRE(used == s.size() && !s.empty(), InvalidInput)
      << context << ": sparsity '" << s << "' is not a number (expected a fraction in [0, 1), e.g. 0.5)";
  return v;
}
}  // namespace

double ScheduleOptions::sparsity_at(int64_t t, double final_sparsity, int64_t end) const {
  if (kind != "polynomial") return final_sparsity;
  if (t < begin_step) return initial_sparsity;
  if (t >= end) return final_sparsity;
  const double frac = static_cast<double>(t - begin_step) / static_cast<double>(end - begin_step);
  return final_sparsity + (initial_sparsity - final_sparsity) * std::pow(1.0 - frac, power);
}

bool ScheduleOptions::update_at(int64_t t, int64_t end) const {
  if (kind != "polynomial") return false;
  if (t < begin_step || t > end) return false;
  return t == end || (t - begin_step) % frequency == 0;
}

const char* criterion_name(Criterion c) { return c == Criterion::Taylor ? "taylor" : "magnitude"; }

std::string structure_name(const PruneOptions& o) {
  switch (o.structure) {
    case Structure::Unstructured:
      return "unstructured";
    case Structure::Channel:
      return "channel";
    case Structure::NM:
      return std::to_string(o.n) + ":" + std::to_string(o.m);
  }
  return "?";
}

Criterion parse_criterion(const std::string& s) {
  if (s == "magnitude") return Criterion::Magnitude;
  if (s == "taylor") return Criterion::Taylor;
  ETCH_FAIL(InvalidInput) << "unknown pruning criterion '" << s << "' (expected magnitude or taylor)";
}

void parse_structure(const std::string& s, PruneOptions& o) {
  if (s == "unstructured") {
    o.structure = Structure::Unstructured;
    return;
  }
  if (s == "channel") {
    o.structure = Structure::Channel;
    return;
  }
  const auto parts = split(s, ':');
  int64_t n = 0, m = 0;
  ETCH_REQUIRE(parts.size() == 2 && parse_int(parts[0], n) && parse_int(parts[1], m), InvalidInput)
      << "unknown pruning structure '" << s << "' (expected unstructured, channel or N:M such as 2:4)";
  ETCH_REQUIRE(m >= 2 && n >= 1 && n < m, InvalidInput)
      << "N:M structure '" << s << "' must have 1 <= N < M and M >= 2 (e.g. 2:4)";
  o.structure = Structure::NM;
  o.n = n;
  o.m = m;
  o.sparsity = 1.0 - static_cast<double>(n) / static_cast<double>(m);
}

PruneOptions parse_prune_spec(const std::string& spec) {
  const auto t = split(spec, ':');
  PruneOptions o;
  const std::string ctx = "pruning spec '" + spec + "'";
  ETCH_REQUIRE(t.size() >= 2, InvalidInput)
      << ctx
      << " must be CRITERION:STRUCTURE:SPARSITY[:global] or CRITERION:N:M (e.g. taylor:channel:0.5, magnitude:2:4)";
  o.criterion = parse_criterion(t[0]);
  int64_t dummy = 0;
  size_t next = 2;
  if (parse_int(t[1], dummy)) {
    ETCH_REQUIRE(t.size() == 3, InvalidInput) << ctx << ": an N:M spec is CRITERION:N:M (e.g. magnitude:2:4)";
    parse_structure(t[1] + ":" + t[2], o);
    next = 3;
  } else {
    parse_structure(t[1], o);
    ETCH_REQUIRE(t.size() >= 3, InvalidInput) << ctx << " lacks the sparsity (e.g. " << t[0] << ":" << t[1] << ":0.5)";
    o.sparsity = parse_sparsity(t[2], ctx);
    next = 3;
  }
  if (next < t.size()) {
    ETCH_REQUIRE(t[next] == "global" || t[next] == "layer", InvalidInput)
        << ctx << ": unknown scope '" << t[next] << "' (expected global or layer)";
    o.scope = t[next] == "global" ? Scope::Global : Scope::Layer;
    ++next;
  }
  ETCH_REQUIRE(next == t.size(), InvalidInput) << ctx << " has extra fields after '" << t[next - 1] << "'";
  validate(o);
  return o;
}

void validate(const PruneOptions& o) {
  ETCH_REQUIRE(std::isfinite(o.sparsity) && o.sparsity >= 0.0 && o.sparsity < 1.0, InvalidInput)
      << "sparsity " << o.sparsity << " is outside [0, 1) (it is the fraction of weights or channels removed)";
  if (o.structure == Structure::NM) {
    ETCH_REQUIRE(o.m >= 2 && o.n >= 1 && o.n < o.m, InvalidInput)
        << "N:M structure " << o.n << ":" << o.m << " must have 1 <= N < M";
    ETCH_REQUIRE(o.scope == Scope::Layer, InvalidInput)
        << "N:M pruning is local to each group; --scope global does not apply";
    ETCH_REQUIRE(o.schedule.kind == "constant", InvalidInput)
        << "N:M pruning uses the constant schedule (the pattern is fixed by N:M)";
  }
  const auto& s = o.schedule;
  ETCH_REQUIRE(s.kind == "constant" || s.kind == "polynomial", InvalidInput)
      << "unknown schedule '" << s.kind << "' (expected constant or polynomial)";
  if (s.kind == "polynomial") {
    ETCH_REQUIRE(o.finetune_epochs > 0, InvalidInput)
        << "the polynomial schedule prunes during fine-tuning: give --finetune-epochs N (N >= 1)";
    ETCH_REQUIRE(s.initial_sparsity >= 0 && s.initial_sparsity <= o.sparsity, InvalidInput)
        << "initial sparsity " << s.initial_sparsity << " must be in [0, final sparsity " << o.sparsity << "]";
    ETCH_REQUIRE(s.begin_step >= 0, InvalidInput) << "--begin-step must be >= 0, got " << s.begin_step;
    ETCH_REQUIRE(s.end_step < 0 || s.end_step > s.begin_step, InvalidInput)
        << "--end-step " << s.end_step << " must be after --begin-step " << s.begin_step;
    ETCH_REQUIRE(s.frequency >= 1, InvalidInput) << "--frequency must be >= 1, got " << s.frequency;
    ETCH_REQUIRE(s.power > 0, InvalidInput) << "schedule power must be > 0";
  }
  ETCH_REQUIRE(o.min_channels >= 1, InvalidInput) << "--min-channels must be >= 1";
  ETCH_REQUIRE(o.taylor_batches >= 1, InvalidInput) << "--taylor-batches must be >= 1";
  ETCH_REQUIRE(o.finetune_epochs >= 0, InvalidInput) << "--finetune-epochs must be >= 0";
}

PruneOptions prune_options_from(PruneOptions o, const std::string& criterion, const std::string& structure,
                                std::optional<double> sparsity, const std::string& scope, const std::string& tied,
                                const std::string& schedule) {
  o.criterion = parse_criterion(criterion);
  parse_structure(structure, o);
  if (sparsity) {
    if (o.structure == Structure::NM)
      ETCH_REQUIRE(std::fabs(*sparsity - o.sparsity) < 1e-9, InvalidInput)
          << "--sparsity " << *sparsity << " contradicts --structure " << structure << " (which removes " << o.sparsity
          << " of the weights)";
    o.sparsity = *sparsity;
  } else if (o.structure != Structure::NM) {
    o.sparsity = 0.5;
  }
  ETCH_REQUIRE(scope == "layer" || scope == "global", InvalidInput)
      << "unknown --scope '" << scope << "' (expected layer or global)";
  o.scope = scope == "global" ? Scope::Global : Scope::Layer;
  ETCH_REQUIRE(tied == "joint" || tied == "skip", InvalidInput)
      << "unknown --tied '" << tied << "' (expected joint or skip)";
  o.tied = tied == "skip" ? TiedChannels::Skip : TiedChannels::Joint;
  o.schedule.kind = schedule;
  validate(o);
  return o;
}

PruneDataSpecs prune_data_specs(const std::string& data, const std::string& eval) {
  PruneDataSpecs s{data, eval};
  if (data == "fashion-mnist") s.train = "fashion-mnist:train";
  if (s.eval.empty() && data.rfind("fashion-mnist", 0) == 0) s.eval = "fashion-mnist:test";
  if (s.eval == "none") s.eval.clear();
  return s;
}

}  // namespace etch::compress
