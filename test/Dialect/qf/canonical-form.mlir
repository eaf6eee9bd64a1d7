// RUN: qforge-opt %s | FileCheck %s
// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// The printer writes one canonical spelling: defaults are omitted, format
// shorthands are expanded, and named tables / presets print by name. The
// CHECK lines pin the whole attribute (up to the closing `}` of the dictionary)
// so that nothing extra is printed.

// CHECK-LABEL: func private @int_defaults()
// CHECK-SAME: {a = #qf.int<4>, b = #qf.int<4>, c = #qf.int<4>, d = #qf.int<4, unsigned>}
func.func private @int_defaults() attributes {a = #qf.int<4, signed>, b = #qf.int<4, frac = 0>, c = #qf.int<4, signed, frac = 0>, d = #qf.int<4, unsigned, frac = 0>}

// CHECK-LABEL: func private @ternary_empty_brackets()
// CHECK-SAME: {a = #qf.ternary}
func.func private @ternary_empty_brackets() attributes {a = #qf.ternary<>}

// A table equal to a named one prints by name.
// CHECK-LABEL: func private @lut_named_by_value()
// CHECK-SAME: {a = #qf.lut<iq4_nl>, b = #qf.lut<nf4>}
func.func private @lut_named_by_value() attributes {
  a = #qf.lut<[-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0, 1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0]>,
  b = #qf.lut<[-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]>}

// rounding = nearest_even, saturate = true and layout = planar are defaults.
// CHECK-LABEL: func private @scheme_defaults_omitted()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>}
func.func private @scheme_defaults_omitted() attributes {a = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16, rounding = nearest_even, saturate = true, layout = planar>}

// `tensor` granularity is the default and is not printed.
// CHECK-LABEL: func private @scheme_tensor_omitted()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<8>, scale = f16>}
func.func private @scheme_tensor_omitted() attributes {a = #qf.scheme<element = #qf.int<8>, tensor, scale = f16>}

// axis = -1 (the last axis) is the group default.
// CHECK-LABEL: func private @scheme_group_axis_default()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>}
func.func private @scheme_group_axis_default() attributes {a = #qf.scheme<element = #qf.int<4>, group = 16, axis = -1, scale = f16>}

// An omitted scale is f32, and is printed.
// CHECK-LABEL: func private @scheme_scale_default_printed()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>}
func.func private @scheme_scale_default_printed() attributes {a = #qf.scheme<element = #qf.int<8>, per_axis = 0>}

// Scale shorthands print as the format attribute.
// CHECK-LABEL: func private @scheme_scale_shorthand()
// CHECK-SAME: {a = #qf.scheme<element = #qf.float<e4m3>, group = 16, scale = #qf.float<ue4m3>>, b = #qf.scheme<element = #qf.float<e5m2>, group = 16, scale = #qf.float<e8m0>>}
func.func private @scheme_scale_shorthand() attributes {a = #qf.scheme<element = #qf.float<e4m3>, group = 16, scale = ue4m3>, b = #qf.scheme<element = #qf.float<e5m2>, group = 16, scale = e8m0>}

// Keys print in a fixed order whatever order they were written in.
// CHECK-LABEL: func private @scheme_key_order()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, axis = 0, scale = bf16, zero_point = #qf.int<4, unsigned>, tensor_scale = f32, rounding = toward_zero, saturate = false>}
func.func private @scheme_key_order() attributes {a = #qf.scheme<element = #qf.int<4, unsigned>, saturate = false, rounding = toward_zero, tensor_scale = f32, zero_point = #qf.int<4, unsigned>, scale = bf16, axis = 0, group = 32>}

// Non-default values of each optional key are printed.
// CHECK-LABEL: func private @scheme_non_defaults_printed()
// CHECK-SAME: {a = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16, rounding = nearest_away>, b = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16, saturate = false>}
func.func private @scheme_non_defaults_printed() attributes {a = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16, rounding = nearest_away>, b = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16, saturate = false>}

// A scheme equal to a preset prints as the preset, in a qtensor as a bare name.
// CHECK-LABEL: func private @preset_names(
// CHECK-SAME: !qf.qtensor<32x64, nvfp4>, !qf.qtensor<32x64, q4_1>)
// CHECK-SAME: {a = #qf.scheme<q8_0>}
func.func private @preset_names(!qf.qtensor<32x64, #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = ue4m3, tensor_scale = f32, rounding = nearest_even>>,
                                !qf.qtensor<32x64, #qf.scheme<q4_1>>)
    attributes {a = #qf.scheme<element = #qf.int<8>, group = 32, scale = f16, rounding = nearest_away, saturate = true, layout = ggml>}

// hadamard's default axis (-1) is elided from the attribute dictionary.
// CHECK-LABEL: func @hadamard_default_axis(
// CHECK: qf.hadamard %{{.*}} {size = 32 : i64} : tensor<4x64xf32>
func.func @hadamard_default_axis(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %0 = qf.hadamard %x {axis = -1, size = 32} : tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}
