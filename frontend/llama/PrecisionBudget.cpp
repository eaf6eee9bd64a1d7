//===- PrecisionBudget.cpp - Per-layer schemes under a bits budget ---------===//
#include "frontend/llama/PrecisionBudget.h"
#include "frontend/llama/LlamaGraph.h"
#include "frontend/policy/BitsBudget.h"

#include "qf/IR/Presets.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <mutex>
#include <thread>

using namespace qforge;
using namespace qforge::llama;

/// One glob naming exactly `parts`: "blk.3.attn_{q,k,v}.weight".
static std::string patternOf(const std::vector<std::string> &parts) {
  if (parts.size() == 1)
    return parts[0];
  llvm::StringRef first = parts[0];
  size_t prefix = first.size(), suffix = first.size();
  for (llvm::StringRef p : parts) {
    size_t i = 0;
    while (i < prefix && i < p.size() && p[i] == first[i])
      ++i;
    prefix = i;
    size_t j = 0;
    while (j < suffix && j < p.size() && p[p.size() - 1 - j] == first[first.size() - 1 - j])
      ++j;
    suffix = j;
  }
  std::string middle;
  for (llvm::StringRef p : parts)
    middle += (middle.empty() ? "" : ",") + p.drop_front(prefix).drop_back(suffix).str();
  return first.take_front(prefix).str() + "{" + middle + "}" + first.take_back(suffix).str();
}

llvm::Expected<std::string> qforge::llama::choosePrecisionPolicy(const gguf::GgufFile &file,
                                                                 mlir::MLIRContext *ctx,
                                                                 const PrecisionBudget &budget) {
  std::vector<mlir::qf::SchemeAttr> schemes;
  for (const std::string &name : budget.candidates) {
    mlir::qf::SchemeAttr s = mlir::qf::getPreset(ctx, name);
    if (!s)
      return llvm::createStringError("unknown candidate scheme '" + name +
                       "' (`qforge schemes --list` names the presets)");
    schemes.push_back(s);
  }
  const gguf::Value *blocks = file.find("llama.block_count");
  std::optional<uint64_t> layers = blocks ? blocks->asUnsigned() : std::nullopt;
  if (!layers)
    return llvm::createStringError("metadata key 'llama.block_count' is missing or not an integer");

  struct Group {
    TensorGroup tensors;
    std::vector<int64_t> shape;
  };
  std::vector<Group> groups;
  for (TensorGroup &g : llamaTensorGroups(int64_t(*layers), file.findTensor("output.weight"))) {
    const gguf::TensorInfo *info = file.findTensor(g.parts[0]);
    if (g.stacked == "token_embd.weight" || !info || info->dims.size() != 2)
      continue; // the embedding keeps its encoding; norms are vectors
    std::vector<int64_t> shape = {0, int64_t(info->dims[0])};
    for (const std::string &part : g.parts) {
      const gguf::TensorInfo *p = file.findTensor(part);
      if (!p || p->dims.size() != 2 || int64_t(p->dims[0]) != shape[1])
        return llvm::createStringError("tensor '" + part + "' is missing or not a matrix as wide as '" +
                         g.parts[0] + "'");
      shape[0] += int64_t(p->dims[1]);
    }
    groups.push_back({std::move(g), std::move(shape)});
  }

  // Every group under every candidate; the reference quantizer on all cores.
  std::vector<policy::BudgetUnit> units(groups.size());
  std::vector<llvm::Error> errors;
  for (size_t i = 0; i < groups.size(); ++i)
    errors.push_back(llvm::Error::success());
  std::atomic<size_t> next{0};
  size_t done = 0; // under progressLock
  std::mutex progressLock;
  auto work = [&] {
    for (size_t i; (i = next++) < groups.size();) {
      const Group &g = groups[i];
      policy::BudgetUnit &unit = units[i];
      unit.pattern = patternOf(g.tensors.parts);
      unit.weights = g.shape[0] * g.shape[1];
      std::vector<float> values;
      for (const std::string &part : g.tensors.parts) {
        llvm::Expected<std::vector<float>> decoded = decodeMatrix(file, ctx, part);
        if (!decoded) {
          errors[i] = decoded.takeError();
          break;
        }
        values.insert(values.end(), decoded->begin(), decoded->end());
      }
      if (errors[i])
        continue;
      llvm::ArrayRef<float> squares;
      if (budget.squares)
        for (const std::string &name : {g.tensors.stacked, g.tensors.parts[0]})
          if (auto it = budget.squares->find(name); it != budget.squares->end()) {
            squares = it->second;
            break;
          }
      for (auto [name, scheme] : llvm::zip(budget.candidates, schemes)) {
        llvm::Expected<double> bits = policy::bitsPerWeight(scheme, g.shape);
        if (!bits) {
          llvm::consumeError(bits.takeError()); // the scheme does not fit this shape
          continue;
        }
        llvm::Expected<double> error = policy::quantizationError(scheme, g.shape, values, squares);
        if (!error) {
          errors[i] = error.takeError();
          break;
        }
        unit.candidates.push_back({name, *bits, *error});
      }
      if (!errors[i] && unit.candidates.empty())
        errors[i] = llvm::createStringError("no candidate scheme fits '" + g.tensors.stacked + "' [" +
                              llvm::Twine(g.shape[0]) + "x" + llvm::Twine(g.shape[1]) + "]");
      std::lock_guard<std::mutex> lock(progressLock);
      if (budget.progress && (++done % 10 == 0 || done == groups.size()))
        budget.progress("sensitivity of " + std::to_string(done) + " of " +
                        std::to_string(groups.size()) + " matrix groups measured");
    }
  };
  {
    std::vector<std::thread> team;
    for (unsigned t = 1; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
      team.emplace_back(work);
    work();
    for (std::thread &t : team)
      t.join();
  }
  for (llvm::Error &err : errors)
    if (err)
      return std::move(err);

  llvm::Expected<policy::BudgetChoice> choice =
      policy::chooseUnderBudget(units, budget.bitsPerWeight, budget.option);
  if (!choice)
    return choice.takeError();
  std::string header;
  llvm::raw_string_ostream os(header);
  os << "Chosen by qforge compile " << budget.option << " "
     << llvm::format("%g", budget.bitsPerWeight) << ": " << llvm::format("%.4f", choice->bitsPerWeight)
     << " bits per weight, summed "
     << (budget.squares ? "activation-weighted" : "(unweighted)")
     << " squared error " << llvm::format("%.6g", choice->error) << ".\n"
     << "Candidates: " << llvm::join(budget.candidates, ", ") << ".";
  if (budget.progress)
    budget.progress(llvm::formatv("{0:f4} bits per weight chosen for a budget of {1}",
                                  choice->bitsPerWeight, budget.bitsPerWeight)
                        .str());
  return policy::writePolicy(units, *choice, header);
}
