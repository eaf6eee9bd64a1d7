// RUN: qforge-opt %s | FileCheck %s
// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// #qf.cpu_schedule prints the knobs it sets and leaves the defaults out.

// CHECK-LABEL: func.func @knobs
// CHECK: qf.matmul %arg0, %arg1 {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<split = 4, path = rows, k_step = 128, accumulators = 2, row_tile = 1>}
func.func @knobs(%a: tensor<1x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<1x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>,
                         schedule = #qf.cpu_schedule<split = 4, path = rows, k_step = 128, accumulators = 2, row_tile = 1>}
      : tensor<1x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// CHECK-LABEL: func.func @panels
// CHECK: schedule = #qf.cpu_schedule<path = panels, row_tile = 8, panel_cols = 64>
func.func @panels(%a: tensor<16x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<16x64xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>,
                         schedule = #qf.cpu_schedule<row_tile = 8, panel_cols = 64, path = panels>}
      : tensor<16x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// CHECK-LABEL: func.func @all_defaults
// CHECK: schedule = #qf.cpu_schedule<>
func.func @all_defaults(%a: tensor<1x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<1x64xf32> {
  %c = qf.matmul %a, %w {schedule = #qf.cpu_schedule<>} : tensor<1x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}
