#include "etch/npu/program.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"

namespace etch::npu {
namespace {

constexpr char kMagic[8] = {'E', 'T', 'C', 'H', 'N', 'P', 'U', '\0'};
constexpr uint64_t kMaxDramBytes = uint64_t{1} << 32;  // the simulator allocates DRAM whole
constexpr uint32_t kMaxString = 4096;

class Writer {
 public:
  template <typename T>
  void put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
  }
  void str(const std::string& s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out += s;
  }
  void ints(const std::vector<int>& v) {
    put<uint32_t>(static_cast<uint32_t>(v.size()));
    for (int x : v) put<int32_t>(x);
  }
  std::string out;
};

class Reader {
 public:
  Reader(const std::string& b, const std::string& label) : b_(b), label_(label) {}
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void need(uint64_t n, const char* what) const {
    ETCH_REQUIRE(n <= b_.size() - pos_, InvalidInput)
        << "program file '" << label_ << "': truncated (reading " << what << " at byte " << pos_ << ", need " << n
        << " bytes, " << b_.size() - pos_ << " left)";
  }
  std::string str(const char* what) {
    const uint32_t n = get<uint32_t>(what);
    ETCH_REQUIRE(n <= kMaxString, InvalidInput)
        << "program file '" << label_ << "': " << what << " is " << n << " bytes long (at most " << kMaxString << ")";
    need(n, what);
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // A count of items of at least `min_item_bytes` each, checked against what is left.
  uint32_t count(const char* what, uint64_t min_item_bytes) {
    const uint32_t n = get<uint32_t>(what);
    need(static_cast<uint64_t>(n) * min_item_bytes, what);
    return n;
  }
  std::vector<int> ints(const char* what) {
    std::vector<int> v(count(what, 4));
    for (int& x : v) x = get<int32_t>(what);
    return v;
  }
  const uint8_t* bytes(uint64_t n, const char* what) {
    need(n, what);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(b_.data()) + pos_;
    pos_ += n;
    return p;
  }
  bool at_end() const { return pos_ == b_.size(); }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  const std::string& label_;
  size_t pos_ = 0;
};

void write_target(Writer& w, const Target& t) {
  w.str(t.name);
  w.put<int32_t>(t.rows);
  w.put<int32_t>(t.cols);
  w.put<uint8_t>(t.dataflow == Dataflow::WeightStationary ? 0 : 1);
  w.put<int64_t>(t.input_buffer_bytes);
  w.put<int64_t>(t.weight_buffer_bytes);
  w.put<int64_t>(t.accumulator_buffer_bytes);
  w.put<double>(t.dram_bytes_per_cycle);
  w.put<int64_t>(t.dram_latency_cycles);
  w.put<double>(t.clock_mhz);
  w.put<int32_t>(t.vector_lanes);
  w.put<uint8_t>(t.sparsity_2_4);
  w.put<uint8_t>(t.int4_weights);
  w.put<double>(t.energy.mac_int8_pj);
  w.put<double>(t.energy.sram_byte_pj);
  w.put<double>(t.energy.dram_byte_pj);
}

Target read_target(Reader& r, const std::string& label) {
  Target t;
  t.name = r.str("target name");
  t.rows = r.get<int32_t>("target");
  t.cols = r.get<int32_t>("target");
  const uint8_t df = r.get<uint8_t>("target");
  ETCH_REQUIRE(df <= 1, InvalidInput) << "program file '" << label << "': target dataflow code " << int(df);
  t.dataflow = df == 0 ? Dataflow::WeightStationary : Dataflow::OutputStationary;
  t.input_buffer_bytes = r.get<int64_t>("target");
  t.weight_buffer_bytes = r.get<int64_t>("target");
  t.accumulator_buffer_bytes = r.get<int64_t>("target");
  t.dram_bytes_per_cycle = r.get<double>("target");
  t.dram_latency_cycles = r.get<int64_t>("target");
  t.clock_mhz = r.get<double>("target");
  t.vector_lanes = r.get<int32_t>("target");
  const uint8_t sp = r.get<uint8_t>("target"), i4 = r.get<uint8_t>("target");
  ETCH_REQUIRE(sp <= 1 && i4 <= 1, InvalidInput) << "program file '" << label << "': bad target feature flags";
  t.sparsity_2_4 = sp;
  t.int4_weights = i4;
  t.energy.mac_int8_pj = r.get<double>("target");
  t.energy.sram_byte_pj = r.get<double>("target");
  t.energy.dram_byte_pj = r.get<double>("target");
  try {
    validate_target(t);
  } catch (const Error& e) {
    ETCH_FAIL(InvalidInput) << "program file '" << label << "': embedded " << e.what();
  }
  return t;
}

}  // namespace

std::string serialize_program(const Program& p) {
  Writer w;
  w.out.append(kMagic, 8);
  w.put<uint32_t>(kProgramVersion);
  w.put<uint32_t>(0);
  write_target(w, p.target);
  w.put<uint64_t>(p.dram_bytes);
  w.put<uint64_t>(p.weight_addr);
  w.put<uint64_t>(p.weight_image.size());
  w.out.append(reinterpret_cast<const char*>(p.weight_image.data()), p.weight_image.size());
  w.put<uint32_t>(static_cast<uint32_t>(p.instrs.size()));
  uint8_t buf[kInstrBytes];
  for (const Instr& in : p.instrs) {
    encode_instr(in, buf);
    w.out.append(reinterpret_cast<const char*>(buf), kInstrBytes);
  }
  w.put<uint32_t>(static_cast<uint32_t>(p.tensors.size()));
  for (const TensorDesc& t : p.tensors) {
    w.str(t.name);
    w.put<uint32_t>(static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape) w.put<int64_t>(d);
    for (int64_t v : {t.c, t.h, t.w, t.pad}) w.put<int64_t>(v);
    w.put<uint64_t>(t.dram_addr);
    w.put<float>(t.scale);
    w.put<int32_t>(t.zero_point);
  }
  w.put<uint32_t>(static_cast<uint32_t>(p.layers.size()));
  for (const LayerInfo& l : p.layers) {
    w.str(l.name);
    w.str(l.kind);
    w.put<int64_t>(l.macs);
  }
  w.put<uint32_t>(static_cast<uint32_t>(p.segments.size()));
  for (const Segment& s : p.segments) {
    w.put<uint32_t>(s.first);
    w.put<uint32_t>(s.end);
    w.ints(s.inputs);
    w.ints(s.outputs);
  }
  w.ints(p.inputs);
  w.ints(p.outputs);
  w.put<uint32_t>(static_cast<uint32_t>(p.input_ops.size()));
  for (const InputOp& op : p.input_ops) {
    w.put<uint8_t>(op.kind);
    w.put<uint32_t>(static_cast<uint32_t>(op.values.size()));
    for (float v : op.values) w.put<float>(v);
  }
  w.out.append("END\0", 4);
  return w.out;
}

Program deserialize_program(const std::string& bytes, const std::string& label) {
  Reader r(bytes, label);
  const uint8_t* magic = r.bytes(8, "magic");
  ETCH_REQUIRE(std::memcmp(magic, kMagic, 8) == 0, InvalidInput)
      << "'" << label << "' is not an etch NPU program (bad magic; expected a file written by etch compile)";
  const uint32_t version = r.get<uint32_t>("version");
  ETCH_REQUIRE(version == kProgramVersion, InvalidInput)
      << "program file '" << label << "': format version " << version << ", this etch reads version " << kProgramVersion
      << " (recompile the model with this etch)";
  ETCH_REQUIRE(r.get<uint32_t>("header") == 0, InvalidInput)
      << "program file '" << label << "': reserved header bits set";
  Program p;
  p.target = read_target(r, label);
  p.dram_bytes = r.get<uint64_t>("DRAM size");
  ETCH_REQUIRE(p.dram_bytes <= kMaxDramBytes, InvalidInput)
      << "program file '" << label << "': DRAM size " << p.dram_bytes << " exceeds 4 GiB";
  p.weight_addr = r.get<uint64_t>("weight image address");
  const uint64_t wbytes = r.get<uint64_t>("weight image size");
  ETCH_REQUIRE(p.weight_addr <= p.dram_bytes && wbytes <= p.dram_bytes - p.weight_addr, InvalidInput)
      << "program file '" << label << "': weight image (" << wbytes << " bytes) larger than DRAM (" << p.dram_bytes
      << ")";
  const uint8_t* w = r.bytes(wbytes, "weight image");
  p.weight_image.assign(w, w + wbytes);
  const uint32_t n = r.count("instruction count", kInstrBytes);
  p.instrs.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    p.instrs.push_back(
        decode_instr(r.bytes(kInstrBytes, "instruction"), fmt::format("program file '{}', instruction {}", label, i)));
  const uint32_t nt = r.count("tensor count", 4);
  for (uint32_t i = 0; i < nt; ++i) {
    TensorDesc t;
    t.name = r.str("tensor name");
    const uint32_t rank = r.count("tensor rank", 8);
    ETCH_REQUIRE(rank <= 8, InvalidInput)
        << "program file '" << label << "': tensor '" << t.name << "' has rank " << rank;
    for (uint32_t d = 0; d < rank; ++d) t.shape.push_back(r.get<int64_t>("tensor shape"));
    t.c = r.get<int64_t>("tensor");
    t.h = r.get<int64_t>("tensor");
    t.w = r.get<int64_t>("tensor");
    t.pad = r.get<int64_t>("tensor");
    t.dram_addr = r.get<uint64_t>("tensor");
    t.scale = r.get<float>("tensor");
    ETCH_REQUIRE(std::isfinite(t.scale), InvalidInput)
        << "program file '" << label << "': tensor '" << t.name << "' has a non-finite scale";
    t.zero_point = r.get<int32_t>("tensor");
    p.tensors.push_back(std::move(t));
  }
  const uint32_t nl = r.count("layer count", 16);
  for (uint32_t i = 0; i < nl; ++i) {
    LayerInfo l;
    l.name = r.str("layer name");
    l.kind = r.str("layer kind");
    l.macs = r.get<int64_t>("layer");
    p.layers.push_back(std::move(l));
  }
  const uint32_t ns = r.count("segment count", 16);
  for (uint32_t i = 0; i < ns; ++i) {
    Segment s;
    s.first = r.get<uint32_t>("segment");
    s.end = r.get<uint32_t>("segment");
    s.inputs = r.ints("segment inputs");
    s.outputs = r.ints("segment outputs");
    p.segments.push_back(std::move(s));
  }
  p.inputs = r.ints("program inputs");
  p.outputs = r.ints("program outputs");
  const uint32_t nops = r.count("input op count", 5);
  for (uint32_t i = 0; i < nops; ++i) {
    InputOp op;
    op.kind = r.get<uint8_t>("input op");
    ETCH_REQUIRE(op.kind <= InputOp::Add, InvalidInput)
        << "program file '" << label << "': input op kind " << int(op.kind);
    op.values.resize(r.count("input op values", 4));
    for (float& v : op.values) v = r.get<float>("input op values");
    p.input_ops.push_back(std::move(op));
  }
  const uint8_t* end = r.bytes(4, "end marker");
  ETCH_REQUIRE(std::memcmp(end, "END\0", 4) == 0 && r.at_end(), InvalidInput)
      << "program file '" << label << "': bad end marker or trailing bytes at byte " << r.pos();
  validate_program(p, label);
  return p;
}

void save_program(const std::string& path, const Program& p) { write_file_atomic(path, serialize_program(p)); }

Program load_program(const std::string& path) { return deserialize_program(read_file(path), path); }

}  // namespace etch::npu
