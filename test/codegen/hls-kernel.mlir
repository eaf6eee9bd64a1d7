// RUN: rm -rf %t && qforge compile %s --target hls -o %t
// RUN: FileCheck %s --check-prefix=KERNEL --input-file %t/mm_mxfp4/mm_mxfp4.cpp
// RUN: FileCheck %s --check-prefix=HEADER --input-file %t/mm_mxfp4/mm_mxfp4.h
// RUN: FileCheck %s --check-prefix=ASYM --input-file %t/mm_int4_asym/mm_int4_asym.cpp
// RUN: FileCheck %s --check-prefix=TCL --input-file %t/mm_mxfp4/run_hls.tcl
// RUN: FileCheck %s --check-prefix=INDEX --input-file %t/README.md
// RUN: ls %t/mm_mxfp4/tb_data | FileCheck %s --check-prefix=DATA
// RUN: FileCheck %s --check-prefix=ROT --input-file %t/rot/rot.cpp
// RUN: FileCheck %s --check-prefix=QUANT --input-file %t/quant/quant.cpp
// RUN: rm -rf %t.knobs && qforge compile %s --target hls --unroll 8 --partition 4 -o %t.knobs
// RUN: FileCheck %s --check-prefix=KNOBS --input-file %t.knobs/mm_mxfp4/mm_mxfp4.cpp
// RUN: FileCheck %s --check-prefix=OP-KNOBS --input-file %t.knobs/rot/rot.cpp

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

// INDEX: | [mm_mxfp4](mm_mxfp4/) | qf.matmul 2x64 activations (#qf.scheme<int8_g32>) x 16x64 weights (#qf.scheme<mxfp4>) |
// INDEX: | [mm_int4_asym](mm_int4_asym/) | qf.matmul 2x64 activations (#qf.scheme<mxint8>) x 16x64 weights (#qf.scheme<int4_g64_asym>) |
// INDEX: | [rot](rot/) | qf.hadamard of 2x64 f32, blocks of 32, seed 5 |
// INDEX: | [quant](quant/) | qf.quantize of 2x64 f32 to #qf.scheme<mxfp4> |

// Inputs, and the host reference's outputs.
// DATA: a.bin
// DATA-NEXT: c.expected.bin
// DATA-NEXT: w_data.bin
// DATA-NEXT: w_scales.bin

// KNOBS: constexpr int UNROLL = 8;
// KNOBS: #pragma HLS ARRAY_PARTITION variable=qa cyclic factor=4

// The op's #qf.hls_schedule overrides --unroll; --partition still applies.
// OP-KNOBS: constexpr int UNROLL = 2; // butterflies a cycle
// OP-KNOBS: #pragma HLS ARRAY_PARTITION variable=v cyclic factor=4

// The signs of seed 5 as a ROM, butterflies in double, one rounding at the end.
// ROT: constexpr int M = 2, K = 64, SIZE = 32;
// ROT: constexpr int UNROLL = 2; // butterflies a cycle
// ROT: const bool NEGATE[K] = {
// ROT: double v[SIZE];
// ROT-NEXT: #pragma HLS ARRAY_PARTITION variable=v cyclic factor=4
// ROT: v[i] = NEGATE[b * SIZE + i] ? -e : e;
// ROT: for (int h = 1; h < SIZE; h *= 2) {
// ROT: #pragma HLS UNROLL factor=UNROLL
// ROT: v[lo] = a + c;
// ROT-NEXT: v[hi] = a - c;
// ROT: y[base + i] = float(v[i] * norm);
// ROT: void rot(const float x[128], float y[128]) {
func.func @rot(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %y = qf.hadamard %x {size = 32, seed = 5, qf.hls_schedule = #qf.hls_schedule<unroll = 2>} : tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// The e2m1 encoder: 15 finite values (one zero), the midpoints between
// them and the codes ties take (nearest even; -0.25 goes to -0, code 8);
// a negative input that rounds to zero keeps its sign (code 8).
// The outputs are the storage buffers, zeroed, then bit packed.
// QUANT: const double elem_SORTED[15] = {-6.0000000000000000e+00, -4.0000000000000000e+00,
// QUANT: const uint32_t elem_SORTED_CODES[15] = {15, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 7};
// QUANT: const double elem_MIDS[14] = {-5.0000000000000000e+00, -3.5000000000000000e+00,
// QUANT: const uint32_t elem_TIES[14] = {14, 14, 12, 12, 10, 10, 8, 0, 2, 2, 4, 4, 6, 6};
// QUANT: if (code == 0 && std::signbit(y))
// QUANT-NEXT: code = 8;
// QUANT: const int e = amax > 0.0 ? std::min(std::max(std::ilogb(amax) - 2, -127), 127) : -127;
// QUANT: put_bits<8>(q_scales, blk, uint32_t(e + 127));
// QUANT: put_bits<4>(q_data, long(base) + t, encode_elem(y));
// QUANT: void quant(const float x[128], ap_uint<8> q_data[64], ap_uint<8> q_scales[4]) {
// QUANT: zero_data:
// QUANT: zero_scales:
// QUANT: quantize(x, q_data, q_scales);
func.func @quant(%x: tensor<2x64xf32>) -> !qf.qtensor<2x64, mxfp4> {
  %q = qf.quantize %x : tensor<2x64xf32> -> !qf.qtensor<2x64, mxfp4>
  return %q : !qf.qtensor<2x64, mxfp4>
}
