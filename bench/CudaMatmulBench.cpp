//===- CudaMatmulBench.cpp - `qforge bench matmul --device cuda` -----------===//
//
// The kernel runs on bf16 activations (W4A16-style) and writes bf16 results.
// Its weights rotate among copies that together exceed the L2 cache several
// times, so that every launch reads them from HBM. The copy probe and cuBLAS
// run in the same process, on the same stream, timed by CUDA events.
//===----------------------------------------------------------------------===//
#include "bench/CudaMatmulBench.h"
#include "bench/Probes.h"
#include "codegen/cuda/Package.h"
#include "qf/IR/Qf.h"
#include "qf/Reference/Quantizer.h"
#include "runtime/Package.h"

#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"

#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <random>

using namespace mlir;
using namespace mlir::qf;
namespace rt = qforge::runtime;

namespace {

/// bf16 bits of `v`, rounded to nearest even.
uint16_t toBf16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

/// Device buffers freed with their owner.
class DeviceBuffers {
public:
  explicit DeviceBuffers(rt::cuda::Device &d) : device(d) {}
  ~DeviceBuffers() {
    for (rt::cuda::DevicePtr p : owned)
      device.free(p);
  }
  llvm::Expected<rt::cuda::DevicePtr> alloc(size_t bytes, const void *init = nullptr) {
    rt::cuda::DevicePtr p = 0;
    std::string error;
    if (!device.alloc(bytes, p, error) || (init && !device.copyToDevice(p, init, bytes, error)) ||
        (!init && !device.fill(p, 0, bytes, error)))
      return llvm::createStringError(error);
    owned.push_back(p);
    return p;
  }

private:
  rt::cuda::Device &device;
  std::vector<rt::cuda::DevicePtr> owned;
};

/// cuBLAS, loaded with dlopen like the driver.
struct Cublas {
  void *handle = nullptr;
  int (*create)(void **) = nullptr;
  int (*destroy)(void *) = nullptr;
  int (*setStream)(void *, void *) = nullptr;
  int (*gemmEx)(void *, int, int, int, int, int, const void *, const void *, int, int,
                const void *, int, int, const void *, void *, int, int, int, int) = nullptr;

  /// Null with the reason when no cuBLAS loads.
  static std::unique_ptr<Cublas> open(void *stream, std::string &why) {
    void *lib = nullptr;
    for (const char *name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
        break;
    if (!lib) {
      why = "no cuBLAS (libcublas.so.13/.12) on the library path";
      return nullptr;
    }
    auto c = std::make_unique<Cublas>();
    c->create = reinterpret_cast<decltype(c->create)>(dlsym(lib, "cublasCreate_v2"));
    c->destroy = reinterpret_cast<decltype(c->destroy)>(dlsym(lib, "cublasDestroy_v2"));
    c->setStream = reinterpret_cast<decltype(c->setStream)>(dlsym(lib, "cublasSetStream_v2"));
    c->gemmEx = reinterpret_cast<decltype(c->gemmEx)>(dlsym(lib, "cublasGemmEx"));
    if (!c->create || !c->destroy || !c->setStream || !c->gemmEx || c->create(&c->handle) != 0 ||
        c->setStream(c->handle, stream) != 0) {
      why = "cuBLAS loaded but could not be initialized";
      return nullptr;
    }
    return c;
  }
  ~Cublas() {
    if (handle)
      destroy(handle);
  }
  /// Y[m, n] = A[m, k] W[n, k]^T in bf16 with f32 accumulation (column-major:
  /// Y^T = W A^T).
  bool gemm(int64_t m, int64_t n, int64_t k, rt::cuda::DevicePtr a, rt::cuda::DevicePtr w,
            rt::cuda::DevicePtr y) {
    constexpr int kBf16 = 14, kCompute32F = 68, kDefaultAlgo = -1, kOpN = 0, kOpT = 1;
    float alpha = 1, beta = 0;
    return gemmEx(handle, kOpT, kOpN, int(n), int(m), int(k), &alpha,
                  reinterpret_cast<void *>(w), kBf16, int(k), reinterpret_cast<void *>(a), kBf16,
                  int(k), &beta, reinterpret_cast<void *>(y), kBf16, int(n), kCompute32F,
                  kDefaultAlgo) == 0;
  }
};

/// The GPU's own architecture as a compile target.
std::string targetArch(const std::string &deviceArch) {
  if (deviceArch == "sm_90")
    return "sm_90a";
  if (deviceArch == "sm_89")
    return "sm_89";
  if (deviceArch.rfind("sm_8", 0) == 0)
    return "sm_80";
  return deviceArch;
}

} // namespace

llvm::Expected<qforge::bench::CudaMatmulBenchReport>
qforge::bench::runCudaMatmulBench(MLIRContext *ctx, const CudaMatmulBenchOptions &o) {
  DialectRegistry registry;
  cuda::registerCudaPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);
  auto *dialect = ctx->getOrLoadDialect<QfDialect>();
  auto scheme = dyn_cast_or_null<SchemeAttr>(dialect->lookupPreset(o.scheme));
  if (!scheme)
    return llvm::createStringError("unknown scheme preset '" + o.scheme + "'");
  if (o.m < 1 || o.n < 1 || o.k < 1 || o.repeats < 1)
    return llvm::createStringError("need m, n, k and repeats >= 1");
  std::string error;
  std::unique_ptr<rt::cuda::Device> probe = rt::cuda::Device::open(error);
  if (!probe)
    return llvm::createStringError("--device cuda: " + error);
  CudaMatmulBenchReport r;
  r.device = probe->name() + " (" + probe->arch() + ")";
  r.arch = o.arch.empty() ? targetArch(probe->arch()) : o.arch;
  llvm::Expected<cuda::CudaTarget> target = cuda::CudaTarget::named(r.arch);
  if (!target)
    return target.takeError();
  target->tensorCores = o.tensorCores;

  // The kernel package, compiled into a scratch directory.
  std::string q = "!qf.qtensor<" + std::to_string(o.n) + "x" + std::to_string(o.k) + ", " + o.scheme + ">";
  std::string a = "tensor<" + std::to_string(o.m) + "x" + std::to_string(o.k) + "xbf16>";
  std::string y = "tensor<" + std::to_string(o.m) + "x" + std::to_string(o.n) + "xbf16>";
  std::string source = "func.func @mm(%a: " + a + ", %w: " + q + ") -> " + y + " {\n  %y = qf.matmul %a, %w : " +
                       a + ", " + q + " -> " + y + "\n  return %y : " + y + "\n}\n";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, ctx);
  if (!module)
    return llvm::createStringError("internal error: the benchmark kernel does not parse");
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("qforge-bench-cuda", dir))
    return llvm::createStringError("scratch directory: " + ec.message());
  llvm::Error compiled = cuda::writeCudaPackage(*module, dir, *target);
  std::unique_ptr<rt::Package> package;
  if (!compiled)
    package = rt::Package::load(dir.str().str(), error);
  llvm::sys::fs::remove_directories(dir);
  if (compiled)
    return compiled;
  if (!package)
    return llvm::createStringError(error);
  rt::cuda::Device &device = *package->device();
  DeviceBuffers buffers(device);

  // Weights from the reference quantizer, in copies that together exceed
  // 256 MB (five H100 L2 caches); bf16 activations.
  std::mt19937 gen(42);
  std::normal_distribution<float> normal;
  std::vector<float> w(size_t(o.n) * o.k);
  for (float &v : w)
    v = normal(gen);
  auto quantized = quantize(scheme, {o.n, o.k}, w);
  if (!quantized)
    return quantized.takeError();
  std::vector<uint16_t> act(size_t(o.m) * o.k);
  for (uint16_t &v : act)
    v = toBf16(normal(gen));
  r.weightBytes = double(quantized->layout.totalBytes());
  r.movedBytes = r.weightBytes + 2.0 * o.m * (o.k + o.n);
  r.flops = 2.0 * o.m * o.n * o.k;
  size_t copies = size_t(std::max<double>(2, std::ceil(256e6 / r.weightBytes)));
  std::vector<std::vector<rt::cuda::DevicePtr>> weightCopies(copies);
  std::vector<size_t> argBytes{act.size() * 2}, resultBytes{size_t(o.m * o.n * 2)};
  for (const std::vector<uint8_t> &b : quantized->buffers)
    argBytes.push_back(b.size());
  for (std::vector<rt::cuda::DevicePtr> &copy : weightCopies)
    for (const std::vector<uint8_t> &b : quantized->buffers) {
      llvm::Expected<rt::cuda::DevicePtr> p = buffers.alloc(b.size(), b.data());
      if (!p)
        return p.takeError();
      copy.push_back(*p);
    }
  llvm::Expected<rt::cuda::DevicePtr> actPtr = buffers.alloc(argBytes[0], act.data());
  llvm::Expected<rt::cuda::DevicePtr> outPtr = buffers.alloc(resultBytes[0]);
  if (!actPtr)
    return actPtr.takeError();
  if (!outPtr)
    return outPtr.takeError();

  // One sample: `launches` consecutive launches over the copies in turn.
  size_t launches = std::max<size_t>(copies, 20);
  auto launchAll = [&](std::string &err) {
    for (size_t i = 0; i < launches; ++i) {
      std::vector<rt::cuda::DevicePtr> args{*actPtr};
      args.insert(args.end(), weightCopies[i % copies].begin(), weightCopies[i % copies].end());
      if (!package->launch("mm", args, argBytes, {*outPtr}, resultBytes, err))
        return false;
    }
    return true;
  };
  auto sample = [&](const std::function<bool(std::string &)> &body, size_t count,
                    double &seconds) -> llvm::Error {
    std::vector<double> samples;
    std::string err;
    if (!body(err) || !device.synchronize(err)) // warm-up
      return llvm::createStringError(err);
    for (int i = 0; i < o.repeats; ++i) {
      double ms = 0;
      if (!device.time(body, ms, err))
        return llvm::createStringError(err);
      samples.push_back(ms / 1e3 / double(count));
    }
    seconds = median(samples.data(), int(samples.size()));
    return llvm::Error::success();
  };
  if (llvm::Error err = sample(launchAll, launches, r.kernelSeconds))
    return err;

  // Copy bandwidth: 1 GiB device to device.
  constexpr size_t kCopyBytes = size_t(1) << 30;
  llvm::Expected<rt::cuda::DevicePtr> src = buffers.alloc(kCopyBytes), dst = buffers.alloc(kCopyBytes);
  if (!src)
    return src.takeError();
  if (!dst)
    return dst.takeError();
  double copySeconds = 0;
  if (llvm::Error err = sample(
          [&](std::string &e) { return device.copyOnDevice(*dst, *src, kCopyBytes, e); }, 1,
          copySeconds))
    return err;
  r.copyGBs = 2.0 * kCopyBytes / copySeconds / 1e9;

  // cuBLAS on dense bf16 weights of the same shape.
  std::string why;
  std::unique_ptr<Cublas> cublas = Cublas::open(device.stream(), why);
  if (!cublas) {
    r.cublasNote = why;
    return r;
  }
  std::vector<uint16_t> dense(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    dense[i] = toBf16(w[i]);
  llvm::Expected<rt::cuda::DevicePtr> densePtr = buffers.alloc(dense.size() * 2, dense.data());
  if (!densePtr)
    return densePtr.takeError();
  constexpr size_t kGemms = 20;
  if (llvm::Error err = sample(
          [&](std::string &e) {
            for (size_t i = 0; i < kGemms; ++i)
              if (!cublas->gemm(o.m, o.n, o.k, *actPtr, *densePtr, *outPtr)) {
                e = "cublasGemmEx failed";
                return false;
              }
            return true;
          },
          kGemms, r.cublasSeconds))
    return err;
  return r;
}
