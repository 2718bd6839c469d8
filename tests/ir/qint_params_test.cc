// The typed parameters of etch's integer ops: one default per attribute, and
// every malformed value rejected with an error naming the node and the
// attribute.
#include "etch/ir/ops/qint_params.h"

#include <gtest/gtest.h>

#include <string>

#include "etch/core/error.h"

namespace etch::ir {
namespace {

using Ints = std::vector<int64_t>;
constexpr int64_t kOne = int64_t{1} << 30;  // multiplier 2^30 with shift 1 is 1.0

Node node(const std::string& op, std::map<std::string, Attribute> attrs) {
  Node n;
  n.name = "layer7";
  n.op_type = op;
  n.domain = "ai.etch";
  n.attrs = std::move(attrs);
  return n;
}

// `parse` must throw InvalidInput whose message holds the node name and every
// string of `parts`.
template <typename Parse>
void expect_invalid(Parse parse, const std::vector<std::string>& parts) {
  try {
    parse();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("layer7"), std::string::npos) << msg;
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg << " lacks " << p;
  }
}

TEST(QConvParams, DefaultsWhenOptionalAttributesAreAbsent) {
  const QConvParams p = qconv_params(node("QConv", {{"multipliers", Ints{kOne}}, {"shifts", Ints{1}}}), 3);
  EXPECT_EQ(p.x_zero_point, 0);
  EXPECT_EQ(p.y.zero_point, 0);
  EXPECT_EQ(p.y.act_min, -128);
  EXPECT_EQ(p.y.act_max, 127);
  ASSERT_EQ(p.requant.size(), 1u);
  // One pair serves every channel.
  EXPECT_EQ(p.channel(2).multiplier, kOne);
  EXPECT_EQ(p.channel(2).shift, 1);
}

TEST(QConvParams, ReadsPerChannelPairsAndOutputRange) {
  const QConvParams p = qconv_params(node("QGemm", {{"multipliers", Ints{kOne, kOne + 5}},
                                                    {"shifts", Ints{-3, 4}},
                                                    {"x_zero_point", int64_t{-7}},
                                                    {"y_zero_point", int64_t{12}},
                                                    {"act_min", int64_t{12}},
                                                    {"act_max", int64_t{100}}}),
                                     2);
  EXPECT_EQ(p.x_zero_point, -7);
  EXPECT_EQ(p.channel(0).shift, -3);
  EXPECT_EQ(p.channel(1).multiplier, kOne + 5);
  EXPECT_EQ(p.channel(1).shift, 4);
  EXPECT_EQ(p.y.zero_point, 12);
  EXPECT_EQ(p.y.act_min, 12);
  EXPECT_EQ(p.y.act_max, 100);
}

TEST(QConvParams, RejectsMalformedAttributesNamingThem) {
  expect_invalid([] { qconv_params(node("QConv", {{"shifts", Ints{1}}}), 1); }, {"'multipliers'", "required"});
  expect_invalid([] { qconv_params(node("QConv", {{"multipliers", Ints{kOne}}}), 1); }, {"'shifts'", "required"});
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{kOne, kOne}}, {"shifts", Ints{1}}}), 2);
      },
      {"'multipliers' and 'shifts' differ in length"});
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{kOne, kOne}}, {"shifts", Ints{1, 1}}}), 3);
      },
      {"'multipliers' has 2 entries; expected 1 or 3"});
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{kOne, 12345}}, {"shifts", Ints{1, 1}}}), 2);
      },
      {"'multipliers'/'shifts' entry 1", "multiplier 12345"});
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{kOne}}, {"shifts", Ints{31}}}), 1);
      },
      {"'multipliers'/'shifts' entry 0", "shift 31"});
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{kOne}}, {"shifts", Ints{1}}, {"x_zero_point", int64_t{200}}}),
                     1);
      },
      {"'x_zero_point' = 200"});
  expect_invalid(
      [] {
        qconv_params(
            node("QConv",
                 {{"multipliers", Ints{kOne}}, {"shifts", Ints{1}}, {"act_min", int64_t{5}}, {"act_max", int64_t{2}}}),
            1);
      },
      {"'act_min'/'act_max'", "activation range [5, 2]"});
}

TEST(QConvParams, ZeroMultiplierIsAllowedOnlyWithZeroShift) {
  EXPECT_EQ(qconv_params(node("QConv", {{"multipliers", Ints{0}}, {"shifts", Ints{0}}}), 1).channel(0).multiplier, 0);
  expect_invalid(
      [] {
        qconv_params(node("QConv", {{"multipliers", Ints{0}}, {"shifts", Ints{3}}}), 1);
      },
      {"multiplier 0"});
}

TEST(QAddParams, DefaultsAndNamedErrors) {
  const QAddParams p = qadd_params(node("QAdd", {}));
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.a_zero_point, 0);
  EXPECT_EQ(p.b.multiplier, 0);
  EXPECT_EQ(p.y.act_min, -128);
  EXPECT_EQ(p.y.act_max, 127);
  const QAddParams q = qadd_params(node(
      "QAdd",
      {{"left_shift", int64_t{7}}, {"b_zero_point", int64_t{-3}}, {"y_multiplier", kOne}, {"y_shift", int64_t{-2}}}));
  EXPECT_EQ(q.left_shift, 7);
  EXPECT_EQ(q.b_zero_point, -3);
  EXPECT_EQ(q.y_requant.multiplier, kOne);
  EXPECT_EQ(q.y_requant.shift, -2);
  expect_invalid([] { qadd_params(node("QAdd", {{"left_shift", int64_t{24}}})); }, {"'left_shift'", "[0, 23]"});
  expect_invalid(
      [] {
        qadd_params(node("QAdd", {{"b_multiplier", int64_t{99}}}));
      },
      {"'b_multiplier'/'b_shift'", "multiplier 99"});
  expect_invalid([] { qadd_params(node("QAdd", {{"a_zero_point", int64_t{-129}}})); }, {"'a_zero_point' = -129"});
}

TEST(QPoolParams, DefaultsAndNamedErrors) {
  const QPoolParams p = qpool_params(node("QAveragePool", {{"multiplier", kOne}, {"shift", int64_t{-2}}}));
  EXPECT_EQ(p.requant.multiplier, kOne);
  EXPECT_EQ(p.requant.shift, -2);
  EXPECT_EQ(p.x_zero_point, 0);
  EXPECT_EQ(p.y.act_max, 127);
  expect_invalid(
      [] {
        qpool_params(node("QAveragePool", {{"multiplier", kOne}, {"shift", int64_t{-32}}}));
      },
      {"'multiplier'/'shift'", "shift -32"});
  expect_invalid(
      [] {
        qpool_params(node("QAveragePool", {{"y_zero_point", int64_t{128}}}));
      },
      {"'y_zero_point' = 128"});
}

}  // namespace
}  // namespace etch::ir
