// Default training recipes: the settings `etch train` uses when the user gives
// none. Each was chosen by measurement on Fashion-MNIST (see docs/user-guide.md).
#pragma once
#include <string>

#include "etch/train/trainer.h"

namespace etch::train {

TrainConfig default_recipe(const std::string& arch);
// Fine-tuning an imported model: small constant learning rate, one epoch.
TrainConfig finetune_recipe();

// The options `etch train` and `etch distill` (and etch.train/etch.distill)
// lay over a recipe. Each field left at its "unset" value keeps the recipe's,
// so the CLI's flags and Python's keyword arguments map onto it one to one.
struct RecipeOverrides {
  int epochs = -1;                                // < 0: recipe
  int64_t batch_size = 0;                         // <= 0: recipe
  std::string optimizer, schedule;                // empty: recipe
  float lr = 0;                                   // <= 0: recipe
  float weight_decay = -1, label_smoothing = -1;  // < 0: recipe
  int64_t crop_padding = -1;                      // < 0: recipe
  bool flip = false, no_augment = false;          // no_augment wins over crop_padding and flip
  uint64_t seed = 1;
};

// default_recipe(arch), or finetune_recipe() when arch is empty (an imported
// model), with `o` applied.
TrainConfig recipe_for(const std::string& arch, const RecipeOverrides& o);

}  // namespace etch::train
