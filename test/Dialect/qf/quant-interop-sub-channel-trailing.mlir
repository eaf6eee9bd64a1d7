// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// qf block granularity tiles the LAST two axes. A sub-channel quant type whose
// two blocked dimensions are adjacent but not trailing (the scales tensor
// gives the rank) has no qf granularity and must be rejected, not converted
// to block = [R, C] over the last two axes.

// Rank 3, blocked dimensions 0 and 1.
// expected-error @+1 {{sub-channel quantization with 2 blocked dimensions has no qf granularity}}
func.func private @blocked_leading_dims() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:2, 1:2, 2:1}, {{{2.0, 3.0}, {4.0, 5.0}}}>>}

// -----

// Rank 4, blocked dimensions 1 and 2.
// expected-error @+1 {{sub-channel quantization with 2 blocked dimensions has no qf granularity}}
func.func private @blocked_middle_dims() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:1, 1:4, 2:4, 3:1}, {{{{2.0}}}}>>}
