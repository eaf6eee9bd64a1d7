//===- HlsKernel.h - One generated HLS kernel (private to codegen/hls) -----===//
//
// What HlsProject needs from each kind of kernel: its ports, its C++, its
// testbench data with the host reference's outputs, and its estimate. The
// kinds: a qf.matmul with integer activations (MatmulKernel.cpp), a
// qf.hadamard (HadamardKernel.cpp) and a qf.quantize (QuantizeKernel.cpp).
//===----------------------------------------------------------------------===//
#ifndef QFORGE_CODEGEN_HLS_HLSKERNEL_H
#define QFORGE_CODEGEN_HLS_HLSKERNEL_H

#include "codegen/hls/HlsProject.h"

#include "qf/IR/Qf.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace qforge::hls {

/// A pointer argument of the top function: f32 elements or bytes.
struct Port {
  std::string name;
  bool output = false;
  bool bytes = false; ///< ap_uint<8> (storage bytes), else float
  int64_t count = 0;
  int64_t sizeInBytes() const { return bytes ? count : 4 * count; }
};

/// A documented model (docs/hls.md), not a synthesis result.
struct Estimate {
  int64_t dsp = 0, lut = 0, bram18k = 0, latencyCycles = 0, intervalCycles = 0;
};

/// Port name -> little-endian bytes.
using TestData = std::map<std::string, std::vector<uint8_t>>;

class HlsKernel {
public:
  virtual ~HlsKernel() = default;
  const std::string &getName() const { return name; }
  /// One line for the projects' index: what the kernel computes.
  virtual std::string describe() const = 0;
  virtual std::vector<Port> ports() const = 0;
  /// The C++ before the top function (constants, ROMs, stages), inside an
  /// anonymous namespace.
  virtual std::string emitStages() const = 0;
  /// The statements of the top function after its interface pragmas.
  virtual std::string emitTopBody() const = 0;
  /// Random inputs from `seed` and the host reference's outputs.
  virtual llvm::Expected<TestData> makeTestData(uint64_t seed) const = 0;
  virtual Estimate estimate() const = 0;
  /// The knobs as they apply, for the report.
  virtual std::string describeKnobs() const = 0;

protected:
  explicit HlsKernel(std::string name) : name(std::move(name)) {}
  std::string name;
};

/// Test activations, rows x cols: heavy tails, rows of magnitude 1, 40 and
/// 1e-3 in turn, and a last row of zeros when there are several.
std::vector<float> testActivations(int64_t rows, int64_t cols, std::mt19937_64 &rng);
/// The little-endian bytes of `values`.
std::vector<uint8_t> bytesOf(llvm::ArrayRef<float> values);

/// `type` as a static rank-2 f32 tensor type; null if it is not one.
mlir::RankedTensorType staticF32Matrix(mlir::Type type);

/// "file:line:col: `what`: " for errors at `loc`.
std::string errorPrefix(mlir::Location loc, llvm::StringRef what);

llvm::Expected<std::unique_ptr<HlsKernel>> makeMatmulKernel(mlir::func::FuncOp fn, mlir::qf::MatmulOp op,
                                                            const HlsOptions &options);
llvm::Expected<std::unique_ptr<HlsKernel>> makeHadamardKernel(mlir::func::FuncOp fn, mlir::qf::HadamardOp op,
                                                              const HlsOptions &options);
llvm::Expected<std::unique_ptr<HlsKernel>> makeQuantizeKernel(mlir::func::FuncOp fn, mlir::qf::QuantizeOp op,
                                                              const HlsOptions &options);

} // namespace qforge::hls

#endif // QFORGE_CODEGEN_HLS_HLSKERNEL_H
