// Writes seed corpora: for the decoder fuzzer small valid programs (copy,
// conv-like matmul pipeline) serialized to files in the directory argv[1];
// with "targets" as argv[2], the preset targets as TOML files for fuzz_target_toml.
#include <fstream>
#include <string>

#include "etch/npu/program.h"

using namespace etch::npu;

static Instr make(Opcode op, uint8_t tokens = 0) {
  Instr in;
  in.op = op;
  in.tokens = tokens;
  return in;
}

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) return 2;
  if (argc == 3 && std::string(argv[2]) == "targets") {  // the presets as target files, for fuzz_target_toml
    for (const std::string& name : preset_names())
      std::ofstream(std::string(argv[1]) + "/" + name + ".toml") << target_to_toml(preset(name));
    return 0;
  }
  Program p;
  p.target = preset("edge");
  TensorDesc t;
  t.name = "x";
  t.shape = {1, 2, 4, 4};
  t.c = 2, t.h = 4, t.w = 4, t.pad = 1;
  p.tensors = {t};
  p.dram_bytes = 512;
  p.weight_addr = 256;
  p.weight_image.assign(64, 3);
  p.layers = {{"l0", "conv", 64}};
  Instr ld = make(Opcode::Load, kPushNext);
  ld[Field::rows] = 2, ld[Field::row_bytes] = 36, ld[Field::dram_stride] = 36, ld[Field::sram_stride] = 36;
  ld[Field::reps] = 1;
  Instr pl = make(Opcode::Preload, kPopPrev);
  pl[Field::m] = 4, pl[Field::k] = 8, pl[Field::w_pitch] = 8;
  Instr mm = make(Opcode::Matmul);
  mm[Field::m] = 4, mm[Field::k] = 8, mm[Field::out_h] = 2, mm[Field::out_w] = 2, mm[Field::c] = 2;
  mm[Field::x_chan_stride] = 36, mm[Field::x_pitch] = 6, mm[Field::acc_pitch] = 4;
  for (Field f : {Field::stride_h, Field::stride_w, Field::kernel_h, Field::kernel_w, Field::dil_h, Field::dil_w})
    mm[f] = 1;
  mm[Field::kernel_h] = mm[Field::kernel_w] = 2;
  mm[Field::swap] = 1;
  Instr rq = make(Opcode::Requant, kPushNext);
  rq[Field::m] = 4, rq[Field::n] = 4, rq[Field::acc_pitch] = 4, rq[Field::out_addr] = 100,
  rq[Field::out_chan_stride] = 4;
  rq[Field::act_min] = -128, rq[Field::act_max] = 127;
  Instr st = make(Opcode::Store, kPopPrev);
  st[Field::sram] = 100, st[Field::rows] = 1, st[Field::row_bytes] = 16, st[Field::reps] = 1;
  p.instrs = {ld, pl, mm, rq, st, make(Opcode::Barrier), make(Opcode::Halt)};
  p.segments = {{0, 7, {0}, {}}};
  std::ofstream(std::string(argv[1]) + "/seed_conv.npu", std::ios::binary) << serialize_program(p);
  p.instrs = {make(Opcode::Halt)};
  p.segments = {{0, 1, {}, {}}};
  std::ofstream(std::string(argv[1]) + "/seed_empty.npu", std::ios::binary) << serialize_program(p);
  return 0;
}
