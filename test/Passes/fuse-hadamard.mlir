// RUN: qforge-opt %s --qf-fuse-hadamard --split-input-file | FileCheck %s
// RUN: qforge-opt %s --qf-fuse-hadamard --qf-lower-to-linalg --split-input-file | FileCheck %s --check-prefix=LOWERED

// A rotation along K feeding only a matmul's quantizer moves into it.
// CHECK-LABEL: func.func @fused
// CHECK-NOT: qf.hadamard
// CHECK: qf.matmul %arg0, %arg1 {act_hadamard = 32 : i64, act_hadamard_seed = 5 : i64, act_scheme = #qf.scheme<mxfp4>}
// The quantizer reads 32 activations, multiplies them by the signs read from
// a table, and runs five butterfly stages on lanes i and i ^ h.
// LOWERED-LABEL: func.func @fused
// LOWERED-NOT: linalg.generic
// LOWERED: vector.transfer_read %{{.*}} : tensor<1x64xf32>, vector<32xf32>
// LOWERED: vector.transfer_read %{{.*}} : tensor<64xf32>, vector<32xf32>
// LOWERED: arith.mulf %{{.*}} : vector<32xf32>
// LOWERED: vector.shuffle %{{.*}} [1, 0, 3, 2,
// LOWERED: vector.shuffle %{{.*}} [2, 3, 0, 1,
// LOWERED: vector.shuffle %{{.*}} [4, 5, 6, 7, 0, 1, 2, 3,
// LOWERED: vector.shuffle %{{.*}} [8, 9, 10, 11, 12, 13, 14, 15, 0,
// LOWERED: vector.shuffle %{{.*}} [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0,
// LOWERED: arith.constant dense<0.176776692> : vector<32xf32>
// LOWERED: qf.dot4
func.func @fused(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  %r = qf.hadamard %a {size = 32, seed = 5} : tensor<1x64xf32>
  %c = qf.matmul %r, %w {act_scheme = #qf.scheme<mxfp4>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

// Blocks larger than the quantizer's 32-lane runs are read whole (per-token
// scales: the group is the row).
// CHECK-LABEL: func.func @per_token
// CHECK: qf.matmul %arg0, %arg1 {act_hadamard = 128 : i64, act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>}
// LOWERED-LABEL: func.func @per_token
// LOWERED: vector.transfer_read %{{.*}} : tensor<4x256xf32>, vector<128xf32>
// LOWERED: vector.extract_strided_slice %{{.*}} {offsets = [96], sizes = [32], strides = [1]} : vector<128xf32> to vector<32xf32>
func.func @per_token(%a: tensor<4x256xf32>, %w: !qf.qtensor<8x256, q8_0>) -> tensor<4x8xf32> {
  %r = qf.hadamard %a {size = 128} : tensor<4x256xf32>
  %c = qf.matmul %r, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>} : tensor<4x256xf32>, !qf.qtensor<8x256, q8_0> -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Left alone: the rotated activations have another use; the rotation runs
// along M; blocks span several scale groups; the activations stay f32.
// CHECK-LABEL: func.func @unfused
// CHECK-COUNT-4: qf.hadamard
// CHECK-NOT: act_hadamard
func.func @unfused(%a: tensor<2x64xf32>, %w: !qf.qtensor<3x64, q4_0>)
    -> (tensor<2x3xf32>, tensor<2x64xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %r = qf.hadamard %a {size = 32} : tensor<2x64xf32>
  %c0 = qf.matmul %r, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x3xf32>
  %m = qf.hadamard %a {size = 2, axis = 0} : tensor<2x64xf32>
  %c1 = qf.matmul %m, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x3xf32>
  %g = qf.hadamard %a {size = 64} : tensor<2x64xf32>
  %c2 = qf.matmul %g, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x3xf32>
  %f = qf.hadamard %a {size = 32} : tensor<2x64xf32>
  %c3 = qf.matmul %f, %w : tensor<2x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x3xf32>
  return %c0, %r, %c1, %c2, %c3 : tensor<2x3xf32>, tensor<2x64xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
