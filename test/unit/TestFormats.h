//===- TestFormats.h - Every format the dialect defines, for unit tests ----===//
#ifndef QFORGE_TEST_UNIT_TESTFORMATS_H
#define QFORGE_TEST_UNIT_TESTFORMATS_H

#include "qf/IR/Qf.h"

#include "mlir/AsmParser/AsmParser.h"

#include <string>
#include <vector>

namespace qforge::testing {

inline std::vector<std::string> allFormatSpellings() {
  std::vector<std::string> out;
  for (const char *k : {"e2m1", "e2m3", "e3m2", "e4m3", "e5m2", "e8m0", "ue4m3"})
    out.push_back(std::string("#qf.float<") + k + ">");
  for (int w = 2; w <= 8; ++w) {
    out.push_back("#qf.int<" + std::to_string(w) + ">");
    out.push_back("#qf.int<" + std::to_string(w) + ", unsigned>");
  }
  out.push_back("#qf.int<8, signed, frac = 6>");
  out.push_back("#qf.lut<nf4>");
  out.push_back("#qf.lut<iq4_nl>");
  out.push_back("#qf.lut<[-3.0, -1.0, 0.5, 2.0]>");
  out.push_back("#qf.ternary");
  out.push_back("#qf.fnuz<e4m3>");
  out.push_back("#qf.fnuz<e5m2>");
  return out;
}

inline mlir::qf::QuantFormatAttrInterface parseFormat(mlir::MLIRContext &ctx,
                                                      const std::string &text) {
  return llvm::cast<mlir::qf::QuantFormatAttrInterface>(mlir::parseAttribute(text, &ctx));
}

} // namespace qforge::testing

#endif
