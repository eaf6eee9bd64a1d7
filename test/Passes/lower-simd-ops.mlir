// RUN: qforge-opt %s --qf-lower-simd-ops=avx512=true | FileCheck %s --check-prefix=AVX512
// RUN: qforge-opt %s --qf-lower-simd-ops | FileCheck %s --check-prefix=SELECT

// AVX512-LABEL: func.func @e2m1
// AVX512: %[[T:.*]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : vector<16xf32>
// AVX512: vector.extract_strided_slice %{{.*}} {offsets = [0]
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[T]], %{{.*}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// AVX512: vector.insert_strided_slice
// AVX512: vector.extract_strided_slice %{{.*}} {offsets = [16]
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// AVX512-NOT: qf.lookup

// Without AVX-512: 15 selects on the four code bits.
// SELECT-LABEL: func.func @e2m1
// SELECT-COUNT-15: arith.select
// SELECT-NOT: arith.select
// SELECT-NOT: llvm.call_intrinsic
func.func @e2m1(%codes: vector<32xi32>) -> vector<32xf32> {
  %v = qf.lookup %codes {table = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>} : vector<32xi32> -> vector<32xf32>
  return %v : vector<32xf32>
}

// A table that is an arithmetic progression (q4_0: nibble q stands for q - 8)
// needs no selects without AVX-512: convert, scale (by 1: folded), offset.
// SELECT-LABEL: func.func @offset_by_8
// SELECT: %[[F:.*]] = arith.uitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// SELECT: arith.addf %[[F]], %{{.*}} : vector<16xf32>
// SELECT-NOT: arith.select
// AVX512-LABEL: func.func @offset_by_8
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
func.func @offset_by_8(%codes: vector<16xi32>) -> vector<16xf32> {
  %v = qf.lookup %codes {table = array<f32: -8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0>} : vector<16xi32> -> vector<16xf32>
  return %v : vector<16xf32>
}

// Byte tables: one pshufb per 32 lanes on the table repeated in both 128-bit
// lanes; otherwise selects on i8.
// RUN: qforge-opt %s --qf-lower-simd-ops=avx2=true | FileCheck %s --check-prefix=AVX2
// AVX2-LABEL: func.func @e2m1_bytes
// AVX2: %[[T:.*]] = arith.constant dense<[12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0, 12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0]> : vector<32xi8>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[T]], %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// AVX2-NOT: qf.lookup
// SELECT-LABEL: func.func @e2m1_bytes
// SELECT-COUNT-15: arith.select {{.*}} vector<32xi1>, vector<32xi8>
// SELECT-NOT: llvm.call_intrinsic
func.func @e2m1_bytes(%codes: vector<32xi8>) -> vector<32xi8> {
  %v = qf.lookup %codes {table = array<f32: 12.0, 13.0, 14.0, 15.0, 16.0, 18.0, 20.0, 24.0, 12.0, 11.0, 10.0, 9.0, 8.0, 6.0, 4.0, 0.0>} : vector<32xi8> -> vector<32xi8>
  return %v : vector<32xi8>
}

// Dot products: vpdpbusd on 8 lanes, or widening multiplies and a reduction
// of each group of four.
// RUN: qforge-opt %s --qf-lower-simd-ops=vnni=true | FileCheck %s --check-prefix=VNNI
// VNNI-LABEL: func.func @dot4
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%arg0, %arg1, %arg2) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// SELECT-LABEL: func.func @dot4
// SELECT-DAG: arith.extui %arg1 : vector<32xi8> to vector<32xi32>
// SELECT-DAG: arith.extsi %arg2 : vector<32xi8> to vector<32xi32>
// SELECT: vector.shape_cast %{{.*}} : vector<32xi32> to vector<8x4xi32>
// SELECT: vector.multi_reduction <add>, %{{.*}}, %arg0 [1] : vector<8x4xi32> to vector<8xi32>
func.func @dot4(%acc: vector<8xi32>, %u: vector<32xi8>, %a: vector<32xi8>) -> vector<8xi32> {
  %d = qf.dot4 %acc, %u, %a : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}

// Sixteen lanes: one 512-bit vpdpbusd with AVX-512, two 256-bit ones with
// AVX-VNNI alone.
// RUN: qforge-opt %s --qf-lower-simd-ops="vnni=true avx512=true" | FileCheck %s --check-prefix=VNNI512
// VNNI512-LABEL: func.func @dot4_wide
// VNNI512: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%arg0, %arg1, %arg2) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI-LABEL: func.func @dot4_wide
// VNNI-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// VNNI-NOT: vpdpbusd.512
func.func @dot4_wide(%acc: vector<16xi32>, %u: vector<64xi8>, %a: vector<64xi8>) -> vector<16xi32> {
  %d = qf.dot4 %acc, %u, %a : vector<64xi8> -> vector<16xi32>
  return %d : vector<16xi32>
}

// Without VNNI, bytes known to be at most 127 (lhs_max): vpmaddubsw sums
// pairs of products in i16, vpmaddwd against ones the pairs of pairs into
// i32. Larger or unknown bytes could saturate the i16 sums: their even and
// odd bytes go through vpmaddubsw in turn, the other byte of each pair zero.
// AVX2-LABEL: func.func @dot4_small_bytes
// AVX2: %[[ONES:.*]] = arith.constant dense<1> : vector<16xi16>
// AVX2: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%arg1, %arg2) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// AVX2: %[[Q:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P]], %[[ONES]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: arith.addi %arg0, %[[Q]] : vector<8xi32>
// AVX2-LABEL: func.func @dot4_large_bytes
// AVX2-DAG: %[[EVEN:.*]] = arith.constant dense<[-1, 0, -1, 0,
// AVX2-DAG: %[[ODD:.*]] = arith.constant dense<[0, -1, 0, -1,
// AVX2: %[[E:.*]] = arith.andi %arg1, %[[EVEN]] : vector<32xi8>
// AVX2: %[[PE:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[E]], %arg2)
// AVX2: %[[QE:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[PE]],
// AVX2: %[[S:.*]] = arith.addi %arg0, %[[QE]] : vector<8xi32>
// AVX2: %[[O:.*]] = arith.andi %arg1, %[[ODD]] : vector<32xi8>
// AVX2: %[[PO:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[O]], %arg2)
// AVX2: %[[QO:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[PO]],
// AVX2: arith.addi %[[S]], %[[QO]] : vector<8xi32>
// AVX2-NOT: vector.multi_reduction
// VNNI-LABEL: func.func @dot4_small_bytes
// VNNI: vpdpbusd.256
func.func @dot4_small_bytes(%acc: vector<8xi32>, %u: vector<32xi8>, %a: vector<32xi8>) -> vector<8xi32> {
  %d = qf.dot4 %acc, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}
func.func @dot4_large_bytes(%acc: vector<8xi32>, %u: vector<32xi8>, %a: vector<32xi8>) -> vector<8xi32> {
  %d = qf.dot4 %acc, %u, %a {lhs_max = 255 : i64} : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}

// A chain of dot products into one accumulator adds their vpmaddubsw pairs
// in i16 while no sum can overflow: 2 * 24 * 128 a pair, five of them (32767
// / 6144), then one vpmaddwd. Six products take two; a chain that also feeds
// another use stops there.
// AVX2-LABEL: func.func @dot4_chain
// AVX2-COUNT-5: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2-NOT: llvm.call_intrinsic
// AVX2: return
// Two chains that share their weight operands (two activation rows of the
// panels kernel): each product is computed where its dot product stood, so a
// weight vector's uses stay together instead of the whole of one chain
// coming before the other's.
// AVX2-LABEL: func.func @dot4_two_chains
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%arg2, %arg4)
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%arg2, %arg6)
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%arg3, %arg5)
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%arg3, %arg7)
// AVX2-LABEL: func.func @dot4_chain_used_twice
// AVX2-COUNT-2: llvm.x86.avx2.pmadd.wd
// AVX2-NOT: llvm.x86.avx2.pmadd.wd
// AVX2: return
func.func @dot4_chain(%acc: vector<8xi32>, %u: vector<32xi8>, %a: vector<32xi8>) -> vector<8xi32> {
  %d0 = qf.dot4 %acc, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  %d1 = qf.dot4 %d0, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  %d2 = qf.dot4 %d1, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  %d3 = qf.dot4 %d2, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  %d4 = qf.dot4 %d3, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  %d5 = qf.dot4 %d4, %u, %a {lhs_max = 24 : i64} : vector<32xi8> -> vector<8xi32>
  return %d5 : vector<8xi32>
}
func.func @dot4_two_chains(%a0: vector<8xi32>, %a1: vector<8xi32>, %w0: vector<32xi8>, %w1: vector<32xi8>,
                           %x0: vector<32xi8>, %x1: vector<32xi8>, %y0: vector<32xi8>, %y1: vector<32xi8>)
    -> (vector<8xi32>, vector<8xi32>) {
  %p0 = qf.dot4 %a0, %w0, %x0 {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  %q0 = qf.dot4 %a1, %w0, %y0 {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  %p1 = qf.dot4 %p0, %w1, %x1 {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  %q1 = qf.dot4 %q0, %w1, %y1 {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  return %p1, %q1 : vector<8xi32>, vector<8xi32>
}
func.func @dot4_chain_used_twice(%acc: vector<8xi32>, %u: vector<32xi8>, %a: vector<32xi8>) -> (vector<8xi32>, vector<8xi32>) {
  %d0 = qf.dot4 %acc, %u, %a {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  %d1 = qf.dot4 %d0, %u, %a {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  %d2 = qf.dot4 %d1, %u, %a {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
  return %d0, %d2 : vector<8xi32>, vector<8xi32>
}

// f32 tables of 8 lanes with AVX2 alone: permps on each half of the table,
// bit 3 of the code picks the half; progressions keep their convert and
// multiply-add.
// AVX2-LABEL: func.func @e2m1_avx2
// AVX2-DAG: %[[LO:.*]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00]> : vector<8xf32>
// AVX2-DAG: %[[HI:.*]] = arith.constant dense<[-0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : vector<8xf32>
// AVX2: %[[H:.*]] = llvm.call_intrinsic "llvm.x86.avx2.permps"(%[[HI]], %arg0) : (vector<8xf32>, vector<8xi32>) -> vector<8xf32>
// AVX2: %[[L:.*]] = llvm.call_intrinsic "llvm.x86.avx2.permps"(%[[LO]], %arg0) : (vector<8xf32>, vector<8xi32>) -> vector<8xf32>
// AVX2: arith.select %{{.*}}, %[[H]], %[[L]] : vector<8xi1>, vector<8xf32>
// AVX2-LABEL: func.func @offset_by_8_avx2
// AVX2: arith.uitofp
// AVX2-NOT: permps
func.func @e2m1_avx2(%codes: vector<8xi32>) -> vector<8xf32> {
  %v = qf.lookup %codes {table = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>} : vector<8xi32> -> vector<8xf32>
  return %v : vector<8xf32>
}
func.func @offset_by_8_avx2(%codes: vector<8xi32>) -> vector<8xf32> {
  %v = qf.lookup %codes {table = array<f32: -8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0>} : vector<8xi32> -> vector<8xf32>
  return %v : vector<8xf32>
}

// A signed lhs (IQ4_NL's values, within [-127, 127]) takes the activations'
// magnitudes as the unsigned operand (-128 gives 0x80, 128 unsigned) and its
// own bytes with the activations' signs as the signed one: one vpmaddubsw,
// no halves. Pairs reach 2 * 127 * 128: each dot product its own vpmaddwd.
// AVX2-LABEL: func.func @dot4_signed
// AVX2: %[[M:.*]] = math.absi %arg2 : vector<32xi8>
// AVX2: %[[S:.*]] = llvm.call_intrinsic "llvm.x86.avx2.psign.b"(%arg1, %arg2) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// AVX2: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[M]], %[[S]])
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P]],
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2-NOT: arith.andi
// AVX2: return
// VNNI-LABEL: func.func @dot4_signed
// VNNI: %[[M:.*]] = math.absi %arg2 : vector<32xi8>
// VNNI: %[[N:.*]] = arith.cmpi slt, %arg2, %{{.*}} : vector<32xi8>
// VNNI: %[[NEG:.*]] = arith.subi %{{.*}}, %arg1 : vector<32xi8>
// VNNI: %[[S:.*]] = arith.select %[[N]], %[[NEG]], %arg1
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%arg0, %[[M]], %[[S]])
// SELECT-LABEL: func.func @dot4_signed
// SELECT-DAG: arith.extsi %arg1 : vector<32xi8> to vector<32xi32>
// SELECT-DAG: arith.extsi %arg2 : vector<32xi8> to vector<32xi32>
// SELECT-NOT: arith.extui
// SELECT: vector.multi_reduction <add>
func.func @dot4_signed(%acc: vector<8xi32>, %w: vector<32xi8>, %a: vector<32xi8>) -> vector<8xi32> {
  %d0 = qf.dot4 %acc, %w, %a {lhs_max = 127 : i64, lhs_signed} : vector<32xi8> -> vector<8xi32>
  %d1 = qf.dot4 %d0, %w, %a {lhs_max = 127 : i64, lhs_signed} : vector<32xi8> -> vector<8xi32>
  return %d1 : vector<8xi32>
}

// f32 tables, 32 lanes at a time with AVX2 alone: the codes' dwords reordered (0 2 4 6 1 3 5 7),
// each entry's four bytes looked up by pshufb (byte q of NF4's entries: -1.0
// is 0xBF800000), then in-lane unpacks of bytes and of words give f32 lanes.
// AVX2-LABEL: func.func @nf4_avx2
// AVX2-DAG: %[[B3:.*]] = arith.constant dense<[-65, -65, -65, -66, -66, -66, -67, 0, 61, 62, 62, 62, 62, 63, 63, 63, -65,
// AVX2-DAG: %[[B2:.*]] = arith.constant dense<[-128, 50, 6, -54, -111, 61, -70, 0, -94, 36, 124, -83, -31, 16, 57, -128, -128,
// AVX2-DAG: %[[B1:.*]] = arith.constant dense<[0, 57, 107, 50, -94, 53, 120, 0, -6, -54, 4, 3, -92, 7, 19, 0, 0,
// AVX2-DAG: %[[B0:.*]] = arith.constant dense<[0, -79, 48, -96, 77, 63, 113, 0, -1, -29, -35, 58, -72, -85, -77, 0, 0,
// AVX2: arith.trunci %arg0 : vector<64xi32> to vector<64xi8>
// AVX2: %[[C:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [32], strides = [1]} : vector<64xi8> to vector<32xi8>
// AVX2: %[[P:.*]] = vector.shuffle %[[C]], %[[C]] [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]
// AVX2: %[[L0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[B0]], %[[P]])
// AVX2: %[[L1:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[B1]], %[[P]])
// AVX2: %[[L2:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[B2]], %[[P]])
// AVX2: %[[L3:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[B3]], %[[P]])
// AVX2: vector.shuffle %[[L0]], %[[L1]] [0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39, 16, 48,
// AVX2: vector.shuffle %[[L2]], %[[L3]] [0, 32, 1, 33,
// AVX2: %[[W:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 16, 1, 17, 2, 18, 3, 19, 8, 24, 9, 25, 10, 26, 11, 27] : vector<16xi16>, vector<16xi16>
// AVX2: vector.bitcast %[[W]] : vector<16xi16> to vector<8xf32>
// AVX2-COUNT-2: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"
// AVX2-NOT: permps
// AVX2-NOT: qf.lookup
// AVX2: return %{{.*}} : vector<64xf32>
func.func @nf4_avx2(%codes: vector<64xi32>) -> vector<64xf32> {
  %v = qf.lookup %codes {table = array<f32: -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0>} : vector<64xi32> -> vector<64xf32>
  return %v : vector<64xf32>
}

// 16 lanes (NVFP4's blocks): the codes fill the low half of each 128-bit lane
// (dwords 0 2 | 1 3, repeated), and only the low unpacks of bytes are taken.
// AVX2-LABEL: func.func @e2m1_16_avx2
// AVX2: %[[C:.*]] = arith.trunci %arg0 : vector<16xi32> to vector<16xi8>
// AVX2: %[[P:.*]] = vector.shuffle %[[C]], %[[C]] [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15] : vector<16xi8>, vector<16xi8>
// AVX2-COUNT-4: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%{{.*}}, %[[P]])
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 32, 1, 33,
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 32, 1, 33,
// AVX2-NOT: [8, 40, 9, 41
// AVX2: %[[Q0:.*]] = vector.bitcast %{{.*}} : vector<16xi16> to vector<8xf32>
// AVX2: %[[Q1:.*]] = vector.bitcast %{{.*}} : vector<16xi16> to vector<8xf32>
// AVX2: %[[R:.*]] = vector.shuffle %[[Q0]], %[[Q1]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// AVX2: return %[[R]] : vector<16xf32>
func.func @e2m1_16_avx2(%codes: vector<16xi32>) -> vector<16xf32> {
  %v = qf.lookup %codes {table = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>} : vector<16xi32> -> vector<16xf32>
  return %v : vector<16xf32>
}

// i16 tables (codebook values in fixed point): the entries' low and high
// bytes by one pshufb each (the table padded to 16 entries), then
// interleaved into words; otherwise selects.
// AVX2-LABEL: func.func @word_table
// AVX2-DAG: %[[LO:.*]] = arith.constant dense<[0, -1, 0, 31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : vector<32xi8>
// AVX2-DAG: %[[HI:.*]] = arith.constant dense<[-32, -1, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -32, -1, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : vector<32xi8>
// AVX2-DAG: %[[L:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[LO]], %arg0)
// AVX2-DAG: %[[H:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[HI]], %arg0)
// AVX2: %[[W:.*]] = vector.shuffle %[[L]], %[[H]] [0, 32, 1, 33, 2, 34
// AVX2: vector.bitcast %[[W]] : vector<64xi8> to vector<32xi16>
// SELECT-LABEL: func.func @word_table
// SELECT-COUNT-3: arith.select {{.*}} vector<32xi1>, vector<32xi16>
// SELECT-NOT: llvm.call_intrinsic
func.func @word_table(%codes: vector<32xi8>) -> vector<32xi16> {
  %v = qf.lookup %codes {table = array<f32: -8192.0, -1.0, 8192.0, 31.0>} : vector<32xi8> -> vector<32xi16>
  return %v : vector<32xi16>
}

// i16 dot products: vpdpwssd, vpmaddwd and an add, or widening multiplies
// and a reduction of each pair.
// VNNI-LABEL: func.func @dot2
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.256"(%arg0, %arg1, %arg2) : (vector<8xi32>, vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2-LABEL: func.func @dot2
// AVX2: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%arg1, %arg2) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: arith.addi %arg0, %[[P]] : vector<8xi32>
// SELECT-LABEL: func.func @dot2
// SELECT-DAG: arith.extsi %arg1 : vector<16xi16> to vector<16xi32>
// SELECT-DAG: arith.extsi %arg2 : vector<16xi16> to vector<16xi32>
// SELECT: vector.shape_cast %{{.*}} : vector<16xi32> to vector<8x2xi32>
// SELECT: vector.multi_reduction <add>, %{{.*}}, %arg0 [1] : vector<8x2xi32> to vector<8xi32>
func.func @dot2(%acc: vector<8xi32>, %w: vector<16xi16>, %a: vector<16xi16>) -> vector<8xi32> {
  %d = qf.dot2 %acc, %w, %a : vector<16xi16> -> vector<8xi32>
  return %d : vector<8xi32>
}
