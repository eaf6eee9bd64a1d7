// RUN: qforge-opt %s --qf-cuda-matmul-kernels | FileCheck %s

// Each public function that is one qf.matmul of its two arguments becomes a
// kernel of gpu.module @qf_kernels (codegen/cuda/MatmulKernels.cpp): rank-1
// memrefs for the activations, one i8 buffer per weight storage buffer, and
// the result. A block is 128 threads, four warps of four weight rows each
// (qf.rows_per_block = 16), and up to 8 activation rows (tokens); rows past
// N read row N - 1 and tokens past M the last, and only the sums in range are
// stored. Formats whose K splits into chunks decode a chunk of packed bytes
// per lane with one aligned vector.load; the others (6-bit codes) take one
// element at a time. Lanes sum through xor shuffles.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// CHECK: gpu.module @qf_kernels

// Planar int4, groups of 32: codes (16 bytes a chunk of 32) and f16 scales.
// CHECK-LABEL: gpu.func @mm_int4_g32(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?xf32>, %[[Q:[a-z0-9]+]]: memref<2048xi8>, %[[S:[a-z0-9]+]]: memref<256xi8>, %[[Y:[a-z0-9]+]]: memref<?xf32>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: qf.entry = "mm_int4_g32"
// CHECK-SAME: qf.rows_per_block = 16 : i64
// CHECK-SAME: qf.tokens_per_block = 3 : i64
// CHECK: %[[TID:[a-z0-9_]+]] = gpu.thread_id x
// CHECK: %[[WARP:[0-9]+]] = arith.divui %[[TID]], %{{.*}} : index
// CHECK: %[[LANE:[0-9]+]] = arith.remui %[[TID]], %{{.*}} : index
// CHECK: %[[BX:[a-z0-9_]+]] = gpu.block_id x
// CHECK: %[[W0:[0-9]+]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK: %[[W:[0-9]+]] = arith.addi %[[W0]], %[[WARP]] : index
// CHECK: %[[ROW0:[0-9]+]] = arith.muli %[[W]], %{{.*}} : index
// The warp's rows, clamped to N - 1 = 15 for reading.
// CHECK-COUNT-4: arith.minui %{{[0-9]+}}, %c15{{(_[0-9]+)?}} : index
// CHECK: gpu.block_id y
// CHECK: memref.dim %[[A]], %{{.*}} : memref<?xf32>
// 256 / 32 = 8 chunks, lane j taking j, j + 32, ...; 4 rows x 3 tokens sums.
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CHUNKS:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-NEXT: %[[STEP:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-NEXT: %[[SUM:[0-9]+]]:12 = scf.for %{{.*}} = %[[LANE]] to %[[CHUNKS]] step %[[STEP]] iter_args(
// CHECK-SAME: -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// Each token's activations once (in the order the nibbles unpack), then each
// row's scale and codes.
// CHECK-COUNT-3: vector.load %[[A]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<32xf32>
// CHECK-COUNT-4: vector.load %[[Q]][%{{.*}}] {alignment = 16 : i64} : memref<2048xi8>, vector<16xi8>
// CHECK-NOT: memref.load
// CHECK: scf.yield
// Each sum over the warp: xor shuffles 16, 8, 4, 2, 1.
// CHECK: %[[WIDTH:[a-z0-9_]+]] = arith.constant 32 : i32
// CHECK-NEXT: %[[O16:[a-z0-9_]+]] = arith.constant 16 : i32
// CHECK-NEXT: %[[S16:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle xor %[[SUM]]#0, %[[O16]], %[[WIDTH]] : f32
// CHECK-NEXT: %[[R16:[0-9]+]] = arith.addf %[[SUM]]#0, %[[S16]] : f32
// CHECK-NEXT: %[[O8:[a-z0-9_]+]] = arith.constant 8 : i32
// CHECK-NEXT: %[[S8:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle xor %[[R16]], %[[O8]], %[[WIDTH]] : f32
// CHECK-NEXT: %[[R8:[0-9]+]] = arith.addf %[[R16]], %[[S8]] : f32
// CHECK-NEXT: %[[O4:[a-z0-9_]+]] = arith.constant 4 : i32
// CHECK-NEXT: %[[S4:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle xor %[[R8]], %[[O4]], %[[WIDTH]] : f32
// CHECK-NEXT: %[[R4:[0-9]+]] = arith.addf %[[R8]], %[[S4]] : f32
// CHECK-NEXT: %[[O2:[a-z0-9_]+]] = arith.constant 2 : i32
// CHECK-NEXT: %[[S2:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle xor %[[R4]], %[[O2]], %[[WIDTH]] : f32
// CHECK-NEXT: %[[R2:[0-9]+]] = arith.addf %[[R4]], %[[S2]] : f32
// CHECK-NEXT: %[[O1:[a-z0-9_]+]] = arith.constant 1 : i32
// CHECK-NEXT: %[[S1:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle xor %[[R2]], %[[O1]], %[[WIDTH]] : f32
// CHECK-NEXT: %[[TOTAL:[0-9]+]] = arith.addf %[[R2]], %[[S1]] : f32
// CHECK: gpu.shuffle xor %[[SUM]]#1,
// CHECK: gpu.shuffle xor %[[SUM]]#11,
// CHECK-COUNT-4: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// Lane 0 stores each sum whose token and row are in range.
// CHECK: arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK: %[[T0:[0-9]+]] = arith.cmpi ult, %{{[0-9]+}}, %{{[0-9]+}} : index
// CHECK-NEXT: %[[N:[a-z0-9_]+]] = arith.constant 16 : index
// CHECK-NEXT: %[[R0:[0-9]+]] = arith.cmpi ult, %{{[0-9]+}}, %[[N]] : index
// CHECK-NEXT: %[[IN:[0-9]+]] = arith.andi %[[T0]], %[[R0]] : i1
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK: memref.store %[[TOTAL]], %[[Y]][%{{.*}}] : memref<?xf32>
// CHECK-COUNT-11: memref.store %{{.*}}, %[[Y]][%{{.*}}] : memref<?xf32>
// CHECK-NOT: memref.store
// CHECK: gpu.return
func.func @mm_int4_g32(%a: tensor<3x256xf32>, %w: !qf.qtensor<16x256, int4_g32>) -> tensor<3x16xf32> {
  %c = qf.matmul %a, %w : tensor<3x256xf32>, !qf.qtensor<16x256, int4_g32> -> tensor<3x16xf32>
  return %c : tensor<3x16xf32>
}

// NVFP4: three buffers (e2m1 codes, e4m3 block scales, the f32 tensor scale);
// blocks of 16, so 16 chunks of 8 code bytes.
// CHECK-LABEL: gpu.func @mm_nvfp4(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?xf32>, %[[Q:[a-z0-9]+]]: memref<2048xi8>, %[[S:[a-z0-9]+]]: memref<256xi8>, %[[T:[a-z0-9]+]]: memref<4xi8>, %[[Y:[a-z0-9]+]]: memref<?xf32>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: qf.entry = "mm_nvfp4"
// CHECK-SAME: qf.rows_per_block = 16 : i64
// CHECK-SAME: qf.tokens_per_block = 1 : i64
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CHUNKS:[a-z0-9_]+]] = arith.constant 16 : index
// CHECK-NEXT: %[[STEP:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[CHUNKS]] step %[[STEP]] iter_args(
// CHECK-SAME: -> (f32, f32, f32, f32) {
// CHECK: vector.load %[[A]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<16xf32>
// CHECK: memref.load %[[S]][%{{.*}}] : memref<256xi8>
// CHECK: vector.load %[[T]][%{{.*}}] {alignment = 16 : i64} : memref<4xi8>, vector<4xi8>
// CHECK: vector.load %[[Q]][%{{.*}}] {alignment = 8 : i64} : memref<2048xi8>, vector<8xi8>
// CHECK: scf.yield
// CHECK-COUNT-20: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-4: memref.store %{{.*}}, %[[Y]][%{{.*}}] : memref<?xf32>
// CHECK-NOT: memref.store
// CHECK: gpu.return
func.func @mm_nvfp4(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, nvfp4>) -> tensor<1x16xf32> {
  %c = qf.matmul %a, %w : tensor<1x256xf32>, !qf.qtensor<16x256, nvfp4> -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}

// GGUF q4_0: 18-byte blocks (f16 scale, 16 bytes of nibbles) in one buffer,
// so the block loads are only 2-byte aligned; the nibbles index a 16-entry
// table. f16 activations, 12 tokens: 8 a block.
// CHECK-LABEL: gpu.func @mm_q4_0(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?xf16>, %[[Q:[a-z0-9]+]]: memref<2304xi8>, %[[Y:[a-z0-9]+]]: memref<?xf32>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: qf.entry = "mm_q4_0"
// CHECK-SAME: qf.rows_per_block = 16 : i64
// CHECK-SAME: qf.tokens_per_block = 8 : i64
// CHECK: %[[SUM:[0-9]+]]:32 = scf.for
// CHECK-COUNT-8: vector.load %[[A]][%{{.*}}] {alignment = 16 : i64} : memref<?xf16>, vector<32xf16>
// CHECK: vector.load %[[Q]][%{{.*}}] {alignment = 2 : i64} : memref<2304xi8>, vector<2xi8>
// CHECK: vector.load %[[Q]][%{{.*}}] {alignment = 2 : i64} : memref<2304xi8>, vector<16xi8>
// CHECK: qf.lookup
// CHECK-SAME: table = array<f32: -8.000000e+00, -7.000000e+00
// CHECK: scf.yield
// CHECK-COUNT-160: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-32: memref.store %{{.*}}, %[[Y]][%{{.*}}] : memref<?xf32>
// CHECK-NOT: memref.store
// CHECK: gpu.return
func.func @mm_q4_0(%a: tensor<12x256xf16>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<12x16xf32> {
  %c = qf.matmul %a, %w : tensor<12x256xf16>, !qf.qtensor<16x256, q4_0> -> tensor<12x16xf32>
  return %c : tensor<12x16xf32>
}

// MXFP6 (e3m2): 6-bit codes straddle bytes, so no chunks: the element loop
// reads bytes with memref.load, one activation and a weight of each row a
// step, and sums with a contractible multiply-add (math.fma would call
// libdevice, which links only where the CUDA toolkit is). bf16 in and out.
// CHECK-LABEL: gpu.func @mm_mxfp6(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?xbf16>, %[[Q:[a-z0-9]+]]: memref<3072xi8>, %[[S:[a-z0-9]+]]: memref<128xi8>, %[[Y:[a-z0-9]+]]: memref<?xbf16>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: qf.entry = "mm_mxfp6"
// CHECK-SAME: qf.rows_per_block = 16 : i64
// CHECK-SAME: qf.tokens_per_block = 1 : i64
// CHECK: %[[LANE:[0-9]+]] = arith.remui
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[K:[a-z0-9_]+]] = arith.constant 256 : index
// CHECK-NEXT: %[[STEP:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-NEXT: scf.for %{{.*}} = %[[LANE]] to %[[K]] step %[[STEP]] iter_args(
// CHECK-SAME: -> (f32, f32, f32, f32) {
// CHECK-NOT: vector.load
// CHECK: memref.load %[[A]][%{{.*}}] : memref<?xbf16>
// CHECK-NEXT: %[[AF:[0-9]+]] = arith.extf %{{.*}} : bf16 to f32
// CHECK: memref.load %[[Q]][%{{.*}}] : memref<3072xi8>
// CHECK: memref.load %[[S]][%{{.*}}] : memref<128xi8>
// CHECK: %[[P:[0-9]+]] = arith.mulf %{{.*}}, %[[AF]] fastmath<contract> : f32
// CHECK-NEXT: arith.addf %[[P]], %{{.*}} fastmath<contract> : f32
// CHECK: scf.yield
// CHECK-COUNT-20: gpu.shuffle xor
// CHECK: %[[R:[0-9]+]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT: memref.store %[[R]], %[[Y]][%{{.*}}] : memref<?xbf16>
// CHECK-COUNT-3: memref.store %{{.*}}, %[[Y]][%{{.*}}] : memref<?xbf16>
// CHECK-NOT: memref.store
// CHECK: gpu.return
func.func @mm_mxfp6(%a: tensor<1x256xbf16>, %w: !qf.qtensor<16x256, mxfp6_e3m2>) -> tensor<1x16xbf16> {
  %c = qf.matmul %a, %w : tensor<1x256xbf16>, !qf.qtensor<16x256, mxfp6_e3m2> -> tensor<1x16xbf16>
  return %c : tensor<1x16xbf16>
}
