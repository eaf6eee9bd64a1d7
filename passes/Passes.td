#ifndef QFORGE_PASSES_TD
#define QFORGE_PASSES_TD

include "mlir/Pass/PassBase.td"

def QfLowerToLinalg : Pass<"qf-lower-to-linalg", "ModuleOp"> {
  let summary = "Lower qf ops to linalg on packed storage, decoding in the loop body";
  let description = [{
    Replaces every `!qf.qtensor` by its storage buffers (one `tensor<Nxi8>`
    per buffer of its layout, qf/IR/Layout.h: a 1:N type conversion of
    function signatures, calls and returns) and lowers

    - `qf.matmul` with an activation scheme (signed integer codes, float
      scales) to integer dot products: activations are quantized on the fly
      exactly as the reference quantizer does, weights read as unsigned
      bytes, each 32-element chunk one `qf.dot4` (4-bit formats whose values
      are integer multiples of a power of two, 8-bit integer formats; with
      `word-planes`, NF4-like codebooks as i16 planes and `qf.dot2`); for
      other weights the activations are quantized and dequantized ahead;
    - `qf.matmul` to vector loops that decode a chunk of 16 weights at a time
      and FMA it into one accumulator per activation row (4- and 8-bit planar
      schemes grouped along K, and the GGUF block types; 4-bit codebook and
      minifloat codes decode through `qf.lookup`), otherwise
      to a `linalg.generic` whose body decodes the weight element it
      multiplies: nothing is materialised in f32;
    - `qf.dequantize` to a `linalg.generic` that decodes each element.

    Element and scale decodes come from the format interface
    (`buildDecode`), so a new format needs no change here. Ops without a
    lowering yet (quantize, requantize, hadamard, weight) and activation
    schemes without one are reported as errors at their location.
  }];
  let options = [
    Option<"signedWeightBytes", "signed-weight-bytes", "bool", /*default=*/"false",
           "4-bit weights whose unsigned bytes would exceed 127 (IQ4_NL) take "
           "signed bytes in their dot products: for targets whose byte dot "
           "product is AVX2's vpmaddubsw, which saturates pairs of large "
           "unsigned bytes">,
    Option<"avx2LookupOrder", "avx2-lookup-order", "bool", /*default=*/"false",
           "4-bit codes that decode by an f32 table come in the order AVX2's "
           "byte-wise table lookup reads them (qf-lower-simd-ops with avx2 "
           "alone), the activations permuted to match once a call">,
    Option<"wordPlanes", "word-planes", "bool", /*default=*/"false",
           "4-bit codebooks without byte codes (NF4) with an activation scheme "
           "take the decode kernel on up to 2 activation rows as i16 fixed-point "
           "planes of their values and qf.dot2 on activation codes widened to "
           "i16, not the f32 kernel on dequantized activations: for AVX2 "
           "without AVX-512, whose f32 table lookups take 13 shuffles a 32 "
           "lanes">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "vector registers the target has (16 with AVX2 alone): the panels "
           "kernel's default register tile is 4 activation rows by 32 "
           "columns with 32; with 16, 2 rows by 16 columns where eight dot "
           "products share a vpmaddwd, else 1 row by 32 (by 16 where each "
           "takes its own); the f32 vector kernel's accumulators are 8 lanes "
           "with 16, whole chunks with 32">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect"];
}

def QfInsertPrefetch : Pass<"qf-insert-prefetch", "func::FuncOp"> {
  let summary = "Prefetch the argument bytes a marked loop reads some iterations ahead";
  let description = [{
    For every `scf.for` with a `qf.prefetch_distance = D` attribute (set by
    the rows kernel of `qf.matmul` from its schedule's `prefetch` knob), the
    `vector.transfer_read`s in the loop body (not in nested loops) from a
    memref that is, through views, an argument of the function (the
    weights; what the kernel computes itself is in the cache already) whose
    indices depend on the induction variable are grouped into streams: reads
    of one memref whose last indices differ by constants only (additions,
    multiplications and exact divisions by constants are seen through).
    Each stream gets a `memref.prefetch` every 64 bytes from its lowest
    element to its highest and one at the highest, at the indices the reads
    take D iterations later (the first read's index computation cloned with
    the induction variable advanced by D steps), the stream's first element
    clamped once so that its span ends within the memref. D = 0
    (the schedule's default) takes `ahead-bytes` of the streams' reads ahead,
    rounded up to whole iterations, or no prefetch where that is 0. Runs
    after bufferization.
  }];
  let options = [
    Option<"aheadBytes", "ahead-bytes", "int64_t", /*default=*/"0",
           "Bytes of a loop's weight streams ahead that D = 0 prefetches (0: none)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def QfLowerSimdOps : Pass<"qf-lower-simd-ops"> {
  let summary = "Lower qf.lookup, qf.dot4 and qf.dot2 to host SIMD intrinsics or plain vector ops";
  let description = [{
    `qf.lookup` with an f32 table: with `avx512`, one
    `llvm.x86.avx512.permvar.sf.512` (vpermps) per 16 lanes; with `avx2`
    alone, per 32 (or 16) lanes one `pshufb` for each byte of the entries and
    in-lane unpacks that join the bytes into f32 lanes (8 lanes: `permps` on
    each half of the table and a select). With a byte table: with `avx2`, one
    `pshufb` per 32 (or 16) lanes; with an i16 table two and their
    interleave. `qf.dot4`: with `vnni`, one `vpdpbusd` per 16, 8 or 4 lanes.
    `qf.dot2`: with `vnni`, one `vpdpwssd`; with `avx2`, `vpmaddwd` and an
    add per 8 lanes. Otherwise lookups become a
    tree of `arith.select` on the code bits (f32 progressions a convert and a
    multiply-add) and dot products widening multiplies and a
    `vector.multi_reduction`. Runs after bufferization (the intrinsic calls
    have no declared memory effects).
  }];
  let options = [
    Option<"avx512", "avx512", "bool", /*default=*/"false",
           "Use the AVX-512 permute for f32 tables (the target must have AVX-512F)">,
    Option<"avx2", "avx2", "bool", /*default=*/"false",
           "Use pshufb and permps for tables (the target must have AVX2)">,
    Option<"vnni", "vnni", "bool", /*default=*/"false",
           "Use vpdpbusd for qf.dot4 and vpdpwssd for qf.dot2 (the target must have AVX512-VNNI with VL, or AVX-VNNI)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def QfFuseDequant : Pass<"qf-fuse-dequant"> {
  let summary = "Fuse qf.dequantize into the contractions that consume it";
  let description = [{
    A linalg contraction (`linalg.matmul` with a transposed B, `linalg.matvec`,
    or any `linalg.generic` contraction of the same shape) one of whose
    inputs is `qf.dequantize(%w)` with `%w : !qf.qtensor<NxK, S>` indexed
    (n, k) becomes `qf.matmul` on the quantized weights, so nothing is
    materialised in f32. The activation may have any leading batch
    dimensions or be a vector. A non-zero accumulator is added afterwards.
    Contractions whose weights run K-major (`linalg.vecmat`, plain
    `linalg.matmul`) are left as they are. Elementwise consumers fuse later,
    after qf-lower-to-linalg, through linalg's elementwise fusion.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QfFuseHadamard : Pass<"qf-fuse-hadamard"> {
  let summary = "Fuse a qf.hadamard along K into the activation quantizer of the qf.matmul it feeds";
  let description = [{
    `qf.matmul(qf.hadamard(%x) {size, seed}, %w) {act_scheme}` becomes
    `qf.matmul(%x, %w) {act_scheme, act_hadamard = size, act_hadamard_seed = seed}`
    when the rotation runs along K, the rotated activations have no other
    use, and the rotation fits the quantizer's reads (blocks within one scale
    group, at most 256). The quantizer then rotates each run of activations
    in registers as it reads it (the same operations qf.hadamard lowers to,
    so the result is bit for bit the same), and the rotated activations are
    never written to memory. Other forms are left to qf.hadamard's own
    lowering.
  }];
}

def QfPolynomialExp : Pass<"qf-polynomial-exp"> {
  let summary = "Rewrite f32 math.exp as polynomial arithmetic, so loops calling it vectorize";
  let description = [{
    A `math.exp` lowered to LLVM becomes a call to the C library's `expf`,
    one element at a time, and the loop around it stays scalar (softmax and
    SiLU spent a sixth of a SmolLM2 prefill there). Upstream's polynomial
    approximation (Cephes' expf: the input clamped to [-87.8, 88.8], reduced
    by a multiple of ln 2, a degree-7 polynomial, the power of two built in
    the exponent bits; within 1 ulp below 88, 4 at the top of the range) is plain arithmetic that LLVM's loop
    vectorizer widens. Other math ops and other precisions are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // QFORGE_PASSES_TD
