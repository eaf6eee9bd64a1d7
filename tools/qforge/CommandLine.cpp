//===- CommandLine.cpp - The qforge driver's argument handling -------------===//
#include "CommandLine.h"
#include "codegen/cpu/Target.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace mlir;

namespace qforge {

Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Expected<Args> Args::parse(StringRef command, ArrayRef<const char *> argv,
                           ArrayRef<StringRef> required, ArrayRef<StringRef> optional,
                           ArrayRef<StringRef> flags) {
  SmallVector<StringRef> valueOptions(required);
  valueOptions.append(optional.begin(), optional.end());
  Args args;
  args.command = command.str();
  for (size_t i = 0; i < argv.size(); ++i) {
    StringRef arg = argv[i];
    if (!arg.consume_front("--"))
      return makeError("unexpected argument '" + arg + "' (options start with --)");
    auto [name, inlineValue] = arg.split('=');
    if (is_contained(flags, name)) {
      args.switches[name] = true;
    } else if (is_contained(valueOptions, name)) {
      if (!inlineValue.empty()) {
        args.values[name].push_back(inlineValue.str());
      } else {
        if (i + 1 >= argv.size())
          return makeError("option --" + name + " needs a value");
        args.values[name].push_back(argv[++i]);
      }
    } else {
      std::string known;
      for (StringRef o : valueOptions)
        known += " --" + o.str();
      for (StringRef f : flags)
        known += " --" + f.str();
      return makeError("unknown option '--" + name + "'; '" + command + "' takes" + known);
    }
  }
  std::string missing;
  for (StringRef name : required)
    if (!args.values.count(name))
      missing += (missing.empty() ? "--" : ", --") + name.str();
  if (!missing.empty())
    return makeError("missing required option " + missing);
  return args;
}

std::string Args::get(StringRef name, StringRef fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback.str() : it->second.back();
}

Expected<int64_t> Args::getPositive(StringRef name, int64_t fallback) const {
  std::string text = get(name, std::to_string(fallback));
  int64_t v;
  if (StringRef(text).getAsInteger(10, v) || v < 1)
    return makeError("--" + name + " takes a positive integer, got '" + text + "'");
  return v;
}

Expected<double> Args::getNumber(StringRef name, double fallback, double lo, double hi) const {
  if (!has(name))
    return fallback;
  double v;
  if (StringRef(get(name)).getAsDouble(v) || !(v >= lo && v <= hi))
    return makeError("--" + name + " needs a number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got '" + get(name) + "'");
  return v;
}

std::vector<std::string> Args::getAll(StringRef name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>() : it->second;
}

/// Runs `parse` with diagnostics captured; returns the first error with its
/// column in `text` (the parsed source may have a prefix of `prefixLen`).
template <typename T>
static Expected<T> captureParse(MLIRContext *ctx, StringRef what, StringRef text,
                                size_t prefixLen, llvm::function_ref<T()> parse) {
  std::string message;
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    if (!message.empty() || diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    message = diag.str();
    if (auto loc = dyn_cast<FileLineColLoc>(diag.getLocation())) {
      int64_t col = int64_t(loc.getColumn()) - int64_t(prefixLen);
      if (col >= 1)
        message = "column " + std::to_string(col) + ": " + message;
    }
    return success();
  });
  T result = parse();
  if (!result)
    return makeError(what + " '" + text + "': " +
                     (message.empty() ? std::string("could not be parsed") : message));
  return result;
}

Expected<qf::SchemeAttr> parseScheme(MLIRContext *ctx, StringRef text) {
  text = text.trim();
  size_t prefix = text.starts_with("#qf.scheme<") ? 0 : StringRef("#qf.scheme<").size();
  return captureParse<qf::SchemeAttr>(ctx, "scheme", text, prefix, [&] {
    return qf::parseSchemeString(ctx, text, [&] { return emitError(UnknownLoc::get(ctx)); });
  });
}

Expected<qf::QuantFormatAttrInterface> parseFormat(MLIRContext *ctx, StringRef text) {
  return captureParse<qf::QuantFormatAttrInterface>(ctx, "format", text, 0, [&] {
    Attribute attr = parseAttribute(text, ctx);
    auto format = dyn_cast_or_null<qf::QuantFormatAttrInterface>(attr);
    if (attr && !format)
      emitError(UnknownLoc::get(ctx)) << "not a format attribute (#qf.int, #qf.float, "
                                         "#qf.lut, #qf.ternary)";
    return format;
  });
}

Expected<qf::CpuTarget> parseCpuTarget(const Args &args) {
  Expected<qf::CpuTarget> cpu = args.has("cpu") ? qf::CpuTarget::named(args.get("cpu")) : qf::CpuTarget::host();
  if (!cpu || !args.has("vector-bits"))
    return cpu;
  Expected<int64_t> bits = args.getPositive("vector-bits", 0);
  if (!bits)
    return bits.takeError();
  if (Error err = cpu->setVectorBits(unsigned(*bits)))
    return makeError("--vector-bits: " + toString(std::move(err)));
  return cpu;
}

Expected<std::vector<int64_t>> parseShape(StringRef text) {
  std::vector<int64_t> shape;
  SmallVector<StringRef> parts;
  text.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t v;
    if (p.getAsInteger(10, v) || v <= 0)
      return makeError("bad shape '" + text + "': dimensions are positive integers joined by 'x'");
    shape.push_back(v);
  }
  return shape;
}

int reportError(StringRef command, Error err) {
  handleAllErrors(std::move(err), [&](const ErrorInfoBase &e) {
    WithColor::error(errs(), ("qforge " + command).str()) << e.message() << "\n";
  });
  return 1;
}

llvm::Error parseActHadamard(const Args &args, bool hasActScheme, int64_t &size, int64_t &seed) {
  std::string rotation = args.get("act-hadamard");
  if (rotation.empty())
    return llvm::Error::success();
  if (!hasActScheme)
    return makeError("--act-hadamard needs --act-scheme: the rotation runs in the activation quantizer");
  auto [sizeText, seedText] = llvm::StringRef(rotation).split(':');
  if (sizeText.getAsInteger(10, size) || size < 2 || (!seedText.empty() && seedText.getAsInteger(10, seed)))
    return makeError("--act-hadamard: expected SIZE or SIZE:SEED with integers, got '" + rotation + "'");
  return llvm::Error::success();
}

} // namespace qforge
