//===- Package.cpp - A loaded compiled package -----------------------------===//
#include "runtime/Package.h"
#include "runtime/qforge_runtime.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <sstream>

using namespace qforge::runtime;

std::string qforge::runtime::entrySymbol(const std::string &name) { return "qf_entry_" + name; }

std::unique_ptr<Package> Package::load(const std::string &dir, std::string &error) {
  std::string manifestPath = dir + "/manifest.txt";
  std::ifstream in(manifestPath);
  if (!in) {
    error = manifestPath + ": cannot open (not a qforge package directory?)";
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::unique_ptr<Package> p(new Package());
  if (!Manifest::parse(text.str(), p->manifest_, error)) {
    error = manifestPath + ": " + error;
    return nullptr;
  }
  std::string missing;
  for (const std::string &f : p->manifest_.features)
    if (!hostHasCpuFeature(f))
      missing += " " + f;
  if (!missing.empty()) {
    error = dir + ": compiled for " + p->manifest_.cpu + "; this CPU lacks" + missing +
            " (recompile the package on this machine)";
    return nullptr;
  }
  std::string libraryPath = dir + "/" + p->manifest_.library;
  p->library_ = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!p->library_) {
    error = libraryPath + ": " + dlerror();
    return nullptr;
  }
  for (const EntryPoint &e : p->manifest_.entries) {
    void *fn = dlsym(p->library_, entrySymbol(e.name).c_str());
    if (!fn) {
      error = libraryPath + ": no symbol " + entrySymbol(e.name) + " for entry '" + e.name +
              "' (truncated or mismatched package)";
      return nullptr;
    }
    p->functions_[e.name] = reinterpret_cast<EntryFn>(fn);
  }
  return p;
}

Package::~Package() {
  if (library_)
    dlclose(library_);
}

namespace {
/// A ranked memref descriptor: {allocated, aligned, offset, sizes[r], strides[r]},
/// pointers stored as 64-bit words.
std::vector<int64_t> describe(void *data, const std::vector<int64_t> &shape) {
  std::vector<int64_t> d = {int64_t(reinterpret_cast<intptr_t>(data)),
                            int64_t(reinterpret_cast<intptr_t>(data)), 0};
  d.insert(d.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  d.insert(d.end(), strides.begin(), strides.end());
  return d;
}
} // namespace

bool Package::run(const std::string &entry, const std::vector<Buffer> &args,
                  const std::vector<Buffer> &results, std::string &error) const {
  const EntryPoint *e = manifest_.find(entry);
  if (!e) {
    error = "no entry point '" + entry + "'; the package has:";
    for (const EntryPoint &x : manifest_.entries)
      error += " " + x.name;
    return false;
  }
  auto check = [&](const char *what, const std::vector<Operand> &want,
                   const std::vector<Buffer> &have) {
    if (want.size() != have.size()) {
      error = entry + ": expected " + std::to_string(want.size()) + " " + what + "s, got " +
              std::to_string(have.size());
      return false;
    }
    for (size_t i = 0; i < want.size(); ++i)
      if (int64_t(have[i].bytes) != want[i].bytes() || !have[i].data) {
        error = entry + ": " + what + " " + std::to_string(i) + " (" + want[i].name +
                ") needs " + std::to_string(want[i].bytes()) + " bytes, got " +
                std::to_string(have[i].bytes);
        return false;
      }
    return true;
  };
  if (!check("argument", e->args, args) || !check("result", e->results, results))
    return false;
  std::vector<std::vector<int64_t>> descriptors;
  for (size_t i = 0; i < args.size(); ++i)
    descriptors.push_back(describe(args[i].data, e->args[i].kind == "buffer"
                                                     ? std::vector<int64_t>{e->args[i].bytes()}
                                                     : e->args[i].shape));
  for (size_t i = 0; i < results.size(); ++i)
    descriptors.push_back(describe(results[i].data, e->results[i].shape));
  std::vector<void *> pointers;
  for (std::vector<int64_t> &d : descriptors)
    pointers.push_back(d.data());
  functions_.at(entry)(pointers.data());
  return true;
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

struct qf_package {
  std::unique_ptr<Package> impl;
};

static void setError(char **error, const std::string &message) {
  if (error)
    *error = strdup(message.c_str());
}

extern "C" qf_package *qf_package_load(const char *dir, char **error) {
  std::string message;
  std::unique_ptr<Package> p = Package::load(dir ? dir : "", message);
  if (!p) {
    setError(error, message);
    return nullptr;
  }
  return new qf_package{std::move(p)};
}

extern "C" void qf_package_free(qf_package *package) { delete package; }

extern "C" int qf_package_run(qf_package *package, const char *entry, size_t num_args,
                              void *const *args, const size_t *arg_bytes, size_t num_results,
                              void *const *results, const size_t *result_bytes, char **error) {
  if (!package || !entry) {
    setError(error, "qf_package_run: null package or entry");
    return 1;
  }
  std::vector<Buffer> a, r;
  for (size_t i = 0; i < num_args; ++i)
    a.push_back({args[i], arg_bytes[i]});
  for (size_t i = 0; i < num_results; ++i)
    r.push_back({results[i], result_bytes[i]});
  std::string message;
  if (!package->impl->run(entry, a, r, message)) {
    setError(error, message);
    return 1;
  }
  return 0;
}

extern "C" void qf_free_error(char *error) { free(error); }
