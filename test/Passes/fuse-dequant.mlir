// RUN: qforge-opt %s --qf-fuse-dequant --split-input-file | FileCheck %s

// linalg.matmul with B transposed (weights stored [N, K]) on a zero
// accumulator: one qf.matmul, no dequantized tensor left.
// CHECK-LABEL: func.func @matmul_transpose_b
// CHECK-SAME: (%[[A:.*]]: tensor<4x64xf32>, %[[W:.*]]: !qf.qtensor<8x64, q4_0>)
// CHECK-NOT: qf.dequantize
// CHECK: %[[R:.*]] = qf.matmul %[[A]], %[[W]] : tensor<4x64xf32>, !qf.qtensor<8x64, q4_0> -> tensor<4x8xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[R]]
func.func @matmul_transpose_b(%a: tensor<4x64xf32>, %w: !qf.qtensor<8x64, q4_0>) -> tensor<4x8xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, q4_0> -> tensor<8x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %d : tensor<4x64xf32>, tensor<8x64xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// matvec (weights as the matrix) on a non-zero accumulator: the vector is one
// row, and the accumulator is added.
// CHECK-LABEL: func.func @matvec_accumulate
// CHECK-SAME: (%[[X:.*]]: tensor<64xf32>, %[[W:.*]]: !qf.qtensor<8x64, mxfp4>, %[[Y:.*]]: tensor<8xf32>)
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, 64]
// CHECK: %[[MM:.*]] = qf.matmul %[[ROW]], %[[W]] : tensor<1x64xf32>, !qf.qtensor<8x64, mxfp4> -> tensor<1x8xf32>
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[MM]] {{\[\[}}0, 1]]
// CHECK: linalg.add ins(%[[V]], %[[Y]] : tensor<8xf32>, tensor<8xf32>)
// CHECK-NOT: qf.dequantize
func.func @matvec_accumulate(%x: tensor<64xf32>, %w: !qf.qtensor<8x64, mxfp4>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, mxfp4> -> tensor<8x64xf32>
  %r = linalg.matvec ins(%d, %x : tensor<8x64xf32>, tensor<64xf32>) outs(%y : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Batched activations through a generic contraction.
// CHECK-LABEL: func.func @batched_generic
// CHECK: qf.matmul %{{.*}}, %{{.*}} : tensor<2x3x64xf32>, !qf.qtensor<8x64, int4_g32> -> tensor<2x3x8xf32>
// CHECK-NOT: linalg.generic
func.func @batched_generic(%a: tensor<2x3x64xf32>, %w: !qf.qtensor<8x64, int4_g32>) -> tensor<2x3x8xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, int4_g32> -> tensor<8x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %d : tensor<2x3x64xf32>, tensor<8x64xf32>) outs(%init : tensor<2x3x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x8xf32>
  return %r : tensor<2x3x8xf32>
}

// -----

// K-major weights (vecmat) are not what qf.matmul computes: left alone.
// CHECK-LABEL: func.func @vecmat_unfused
// CHECK: qf.dequantize
// CHECK: linalg.vecmat
func.func @vecmat_unfused(%x: tensor<8xf32>, %w: !qf.qtensor<8x64, int8_g32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, int8_g32> -> tensor<8x64xf32>
  %r = linalg.vecmat ins(%x, %d : tensor<8xf32>, tensor<8x64xf32>) outs(%y : tensor<64xf32>) -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// Dynamic result types survive fusion through a cast.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[MM:.*]] = qf.matmul %{{.*}}, %{{.*}} : tensor<4x64xf32>, !qf.qtensor<8x64, q4_0> -> tensor<4x8xf32>
// CHECK: tensor.cast %[[MM]] : tensor<4x8xf32> to tensor<?x8xf32>
func.func @dynamic_rows(%a: tensor<4x64xf32>, %w: !qf.qtensor<8x64, q4_0>, %n: index) -> tensor<?x8xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, q4_0> -> tensor<8x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %d : tensor<4x64xf32>, tensor<8x64xf32>) outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
