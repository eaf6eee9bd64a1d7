// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file -verify-diagnostics

func.func @quantize(%x: tensor<4x32xf32>) -> !qf.qtensor<4x32, mxfp4> {
  // expected-error @+1 {{'qf.quantize' op has no lowering to linalg yet}}
  %q = qf.quantize %x : tensor<4x32xf32> -> !qf.qtensor<4x32, mxfp4>
  return %q : !qf.qtensor<4x32, mxfp4>
}

// -----

func.func @act_scheme_codebook(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op activation scheme element #qf.lut<nf4> has no CPU lowering: activations quantize to signed #qf.int or a signed #qf.float}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<nf4_g64>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @act_scheme_offset(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op activation schemes lower with float or e8m0 (MX) scales only (no offsets, other scale formats, tensor or super-block scales)}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, group = 32, scale = f16, zero_point = #qf.int<8>>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @act_scheme_rounding(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op activation rounding nearest_up has no CPU lowering (integers: nearest_even, nearest_away, toward_zero; minifloats: saturating nearest_even)}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, group = 32, scale = f32, rounding = nearest_up>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @act_scheme_batched(%a: tensor<2x1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<2x1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op activation schemes lower for static rank-2 f32 activations, got 'tensor<2x1x64xf32>'}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x1x3xf32>
  return %c : tensor<2x1x3xf32>
}

// -----

func.func @hadamard_dynamic(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{'qf.hadamard' op lowers for static shapes only, got 'tensor<?x32xf32>'}}
  %y = qf.hadamard %x {size = 32} : tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

func.func @act_scheme_nvfp4(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op activation schemes lower with float or e8m0 (MX) scales only (no offsets, other scale formats, tensor or super-block scales)}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<nvfp4>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @act_hadamard_across_groups(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op act_hadamard 64 does not fit the activation quantizer's reads (it must divide the scale group and be at most 256)}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, act_hadamard = 64} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}
