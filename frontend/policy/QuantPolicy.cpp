//===- QuantPolicy.cpp - Per-tensor quantization schemes from a policy file ===//
//
// The policy file is a subset of TOML: comments, `[[rule]]` headers and
// `key = "string"` (or 'literal') or `key = integer` pairs. Anything else is an error at its
// line rather than something silently ignored.
//===----------------------------------------------------------------------===//
#include "frontend/policy/QuantPolicy.h"

#include "qf/IR/Presets.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/StringSaver.h"

using namespace llvm;
using namespace qforge::policy;

namespace {
Error errorAt(StringRef location, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), location + ": " + msg);
}

/// The string value of `rest` (what follows `=`), and nothing but a comment
/// after it.
Expected<std::string> parseString(StringRef rest, StringRef location) {
  rest = rest.trim();
  if (rest.empty() || (rest.front() != '"' && rest.front() != '\''))
    return errorAt(location, "a value must be a quoted string");
  char quote = rest.front();
  std::string value;
  size_t i = 1;
  for (; i < rest.size() && rest[i] != quote; ++i) {
    if (quote == '"' && rest[i] == '\\') {
      if (++i == rest.size())
        break;
      switch (rest[i]) {
      case '"': case '\\': value += rest[i]; break;
      case 'n': value += '\n'; break;
      case 't': value += '\t'; break;
      default:
        return errorAt(location, Twine("unsupported escape '\\") + Twine(rest[i]) + "'");
      }
      continue;
    }
    value += rest[i];
  }
  if (i == rest.size())
    return errorAt(location, "unterminated string");
  StringRef after = rest.drop_front(i + 1).trim();
  if (!after.empty() && after.front() != '#')
    return errorAt(location, "unexpected '" + after + "' after the value");
  return value;
}

/// The decimal integer value of `rest`, and nothing but a comment after it.
Expected<uint64_t> parseInteger(StringRef rest, StringRef location) {
  StringRef text = rest.split('#').first.trim();
  uint64_t value;
  if (text.empty() || !all_of(text, isDigit) || text.getAsInteger(10, value))
    return errorAt(location, "a value must be a non-negative integer, got '" + text + "'");
  return value;
}

Error checkScheme(StringRef scheme, StringRef location) {
  if (scheme == kFileScheme || is_contained(mlir::qf::getPresetNames(), scheme))
    return Error::success();
  return errorAt(location, "unknown scheme '" + scheme + "' (a preset, or '" + kFileScheme +
                               "' to keep the file's encoding; `qforge schemes --list` "
                               "names the presets)");
}

} // namespace

Expected<GlobPattern> QuantPolicy::compile(StringRef pattern, StringRef location) {
  Expected<GlobPattern> glob =
      GlobPattern::create(StringSaver(*patterns).save(pattern), /*MaxSubPatterns=*/1024);
  if (!glob)
    return errorAt(location, "bad pattern '" + pattern + "': " + toString(glob.takeError()));
  return glob;
}

Expected<QuantPolicy> QuantPolicy::parse(StringRef text, StringRef fileName) {
  QuantPolicy policy;
  struct Pending {
    std::string header;
    std::optional<std::string> pattern, scheme;
    std::optional<uint64_t> rotation, seed;
    std::string schemeAt, patternAt, rotationAt;
  };
  std::vector<Pending> pending;
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  for (auto [index, raw] : enumerate(lines)) {
    std::string location = (fileName + ":" + Twine(index + 1)).str();
    StringRef line = raw.trim();
    if (line.empty() || line.front() == '#')
      continue;
    if (line.starts_with("[")) {
      StringRef header = line.split('#').first.trim();
      if (header != "[[rule]]")
        return errorAt(location, "unknown table '" + header + "'; a policy is a list of [[rule]] tables");
      pending.push_back({location, {}, {}, {}, {}, {}, {}, {}});
      continue;
    }
    auto [key, rest] = line.split('=');
    key = key.trim();
    if (rest.data() == nullptr || line.find('=') == StringRef::npos)
      return errorAt(location, "expected 'key = \"value\"', got '" + line + "'");
    if (pending.empty())
      return errorAt(location, "'" + key + "' is outside a [[rule]] table");
    Pending &rule = pending.back();
    if (key == "rotation" || key == "rotation_seed") {
      std::optional<uint64_t> &slot = key == "rotation" ? rule.rotation : rule.seed;
      if (slot)
        return errorAt(location, "'" + key + "' is given twice in this rule");
      Expected<uint64_t> value = parseInteger(rest, location);
      if (!value)
        return value.takeError();
      if (key == "rotation" && (*value < 2 || *value > 4096 || (*value & (*value - 1))))
        return errorAt(location, "rotation must be a power of two from 2 to 4096, got " + Twine(*value));
      slot = *value;
      if (key == "rotation")
        rule.rotationAt = location;
      continue;
    }
    std::optional<std::string> *slot = key == "match" ? &rule.pattern
                                       : key == "scheme" ? &rule.scheme
                                                         : nullptr;
    if (!slot)
      return errorAt(location, "unknown key '" + key +
                                   "' (a rule has 'match', 'scheme', 'rotation' and 'rotation_seed')");
    if (*slot)
      return errorAt(location, "'" + key + "' is given twice in this rule");
    Expected<std::string> value = parseString(rest, location);
    if (!value)
      return value.takeError();
    *slot = *value;
    (key == "match" ? rule.patternAt : rule.schemeAt) = location;
  }
  if (pending.empty())
    return errorAt(fileName, "the policy has no [[rule]]");
  for (Pending &p : pending) {
    if (!p.pattern || !p.scheme)
      return errorAt(p.header, Twine("this rule has no '") + (p.pattern ? "scheme" : "match") + "'");
    if (Error err = checkScheme(*p.scheme, p.schemeAt))
      return std::move(err);
    if (p.seed && !p.rotation)
      return errorAt(p.header, "this rule has a 'rotation_seed' but no 'rotation'");
    if (p.rotation && *p.scheme == kFileScheme)
      return errorAt(p.rotationAt, "a rotation re-quantizes the matrices it folds into: give "
                                   "the rule a scheme, not '" + Twine(kFileScheme) + "'");
    Expected<GlobPattern> glob = policy.compile(*p.pattern, p.patternAt);
    if (!glob)
      return glob.takeError();
    QuantRule rule{*p.pattern, *p.scheme, int64_t(p.rotation.value_or(0)), p.seed, p.header,
                   std::move(*glob)};
    policy.ruleList.push_back(std::move(rule));
  }
  return policy;
}

Expected<QuantPolicy> QuantPolicy::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return errorAt(path, "cannot read the policy: " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

Expected<QuantPolicy> QuantPolicy::uniform(StringRef pattern, StringRef scheme, StringRef option) {
  if (Error err = checkScheme(scheme, option))
    return std::move(err);
  QuantPolicy policy;
  Expected<GlobPattern> glob = policy.compile(pattern, option);
  if (!glob)
    return glob.takeError();
  policy.ruleList.push_back({pattern.str(), scheme.str(), 0, {}, option.str(), std::move(*glob)});
  return policy;
}

QuantRule *QuantPolicy::ruleFor(StringRef tensor) {
  for (QuantRule &rule : ruleList)
    if (rule.glob.match(tensor))
      return &rule;
  return nullptr;
}

Error QuantPolicy::checkEveryRuleMatched() const {
  std::string unmatched;
  for (const QuantRule &rule : ruleList)
    if (!rule.matched)
      unmatched += (unmatched.empty() ? "" : "\n") + rule.location + ": rule '" + rule.pattern +
                   "' matches no weight matrix it can re-quantize (layer matrices and an untied output "
                   "head; an earlier rule may take them all)";
  return unmatched.empty() ? Error::success() : createStringError(inconvertibleErrorCode(), unmatched);
}
