//===- QuantPolicy.cpp - Per-tensor quantization schemes from a policy file ===//
//
// The policy file is a subset of TOML: comments, `[[rule]]` headers and
// `key = "string"` (or 'literal') pairs. Anything else is an error at its
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
    std::string schemeAt, patternAt;
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
      pending.push_back({location, {}, {}, {}, {}});
      continue;
    }
    auto [key, rest] = line.split('=');
    key = key.trim();
    if (rest.data() == nullptr || line.find('=') == StringRef::npos)
      return errorAt(location, "expected 'key = \"value\"', got '" + line + "'");
    if (pending.empty())
      return errorAt(location, "'" + key + "' is outside a [[rule]] table");
    Expected<std::string> value = parseString(rest, location);
    if (!value)
      return value.takeError();
    Pending &rule = pending.back();
    std::optional<std::string> *slot = key == "match" ? &rule.pattern
                                       : key == "scheme" ? &rule.scheme
                                                         : nullptr;
    if (!slot)
      return errorAt(location, "unknown key '" + key + "' (a rule has 'match' and 'scheme')");
    if (*slot)
      return errorAt(location, "'" + key + "' is given twice in this rule");
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
    Expected<GlobPattern> glob = policy.compile(*p.pattern, p.patternAt);
    if (!glob)
      return glob.takeError();
    policy.ruleList.push_back({*p.pattern, *p.scheme, p.header, std::move(*glob)});
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
  policy.ruleList.push_back({pattern.str(), scheme.str(), option.str(), std::move(*glob)});
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
