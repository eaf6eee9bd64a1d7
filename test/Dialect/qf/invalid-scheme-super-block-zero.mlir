// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// super_block must be positive: an explicit 0 is rejected like a negative
// value (today it is accepted and means "no super-block").

// expected-error @+1 {{super_block must be positive, got 0}}
func.func private @super_block_zero() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 0>}

// -----

// Today: "super_scale given without super_block".
// expected-error @+1 {{super_block must be positive, got 0}}
func.func private @super_block_zero_with_scale() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 0, super_scale = f16>}
