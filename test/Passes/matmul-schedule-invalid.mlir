// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file -verify-diagnostics

// A schedule whose knobs do not fit its matmul is an error at the op
// (passes/MatmulSchedule.cpp), before anything is lowered.

func.func @split_not_dividing(%a: tensor<1x256xf32>, %w: !qf.qtensor<100x256, q4_0>) -> tensor<1x100xf32> {
  // expected-error @+1 {{'qf.matmul' op schedule #qf.cpu_schedule<split = 8>: split = 8 does not divide N = 100 into equal blocks}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<split = 8>}
      : tensor<1x256xf32>, !qf.qtensor<100x256, q4_0> -> tensor<1x100xf32>
  return %c : tensor<1x100xf32>
}

// -----

func.func @k_step_too_long(%a: tensor<1x96xf32>, %w: !qf.qtensor<64x96, q4_0>) -> tensor<1x64xf32> {
  // expected-error @+1 {{k_step = 64 does not fit K = 96 and these weights' blocks}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<k_step = 64>}
      : tensor<1x96xf32>, !qf.qtensor<64x96, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

func.func @row_tile_not_dividing(%a: tensor<6x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<6x64xf32> {
  // expected-error @+1 {{row_tile = 4 does not divide the 6 activation rows of a block}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<path = rows, row_tile = 4>}
      : tensor<6x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<6x64xf32>
  return %c : tensor<6x64xf32>
}

// -----

func.func @panels_too_wide(%a: tensor<16x256xf32>, %w: !qf.qtensor<48x256, q4_0>) -> tensor<16x48xf32> {
  // expected-error @+1 {{path = panels with panel_cols = 32 does not fit N = 48 (per block) and these weights' blocks}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<split = 1, path = panels, panel_cols = 32>}
      : tensor<16x256xf32>, !qf.qtensor<48x256, q4_0> -> tensor<16x48xf32>
  return %c : tensor<16x48xf32>
}

// -----

func.func @kernel_knobs_on_f32(%a: tensor<1x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<1x64xf32> {
  // expected-error @+1 {{schedule path, k_step, accumulators, row_tile, panel_cols and prefetch apply to matmuls on integer dot products}}
  %c = qf.matmul %a, %w {schedule = #qf.cpu_schedule<k_step = 64>} : tensor<1x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<1x64xf32>
  return %c : tensor<1x64xf32>
}

// -----

func.func @too_many_accumulators(%a: tensor<16x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<16x64xf32> {
  // expected-error @+1 {{row_tile x panel_cols / 16 must be at most 16 accumulators, got 32}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<split = 1, path = panels, row_tile = 8, panel_cols = 64>}
      : tensor<16x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// -----

// Sixteen rows run panels by default, which take no prefetch.
func.func @prefetch_on_panels(%a: tensor<16x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<16x64xf32> {
  // expected-error @+1 {{k_step, accumulators and prefetch apply to the rows kernel, and this schedule runs panels}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, schedule = #qf.cpu_schedule<split = 1, prefetch = 2>}
      : tensor<16x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}
