// etch.Target, etch.compile() and etch.Program: `etch targets`, `etch compile`,
// `etch disasm` and `etch simulate` over the same library calls.
#include "etch/npu/program.h"

#include "common.h"
#include "etch/compiler/compiler.h"
#include "etch/core/error.h"
#include "etch/data/dataset.h"
#include "etch/eval/compile_summary.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/npu_executor.h"
#include "etch/eval/sim_stats_json.h"
#include "etch/npu/disasm.h"
#include "etch/npu/target.h"
#include "etch/runtime/sample_feed.h"
#include "etch/sim/program_runner.h"

namespace etch::python {
namespace {

// A compiled program: from etch.compile (with the integer graph, so host
// segments can run) or from a file (standalone programs only).
struct Program {
  npu::Program program;
  std::string label;
  std::shared_ptr<ir::Graph> graph;                   // integer graph, when compiled here
  std::shared_ptr<compiler::CompiledModel> compiled;  // when compiled here
  std::mutex mutex;
};

npu::Target target_arg(const py::object& t) {
  if (py::isinstance<py::str>(t)) return npu::resolve_target(t.cast<std::string>());
  ETCH_REQUIRE(py::isinstance<npu::Target>(t), InvalidInput)
      << "target: expected a preset name, a .toml path or an etch.Target, got "
      << std::string(py::str(t.get_type().attr("__name__")));
  npu::Target target = t.cast<npu::Target>();
  npu::validate_target(target);
  return target;
}

std::shared_ptr<Program> compile(const Model& model, const py::object& target, bool naive, bool no_sparse,
                                 bool no_group_packing) {
  const npu::Target t = target_arg(target);
  const ir::Graph& imported = model.graph();
  auto p = std::make_shared<Program>();
  p->label = model.label();
  py::gil_scoped_release nogil;
  p->graph = std::make_shared<ir::Graph>(eval::to_integer_graph(imported, model.label()));
  compiler::CompileOptions opt;
  opt.naive = naive;
  opt.allow_sparse = !no_sparse;
  opt.pack_groups = !no_group_packing;
  p->compiled = std::make_shared<compiler::CompiledModel>(compiler::compile(*p->graph, t, opt));
  p->program = p->compiled->program;
  return p;
}

// images: f32 [N, ...] (one-input models), as `etch simulate --input`.
py::tuple simulate(Program& p, const py::array& images, int64_t batch) {
  const Tensor x = from_numpy(images, "simulate input");
  ETCH_REQUIRE(x.dtype() == DType::F32 && x.rank() >= 1, InvalidInput)
      << "simulate input: expected float32 [N, ...], got " << dtype_name(x.dtype()) << " " << shape_str(x.shape());
  ETCH_REQUIRE(batch >= 1, InvalidInput) << "batch must be at least 1, got " << batch;
  sim::SimStats stats;
  std::vector<std::pair<std::string, std::vector<Tensor>>> outs;  // per output, per batch
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(p.mutex);
    const int64_t n = x.dim(0);
    if (p.compiled) {
      const ir::Graph& g = *p.graph;
      for (ir::ValueId v : g.outputs) outs.push_back({g.value(v).name, {}});
      eval::NpuExecutor ex(g, *p.compiled);
      for (int64_t b = 0; b < n; b += batch) {
        const std::vector<Tensor> y = ex.run({data::slice_rows(x, b, std::min(n, b + batch))});
        for (size_t o = 0; o < y.size(); ++o) outs[o].second.push_back(y[o]);
      }
      stats = ex.stats();
    } else {
      sim::ProgramRunner runner(p.program);
      outs.push_back({p.program.tensors[p.program.outputs[0]].name, {}});
      for (int64_t b = 0; b < n; b += batch)
        outs[0].second.push_back(runner.run_batch(data::slice_rows(x, b, std::min(n, b + batch)), stats));
    }
  }
  py::dict outputs;
  for (auto& [name, parts] : outs) outputs[py::str(name)] = to_numpy(runtime::concat_rows(parts));
  const int64_t bytes = static_cast<int64_t>(npu::serialize_program(p.program).size());
  return py::make_tuple(outputs, to_python(eval::to_json(stats, p.program.target, bytes)));
}

}  // namespace

void bind_program(py::module_& m) {
  py::class_<npu::Target>(m, "Target",
                          "An NPU target: every number the compiler and simulator use. Edit fields, or\n"
                          "Target.preset('edge').replace(rows=32).")
      .def_readwrite("name", &npu::Target::name)
      .def_readwrite("rows", &npu::Target::rows)
      .def_readwrite("cols", &npu::Target::cols)
      .def_property(
          "dataflow", [](const npu::Target& t) { return std::string(npu::dataflow_name(t.dataflow)); },
          [](npu::Target& t, const std::string& d) {
            ETCH_REQUIRE(d == "ws" || d == "os", InvalidInput) << "dataflow: expected ws or os, got '" << d << "'";
            t.dataflow = d == "ws" ? npu::Dataflow::WeightStationary : npu::Dataflow::OutputStationary;
          })
      .def_readwrite("input_buffer_bytes", &npu::Target::input_buffer_bytes)
      .def_readwrite("weight_buffer_bytes", &npu::Target::weight_buffer_bytes)
      .def_readwrite("accumulator_buffer_bytes", &npu::Target::accumulator_buffer_bytes)
      .def_readwrite("dram_bytes_per_cycle", &npu::Target::dram_bytes_per_cycle)
      .def_readwrite("dram_latency_cycles", &npu::Target::dram_latency_cycles)
      .def_readwrite("clock_mhz", &npu::Target::clock_mhz)
      .def_readwrite("vector_lanes", &npu::Target::vector_lanes)
      .def_readwrite("sparsity_2_4", &npu::Target::sparsity_2_4)
      .def_readwrite("int4_weights", &npu::Target::int4_weights)
      .def_property(
          "mac_int8_pj", [](const npu::Target& t) { return t.energy.mac_int8_pj; },
          [](npu::Target& t, double v) { t.energy.mac_int8_pj = v; })
      .def_property(
          "sram_byte_pj", [](const npu::Target& t) { return t.energy.sram_byte_pj; },
          [](npu::Target& t, double v) { t.energy.sram_byte_pj = v; })
      .def_property(
          "dram_byte_pj", [](const npu::Target& t) { return t.energy.dram_byte_pj; },
          [](npu::Target& t, double v) { t.energy.dram_byte_pj = v; })
      .def_property_readonly("peak_tops", &npu::Target::peak_tops)
      .def_static(
          "preset", [](const std::string& name) { return npu::preset(name); }, py::arg("name"),
          "A built-in preset: "
          "edge, mobile or datacenter (etch.Target.presets()).")
      .def_static("presets", &npu::preset_names)
      .def_static("from_toml", &npu::load_target_file, py::arg("path"), "Reads a target .toml file.")
      .def_static(
          "from_toml_string", [](const std::string& text) { return npu::target_from_toml_string(text, "<string>"); },
          py::arg("text"))
      .def("to_toml", &npu::target_to_toml)
      .def("validate", &npu::validate_target, "Raises etch.InvalidInput naming the first field out of range.")
      .def("__copy__", [](const npu::Target& t) { return t; })
      .def("__eq__", [](const npu::Target& a, const npu::Target& b) { return a == b; })
      .def("__repr__", [](const npu::Target& t) {
        return "<etch.Target " + t.name + ": " + std::to_string(t.rows) + "x" + std::to_string(t.cols) + " " +
               npu::dataflow_name(t.dataflow) + ">";
      });

  py::class_<Program, std::shared_ptr<Program>>(m, "Program", "An NPU program (etch.compile or Program.load).")
      .def_property_readonly("target", [](const Program& p) { return p.program.target; })
      .def_property_readonly("path", [](const Program& p) { return p.label; })
      .def(
          "summary",
          [](const Program& p) {
            ETCH_REQUIRE(p.compiled, InvalidInput)
                << p.label << ": placements and plans are known only for a program compiled in this process";
            return to_python(eval::compile_summary_json(*p.compiled, p.program.target));
          },
          "What `etch compile --json` reports: placements, layers (plans), MACs, sizes.")
      .def(
          "save", [](const Program& p, const std::string& path) { npu::save_program(path, p.program); },
          py::arg("path"), "Writes the program file (as etch compile -o).")
      .def_static(
          "load",
          [](const std::string& path) {
            auto p = std::make_shared<Program>();
            p->program = npu::load_program(path);
            p->label = path;
            return p;
          },
          py::arg("path"), "Reads a program file; it simulates on its own when standalone.")
      .def(
          "disasm", [](const Program& p, bool header) { return npu::disassemble(p.program, p.label, header); },
          py::arg("header") = false, "The text `etch disasm` prints (header=True: `--header`).")
      .def("_simulate", &simulate, py::arg("images"), py::arg("batch") = 100);

  m.def("_compile", &compile, py::arg("model"), py::arg("target"), py::arg("naive"), py::arg("no_sparse"),
        py::arg("no_group_packing"));
}

}  // namespace etch::python
