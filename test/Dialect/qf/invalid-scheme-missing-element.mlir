// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// A full-form scheme without `element` reports the missing key, rather than
// calling the first (valid) key unknown.

// expected-error @+1 {{scheme needs an element format (element = ...)}}
func.func private @no_element() attributes {s = #qf.scheme<group = 32, scale = f16>}

// -----

// expected-error @+1 {{scheme needs an element format (element = ...)}}
func.func private @no_element_per_axis() attributes {s = #qf.scheme<per_axis = 0, scale = f32>}

// -----

// expected-error @+1 {{scheme needs an element format (element = ...)}}
func.func private @no_element_tensor() attributes {s = #qf.scheme<tensor, scale = f16>}
