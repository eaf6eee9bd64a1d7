// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file | FileCheck %s

// Blocks of 4 along the last axis, after the signs of seed 3: one product with
// the sign vector, then butterflies of pairs 1 and 2 apart (the axis viewed as
// [8 / 2h, 2, h]; element p of a pair reads its partner 1 - p), the last one
// scaled by 1/sqrt(4).
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AXIS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SELF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[PARTNER:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 1, d3)>
// CHECK-LABEL: func.func @seeded(
// CHECK: %[[SIGNS:.*]] = arith.constant dense<[1.000000e+00, -1.000000e+00, -1.000000e+00, 1.000000e+00, 1.000000e+00, -1.000000e+00, 1.000000e+00, -1.000000e+00]> : tensor<8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[AXIS]], #[[ID2]]]{{.*}} ins(%{{.*}}, %[[SIGNS]]
// CHECK: arith.mulf
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: tensor.expand_shape {{.*}} into tensor<2x4x2x1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[SELF]], #[[PARTNER]], #[[SELF]]]
// CHECK: linalg.index 2
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK-NOT: arith.mulf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[SELF]], #[[PARTNER]], #[[SELF]]]
// CHECK: arith.mulf %{{.*}}, %[[HALF]]
// CHECK: tensor.collapse_shape {{.*}} into tensor<2x8xf32>
// CHECK-NOT: qf.hadamard
func.func @seeded(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = qf.hadamard %x {size = 4, seed = 3} : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Along axis 0, no signs: the view splits the first dimension.
// CHECK-LABEL: func.func @first_axis(
// CHECK-NOT: arith.constant dense
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] output_shape [2, 2, 1, 5] : tensor<4x5xf32> into tensor<2x2x1x5xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] output_shape [1, 2, 2, 5]
func.func @first_axis(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %y = qf.hadamard %x {size = 4, axis = 0} : tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}
