// RUN: qforge-opt %s | qforge-opt | FileCheck %s
// RUN: qforge-opt %s -mlir-print-op-generic | qforge-opt | FileCheck %s

// Every preset (kPresetNames in lib/IR/Presets.cpp, 40 names) round-trips:
//  - by name in a !qf.qtensor type and as #qf.scheme<NAME>;
//  - written out in the full form, it prints back as the preset name.
// The full forms also pin down what each preset means.
// 4x256 fits every preset (groups up to 128, q4_k's 256-element super-blocks).

// CHECK-LABEL: func private @mxfp4(
// CHECK-SAME: !qf.qtensor<4x256, mxfp4>, !qf.qtensor<4x256, mxfp4>)
// CHECK-SAME: by_name = #qf.scheme<mxfp4>, full = #qf.scheme<mxfp4>}
func.func private @mxfp4(!qf.qtensor<4x256, mxfp4>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxfp4>, full = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @mxfp6_e2m3(
// CHECK-SAME: !qf.qtensor<4x256, mxfp6_e2m3>, !qf.qtensor<4x256, mxfp6_e2m3>)
// CHECK-SAME: by_name = #qf.scheme<mxfp6_e2m3>, full = #qf.scheme<mxfp6_e2m3>}
func.func private @mxfp6_e2m3(!qf.qtensor<4x256, mxfp6_e2m3>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e2m3>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxfp6_e2m3>, full = #qf.scheme<element = #qf.float<e2m3>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @mxfp6_e3m2(
// CHECK-SAME: !qf.qtensor<4x256, mxfp6_e3m2>, !qf.qtensor<4x256, mxfp6_e3m2>)
// CHECK-SAME: by_name = #qf.scheme<mxfp6_e3m2>, full = #qf.scheme<mxfp6_e3m2>}
func.func private @mxfp6_e3m2(!qf.qtensor<4x256, mxfp6_e3m2>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e3m2>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxfp6_e3m2>, full = #qf.scheme<element = #qf.float<e3m2>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @mxfp8_e4m3(
// CHECK-SAME: !qf.qtensor<4x256, mxfp8_e4m3>, !qf.qtensor<4x256, mxfp8_e4m3>)
// CHECK-SAME: by_name = #qf.scheme<mxfp8_e4m3>, full = #qf.scheme<mxfp8_e4m3>}
func.func private @mxfp8_e4m3(!qf.qtensor<4x256, mxfp8_e4m3>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e4m3>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxfp8_e4m3>, full = #qf.scheme<element = #qf.float<e4m3>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @mxfp8_e5m2(
// CHECK-SAME: !qf.qtensor<4x256, mxfp8_e5m2>, !qf.qtensor<4x256, mxfp8_e5m2>)
// CHECK-SAME: by_name = #qf.scheme<mxfp8_e5m2>, full = #qf.scheme<mxfp8_e5m2>}
func.func private @mxfp8_e5m2(!qf.qtensor<4x256, mxfp8_e5m2>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e5m2>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxfp8_e5m2>, full = #qf.scheme<element = #qf.float<e5m2>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @mxint8(
// CHECK-SAME: !qf.qtensor<4x256, mxint8>, !qf.qtensor<4x256, mxint8>)
// CHECK-SAME: by_name = #qf.scheme<mxint8>, full = #qf.scheme<mxint8>}
func.func private @mxint8(!qf.qtensor<4x256, mxint8>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8, signed, frac = 6>, group = 32, scale = #qf.float<e8m0>>>)
    attributes {by_name = #qf.scheme<mxint8>, full = #qf.scheme<element = #qf.int<8, signed, frac = 6>, group = 32, scale = #qf.float<e8m0>>}

// CHECK-LABEL: func private @nvfp4(
// CHECK-SAME: !qf.qtensor<4x256, nvfp4>, !qf.qtensor<4x256, nvfp4>)
// CHECK-SAME: by_name = #qf.scheme<nvfp4>, full = #qf.scheme<nvfp4>}
func.func private @nvfp4(!qf.qtensor<4x256, nvfp4>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = #qf.float<ue4m3>, tensor_scale = f32>>)
    attributes {by_name = #qf.scheme<nvfp4>, full = #qf.scheme<element = #qf.float<e2m1>, group = 16, scale = #qf.float<ue4m3>, tensor_scale = f32>}

// CHECK-LABEL: func private @int2_g32(
// CHECK-SAME: !qf.qtensor<4x256, int2_g32>, !qf.qtensor<4x256, int2_g32>)
// CHECK-SAME: by_name = #qf.scheme<int2_g32>, full = #qf.scheme<int2_g32>}
func.func private @int2_g32(!qf.qtensor<4x256, int2_g32>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2>, group = 32, scale = f16>>)
    attributes {by_name = #qf.scheme<int2_g32>, full = #qf.scheme<element = #qf.int<2>, group = 32, scale = f16>}

// CHECK-LABEL: func private @int2_g64(
// CHECK-SAME: !qf.qtensor<4x256, int2_g64>, !qf.qtensor<4x256, int2_g64>)
// CHECK-SAME: by_name = #qf.scheme<int2_g64>, full = #qf.scheme<int2_g64>}
func.func private @int2_g64(!qf.qtensor<4x256, int2_g64>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2>, group = 64, scale = f16>>)
    attributes {by_name = #qf.scheme<int2_g64>, full = #qf.scheme<element = #qf.int<2>, group = 64, scale = f16>}

// CHECK-LABEL: func private @int2_g128(
// CHECK-SAME: !qf.qtensor<4x256, int2_g128>, !qf.qtensor<4x256, int2_g128>)
// CHECK-SAME: by_name = #qf.scheme<int2_g128>, full = #qf.scheme<int2_g128>}
func.func private @int2_g128(!qf.qtensor<4x256, int2_g128>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2>, group = 128, scale = f16>>)
    attributes {by_name = #qf.scheme<int2_g128>, full = #qf.scheme<element = #qf.int<2>, group = 128, scale = f16>}

// CHECK-LABEL: func private @int3_g32(
// CHECK-SAME: !qf.qtensor<4x256, int3_g32>, !qf.qtensor<4x256, int3_g32>)
// CHECK-SAME: by_name = #qf.scheme<int3_g32>, full = #qf.scheme<int3_g32>}
func.func private @int3_g32(!qf.qtensor<4x256, int3_g32>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3>, group = 32, scale = f16>>)
    attributes {by_name = #qf.scheme<int3_g32>, full = #qf.scheme<element = #qf.int<3>, group = 32, scale = f16>}

// CHECK-LABEL: func private @int3_g64(
// CHECK-SAME: !qf.qtensor<4x256, int3_g64>, !qf.qtensor<4x256, int3_g64>)
// CHECK-SAME: by_name = #qf.scheme<int3_g64>, full = #qf.scheme<int3_g64>}
func.func private @int3_g64(!qf.qtensor<4x256, int3_g64>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3>, group = 64, scale = f16>>)
    attributes {by_name = #qf.scheme<int3_g64>, full = #qf.scheme<element = #qf.int<3>, group = 64, scale = f16>}

// CHECK-LABEL: func private @int3_g128(
// CHECK-SAME: !qf.qtensor<4x256, int3_g128>, !qf.qtensor<4x256, int3_g128>)
// CHECK-SAME: by_name = #qf.scheme<int3_g128>, full = #qf.scheme<int3_g128>}
func.func private @int3_g128(!qf.qtensor<4x256, int3_g128>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3>, group = 128, scale = f16>>)
    attributes {by_name = #qf.scheme<int3_g128>, full = #qf.scheme<element = #qf.int<3>, group = 128, scale = f16>}

// CHECK-LABEL: func private @int4_g32(
// CHECK-SAME: !qf.qtensor<4x256, int4_g32>, !qf.qtensor<4x256, int4_g32>)
// CHECK-SAME: by_name = #qf.scheme<int4_g32>, full = #qf.scheme<int4_g32>}
func.func private @int4_g32(!qf.qtensor<4x256, int4_g32>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>>)
    attributes {by_name = #qf.scheme<int4_g32>, full = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>}

// CHECK-LABEL: func private @int4_g64(
// CHECK-SAME: !qf.qtensor<4x256, int4_g64>, !qf.qtensor<4x256, int4_g64>)
// CHECK-SAME: by_name = #qf.scheme<int4_g64>, full = #qf.scheme<int4_g64>}
func.func private @int4_g64(!qf.qtensor<4x256, int4_g64>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4>, group = 64, scale = f16>>)
    attributes {by_name = #qf.scheme<int4_g64>, full = #qf.scheme<element = #qf.int<4>, group = 64, scale = f16>}

// CHECK-LABEL: func private @int4_g128(
// CHECK-SAME: !qf.qtensor<4x256, int4_g128>, !qf.qtensor<4x256, int4_g128>)
// CHECK-SAME: by_name = #qf.scheme<int4_g128>, full = #qf.scheme<int4_g128>}
func.func private @int4_g128(!qf.qtensor<4x256, int4_g128>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4>, group = 128, scale = f16>>)
    attributes {by_name = #qf.scheme<int4_g128>, full = #qf.scheme<element = #qf.int<4>, group = 128, scale = f16>}

// CHECK-LABEL: func private @int8_g32(
// CHECK-SAME: !qf.qtensor<4x256, int8_g32>, !qf.qtensor<4x256, int8_g32>)
// CHECK-SAME: by_name = #qf.scheme<int8_g32>, full = #qf.scheme<int8_g32>}
func.func private @int8_g32(!qf.qtensor<4x256, int8_g32>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8>, group = 32, scale = f16>>)
    attributes {by_name = #qf.scheme<int8_g32>, full = #qf.scheme<element = #qf.int<8>, group = 32, scale = f16>}

// CHECK-LABEL: func private @int8_g64(
// CHECK-SAME: !qf.qtensor<4x256, int8_g64>, !qf.qtensor<4x256, int8_g64>)
// CHECK-SAME: by_name = #qf.scheme<int8_g64>, full = #qf.scheme<int8_g64>}
func.func private @int8_g64(!qf.qtensor<4x256, int8_g64>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8>, group = 64, scale = f16>>)
    attributes {by_name = #qf.scheme<int8_g64>, full = #qf.scheme<element = #qf.int<8>, group = 64, scale = f16>}

// CHECK-LABEL: func private @int8_g128(
// CHECK-SAME: !qf.qtensor<4x256, int8_g128>, !qf.qtensor<4x256, int8_g128>)
// CHECK-SAME: by_name = #qf.scheme<int8_g128>, full = #qf.scheme<int8_g128>}
func.func private @int8_g128(!qf.qtensor<4x256, int8_g128>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8>, group = 128, scale = f16>>)
    attributes {by_name = #qf.scheme<int8_g128>, full = #qf.scheme<element = #qf.int<8>, group = 128, scale = f16>}

// CHECK-LABEL: func private @int2_g32_asym(
// CHECK-SAME: !qf.qtensor<4x256, int2_g32_asym>, !qf.qtensor<4x256, int2_g32_asym>)
// CHECK-SAME: by_name = #qf.scheme<int2_g32_asym>, full = #qf.scheme<int2_g32_asym>}
func.func private @int2_g32_asym(!qf.qtensor<4x256, int2_g32_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2, unsigned>, group = 32, scale = f16, zero_point = #qf.int<2, unsigned>>>)
    attributes {by_name = #qf.scheme<int2_g32_asym>, full = #qf.scheme<element = #qf.int<2, unsigned>, group = 32, scale = f16, zero_point = #qf.int<2, unsigned>>}

// CHECK-LABEL: func private @int2_g64_asym(
// CHECK-SAME: !qf.qtensor<4x256, int2_g64_asym>, !qf.qtensor<4x256, int2_g64_asym>)
// CHECK-SAME: by_name = #qf.scheme<int2_g64_asym>, full = #qf.scheme<int2_g64_asym>}
func.func private @int2_g64_asym(!qf.qtensor<4x256, int2_g64_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2, unsigned>, group = 64, scale = f16, zero_point = #qf.int<2, unsigned>>>)
    attributes {by_name = #qf.scheme<int2_g64_asym>, full = #qf.scheme<element = #qf.int<2, unsigned>, group = 64, scale = f16, zero_point = #qf.int<2, unsigned>>}

// CHECK-LABEL: func private @int2_g128_asym(
// CHECK-SAME: !qf.qtensor<4x256, int2_g128_asym>, !qf.qtensor<4x256, int2_g128_asym>)
// CHECK-SAME: by_name = #qf.scheme<int2_g128_asym>, full = #qf.scheme<int2_g128_asym>}
func.func private @int2_g128_asym(!qf.qtensor<4x256, int2_g128_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<2, unsigned>, group = 128, scale = f16, zero_point = #qf.int<2, unsigned>>>)
    attributes {by_name = #qf.scheme<int2_g128_asym>, full = #qf.scheme<element = #qf.int<2, unsigned>, group = 128, scale = f16, zero_point = #qf.int<2, unsigned>>}

// CHECK-LABEL: func private @int3_g32_asym(
// CHECK-SAME: !qf.qtensor<4x256, int3_g32_asym>, !qf.qtensor<4x256, int3_g32_asym>)
// CHECK-SAME: by_name = #qf.scheme<int3_g32_asym>, full = #qf.scheme<int3_g32_asym>}
func.func private @int3_g32_asym(!qf.qtensor<4x256, int3_g32_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3, unsigned>, group = 32, scale = f16, zero_point = #qf.int<3, unsigned>>>)
    attributes {by_name = #qf.scheme<int3_g32_asym>, full = #qf.scheme<element = #qf.int<3, unsigned>, group = 32, scale = f16, zero_point = #qf.int<3, unsigned>>}

// CHECK-LABEL: func private @int3_g64_asym(
// CHECK-SAME: !qf.qtensor<4x256, int3_g64_asym>, !qf.qtensor<4x256, int3_g64_asym>)
// CHECK-SAME: by_name = #qf.scheme<int3_g64_asym>, full = #qf.scheme<int3_g64_asym>}
func.func private @int3_g64_asym(!qf.qtensor<4x256, int3_g64_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3, unsigned>, group = 64, scale = f16, zero_point = #qf.int<3, unsigned>>>)
    attributes {by_name = #qf.scheme<int3_g64_asym>, full = #qf.scheme<element = #qf.int<3, unsigned>, group = 64, scale = f16, zero_point = #qf.int<3, unsigned>>}

// CHECK-LABEL: func private @int3_g128_asym(
// CHECK-SAME: !qf.qtensor<4x256, int3_g128_asym>, !qf.qtensor<4x256, int3_g128_asym>)
// CHECK-SAME: by_name = #qf.scheme<int3_g128_asym>, full = #qf.scheme<int3_g128_asym>}
func.func private @int3_g128_asym(!qf.qtensor<4x256, int3_g128_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<3, unsigned>, group = 128, scale = f16, zero_point = #qf.int<3, unsigned>>>)
    attributes {by_name = #qf.scheme<int3_g128_asym>, full = #qf.scheme<element = #qf.int<3, unsigned>, group = 128, scale = f16, zero_point = #qf.int<3, unsigned>>}

// CHECK-LABEL: func private @int4_g32_asym(
// CHECK-SAME: !qf.qtensor<4x256, int4_g32_asym>, !qf.qtensor<4x256, int4_g32_asym>)
// CHECK-SAME: by_name = #qf.scheme<int4_g32_asym>, full = #qf.scheme<int4_g32_asym>}
func.func private @int4_g32_asym(!qf.qtensor<4x256, int4_g32_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, zero_point = #qf.int<4, unsigned>>>)
    attributes {by_name = #qf.scheme<int4_g32_asym>, full = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, zero_point = #qf.int<4, unsigned>>}

// CHECK-LABEL: func private @int4_g64_asym(
// CHECK-SAME: !qf.qtensor<4x256, int4_g64_asym>, !qf.qtensor<4x256, int4_g64_asym>)
// CHECK-SAME: by_name = #qf.scheme<int4_g64_asym>, full = #qf.scheme<int4_g64_asym>}
func.func private @int4_g64_asym(!qf.qtensor<4x256, int4_g64_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4, unsigned>, group = 64, scale = f16, zero_point = #qf.int<4, unsigned>>>)
    attributes {by_name = #qf.scheme<int4_g64_asym>, full = #qf.scheme<element = #qf.int<4, unsigned>, group = 64, scale = f16, zero_point = #qf.int<4, unsigned>>}

// CHECK-LABEL: func private @int4_g128_asym(
// CHECK-SAME: !qf.qtensor<4x256, int4_g128_asym>, !qf.qtensor<4x256, int4_g128_asym>)
// CHECK-SAME: by_name = #qf.scheme<int4_g128_asym>, full = #qf.scheme<int4_g128_asym>}
func.func private @int4_g128_asym(!qf.qtensor<4x256, int4_g128_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4, unsigned>, group = 128, scale = f16, zero_point = #qf.int<4, unsigned>>>)
    attributes {by_name = #qf.scheme<int4_g128_asym>, full = #qf.scheme<element = #qf.int<4, unsigned>, group = 128, scale = f16, zero_point = #qf.int<4, unsigned>>}

// CHECK-LABEL: func private @int8_g32_asym(
// CHECK-SAME: !qf.qtensor<4x256, int8_g32_asym>, !qf.qtensor<4x256, int8_g32_asym>)
// CHECK-SAME: by_name = #qf.scheme<int8_g32_asym>, full = #qf.scheme<int8_g32_asym>}
func.func private @int8_g32_asym(!qf.qtensor<4x256, int8_g32_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8, unsigned>, group = 32, scale = f16, zero_point = #qf.int<8, unsigned>>>)
    attributes {by_name = #qf.scheme<int8_g32_asym>, full = #qf.scheme<element = #qf.int<8, unsigned>, group = 32, scale = f16, zero_point = #qf.int<8, unsigned>>}

// CHECK-LABEL: func private @int8_g64_asym(
// CHECK-SAME: !qf.qtensor<4x256, int8_g64_asym>, !qf.qtensor<4x256, int8_g64_asym>)
// CHECK-SAME: by_name = #qf.scheme<int8_g64_asym>, full = #qf.scheme<int8_g64_asym>}
func.func private @int8_g64_asym(!qf.qtensor<4x256, int8_g64_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8, unsigned>, group = 64, scale = f16, zero_point = #qf.int<8, unsigned>>>)
    attributes {by_name = #qf.scheme<int8_g64_asym>, full = #qf.scheme<element = #qf.int<8, unsigned>, group = 64, scale = f16, zero_point = #qf.int<8, unsigned>>}

// CHECK-LABEL: func private @int8_g128_asym(
// CHECK-SAME: !qf.qtensor<4x256, int8_g128_asym>, !qf.qtensor<4x256, int8_g128_asym>)
// CHECK-SAME: by_name = #qf.scheme<int8_g128_asym>, full = #qf.scheme<int8_g128_asym>}
func.func private @int8_g128_asym(!qf.qtensor<4x256, int8_g128_asym>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8, unsigned>, group = 128, scale = f16, zero_point = #qf.int<8, unsigned>>>)
    attributes {by_name = #qf.scheme<int8_g128_asym>, full = #qf.scheme<element = #qf.int<8, unsigned>, group = 128, scale = f16, zero_point = #qf.int<8, unsigned>>}

// CHECK-LABEL: func private @nf4_g64(
// CHECK-SAME: !qf.qtensor<4x256, nf4_g64>, !qf.qtensor<4x256, nf4_g64>)
// CHECK-SAME: by_name = #qf.scheme<nf4_g64>, full = #qf.scheme<nf4_g64>}
func.func private @nf4_g64(!qf.qtensor<4x256, nf4_g64>, !qf.qtensor<4x256, #qf.scheme<element = #qf.lut<nf4>, group = 64, scale = f32>>)
    attributes {by_name = #qf.scheme<nf4_g64>, full = #qf.scheme<element = #qf.lut<nf4>, group = 64, scale = f32>}

// CHECK-LABEL: func private @fp8_e4m3(
// CHECK-SAME: !qf.qtensor<4x256, fp8_e4m3>, !qf.qtensor<4x256, fp8_e4m3>)
// CHECK-SAME: by_name = #qf.scheme<fp8_e4m3>, full = #qf.scheme<fp8_e4m3>}
func.func private @fp8_e4m3(!qf.qtensor<4x256, fp8_e4m3>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f32>>)
    attributes {by_name = #qf.scheme<fp8_e4m3>, full = #qf.scheme<element = #qf.float<e4m3>, per_axis = 0, scale = f32>}

// CHECK-LABEL: func private @fp8_e5m2(
// CHECK-SAME: !qf.qtensor<4x256, fp8_e5m2>, !qf.qtensor<4x256, fp8_e5m2>)
// CHECK-SAME: by_name = #qf.scheme<fp8_e5m2>, full = #qf.scheme<fp8_e5m2>}
func.func private @fp8_e5m2(!qf.qtensor<4x256, fp8_e5m2>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e5m2>, per_axis = 0, scale = f32>>)
    attributes {by_name = #qf.scheme<fp8_e5m2>, full = #qf.scheme<element = #qf.float<e5m2>, per_axis = 0, scale = f32>}

// CHECK-LABEL: func private @q4_0(
// CHECK-SAME: !qf.qtensor<4x256, q4_0>, !qf.qtensor<4x256, q4_0>)
// CHECK-SAME: by_name = #qf.scheme<q4_0>, full = #qf.scheme<q4_0>}
func.func private @q4_0(!qf.qtensor<4x256, q4_0>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up, layout = ggml>>)
    attributes {by_name = #qf.scheme<q4_0>, full = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, rounding = nearest_up, layout = ggml>}

// CHECK-LABEL: func private @q4_1(
// CHECK-SAME: !qf.qtensor<4x256, q4_1>, !qf.qtensor<4x256, q4_1>)
// CHECK-SAME: by_name = #qf.scheme<q4_1>, full = #qf.scheme<q4_1>}
func.func private @q4_1(!qf.qtensor<4x256, q4_1>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16, rounding = nearest_up, layout = ggml>>)
    attributes {by_name = #qf.scheme<q4_1>, full = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16, rounding = nearest_up, layout = ggml>}

// CHECK-LABEL: func private @q8_0(
// CHECK-SAME: !qf.qtensor<4x256, q8_0>, !qf.qtensor<4x256, q8_0>)
// CHECK-SAME: by_name = #qf.scheme<q8_0>, full = #qf.scheme<q8_0>}
func.func private @q8_0(!qf.qtensor<4x256, q8_0>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8>, group = 32, scale = f16, rounding = nearest_away, layout = ggml>>)
    attributes {by_name = #qf.scheme<q8_0>, full = #qf.scheme<element = #qf.int<8>, group = 32, scale = f16, rounding = nearest_away, layout = ggml>}

// CHECK-LABEL: func private @q4_k(
// CHECK-SAME: !qf.qtensor<4x256, q4_k>, !qf.qtensor<4x256, q4_k>)
// CHECK-SAME: by_name = #qf.scheme<q4_k>, full = #qf.scheme<q4_k>}
func.func private @q4_k(!qf.qtensor<4x256, q4_k>, !qf.qtensor<4x256, #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16, layout = ggml>>)
    attributes {by_name = #qf.scheme<q4_k>, full = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 256, super_scale = f16, layout = ggml>}

// CHECK-LABEL: func private @iq4_nl(
// CHECK-SAME: !qf.qtensor<4x256, iq4_nl>, !qf.qtensor<4x256, iq4_nl>)
// CHECK-SAME: by_name = #qf.scheme<iq4_nl>, full = #qf.scheme<iq4_nl>}
func.func private @iq4_nl(!qf.qtensor<4x256, iq4_nl>, !qf.qtensor<4x256, #qf.scheme<element = #qf.lut<iq4_nl>, group = 32, scale = f16, layout = ggml>>)
    attributes {by_name = #qf.scheme<iq4_nl>, full = #qf.scheme<element = #qf.lut<iq4_nl>, group = 32, scale = f16, layout = ggml>}

// CHECK-LABEL: func private @mxfp4_ggml(
// CHECK-SAME: !qf.qtensor<4x256, mxfp4_ggml>, !qf.qtensor<4x256, mxfp4_ggml>)
// CHECK-SAME: by_name = #qf.scheme<mxfp4_ggml>, full = #qf.scheme<mxfp4_ggml>}
func.func private @mxfp4_ggml(!qf.qtensor<4x256, mxfp4_ggml>, !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>, rounding = nearest_lowest_code, layout = ggml>>)
    attributes {by_name = #qf.scheme<mxfp4_ggml>, full = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>, rounding = nearest_lowest_code, layout = ggml>}

// Alternative spellings of the same presets: defaults written out, format
// shorthands, the #qf.scheme<NAME> form inside a qtensor, !quant interop.

// CHECK-LABEL: func private @spellings(
// CHECK-SAME: !qf.qtensor<4x256, mxfp4>, !qf.qtensor<4x256, int8_g32>, !qf.qtensor<4x256, q4_0>, !qf.qtensor<4x256, fp8_e5m2>)
// CHECK-SAME: a = #qf.scheme<mxfp4>, b = #qf.scheme<int4_g32_asym>, c = #qf.scheme<nf4_g64>, d = #qf.scheme<mxint8>}
func.func private @spellings(!qf.qtensor<4x256, #qf.scheme<element = #qf.float<e2m1>, group = 32, axis = -1, scale = e8m0, rounding = nearest_even, saturate = true, layout = planar>>,
                             !qf.qtensor<4x256, #qf.scheme<element = #qf.int<8, signed, frac = 0>, group = 32, scale = f16>>,
                             !qf.qtensor<4x256, #qf.scheme<q4_0>>,
                             !qf.qtensor<4x256, #qf.scheme<element = #qf.float<e5m2>, per_axis = 0>>)
    attributes {a = #qf.scheme<element = #qf.float<e2m1>, group = 32, scale = #qf.float<e8m0>>,
                b = #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, zero_point = #qf.int<4, unsigned>, layout = planar>,
                c = #qf.scheme<element = #qf.lut<[-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]>, group = 64>,
                d = #qf.scheme<element = #qf.int<8, frac = 6>, group = 32, scale = e8m0>}
