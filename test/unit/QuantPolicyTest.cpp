//===- QuantPolicyTest.cpp - frontend/policy: parsing, matching, errors ----===//
#include "frontend/policy/QuantPolicy.h"

#include "gtest/gtest.h"

using namespace qforge::policy;

namespace {

std::string errorOf(llvm::StringRef text) {
  llvm::Expected<QuantPolicy> p = QuantPolicy::parse(text, "p.toml");
  if (p)
    return "";
  return llvm::toString(p.takeError());
}

TEST(QuantPolicy, FirstMatchingRuleWins) {
  llvm::Expected<QuantPolicy> p = QuantPolicy::parse(R"(# mixed precision
[[rule]]
match = "blk.{0,29}.*"   # the first and last layers
scheme = "q8_0"

[[rule]]
match = 'blk.*.ffn_down.weight'
scheme = "nvfp4"

[[rule]]
match = "blk.?.attn_[qk].weight"
scheme = "file"
[[rule]]
match = "blk.*"
scheme = "mxfp4"
)",
                                                     "p.toml");
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  ASSERT_EQ(p->rules().size(), 4u);
  auto schemeOf = [&](llvm::StringRef t) {
    QuantRule *r = p->ruleFor(t);
    return r ? r->scheme : std::string("none");
  };
  EXPECT_EQ(schemeOf("blk.0.ffn_down.weight"), "q8_0");
  EXPECT_EQ(schemeOf("blk.29.attn_q.weight"), "q8_0");
  EXPECT_EQ(schemeOf("blk.12.ffn_down.weight"), "nvfp4");
  EXPECT_EQ(schemeOf("blk.3.attn_k.weight"), "file");
  EXPECT_EQ(schemeOf("blk.13.attn_k.weight"), "mxfp4");
  EXPECT_EQ(schemeOf("token_embd.weight"), "none");
  EXPECT_EQ(p->rules()[1].location, "p.toml:6");
}

TEST(QuantPolicy, UnmatchedRulesAreNamed) {
  llvm::Expected<QuantPolicy> p = QuantPolicy::parse(
      "[[rule]]\nmatch = \"blk.*\"\nscheme = \"mxfp4\"\n[[rule]]\nmatch = \"blk.*.ffn_up.weight\"\n"
      "scheme = \"nvfp4\"\n",
      "p.toml");
  ASSERT_TRUE(bool(p));
  for (const char *t : {"blk.0.attn_q.weight", "blk.0.ffn_up.weight"})
    ++p->ruleFor(t)->matched;
  std::string err = llvm::toString(p->checkEveryRuleMatched());
  EXPECT_NE(err.find("p.toml:4: rule 'blk.*.ffn_up.weight' matches no weight matrix"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("p.toml:1"), std::string::npos) << err;
}

TEST(QuantPolicy, BadPoliciesAreErrorsAtTheirLine) {
  EXPECT_EQ(errorOf(""), "p.toml: the policy has no [[rule]]");
  EXPECT_EQ(errorOf("match = \"a\"\n"), "p.toml:1: 'match' is outside a [[rule]] table");
  EXPECT_EQ(errorOf("[rule]\n"), "p.toml:1: unknown table '[rule]'; a policy is a list of [[rule]] tables");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\"\n"), "p.toml:1: this rule has no 'scheme'");
  EXPECT_EQ(errorOf("[[rule]]\n\nscheme = \"q8_0\"\n"), "p.toml:1: this rule has no 'match'");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\"\nscheme = \"q8_0\"\nscheme = \"q4_0\"\n"),
            "p.toml:4: 'scheme' is given twice in this rule");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\"\nbits = \"4\"\n"),
            "p.toml:3: unknown key 'bits' (a rule has 'match', 'scheme', 'rotation' and 'rotation_seed')");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = a\n"), "p.toml:2: a value must be a quoted string");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\n"), "p.toml:2: unterminated string");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\" b\n"), "p.toml:2: unexpected 'b' after the value");
  EXPECT_EQ(errorOf("[[rule]]\nmatch\n"), "p.toml:2: expected 'key = \"value\"', got 'match'");
  EXPECT_NE(errorOf("[[rule]]\nmatch = \"a\"\nscheme = \"mxfp5\"\n").find("p.toml:3: unknown scheme 'mxfp5'"),
            std::string::npos);
  EXPECT_NE(errorOf("[[rule]]\nmatch = \"blk.[\"\nscheme = \"q8_0\"\n").find("p.toml:2: bad pattern 'blk.['"),
            std::string::npos);
}

TEST(QuantPolicy, RotationsAreIntegersOfRules) {
  llvm::Expected<QuantPolicy> p = QuantPolicy::parse(
      "[[rule]]\nmatch = \"blk.0.*\"\nscheme = \"mxfp4\"\nrotation = 32  # MX blocks\n"
      "rotation_seed = 7\n[[rule]]\nmatch = \"blk.*\"\nscheme = \"q8_0\"\n",
      "p.toml");
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  const QuantRule *rotated = p->ruleFor("blk.0.attn_q.weight"), *plain = p->ruleFor("blk.1.attn_q.weight");
  EXPECT_EQ(rotated->rotation, 32);
  EXPECT_EQ(rotated->rotationSeed, std::optional<uint64_t>(7));
  EXPECT_EQ(plain->rotation, 0);
  EXPECT_FALSE(plain->rotationSeed);
  const std::string rule = "[[rule]]\nmatch = \"a\"\nscheme = \"q8_0\"\n";
  EXPECT_EQ(errorOf(rule + "rotation = 48\n"),
            "p.toml:4: rotation must be a power of two from 2 to 4096, got 48");
  EXPECT_EQ(errorOf(rule + "rotation = 8192\n"),
            "p.toml:4: rotation must be a power of two from 2 to 4096, got 8192");
  EXPECT_EQ(errorOf(rule + "rotation = \"64\"\n"),
            "p.toml:4: a value must be a non-negative integer, got '\"64\"'");
  EXPECT_EQ(errorOf(rule + "rotation = -2\n"), "p.toml:4: a value must be a non-negative integer, got '-2'");
  EXPECT_EQ(errorOf(rule + "rotation = 64\nrotation = 32\n"), "p.toml:5: 'rotation' is given twice in this rule");
  EXPECT_EQ(errorOf(rule + "rotation_seed = 1\n"), "p.toml:1: this rule has a 'rotation_seed' but no 'rotation'");
  EXPECT_EQ(errorOf("[[rule]]\nmatch = \"a\"\nscheme = \"file\"\nrotation = 64\n"),
            "p.toml:4: a rotation re-quantizes the matrices it folds into: give the rule a scheme, not 'file'");
}

TEST(QuantPolicy, UniformRuleNamesItsOption) {
  llvm::Expected<QuantPolicy> p = QuantPolicy::uniform("blk.*", "int4_g128", "--scheme");
  ASSERT_TRUE(bool(p));
  EXPECT_EQ(p->ruleFor("blk.7.ffn_down.weight")->scheme, "int4_g128");
  EXPECT_EQ(p->ruleFor("output.weight"), nullptr);
  llvm::Expected<QuantPolicy> bad = QuantPolicy::uniform("blk.*", "int5", "--scheme");
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("--scheme: unknown scheme 'int5'"), std::string::npos);
}

} // namespace
