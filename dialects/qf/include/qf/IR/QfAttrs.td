#ifndef QF_ATTRS_TD
#define QF_ATTRS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "qf/IR/QfBase.td"
include "qf/IR/QfFormatInterface.td"

//===----------------------------------------------------------------------===//
// Enums (plain C++ enums; they appear only inside #qf.scheme / #qf.float).
//===----------------------------------------------------------------------===//

def Qf_MinifloatKind : I32EnumAttr<"MinifloatKind", "OCP/NVIDIA minifloat", [
    I32EnumAttrCase<"e2m1", 0>, I32EnumAttrCase<"e2m3", 1>,
    I32EnumAttrCase<"e3m2", 2>, I32EnumAttrCase<"e4m3", 3>,
    I32EnumAttrCase<"e5m2", 4>, I32EnumAttrCase<"e8m0", 5>,
    I32EnumAttrCase<"ue4m3", 6>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

def Qf_Granularity : I32EnumAttr<"Granularity", "what one scale covers", [
    I32EnumAttrCase<"tensor", 0>, I32EnumAttrCase<"per_axis", 1>,
    I32EnumAttrCase<"group", 2>, I32EnumAttrCase<"block", 3>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

def Qf_OffsetKind : I32EnumAttr<"OffsetKind", "asymmetric offset", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"zero_point", 1>,
    I32EnumAttrCase<"min", 2>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

def Qf_RoundingMode : I32EnumAttr<"RoundingMode", "rounding to a code", [
    I32EnumAttrCase<"nearest_even", 0>, I32EnumAttrCase<"nearest_away", 1>,
    I32EnumAttrCase<"nearest_up", 2>, I32EnumAttrCase<"nearest_lowest_code", 3>,
    I32EnumAttrCase<"toward_zero", 4>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

def Qf_LayoutKind : I32EnumAttr<"LayoutKind", "physical storage layout", [
    I32EnumAttrCase<"planar", 0>, I32EnumAttrCase<"ggml", 1>, I32EnumAttrCase<"tiled", 2>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

def Qf_KernelPath : I32EnumAttr<"KernelPath", "which CPU kernel a matmul on integer dots runs", [
    I32EnumAttrCase<"automatic", 0, "auto">, I32EnumAttrCase<"rows", 1>,
    I32EnumAttrCase<"panels", 2>]> {
  let cppNamespace = "::mlir::qf";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Formats
//===----------------------------------------------------------------------===//

class Qf_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Qf_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class Qf_FormatAttr<string name, string attrMnemonic>
    : Qf_Attr<name, attrMnemonic, [DeclareAttrInterfaceMethods<
        Qf_QuantFormatAttrInterface,
        ["isEvenCode", "getOverflowCode", "getNaNCode", "getBuiltinType"]>]>;

def Qf_IntFormatAttr : Qf_FormatAttr<"IntFormat", "int"> {
  let summary = "Two's complement or unsigned integer, optionally fixed point";
  let description = [{
    `#qf.int<4>` (signed), `#qf.int<4, unsigned>`, `#qf.int<8, signed, frac = 6>`
    (value = code * 2^-frac; MXINT8's element). Widths 2 to 8.
  }];
  let parameters = (ins "unsigned":$width, "bool":$signedness,
                        DefaultValuedParameter<"unsigned", "0">:$frac);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Qf_FloatFormatAttr : Qf_FormatAttr<"FloatFormat", "float"> {
  let summary = "OCP minifloat element or scale format";
  let description = [{
    `#qf.float<e2m1>`, `e2m3`, `e3m2` (OCP FP4/FP6: no inf, no NaN), `e4m3`
    (OCP E4M3FN: no inf, NaN = S.1111.111), `e5m2` (IEEE-like), `e8m0` (OCP MX
    scale: 2^(e-127), 0xFF NaN) and `ue4m3` (NVFP4 block scale: unsigned E4M3,
    0x7F NaN).
  }];
  let parameters = (ins "MinifloatKind":$kind);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    unsigned getExponentBits() const;
    unsigned getMantissaBits() const;
  }];
}

def Qf_LutFormatAttr : Qf_FormatAttr<"LutFormat", "lut"> {
  let summary = "Lookup-table (codebook) format";
  let description = [{
    Code i stands for `values[i]`; the table has 2^bits entries. Named
    instances print by name: `#qf.lut<nf4>` (QLoRA NormalFloat4) and
    `#qf.lut<iq4_nl>` (ggml IQ4_NL); any other table prints as
    `#qf.lut<[v0, v1, ...]>`.
  }];
  let parameters = (ins "DenseF64ArrayAttr":$table);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    ArrayRef<double> getValues() const { return getTable().asArrayRef(); }
  }];
}

def Qf_TernaryFormatAttr : Qf_FormatAttr<"TernaryFormat", "ternary"> {
  let summary = "Ternary {-1, 0, +1} in two bits (code = value + 1; 3 is invalid)";
  let parameters = (ins);
  let hasCustomAssemblyFormat = 1;
}

// The worked example of docs/adding-a-format.md: a format is this def plus
// the interface methods in FnuzFormatAttr.cpp; nothing else changes.
def Qf_FnuzFormatAttr : Qf_Attr<"FnuzFormat", "fnuz", [DeclareAttrInterfaceMethods<
    Qf_QuantFormatAttrInterface, ["getOverflowCode", "getNaNCode", "getBuiltinType"]>]> {
  let summary = "FP8 without negative zero or infinity (AMD/Graphcore FNUZ)";
  let description = [{
    `#qf.fnuz<e4m3>` (bias 8, max 240) and `#qf.fnuz<e5m2>` (bias 16, max
    57344): 0x80, the negative-zero pattern, is the only NaN.
  }];
  let parameters = (ins "unsigned":$exponentBits);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Scheme
//===----------------------------------------------------------------------===//

def Qf_SchemeAttr : Qf_Attr<"Scheme", "scheme"> {
  let summary = "A quantization scheme: format, grouping, scales, offsets";
  let description = [{
    Either a preset name (`#qf.scheme<mxfp4>`) or the full form:

    ```
    #qf.scheme<element = #qf.int<4>, group = 128, scale = f16>
    #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = #qf.float<ue4m3>,
               tensor_scale = f32>
    #qf.scheme<element = #qf.int<4, unsigned>, group = 32,
               scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>,
               super_block = 256, super_scale = f16, layout = ggml>
    #qf.scheme<!quant.uniform<i8:f32:0, {0.5, 0.25}>>
    ```

    Granularity: `tensor`, `per_axis = A` (one scale per index of axis A),
    `group = G [, axis = A]` (G consecutive elements along A, default the last
    axis), `block = [R, C]` (tiles over the last two axes). `scale` is a float
    type or a format attribute. `zero_point = <int format>` or `min = <float
    type or format>` makes it asymmetric. `super_block = S` with `super_scale`
    adds a second level (integer block scales are multiples of it);
    `tensor_scale = f32` a per-tensor one. `rounding` defaults to
    `nearest_even`, `saturate` to true, `layout` to `planar`. `layout =
    tiled` stores a rank-2 scheme grouped along K in tiles of a row's K axis
    that hold their codes and block scales together (qf/IR/Layout.h).
  }];
  let parameters = (ins
    "QuantFormatAttrInterface":$element,
    "Granularity":$granularity,
    "int64_t":$axis,
    ArrayRefParameter<"int64_t">:$blockShape,
    "Attribute":$scale,
    "OffsetKind":$offset,
    "Attribute":$offsetFormat,
    "int64_t":$superBlock,
    "Type":$superScaleType,
    "Type":$tensorScaleType,
    "RoundingMode":$rounding,
    "bool":$saturate,
    "LayoutKind":$layout);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The group size along the blocked axis (group granularity), else 0.
    int64_t getGroupSize() const;
    /// Bits one block scale takes in storage.
    unsigned getScaleBits() const;
    /// Decodes a stored block-scale code (or raw float bits) to its value.
    double decodeScale(uint64_t code) const;
    /// Whether scales are powers of two chosen from the block maximum (OCP MX).
    bool hasSharedExponentScale() const;
    /// Name of the preset this scheme equals, or "".
    llvm::StringRef getPresetName() const;
    /// The same scheme stored in `layout` (not verified).
    SchemeAttr withLayout(LayoutKind layout) const;
  }];
}

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

def Qf_CpuScheduleAttr : Qf_Attr<"CpuSchedule", "cpu_schedule"> {
  let summary = "How the CPU pipeline lowers one qf.matmul: the knobs `qforge tune` searches";
  let description = [{
    Every knob left out (0, or `auto`) is the lowering's own choice; a set
    knob overrides it, and one that cannot lower this matmul is an error at
    the op (passes/MatmulSchedule.h holds the legal values per matmul).

    - `split`: blocks the runtime runs on its threads (1: the entry runs
      whole); blocks take activation rows when M >= 128, weight rows
      otherwise.
    - `path`: with integer dot products, `rows` (each weight row read once
      per tile of activation rows: decode) or `panels` (weights decoded once
      per panel of columns into a lane-per-column layout, then register tiles
      of activation rows x panel columns: prefill).
    - `k_step`: elements of K a step of the rows kernel (32 to 256).
    - `accumulators`: FMA chains a row in the rows kernel (1 to 8).
    - `row_tile`: activation rows a tile (rows: a divisor of M; panels: up
      to 8).
    - `panel_cols`: output columns a panel (16, 32 or 64).
    - `prefetch`: steps of the rows kernel ahead of the current one whose
      weight bytes are prefetched into the cache (1 to 64; 0: the target's
      default, CpuTarget::prefetchAheadBytes, which is no software prefetch
      on most CPUs).
    ```
    %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>,
                           schedule = #qf.cpu_schedule<split = 8, k_step = 128>} : ...
    ```
  }];
  let parameters = (ins
    DefaultValuedParameter<"int64_t", "0">:$split,
    DefaultValuedParameter<"::mlir::qf::KernelPath", "::mlir::qf::KernelPath::automatic">:$path,
    DefaultValuedParameter<"int64_t", "0">:$k_step,
    DefaultValuedParameter<"int64_t", "0">:$accumulators,
    DefaultValuedParameter<"int64_t", "0">:$row_tile,
    DefaultValuedParameter<"int64_t", "0">:$panel_cols,
    DefaultValuedParameter<"int64_t", "0">:$prefetch);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Qf_HlsScheduleAttr : Qf_Attr<"HlsSchedule", "hls_schedule"> {
  let summary = "The knobs of one op's HLS kernel (`qforge compile --target hls`)";
  let description = [{
    Set on a `qf.matmul`, `qf.hadamard` or `qf.quantize` as the discardable
    attribute `qf.hls_schedule`; a knob left at 0 takes `--unroll` /
    `--partition`, else the kernel's default (docs/hls.md).

    - `unroll`: lanes of a matmul's dot product a cycle (a divisor of its
      joint block: the multipliers; joint / unroll is hls4ml's reuse factor),
      or butterflies of a Hadamard stage a cycle;
    - `partition`: cyclic partitions of the buffer the unrolled loop reads.
    ```
    %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>,
                           qf.hls_schedule = #qf.hls_schedule<unroll = 8>} : ...
    ```
  }];
  let parameters = (ins
    DefaultValuedParameter<"int64_t", "0">:$unroll,
    DefaultValuedParameter<"int64_t", "0">:$partition);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// External storage
//===----------------------------------------------------------------------===//

def Qf_ExternalBlobAttr : Qf_Attr<"ExternalBlob", "blob"> {
  let summary = "Bytes of a file: `#qf.blob<\"model.gguf\", offset = 1024, size = 144>`";
  let parameters = (ins StringRefParameter<>:$path, "int64_t":$offset,
                        "int64_t":$size);
  let assemblyFormat = "`<` $path `,` `offset` `=` $offset `,` `size` `=` $size `>`";
  let genVerifyDecl = 1;
}

#endif // QF_ATTRS_TD
