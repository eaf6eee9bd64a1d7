// RUN: qforge-opt %s --qf-cuda-pipeline=arch=sm_80 | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: qforge-opt %s --qf-cuda-pipeline=arch=sm_90a | FileCheck %s --check-prefixes=CHECK,SM90A
// RUN: qforge-opt %s --qf-cuda-pipeline | FileCheck %s --check-prefixes=CHECK,SM90A
// RUN: not qforge-opt %s --qf-cuda-pipeline=arch=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH

// ARCH: error: unknown CUDA architecture 'sm_70' (this build compiles for: sm_80, sm_89, sm_90a)

// The CUDA pipeline (codegen/cuda/Pipeline.cpp) ends in the LLVM dialect
// inside the gpu.module, which carries the NVVM target `qforge compile
// --target cuda` serializes for (sm_90a unless arch= names another); the
// host side keeps no function.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// SM80: gpu.module @qf_kernels [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">]
// SM90A: gpu.module @qf_kernels [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">]
// CHECK-NOT: gpu.func
// No libdevice calls (__nv_fmaf for math.fma): PTX made without a CUDA
// toolkit could not link them.
// CHECK-NOT: llvm.func @__nv_
// CHECK-NOT: {{scf|vector|memref|arith|math|qf}}\.

// Each memref is a descriptor of five parameters: 3 memrefs, 15 of them.
// CHECK-LABEL: llvm.func @mm(
// CHECK-SAME: %arg14: i64)
// CHECK-NOT: %arg15
// CHECK-SAME: gpu.known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: nvvm.kernel
// CHECK-SAME: nvvm.maxntid = array<i32: 128, 1, 1>
// CHECK-SAME: qf.entry = "mm"
// CHECK-SAME: qf.rows_per_block = 16 : i64
// CHECK-SAME: qf.tokens_per_block = 3 : i64
// CHECK: nvvm.read.ptx.sreg.tid.x
// CHECK: nvvm.read.ptx.sreg.ctaid.x
// CHECK: nvvm.read.ptx.sreg.ctaid.y
// The activations in aligned 128-byte loads; q4_0's 18-byte blocks in
// 2-byte aligned loads of the scale and the nibbles, for each of the warp's
// four rows.
// CHECK-COUNT-3: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr -> vector<32xf32>
// CHECK-COUNT-4: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr -> vector<16xi8>
// 4 rows x 3 tokens sums, 5 shuffles each.
// CHECK-COUNT-60: nvvm.shfl.sync bfly
// CHECK-NOT: nvvm.shfl.sync
// CHECK-COUNT-12: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK-NOT: llvm.store
// CHECK: llvm.return
func.func @mm(%a: tensor<3x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<3x16xf32> {
  %c = qf.matmul %a, %w : tensor<3x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<3x16xf32>
  return %c : tensor<3x16xf32>
}

// The element loop (6-bit codes), f16 in and out: byte loads, the sums
// rounded to f16 when stored.
// CHECK-LABEL: llvm.func @mm_half(
// CHECK-SAME: nvvm.kernel
// CHECK-SAME: qf.entry = "mm_half"
// CHECK-SAME: qf.tokens_per_block = 2 : i64
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> f16
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> i8
// CHECK-COUNT-40: nvvm.shfl.sync bfly
// CHECK-NOT: nvvm.shfl.sync
// CHECK: %[[H0:[0-9]+]] = llvm.fptrunc %{{.*}} : f32 to f16
// CHECK: llvm.store %[[H0]], %{{.*}} : f16, !llvm.ptr
// CHECK-COUNT-7: llvm.store %{{.*}}, %{{.*}} : f16, !llvm.ptr
// CHECK-NOT: llvm.store
// CHECK: llvm.return
// CHECK-NOT: __nv_
func.func @mm_half(%a: tensor<2x128xf16>, %w: !qf.qtensor<8x128, mxfp6_e2m3>) -> tensor<2x8xf16> {
  %c = qf.matmul %a, %w : tensor<2x128xf16>, !qf.qtensor<8x128, mxfp6_e2m3> -> tensor<2x8xf16>
  return %c : tensor<2x8xf16>
}
