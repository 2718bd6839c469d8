// recipe_for: what `etch train` / `etch distill` and etch.train() / etch.distill()
// build their TrainConfig with. Unset overrides keep the recipe's values.
#include "etch/train/recipe.h"

#include <gtest/gtest.h>

namespace etch::train {
namespace {

TEST(Recipe, NothingSetKeepsTheRecipe) {
  const TrainConfig want = default_recipe("resnet8"), got = recipe_for("resnet8", {});
  EXPECT_EQ(got.epochs, want.epochs);
  EXPECT_EQ(got.batch_size, want.batch_size);
  EXPECT_EQ(got.optimizer.kind, want.optimizer.kind);
  EXPECT_EQ(got.optimizer.lr, want.optimizer.lr);
  EXPECT_EQ(got.optimizer.weight_decay, want.optimizer.weight_decay);
  EXPECT_EQ(got.schedule.kind, want.schedule.kind);
  EXPECT_EQ(got.warmup_epochs, want.warmup_epochs);
  const TrainConfig ft = recipe_for("", {});  // an imported model: fine-tuning's recipe
  EXPECT_EQ(ft.optimizer.kind, finetune_recipe().optimizer.kind);
  EXPECT_EQ(ft.optimizer.lr, finetune_recipe().optimizer.lr);
  EXPECT_EQ(ft.epochs, 1);
}

TEST(Recipe, OverridesApply) {
  RecipeOverrides o;
  o.epochs = 0;  // 0 is a value (no training), only negative means unset
  o.batch_size = 32;
  o.optimizer = "sgd";
  o.schedule = "step";
  o.lr = 0.5f;
  o.weight_decay = 0;
  o.label_smoothing = 0.1f;
  o.crop_padding = 3;
  o.flip = true;
  o.seed = 9;
  const TrainConfig c = recipe_for("cnn", o);
  EXPECT_EQ(c.epochs, 0);
  EXPECT_EQ(c.batch_size, 32);
  EXPECT_EQ(c.optimizer.kind, "sgd");
  EXPECT_EQ(c.schedule.kind, "step");
  EXPECT_EQ(c.optimizer.lr, 0.5f);
  EXPECT_EQ(c.optimizer.weight_decay, 0.0f);
  EXPECT_EQ(c.label_smoothing, 0.1f);
  EXPECT_EQ(c.augment.crop_padding, 3);
  EXPECT_TRUE(c.augment.horizontal_flip);
  EXPECT_EQ(c.seed, 9u);
  o.no_augment = true;  // wins over crop padding and flips
  EXPECT_FALSE(recipe_for("cnn", o).augment.any());
}

}  // namespace
}  // namespace etch::train
