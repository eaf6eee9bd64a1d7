// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// One case per #qf.scheme parse error and verifier rule (SchemeAttr.cpp).

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown scheme preset 'mxfp5'}}
func.func private @unknown_preset() attributes {s = #qf.scheme<mxfp5>}

// -----

// expected-error @+1 {{unknown scheme preset 'int4_g256'}}
func.func private @unknown_preset_int_family() attributes {s = #qf.scheme<int4_g256>}

// -----

// expected-error @+1 {{unknown scheme preset 'i8'}}
func.func private @builtin_type_is_not_a_preset() attributes {s = #qf.scheme<i8>}

// -----

// expected-error @+1 {{unknown scheme key 'elements'}}
func.func private @unknown_first_key() attributes {s = #qf.scheme<elements = #qf.int<4>>}

// -----

// expected-error @+1 {{unknown scheme key 'groups'}}
func.func private @unknown_key() attributes {s = #qf.scheme<element = #qf.int<4>, groups = 32>}

// -----

// expected-error @+1 {{unknown scheme key 'offset'}}
func.func private @unknown_key_offset() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, offset = #qf.int<4, unsigned>>}

// -----

// expected-error @+1 {{expected a !quant quantized type, got '!qf.qtensor<32, mxfp4>'}}
func.func private @not_a_quant_type() attributes {s = #qf.scheme<!qf.qtensor<32, mxfp4>>}

// -----

// expected-error @+1 {{element must be a format attribute}}
func.func private @element_builtin_type() attributes {s = #qf.scheme<element = f16, group = 32>}

// -----

// expected-error @+1 {{element must be a format attribute}}
func.func private @element_blob() attributes {s = #qf.scheme<element = #qf.blob<"a", offset = 0, size = 1>>}

// -----

// expected-error @+1 {{element must be a format attribute}}
func.func private @element_scheme() attributes {s = #qf.scheme<element = #qf.scheme<mxfp4>>}

// -----

// expected-error @+1 {{unknown rounding 'nearest'; expected nearest_even, nearest_away, nearest_up, nearest_lowest_code or toward_zero}}
func.func private @unknown_rounding() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest>}

// -----

// expected-error @+1 {{saturate must be true or false}}
func.func private @saturate_not_bool() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, saturate = yes>}

// -----

// expected-error @+1 {{unknown layout 'gguf'; expected planar, ggml or tiled}}
func.func private @unknown_layout() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, layout = gguf>}

// -----

// expected-error @+1 {{'axis' applies only to group granularity}}
func.func private @axis_with_per_axis() attributes {s = #qf.scheme<element = #qf.int<8>, per_axis = 1, axis = 0, scale = f32>}

// -----

// expected-error @+1 {{'axis' applies only to group granularity}}
func.func private @axis_with_tensor() attributes {s = #qf.scheme<element = #qf.int<8>, axis = 0, scale = f32>}

// -----

// expected-error @+1 {{'axis' applies only to group granularity}}
func.func private @axis_with_block() attributes {s = #qf.scheme<element = #qf.int<8>, block = [4, 4], axis = 0, scale = f32>}

// -----

//===----------------------------------------------------------------------===//
// Element
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'e8m0' is a scale format and cannot be an element format}}
func.func private @element_e8m0() attributes {s = #qf.scheme<element = #qf.float<e8m0>, group = 32, scale = f16>}

// -----

// expected-error @+1 {{'ue4m3' is a scale format and cannot be an element format}}
func.func private @element_ue4m3() attributes {s = #qf.scheme<element = #qf.float<ue4m3>, group = 16, scale = f32>}

// -----

//===----------------------------------------------------------------------===//
// Granularity
//===----------------------------------------------------------------------===//

// expected-error @+1 {{per_axis needs a non-negative axis, got -1}}
func.func private @per_axis_negative() attributes {s = #qf.scheme<element = #qf.int<8>, per_axis = -1, scale = f32>}

// -----

// expected-error @+1 {{group size must be positive}}
func.func private @group_zero() attributes {s = #qf.scheme<element = #qf.int<4>, group = 0, scale = f16>}

// -----

// expected-error @+1 {{group size must be positive}}
func.func private @group_negative() attributes {s = #qf.scheme<element = #qf.int<4>, group = -32, scale = f16>}

// -----

// expected-error @+1 {{group axis must be -1 (last) or non-negative, got -2}}
func.func private @group_axis_negative() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, axis = -2, scale = f16>}

// -----

// expected-error @+1 {{block granularity needs two positive sizes [rows, columns]}}
func.func private @block_one_size() attributes {s = #qf.scheme<element = #qf.int<8>, block = [4], scale = f32>}

// -----

// expected-error @+1 {{block granularity needs two positive sizes [rows, columns]}}
func.func private @block_three_sizes() attributes {s = #qf.scheme<element = #qf.int<8>, block = [4, 4, 4], scale = f32>}

// -----

// expected-error @+1 {{block granularity needs two positive sizes [rows, columns]}}
func.func private @block_zero() attributes {s = #qf.scheme<element = #qf.int<8>, block = [4, 0], scale = f32>}

// -----

// expected-error @+1 {{block granularity needs two positive sizes [rows, columns]}}
func.func private @block_empty() attributes {s = #qf.scheme<element = #qf.int<8>, block = [], scale = f32>}

// -----

//===----------------------------------------------------------------------===//
// Scale
//===----------------------------------------------------------------------===//

// expected-error @+1 {{scale must be f32, f16, bf16 or a format attribute}}
func.func private @scale_integer_type() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = i8>}

// -----

// expected-error @+1 {{scale must be f32, f16, bf16 or a format attribute}}
func.func private @scale_f64() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f64>}

// -----

// expected-error @+1 {{scale must be f32, f16, bf16 or a format attribute}}
func.func private @scale_builtin_f8() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f8E8M0FNU>}

// -----

// expected-error @+1 {{scale must be f32, f16, bf16 or a format attribute}}
func.func private @scale_value() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = 0.5>}

// -----

// expected-error @+1 {{scale format 'int4' is signed; scales are positive and need an unsigned format}}
func.func private @scale_signed_int() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.int<4>>}

// -----

// expected-error @+1 {{scale format 'e4m3' is signed; scales are positive and need an unsigned format}}
func.func private @scale_signed_float() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = #qf.float<e4m3>>}

// -----

// expected-error @+1 {{scale format 'ternary' is signed}}
func.func private @scale_ternary() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.ternary>}

// -----

// expected-error @+1 {{scale format must be an integer or minifloat format}}
func.func private @scale_lut() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.lut<[0.5, 1.0]>>}

// -----

// expected-error @+1 {{an integer scale format cannot represent a scale on its own: it needs a second-level scale (super_block and super_scale)}}
func.func private @scale_int_without_super_block() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.int<6, unsigned>>}

// -----

//===----------------------------------------------------------------------===//
// Offset
//===----------------------------------------------------------------------===//

// expected-error @+1 {{a zero_point offset needs an integer element format, got 'e2m1'}}
func.func private @zero_point_float_element() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = f16, zero_point = #qf.int<4>>}

// -----

// expected-error @+1 {{a min offset needs an integer element format, got 'nf4'}}
func.func private @min_lut_element() attributes {s = #qf.scheme<element = #qf.lut<nf4>, group = 64, scale = f16, min = f16>}

// -----

// expected-error @+1 {{a power-of-two (e8m0) scale cannot be combined with an offset}}
func.func private @zero_point_with_e8m0() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = e8m0, zero_point = #qf.int<4, unsigned>>}

// -----

// expected-error @+1 {{zero point format must be an integer format (#qf.int)}}
func.func private @zero_point_float_type() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, zero_point = f16>}

// -----

// expected-error @+1 {{zero point format must be an integer format (#qf.int)}}
func.func private @zero_point_minifloat() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, zero_point = #qf.float<e4m3>>}

// -----

// expected-error @+1 {{min must be f32, f16, bf16 or an integer format}}
func.func private @min_e8m0() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = e8m0>}

// -----

// expected-error @+1 {{min must be f32, f16, bf16 or an integer format}}
func.func private @min_f64() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f64>}

// -----

// expected-error @+1 {{an integer min format needs a second-level scale (super_block)}}
func.func private @min_int_without_super_block() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = #qf.int<6, unsigned>>}

// -----

// expected-error @+1 {{an integer min format must be unsigned (its sign comes from the super scale)}}
func.func private @min_int_signed() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6>, super_block = 256, super_scale = f16>}

// -----

// expected-error @+1 {{unsigned element format 'uint4' needs a zero_point or min to represent negative values}}
func.func private @unsigned_element_no_offset() attributes {s = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16>}

// -----

// expected-error @+1 {{unsigned element format 'uint8_f4' needs a zero_point or min}}
func.func private @unsigned_fixed_point_no_offset() attributes {s = #qf.scheme<element = #qf.int<8, unsigned, frac = 4>, scale = f32>}

// -----

//===----------------------------------------------------------------------===//
// Second-level scales
//===----------------------------------------------------------------------===//

// expected-error @+1 {{super_block must be positive, got -256}}
func.func private @super_block_negative() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = -256, super_scale = f16>}

// -----

// expected-error @+1 {{super_block needs group granularity}}
func.func private @super_block_per_axis() attributes {s = #qf.scheme<element = #qf.int<4>, per_axis = 0, scale = f16, super_block = 256, super_scale = f16>}

// -----

// expected-error @+1 {{super_block needs group granularity}}
func.func private @super_block_block() attributes {s = #qf.scheme<element = #qf.int<4>, block = [16, 16], scale = f16, super_block = 256, super_scale = f16>}

// -----

// expected-error @+1 {{super_block 100 is not a multiple of the group size 32}}
func.func private @super_block_not_multiple() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 100, super_scale = f16>}

// -----

// expected-error @+1 {{super_block needs super_scale = f32, f16 or bf16}}
func.func private @super_block_no_super_scale() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 256>}

// -----

// expected-error @+1 {{super_block needs super_scale = f32, f16 or bf16}}
func.func private @super_scale_integer() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 256, super_scale = i16>}

// -----

// expected-error @+1 {{super_scale given without super_block}}
func.func private @super_scale_alone() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_scale = f16>}

// -----

// expected-error @+1 {{tensor_scale must be f32, f16 or bf16}}
func.func private @tensor_scale_integer() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = ue4m3, tensor_scale = i32>}

// -----

// expected-error @+1 {{tensor_scale is redundant with per-tensor granularity}}
func.func private @tensor_scale_per_tensor() attributes {s = #qf.scheme<element = #qf.int<8>, scale = f16, tensor_scale = f32>}

// -----

// expected-error @+1 {{a power-of-two (e8m0) scale takes no second-level scale}}
func.func private @e8m0_with_tensor_scale() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = e8m0, tensor_scale = f32>}

// -----

// expected-error @+1 {{a power-of-two (e8m0) scale takes no second-level scale}}
func.func private @e8m0_with_super_block() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = e8m0, super_block = 256, super_scale = f16>}

// -----

//===----------------------------------------------------------------------===//
// layout = ggml
//===----------------------------------------------------------------------===//

// expected-error @+1 {{layout = ggml (q4_0) quantizes with ggml's rounding, rounding = nearest_up}}
func.func private @ggml_q4_0_wrong_rounding() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml (q8_0) quantizes with ggml's rounding, rounding = nearest_away}}
func.func private @ggml_q8_0_wrong_rounding() attributes {s = #qf.scheme<element = #qf.int<8>, group = 32, scale = f16, rounding = nearest_up, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml (iq4_nl) quantizes with ggml's rounding, rounding = nearest_even}}
func.func private @ggml_iq4_nl_wrong_rounding() attributes {s = #qf.scheme<element = #qf.lut<iq4_nl>, group = 32, scale = f16, rounding = nearest_up, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml (mxfp4_ggml) quantizes with ggml's rounding, rounding = nearest_lowest_code}}
func.func private @ggml_mxfp4_wrong_rounding() attributes {s = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = e8m0, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml needs a scheme that is a GGUF block type (q4_0, q4_1, q8_0, q4_k, iq4_nl, mxfp4_ggml)}}
func.func private @ggml_not_a_gguf_type() attributes {s = #qf.scheme<element = #qf.int<4>, group = 64, scale = f16, rounding = nearest_up, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml needs a scheme that is a GGUF block type}}
func.func private @ggml_no_saturation() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up, saturate = false, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml needs a scheme that is a GGUF block type}}
func.func private @ggml_group_axis() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16, rounding = nearest_up, layout = ggml>}

// -----

// expected-error @+1 {{layout = ggml needs a scheme that is a GGUF block type}}
func.func private @ggml_mxfp8() attributes {s = #qf.scheme<element = #qf.float<e4m3>, group = 32, scale = e8m0, layout = ggml>}

// -----

// expected-error @+1 {{tensor_scale and super_block are both second-level scales}}
func.func private @tensor_scale_with_super_block() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = #qf.int<6, unsigned>, super_block = 256, super_scale = f16, tensor_scale = f32>}

// -----

//===----------------------------------------------------------------------===//
// layout = tiled
//===----------------------------------------------------------------------===//

// expected-error @+1 {{layout = tiled needs group granularity (tiles hold whole groups along K)}}
func.func private @tiled_per_axis() attributes {s = #qf.scheme<fp8_e4m3, layout = tiled>}

// -----

// expected-error @+1 {{unknown layout 'tiles'; expected planar, ggml or tiled}}
func.func private @preset_unknown_layout() attributes {s = #qf.scheme<q4_0, layout = tiles>}


// -----

// expected-error @+1 {{layout = ggml needs a scheme that is a GGUF block type}}
func.func private @preset_not_gguf() attributes {s = #qf.scheme<int4_g64, layout = ggml>}
