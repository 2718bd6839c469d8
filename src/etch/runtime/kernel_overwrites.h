// Kernels that write every element of every output can declare it, so the
// interpreter hands them uninitialised outputs instead of zero-filling memory
// that is overwritten anyway (on a CNN at batch 64 the zero-fill cost as much
// as the Conv itself). Kernels that accumulate into outputs, or leave parts
// untouched, must not declare it. Keyed like kernel_registry: (op, dtype of input 0).
#pragma once
#include <string>

#include "etch/core/dtype.h"

namespace etch::runtime {

void declare_overwrites_outputs(const std::string& op_type, const std::string& domain, DType dtype);
bool kernel_overwrites_outputs(const std::string& op_type, const std::string& domain, DType dtype);

struct OverwritesRegistrar {
  OverwritesRegistrar(const char* op, const char* domain, DType dtype) {
    declare_overwrites_outputs(op, domain, dtype);
  }
};

#define ETCH_OVERWRITES_CONCAT2(a, b) a##b
#define ETCH_OVERWRITES_CONCAT(a, b) ETCH_OVERWRITES_CONCAT2(a, b)
// ETCH_KERNEL_OVERWRITES_OUTPUTS("Relu", "", ::etch::DType::F32);
#define ETCH_KERNEL_OVERWRITES_OUTPUTS(op, domain, dtype)                                                      \
  static ::etch::runtime::OverwritesRegistrar ETCH_OVERWRITES_CONCAT(etch_overwrites_registrar_, __COUNTER__)( \
      op, domain, dtype)

// The same declaration for every numeric dtype etch runs (element-wise kernels
// that dispatch on the dtype inside).
#define ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC(op)            \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(op, "", ::etch::DType::F32); \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(op, "", ::etch::DType::I32); \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(op, "", ::etch::DType::I64); \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(op, "", ::etch::DType::I8);  \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(op, "", ::etch::DType::U8)

}  // namespace etch::runtime
