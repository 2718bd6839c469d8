// End to end: hand-built integer graphs compiled for every preset and run by
// the executor (host steps on the interpreter, NPU segments on the simulator)
// must equal the reference interpreter bit for bit.
#include <gtest/gtest.h>

#include <algorithm>

#include "compiler/fixtures.h"
#include "etch/compiler/compiler.h"
#include "etch/core/error.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"
#include "etch/sim/program_runner.h"

namespace etch {
namespace {

using testing::large_layers;
using testing::odd_layers;
using testing::QGraph;
using testing::residual_block;
using testing::small_cnn;
using testing::three_convs;

void expect_bit_exact(const ir::Graph& g, const npu::Target& t, int images, compiler::CompileOptions opt = {}) {
  const compiler::CompiledModel m = compiler::compile(g, t, opt);
  eval::NpuExecutor ex(g, m);
  runtime::Interpreter ref(g);
  Shape s = g.value(g.inputs[0]).shape;
  s[0] = images;
  const Tensor x = testing::random_input(s, 11);
  const std::vector<Tensor> want = ref.run({x});
  const std::vector<Tensor> got = ex.run({x});
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(want[i].equals(got[i])) << "output " << i << " on " << t.name;
  EXPECT_EQ(ex.stats().runs, images);
  EXPECT_GT(ex.stats().total.cycles, 0);
  EXPECT_GT(ex.stats().total.energy_pj, 0);
}

npu::Target tiny() {
  npu::Target t = npu::preset("edge");
  t.name = "tiny";
  t.rows = 5;
  t.cols = 3;
  t.input_buffer_bytes = 2048;
  t.weight_buffer_bytes = 512;
  t.accumulator_buffer_bytes = 512;
  t.vector_lanes = 3;
  t.dram_bytes_per_cycle = 3.5;
  return t;
}

TEST(Compile, SmallCnnBitExactOnEveryPreset) {
  const QGraph q = small_cnn(1);
  for (const auto& name : npu::preset_names()) expect_bit_exact(q.g, npu::preset(name), 3);
  expect_bit_exact(q.g, tiny(), 2);
  npu::Target os = npu::preset("mobile");
  os.dataflow = npu::Dataflow::OutputStationary;
  expect_bit_exact(q.g, os, 2);
}

TEST(Compile, NaivePlansAreBitExactToo) {
  const QGraph q = small_cnn(2);
  compiler::CompileOptions naive;
  naive.naive = true;
  expect_bit_exact(q.g, npu::preset("edge"), 2, naive);
  expect_bit_exact(q.g, tiny(), 2, naive);
}

TEST(Compile, OddLayersAndHostFallback) {
  const QGraph q = odd_layers(3);
  for (const auto& name : npu::preset_names()) expect_bit_exact(q.g, npu::preset(name), 2);
  expect_bit_exact(q.g, tiny(), 2);
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  int host = 0;
  for (const auto& p : m.placements) {
    EXPECT_FALSE(p.npu && p.layer < 0 && p.op != "Flatten" && p.op != "Reshape") << p.node;
    if (p.op == "Relu") {
      EXPECT_FALSE(p.npu);
    }
    host += !p.npu;
  }
  EXPECT_EQ(m.placements.size(), q.g.nodes().size());
  EXPECT_GE(host, 4);  // Q, DQ, Relu, Q, DQ
  EXPECT_EQ(m.program.segments.size(), 2u);
  EXPECT_FALSE(m.standalone);
}

TEST(Compile, Int8OutputsAndStandaloneProgram) {
  const QGraph q = small_cnn(4, false);
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("mobile"));
  EXPECT_FALSE(m.standalone);  // the output is int8, no DequantizeLinear
  expect_bit_exact(q.g, npu::preset("mobile"), 2);
  const QGraph q2 = small_cnn(4, true);
  EXPECT_TRUE(compiler::compile(q2.g, npu::preset("mobile")).standalone);
}

// A layer whose smallest tile the target cannot hold runs on the host, its
// placement naming the layer and the buffer; the rest stays on the NPU and
// the whole is bit-exact.
TEST(Compile, ALayerTooLargeForTheBuffersRunsOnTheHost) {
  const QGraph q = small_cnn(5);
  npu::Target t = tiny();
  t.weight_buffer_bytes = 16;  // too small for the second conv's smallest weight tile
  const compiler::CompiledModel m = compiler::compile(q.g, t);
  int host_convs = 0, npu_layers = 0;
  for (const compiler::Placement& p : m.placements) {
    npu_layers += p.npu;
    if (p.op != "QConv" || p.npu) continue;
    ++host_convs;
    EXPECT_NE(p.reason.find("does not fit target 'tiny': the weight buffer (16 bytes)"), std::string::npos) << p.reason;
    EXPECT_NE(p.reason.find("layer '" + p.node + "'"), std::string::npos) << p.reason;
  }
  EXPECT_GE(host_convs, 1);
  EXPECT_GE(npu_layers, 1);
  expect_bit_exact(q.g, t, 2);
}

// A max pool whose one-row tile is a 192-row window cannot be tiled within
// edge's 32 KiB input buffer: it runs on the host, the convs around it on the
// NPU, bit-exact.
TEST(Compile, AWindowTooTallForTheInputBufferRunsOnTheHost) {
  QGraph q(21);
  auto x = q.float_input("x", {1, 2, 192, 192});
  auto a = q.conv(q.quantize(x, 0.02f, 0), 2, 3, 1, 1, 1, 0, 1, true);
  a = q.conv(q.maxpool(a, 192, 192), 4, 1, 1, 0, 1, 1, 2, false);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 2));
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  int convs_on_npu = 0;
  for (const compiler::Placement& p : m.placements) {
    if (p.op == "MaxPool") {
      EXPECT_FALSE(p.npu);
      EXPECT_NE(p.reason.find("cannot hold one minimal double-buffered tile"), std::string::npos) << p.reason;
    }
    convs_on_npu += p.op == "QConv" && p.npu;
  }
  EXPECT_EQ(convs_on_npu, 2);
  expect_bit_exact(q.g, npu::preset("edge"), 1);
}

// A graph of a fixed batch of 2 runs on the host (the NPU takes one sample at
// a time), both rows at once: a Flatten over the batch axis sees both.
TEST(Compile, AFixedBatchOfTwoRunsWholeOnTheHost) {
  QGraph q(22);
  auto x = q.float_input("x", {2, 4, 6, 6});
  auto a = q.conv(q.quantize(x, 0.02f, 0), 4, 3, 1, 1, 1, 0, 1, true);
  q.g.outputs.push_back(q.dequantize(q.node("Flatten", "", {a}, {{"axis", int64_t{0}}}), 0.1f, 1));
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  for (const compiler::Placement& p : m.placements) EXPECT_FALSE(p.npu) << p.node;
  eval::NpuExecutor ex(q.g, m);
  runtime::Interpreter ref(q.g);
  const Tensor in = testing::random_input({2, 4, 6, 6}, 5);
  const Tensor want = ref.run({in})[0];
  EXPECT_EQ(want.shape(), (Shape{1, 288}));
  EXPECT_TRUE(want.equals(ex.run({in})[0]));
}

TEST(Compile, FloatModelIsRefused) {
  QGraph q(6);
  auto x = q.float_input("x", {1, 1, 4, 4});
  auto y = q.relu_float(x);
  q.g.outputs.push_back(y);
  try {
    compiler::compile(q.g, npu::preset("edge"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("etch quantize"), std::string::npos);
  }
}

TEST(Compile, ChosenPlanNeverSlowerThanNaive) {
  const QGraph q = small_cnn(7);
  for (const auto& name : npu::preset_names()) {
    const npu::Target t = npu::preset(name);
    compiler::CompileOptions naive;
    naive.naive = true;
    const auto mc = compiler::compile(q.g, t), mn = compiler::compile(q.g, t, naive);
    eval::NpuExecutor ec(q.g, mc), en(q.g, mn);
    const Tensor x = testing::random_input({1, 3, 16, 16}, 2);
    ec.run({x});
    en.run({x});
    for (const auto& l : mc.layers) {
      if (!l.has_plan) continue;
      const int64_t chosen = ec.stats().layers[l.layer].cycles, base = en.stats().layers[l.layer].cycles;
      EXPECT_LE(chosen, base) << name << " " << l.name << " " << l.plan.str() << " vs " << l.naive.str();
      // The cost model tracks the simulator.
      EXPECT_NEAR(static_cast<double>(l.predicted_cycles), static_cast<double>(chosen), 0.1 * chosen + 20)
          << name << " " << l.name;
    }
  }
}

TEST(Compile, SparseLayersHalveArrayCycles) {
  const QGraph q = testing::sparse_convs(8);
  const npu::Target t = npu::preset("mobile");
  ASSERT_TRUE(t.sparsity_2_4);
  compiler::CompileOptions dense;
  dense.allow_sparse = false;
  const auto ms = compiler::compile(q.g, t), md = compiler::compile(q.g, t, dense);
  eval::NpuExecutor es(q.g, ms), ed(q.g, md);
  runtime::Interpreter ref(q.g);
  const Tensor in = testing::random_input({1, 16, 12, 12}, 9);
  EXPECT_TRUE(es.run({in})[0].equals(ref.run({in})[0]));
  ed.run({in});
  for (const auto& l : ms.layers) {
    ASSERT_TRUE(l.sparse) << l.name;
    const double ratio = static_cast<double>(es.stats().layers[l.layer].array_cycles) /
                         static_cast<double>(ed.stats().layers[l.layer].array_cycles);
    EXPECT_LE(ratio, 0.6) << l.name;
  }
}

TEST(Compile, StandaloneProgramWithInputPreprocessing) {
  QGraph q(10);
  auto x = q.float_input("x", {-1, 3, 10, 10});
  Tensor mean(DType::F32, {1, 3, 1, 1});
  for (int i = 0; i < 3; ++i) mean.data<float>()[i] = 0.1f * (i + 1);
  auto a = q.node("Sub", "", {x, q.g.add_constant("mean", mean)}, {});
  a = q.node("Div", "", {a, q.g.add_constant("std", Tensor::scalar<float>(0.37f))}, {});
  a = q.quantize(a, 0.021f, -4);
  a = q.conv(a, 8, 3, 1, 1, 1, -4, 2, true);
  a = q.maxpool(a, 2, 2);
  a = q.flatten(a);
  a = q.gemm(a, 10, 2, 0, false);
  q.g.outputs.push_back(q.dequantize(a, 0.05f, 0));
  for (const auto& name : npu::preset_names()) {
    const compiler::CompiledModel m = compiler::compile(q.g, npu::preset(name));
    ASSERT_TRUE(m.standalone) << name;
    // Through the file format and back, then run from the program alone.
    const npu::Program p = npu::deserialize_program(npu::serialize_program(m.program), "m.npu");
    sim::ProgramRunner runner(p);
    runtime::Interpreter ref(q.g);
    for (uint64_t seed = 0; seed < 3; ++seed) {
      const Tensor in = testing::random_input({1, 3, 10, 10}, seed);
      sim::SimStats stats;
      const auto got = runner.run(in.data<float>(), stats);
      const Tensor want = ref.run({in})[0];
      ASSERT_EQ(static_cast<int64_t>(got[0].size()), want.numel());
      for (int64_t i = 0; i < want.numel(); ++i) ASSERT_EQ(got[0][i], want.data<float>()[i]) << name << " " << i;
      EXPECT_GT(stats.total.cycles, 0);
    }
  }
}

// Layers of at least 1M MACs run within 1.25x of max(fold-granular compute,
// compulsory DRAM traffic / bandwidth) on every preset. On datacenter these
// layers take only ~1-2k cycles and meet it only with most of their weights
// prefetched behind the layer before (docs/compiler.md has the figures).
TEST(Compile, LargeLayersNearTheBound) {
  const QGraph q = large_layers(11);
  const Tensor in = testing::random_input({1, 16, 28, 28}, 1);
  for (const auto& name : npu::preset_names()) {
    const eval::ModelAnalysis an = eval::analyze_plans(q.g, npu::preset(name), {in});
    EXPECT_LE(an.cycles, an.naive_cycles);
    for (const auto& l : an.layers) {
      EXPECT_LE(l.cycles, l.naive_cycles) << name << " " << l.name;
      EXPECT_LE(std::abs(l.model_error()), 0.10)
          << name << " " << l.name << " predicted " << l.predicted << " simulated " << l.cycles;
      if (l.macs >= 1000000) {
        EXPECT_LE(l.efficiency(), 1.25) << name << " " << l.name << " " << l.plan << ": " << l.cycles << " vs bound "
                                        << l.bound;
      }
    }
  }
}

// Every preset (and a tiny target) runs `g` bit-exact, and the cost model
// stays within 10% of the simulator on every layer.
void expect_bit_exact_and_predicted(const ir::Graph& g, const Tensor& in) {
  for (const auto& name : npu::preset_names()) expect_bit_exact(g, npu::preset(name), 1);
  expect_bit_exact(g, tiny(), 1);
  for (const auto& name : npu::preset_names()) {
    const eval::ModelAnalysis an = eval::analyze_plans(g, npu::preset(name), {in});
    for (const auto& l : an.layers)
      EXPECT_LE(std::abs(l.model_error()), 0.10)
          << name << " " << l.name << " " << l.plan << " predicted " << l.predicted << " simulated " << l.cycles;
  }
}

// A Concat's constant input is copied from the weight image into its channels
// of the output; its computed input is written there by its producer (the
// compiler allocates it inside the output, with the output's halo, which its
// other reader, a 3x3 conv, reads too). Bit-exact on every preset and the tiny
// target.
TEST(Compile, ConcatWithAConstantInputRunsOnTheNpuBitExact) {
  const QGraph q = testing::channel_padding(16);
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  EXPECT_EQ(m.program.segments.size(), 1u);
  const ir::Node* concat = nullptr;
  for (const ir::Node& n : q.g.nodes())
    if (n.op_type == "Concat") concat = &n;
  ASSERT_NE(concat, nullptr);
  auto desc = [&](ir::ValueId v) -> const npu::TensorDesc* {
    for (const npu::TensorDesc& d : m.program.tensors)
      if (d.name == q.g.value(v).name) return &d;
    return nullptr;
  };
  const npu::TensorDesc *in = desc(concat->inputs[0]), *out = desc(concat->outputs[0]);
  ASSERT_TRUE(in && out);
  EXPECT_EQ(in->dram_addr, out->dram_addr) << "the input is written into the output's first channels";
  EXPECT_EQ(in->pad, 1);
  EXPECT_EQ(out->pad, 1);
  for (const compiler::Placement& p : m.placements)
    if (p.op == "Concat") {
      EXPECT_TRUE(p.npu) << p.reason;
    }
  expect_bit_exact_and_predicted(q.g, testing::random_input({1, 8, 12, 12}, 3));
}

// A Concat of two conv outputs copies nothing: both convs write into it. When
// the host reads it (here it is a graph output as well), it keeps its copies,
// so the segment hands the host the whole tensor.
TEST(Compile, ConcatInPlaceAndConcatTheHostReadsAreBitExact) {
  for (bool host_reads : {false, true}) {
    QGraph q(17);
    auto x = q.float_input("x", {1, 8, 10, 10});
    auto a = q.quantize(x, 0.02f, 0);
    auto cat = q.concat({q.conv(a, 8, 3, 1, 1, 1, 0, 2, true), q.conv(a, 4, 1, 1, 0, 1, 0, 2, false)});
    q.g.outputs.push_back(q.dequantize(q.conv(cat, 8, 3, 1, 1, 1, 2, -1, false), 0.1f, -1));
    if (host_reads) q.g.outputs.push_back(q.dequantize(cat, 0.05f, 2));
    const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
    for (const compiler::Placement& p : m.placements)
      if (p.op == "Concat") {
        EXPECT_EQ(p.reason == "concatenated in place (its inputs are written into it)", !host_reads) << p.reason;
      }
    for (const auto& name : npu::preset_names()) expect_bit_exact(q.g, npu::preset(name), 1);
    expect_bit_exact(q.g, tiny(), 1);
  }
}

// Dilated layers tile by row phase and 1x1 layers whose accumulators hold few
// channels keep their weights resident on edge.
TEST(Compile, RowPhasesAndResidentWeightsAreChosenAndBitExact) {
  const QGraph q = testing::wide_and_dilated(14);
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  int phased = 0, resident = 0;
  for (const auto& l : m.layers) {
    phased += l.plan.row_phases;
    resident += l.plan.resident_weights;
  }
  EXPECT_GE(phased, 1);
  EXPECT_GE(resident, 1);
  expect_bit_exact_and_predicted(q.g, testing::random_input({1, 16, 40, 40}, 2));
}

// 3x3 layers whose row tiles share input rows keep their input resident on
// every preset (each row loads once), and stay bit-exact and predicted.
TEST(Compile, ResidentInputsAreChosenAndBitExact) {
  const QGraph q = testing::large_layers(11);
  for (const auto& name : npu::preset_names()) {
    const compiler::CompiledModel m = compiler::compile(q.g, npu::preset(name));
    int resident = 0;
    for (const auto& l : m.layers) resident += l.plan.resident_input;
    EXPECT_GE(resident, 1) << name;
  }
  expect_bit_exact_and_predicted(q.g, testing::random_input({1, 16, 28, 28}, 4));
}

// Rows wider than the accumulators can hold for the array's columns are cut
// into column tiles on edge.
TEST(Compile, WideRowsAreCutIntoColumnTilesAndBitExact) {
  const QGraph q = testing::wide_rows(15);
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  int narrow = 0;
  for (const auto& l : m.layers) narrow += l.plan.tw > 0;
  EXPECT_GE(narrow, 1);
  expect_bit_exact_and_predicted(q.g, testing::random_input({1, 4, 48, 192}, 3));
}

// Cross-layer prefetch: a conv layer's first weights load (as background
// transfers) before the BARRIER that ends the layer before it. The program
// stays bit-exact and the layers' cycles add up to the whole run.
TEST(Compile, PrefetchedLayersLoadBeforeTheBarrierAndStayBitExact) {
  const QGraph q = three_convs(12);
  for (const char* name : {"mobile", "datacenter"}) {
    const npu::Target t = npu::preset(name);
    const compiler::CompiledModel m = compiler::compile(q.g, t);
    int prefetched = 0;
    for (const auto& l : m.layers) {
      if (!l.plan.prefetch) continue;
      ++prefetched;
      // Its background loads come before the last barrier ahead of its first MATMUL.
      const auto& ins = m.program.instrs;
      size_t first_mm = ins.size(), first_bg = ins.size(), barrier = 0;
      for (size_t i = 0; i < ins.size(); ++i) {
        if (ins[i].layer != l.layer) continue;
        if (ins[i].op == npu::Opcode::Matmul && first_mm == ins.size()) first_mm = i;
        if (ins[i].op == npu::Opcode::Load && ins[i][npu::Field::background] && first_bg == ins.size()) first_bg = i;
      }
      for (size_t i = 0; i < first_mm; ++i)
        if (ins[i].op == npu::Opcode::Barrier) barrier = i;
      EXPECT_LT(first_bg, barrier) << name << " " << l.name;
      EXPECT_GT(l.layer, 0) << "the first layer has nothing to prefetch behind";
    }
    EXPECT_GE(prefetched, 1) << name;
    eval::NpuExecutor ex(q.g, m);
    runtime::Interpreter ref(q.g);
    const Tensor in = testing::random_input({1, 16, 14, 14}, 3);
    EXPECT_TRUE(ex.run({in})[0].equals(ref.run({in})[0])) << name;
    int64_t sum = 0;
    for (const auto& l : ex.stats().layers) sum += l.cycles;
    EXPECT_EQ(sum, ex.stats().total.cycles) << name;
  }
}

// A conv behind a table lookup or a pool prefetches its first weights while
// that layer runs (the weight-buffer bytes the table occupies stay clear),
// stays bit-exact, and the cost model still predicts it within 10%.
TEST(Compile, ConvsPrefetchBehindVectorLayersAndStayBitExact) {
  const QGraph q = testing::convs_between_tables(5);
  for (const char* name : {"edge", "mobile", "datacenter"}) {
    const npu::Target t = npu::preset(name);
    const compiler::CompiledModel m = compiler::compile(q.g, t);
    eval::NpuExecutor ex(q.g, m);
    runtime::Interpreter ref(q.g);
    const Tensor in = testing::random_input({1, 16, 20, 20}, 4);
    EXPECT_TRUE(ex.run({in})[0].equals(ref.run({in})[0])) << name;
    int behind_vector = 0;
    for (size_t i = 1; i < m.layers.size(); ++i) {
      const auto& l = m.layers[i];
      if (!l.has_plan) continue;
      const int64_t simulated = ex.stats().layers[l.layer].cycles;
      EXPECT_NEAR(static_cast<double>(l.predicted_cycles), static_cast<double>(simulated), 0.1 * simulated)
          << name << " " << l.name;
      if (!l.plan.prefetch || m.layers[i - 1].has_plan) continue;
      ++behind_vector;
      if (m.layers[i - 1].kind == "lut") {
        EXPECT_GT(l.plan.weight_base, 0) << name << " " << l.name
                                         << ": the table sits at the bottom of the weight buffer";
      }
    }
    EXPECT_GE(behind_vector, 1) << name;
  }
}

// A table that is a conv's only reader runs in the conv's REQUANT: no layer
// of its own, the conv's own output never allocated in DRAM. A table whose
// conv output has a second reader stays a layer. Bit-exact either way.
TEST(Compile, ATableThatIsAConvsOnlyReaderRunsInItsRequantization) {
  QGraph q(6);
  auto x = q.float_input("x", {-1, 8, 12, 12});
  auto a = q.conv(q.quantize(x, 0.02f, 0), 16, 3, 1, 1, 1, 0, 2, false);
  auto b = q.conv(q.lut(a), 16, 3, 1, 1, 1, 1, 1, false);
  q.g.outputs.push_back(q.dequantize(q.add(b, q.lut(b), 1, 1, 0), 0.1f, 0));
  const std::string conv_a = q.g.find_node(q.g.value(a).producer)->name,
                    conv_b = q.g.find_node(q.g.value(b).producer)->name;
  for (const auto& name : npu::preset_names()) {
    expect_bit_exact(q.g, npu::preset(name), 2);
    const compiler::CompiledModel m = compiler::compile(q.g, npu::preset(name));
    int layer_a = -1, layer_b = -1, fused = 0, luts = 0;
    for (const auto& p : m.placements) {
      if (p.node == conv_a) layer_a = p.layer;
      if (p.node == conv_b) layer_b = p.layer;
    }
    for (const auto& p : m.placements) {
      if (p.op != "QLut") continue;
      if (p.reason == "fused into the requantization of " + conv_a) {
        EXPECT_EQ(p.layer, layer_a) << name;
        ++fused;
      } else {
        EXPECT_EQ(p.reason, "lut") << name;  // b's table: b has a second reader
        EXPECT_NE(p.layer, layer_b) << name;
        ++luts;
      }
    }
    EXPECT_EQ(fused, 1) << name;
    EXPECT_EQ(luts, 1) << name;
    for (const npu::TensorDesc& t : m.program.tensors) EXPECT_NE(t.name, q.g.value(a).name) << name;
    int tables = 0, plain = 0;  // REQUANTs of a (all with the table) and of b (none)
    for (const npu::Instr& in : m.program.instrs) {
      if (in.op != npu::Opcode::Requant) continue;
      EXPECT_EQ(in[npu::Field::table], in.layer == layer_a ? 1 : 0) << name;
      tables += in.layer == layer_a;
      plain += in.layer == layer_b;
    }
    EXPECT_GE(tables, 1) << name;
    EXPECT_GE(plain, 1) << name;
  }
}

// In a residual block the projection is emitted off the main path, so the
// main path's second conv directly follows the first (and prefetches behind it).
TEST(Compile, ResidualMainPathIsEmittedBackToBack) {
  ir::ValueId m1, m2;
  const QGraph q = residual_block(13, &m1, &m2);
  const std::string n1 = q.g.find_node(q.g.value(m1).producer)->name;
  const std::string n2 = q.g.find_node(q.g.value(m2).producer)->name;
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("datacenter"));
  size_t i1 = 0, i2 = 0;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    if (m.layers[i].name == n1) i1 = i;
    if (m.layers[i].name == n2) i2 = i;
  }
  EXPECT_EQ(i2, i1 + 1);
  expect_bit_exact(q.g, npu::preset("datacenter"), 2);
}

// Activations on chip: in a chain of convs each the only reader of the one
// before, the writer leaves its output in the input buffer and the reader
// reads it there. Bit-exact with the reference and with the program that
// goes through DRAM; the writers store nothing, the readers load nothing
// into the input buffer but their own output's halo, and DRAM traffic falls.
TEST(Compile, ConvChainsKeepTheirActivationsOnChipBitExact) {
  const QGraph q = testing::conv_chain(17);
  for (const auto& name : npu::preset_names()) {
    const npu::Target t = npu::preset(name);
    compiler::CompileOptions via_dram;
    via_dram.on_chip_activations = false;
    const compiler::CompiledModel on = compiler::compile(q.g, t), off = compiler::compile(q.g, t, via_dram);
    int readers = 0, writers = 0;
    for (const auto& l : on.layers) {
      readers += l.input_on_chip;
      writers += l.output_on_chip;
      for (const npu::Instr& in : on.program.instrs) {
        if (in.layer != l.layer) continue;
        if (l.output_on_chip) {
          EXPECT_NE(in.op, npu::Opcode::Store) << name << " " << l.name;
        }
        if (l.input_on_chip && !l.output_on_chip) {
          EXPECT_FALSE(in.op == npu::Opcode::Load && in[npu::Field::buf] == 0) << name << " " << l.name;
        }
      }
    }
    EXPECT_EQ(readers, 4) << name;  // every conv but the first
    EXPECT_EQ(writers, 4) << name;  // every conv but the last
    for (const auto& l : off.layers) EXPECT_FALSE(l.input_on_chip || l.output_on_chip) << name;
    const Tensor x = testing::random_input({1, 8, 14, 10}, 5);
    eval::NpuExecutor a(q.g, on), b(q.g, off);
    const Tensor want = runtime::Interpreter(q.g).run({x})[0];
    EXPECT_TRUE(a.run({x})[0].equals(want)) << name;
    EXPECT_TRUE(b.run({x})[0].equals(want)) << name;
    auto traffic = [](const eval::NpuExecutor& e) {
      return e.stats().total.dram_read_bytes + e.stats().total.dram_write_bytes;
    };
    EXPECT_LT(traffic(a), traffic(b)) << name;
  }
  expect_bit_exact_and_predicted(q.g, testing::random_input({1, 8, 14, 10}, 6));
}

// A residual Add reads the conv output that only it reads from the input
// buffer, where the conv left it (no halo: channel planes are contiguous):
// the conv stores nothing, the Add loads only its other operand, and the
// output equals the reference's and the program's through DRAM.
TEST(Compile, AResidualAddReadsItsConvOperandOnChip) {
  const QGraph q = residual_block(19);
  for (const auto& name : npu::preset_names()) {
    const npu::Target t = npu::preset(name);
    compiler::CompileOptions via_dram;
    via_dram.on_chip_activations = false;
    const compiler::CompiledModel on = compiler::compile(q.g, t), off = compiler::compile(q.g, t, via_dram);
    const auto add = std::find_if(on.layers.begin(), on.layers.end(), [](const auto& l) { return l.kind == "add"; });
    ASSERT_NE(add, on.layers.end()) << name;
    ASSERT_NE(add, on.layers.begin()) << name;
    const auto writer = add - 1;
    EXPECT_TRUE(add->input_on_chip) << name;
    EXPECT_TRUE(writer->output_on_chip) << name;
    int add_loads = 0, add_ops = 0;
    for (const npu::Instr& in : on.program.instrs) {
      if (in.layer == writer->layer) {
        EXPECT_NE(in.op, npu::Opcode::Store) << name;
      }
      if (in.layer != add->layer) continue;
      add_loads += in.op == npu::Opcode::Load;
      add_ops += in.op == npu::Opcode::Add;
    }
    EXPECT_GT(add_ops, 0) << name;
    EXPECT_EQ(add_loads, add_ops) << name;  // one operand per tile
    Shape shape = q.g.value(q.g.inputs[0]).shape;
    shape[0] = 1;
    const Tensor x = testing::random_input(shape, 8);
    const Tensor want = runtime::Interpreter(q.g).run({x})[0];
    eval::NpuExecutor a(q.g, on), b(q.g, off);
    EXPECT_TRUE(a.run({x})[0].equals(want)) << name;
    EXPECT_TRUE(b.run({x})[0].equals(want)) << name;
    EXPECT_LT(a.stats().total.dram_read_bytes, b.stats().total.dram_read_bytes) << name;
  }
}

// An Add of a conv's output and a vector-unit layer's: the emission order
// puts the vector layer first, whatever the Add's input order, so that the
// conv directly precedes the Add and leaves its output on chip for it.
TEST(Compile, AConvFeedingAnAddIsEmittedRightBeforeIt) {
  QGraph q(23);
  auto x = q.float_input("x", {-1, 8, 10, 10});
  auto a = q.quantize(x, 0.02f, 0);
  auto y = q.add(q.conv(a, 8, 3, 1, 1, 1, 0, 0, true), q.lut(a), 0, 0, 0);
  q.g.outputs.push_back(q.dequantize(y, 0.1f, 0));
  const npu::Target t = npu::preset("mobile");
  const compiler::CompiledModel m = compiler::compile(q.g, t);
  std::vector<std::string> kinds;
  for (const auto& l : m.layers) kinds.push_back(l.kind);
  ASSERT_EQ(kinds, (std::vector<std::string>{"lut", "conv", "add"}));
  EXPECT_TRUE(m.layers[1].output_on_chip);
  EXPECT_TRUE(m.layers[2].input_on_chip);
  expect_bit_exact(q.g, t, 2);
}

// The image's halo holds the zero point, written by the writer's halo fills
// (average POOLs over no input): with them filling another value, the
// reader's padding is wrong and the output changes.
TEST(Compile, AnImageOnChipGetsAZeroPointHalo) {
  const QGraph q = testing::conv_chain(18);
  compiler::CompiledModel m = compiler::compile(q.g, npu::preset("mobile"));
  ASSERT_TRUE(m.layers[0].output_on_chip);
  const Tensor x = testing::random_input({1, 8, 14, 10}, 7);
  const Tensor want = runtime::Interpreter(q.g).run({x})[0];
  ASSERT_TRUE(eval::NpuExecutor(q.g, m).run({x})[0].equals(want));
  int fills = 0;
  for (npu::Instr& in : m.program.instrs)
    if (in.layer == m.layers[0].layer && in.op == npu::Opcode::Pool) {
      in[npu::Field::y_zp] = in[npu::Field::y_zp] == 0 ? 1 : 0;
      ++fills;
    }
  ASSERT_GE(fills, 2);  // the rows above and below, at least
  EXPECT_FALSE(eval::NpuExecutor(q.g, m).run({x})[0].equals(want));
}

}  // namespace
}  // namespace etch
