// What to prune and how: criterion, structure, sparsity, scope, schedule and
// fine-tuning budget. One struct shared by `etch prune`, `etch deploy` and the
// library; the short spec string ("taylor:channel:0.5") is parsed here too.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace etch::compress {

enum class Criterion { Magnitude, Taylor };
enum class Structure { Unstructured, Channel, NM };
enum class Scope { Layer, Global };
// Output channels tied together by a residual Add (the layers feeding one
// channel space): pruned with one channel set (Joint, as dependency-aware
// pruners do), or left whole (Skip; warned about, by name): the residual
// stream then keeps its width and only the layers inside blocks shrink.
enum class TiedChannels { Joint, Skip };

// TF-MOT's PolynomialDecay: for begin <= t <= end, at steps where
// (t - begin) % frequency == 0 (and at `end`), the sparsity becomes
//   s_t = s_f + (s_i - s_f) * (1 - (t - b) / (e - b))^power
// and the masks are recomputed from the current scores. `constant` prunes to
// the final sparsity once, before fine-tuning.
struct ScheduleOptions {
  std::string kind = "constant";  // constant | polynomial
  double initial_sparsity = 0.0;
  int64_t begin_step = 0;
  int64_t end_step = -1;  // -1: two thirds of the fine-tuning steps
  double power = 3.0;
  int64_t frequency = 100;
  // Sparsity at optimizer step t (final sparsity s_f given).
  double sparsity_at(int64_t t, double final_sparsity, int64_t end) const;
  // Whether masks are recomputed at step t.
  bool update_at(int64_t t, int64_t end) const;
};

struct PruneOptions {
  Criterion criterion = Criterion::Magnitude;
  Structure structure = Structure::Unstructured;
  double sparsity = 0.5;  // fraction removed; for N:M it is 1 - N/M
  int64_t n = 2, m = 4;   // N:M: keep at most n of every m input channels
  Scope scope = Scope::Layer;
  TiedChannels tied = TiedChannels::Joint;
  int64_t min_channels = 1;     // channel pruning keeps at least this many per layer
  int64_t taylor_batches = 32;  // batches of gradients accumulated for Taylor scores
  int64_t taylor_batch_size = 64;
  ScheduleOptions schedule;
  int finetune_epochs = 0;
  int64_t finetune_max_steps = 0;  // per epoch; 0 = whole epoch
  int64_t batch_size = 64;
  float lr = 1e-3f;
  uint64_t seed = 1;
  bool progress = true;
};

const char* criterion_name(Criterion c);
std::string structure_name(const PruneOptions& o);  // "unstructured" | "channel" | "2:4"

// "magnitude"|"taylor", "unstructured"|"channel"|"N:M"; InvalidInput otherwise.
Criterion parse_criterion(const std::string& s);
// Sets structure (and n, m, sparsity for N:M) from "unstructured" | "channel" | "N:M".
void parse_structure(const std::string& s, PruneOptions& o);

// Spec strings: CRITERION:STRUCTURE:SPARSITY[:global], with N:M written in
// place of STRUCTURE and no sparsity ("magnitude:2:4", "taylor:2:4:global" is
// refused since N:M is local by definition). Examples: "taylor:channel:0.5",
// "magnitude:unstructured:0.8:global", "magnitude:2:4".
PruneOptions parse_prune_spec(const std::string& spec);

// `etch prune`'s word options applied over `base` (which carries the numeric
// ones), then validate()d. Without `sparsity` the structure decides it (0.5, or
// 1 - N/M for N:M); a sparsity contradicting N:M is refused. scope: layer |
// global; tied: joint | skip; schedule: constant | polynomial.
PruneOptions prune_options_from(PruneOptions base, const std::string& criterion, const std::string& structure,
                                std::optional<double> sparsity, const std::string& scope, const std::string& tied,
                                const std::string& schedule);

// The data sets `etch prune --data D [--eval E]` uses: the family name
// "fashion-mnist" means its train split for training and, when E is empty, its
// test split for evaluation; "none" or empty means no evaluation.
struct PruneDataSpecs {
  std::string train, eval;
};
PruneDataSpecs prune_data_specs(const std::string& data, const std::string& eval);

// Throws InvalidInput for sparsity outside [0, 1), bad N:M, bad schedule.
void validate(const PruneOptions& o);

}  // namespace etch::compress
