// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// #qf.scheme in its full form. None of these equals a preset, so each prints
// back in the full form (presets are covered by presets.mlir).

//===----------------------------------------------------------------------===//
// Granularity
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @tensor_implicit()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, scale = f32>
func.func private @tensor_implicit() attributes {s = #qf.scheme<element = #qf.int<8>, scale = f32>}

// CHECK-LABEL: func private @tensor_explicit()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, scale = bf16>
func.func private @tensor_explicit() attributes {s = #qf.scheme<element = #qf.int<8>, tensor, scale = bf16>}

// CHECK-LABEL: func private @per_axis_0()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>
func.func private @per_axis_0() attributes {s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>}

// CHECK-LABEL: func private @per_axis_1()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e4m3>, per_axis = 1, scale = f16>
func.func private @per_axis_1() attributes {s = #qf.scheme<element = #qf.float<e4m3>, per_axis = 1, scale = f16>}

// CHECK-LABEL: func private @group_last_axis()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>
func.func private @group_last_axis() attributes {s = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>}

// CHECK-LABEL: func private @group_axis()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>
func.func private @group_axis() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>}

// CHECK-LABEL: func private @group_axis_before_group()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 32, axis = 1, scale = f16>
func.func private @group_axis_before_group() attributes {s = #qf.scheme<element = #qf.int<4>, axis = 1, group = 32, scale = f16>}

// CHECK-LABEL: func private @block()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, block = [128, 128], scale = f32>
func.func private @block() attributes {s = #qf.scheme<element = #qf.int<8>, block = [128, 128], scale = f32>}

// CHECK-LABEL: func private @block_float()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e4m3>, block = [1, 128], scale = f32>
func.func private @block_float() attributes {s = #qf.scheme<element = #qf.float<e4m3>, block = [1, 128], scale = f32>}

//===----------------------------------------------------------------------===//
// Elements
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @element_ternary()
// CHECK-SAME: s = #qf.scheme<element = #qf.ternary, per_axis = 0, scale = bf16>
func.func private @element_ternary() attributes {s = #qf.scheme<element = #qf.ternary, per_axis = 0, scale = bf16>}

// CHECK-LABEL: func private @element_lut_custom()
// CHECK-SAME: s = #qf.scheme<element = #qf.lut<[-1.0000000000000000e+00, -5.0000000000000000e-01, 5.0000000000000000e-01, 1.0000000000000000e+00]>, group = 32, scale = f16>
func.func private @element_lut_custom() attributes {s = #qf.scheme<element = #qf.lut<[-1.0, -0.5, 0.5, 1.0]>, group = 32, scale = f16>}

// CHECK-LABEL: func private @element_iq4_nl_planar()
// CHECK-SAME: s = #qf.scheme<element = #qf.lut<iq4_nl>, group = 32, scale = f16>
func.func private @element_iq4_nl_planar() attributes {s = #qf.scheme<element = #qf.lut<iq4_nl>, group = 32, scale = f16>}

// CHECK-LABEL: func private @element_e3m2()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e3m2>, group = 16, scale = #qf.float<ue4m3>>
func.func private @element_e3m2() attributes {s = #qf.scheme<element = #qf.float<e3m2>, group = 16, scale = #qf.float<ue4m3>>}

//===----------------------------------------------------------------------===//
// Scales
//===----------------------------------------------------------------------===//

// `scale` defaults to f32 and is always printed.
// CHECK-LABEL: func private @scale_default()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 128, scale = f32>
func.func private @scale_default() attributes {s = #qf.scheme<element = #qf.int<4>, group = 128>}

// CHECK-LABEL: func private @scale_e8m0_shorthand()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.float<e8m0>>
func.func private @scale_e8m0_shorthand() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = e8m0>}

// CHECK-LABEL: func private @scale_ue4m3_shorthand()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<ue4m3>>
func.func private @scale_ue4m3_shorthand() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = ue4m3>}

// CHECK-LABEL: func private @scale_e8m0_long()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e4m3>, group = 16, scale = #qf.float<e8m0>>
func.func private @scale_e8m0_long() attributes {s = #qf.scheme<element = #qf.float<e4m3>, group = 16, scale = #qf.float<e8m0>>}

//===----------------------------------------------------------------------===//
// Offsets
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @zero_point()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4, unsigned>, group = 64, scale = f32, zero_point = #qf.int<8, unsigned>>
func.func private @zero_point() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 64, scale = f32, zero_point = #qf.int<8, unsigned>>}

// CHECK-LABEL: func private @zero_point_signed_element()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32, zero_point = #qf.int<8>>
func.func private @zero_point_signed_element() attributes {s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32, zero_point = #qf.int<8>>}

// CHECK-LABEL: func private @min_float()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16>
func.func private @min_float() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16>}

// CHECK-LABEL: func private @min_bf16()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<3, unsigned>, scale = bf16, min = bf16>
func.func private @min_bf16() attributes {s = #qf.scheme<element = #qf.int<3, unsigned>, scale = bf16, min = bf16>}

//===----------------------------------------------------------------------===//
// Second-level scales
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @super_block()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16>
func.func private @super_block() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16>}

// CHECK-LABEL: func private @super_block_float_scale()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<3>, group = 16, scale = f16, super_block = 256, super_scale = f32>
func.func private @super_block_float_scale() attributes {s = #qf.scheme<element = #qf.int<3>, group = 16, scale = f16, super_block = 256, super_scale = f32>}

// CHECK-LABEL: func private @super_block_int_scale()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<2>, group = 16, scale = #qf.int<4, unsigned>, super_block = 256, super_scale = bf16>
func.func private @super_block_int_scale() attributes {s = #qf.scheme<element = #qf.int<2>, group = 16, scale = #qf.int<4, unsigned>, super_block = 256, super_scale = bf16>}

// CHECK-LABEL: func private @tensor_scale()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<ue4m3>, tensor_scale = f32>
func.func private @tensor_scale() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<ue4m3>, tensor_scale = f32>}

// CHECK-LABEL: func private @tensor_scale_per_axis()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f16, tensor_scale = bf16>
func.func private @tensor_scale_per_axis() attributes {s = #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f16, tensor_scale = bf16>}

//===----------------------------------------------------------------------===//
// Rounding, saturation, layout
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @rounding_nearest_away()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_away>
func.func private @rounding_nearest_away() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_away>}

// CHECK-LABEL: func private @rounding_nearest_up()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up>
func.func private @rounding_nearest_up() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up>}

// CHECK-LABEL: func private @rounding_nearest_lowest_code()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>, rounding = nearest_lowest_code>
func.func private @rounding_nearest_lowest_code() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = e8m0, rounding = nearest_lowest_code>}

// CHECK-LABEL: func private @rounding_toward_zero()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, scale = f32, rounding = toward_zero>
func.func private @rounding_toward_zero() attributes {s = #qf.scheme<element = #qf.int<8>, scale = f32, rounding = toward_zero>}

// CHECK-LABEL: func private @saturate_false()
// CHECK-SAME: s = #qf.scheme<element = #qf.float<e5m2>, per_axis = 0, scale = f32, saturate = false>
func.func private @saturate_false() attributes {s = #qf.scheme<element = #qf.float<e5m2>, per_axis = 0, scale = f32, saturate = false>}

// CHECK-LABEL: func private @all_options()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, axis = 0, scale = bf16, zero_point = #qf.int<4, unsigned>, tensor_scale = f32, rounding = toward_zero, saturate = false>
func.func private @all_options() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, axis = 0, scale = bf16, zero_point = #qf.int<4, unsigned>, tensor_scale = f32, rounding = toward_zero, saturate = false, layout = planar>}

// layout = ggml is only valid for GGUF block types, which are presets, so a
// ggml scheme always prints as its preset name.
// CHECK-LABEL: func private @layout_ggml()
// CHECK-SAME: s = #qf.scheme<q4_0>
func.func private @layout_ggml() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up, layout = ggml>}

//===----------------------------------------------------------------------===//
// !quant interop: a quant type converts to a scheme that keeps its storage
// integer, expressed (scale) type, zero points and grouping.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @quant_per_tensor()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, scale = f32>
func.func private @quant_per_tensor() attributes {s = #qf.scheme<!quant.uniform<i8:f32, 0.5>>}

// CHECK-LABEL: func private @quant_per_tensor_zero_point()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, scale = f32, zero_point = #qf.int<8>>
func.func private @quant_per_tensor_zero_point() attributes {s = #qf.scheme<!quant.uniform<i8:f32, 0.5:3>>}

// Unsigned storage always gets a zero point, even when it is 0.
// CHECK-LABEL: func private @quant_unsigned()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8, unsigned>, scale = f32, zero_point = #qf.int<8, unsigned>>
func.func private @quant_unsigned() attributes {s = #qf.scheme<!quant.uniform<u8:f32, 0.5>>}

// CHECK-LABEL: func private @quant_i4_f16()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, scale = f16>
func.func private @quant_i4_f16() attributes {s = #qf.scheme<!quant.uniform<i4:f16, 0.5>>}

// CHECK-LABEL: func private @quant_i2_bf16()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<2>, scale = bf16>
func.func private @quant_i2_bf16() attributes {s = #qf.scheme<!quant.uniform<i2:bf16, 0.5>>}

// CHECK-LABEL: func private @quant_per_axis()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>
func.func private @quant_per_axis() attributes {s = #qf.scheme<!quant.uniform<i8:f32:0, {0.5, 0.25}>>}

// CHECK-LABEL: func private @quant_per_axis_zero_point()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, per_axis = 1, scale = f32, zero_point = #qf.int<8>>
func.func private @quant_per_axis_zero_point() attributes {s = #qf.scheme<!quant.uniform<i8:f32:1, {0.5:1, 0.25}>>}

// Sub-channel with one blocked dimension: groups along that dimension (the
// scales' rank tells which dimension is last; the last axis prints as default).
// CHECK-LABEL: func private @quant_sub_channel_group()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, group = 32, scale = f32>
func.func private @quant_sub_channel_group() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:1, 1:32}, {{2.0, 3.0}, {4.0, 5.0}}>>}

// CHECK-LABEL: func private @quant_sub_channel_group_axis0()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, group = 16, axis = 0, scale = f32>
func.func private @quant_sub_channel_group_axis0() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:16, 1:1}, {{2.0, 3.0}, {4.0, 5.0}}>>}

// CHECK-LABEL: func private @quant_sub_channel_zero_point()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f32, zero_point = #qf.int<4, unsigned>>
func.func private @quant_sub_channel_zero_point() attributes {s = #qf.scheme<!quant.uniform<u4:f32:{0:1, 1:32}, {{2.0:1, 3.0:2}, {4.0, 5.0}}>>}

// Two blocked trailing dimensions: a 2-D block.
// CHECK-LABEL: func private @quant_sub_channel_block()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, block = [2, 32], scale = f32>
func.func private @quant_sub_channel_block() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:2, 1:32}, {{2.0, 3.0}, {4.0, 5.0}}>>}

// CHECK-LABEL: func private @quant_sub_channel_block_rank3()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, block = [4, 8], scale = f32>
func.func private @quant_sub_channel_block_rank3() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:1, 1:4, 2:8}, {{{2.0, 3.0}, {4.0, 5.0}}}>>}

// A converted scheme that equals a preset prints as the preset.
// CHECK-LABEL: func private @quant_is_preset()
// CHECK-SAME: s = #qf.scheme<fp8_e4m3>
func.func private @quant_is_preset() attributes {s = #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f32>}
