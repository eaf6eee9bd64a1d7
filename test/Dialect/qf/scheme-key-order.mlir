// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// The full form is a list of `key = value` pairs; every key but `element`
// may come in any order, and `element` need not come first either.

// CHECK-LABEL: func private @group_first()
// CHECK-SAME: s = #qf.scheme<int4_g32>
func.func private @group_first() attributes {s = #qf.scheme<group = 32, element = #qf.int<4>, scale = f16>}

// CHECK-LABEL: func private @scale_first()
// CHECK-SAME: s = #qf.scheme<mxfp4>
func.func private @scale_first() attributes {s = #qf.scheme<scale = e8m0, group = 32, element = #qf.float<e2m1>>}

// CHECK-LABEL: func private @per_axis_first()
// CHECK-SAME: s = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>
func.func private @per_axis_first() attributes {s = #qf.scheme<per_axis = 0, element = #qf.int<8>>}

// CHECK-LABEL: func private @layout_first()
// CHECK-SAME: s = #qf.scheme<q8_0>
func.func private @layout_first() attributes {s = #qf.scheme<layout = ggml, rounding = nearest_away, element = #qf.int<8>, group = 32, scale = f16>}
