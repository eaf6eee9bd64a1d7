//===- CpuTargetTest.cpp - Vector widths of the CPU kernels are compiled for -===//
#include "codegen/cpu/Target.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace mlir::qf;

namespace {

CpuTarget named(llvm::StringRef cpu) {
  llvm::Expected<CpuTarget> target = CpuTarget::named(cpu);
  EXPECT_TRUE(bool(target)) << llvm::toString(target.takeError());
  return *target;
}

std::string errorOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "";
}

// A 256-bit byte dot product beside a 512-bit load, a 512-bit table lookup,
// and a 512-bit load without intrinsics.
const char *kModule = R"(
declare <8 x i32> @llvm.x86.avx512.vpdpbusd.256(<8 x i32>, <8 x i32>, <8 x i32>)
declare <16 x float> @llvm.x86.avx512.permvar.sf.512(<16 x float>, <16 x i32>)
define <8 x i32> @dot(ptr %p, <8 x i32> %a, <8 x i32> %b) {
  %v = load <64 x i16>, ptr %p, align 1
  %r = call <8 x i32> @llvm.x86.avx512.vpdpbusd.256(<8 x i32> zeroinitializer, <8 x i32> %a, <8 x i32> %b)
  ret <8 x i32> %r
}
define <16 x float> @lookup(<16 x float> %t, <16 x i32> %i) {
  %r = call <16 x float> @llvm.x86.avx512.permvar.sf.512(<16 x float> %t, <16 x i32> %i)
  ret <16 x float> %r
}
define <64 x i16> @plain(ptr %p) {
  %v = load <64 x i16>, ptr %p, align 1
  ret <64 x i16> %v
}
)";

std::unique_ptr<llvm::Module> parse(llvm::LLVMContext &ctx) {
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(kModule, diag, ctx);
  EXPECT_TRUE(module) << diag.getMessage().str();
  return module;
}

std::string attr(const llvm::Module &m, llvm::StringRef fn, llvm::StringRef name) {
  return m.getFunction(fn)->getFnAttribute(name).getValueAsString().str();
}

} // namespace

TEST(CpuTarget, DefaultVectorWidthFollowsTheRegistersExceptOnZen4) {
  EXPECT_EQ(named("x86-64").vectorBits(), 128u);
  EXPECT_EQ(named("x86-64-v3").vectorBits(), 256u);
  EXPECT_EQ(named("x86-64-v4").vectorBits(), 512u);
  EXPECT_EQ(named("znver4").vectorBits(), 256u);
}

TEST(CpuTarget, VectorWidthIsCheckedAgainstTheRegisters) {
  CpuTarget zen4 = named("znver4"), avx2 = named("x86-64-v3");
  EXPECT_EQ(errorOf(zen4.setVectorBits(512)), "");
  EXPECT_EQ(zen4.vectorBits(), 512u);
  EXPECT_NE(errorOf(avx2.setVectorBits(512)).find("has 256-bit vector registers"), std::string::npos);
  EXPECT_NE(errorOf(avx2.setVectorBits(200)).find("use 128, 256 or 512"), std::string::npos);
  EXPECT_EQ(avx2.vectorBits(), 256u);
}

TEST(CpuTarget, OnlyKernelsOfNarrowIntrinsicsAreNarrowed) {
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> m = parse(ctx);
  named("znver4").limitVectorWidth(*m);
  EXPECT_EQ(attr(*m, "dot", "prefer-vector-width"), "256");
  EXPECT_EQ(attr(*m, "dot", "min-legal-vector-width"), "256");
  for (const char *wide : {"lookup", "plain"}) {
    EXPECT_FALSE(m->getFunction(wide)->hasFnAttribute("prefer-vector-width")) << wide;
    EXPECT_FALSE(m->getFunction(wide)->hasFnAttribute("min-legal-vector-width")) << wide;
  }
}

TEST(CpuTarget, FullWidthAddsNoAttributes) {
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> m = parse(ctx);
  CpuTarget zen4 = named("znver4");
  ASSERT_EQ(errorOf(zen4.setVectorBits(512)), "");
  zen4.limitVectorWidth(*m);
  EXPECT_FALSE(m->getFunction("dot")->hasFnAttribute("prefer-vector-width"));
  EXPECT_FALSE(m->getFunction("dot")->hasFnAttribute("min-legal-vector-width"));
}
