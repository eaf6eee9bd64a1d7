// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// Element and scale formats: #qf.int, #qf.float, #qf.lut, #qf.ternary, and
// the external storage attribute #qf.blob.

//===----------------------------------------------------------------------===//
// #qf.int
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @int_signed()
// CHECK-SAME: fmt = #qf.int<4>
func.func private @int_signed() attributes {fmt = #qf.int<4>}

// CHECK-LABEL: func private @int_signed_explicit()
// CHECK-SAME: fmt = #qf.int<3>
func.func private @int_signed_explicit() attributes {fmt = #qf.int<3, signed>}

// CHECK-LABEL: func private @int_unsigned()
// CHECK-SAME: fmt = #qf.int<4, unsigned>
func.func private @int_unsigned() attributes {fmt = #qf.int<4, unsigned>}

// CHECK-LABEL: func private @int_min_width()
// CHECK-SAME: fmt = #qf.int<2>
func.func private @int_min_width() attributes {fmt = #qf.int<2>}

// CHECK-LABEL: func private @int_max_width()
// CHECK-SAME: fmt = #qf.int<8, unsigned>
func.func private @int_max_width() attributes {fmt = #qf.int<8, unsigned>}

// CHECK-LABEL: func private @int_signed_frac()
// CHECK-SAME: fmt = #qf.int<8, signed, frac = 6>
func.func private @int_signed_frac() attributes {fmt = #qf.int<8, signed, frac = 6>}

// CHECK-LABEL: func private @int_signed_frac_implicit()
// CHECK-SAME: fmt = #qf.int<8, signed, frac = 6>
func.func private @int_signed_frac_implicit() attributes {fmt = #qf.int<8, frac = 6>}

// CHECK-LABEL: func private @int_unsigned_frac()
// CHECK-SAME: fmt = #qf.int<6, unsigned, frac = 3>
func.func private @int_unsigned_frac() attributes {fmt = #qf.int<6, unsigned, frac = 3>}

// CHECK-LABEL: func private @int_max_frac()
// CHECK-SAME: fmt = #qf.int<4, signed, frac = 15>
func.func private @int_max_frac() attributes {fmt = #qf.int<4, frac = 15>}

//===----------------------------------------------------------------------===//
// #qf.float
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @float_e2m1()
// CHECK-SAME: fmt = #qf.float<e2m1>
func.func private @float_e2m1() attributes {fmt = #qf.float<e2m1>}

// CHECK-LABEL: func private @float_e2m3()
// CHECK-SAME: fmt = #qf.float<e2m3>
func.func private @float_e2m3() attributes {fmt = #qf.float<e2m3>}

// CHECK-LABEL: func private @float_e3m2()
// CHECK-SAME: fmt = #qf.float<e3m2>
func.func private @float_e3m2() attributes {fmt = #qf.float<e3m2>}

// CHECK-LABEL: func private @float_e4m3()
// CHECK-SAME: fmt = #qf.float<e4m3>
func.func private @float_e4m3() attributes {fmt = #qf.float<e4m3>}

// CHECK-LABEL: func private @float_e5m2()
// CHECK-SAME: fmt = #qf.float<e5m2>
func.func private @float_e5m2() attributes {fmt = #qf.float<e5m2>}

// CHECK-LABEL: func private @float_e8m0()
// CHECK-SAME: fmt = #qf.float<e8m0>
func.func private @float_e8m0() attributes {fmt = #qf.float<e8m0>}

// CHECK-LABEL: func private @float_ue4m3()
// CHECK-SAME: fmt = #qf.float<ue4m3>
func.func private @float_ue4m3() attributes {fmt = #qf.float<ue4m3>}

//===----------------------------------------------------------------------===//
// #qf.lut
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @lut_nf4()
// CHECK-SAME: fmt = #qf.lut<nf4>
func.func private @lut_nf4() attributes {fmt = #qf.lut<nf4>}

// CHECK-LABEL: func private @lut_iq4_nl()
// CHECK-SAME: fmt = #qf.lut<iq4_nl>
func.func private @lut_iq4_nl() attributes {fmt = #qf.lut<iq4_nl>}

// A custom table prints every entry with 17 significant digits, so that it
// re-parses to exactly the same doubles.
// CHECK-LABEL: func private @lut_custom()
// CHECK-SAME: fmt = #qf.lut<[-1.5000000000000000e+00, -2.5000000000000000e-01, 1.0000000000000001e-01, 3.0000000000000000e+00]>
func.func private @lut_custom() attributes {fmt = #qf.lut<[-1.5, -0.25, 0.1, 3.0]>}

// CHECK-LABEL: func private @lut_two_entries()
// CHECK-SAME: fmt = #qf.lut<[0.0000000000000000e+00, 1.0000000000000000e+00]>
func.func private @lut_two_entries() attributes {fmt = #qf.lut<[0.0, 1.0]>}

// CHECK-LABEL: func private @lut_eight_entries()
// CHECK-SAME: fmt = #qf.lut<[-4.0000000000000000e+00, -3.0000000000000000e+00, -2.0000000000000000e+00, -1.0000000000000000e+00, 0.0000000000000000e+00, 1.0000000000000000e+00, 2.0000000000000000e+00, 3.0000000000000000e+00]>
func.func private @lut_eight_entries() attributes {fmt = #qf.lut<[-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]>}

//===----------------------------------------------------------------------===//
// #qf.ternary
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @ternary()
// CHECK-SAME: fmt = #qf.ternary}
func.func private @ternary() attributes {fmt = #qf.ternary}

//===----------------------------------------------------------------------===//
// #qf.blob
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func private @blob()
// CHECK-SAME: data = #qf.blob<"model.gguf", offset = 1024, size = 144>
func.func private @blob() attributes {data = #qf.blob<"model.gguf", offset = 1024, size = 144>}

// CHECK-LABEL: func private @blob_path_with_dirs()
// CHECK-SAME: data = #qf.blob<"/models/llama 7b/w.gguf", offset = 0, size = 9223372036854775807>
func.func private @blob_path_with_dirs() attributes {data = #qf.blob<"/models/llama 7b/w.gguf", offset = 0, size = 9223372036854775807>}

// CHECK-LABEL: func private @fnuz()
// CHECK-SAME: a = #qf.fnuz<e4m3>, b = #qf.fnuz<e5m2>
// CHECK-SAME: c = #qf.scheme<element = #qf.fnuz<e4m3>, group = 32, scale = #qf.float<e8m0>>
func.func private @fnuz() attributes {a = #qf.fnuz<e4m3>, b = #qf.fnuz<e5m2>, c = #qf.scheme<element = #qf.fnuz<e4m3>, group = 32, scale = e8m0>}
