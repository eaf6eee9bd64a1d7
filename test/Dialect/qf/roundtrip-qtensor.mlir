// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// !qf.qtensor<shape, scheme>: a preset prints as its bare name, any other
// scheme as a full #qf.scheme attribute.

// CHECK-LABEL: func private @preset_bare(
// CHECK-SAME: !qf.qtensor<64x128, mxfp4>
func.func private @preset_bare(!qf.qtensor<64x128, mxfp4>)

// CHECK-LABEL: func private @preset_as_attr(
// CHECK-SAME: !qf.qtensor<64x128, q4_0>
func.func private @preset_as_attr(!qf.qtensor<64x128, #qf.scheme<q4_0>>)

// CHECK-LABEL: func private @full_form_equal_to_preset(
// CHECK-SAME: !qf.qtensor<64x128, int4_g32>
func.func private @full_form_equal_to_preset(!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>>)

// CHECK-LABEL: func private @full_form(
// CHECK-SAME: !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>>
func.func private @full_form(!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>>)

// CHECK-LABEL: func private @rank1(
// CHECK-SAME: !qf.qtensor<4096, q8_0>
func.func private @rank1(!qf.qtensor<4096, q8_0>)

// CHECK-LABEL: func private @rank3(
// CHECK-SAME: !qf.qtensor<2x3x64, mxfp8_e4m3>
func.func private @rank3(!qf.qtensor<2x3x64, mxfp8_e4m3>)

// CHECK-LABEL: func private @ones(
// CHECK-SAME: !qf.qtensor<1x1x1, #qf.scheme<element = #qf.int<8>, scale = f32>>
func.func private @ones(!qf.qtensor<1x1x1, #qf.scheme<element = #qf.int<8>, scale = f32>>)

// CHECK-LABEL: func private @per_axis_last(
// CHECK-SAME: !qf.qtensor<64x128, #qf.scheme<element = #qf.float<e4m3>, per_axis = 1, scale = f32>>
func.func private @per_axis_last(!qf.qtensor<64x128, #qf.scheme<element = #qf.float<e4m3>, per_axis = 1, scale = f32>>)

// CHECK-LABEL: func private @group_axis0(
// CHECK-SAME: !qf.qtensor<64x100, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>>
func.func private @group_axis0(!qf.qtensor<64x100, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>>)

// CHECK-LABEL: func private @group_axis_explicit_last(
// CHECK-SAME: !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, axis = 1, scale = f16>>
func.func private @group_axis_explicit_last(!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, axis = 1, scale = f16>>)

// CHECK-LABEL: func private @block_rank2(
// CHECK-SAME: !qf.qtensor<256x256, #qf.scheme<element = #qf.int<8>, block = [128, 128], scale = f32>>
func.func private @block_rank2(!qf.qtensor<256x256, #qf.scheme<element = #qf.int<8>, block = [128, 128], scale = f32>>)

// Blocks tile the last two dimensions; leading ones are free.
// CHECK-LABEL: func private @block_rank3(
// CHECK-SAME: !qf.qtensor<3x8x8, #qf.scheme<element = #qf.int<8>, block = [4, 4], scale = f32>>
func.func private @block_rank3(!qf.qtensor<3x8x8, #qf.scheme<element = #qf.int<8>, block = [4, 4], scale = f32>>)

// CHECK-LABEL: func private @super_block(
// CHECK-SAME: !qf.qtensor<16x512, q4_k>
func.func private @super_block(!qf.qtensor<16x512, q4_k>)

// CHECK-LABEL: func private @quant_interop(
// CHECK-SAME: !qf.qtensor<8x64, #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>>
func.func private @quant_interop(!qf.qtensor<8x64, #qf.scheme<!quant.uniform<i8:f32:0, {0.5, 0.25}>>>)

// CHECK-LABEL: func private @several(
// CHECK-SAME: !qf.qtensor<32, nvfp4>, !qf.qtensor<32, nvfp4>) -> !qf.qtensor<32x32, iq4_nl>
func.func private @several(!qf.qtensor<32, nvfp4>, !qf.qtensor<32, nvfp4>) -> !qf.qtensor<32x32, iq4_nl>

// Attribute and type aliases are resolved; the printer writes the scheme inline.
#scheme = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>
#preset = #qf.scheme<q4_0>
!qt = !qf.qtensor<8x32, #scheme>

// CHECK-LABEL: func private @aliases(
// CHECK-SAME: !qf.qtensor<8x32, #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>>, !qf.qtensor<8x32, q4_0>)
// CHECK-SAME: s = #qf.scheme<element = #qf.int<4>, group = 16, scale = f16>
func.func private @aliases(!qt, !qf.qtensor<8x32, #preset>) attributes {s = #scheme}
