// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// A scheme has one granularity. Giving two (tensor / per_axis / group / block)
// must be an error: today the last one silently wins and the earlier one
// leaves hidden state behind (a block shape or an axis the printer does not
// show), so the printed form is not the parsed attribute. For instance the
// first case prints as `#qf.scheme<element = #qf.float<e4m3>, per_axis = 0,
// scale = f32>`, which re-parses to a different attribute (the fp8_e4m3
// preset). Each expected message names the second, conflicting key.

// expected-error @+1 {{per_axis}}
func.func private @group_then_per_axis() attributes {s = #qf.scheme<element = #qf.float<e4m3>, group = 32, per_axis = 0, scale = f32>}

// -----

// Today: a group along axis 1 (the per_axis axis leaks into the group).
// expected-error @+1 {{group}}
func.func private @per_axis_then_group() attributes {s = #qf.scheme<element = #qf.int<4>, per_axis = 1, group = 32, scale = f16>}

// -----

// Today: per-tensor with a hidden group size of 32.
// expected-error @+1 {{tensor}}
func.func private @group_then_tensor() attributes {s = #qf.scheme<element = #qf.int<8>, group = 32, tensor, scale = f16>}

// -----

// Today: block = [32, 4] (the group size becomes the first block size).
// expected-error @+1 {{block}}
func.func private @group_then_block() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, block = [4], scale = f16>}

// -----

// Today: int4_g32.
// expected-error @+1 {{group}}
func.func private @block_then_group() attributes {s = #qf.scheme<element = #qf.int<4>, block = [4, 4], group = 32, scale = f16>}

// -----

// Today: the zero point is dropped and min = f16 kept.
// expected-error @+1 {{min}}
func.func private @zero_point_then_min() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, zero_point = #qf.int<4>, min = f16>}
