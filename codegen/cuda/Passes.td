#ifndef QFORGE_CODEGEN_CUDA_PASSES_TD
#define QFORGE_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def QfCudaMatmulKernels : Pass<"qf-cuda-matmul-kernels", "ModuleOp"> {
  let summary = "Replace each qf.matmul entry by a GPU kernel that decodes its weights in registers";
  let description = [{
    Every public function that is one `qf.matmul` of its two arguments
    becomes a `gpu.func` kernel of the same name in `gpu.module
    @qf_kernels`, taking each operand as a rank-1 memref (activations,
    then the weights' storage buffers, then the result). One warp computes
    4 weight rows for up to 8 activation rows: its lanes take 32-element
    chunks of the rows (one wide load of packed codes, decoded with the
    format interface; the activations read once for the 4 rows) or, for
    layouts without chunks, single elements, and a butterfly of shuffles
    sums them. The kernel records its launch in
    `qf.rows_per_block` and `qf.tokens_per_block` beside
    `known_block_size`. A function of any other shape, or a matmul with an
    activation scheme or rotation, is an error at it.

    With `tensor-cores`, a matmul of a static M above 8, weights in chunks
    and K a multiple of 64 becomes the tensor-core kernel instead
    (`TensorCoreKernel.h`): 32 x 64 output tiles a block, weights decoded
    into bf16 in shared memory, `mma.sync.m16n8k16` with f32 sums.
  }];
  let options = [
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"false",
           "Use the mma.sync kernel (bf16 operands) where it applies">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

#endif // QFORGE_CODEGEN_CUDA_PASSES_TD
