// RUN: qforge-opt %s --canonicalize --split-input-file | FileCheck %s

// A requantize to the type it already has folds to its input.
// CHECK-LABEL: func @requantize_same_type(
// CHECK-SAME: %[[Q:.*]]: !qf.qtensor<64x128, q8_0>
// CHECK-NOT: qf.requantize
// CHECK: return %[[Q]]
func.func @requantize_same_type(%q: !qf.qtensor<64x128, q8_0>) -> !qf.qtensor<64x128, q8_0> {
  %r = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, q8_0>
  return %r : !qf.qtensor<64x128, q8_0>
}

// -----

// The same scheme spelled differently is the same type: it folds too.
// CHECK-LABEL: func @requantize_same_type_other_spelling(
// CHECK-SAME: %[[Q:.*]]: !qf.qtensor<64x128, int4_g32>
// CHECK-NOT: qf.requantize
// CHECK: return %[[Q]]
func.func @requantize_same_type_other_spelling(%q: !qf.qtensor<64x128, int4_g32>) -> !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>> {
  %r = qf.requantize %q : !qf.qtensor<64x128, int4_g32> -> !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>>
  return %r : !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>>
}

// -----

// A chain of same-type requantizes disappears entirely.
// CHECK-LABEL: func @requantize_chain(
// CHECK-SAME: %[[Q:.*]]: !qf.qtensor<32x32, mxfp4>
// CHECK-NOT: qf.requantize
// CHECK: return %[[Q]]
func.func @requantize_chain(%q: !qf.qtensor<32x32, mxfp4>) -> !qf.qtensor<32x32, mxfp4> {
  %0 = qf.requantize %q : !qf.qtensor<32x32, mxfp4> -> !qf.qtensor<32x32, mxfp4>
  %1 = qf.requantize %0 : !qf.qtensor<32x32, mxfp4> -> !qf.qtensor<32x32, mxfp4>
  %2 = qf.requantize %1 : !qf.qtensor<32x32, mxfp4> -> !qf.qtensor<32x32, mxfp4>
  return %2 : !qf.qtensor<32x32, mxfp4>
}

// -----

// A requantize to another scheme is kept, and so is a same-type one that
// follows it (it folds to the converting one).
// CHECK-LABEL: func @requantize_other_type(
// CHECK-SAME: %[[Q:.*]]: !qf.qtensor<64x128, q8_0>
// CHECK: %[[R:.*]] = qf.requantize %[[Q]] : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, mxfp4>
// CHECK-NOT: qf.requantize
// CHECK: return %[[R]]
func.func @requantize_other_type(%q: !qf.qtensor<64x128, q8_0>) -> !qf.qtensor<64x128, mxfp4> {
  %r = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x128, mxfp4>
  %s = qf.requantize %r : !qf.qtensor<64x128, mxfp4> -> !qf.qtensor<64x128, mxfp4>
  return %s : !qf.qtensor<64x128, mxfp4>
}

// -----

// Same element format and granularity but a different rounding: a different
// scheme, so no fold.
// CHECK-LABEL: func @requantize_different_rounding(
// CHECK: qf.requantize %{{.*}} : !qf.qtensor<64x128, int4_g32> -> !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = toward_zero>>
func.func @requantize_different_rounding(%q: !qf.qtensor<64x128, int4_g32>) -> !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = toward_zero>> {
  %r = qf.requantize %q : !qf.qtensor<64x128, int4_g32> -> !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = toward_zero>>
  return %r : !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = toward_zero>>
}

// -----

// A quantize/dequantize pair is lossy and is not folded; unused pure ops go.
// CHECK-LABEL: func @quantize_dequantize_kept(
// CHECK: %[[Q:.*]] = qf.quantize
// CHECK: %[[D:.*]] = qf.dequantize %[[Q]]
// CHECK-NOT: qf.hadamard
// CHECK: return %[[D]]
func.func @quantize_dequantize_kept(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %q = qf.quantize %x : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
  %d = qf.dequantize %q : !qf.qtensor<64x128, mxfp4> -> tensor<64x128xf32>
  %unused = qf.hadamard %x {size = 32} : tensor<64x128xf32>
  return %d : tensor<64x128xf32>
}

// -----

// qf.weight is a constant: identical ones are uniqued, and a same-type
// requantize of a weight folds to the weight.
// CHECK-LABEL: func @weight_constants(
// CHECK: %[[W:.*]] = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
// CHECK-NOT: qf.weight
// CHECK-NOT: qf.requantize
// CHECK: %[[D:.*]] = qf.dequantize %[[W]]
// CHECK: return %[[W]], %[[W]], %[[D]]
func.func @weight_constants() -> (!qf.qtensor<32x128, q4_0>, !qf.qtensor<32x128, q4_0>, tensor<32x128xf32>) {
  %w = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
  %v = qf.weight #qf.blob<"model.gguf", offset = 4096, size = 2304> -> !qf.qtensor<32x128, q4_0>
  %r = qf.requantize %v : !qf.qtensor<32x128, q4_0> -> !qf.qtensor<32x128, q4_0>
  %d = qf.dequantize %r : !qf.qtensor<32x128, q4_0> -> tensor<32x128xf32>
  return %w, %r, %d : !qf.qtensor<32x128, q4_0>, !qf.qtensor<32x128, q4_0>, tensor<32x128xf32>
}

// -----

// Weights with different data stay distinct.
// CHECK-LABEL: func @weight_distinct(
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 0, size = 18>
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 18, size = 18>
func.func @weight_distinct() -> (!qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>) {
  %a = qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> !qf.qtensor<1x32, q4_0>
  %b = qf.weight #qf.blob<"model.gguf", offset = 18, size = 18> -> !qf.qtensor<1x32, q4_0>
  return %a, %b : !qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>
}

// -----

// Uniquing keys on the result type as well: the same bytes read as another
// GGUF type stay a separate constant. Identical dense_resource weights unique.
// CHECK-LABEL: func @weight_same_data_other_type(
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> !qf.qtensor<1x32, q4_0>
// CHECK: qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> !qf.qtensor<1x32, iq4_nl>
// CHECK: %[[R:.*]] = qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x32, q4_0>
// CHECK-NOT: qf.weight
// CHECK-NOT: qf.requantize
// CHECK: return %{{.*}}, %{{.*}}, %[[R]], %[[R]]
func.func @weight_same_data_other_type() -> (!qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, iq4_nl>, !qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>) {
  %a = qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> !qf.qtensor<1x32, q4_0>
  %b = qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> !qf.qtensor<1x32, iq4_nl>
  %c = qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x32, q4_0>
  %d = qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x32, q4_0>
  %e = qf.requantize %d : !qf.qtensor<1x32, q4_0> -> !qf.qtensor<1x32, q4_0>
  return %a, %b, %c, %e : !qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, iq4_nl>, !qf.qtensor<1x32, q4_0>, !qf.qtensor<1x32, q4_0>
}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000003c0123456789abcdef0123456789abcdef"
    }
  }
#-}
