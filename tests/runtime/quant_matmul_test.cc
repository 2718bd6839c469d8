// MatMulInteger and QLinearMatMul on hand-computed cases.
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;

TEST(MatMulInteger, PerTensorZeroPoint) {
  // A − 12 = [[−1,−5,−9],[−2,−6,−10],[−3,−7,−11],[−4,−8,−12]], B = [[1,4],[2,5],[3,6]].
  // Row 0: −1−10−27 = −38, −4−25−54 = −83; each next row subtracts 6 and 15.
  const Tensor a = Tensor::from_vector<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  const Tensor b = Tensor::from_vector<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6});
  const Tensor az = Tensor::from_vector<uint8_t>({1}, {12});
  const Tensor bz = Tensor::from_vector<uint8_t>({1}, {0});
  const Tensor y = run1(make_quant_node("MatMulInteger", 4), {&a, &b, &az, &bz});
  ASSERT_EQ(y.dtype(), DType::I32);
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{-38, -83, -44, -98, -50, -113, -56, -128}));
}

TEST(MatMulInteger, PerRowAndPerColumnZeroPoints) {
  // A − [1; 2] = [[0,1],[1,2]]; B − [1, 0, −1] = [[0,2,4],[3,5,7]].
  // Row 0 = B row 1 = [3,5,7]; row 1 = B0 + 2·B1 = [6,12,18].
  const Tensor a = Tensor::from_vector<int8_t>({2, 2}, {1, 2, 3, 4});
  const Tensor b = Tensor::from_vector<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor az = Tensor::from_vector<int8_t>({2}, {1, 2});
  const Tensor bz = Tensor::from_vector<int8_t>({3}, {1, 0, -1});
  EXPECT_EQ(values<int32_t>(run1(make_quant_node("MatMulInteger", 4), {&a, &b, &az, &bz})),
            (std::vector<int32_t>{3, 5, 7, 6, 12, 18}));
  const Tensor bad = Tensor::from_vector<int8_t>({2}, {0, 0});
  expect_error(make_quant_node("MatMulInteger", 4), {&a, &b, &az, &bad}, {"q_MatMulInteger", "b_zero_point"});
}

TEST(MatMulInteger, BatchBroadcastAndVectors) {
  // A [2,1,2] against a shared B [2,1]: [1,1]·[3,4] = 7, [2,−1]·[3,4] = 2.
  const Tensor a = Tensor::from_vector<int8_t>({2, 1, 2}, {1, 1, 2, -1});
  const Tensor b = Tensor::from_vector<int8_t>({2, 1}, {3, 4});
  const Tensor y = run1(make_quant_node("MatMulInteger", 2), {&a, &b});
  EXPECT_EQ(y.shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{7, 2}));
  // B batched [2,2,1] against a shared A [1,2]: [1,2]·[1,1] = 3, [1,2]·[0,−1] = −2.
  const Tensor a2 = Tensor::from_vector<int8_t>({1, 2}, {1, 2});
  const Tensor b2 = Tensor::from_vector<int8_t>({2, 2, 1}, {1, 1, 0, -1});
  const Tensor y2 = run1(make_quant_node("MatMulInteger", 2), {&a2, &b2});
  EXPECT_EQ(y2.shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(values<int32_t>(y2), (std::vector<int32_t>{3, -2}));
  // 1-D A: [1,2] · [[1,2],[3,4]] = [7, 10], shape [2].
  const Tensor v = Tensor::from_vector<uint8_t>({2}, {1, 2});
  const Tensor m = Tensor::from_vector<uint8_t>({2, 2}, {1, 2, 3, 4});
  const Tensor yv = run1(make_quant_node("MatMulInteger", 2), {&v, &m});
  EXPECT_EQ(yv.shape(), (Shape{2}));
  EXPECT_EQ(values<int32_t>(yv), (std::vector<int32_t>{7, 10}));
  expect_error(make_quant_node("MatMulInteger", 2), {&m, &a}, {"q_MatMulInteger", "inner dimensions"});
}

TEST(QLinearMatMul, Uint8TieRoundsToEven) {
  // a − 10 = [3, 4]; b − 1 = [[0,3],[4,0]] → acc = [16, 9];
  // multiplier 0.5·0.25/0.25 = 0.5 → 8, 4.5 → 8, 4 (half to even) → + 100.
  const Tensor a = Tensor::from_vector<uint8_t>({1, 2}, {13, 14});
  const Tensor as = Tensor::scalar<float>(0.5f), az = Tensor::scalar<uint8_t>(10);
  const Tensor b = Tensor::from_vector<uint8_t>({2, 2}, {1, 4, 5, 1});
  const Tensor bs = Tensor::scalar<float>(0.25f), bz = Tensor::scalar<uint8_t>(1);
  const Tensor ys = Tensor::scalar<float>(0.25f), yz = Tensor::scalar<uint8_t>(100);
  const Tensor y = run1(make_quant_node("QLinearMatMul", 8), {&a, &as, &az, &b, &bs, &bz, &ys, &yz});
  ASSERT_EQ(y.dtype(), DType::U8);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{108, 104}));
}

TEST(QLinearMatMul, Int8BatchedPerColumnScaleSaturates) {
  // b = identity, so acc = a per batch: [1,2], [−100,100]; per-column
  // multipliers 1·[1, 2]/1 → [1,4], [−100, 200→127].
  const Tensor a = Tensor::from_vector<int8_t>({2, 1, 2}, {1, 2, -100, 100});
  const Tensor one = Tensor::scalar<float>(1.f);
  const Tensor z = Tensor::scalar<int8_t>(0);
  const Tensor b = Tensor::from_vector<int8_t>({2, 2}, {1, 0, 0, 1});
  const Tensor bs = Tensor::from_vector<float>({2}, {1.f, 2.f});
  const Tensor bz = Tensor::from_vector<int8_t>({2}, {0, 0});
  const Tensor y = run1(make_quant_node("QLinearMatMul", 8), {&a, &one, &z, &b, &bs, &bz, &one, &z});
  ASSERT_EQ(y.dtype(), DType::I8);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{1, 4, -100, 127}));
  const Tensor bs3 = Tensor::from_vector<float>({3}, {1.f, 2.f, 3.f});
  expect_error(make_quant_node("QLinearMatMul", 8), {&a, &one, &z, &b, &bs3, &bz, &one, &z},
               {"q_QLinearMatMul", "b_scale", "column"});
}

}  // namespace
}  // namespace etch::runtime
