// RUN: rm -rf %t && qforge compile %s --target hls -o %t
// RUN: FileCheck %s --check-prefix=KERNEL --input-file %t/mm_mxfp4/mm_mxfp4.cpp
// RUN: FileCheck %s --check-prefix=HEADER --input-file %t/mm_mxfp4/mm_mxfp4.h
// RUN: FileCheck %s --check-prefix=ASYM --input-file %t/mm_int4_asym/mm_int4_asym.cpp
// RUN: FileCheck %s --check-prefix=TCL --input-file %t/mm_mxfp4/run_hls.tcl
// RUN: FileCheck %s --check-prefix=INDEX --input-file %t/README.md
// RUN: ls %t/mm_mxfp4/tb_data | FileCheck %s --check-prefix=DATA
// RUN: rm -rf %t.knobs && qforge compile %s --target hls --unroll 8 --partition 4 -o %t.knobs
// RUN: FileCheck %s --check-prefix=KNOBS --input-file %t.knobs/mm_mxfp4/mm_mxfp4.cpp

// MXFP4 weights: e2m1 codes decode to integers in units of 1/2 (|v| <= 12:
// 5 bits), the e8m0 scale through a 256-entry ROM, times the unit.
// KERNEL: constexpr int M = 2, N = 16, K = 64;
// KERNEL: constexpr int JOINT = 32;
// KERNEL: constexpr int UNROLL = 32;
// KERNEL: typedef ap_int<5> weight_t;  // a weight in units of 2^-1
// KERNEL: typedef ap_int<8> act_t;
// KERNEL: typedef ap_int<18> dot_t;
// KERNEL: const ap_int<5> WEIGHT_VALUES[16] = {
// KERNEL-NEXT: 0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
// KERNEL: const float SCALE_VALUES[256] = {
// KERNEL-NEXT: 5.87747175e-39f, 1.17549435e-38f,
// KERNEL: s = s * 5.00000000e-01f; // the codes' unit
// KERNEL: const double scale = s == 0.0 ? 0.0 : round_to_f16(s);
// KERNEL: lanes:
// KERNEL-NEXT: for (int t = 0; t < JOINT; ++t) {
// KERNEL-NEXT: #pragma HLS PIPELINE II=1
// KERNEL-NEXT: #pragma HLS UNROLL factor=UNROLL
// KERNEL: acc += scale * float(sum.to_int64());
// KERNEL: void mm_mxfp4(const float a[128], const ap_uint<8> w_data[512], const ap_uint<8> w_scales[32], float c[32]) {
// KERNEL-NEXT: #pragma HLS INTERFACE m_axi port=a offset=slave bundle=gmem0 depth=128
// KERNEL-NEXT: #pragma HLS INTERFACE m_axi port=w_data offset=slave bundle=gmem1 depth=512
// KERNEL-NEXT: #pragma HLS INTERFACE m_axi port=w_scales offset=slave bundle=gmem2 depth=32
// KERNEL-NEXT: #pragma HLS INTERFACE m_axi port=c offset=slave bundle=gmem3 depth=32
// KERNEL-NEXT: #pragma HLS INTERFACE s_axilite port=return
// KERNEL-NEXT: #pragma HLS DATAFLOW
// KERNEL: #pragma HLS ARRAY_PARTITION variable=qa cyclic factor=32
// KERNEL-NEXT: quantize(a, qa, sa);
// KERNEL-NEXT: dot(qa, sa, w_data, w_scales, c);
// HEADER: #include "ap_int.h"
// HEADER: void mm_mxfp4(const float a[128], const ap_uint<8> w_data[512], const ap_uint<8> w_scales[32], float c[32]);
func.func @mm_mxfp4(%a: tensor<2x64xf32>, %w: !qf.qtensor<16x64, mxfp4>) -> tensor<2x16xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x64xf32>, !qf.qtensor<16x64, mxfp4> -> tensor<2x16xf32>
  return %c : tensor<2x16xf32>
}

// Zero points: unsigned codes minus an integer zero point (one more bit),
// f16 scales; MXINT8 activations (unit 2^-6).
// ASYM: typedef ap_int<6> weight_t;
// ASYM: const ap_int<5> ZERO_POINTS[16] = {
// ASYM: f32_from_f16(uint32_t(w_scales[2 * blockIndex]) | uint32_t(w_scales[2 * blockIndex + 1]) << 8)
// ASYM: sa[m * 2 + g] = std::ldexp(1.0f, e + (-6));
// ASYM: - weight_t(ZERO_POINTS[code_at<4>(w_offsets, long(n) * 1 + j * JOINT / BLOCK)])
func.func @mm_int4_asym(%a: tensor<2x64xf32>, %w: !qf.qtensor<16x64, int4_g64_asym>) -> tensor<2x16xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<mxint8>} : tensor<2x64xf32>, !qf.qtensor<16x64, int4_g64_asym> -> tensor<2x16xf32>
  return %c : tensor<2x16xf32>
}

// TCL: set_top mm_mxfp4
// TCL: add_files -tb mm_mxfp4_tb.cpp -cflags "-ffp-contract=off"
// TCL: create_clock -period 4
// TCL: csynth_design

// INDEX: | [mm_mxfp4](mm_mxfp4/) | `#qf.scheme<mxfp4>` | `#qf.scheme<int8_g32>` |
// INDEX: | [mm_int4_asym](mm_int4_asym/) | `#qf.scheme<int4_g64_asym>` | `#qf.scheme<mxint8>` |

// DATA: a.bin
// DATA: expected.bin
// DATA: w_data.bin
// DATA: w_scales.bin

// KNOBS: constexpr int UNROLL = 8;
// KNOBS: #pragma HLS ARRAY_PARTITION variable=qa cyclic factor=4
