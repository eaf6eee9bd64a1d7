//===- FormatDecodeTest.cpp - buildDecode agrees with decodeHost -----------===//
//
// Each format's decode is emitted as arith ops on a constant code and folded
// by the canonicalizer; the folded constant must equal the host decode for
// every code (NaN for NaN), so the IR every backend uses and the host
// reference cannot drift apart.
//===----------------------------------------------------------------------===//
#include "TestFormats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;

namespace {

class FormatDecodeTest : public ::testing::TestWithParam<std::string> {
protected:
  FormatDecodeTest() {
    ctx.loadDialect<qf::QfDialect, func::FuncDialect, arith::ArithDialect>();
  }
  MLIRContext ctx;
};

/// Builds one function per code returning the decoded value, canonicalizes,
/// and reads the folded constants back.
std::vector<double> foldDecodeOfEveryCode(MLIRContext &ctx, qf::QuantFormatAttrInterface format,
                                          unsigned codeWidth) {
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  ModuleOp module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module.getBody());
  unsigned n = 1u << format.getBitWidth();
  auto fnType = b.getFunctionType({}, {b.getF32Type()});
  for (unsigned c = 0; c < n; ++c) {
    auto fn = func::FuncOp::create(b, loc, "decode" + std::to_string(c), fnType);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(fn.addEntryBlock());
    Value code = arith::ConstantIntOp::create(b, loc, b.getIntegerType(codeWidth), c);
    Value v = format.buildDecode(b, loc, code, b.getF32Type());
    func::ReturnOp::create(b, loc, v);
  }
  PassManager pm(&ctx);
  pm.addPass(createCanonicalizerPass());
  EXPECT_TRUE(succeeded(pm.run(module)));
  std::vector<double> values;
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    auto cst = ret.getOperand(0).getDefiningOp<arith::ConstantOp>();
    if (!cst) {
      ADD_FAILURE() << "decode of " << fn.getName().str() << " did not fold to a constant";
      values.push_back(0);
      continue;
    }
    values.push_back(cast<FloatAttr>(cst.getValue()).getValueAsDouble());
  }
  module->erase();
  return values;
}

TEST_P(FormatDecodeTest, FoldedDecodeMatchesHost) {
  qf::QuantFormatAttrInterface format = qforge::testing::parseFormat(ctx, GetParam());
  // Codes arrive zero-extended in a byte (as after unpacking) or as i32.
  for (unsigned width : {8u, 32u}) {
    std::vector<double> folded = foldDecodeOfEveryCode(ctx, format, width);
    for (uint64_t c = 0; c < folded.size(); ++c) {
      double host = format.decodeHost(c);
      if (std::isnan(host)) {
        // The host marks codes outside the format (and NaN codes) as NaN; the
        // emitted decode must then produce NaN or, for invalid codes of
        // unsigned/ternary formats, anything: only NaN codes are checked.
        if (format.getNaNCode() && *format.getNaNCode() == c)
          EXPECT_TRUE(std::isnan(folded[c])) << GetParam() << " code " << c;
        continue;
      }
      EXPECT_EQ(float(host), float(folded[c])) << GetParam() << " code " << c;
      EXPECT_EQ(std::signbit(host), std::signbit(folded[c])) << GetParam() << " code " << c;
    }
  }
}

// The same decode emitted on one vector holding every code, as the vectorized
// kernels use it, folds to the same values lane by lane.
TEST_P(FormatDecodeTest, VectorDecodeMatchesHost) {
  qf::QuantFormatAttrInterface format = qforge::testing::parseFormat(ctx, GetParam());
  int64_t n = int64_t(1) << format.getBitWidth();
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  ModuleOp module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module.getBody());
  auto resultType = VectorType::get({n}, b.getF32Type());
  auto fn = func::FuncOp::create(b, loc, "decode", b.getFunctionType({}, {resultType}));
  b.setInsertionPointToStart(fn.addEntryBlock());
  SmallVector<int32_t> codes;
  for (int64_t c = 0; c < n; ++c)
    codes.push_back(int32_t(c));
  auto codeType = VectorType::get({n}, b.getI32Type());
  Value code = arith::ConstantOp::create(b, loc, DenseIntElementsAttr::get(codeType, codes));
  func::ReturnOp::create(b, loc, format.buildDecode(b, loc, code, b.getF32Type()));
  PassManager pm(&ctx);
  pm.addPass(createCanonicalizerPass());
  ASSERT_TRUE(succeeded(pm.run(module)));
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  auto cst = ret.getOperand(0).getDefiningOp<arith::ConstantOp>();
  ASSERT_TRUE(cst) << GetParam() << ": vector decode did not fold";
  auto values = cast<DenseElementsAttr>(cst.getValue()).getValues<APFloat>();
  for (int64_t c = 0; c < n; ++c) {
    double host = format.decodeHost(c);
    float got = values[c].convertToFloat();
    if (std::isnan(host)) {
      if (format.getNaNCode() && *format.getNaNCode() == uint64_t(c))
        EXPECT_TRUE(std::isnan(got)) << GetParam() << " code " << c;
      continue;
    }
    EXPECT_EQ(float(host), got) << GetParam() << " code " << c;
    EXPECT_EQ(std::signbit(host), std::signbit(got)) << GetParam() << " code " << c;
  }
  module->erase();
}

INSTANTIATE_TEST_SUITE_P(AllFormats, FormatDecodeTest,
                         ::testing::ValuesIn(qforge::testing::allFormatSpellings()));

} // namespace
