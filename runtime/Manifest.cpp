//===- Manifest.cpp - What a compiled package contains ---------------------===//
#include "runtime/Manifest.h"

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace qforge::runtime;

int64_t qforge::runtime::dtypeBytes(const std::string &dtype) {
  if (dtype == "f32" || dtype == "i32")
    return 4;
  if (dtype == "f16" || dtype == "bf16")
    return 2;
  if (dtype == "u8" || dtype == "i8")
    return 1;
  if (dtype == "f64" || dtype == "i64")
    return 8;
  return 0;
}

bool Operand::isDynamic() const {
  return std::find(shape.begin(), shape.end(), kDynamic) != shape.end();
}

int64_t Operand::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d == kDynamic ? 1 : d;
  return n;
}

int64_t Operand::bytes() const { return numElements() * dtypeBytes(dtype); }

bool Operand::shapeFor(size_t have, std::vector<int64_t> &out) const {
  int64_t unit = bytes();
  out = shape;
  if (kind == "buffer" || !isDynamic())
    return int64_t(have) == unit;
  if (unit <= 0 || int64_t(have) % unit)
    return false;
  *std::find(out.begin(), out.end(), kDynamic) = int64_t(have) / unit;
  return true;
}

const EntryPoint *Manifest::find(const std::string &name) const {
  for (const EntryPoint &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + (shape[i] == Operand::kDynamic ? "?" : std::to_string(shape[i]));
  return s.empty() ? "scalar" : s;
}

std::string Manifest::serialize() const {
  std::ostringstream os;
  os << "qforge-package " << kPackageVersion << "\n"
     << "compiler " << compiler << "\n"
     << "triple " << triple << "\n"
     << "cpu " << cpu << "\n"
     << "features";
  for (const std::string &f : features)
    os << " " << f;
  os << "\nlibrary " << library << "\n";
  for (const EntryPoint &e : entries) {
    os << "entry " << e.name << "\n";
    for (const Operand &a : e.args)
      os << "arg " << a.name << " " << a.kind << " " << a.dtype << " " << shapeText(a.shape) << "\n";
    for (const Operand &r : e.results)
      os << "result " << r.name << " " << r.kind << " " << r.dtype << " " << shapeText(r.shape)
         << "\n";
    if (e.split.blocks) {
      os << "split " << e.split.blockEntry << " " << e.split.blocks;
      for (int64_t b : e.split.argBlockBytes)
        os << " " << b;
      for (int64_t c : e.split.resultBlockExtents)
        os << " " << c;
      os << "\n";
    }
    if (e.launch.threads)
      os << "launch " << e.launch.kernel << " " << e.launch.threads << " " << e.launch.rowsPerBlock
         << " " << e.launch.tokensPerBlock << "\n";
    os << "end\n";
  }
  return os.str();
}

bool qforge::runtime::readTextFile(const std::string &path, std::string &text,
                                   std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::stringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

bool qforge::runtime::parseShapeText(const std::string &text, std::vector<int64_t> &shape,
                                     bool allowDynamic) {
  shape.clear();
  if (text == "scalar")
    return true;
  std::istringstream is(text);
  std::string part;
  while (std::getline(is, part, 'x')) {
    if (allowDynamic && part == "?") {
      shape.push_back(Operand::kDynamic);
      continue;
    }
    if (part.empty() || part.size() > 15 || part.find_first_not_of("0123456789") != std::string::npos)
      return false;
    shape.push_back(std::stoll(part));
  }
  return !shape.empty();
}

bool KeyedLines::readHeader(const std::string &magic, int version, const std::string &what,
                            const std::string &kind) {
  std::string key;
  if (!next(key))
    return fail("empty " + what);
  int found = 0;
  if (key != magic || !(words_ >> found))
    return fail("not a " + what + " (expected '" + magic + " " + std::to_string(version) + "')");
  if (found != version)
    return fail(kind + " version " + std::to_string(found) + ", this runtime reads " +
                std::to_string(version));
  return true;
}

bool KeyedLines::next(std::string &key) {
  for (std::string line; std::getline(lines_, line);) {
    ++line_;
    words_.clear();
    words_.str(line);
    if (words_ >> key)
      return true;
  }
  return false;
}

bool KeyedLines::fail(const std::string &message) {
  error_ = prefix_ + std::to_string(line_) + ": " + message;
  return false;
}

bool Manifest::parse(const std::string &text, Manifest &out, std::string &error) {
  out = Manifest();
  KeyedLines lines(text, "manifest line ", error);
  if (!lines.readHeader("qforge-package", kPackageVersion, "qforge package manifest", "package"))
    return false;
  EntryPoint *entry = nullptr;
  for (std::string key; lines.next(key);) {
    std::istringstream &words = lines.words();
    std::string rest;
    std::getline(words >> std::ws, rest);
    if (key == "compiler") {
      out.compiler = rest;
    } else if (key == "triple") {
      out.triple = rest;
    } else if (key == "cpu") {
      out.cpu = rest;
    } else if (key == "features") {
      std::istringstream fs(rest);
      for (std::string f; fs >> f;)
        out.features.push_back(f);
    } else if (key == "library") {
      out.library = rest;
    } else if (key == "entry") {
      if (entry)
        return lines.fail("entry '" + rest + "' starts before 'end' of '" + entry->name + "'");
      out.entries.push_back({rest, {}, {}, {}, {}});
      entry = &out.entries.back();
    } else if (key == "arg" || key == "result") {
      if (!entry)
        return lines.fail("'" + key + "' outside an entry");
      std::istringstream fs(rest);
      Operand op;
      std::string shape;
      if (!(fs >> op.name >> op.kind >> op.dtype >> shape) ||
          (op.kind != "tensor" && op.kind != "buffer") || !dtypeBytes(op.dtype) ||
          !parseShapeText(shape, op.shape, /*allowDynamic=*/true))
        return lines.fail("malformed operand '" + rest + "' (expected: name tensor|buffer dtype shape)");
      if (op.isDynamic() && (key == "result" || op.kind == "buffer" ||
                             std::count(op.shape.begin(), op.shape.end(), Operand::kDynamic) > 1))
        return lines.fail("operand '" + op.name + "': only a tensor argument may have a dynamic axis, "
                    "and only one");
      (key == "arg" ? entry->args : entry->results).push_back(op);
    } else if (key == "split") {
      if (!entry)
        return lines.fail("'split' outside an entry");
      std::istringstream fs(rest);
      Split &split = entry->split;
      std::vector<int64_t> counts;
      fs >> split.blockEntry;
      for (int64_t v; fs >> v;)
        counts.push_back(v);
      size_t operands = entry->args.size() + entry->results.size();
      if (split.blockEntry.empty() || !fs.eof() || counts.size() != 1 + operands || counts[0] < 1)
        return lines.fail("malformed split '" + rest + "' (expected: entry blocks, then one count per "
                    "argument and result)");
      if (std::any_of(entry->args.begin(), entry->args.end(),
                      [](const Operand &a) { return a.isDynamic(); }))
        return lines.fail("entry '" + entry->name + "' has a dynamic axis and cannot split");
      split.blocks = counts[0];
      split.argBlockBytes.assign(counts.begin() + 1, counts.begin() + 1 + entry->args.size());
      split.resultBlockExtents.assign(counts.begin() + 1 + entry->args.size(), counts.end());
    } else if (key == "launch") {
      if (!entry)
        return lines.fail("'launch' outside an entry");
      std::istringstream fs(rest);
      Launch &launch = entry->launch;
      if (!(fs >> launch.kernel >> launch.threads >> launch.rowsPerBlock >> launch.tokensPerBlock) ||
          !fs.eof() || launch.threads < 1 || launch.threads > 1024 || launch.rowsPerBlock < 1 ||
          launch.tokensPerBlock < 1)
        return lines.fail("malformed launch '" + rest + "' (expected: kernel threads (1-1024) rows "
                          "tokens, counts positive)");
    } else if (key == "end") {
      if (!entry)
        return lines.fail("'end' without an entry");
      entry = nullptr;
    } else {
      return lines.fail("unknown key '" + key + "'");
    }
  }
  if (entry)
    return lines.fail("entry '" + entry->name + "' has no 'end'");
  if (out.library.empty())
    return lines.fail("no 'library' line");
  return true;
}

const std::vector<std::string> &qforge::runtime::checkableCpuFeatures() {
  static const std::vector<std::string> features = {
      "sse3",       "ssse3",       "sse4.1",     "sse4.2",       "popcnt",          "aes",
      "pclmul",     "avx",         "avx2",       "fma",          "f16c",            "bmi",
      "bmi2",       "lzcnt",       "movbe",      "adx",          "cx16",            "gfni",
      "vaes",       "vpclmulqdq",  "avx512f",    "avx512bw",     "avx512vl",        "avx512dq",
      "avx512cd",   "avx512vnni",  "avx512bf16", "avx512vbmi",   "avx512vbmi2",     "avx512bitalg",
      "avx512ifma", "avx512fp16",  "avx512vpopcntdq", "avxvnni"};
  return features;
}

bool qforge::runtime::hostHasCpuFeature(const std::string &name) {
#if defined(__x86_64__) || defined(__i386__)
  // __builtin_cpu_supports takes string literals only.
#define QF_FEATURE(str)                                                                      \
  if (name == str)                                                                           \
    return __builtin_cpu_supports(str);
  QF_FEATURE("sse3")
  QF_FEATURE("ssse3")
  QF_FEATURE("sse4.1")
  QF_FEATURE("sse4.2")
  QF_FEATURE("popcnt")
  QF_FEATURE("aes")
  QF_FEATURE("pclmul")
  QF_FEATURE("avx")
  QF_FEATURE("avx2")
  QF_FEATURE("fma")
  QF_FEATURE("f16c")
  QF_FEATURE("bmi")
  QF_FEATURE("bmi2")
  QF_FEATURE("lzcnt")
  QF_FEATURE("movbe")
  QF_FEATURE("adx")
  QF_FEATURE("cx16")
  QF_FEATURE("gfni")
  QF_FEATURE("vaes")
  QF_FEATURE("vpclmulqdq")
  QF_FEATURE("avx512f")
  QF_FEATURE("avx512bw")
  QF_FEATURE("avx512vl")
  QF_FEATURE("avx512dq")
  QF_FEATURE("avx512cd")
  QF_FEATURE("avx512vnni")
  QF_FEATURE("avx512bf16")
  QF_FEATURE("avx512vbmi")
  QF_FEATURE("avx512vbmi2")
  QF_FEATURE("avx512bitalg")
  QF_FEATURE("avx512ifma")
  QF_FEATURE("avx512fp16")
  QF_FEATURE("avx512vpopcntdq")
  QF_FEATURE("avxvnni")
#undef QF_FEATURE
#endif
  return false;
}
