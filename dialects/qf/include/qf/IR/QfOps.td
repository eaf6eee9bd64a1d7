#ifndef QF_OPS_TD
#define QF_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "qf/IR/QfBase.td"
include "qf/IR/QfAttrs.td"
include "qf/IR/QfTypes.td"

def Qf_QTensor : Type<CPred<"::llvm::isa<::mlir::qf::QTensorType>($_self)">,
    "quantized tensor", "::mlir::qf::QTensorType">;
def Qf_FloatTensor : RankedTensorOf<[AnyFloat]>;

def Qf_QuantizeOp : Qf_Op<"quantize", [Pure]> {
  let summary = "Quantizes a float tensor with the result type's scheme";
  let description = [{
    ```
    %q = qf.quantize %x : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
    ```
    Scales are computed from the data (dynamic quantization).
  }];
  let arguments = (ins Qf_FloatTensor:$input);
  let results = (outs Qf_QTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` qualified(type($result))";
  let hasVerifier = 1;
}

def Qf_DequantizeOp : Qf_Op<"dequantize", [Pure]> {
  let summary = "Decodes a quantized tensor to floats";
  let description = [{
    ```
    %x = qf.dequantize %q : !qf.qtensor<64x128, q4_0> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Qf_QTensor:$input);
  let results = (outs Qf_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` type($result)";
  let hasVerifier = 1;
}

def Qf_RequantizeOp : Qf_Op<"requantize", [Pure]> {
  let summary = "Converts a quantized tensor to another scheme";
  let description = [{
    Equivalent to dequantize followed by quantize; a backend may do it
    without materialising floats.
    ```
    %r = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, mxfp4>
    ```
  }];
  let arguments = (ins Qf_QTensor:$input);
  let results = (outs Qf_QTensor:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` qualified(type($result))";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qf_HadamardOp : Qf_Op<"hadamard", [Pure, SameOperandsAndResultType]> {
  let summary = "Block-diagonal (randomised) Walsh-Hadamard rotation along an axis";
  let description = [{
    Multiplies consecutive blocks of `size` elements along `axis` (default
    the last) by the orthonormal Hadamard matrix H_size / sqrt(size), after an
    optional random +-1 diagonal drawn from `seed`.
    ```
    %y = qf.hadamard %x {size = 32} : tensor<8x4096xf32>
    ```
  }];
  let arguments = (ins Qf_FloatTensor:$input, I64Attr:$size,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs Qf_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Qf_MatmulOp : Qf_Op<"matmul", [Pure]> {
  let summary = "Activations times quantized weights: C[..., m, n] = sum_k A[..., m, k] W[n, k]";
  let description = [{
    Weights are stored [N, K] (output features, input features) as in GGUF;
    `act_scheme`, when present, quantizes the activations on the fly
    (W4A8-style kernels). `act_hadamard` (with `act_hadamard_seed`) rotates
    the activations along K first, exactly as
    `qf.hadamard {size = act_hadamard, seed = act_hadamard_seed}` does, inside
    the quantizer's pass over them (qf-fuse-hadamard forms it). `schedule`
    sets the CPU kernel's knobs (`qforge tune` finds them).
    ```
    %c = qf.matmul %a, %w : tensor<16x4096xf32>, !qf.qtensor<11008x4096, q4_0> -> tensor<16x11008xf32>
    ```
  }];
  let arguments = (ins Qf_FloatTensor:$lhs, Qf_QTensor:$rhs,
                       OptionalAttr<Qf_SchemeAttr>:$act_scheme,
                       OptionalAttr<I64Attr>:$act_hadamard,
                       OptionalAttr<I64Attr>:$act_hadamard_seed,
                       OptionalAttr<Qf_CpuScheduleAttr>:$schedule);
  let results = (outs Qf_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` qualified(type($rhs)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Qf_WeightOp : Qf_Op<"weight", [Pure, ConstantLike]> {
  let summary = "A quantized constant in its packed storage";
  let description = [{
    `data` holds the bytes of the type's layout: a `dense_resource` of i8/ui8
    or an external file range.
    ```
    %w = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
    %v = qf.weight dense_resource<w0> : tensor<2304xui8> -> !qf.qtensor<32x128, q4_0>
    ```
  }];
  let arguments = (ins AnyAttrOf<[Qf_ExternalBlobAttr, Builtin_DenseResourceElementsAttr]>:$data);
  let results = (outs Qf_QTensor:$result);
  let assemblyFormat = "$data attr-dict `->` qualified(type($result))";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qf_LookupOp : Qf_Op<"lookup", [Pure, AllShapesMatch<["codes", "result"]>]> {
  let summary = "Table lookup: result[i] = table[codes[i]]";
  let description = [{
    Decodes a vector of small integer codes through a table of at most 16
    values, as codebook and minifloat formats do. With an f32 result the
    codes are i32 (the f32 decode of 4-bit formats); with an i8 result the
    codes are i8 and the table holds byte values, integers in [-128, 255]
    (the integer codes an integer dot product consumes); with an i16 result
    the codes are i8 and the table holds integers in [-32768, 32767] (a
    plane of a codebook's values in fixed point, for `qf.dot2`). The CPU
    pipeline lowers f32 tables to one AVX-512 permute per 16 lanes, byte
    tables to one byte shuffle per 16 or 32 lanes where the host has them,
    i16 tables to two byte shuffles (the entries' low and high bytes) and
    their interleave, and any of them to a tree of selects otherwise.
    ```
    %v = qf.lookup %codes {table = array<f32: 0.0, 0.5, ...>} : vector<32xi32> -> vector<32xf32>
    %u = qf.lookup %nibbles {table = array<f32: 12.0, 13.0, ...>} : vector<32xi8> -> vector<32xi8>
    %h = qf.lookup %nibbles {table = array<f32: -8192.0, -5703.0, ...>} : vector<32xi8> -> vector<32xi16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32, I8]>:$codes, DenseF32ArrayAttr:$table);
  let results = (outs VectorOfRankAndType<[1], [F32, I8, I16]>:$result);
  let assemblyFormat = "$codes attr-dict `:` type($codes) `->` type($result)";
  let hasVerifier = 1;
}

def Qf_Dot4Op : Qf_Op<"dot4", [Pure, AllTypesMatch<["acc", "result"]>,
                                AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Sums of four byte products into i32 lanes";
  let description = [{
    `result[i] = acc[i] + sum_{j < 4} ext(lhs[4i + j]) * sext(rhs[4i + j])`,
    without saturation: the integer dot product of quantized weights and
    quantized activations (signed bytes). The weight bytes `lhs` are unsigned
    (`ext` = zext) unless `lhs_signed` is set (`ext` = sext; they then lie in
    [-127, 127]). `lhs_max`, where given, is the largest value (signed: the
    largest magnitude) any `lhs` byte takes (4-bit codes: at most 24), which
    lets pairs of products be summed in 16 bits. The CPU pipeline lowers it
    to one VNNI `vpdpbusd` where the target has one; with AVX2 to
    `vpmaddubsw` then `vpmaddwd` (unsigned bytes above 127 or unknown: even
    and odd bytes in turn; a chain of dot products into one accumulator sums
    in 16 bits what cannot overflow first); and to widening multiplies and a
    reduction otherwise. A signed `lhs` takes the activations' magnitudes as
    the unsigned operand and its own bytes with their signs (`vpsignb`) as
    the signed one.
    ```
    %d = qf.dot4 %acc, %u, %a {lhs_max = 15} : vector<32xi8> -> vector<8xi32>
    %e = qf.dot4 %acc, %w, %a {lhs_max = 127, lhs_signed} : vector<32xi8> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<0>, IntMaxValue<255>]>>:$lhs_max,
                       UnitAttr:$lhs_signed);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)";
  let hasVerifier = 1;
}

def Qf_Dot2Op : Qf_Op<"dot2", [Pure, AllTypesMatch<["acc", "result"]>,
                                AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Sums of two i16 products into i32 lanes";
  let description = [{
    `result[i] = acc[i] + sext(lhs[2i]) * sext(rhs[2i]) + sext(lhs[2i + 1]) * sext(rhs[2i + 1])`,
    wrapping: the integer dot product of a codebook's values in fixed point
    (`qf.lookup` to i16) and activation codes widened to i16. The CPU
    pipeline lowers it to one VNNI `vpdpwssd` where the target has one,
    to `vpmaddwd` and an add with AVX2, and to widening multiplies and a
    reduction otherwise.
    ```
    %d = qf.dot2 %acc, %w, %a : vector<16xi16> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I16]>:$lhs,
                       VectorOfRankAndType<[1], [I16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)";
  let hasVerifier = 1;
}

#endif // QF_OPS_TD
