// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// #qf.scheme<!quant...>: quant types that have no qf scheme (QuantInterop.cpp).

// expected-error @+1 {{quant storage type of 16 bits has no qf integer format (2 to 8 bits)}}
func.func private @storage_too_wide() attributes {s = #qf.scheme<!quant.uniform<i16:f32, 0.5>>}

// -----

// expected-error @+1 {{quant storage type of 32 bits has no qf integer format (2 to 8 bits)}}
func.func private @storage_i32_per_axis() attributes {s = #qf.scheme<!quant.uniform<i32:f32:0, {0.5, 0.25}>>}

// -----

// expected-error @+1 {{quant storage type of 1 bits has no qf integer format (2 to 8 bits)}}
func.func private @storage_too_narrow() attributes {s = #qf.scheme<!quant.uniform<i1:f32, 0.5>>}

// -----

// expected-error @+1 {{quant expressed type must be f32, f16 or bf16}}
func.func private @expressed_f64() attributes {s = #qf.scheme<!quant.uniform<i8:f64, 0.5>>}

// -----

// expected-error @+1 {{quant expressed type must be f32, f16 or bf16}}
func.func private @expressed_f8() attributes {s = #qf.scheme<!quant.uniform<i8:f8E4M3FN, 0.5>>}

// -----

// expected-error @+1 {{only uniform quant types convert to qf schemes}}
func.func private @any_quantized() attributes {s = #qf.scheme<!quant.any<i8:f32>>}

// -----

// expected-error @+1 {{sub-channel quantization with 0 blocked dimensions has no qf granularity (one dimension, or two adjacent trailing ones)}}
func.func private @sub_channel_no_blocked_dim() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:1, 1:1}, {{2.0, 3.0}, {4.0, 5.0}}>>}

// -----

// expected-error @+1 {{sub-channel quantization with 2 blocked dimensions has no qf granularity}}
func.func private @sub_channel_non_adjacent() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:2, 1:1, 2:2}, {{{2.0, 3.0}, {4.0, 5.0}}}>>}

// -----

// expected-error @+1 {{sub-channel quantization with 3 blocked dimensions has no qf granularity}}
func.func private @sub_channel_three_blocked() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{0:2, 1:2, 2:2}, {{{2.0, 3.0}, {4.0, 5.0}}}>>}

// -----

// Unlisted dimensions are blocked over their whole extent: no qf granularity.
// expected-error @+1 {{sub-channel quantization must list a block size for each of the 2 dimensions}}
func.func private @sub_channel_unlisted_dim() attributes {s = #qf.scheme<!quant.uniform<i8:f32:{1:32}, {{2.0, 3.0}}>>}
