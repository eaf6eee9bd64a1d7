//===- QuantPolicy.h - Per-tensor quantization schemes from a policy file --===//
//
// A policy maps tensor-name patterns to schemes (and rotations): the rules of a TOML file,
// first match wins (docs/mixed-precision.md has the format). Every error
// names the file and line of what it is about.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_POLICY_QUANTPOLICY_H
#define QFORGE_FRONTEND_POLICY_QUANTPOLICY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/GlobPattern.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qforge::policy {

/// The scheme name that keeps a tensor in the encoding its file has.
inline constexpr llvm::StringLiteral kFileScheme = "file";

struct QuantRule {
  std::string pattern;  ///< glob over tensor names (`*`, `?`, `[..]`, `{a,b}`)
  std::string scheme;   ///< a preset name, or kFileScheme
  /// The Hadamard rotation folded into the matrices (rows times the
  /// transform, before they are quantized) and applied to their activations
  /// online: the block size, 0 for none, and the sign seed.
  int64_t rotation = 0;
  std::optional<uint64_t> rotationSeed;
  std::string location; ///< "FILE:LINE" of its [[rule]] header, or the option that made it
  llvm::GlobPattern glob; ///< refers to the policy's copy of the pattern
  /// What applying it did: tensors it matched, re-quantized, and kept in
  /// their file's encoding because the scheme does not fit their shape.
  int64_t matched = 0, requantized = 0, kept = 0;
};

class QuantPolicy {
public:
  /// Parses a policy; `fileName` is what errors call it.
  static llvm::Expected<QuantPolicy> parse(llvm::StringRef text, llvm::StringRef fileName);
  static llvm::Expected<QuantPolicy> load(llvm::StringRef path);
  /// One rule sending every tensor `pattern` matches to `scheme`, made by
  /// the command-line option `option`.
  static llvm::Expected<QuantPolicy> uniform(llvm::StringRef pattern, llvm::StringRef scheme,
                                             llvm::StringRef option);

  /// The first rule that matches `tensor`, or null.
  QuantRule *ruleFor(llvm::StringRef tensor);
  /// An error naming every rule that matched no tensor.
  llvm::Error checkEveryRuleMatched() const;

  llvm::ArrayRef<QuantRule> rules() const { return ruleList; }

private:
  /// The pattern compiled over a copy that lives as long as the policy.
  llvm::Expected<llvm::GlobPattern> compile(llvm::StringRef pattern, llvm::StringRef location);

  std::vector<QuantRule> ruleList;
  std::unique_ptr<llvm::BumpPtrAllocator> patterns = std::make_unique<llvm::BumpPtrAllocator>();
};

} // namespace qforge::policy

#endif // QFORGE_FRONTEND_POLICY_QUANTPOLICY_H
