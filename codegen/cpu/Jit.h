//===- Jit.h - Compile and run kernels in-process (tests, tuning) ----------===//
#ifndef QFORGE_CODEGEN_CPU_JIT_H
#define QFORGE_CODEGEN_CPU_JIT_H

#include "codegen/cpu/Target.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

namespace mlir::qf {

/// A descriptor of a dense row-major array for JitModule::call.
template <typename T, int N>
StridedMemRefType<T, N> describeRowMajor(T *data, std::array<int64_t, N> sizes) {
  StridedMemRefType<T, N> d;
  d.basePtr = d.data = data;
  d.offset = 0;
  int64_t stride = 1;
  for (int i = N - 1; i >= 0; --i) {
    d.sizes[i] = sizes[i];
    d.strides[i] = stride;
    stride *= sizes[i];
  }
  return d;
}

/// A module compiled by the CPU pipeline for the host, ready to call.
class JitModule {
public:
  /// Runs the CPU pipeline on `module` (modified in place) and JIT-compiles it
  /// for `target` (a CPU the host can run). Pipeline errors come back with
  /// their diagnostics.
  static llvm::Expected<std::unique_ptr<JitModule>> compile(ModuleOp module,
                                                            const CpuTarget &target = CpuTarget::host());

  /// Calls `function` through its C interface. After lowering, each tensor
  /// argument (qtensors: one per storage buffer) and then each result is one
  /// pointer to a StridedMemRefType descriptor, in that order.
  llvm::Error call(llvm::StringRef function, llvm::ArrayRef<void *> descriptors);

private:
  explicit JitModule(std::unique_ptr<ExecutionEngine> engine) : engine(std::move(engine)) {}
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_JIT_H
