// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file | FileCheck %s

// The knobs of #qf.cpu_schedule reach the kernels: the rows kernel's step
// along K and its row tile, and the choice between the rows and the panels
// kernel.

// Default: steps of 256 elements.
// CHECK-LABEL: func.func @rows_default
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C256]]
func.func @rows_default(%a: tensor<1x512xf32>, %w: !qf.qtensor<64x512, q4_0>) -> tensor<1x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x512xf32>, !qf.qtensor<64x512, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// CHECK-LABEL: func.func @rows_k_step_64
// CHECK-NOT: arith.constant 256 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C64]]
func.func @rows_k_step_64(%a: tensor<1x512xf32>, %w: !qf.qtensor<64x512, q4_0>) -> tensor<1x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<k_step = 64>}
      : tensor<1x512xf32>, !qf.qtensor<64x512, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

// Sixteen activation rows take the panels kernel by default (its packed
// panel is a tensor of i32 lanes); path = rows keeps the rows kernel, with
// a tile of 2 rows.
// CHECK-LABEL: func.func @panels_by_default
// CHECK: tensor.empty() : tensor<128x32xi32>
func.func @panels_by_default(%a: tensor<16x512xf32>, %w: !qf.qtensor<64x512, q4_0>) -> tensor<16x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<16x512xf32>, !qf.qtensor<64x512, q4_0> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// -----

// CHECK-LABEL: func.func @rows_forced
// CHECK-NOT: tensor<{{[0-9]+}}x{{[0-9]+}}xi32>
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C2]]
func.func @rows_forced(%a: tensor<16x512xf32>, %w: !qf.qtensor<64x512, q4_0>) -> tensor<16x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<path = rows, row_tile = 2>}
      : tensor<16x512xf32>, !qf.qtensor<64x512, q4_0> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// -----

// prefetch marks the rows kernel's loop along K with the distance.
// CHECK-LABEL: func.func @rows_prefetch
// CHECK: scf.for %{{.*}} step %c256
// CHECK: scf.yield
// CHECK-NEXT: } {qf.prefetch_distance = 4 : i64}
func.func @rows_prefetch(%a: tensor<1x512xf32>, %w: !qf.qtensor<64x512, q4_0>) -> tensor<1x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<prefetch = 4>}
      : tensor<1x512xf32>, !qf.qtensor<64x512, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}
