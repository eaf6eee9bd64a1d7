// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// A key given twice must be an error; today the last value silently wins.

// Today: int4_g64.
// expected-error @+1 {{duplicate}}
func.func private @group_twice() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, group = 64, scale = f16>}

// -----

// Today: int8_g32.
// expected-error @+1 {{duplicate}}
func.func private @element_twice() attributes {s = #qf.scheme<element = #qf.int<4>, element = #qf.int<8>, group = 32, scale = f16>}

// -----

// expected-error @+1 {{duplicate}}
func.func private @scale_twice() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, scale = f32>}

// -----

// expected-error @+1 {{duplicate}}
func.func private @rounding_twice() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up, rounding = toward_zero>}

// -----

// expected-error @+1 {{duplicate}}
func.func private @axis_twice() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, axis = 1, scale = f16>}
