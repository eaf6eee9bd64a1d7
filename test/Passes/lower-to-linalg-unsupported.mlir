// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file -verify-diagnostics

func.func @quantize(%x: tensor<4x32xf32>) -> !qf.qtensor<4x32, mxfp4> {
  // expected-error @+1 {{'qf.quantize' op has no lowering to linalg yet}}
  %q = qf.quantize %x : tensor<4x32xf32> -> !qf.qtensor<4x32, mxfp4>
  return %q : !qf.qtensor<4x32, mxfp4>
}

// -----

func.func @act_scheme(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op with an activation scheme has no lowering to linalg yet}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<mxfp8_e4m3>} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}
