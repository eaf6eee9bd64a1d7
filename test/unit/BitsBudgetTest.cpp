//===- BitsBudgetTest.cpp - frontend/policy: sizes, error proxy, chooser ---===//
#include "frontend/policy/BitsBudget.h"
#include "frontend/policy/QuantPolicy.h"

#include "qf/IR/Presets.h"
#include "qf/Reference/Quantizer.h"

#include <gtest/gtest.h>

#include <random>

using namespace mlir;
using namespace mlir::qf;
using namespace qforge::policy;

namespace {

class BitsBudget : public ::testing::Test {
protected:
  BitsBudget() { ctx.loadDialect<QfDialect>(); }
  SchemeAttr preset(llvm::StringRef name) { return getPreset(&ctx, name); }
  MLIRContext ctx;
};

std::string errorOf(llvm::Error err) { return llvm::toString(std::move(err)); }

TEST_F(BitsBudget, BitsPerWeightCountsEveryBuffer) {
  auto bits = [&](llvm::StringRef name, llvm::ArrayRef<int64_t> shape) {
    llvm::Expected<double> b = bitsPerWeight(preset(name), shape);
    EXPECT_TRUE(bool(b)) << name.str() << ": " << errorOf(b.takeError());
    return b ? *b : -1.0;
  };
  EXPECT_EQ(bits("q8_0", {32, 256}), 8.5);  // 34 bytes per 32
  EXPECT_EQ(bits("q4_0", {32, 256}), 4.5);  // 18 bytes per 32
  EXPECT_EQ(bits("mxfp4", {32, 256}), 4.25); // 4-bit codes, a 1-byte e8m0 per 32
  EXPECT_EQ(bits("int4_g32", {32, 256}), 4.5); // an f16 scale per 32
  // 8192 e2m1 codes (4096 bytes), 512 ue4m3 scales (512 bytes), one f32 tensor scale.
  EXPECT_EQ(bits("nvfp4", {32, 256}), 8.0 * (4096 + 512 + 4) / 8192);
}

TEST_F(BitsBudget, BitsPerWeightRejectsAShapeTheSchemeCannotHold) {
  llvm::Expected<double> b = bitsPerWeight(preset("int4_g128"), {32, 64});
  ASSERT_FALSE(bool(b));
  std::string msg = errorOf(b.takeError());
  EXPECT_NE(msg.find("int4_g128 on a 32x64 matrix: group size 128 does not divide dimension 1"),
            std::string::npos)
      << msg;
}

// int8_g32 is symmetric with s = max(max/127, min/-128) in f16 and
// round-to-nearest-even codes (docs/formats.md), worked out here by hand.
TEST_F(BitsBudget, ErrorOfHandQuantizedInt8) {
  std::vector<float> w(2 * 32, 0.0f);
  // Row 0: s = 127/127 = 1; 0.25 -> 0, 1.5 -> 2, 2.5 -> 2, -3.75 -> -4.
  w[0] = 127, w[1] = 0.25f, w[2] = 1.5f, w[3] = 2.5f, w[4] = -3.75f;
  // Row 1: s = -64/-128 = 0.5; 0.3 -> code 1 = 0.5, 10.25 -> code 20.5 -> 20 = 10.
  w[32] = -64, w[33] = 0.3f, w[34] = 10.25f;
  double r1 = (0.5 - double(0.3f)) * (0.5 - double(0.3f));
  double plain = 0.0625 + 0.25 + 0.25 + 0.0625 + r1 + 0.0625;
  double weighted = 2 * 0.0625 + 3 * 0.25 + 4 * 0.25 + 5 * 0.0625 + 2 * r1 + 3 * 0.0625;
  std::vector<float> colWeight(32);
  for (int k = 0; k < 32; ++k)
    colWeight[k] = float(k + 1);

  llvm::Expected<double> e = quantizationError(preset("int8_g32"), {2, 32}, w, {});
  ASSERT_TRUE(bool(e)) << errorOf(e.takeError());
  EXPECT_DOUBLE_EQ(*e, plain);
  e = quantizationError(preset("int8_g32"), {2, 32}, w, colWeight);
  ASSERT_TRUE(bool(e)) << errorOf(e.takeError());
  EXPECT_DOUBLE_EQ(*e, weighted);

  e = quantizationError(preset("int8_g32"), {2, 32}, w, llvm::ArrayRef(colWeight).drop_back());
  ASSERT_FALSE(bool(e));
  EXPECT_NE(errorOf(e.takeError()).find("31 column weights given"), std::string::npos);
  e = quantizationError(preset("int8_g64"), {2, 32}, w, {});
  ASSERT_FALSE(bool(e));
  EXPECT_NE(errorOf(e.takeError()).find("group size 64 does not divide"), std::string::npos);
}

TEST_F(BitsBudget, ColumnWeightsScaleEachColumnsError) {
  const int64_t n = 8, k = 64, col = 5;
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  std::vector<float> w(n * k);
  for (float &v : w)
    v = normal(gen);
  for (llvm::StringRef name : {"mxfp4", "nvfp4", "q4_0", "int4_g32_asym"}) {
    SCOPED_TRACE(name.str());
    SchemeAttr scheme = preset(name);
    llvm::Expected<double> plain = quantizationError(scheme, {n, k}, w, {});
    ASSERT_TRUE(bool(plain)) << errorOf(plain.takeError());
    EXPECT_GT(*plain, 0);
    llvm::Expected<double> twice = quantizationError(scheme, {n, k}, w, std::vector<float>(k, 2));
    ASSERT_TRUE(bool(twice));
    EXPECT_DOUBLE_EQ(*twice, 2 * *plain);

    std::vector<float> oneHot(k, 0);
    oneHot[col] = 1;
    llvm::Expected<double> single = quantizationError(scheme, {n, k}, w, oneHot);
    ASSERT_TRUE(bool(single));
    llvm::Expected<QuantizedTensor> q = quantize(scheme, {n, k}, w);
    ASSERT_TRUE(bool(q));
    std::vector<float> back(w.size());
    ASSERT_FALSE(bool(dequantize(scheme, {n, k}, *q, back)));
    double expected = 0;
    for (int64_t r = 0; r < n; ++r) {
      double d = double(w[r * k + col]) - double(back[r * k + col]);
      expected += d * d;
    }
    EXPECT_GT(expected, 0);
    EXPECT_DOUBLE_EQ(*single, expected);
  }
}

/// Uniform in [lo, hi) from the raw generator, the same on every standard library.
double uniform(std::mt19937 &gen, double lo, double hi) {
  return lo + (hi - lo) * (double(gen()) / 4294967296.0);
}

/// Random units: 6 of 4 candidates with random sizes and errors, so some are
/// dominated and the errors are not convex in the bits.
std::vector<BudgetUnit> randomUnits(std::mt19937 &gen) {
  std::vector<BudgetUnit> units(6);
  for (auto [i, u] : llvm::enumerate(units)) {
    u.pattern = "blk." + std::to_string(i) + ".*";
    u.weights = 1 + int64_t(gen() % 1000);
    for (int c = 0; c < 4; ++c)
      u.candidates.push_back(
          {"s" + std::to_string(c), uniform(gen, 2, 9), uniform(gen, 0, 1)});
  }
  return units;
}

double totalWeights(llvm::ArrayRef<BudgetUnit> units) {
  double w = 0;
  for (const BudgetUnit &u : units)
    w += double(u.weights);
  return w;
}

/// The least summed error over every combination within the budget.
double bruteForce(llvm::ArrayRef<BudgetUnit> units, double budget) {
  double limit = budget * totalWeights(units) * (1 + 1e-9), best = INFINITY;
  std::vector<size_t> pick(units.size(), 0);
  while (true) {
    double bits = 0, error = 0;
    for (auto [u, c] : llvm::zip_equal(units, pick)) {
      bits += u.candidates[c].bitsPerWeight * double(u.weights);
      error += u.candidates[c].error;
    }
    if (bits <= limit)
      best = std::min(best, error);
    size_t i = 0;
    for (; i < pick.size() && ++pick[i] == units[i].candidates.size(); ++i)
      pick[i] = 0;
    if (i == pick.size())
      return best;
  }
}

/// Checks what a choice claims against its picks and the budget, and that
/// no change of one unit to a lower-error candidate would still fit.
void expectConsistentAndFeasible(llvm::ArrayRef<BudgetUnit> units, const BudgetChoice &choice,
                                 double budget) {
  ASSERT_EQ(choice.picked.size(), units.size());
  double bits = 0, error = 0;
  for (auto [u, c] : llvm::zip_equal(units, choice.picked)) {
    ASSERT_LT(c, u.candidates.size());
    bits += u.candidates[c].bitsPerWeight * double(u.weights);
    error += u.candidates[c].error;
  }
  EXPECT_NEAR(choice.bitsPerWeight, bits / totalWeights(units), 1e-12);
  EXPECT_NEAR(choice.error, error, 1e-12);
  EXPECT_LE(choice.bitsPerWeight, budget * (1 + 1e-9));
  double limit = budget * totalWeights(units) * (1 + 1e-9);
  for (auto [i, u] : llvm::enumerate(units)) {
    const Candidate &now = u.candidates[choice.picked[i]];
    for (const Candidate &c : u.candidates)
      EXPECT_FALSE(c.error < now.error &&
                   bits + (c.bitsPerWeight - now.bitsPerWeight) * double(u.weights) <= limit)
          << "unit " << i << " could take " << c.scheme;
  }
}

// For a multiplier lambda, each unit taking the candidate that minimises
// error + lambda * bits is optimal among all choices no larger than it: with
// the budget at exactly its size, the chooser must find the optimum.
TEST(BitsBudgetChooser, MatchesBruteForceAtLagrangianBudgets) {
  std::mt19937 gen(2024);
  for (int instance = 0; instance < 50; ++instance) {
    std::vector<BudgetUnit> units = randomUnits(gen);
    for (int l = 0; l < 4; ++l) {
      double lambda = std::pow(10.0, uniform(gen, -5, 0)), bits = 0, lagrangian = 0;
      for (const BudgetUnit &u : units) {
        auto score = [&](const Candidate &c) {
          return c.error + lambda * c.bitsPerWeight * double(u.weights);
        };
        const Candidate &best = *llvm::min_element(
            u.candidates, [&](const Candidate &a, const Candidate &b) { return score(a) < score(b); });
        bits += best.bitsPerWeight * double(u.weights);
        lagrangian += best.error;
      }
      double budget = bits / totalWeights(units);
      SCOPED_TRACE("instance " + std::to_string(instance) + ", budget " + std::to_string(budget));
      llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, budget, "--bits-budget");
      ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
      expectConsistentAndFeasible(units, *choice, budget);
      double optimum = bruteForce(units, budget);
      EXPECT_NEAR(optimum, lagrangian, 1e-9);
      EXPECT_NEAR(choice->error, optimum, 1e-9);
    }
  }
}

// Elsewhere the Lagrangian greedy stops short of the LP optimum by at most
// one hull step, so it is within one unit's error range of the optimum.
TEST(BitsBudgetChooser, StaysFeasibleAndNearOptimalOnRandomBudgets) {
  std::mt19937 gen(77);
  for (int instance = 0; instance < 50; ++instance) {
    std::vector<BudgetUnit> units = randomUnits(gen);
    double least = 0, most = 0, span = 0;
    for (const BudgetUnit &u : units) {
      auto [lo, hi] = std::minmax_element(
          u.candidates.begin(), u.candidates.end(),
          [](const Candidate &a, const Candidate &b) { return a.bitsPerWeight < b.bitsPerWeight; });
      least += lo->bitsPerWeight * double(u.weights);
      most += hi->bitsPerWeight * double(u.weights);
      auto [elo, ehi] = std::minmax_element(
          u.candidates.begin(), u.candidates.end(),
          [](const Candidate &a, const Candidate &b) { return a.error < b.error; });
      span = std::max(span, ehi->error - elo->error);
    }
    for (int b = 0; b < 4; ++b) {
      double budget = uniform(gen, least, most) / totalWeights(units);
      SCOPED_TRACE("instance " + std::to_string(instance) + ", budget " + std::to_string(budget));
      llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, budget, "--bits-budget");
      ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
      expectConsistentAndFeasible(units, *choice, budget);
      double optimum = bruteForce(units, budget);
      EXPECT_GE(choice->error, optimum - 1e-9);
      EXPECT_LE(choice->error, optimum + span);
    }
  }
}

BudgetUnit unit(std::string pattern, int64_t weights, std::vector<Candidate> candidates) {
  return {std::move(pattern), weights, std::move(candidates)};
}

TEST(BitsBudgetChooser, InfeasibleBudgetNamesTheMinimum) {
  std::vector<BudgetUnit> units = {
      unit("a", 100, {{"q8_0", 8.5, 0}, {"mxfp4", 4.25, 1}}),
      unit("b", 100, {{"nvfp4", 4.5, 1}, {"q8_0", 8.5, 0}}),
      unit("c", 200, {{"mxfp4", 4.25, 1}}),
  };
  // (4.25 * 100 + 4.5 * 100 + 4.25 * 200) / 400 = 4.3125
  llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, 3, "--bits-budget");
  ASSERT_FALSE(bool(choice));
  EXPECT_EQ(errorOf(choice.takeError()),
            "--bits-budget 3.00 is below the smallest size these schemes reach, 4.31 bits per "
            "weight (each unit at its smallest scheme: mxfp4 on 2 units, nvfp4 on 1 unit)");
  choice = chooseUnderBudget(units, 4.312, "--bits-budget");
  ASSERT_FALSE(bool(choice));
  EXPECT_NE(errorOf(choice.takeError()).find("--bits-budget 4.3120 is below the smallest size "
                                            "these schemes reach, 4.3125 bits per weight"),
            std::string::npos);
  choice = chooseUnderBudget(units, 4.3125, "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  EXPECT_EQ(choice->picked, (std::vector<size_t>{1, 0, 0}));
}

TEST(BitsBudgetChooser, HugeBudgetTakesTheLeastErrorCandidates) {
  std::vector<BudgetUnit> units = {
      unit("a", 10, {{"x", 4, 3}, {"y", 9, 0.5}, {"z", 6, 0.5}, {"w", 5, 2}}),
      unit("b", 30, {{"x", 8, 0}, {"y", 4, 1}}),
      unit("c", 20, {{"x", 4, 1}, {"y", 5, 1}}),
  };
  llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, 1e9, "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  // Of equal errors, the smaller candidate.
  EXPECT_EQ(choice->picked, (std::vector<size_t>{2, 0, 0}));
  EXPECT_DOUBLE_EQ(choice->error, 1.5);
}

TEST(BitsBudgetChooser, BudgetEqualToAReachableSizeIsFeasible) {
  // b's upgrade saves more error per bit; at exactly its size it fits, a hair
  // below only a's does.
  std::vector<BudgetUnit> units = {
      unit("a", 7, {{"small", 4.1, 1}, {"big", 8.3, 0}}),
      unit("b", 13, {{"small", 4.1, 10}, {"big", 8.3, 0}}),
  };
  double exact = (4.1 * 7 + 8.3 * 13) / 20;
  llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, exact, "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  EXPECT_EQ(choice->picked, (std::vector<size_t>{0, 1}));
  choice = chooseUnderBudget(units, exact * (1 - 1e-6), "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  EXPECT_EQ(choice->picked, (std::vector<size_t>{1, 0}));
}

TEST(BitsBudgetChooser, FillsLeftoverBudgetOffTheHull) {
  // 5 bits lies above the hull from 4 to 8 bits: the hull step does not fit a
  // budget of 5, the single upgrade to it does.
  std::vector<BudgetUnit> units = {unit("a", 1, {{"s4", 4, 10}, {"s5", 5, 9.9}, {"s8", 8, 0}})};
  llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, 5, "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  EXPECT_EQ(choice->picked, (std::vector<size_t>{1}));
}

TEST(BitsBudgetChooser, EqualGainsGoToTheLowestUnit) {
  std::vector<BudgetUnit> units = {
      unit("a", 1, {{"s4", 4, 1}, {"s8", 8, 0}}),
      unit("b", 1, {{"s4", 4, 1}, {"s8", 8, 0}}),
  };
  llvm::Expected<BudgetChoice> choice = chooseUnderBudget(units, 6, "--bits-budget");
  ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
  EXPECT_EQ(choice->picked, (std::vector<size_t>{1, 0}));
}

TEST(BitsBudgetChooser, PolicyParsesBackToTheChoice) {
  std::vector<BudgetUnit> units = {
      unit("blk.{0,1}.attn_{q,k,v}.weight", 3 * 64 * 64,
           {{"mxfp4", 4.25, 2.5}, {"q8_0", 8.5, 0.01}}),
      unit("blk.*.ffn_down.weight", 64 * 256, {{"nvfp4", 4.5, 3}, {"mxfp4", 4.25, 4}}),
      unit("output\\.weight", 64 * 1000, {{"q4_0", 4.5, 1}, {"mxfp4", 4.25, 2}, {"q8_0", 8.5, 0}}),
  };
  BudgetChoice choice{{1, 0, 2}, 7.0, 3.01};
  std::string text = writePolicy(units, choice, "qforge compile model --bits-budget 7\n\nnext");
  EXPECT_EQ(text.rfind("# qforge compile model --bits-budget 7\n#\n# next\n", 0), 0u) << text;
  EXPECT_NE(text.find("# 8.5 bits per weight, error 0.01\n[[rule]]\n"
                      "match = \"blk.{0,1}.attn_{q,k,v}.weight\"\nscheme = \"q8_0\"\n"),
            std::string::npos)
      << text;

  llvm::Expected<QuantPolicy> policy = QuantPolicy::parse(text, "budget.toml");
  ASSERT_TRUE(bool(policy)) << errorOf(policy.takeError()) << "\n" << text;
  ASSERT_EQ(policy->rules().size(), 3u);
  auto schemeOf = [&](llvm::StringRef tensor) {
    QuantRule *r = policy->ruleFor(tensor);
    return r ? r->scheme : std::string("none");
  };
  for (const char *t : {"blk.0.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_v.weight"})
    EXPECT_EQ(schemeOf(t), "q8_0") << t;
  EXPECT_EQ(schemeOf("blk.7.ffn_down.weight"), "nvfp4");
  EXPECT_EQ(schemeOf("output.weight"), "q8_0");
  EXPECT_EQ(schemeOf("blk.2.attn_q.weight"), "none");
  EXPECT_EQ(schemeOf("outputxweight"), "none");
}

} // namespace
