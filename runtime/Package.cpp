//===- Package.cpp - A loaded compiled package -----------------------------===//
#include "runtime/Package.h"
#include "runtime/qforge_runtime.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>

using namespace qforge::runtime;

std::string qforge::runtime::entrySymbol(const std::string &name) { return "qf_entry_" + name; }

namespace {
/// The axis along which `block` is one of `blocks` equal parts of `whole`
/// (the one axis where they differ), or -1.
int splitAxis(const Operand &whole, const Operand &block, int64_t blocks, int64_t extent) {
  if (whole.shape.size() != block.shape.size())
    return -1;
  int axis = -1;
  for (size_t d = 0; d < whole.shape.size(); ++d)
    if (whole.shape[d] != block.shape[d]) {
      if (axis != -1 || block.shape[d] != extent || extent * blocks != whole.shape[d])
        return -1;
      axis = int(d);
    }
  return axis;
}

std::string manifestPathIn(const std::string &dir) { return dir + "/manifest.txt"; }
} // namespace

bool Package::readManifest(const std::string &dir, Manifest &manifest, std::string &error) {
  std::string manifestPath = manifestPathIn(dir), text;
  if (!readTextFile(manifestPath, text, error)) {
    error += " (not a qforge package directory?)";
    return false;
  }
  if (!Manifest::parse(text, manifest, error)) {
    error = manifestPath + ": " + error;
    return false;
  }
  return true;
}

std::unique_ptr<Package> Package::load(const std::string &dir, std::string &error) {
  Manifest manifest;
  if (!readManifest(dir, manifest, error))
    return nullptr;
  return load(dir, std::move(manifest), error);
}

std::unique_ptr<Package> Package::load(const std::string &dir, Manifest manifest, std::string &error) {
  std::unique_ptr<Package> p(new Package());
  p->manifest_ = std::move(manifest);
  std::string manifestPath = manifestPathIn(dir);
  if (p->manifest_.forCuda())
    return p->loadCuda(dir, error) ? std::move(p) : nullptr;
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
    p->entries_[e.name] = {&e, reinterpret_cast<EntryFn>(fn), nullptr};
  }
  for (const EntryPoint &e : p->manifest_.entries) {
    const EntryPoint *block = e.split.blocks ? p->manifest_.find(e.split.blockEntry) : nullptr;
    if (e.split.blocks && (!block || block->args.size() != e.args.size() ||
                           block->results.size() != e.results.size())) {
      error = manifestPath + ": entry '" + e.name + "' splits into '" + e.split.blockEntry +
              "', which is not an entry with the same operands";
      return nullptr;
    }
    for (size_t i = 0; block && i < e.results.size(); ++i)
      if (splitAxis(e.results[i], block->results[i], e.split.blocks,
                    e.split.resultBlockExtents[i]) < 0) {
        error = manifestPath + ": entry '" + e.name + "': result " + std::to_string(i) +
                " of block entry '" + e.split.blockEntry + "' is not one of " +
                std::to_string(e.split.blocks) + " equal parts of it along one axis";
        return nullptr;
      }
  }
  return p;
}

Package::~Package() {
  if (library_)
    dlclose(library_);
}

const Package::Loaded *Package::find(const std::string &entry, std::string &error) const {
  auto found = entries_.find(entry);
  if (found != entries_.end())
    return &found->second;
  error = "no entry point '" + entry + "'; the package has:";
  for (const EntryPoint &x : manifest_.entries)
    error += " " + x.name;
  return nullptr;
}

bool Package::checkSizes(const EntryPoint &e, const std::vector<size_t> &argBytes,
                         const std::vector<size_t> &resultBytes, std::string &error) const {
  thread_local std::vector<int64_t> shape;
  auto check = [&](const char *what, const std::vector<Operand> &want,
                   const std::vector<size_t> &have) {
    if (want.size() != have.size()) {
      error = e.name + ": expected " + std::to_string(want.size()) + " " + what + "s, got " +
              std::to_string(have.size());
      return false;
    }
    for (size_t i = 0; i < want.size(); ++i)
      if (!want[i].shapeFor(have[i], shape)) {
        error = e.name + ": " + what + " " + std::to_string(i) + " (" + want[i].name +
                ") needs " + std::to_string(want[i].bytes()) + " bytes" +
                (want[i].isDynamic() ? " times its dynamic extent" : "") + ", got " +
                std::to_string(have[i]);
        return false;
      }
    return true;
  };
  return check("argument", e.args, argBytes) && check("result", e.results, resultBytes);
}

bool Package::run(const std::string &entry, const std::vector<Buffer> &args,
                  const std::vector<Buffer> &results, std::string &error) const {
  const Loaded *found = find(entry, error);
  if (!found)
    return false;
  const EntryPoint *e = found->entry;
  thread_local std::vector<size_t> argBytes, resultBytes;
  argBytes.clear();
  resultBytes.clear();
  for (const std::vector<Buffer> *buffers : {&args, &results})
    for (const Buffer &b : *buffers) {
      if (!b.data) {
        error = entry + ": a null buffer";
        return false;
      }
      (buffers == &args ? argBytes : resultBytes).push_back(b.bytes);
    }
  if (!checkSizes(*e, argBytes, resultBytes, error))
    return false;
  if (device_)
    return runOnDevice(*e, args, results, error);
  if (threads_ > 1 && e->split.blocks > 1)
    runBlocks(*e, args, results);
  else
    call(*e, found->fn, args, results);
  return true;
}

void Package::runBlocks(const EntryPoint &e, const std::vector<Buffer> &args,
                        const std::vector<Buffer> &results) const {
  const Split &split = e.split;
  const EntryPoint &block = *manifest_.find(split.blockEntry);
  EntryFn fn = entries_.at(split.blockEntry).fn;
  int threads = int(std::min<int64_t>(threads_, split.blocks));
  // A result block is `outer` runs of `inner` bytes, run r at r * stride
  // + b * inner of the whole result; one run is written in place, several
  // go through a scratch block.
  struct Layout {
    int64_t outer = 1, inner, stride;
  };
  std::vector<Layout> layouts;
  for (size_t i = 0; i < results.size(); ++i) {
    const Operand &whole = e.results[i];
    int axis = splitAxis(whole, block.results[i], split.blocks, split.resultBlockExtents[i]);
    Layout l;
    for (int d = 0; d < axis; ++d)
      l.outer *= whole.shape[size_t(d)];
    l.inner = block.results[i].bytes() / l.outer;
    l.stride = whole.bytes() / l.outer;
    layouts.push_back(l);
  }
  // Thread t runs the consecutive blocks [t * blocks / threads, (t + 1) * ...).
  std::function<void(int)> work = [&](int t) {
    if (t >= threads)
      return;
    std::vector<std::vector<char>> scratch(results.size());
    std::vector<Buffer> blockArgs, blockResults;
    for (int64_t b = t * split.blocks / threads; b < (t + 1) * split.blocks / threads; ++b) {
      blockArgs.clear();
      blockResults.clear();
      for (size_t i = 0; i < args.size(); ++i) {
        int64_t bytes = split.argBlockBytes[i];
        blockArgs.push_back(bytes ? Buffer{static_cast<char *>(args[i].data) + b * bytes, size_t(bytes)}
                                  : args[i]);
      }
      for (size_t i = 0; i < results.size(); ++i) {
        const Layout &l = layouts[i];
        if (l.outer == 1) {
          blockResults.push_back({static_cast<char *>(results[i].data) + b * l.inner, size_t(l.inner)});
        } else {
          scratch[i].resize(size_t(l.outer * l.inner));
          blockResults.push_back({scratch[i].data(), scratch[i].size()});
        }
      }
      call(block, fn, blockArgs, blockResults);
      for (size_t i = 0; i < results.size(); ++i) {
        const Layout &l = layouts[i];
        for (int64_t r = 0; !scratch[i].empty() && r < l.outer; ++r)
          std::memcpy(static_cast<char *>(results[i].data) + r * l.stride + b * l.inner,
                      scratch[i].data() + r * l.inner, size_t(l.inner));
      }
    }
  };
  std::lock_guard<std::mutex> lock(teamMutex_);
  team_->run([](int t, void *w) { (*static_cast<std::function<void(int)> *>(w))(t); }, &work);
}

void Package::parallelFor(int64_t n,
                          const std::function<void(int64_t, int64_t)> &body) const {
  int threads = int(std::min<int64_t>(threads_, n));
  if (threads <= 1) {
    if (n > 0)
      body(0, n);
    return;
  }
  std::function<void(int)> work = [&](int t) {
    if (t < threads)
      body(t * n / threads, (t + 1) * n / threads);
  };
  std::lock_guard<std::mutex> lock(teamMutex_);
  team_->run([](int t, void *w) { (*static_cast<std::function<void(int)> *>(w))(t); }, &work);
}

void Package::setThreads(int threads) {
  threads_ = threads < 1 ? 1 : threads;
  std::lock_guard<std::mutex> lock(teamMutex_);
  team_ = threads_ > 1 ? std::make_unique<ThreadTeam>(threads_) : nullptr;
}

void Package::call(const EntryPoint &e, EntryFn fn, const std::vector<Buffer> &args,
                   const std::vector<Buffer> &results) {
  // Ranked memref descriptors, {allocated, aligned, offset, sizes[r],
  // strides[r]} with pointers as 64-bit words, in storage reused across
  // calls: a model's decode step makes thousands of calls.
  thread_local std::vector<int64_t> words;
  thread_local std::vector<void *> pointers;
  thread_local std::vector<size_t> starts;
  words.clear();
  starts.clear();
  auto describe = [&](void *data, const int64_t *shape, size_t rank) {
    starts.push_back(words.size());
    words.insert(words.end(), {int64_t(reinterpret_cast<intptr_t>(data)),
                               int64_t(reinterpret_cast<intptr_t>(data)), 0});
    words.insert(words.end(), shape, shape + rank);
    int64_t stride = 1;
    words.resize(words.size() + rank);
    for (size_t i = rank; i-- > 0; stride *= shape[i])
      words[words.size() - rank + i] = stride;
  };
  thread_local std::vector<int64_t> shape;
  for (size_t i = 0; i < args.size(); ++i) {
    const Operand &op = e.args[i];
    int64_t bytes = op.bytes();
    if (op.kind == "buffer") {
      describe(args[i].data, &bytes, 1);
    } else if (op.isDynamic()) {
      op.shapeFor(args[i].bytes, shape);
      describe(args[i].data, shape.data(), shape.size());
    } else {
      describe(args[i].data, op.shape.data(), op.shape.size());
    }
  }
  for (size_t i = 0; i < results.size(); ++i)
    describe(results[i].data, e.results[i].shape.data(), e.results[i].shape.size());
  pointers.clear();
  for (size_t start : starts)
    pointers.push_back(words.data() + start);
  fn(pointers.data());
}

//===----------------------------------------------------------------------===//
// CUDA packages
//===----------------------------------------------------------------------===//

bool Package::loadCuda(const std::string &dir, std::string &error) {
  std::string libraryPath = dir + "/" + manifest_.library, image;
  if (!readTextFile(libraryPath, image, error))
    return false;
  std::string why;
  device_ = cuda::Device::open(why);
  if (!device_) {
    error = dir + ": holds CUDA kernels for " + manifest_.cpu + ", but " + why;
    return false;
  }
  if (!device_->loadModule(image, module_, why)) {
    error = libraryPath + " (" + manifest_.cpu + ") does not load on " + device_->name() + " (" +
            device_->arch() + "): " + why + " (compile the package with an --arch that this GPU runs)";
    return false;
  }
  for (const EntryPoint &e : manifest_.entries) {
    if (!e.launch.threads) {
      error = dir + "/manifest.txt: CUDA entry '" + e.name + "' has no 'launch' line";
      return false;
    }
    void *kernel = nullptr;
    if (!device_->getKernel(*module_, e.launch.kernel, kernel, why)) {
      error = libraryPath + ": " + why + " (truncated or mismatched package)";
      return false;
    }
    entries_[e.name] = {&e, nullptr, kernel};
  }
  return true;
}

bool Package::launch(const std::string &entry, const std::vector<cuda::DevicePtr> &args,
                     const std::vector<size_t> &argBytes, const std::vector<cuda::DevicePtr> &results,
                     const std::vector<size_t> &resultBytes, std::string &error) const {
  const Loaded *found = find(entry, error);
  if (!found)
    return false;
  if (!device_) {
    error = entry + ": not a CUDA package";
    return false;
  }
  const EntryPoint &e = *found->entry;
  if (!checkSizes(e, argBytes, resultBytes, error))
    return false;
  if (e.results.size() != 1) {
    error = entry + ": a kernel launch computes one result";
    return false;
  }
  // Each operand is a rank-1 memref descriptor: allocated and aligned
  // pointer, offset, size, stride.
  struct Descriptor {
    cuda::DevicePtr allocated, aligned;
    int64_t offset, size, stride;
  };
  std::vector<Descriptor> descriptors;
  auto describe = [&](cuda::DevicePtr ptr, size_t bytes, const Operand &op) {
    descriptors.push_back({ptr, ptr, 0, int64_t(bytes) / dtypeBytes(op.dtype), 1});
  };
  for (size_t i = 0; i < args.size(); ++i)
    describe(args[i], argBytes[i], e.args[i]);
  describe(results[0], resultBytes[0], e.results[0]);
  std::vector<void *> params;
  for (Descriptor &d : descriptors)
    for (void *field : {(void *)&d.allocated, (void *)&d.aligned, (void *)&d.offset,
                        (void *)&d.size, (void *)&d.stride})
      params.push_back(field);
  const Operand &out = e.results[0];
  int64_t columns = out.shape.empty() ? 1 : out.shape.back();
  int64_t rows = out.numElements() / columns;
  auto blocks = [](int64_t n, int64_t per) { return unsigned((n + per - 1) / per); };
  return device_->launch(found->kernel, blocks(columns, e.launch.rowsPerBlock),
                         blocks(rows, e.launch.tokensPerBlock), unsigned(e.launch.threads), params,
                         error);
}

bool Package::runOnDevice(const EntryPoint &e, const std::vector<Buffer> &args,
                          const std::vector<Buffer> &results, std::string &error) const {
  std::vector<cuda::DevicePtr> owned, deviceArgs, deviceResults;
  std::vector<size_t> argBytes, resultBytes;
  auto place = [&](const std::vector<Buffer> &host, std::vector<cuda::DevicePtr> &ptrs,
                   std::vector<size_t> &bytes, bool copy) {
    for (const Buffer &b : host) {
      cuda::DevicePtr p = 0;
      if (!device_->alloc(b.bytes, p, error))
        return false;
      owned.push_back(p);
      ptrs.push_back(p);
      bytes.push_back(b.bytes);
      if (copy && !device_->copyToDevice(p, b.data, b.bytes, error))
        return false;
    }
    return true;
  };
  bool ok = place(args, deviceArgs, argBytes, true) && place(results, deviceResults, resultBytes, false) &&
            launch(e.name, deviceArgs, argBytes, deviceResults, resultBytes, error) &&
            device_->synchronize(error);
  for (size_t i = 0; ok && i < results.size(); ++i)
    ok = device_->copyToHost(results[i].data, deviceResults[i], results[i].bytes, error);
  for (cuda::DevicePtr p : owned)
    device_->free(p);
  return ok;
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

extern "C" int qf_package_set_threads(qf_package *package, int threads) {
  if (!package || threads < 1)
    return 1;
  package->impl->setThreads(threads);
  return 0;
}

extern "C" void qf_free_error(char *error) { free(error); }
