// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// An activation scheme's axis must exist in the activations: per_axis = 5 on
// a rank-2 lhs is accepted today.

func.func @act_per_axis_out_of_range(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{out of range}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 5, scale = f32>} : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @act_per_axis_out_of_range_batched(%a: tensor<2x16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{out of range}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 3, scale = f32>} : tensor<2x16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<2x16x64xf32>
  return
}
