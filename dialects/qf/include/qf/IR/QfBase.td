#ifndef QF_BASE_TD
#define QF_BASE_TD

include "mlir/IR/OpBase.td"

def Qf_Dialect : Dialect {
  let name = "qf";
  let cppNamespace = "::mlir::qf";
  let summary = "Quantization schemes as IR";
  let description = [{
    The `qf` dialect describes quantized tensors: element formats (integers,
    minifloats, lookup tables), how they are grouped and scaled (schemes), the
    physical storage those imply, and the operations that produce and consume
    them (quantize, dequantize, requantize, Hadamard rotation, matmul with
    quantized weights, quantized constants).
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
  let extraClassDeclaration = [{
    /// Resolves a preset scheme name (e.g. "mxfp4", "q4_k"); null if unknown.
    ::mlir::Attribute lookupPreset(::llvm::StringRef name);
    /// The preset name a scheme equals, or "".
    ::llvm::StringRef lookupPresetName(::mlir::Attribute scheme);

    /// The discardable attributes the dialect defines.
    static constexpr ::llvm::StringLiteral kHlsScheduleAttrName = "qf.hls_schedule";

  private:
    void buildPresetCache();
    ::llvm::StringMap<::mlir::Attribute> presetCache;
    ::llvm::DenseMap<::mlir::Attribute, ::llvm::StringRef> presetNames;
    ::llvm::sys::SmartMutex<true> presetMutex;
  public:
  }];
}

class Qf_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qf_Dialect, mnemonic, traits>;

#endif // QF_BASE_TD
