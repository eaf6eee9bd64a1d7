// RUN: qforge-opt %s --qf-lower-to-linalg --linalg-fuse-elementwise-ops | FileCheck %s

// An elementwise consumer of qf.dequantize fuses with the decode: one
// linalg.generic reads the packed storage and writes the consumer's result.
// CHECK-LABEL: func.func @scale_dequantized
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: tensor.extract
// CHECK: arith.mulf
// CHECK: arith.mulf
func.func @scale_dequantized(%w: !qf.qtensor<4x64, q8_0>, %s: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %d = qf.dequantize %w : !qf.qtensor<4x64, q8_0> -> tensor<4x64xf32>
  %e = tensor.empty() : tensor<4x64xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%d, %s : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    linalg.yield %p : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}
