// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// A dynamic dimension is compatible with any static one (checked at run time);
// mismatch messages print it as `?`.

func.func @quantize_dynamic_ok(%x: tensor<?x128xf32>) -> !qf.qtensor<64x128, mxfp4> {
  %0 = qf.quantize %x : tensor<?x128xf32> -> !qf.qtensor<64x128, mxfp4>
  return %0 : !qf.qtensor<64x128, mxfp4>
}

// -----

func.func @quantize_dynamic_mismatch(%x: tensor<?x100xf32>) {
  // expected-error @+1 {{'qf.quantize' op input shape ?x100 does not match 64x128}}
  %0 = qf.quantize %x : tensor<?x100xf32> -> !qf.qtensor<64x128, mxfp4>
  return
}

// -----

func.func @dequantize_dynamic_mismatch(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.dequantize' op result shape 32x? does not match 64x128}}
  %0 = qf.dequantize %q : !qf.qtensor<64x128, q8_0> -> tensor<32x?xf32>
  return
}
