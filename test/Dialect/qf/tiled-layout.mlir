// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// layout = tiled: a preset in tiles is written and printed `preset, layout =
// tiled`; any other scheme grouped along K in the full form.

// CHECK-LABEL: func private @gguf_types_in_tiles(
// CHECK-SAME: !qf.qtensor<8x512, #qf.scheme<q4_k, layout = tiled>>
// CHECK-SAME: !qf.qtensor<8x64, #qf.scheme<q4_0, layout = tiled>>
// CHECK-SAME: !qf.qtensor<8x96, #qf.scheme<mxfp4_ggml, layout = tiled>>
func.func private @gguf_types_in_tiles(!qf.qtensor<8x512, #qf.scheme<q4_k, layout = tiled>>,
                                       !qf.qtensor<8x64, #qf.scheme<q4_0, layout = tiled>>,
                                       !qf.qtensor<8x96, #qf.scheme<mxfp4_ggml, layout = tiled>>)

// CHECK-LABEL: func private @planar_presets_in_tiles(
// CHECK-SAME: !qf.qtensor<4x256, #qf.scheme<nvfp4, layout = tiled>>
// CHECK-SAME: !qf.qtensor<4x384, #qf.scheme<int4_g128_asym, layout = tiled>>
func.func private @planar_presets_in_tiles(!qf.qtensor<4x256, #qf.scheme<nvfp4, layout = tiled>>,
                                           !qf.qtensor<4x384, #qf.scheme<int4_g128_asym, layout = tiled>>)

// The full form of a preset in tiles prints as the preset.
// CHECK-LABEL: func private @full_form()
// CHECK-SAME: other = #qf.scheme<element = #qf.int<3>, group = 64, scale = bf16, layout = tiled>
// CHECK-SAME: q4_k = #qf.scheme<q4_k, layout = tiled>
func.func private @full_form() attributes {
  q4_k = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16, layout = tiled>,
  other = #qf.scheme<element = #qf.int<3>, group = 64, scale = bf16, layout = tiled>}

// A preset written with its own layout is the preset.
// CHECK-LABEL: func private @own_layout()
// CHECK-SAME: s = #qf.scheme<q4_1>
func.func private @own_layout() attributes {s = #qf.scheme<q4_1, layout = ggml>}
