// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// CHECK-LABEL: func @quantize(
// CHECK-SAME: %[[X:.*]]: tensor<64x128xf32>
// CHECK: %[[Q:.*]] = qf.quantize %[[X]] : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
// CHECK: return %[[Q]]
func.func @quantize(%x: tensor<64x128xf32>) -> !qf.qtensor<64x128, mxfp4> {
  %q = qf.quantize %x : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
  return %q : !qf.qtensor<64x128, mxfp4>
}

// CHECK-LABEL: func @quantize_f16_full_form(
// CHECK: qf.quantize %{{.*}} : tensor<4x32xf16> -> !qf.qtensor<4x32, #qf.scheme<element = #qf.int<4, unsigned>, group = 16, scale = f16, zero_point = #qf.int<4, unsigned>>>
func.func @quantize_f16_full_form(%x: tensor<4x32xf16>) -> !qf.qtensor<4x32, #qf.scheme<element = #qf.int<4, unsigned>, group = 16, scale = f16, zero_point = #qf.int<4, unsigned>>> {
  %q = qf.quantize %x : tensor<4x32xf16> -> !qf.qtensor<4x32, #qf.scheme<element = #qf.int<4, unsigned>, group = 16, scale = f16, zero_point = #qf.int<4, unsigned>>>
  return %q : !qf.qtensor<4x32, #qf.scheme<element = #qf.int<4, unsigned>, group = 16, scale = f16, zero_point = #qf.int<4, unsigned>>>
}

// CHECK-LABEL: func @dequantize(
// CHECK-SAME: %[[Q:.*]]: !qf.qtensor<64x128, q4_0>
// CHECK: qf.dequantize %[[Q]] : !qf.qtensor<64x128, q4_0> -> tensor<64x128xf32>
// CHECK: qf.dequantize %[[Q]] : !qf.qtensor<64x128, q4_0> -> tensor<64x128xbf16>
func.func @dequantize(%q: !qf.qtensor<64x128, q4_0>) -> (tensor<64x128xf32>, tensor<64x128xbf16>) {
  %x = qf.dequantize %q : !qf.qtensor<64x128, q4_0> -> tensor<64x128xf32>
  %y = qf.dequantize %q : !qf.qtensor<64x128, q4_0> -> tensor<64x128xbf16>
  return %x, %y : tensor<64x128xf32>, tensor<64x128xbf16>
}

// CHECK-LABEL: func @requantize(
// CHECK: %[[R:.*]] = qf.requantize %{{.*}} : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, mxfp4>
// CHECK: qf.requantize %[[R]] : !qf.qtensor<64x128, mxfp4> -> !qf.qtensor<64x128, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<ue4m3>>>
func.func @requantize(%q: !qf.qtensor<64x128, q8_0>) -> !qf.qtensor<64x128, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = ue4m3>> {
  %r = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, mxfp4>
  %s = qf.requantize %r : !qf.qtensor<64x128, mxfp4> -> !qf.qtensor<64x128, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = ue4m3>>
  return %s : !qf.qtensor<64x128, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = ue4m3>>
}

// Without canonicalization a same-type requantize stays.
// CHECK-LABEL: func @requantize_same_type(
// CHECK: qf.requantize %{{.*}} : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, q8_0>
func.func @requantize_same_type(%q: !qf.qtensor<64x128, q8_0>) -> !qf.qtensor<64x128, q8_0> {
  %r = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, q8_0>
  return %r : !qf.qtensor<64x128, q8_0>
}

// The default axis (-1) is not printed.
// CHECK-LABEL: func @hadamard(
// CHECK: qf.hadamard %{{.*}} {size = 32 : i64} : tensor<8x4096xf32>
// CHECK: qf.hadamard %{{.*}} {size = 4096 : i64} : tensor<8x4096xf32>
// CHECK: qf.hadamard %{{.*}} {axis = 0 : i64, size = 8 : i64} : tensor<8x4096xf32>
// CHECK: qf.hadamard %{{.*}} {axis = 1 : i64, seed = 42 : i64, size = 2 : i64} : tensor<8x4096xf32>
// CHECK: qf.hadamard %{{.*}} {axis = -2 : i64, seed = -7 : i64, size = 8 : i64} : tensor<8x4096xf32>
func.func @hadamard(%x: tensor<8x4096xf32>) -> tensor<8x4096xf32> {
  %0 = qf.hadamard %x {size = 32} : tensor<8x4096xf32>
  %1 = qf.hadamard %0 {size = 4096, axis = -1} : tensor<8x4096xf32>
  %2 = qf.hadamard %1 {size = 8, axis = 0} : tensor<8x4096xf32>
  %3 = qf.hadamard %2 {size = 2, axis = 1, seed = 42} : tensor<8x4096xf32>
  %4 = qf.hadamard %3 {size = 8, axis = -2, seed = -7} : tensor<8x4096xf32>
  return %4 : tensor<8x4096xf32>
}

// A dynamic dimension is not checked against the block size.
// CHECK-LABEL: func @hadamard_dynamic(
// CHECK: qf.hadamard %{{.*}} {axis = 0 : i64, size = 16 : i64} : tensor<?x64xf16>
func.func @hadamard_dynamic(%x: tensor<?x64xf16>) -> tensor<?x64xf16> {
  %0 = qf.hadamard %x {size = 16, axis = 0} : tensor<?x64xf16>
  return %0 : tensor<?x64xf16>
}

// CHECK-LABEL: func @matmul(
// CHECK-SAME: %[[A:.*]]: tensor<16x4096xf32>, %[[W:.*]]: !qf.qtensor<11008x4096, q4_0>
// CHECK: qf.matmul %[[A]], %[[W]] : tensor<16x4096xf32>, !qf.qtensor<11008x4096, q4_0> -> tensor<16x11008xf32>
func.func @matmul(%a: tensor<16x4096xf32>, %w: !qf.qtensor<11008x4096, q4_0>) -> tensor<16x11008xf32> {
  %c = qf.matmul %a, %w : tensor<16x4096xf32>, !qf.qtensor<11008x4096, q4_0> -> tensor<16x11008xf32>
  return %c : tensor<16x11008xf32>
}

// CHECK-LABEL: func @matmul_act_scheme(
// CHECK: qf.matmul %{{.*}}, %{{.*}} {act_scheme = #qf.scheme<int8_g32>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
// CHECK: qf.matmul %{{.*}}, %{{.*}} {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
// CHECK: qf.matmul %{{.*}}, %{{.*}} {act_scheme = #qf.scheme<element = #qf.float<e4m3>, scale = f32>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
func.func @matmul_act_scheme(%a: tensor<16x4096xf32>, %w: !qf.qtensor<64x4096, q4_k>) -> (tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) {
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
  %1 = qf.matmul %a, %w {act_scheme = #qf.scheme<!quant.uniform<i8:f32:0, {0.5}>>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
  %2 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.float<e4m3>, scale = f32>} : tensor<16x4096xf32>, !qf.qtensor<64x4096, q4_k> -> tensor<16x64xf32>
  return %0, %1, %2 : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
}

// CHECK-LABEL: func @matmul_batched(
// CHECK: qf.matmul %{{.*}}, %{{.*}} : tensor<2x3x16x128xf16>, !qf.qtensor<64x128, mxfp4> -> tensor<2x3x16x64xf16>
// CHECK: qf.matmul %{{.*}}, %{{.*}} {act_scheme = #qf.scheme<mxfp8_e4m3>} : tensor<2x3x16x128xf16>, !qf.qtensor<64x128, mxfp4> -> tensor<2x3x16x64xf32>
func.func @matmul_batched(%a: tensor<2x3x16x128xf16>, %w: !qf.qtensor<64x128, mxfp4>) -> (tensor<2x3x16x64xf16>, tensor<2x3x16x64xf32>) {
  %0 = qf.matmul %a, %w : tensor<2x3x16x128xf16>, !qf.qtensor<64x128, mxfp4> -> tensor<2x3x16x64xf16>
  %1 = qf.matmul %a, %w {act_scheme = #qf.scheme<mxfp8_e4m3>} : tensor<2x3x16x128xf16>, !qf.qtensor<64x128, mxfp4> -> tensor<2x3x16x64xf32>
  return %0, %1 : tensor<2x3x16x64xf16>, tensor<2x3x16x64xf32>
}

// Weight scales may be per output row (per_axis = 0) or 2-D blocks.
// CHECK-LABEL: func @matmul_weight_granularities(
// CHECK: qf.matmul %{{.*}}, %{{.*}} : tensor<4x128xf32>, !qf.qtensor<64x128, fp8_e4m3> -> tensor<4x64xf32>
// CHECK: qf.matmul %{{.*}}, %{{.*}} : tensor<4x128xf32>, !qf.qtensor<64x128, #qf.scheme<element = #qf.int<8>, block = [32, 32], scale = f32>> -> tensor<4x64xf32>
func.func @matmul_weight_granularities(%a: tensor<4x128xf32>, %w0: !qf.qtensor<64x128, fp8_e4m3>, %w1: !qf.qtensor<64x128, #qf.scheme<element = #qf.int<8>, block = [32, 32], scale = f32>>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %0 = qf.matmul %a, %w0 : tensor<4x128xf32>, !qf.qtensor<64x128, fp8_e4m3> -> tensor<4x64xf32>
  %1 = qf.matmul %a, %w1 : tensor<4x128xf32>, !qf.qtensor<64x128, #qf.scheme<element = #qf.int<8>, block = [32, 32], scale = f32>> -> tensor<4x64xf32>
  return %0, %1 : tensor<4x64xf32>, tensor<4x64xf32>
}

// Dynamic M and K on the activations.
// CHECK-LABEL: func @matmul_dynamic(
// CHECK: qf.matmul %{{.*}}, %{{.*}} : tensor<?x?xf32>, !qf.qtensor<64x128, q8_0> -> tensor<?x64xf32>
func.func @matmul_dynamic(%a: tensor<?x?xf32>, %w: !qf.qtensor<64x128, q8_0>) -> tensor<?x64xf32> {
  %0 = qf.matmul %a, %w : tensor<?x?xf32>, !qf.qtensor<64x128, q8_0> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// 32x128 q4_0: 128 blocks of 18 bytes = 2304 bytes.
// CHECK-LABEL: func @weight_blob(
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
func.func @weight_blob() -> !qf.qtensor<32x128, q4_0> {
  %w = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
  return %w : !qf.qtensor<32x128, q4_0>
}

// Planar sizes: 64x128 mxfp4 = 4096 bytes of e2m1 codes + 256 e8m0 scales;
// 4x256 q4_k = 4 GGUF blocks of 144 bytes.
// CHECK-LABEL: func @weight_blob_sizes(
// CHECK: qf.weight #qf.blob<"w.bin", offset = 0, size = 4352> -> !qf.qtensor<64x128, mxfp4>
// CHECK: qf.weight #qf.blob<"w.bin", offset = 4352, size = 576> -> !qf.qtensor<4x256, q4_k>
func.func @weight_blob_sizes() -> (!qf.qtensor<64x128, mxfp4>, !qf.qtensor<4x256, q4_k>) {
  %0 = qf.weight #qf.blob<"w.bin", offset = 0, size = 4352> -> !qf.qtensor<64x128, mxfp4>
  %1 = qf.weight #qf.blob<"w.bin", offset = 4352, size = 576> -> !qf.qtensor<4x256, q4_k>
  return %0, %1 : !qf.qtensor<64x128, mxfp4>, !qf.qtensor<4x256, q4_k>
}

// 1x32 q4_0: one 18-byte block (f16 scale + 16 bytes of nibbles).
// CHECK-LABEL: func @weight_resource(
// CHECK: qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x32, q4_0>
// CHECK: qf.weight dense_resource<w1> : tensor<18xi8> -> !qf.qtensor<1x32, q4_0>
func.func @weight_resource() -> (!qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>) {
  %v = qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x32, q4_0>
  %u = qf.weight dense_resource<w1> : tensor<18xi8> -> !qf.qtensor<1x32, q4_0>
  return %v, %u : !qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>
}

// The resource blobs survive the round trip.
// CHECK: {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: builtin: {
// CHECK-NEXT: w0: "0x04000000003C0123456789ABCDEF0123456789ABCDEF",
// CHECK-NEXT: w1: "0x04000000003C00000000000000000000000000000000"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000003c0123456789abcdef0123456789abcdef",
      w1: "0x04000000003c00000000000000000000000000000000"
    }
  }
#-}
