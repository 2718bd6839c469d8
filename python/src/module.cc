// etch._etch: the extension module behind `import etch`. Errors, threads and
// the progress hook live here; each concept's bindings in its own file.
#include <Python.h>

#include "common.h"
#include "etch/core/error.h"
#include "etch/core/progress.h"
#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/gemm.h"

namespace etch::python {
namespace {

PyObject* g_error = nullptr;
PyObject* g_kinds[3] = {nullptr, nullptr, nullptr};  // by ErrorKind
py::object g_progress_callback;                      // None, or callable(label, done, total)

PyObject* new_exception(const char* name, PyObject* bases, const char* doc) {
  PyObject* e = PyErr_NewExceptionWithDoc(name, doc, bases, nullptr);
  if (!e) throw py::error_already_set();
  return e;
}

// Runs on the thread doing the work (the caller's: etch's long loops advance
// their bars there) with the GIL released: takes it, raises a pending Ctrl-C
// as KeyboardInterrupt through the C++ stack, and reports progress.
void on_progress(const std::string& label, int64_t done, int64_t total) {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (g_progress_callback && !g_progress_callback.is_none()) g_progress_callback(label, done, total);
}

}  // namespace

void bind_errors(py::module_& m) {
  g_error = new_exception("etch.Error", PyExc_Exception, "Base of etch's errors.");
  g_kinds[static_cast<int>(ErrorKind::InvalidInput)] = new_exception(
      "etch.InvalidInput", py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError)).release().ptr(),
      "A bad file, argument, shape or dtype (the CLI's exit status 2).");
  g_kinds[static_cast<int>(ErrorKind::Unsupported)] =
      new_exception("etch.Unsupported", g_error, "An op or feature etch does not support (exit status 2).");
  g_kinds[static_cast<int>(ErrorKind::Internal)] = new_exception(
      "etch.InternalError", py::make_tuple(py::handle(g_error), py::handle(PyExc_RuntimeError)).release().ptr(),
      "A broken internal invariant: a bug in etch (exit status 1).");
  m.attr("Error") = py::handle(g_error);
  m.attr("InvalidInput") = py::handle(g_kinds[0]);
  m.attr("Unsupported") = py::handle(g_kinds[1]);
  m.attr("InternalError") = py::handle(g_kinds[2]);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(g_kinds[static_cast<int>(e.kind())], e.what());
    }
  });
}

}  // namespace etch::python

PYBIND11_MODULE(_etch, m) {
  using namespace etch::python;
  m.doc() = "etch: from a trained network to an NPU program, measured end to end (C++ core).";
  m.attr("__version__") = ETCH_VERSION;
  etch::runtime::blas_setup();  // before etch starts any thread (gemm.h)
  bind_errors(m);
  etch::Progress::set_hook(on_progress);
  m.def(
      "set_threads", [](int n) { etch::set_num_threads(n); }, py::arg("n"),
      "Worker threads (0: all cores), as the CLI's --threads; results do not depend on it.");
  m.def(
      "set_progress", [](py::object cb) { g_progress_callback = std::move(cb); }, py::arg("callback"),
      "callback(label, done, total) on every progress step of long work (None: off).");
  bind_model(m);
  bind_transform(m);
  bind_train(m);
  bind_program(m);
  bind_report(m);
  // The callback must not outlive the interpreter.
  py::module_::import("atexit").attr("register")(py::cpp_function([] { g_progress_callback = py::object(); }));
}
