// Spec strings, option validation and the polynomial-decay schedule.
#include "etch/compress/prune_options.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/core/error.h"

namespace etch::compress {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an InvalidInput error";
  return "";
}

TEST(PruneSpec, ParsesTheThreeStructures) {
  PruneOptions a = parse_prune_spec("taylor:channel:0.5");
  EXPECT_EQ(a.criterion, Criterion::Taylor);
  EXPECT_EQ(a.structure, Structure::Channel);
  EXPECT_DOUBLE_EQ(a.sparsity, 0.5);
  EXPECT_EQ(a.scope, Scope::Layer);
  PruneOptions b = parse_prune_spec("magnitude:unstructured:0.8:global");
  EXPECT_EQ(b.structure, Structure::Unstructured);
  EXPECT_DOUBLE_EQ(b.sparsity, 0.8);
  EXPECT_EQ(b.scope, Scope::Global);
  PruneOptions c = parse_prune_spec("magnitude:1:4");
  EXPECT_EQ(c.structure, Structure::NM);
  EXPECT_EQ(c.n, 1);
  EXPECT_EQ(c.m, 4);
  EXPECT_DOUBLE_EQ(c.sparsity, 0.75);
  EXPECT_EQ(structure_name(c), "1:4");
}

TEST(PruneSpec, RejectsBadSpecsWithTheReason) {
  EXPECT_NE(error_of([] { parse_prune_spec("taylor:channel:1.0"); }).find("outside [0, 1)"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("taylor:channel:-0.1"); }).find("outside [0, 1)"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("taylor:channel:half"); }).find("'half'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("l1:channel:0.5"); }).find("'l1'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("magnitude:rows:0.5"); }).find("'rows'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("magnitude:4:2"); }).find("N < M"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("magnitude:channel"); }).find("sparsity"), std::string::npos);
  EXPECT_NE(error_of([] { parse_prune_spec("magnitude:channel:0.5:everywhere"); }).find("'everywhere'"),
            std::string::npos);
}

TEST(PruneOptions, PolynomialNeedsFineTuningAndOrderedSteps) {
  PruneOptions o;
  o.schedule.kind = "polynomial";
  EXPECT_NE(error_of([&] { validate(o); }).find("--finetune-epochs"), std::string::npos);
  o.finetune_epochs = 1;
  o.schedule.begin_step = 10;
  o.schedule.end_step = 5;
  EXPECT_NE(error_of([&] { validate(o); }).find("--end-step"), std::string::npos);
  o.schedule.end_step = 20;
  EXPECT_NO_THROW(validate(o));
}

TEST(Schedule, PolynomialDecayMatchesTfMot) {
  ScheduleOptions s;
  s.kind = "polynomial";
  s.initial_sparsity = 0.0;
  s.begin_step = 0;
  s.power = 3;
  s.frequency = 10;
  const int64_t end = 100;
  // s_t = s_f + (s_i - s_f)(1 - t/100)^3 with s_f = 0.8
  EXPECT_DOUBLE_EQ(s.sparsity_at(0, 0.8, end), 0.0);
  EXPECT_NEAR(s.sparsity_at(50, 0.8, end), 0.8 - 0.8 * 0.125, 1e-12);
  EXPECT_NEAR(s.sparsity_at(90, 0.8, end), 0.8 - 0.8 * 0.001, 1e-12);
  EXPECT_DOUBLE_EQ(s.sparsity_at(100, 0.8, end), 0.8);
  EXPECT_DOUBLE_EQ(s.sparsity_at(250, 0.8, end), 0.8);
  EXPECT_TRUE(s.update_at(0, end));
  EXPECT_TRUE(s.update_at(30, end));
  EXPECT_FALSE(s.update_at(31, end));
  EXPECT_TRUE(s.update_at(100, end));
  EXPECT_FALSE(s.update_at(110, end));
  ScheduleOptions c;  // constant: final sparsity at once, no in-training updates
  EXPECT_DOUBLE_EQ(c.sparsity_at(0, 0.5, end), 0.5);
  EXPECT_FALSE(c.update_at(0, end));
}

}  // namespace
}  // namespace etch::compress
