// RUN: qforge-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// #qf.int
//===----------------------------------------------------------------------===//

// expected-error @+1 {{integer format width must be 2 to 8 bits, got 1}}
func.func private @int_too_narrow() attributes {fmt = #qf.int<1>}

// -----

// expected-error @+1 {{integer format width must be 2 to 8 bits, got 9}}
func.func private @int_too_wide() attributes {fmt = #qf.int<9, unsigned>}

// -----

// expected-error @+1 {{integer format width must be 2 to 8 bits, got 0}}
func.func private @int_zero_width() attributes {fmt = #qf.int<0>}

// -----

// expected-error @+1 {{integer format fraction bits must be 0 to 15, got 16}}
func.func private @int_frac_too_large() attributes {fmt = #qf.int<8, frac = 16>}

// -----

// expected-error @+1 {{expected 'signed', 'unsigned' or 'frac', got 'sign'}}
func.func private @int_bad_keyword() attributes {fmt = #qf.int<4, sign>}

// -----

// expected-error @+1 {{expected '='}}
func.func private @int_frac_no_equal() attributes {fmt = #qf.int<4, frac 2>}

// -----

// expected-error @+1 {{expected integer value}}
func.func private @int_no_width() attributes {fmt = #qf.int<>}

// -----

// expected-error @+1 {{integer format width must be 2 to 8 bits, got 99999999999}}
func.func private @int_width_overflow() attributes {fmt = #qf.int<99999999999>}

// -----

//===----------------------------------------------------------------------===//
// #qf.float
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown minifloat 'e3m4'; expected e2m1, e2m3, e3m2, e4m3, e5m2, e8m0 or ue4m3}}
func.func private @float_unknown() attributes {fmt = #qf.float<e3m4>}

// -----

// expected-error @+1 {{unknown minifloat 'fp4'}}
func.func private @float_unknown_name() attributes {fmt = #qf.float<fp4>}

// -----

// expected-error @+1 {{expected valid keyword}}
func.func private @float_empty() attributes {fmt = #qf.float<>}

// -----

// expected-error @+1 {{expected '>'}}
func.func private @float_two_kinds() attributes {fmt = #qf.float<e2m1, e4m3>}

// -----

//===----------------------------------------------------------------------===//
// #qf.lut
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown lookup table 'nf3'; expected nf4, iq4_nl or [values]}}
func.func private @lut_unknown_name() attributes {fmt = #qf.lut<nf3>}

// -----

// expected-error @+1 {{lookup table must have a power-of-two number of entries from 2 to 256, got 3}}
func.func private @lut_not_power_of_two() attributes {fmt = #qf.lut<[1.0, 2.0, 3.0]>}

// -----

// expected-error @+1 {{lookup table must have a power-of-two number of entries from 2 to 256, got 1}}
func.func private @lut_one_entry() attributes {fmt = #qf.lut<[1.0]>}

// -----

// expected-error @+1 {{lookup table must have a power-of-two number of entries from 2 to 256, got 0}}
func.func private @lut_empty() attributes {fmt = #qf.lut<[]>}

// -----

// expected-error @+1 {{lookup table entries must be finite}}
func.func private @lut_nan() attributes {fmt = #qf.lut<[0x7FF8000000000000, 1.0]>}

// -----

// expected-error @+1 {{lookup table entries must be finite}}
func.func private @lut_inf() attributes {fmt = #qf.lut<[-1.0, 0x7FF0000000000000]>}

// -----

// expected-error @+1 {{expected '['}}
func.func private @lut_empty_brackets() attributes {fmt = #qf.lut<>}

// -----

// expected-error @+1 {{expected floating point literal}}
func.func private @lut_not_a_number() attributes {fmt = #qf.lut<[1.0, two]>}

// -----

//===----------------------------------------------------------------------===//
// #qf.ternary
//===----------------------------------------------------------------------===//

// expected-error @+1 {{expected '>'}}
func.func private @ternary_parameter() attributes {fmt = #qf.ternary<2>}

// -----

//===----------------------------------------------------------------------===//
// #qf.blob
//===----------------------------------------------------------------------===//

// expected-error @+2 {{expected string}}
// expected-error @+1 {{failed to parse Qf_ExternalBlobAttr parameter 'path'}}
func.func private @blob_unquoted_path() attributes {data = #qf.blob<model.gguf, offset = 0, size = 18>}

// -----

// expected-error @+1 {{expected 'offset'}}
func.func private @blob_missing_offset() attributes {data = #qf.blob<"model.gguf", size = 18>}

// -----

// expected-error @+1 {{expected ','}}
func.func private @blob_missing_size() attributes {data = #qf.blob<"model.gguf", offset = 0>}

// -----

//===----------------------------------------------------------------------===//
// Unknown attribute in the dialect
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown attribute `format` in dialect `qf`}}
func.func private @unknown_attr() attributes {fmt = #qf.format<4>}

// -----

// expected-error @+1 {{expected e4m3 or e5m2, got 'e3m4'}}
func.func private @fnuz_unknown() attributes {fmt = #qf.fnuz<e3m4>}

// -----

// expected-error @+1 {{blob path must not be empty}}
func.func private @blob_empty_path() attributes {data = #qf.blob<"", offset = 0, size = 18>}

// -----

// expected-error @+1 {{signedness given twice}}
func.func private @int_signedness_twice() attributes {fmt = #qf.int<4, unsigned, signed>}

// -----

// expected-error @+1 {{frac given twice}}
func.func private @int_frac_twice() attributes {fmt = #qf.int<8, frac = 2, frac = 3>}
