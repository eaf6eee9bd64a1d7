// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// The examples of docs/dialect.md parse, verify and round-trip.

// CHECK-LABEL: func @layer
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 4096, size = 25362432> -> !qf.qtensor<11008x4096, q4_k>
// CHECK: qf.matmul %{{.*}}, %{{.*}} {act_scheme = #qf.scheme<mxfp8_e4m3>}
func.func @layer(%x: tensor<16x4096xf32>) -> tensor<16x11008xf32> {
  %w = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 25362432>
         -> !qf.qtensor<11008x4096, q4_k>
  %y = qf.matmul %x, %w {act_scheme = #qf.scheme<mxfp8_e4m3>}
         : tensor<16x4096xf32>, !qf.qtensor<11008x4096, q4_k> -> tensor<16x11008xf32>
  return %y : tensor<16x11008xf32>
}

// Full forms equal to a preset print as the preset.
// CHECK-LABEL: func private @schemes
// CHECK-SAME: a = #qf.scheme<mxfp4>, b = #qf.scheme<int4_g128>, c = #qf.scheme<int4_g64_asym>,
// CHECK-SAME: d = #qf.scheme<nvfp4>, e = #qf.scheme<fp8_e4m3>,
// CHECK-SAME: f = #qf.scheme<element = #qf.int<8>, block = [16, 16], scale = bf16>, g = #qf.scheme<q4_k>,
// CHECK-SAME: h = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>
func.func private @schemes() attributes {
  a = #qf.scheme<mxfp4>,
  b = #qf.scheme<element = #qf.int<4>, group = 128, scale = f16>,
  c = #qf.scheme<element = #qf.int<4, unsigned>, group = 64, scale = f16, zero_point = #qf.int<4, unsigned>>,
  d = #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = #qf.float<ue4m3>, tensor_scale = f32>,
  e = #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f32>,
  f = #qf.scheme<element = #qf.int<8>, block = [16, 16], scale = bf16>,
  g = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>,
                 min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16, layout = ggml>,
  h = #qf.scheme<!quant.uniform<i8:f32:0, {0.5, 0.25}>>}
