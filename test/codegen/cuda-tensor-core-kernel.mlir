// RUN: qforge-opt %s --qf-cuda-matmul-kernels=tensor-cores | FileCheck %s
// RUN: qforge-opt %s --qf-cuda-matmul-kernels | FileCheck %s --check-prefix=GEMV
// RUN: qforge-opt %s --qf-cuda-pipeline="arch=sm_80 tensor-cores" | FileCheck %s --check-prefix=NVVM

// With tensor-cores, a matmul of more than 8 tokens whose weights come in
// chunks and whose K is a multiple of 64 takes the mma.sync kernel
// (codegen/cuda/TensorCoreKernel.cpp): 128 threads compute 32 tokens x 64
// weight rows a block; each 64-wide K step stages the activations and the
// decoded weights as bf16 in two shared tiles (rows 72 wide), then each warp
// runs 4 x 4 mma.sync.m16n8k16 on them. Without the option every matmul
// takes the GEMV kernel.

// CHECK-LABEL: gpu.func @mm_q4_0(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?xf32>, %[[Q:[a-z0-9]+]]: memref<10368xi8>, %[[Y:[a-z0-9]+]]: memref<?xf32>)
// CHECK-SAME: workgroup(%[[AT:[a-z0-9]+]] : memref<32x72xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WT:[a-z0-9]+]] : memref<64x72xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: qf.rows_per_block = 64 : i64, qf.tokens_per_block = 32 : i64
// CHECK: scf.for %{{.*}} = %{{.*}} to %c256{{.*}} step %c64{{.*}} iter_args(
// CHECK-SAME: -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// Token (tid / 4) clamped to the last; 16 activations from 16 * (tid % 4).
// CHECK: arith.minui
// CHECK: %[[ACT:[0-9]+]] = vector.load %[[A]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<16xf32>
// CHECK-NEXT: %[[ACT16:[0-9]+]] = arith.truncf %[[ACT]] : vector<16xf32> to vector<16xbf16>
// CHECK-NEXT: vector.store %[[ACT16]], %[[AT]][%{{.*}}, %{{.*}}] {alignment = 16 : i64}
// One q4_0 block (scale, 16 bytes of codes) a thread, decoded to bf16 in order.
// CHECK: vector.load %[[Q]][%{{.*}}] {alignment = 2 : i64} : memref<10368xi8>, vector<16xi8>
// CHECK: %[[W16:[0-9]+]] = arith.truncf %{{.*}} : vector<32xf32> to vector<32xbf16>
// CHECK-NEXT: vector.store %[[W16]], %[[WT]][%{{.*}}, %{{.*}}] {alignment = 16 : i64}
// CHECK-NEXT: gpu.barrier
// Fragments: two bf16 a register.
// CHECK: vector.load %[[AT]][%{{.*}}, %{{.*}}] {alignment = 4 : i64} : memref<32x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-NEXT: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK-COUNT-16: nvvm.mma.sync A[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] B[%{{.*}}, %{{.*}}] C[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// Results inside 40 x 72 only.
// CHECK-COUNT-16: memref.store %{{.*}}, %[[Y]][%{{.*}}] : memref<?xf32>
// GEMV-LABEL: gpu.func @mm_q4_0(
// GEMV-SAME: qf.rows_per_block = 16 : i64, qf.tokens_per_block = 8 : i64
// GEMV-NOT: nvvm.mma.sync
// NVVM-LABEL: llvm.func @mm_q4_0(
// NVVM-COUNT-16: nvvm.mma.sync
func.func @mm_q4_0(%a: tensor<40x256xf32>, %w: !qf.qtensor<72x256, q4_0>) -> tensor<40x72xf32> {
  %c = qf.matmul %a, %w : tensor<40x256xf32>, !qf.qtensor<72x256, q4_0> -> tensor<40x72xf32>
  return %c : tensor<40x72xf32>
}

// NVFP4: chunks of 16 (two a thread), their nibbles unpacked low then high
// and put back in element order; f16 activations widened, then rounded to
// bf16; bf16 results.
// CHECK-LABEL: gpu.func @mm_nvfp4(
// CHECK-SAME: qf.rows_per_block = 64 : i64, qf.tokens_per_block = 32 : i64
// CHECK: arith.extf %{{.*}} : vector<16xf16> to vector<16xf32>
// CHECK-NEXT: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK-COUNT-2: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15] : vector<16xbf16>, vector<16xbf16>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @mm_nvfp4(%a: tensor<2x9x128xf16>, %w: !qf.qtensor<64x128, nvfp4>) -> tensor<2x9x64xbf16> {
  %c = qf.matmul %a, %w : tensor<2x9x128xf16>, !qf.qtensor<64x128, nvfp4> -> tensor<2x9x64xbf16>
  return %c : tensor<2x9x64xbf16>
}

// The GEMV kernel stays for 8 tokens or fewer, K not a multiple of 64, and
// layouts without chunks.
// CHECK-LABEL: gpu.func @mm_8_tokens(
// CHECK-SAME: qf.rows_per_block = 16 : i64, qf.tokens_per_block = 8 : i64
// CHECK-NOT: nvvm.mma.sync
// CHECK-LABEL: gpu.func @mm_k96(
// CHECK-SAME: qf.rows_per_block = 16 : i64, qf.tokens_per_block = 8 : i64
// CHECK-NOT: nvvm.mma.sync
// CHECK-LABEL: gpu.func @mm_mxfp6(
// CHECK-SAME: qf.rows_per_block = 16 : i64, qf.tokens_per_block = 8 : i64
// CHECK-NOT: nvvm.mma.sync
func.func @mm_8_tokens(%a: tensor<8x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<8x16xf32> {
  %c = qf.matmul %a, %w : tensor<8x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<8x16xf32>
  return %c : tensor<8x16xf32>
}
func.func @mm_k96(%a: tensor<16x96xf32>, %w: !qf.qtensor<16x96, q4_0>) -> tensor<16x16xf32> {
  %c = qf.matmul %a, %w : tensor<16x96xf32>, !qf.qtensor<16x96, q4_0> -> tensor<16x16xf32>
  return %c : tensor<16x16xf32>
}
func.func @mm_mxfp6(%a: tensor<16x256xf32>, %w: !qf.qtensor<16x256, mxfp6_e3m2>) -> tensor<16x16xf32> {
  %c = qf.matmul %a, %w : tensor<16x256xf32>, !qf.qtensor<16x256, mxfp6_e3m2> -> tensor<16x16xf32>
  return %c : tensor<16x16xf32>
}
