// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// Negative values for unsigned parameters must be rejected, and reported as
// written (not as the wrapped-around unsigned value).

// Today: accepted, prints offset = 18446744073709551615.
// expected-error @+1 {{offset}}
func.func private @blob_negative_offset() attributes {data = #qf.blob<"model.gguf", offset = -1, size = 18>}

// -----

// Today: accepted, prints size = 18446744073709551598.
// expected-error @+1 {{size}}
func.func private @blob_negative_size() attributes {data = #qf.blob<"model.gguf", offset = 0, size = -18>}

// -----

// Today: "integer format width must be 2 to 8 bits, got 4294967292".
// expected-error @+1 {{got -4}}
func.func private @int_negative_width() attributes {fmt = #qf.int<-4>}

// -----

// Today: "integer format fraction bits must be at most 15, got 4294967295".
// expected-error @+1 {{got -1}}
func.func private @int_negative_frac() attributes {fmt = #qf.int<8, frac = -1>}
