// RUN: qforge-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @knobs
// CHECK: qf.hls_schedule = #qf.hls_schedule<unroll = 8, partition = 4>
// CHECK: qf.hls_schedule = #qf.hls_schedule<unroll = 16>
// CHECK: qf.hls_schedule = #qf.hls_schedule<>
func.func @knobs(%a: tensor<2x64xf32>, %w: !qf.qtensor<16x64, mxfp4>) -> tensor<2x16xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, qf.hls_schedule = #qf.hls_schedule<unroll = 8, partition = 4>}
      : tensor<2x64xf32>, !qf.qtensor<16x64, mxfp4> -> tensor<2x16xf32>
  %r = qf.hadamard %a {size = 32, qf.hls_schedule = #qf.hls_schedule<unroll = 16>} : tensor<2x64xf32>
  %q = qf.quantize %r {qf.hls_schedule = #qf.hls_schedule<>} : tensor<2x64xf32> -> !qf.qtensor<2x64, mxfp4>
  return %c : tensor<2x16xf32>
}

// -----

// expected-error @+1 {{hls_schedule unroll must be from 1 to 4096, got -2}}
func.func private @negative() attributes {s = #qf.hls_schedule<unroll = -2>}

// -----

func.func @not_a_schedule(%a: tensor<2x64xf32>) -> tensor<2x64xf32> {
  // expected-error @+1 {{'qf.hls_schedule' must be a #qf.hls_schedule}}
  %r = qf.hadamard %a {size = 32, qf.hls_schedule = 8 : i64} : tensor<2x64xf32>
  return %r : tensor<2x64xf32>
}

// -----

func.func @wrong_op(%a: tensor<2x64xf32>) -> tensor<2x64xf32> {
  // expected-error @+1 {{'qf.hls_schedule' applies to qf.matmul, qf.hadamard and qf.quantize}}
  %r = arith.addf %a, %a {qf.hls_schedule = #qf.hls_schedule<unroll = 2>} : tensor<2x64xf32>
  return %r : tensor<2x64xf32>
}
