// Default training recipes: the settings `etch train` uses when the user gives
// none. Each was chosen by measurement on Fashion-MNIST (see docs/user-guide.md).
#pragma once
#include <string>

#include "etch/train/trainer.h"

namespace etch::train {

TrainConfig default_recipe(const std::string& arch);
// Fine-tuning an imported model: small constant learning rate, one epoch.
TrainConfig finetune_recipe();

}  // namespace etch::train
