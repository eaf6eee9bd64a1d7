//===- CudaDevice.cpp - The CUDA driver API, loaded at run time ------------===//
#include "runtime/CudaDevice.h"

#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <type_traits>

using namespace qforge::runtime::cuda;

namespace qforge::runtime::cuda {

/// The driver entry points the runtime calls (their CUDA 12/13 ABI names).
struct Api {
  using Handle = void *;
  int (*cuInit)(unsigned);
  int (*cuDeviceGetCount)(int *);
  int (*cuDeviceGet)(int *, int);
  int (*cuDeviceGetName)(char *, int, int);
  int (*cuDeviceGetAttribute)(int *, int, int);
  int (*cuDevicePrimaryCtxRetain)(Handle *, int);
  int (*cuDevicePrimaryCtxRelease)(int);
  int (*cuCtxSetCurrent)(Handle);
  int (*cuStreamCreate)(Handle *, unsigned);
  int (*cuStreamDestroy)(Handle);
  int (*cuStreamSynchronize)(Handle);
  int (*cuModuleLoadDataEx)(Handle *, const void *, unsigned, int *, void **);
  int (*cuModuleUnload)(Handle);
  int (*cuModuleGetFunction)(Handle *, Handle, const char *);
  int (*cuMemAlloc)(DevicePtr *, size_t);
  int (*cuMemFree)(DevicePtr);
  int (*cuMemcpyHtoD)(DevicePtr, const void *, size_t);
  int (*cuMemcpyDtoH)(void *, DevicePtr, size_t);
  int (*cuMemcpyDtoDAsync)(DevicePtr, DevicePtr, size_t, Handle);
  int (*cuMemsetD8)(DevicePtr, unsigned char, size_t);
  int (*cuLaunchKernel)(Handle, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                        unsigned, Handle, void **, void **);
  int (*cuEventCreate)(Handle *, unsigned);
  int (*cuEventRecord)(Handle, Handle);
  int (*cuEventSynchronize)(Handle);
  int (*cuEventElapsedTime)(float *, Handle, Handle);
  int (*cuEventDestroy)(Handle);
  int (*cuGetErrorName)(int, const char **);
  int (*cuGetErrorString)(int, const char **);
};

struct Device::Module {
  const Api *api;
  void *module = nullptr;
  ~Module() {
    if (module)
      api->cuModuleUnload(module);
  }
};

} // namespace qforge::runtime::cuda

namespace {

/// The driver, opened once per process; null with the reason otherwise.
const Api *loadApi(std::string &error) {
  static Api api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      failure = std::string("the CUDA driver (libcuda.so.1) could not be loaded: ") + dlerror() +
                " (no NVIDIA driver on this machine?)";
      return;
    }
    auto bind = [&](auto &fn, const char *symbol) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, symbol));
      if (!fn && failure.empty())
        failure = std::string("the CUDA driver lacks ") + symbol + " (driver too old?)";
    };
    bind(api.cuInit, "cuInit");
    bind(api.cuDeviceGetCount, "cuDeviceGetCount");
    bind(api.cuDeviceGet, "cuDeviceGet");
    bind(api.cuDeviceGetName, "cuDeviceGetName");
    bind(api.cuDeviceGetAttribute, "cuDeviceGetAttribute");
    bind(api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(api.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
    bind(api.cuCtxSetCurrent, "cuCtxSetCurrent");
    bind(api.cuStreamCreate, "cuStreamCreate");
    bind(api.cuStreamDestroy, "cuStreamDestroy_v2");
    bind(api.cuStreamSynchronize, "cuStreamSynchronize");
    bind(api.cuModuleLoadDataEx, "cuModuleLoadDataEx");
    bind(api.cuModuleUnload, "cuModuleUnload");
    bind(api.cuModuleGetFunction, "cuModuleGetFunction");
    bind(api.cuMemAlloc, "cuMemAlloc_v2");
    bind(api.cuMemFree, "cuMemFree_v2");
    bind(api.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    bind(api.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    bind(api.cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
    bind(api.cuMemsetD8, "cuMemsetD8_v2");
    bind(api.cuLaunchKernel, "cuLaunchKernel");
    bind(api.cuEventCreate, "cuEventCreate");
    bind(api.cuEventRecord, "cuEventRecord");
    bind(api.cuEventSynchronize, "cuEventSynchronize");
    bind(api.cuEventElapsedTime, "cuEventElapsedTime");
    bind(api.cuEventDestroy, "cuEventDestroy_v2");
    bind(api.cuGetErrorName, "cuGetErrorName");
    bind(api.cuGetErrorString, "cuGetErrorString");
  });
  if (!failure.empty()) {
    error = failure;
    return nullptr;
  }
  return &api;
}

// CUdevice_attribute values.
constexpr int kMultiprocessorCount = 16;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;

} // namespace

bool Device::check(int result, const char *call, std::string &error) const {
  if (result == 0)
    return true;
  const char *name = nullptr, *text = nullptr;
  api_->cuGetErrorName(result, &name);
  api_->cuGetErrorString(result, &text);
  error = std::string(call) + " failed: " + (name ? name : "error " + std::to_string(result)) +
          (text ? std::string(" (") + text + ")" : "");
  return false;
}

std::unique_ptr<Device> Device::open(std::string &error) {
  const Api *api = loadApi(error);
  if (!api)
    return nullptr;
  std::unique_ptr<Device> d(new Device());
  d->api_ = api;
  int ordinal = 0, count = 0;
  if (const char *env = std::getenv("QFORGE_CUDA_DEVICE"))
    ordinal = std::atoi(env);
  if (!d->check(api->cuInit(0), "cuInit", error) ||
      !d->check(api->cuDeviceGetCount(&count), "cuDeviceGetCount", error))
    return nullptr;
  if (ordinal < 0 || ordinal >= count) {
    error = "no CUDA device " + std::to_string(ordinal) + " (" + std::to_string(count) +
            " visible)";
    return nullptr;
  }
  char name[256] = {};
  if (!d->check(api->cuDeviceGet(&d->device_, ordinal), "cuDeviceGet", error) ||
      !d->check(api->cuDeviceGetName(name, sizeof name - 1, d->device_), "cuDeviceGetName", error) ||
      !d->check(api->cuDeviceGetAttribute(&d->major_, kComputeCapabilityMajor, d->device_),
                "cuDeviceGetAttribute", error) ||
      !d->check(api->cuDeviceGetAttribute(&d->minor_, kComputeCapabilityMinor, d->device_),
                "cuDeviceGetAttribute", error) ||
      !d->check(api->cuDeviceGetAttribute(&d->multiprocessors_, kMultiprocessorCount, d->device_),
                "cuDeviceGetAttribute", error) ||
      !d->check(api->cuDevicePrimaryCtxRetain(&d->context_, d->device_), "cuDevicePrimaryCtxRetain",
                error) ||
      !d->check(api->cuCtxSetCurrent(d->context_), "cuCtxSetCurrent", error) ||
      !d->check(api->cuStreamCreate(&d->stream_, 0), "cuStreamCreate", error))
    return nullptr;
  d->name_ = name;
  return d;
}

Device::~Device() {
  if (!api_)
    return;
  if (stream_)
    api_->cuStreamDestroy(stream_);
  if (context_)
    api_->cuDevicePrimaryCtxRelease(device_);
}

std::string Device::arch() const { return "sm_" + std::to_string(major_ * 10 + minor_); }

bool Device::alloc(size_t bytes, DevicePtr &ptr, std::string &error) {
  return check(api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent", error) &&
         check(api_->cuMemAlloc(&ptr, bytes ? bytes : 1), "cuMemAlloc", error);
}

void Device::free(DevicePtr ptr) {
  if (ptr)
    api_->cuMemFree(ptr);
}

bool Device::copyToDevice(DevicePtr dst, const void *src, size_t bytes, std::string &error) {
  return !bytes || check(api_->cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD", error);
}

bool Device::copyToHost(void *dst, DevicePtr src, size_t bytes, std::string &error) {
  return !bytes || check(api_->cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH", error);
}

bool Device::copyOnDevice(DevicePtr dst, DevicePtr src, size_t bytes, std::string &error) {
  return check(api_->cuMemcpyDtoDAsync(dst, src, bytes, stream_), "cuMemcpyDtoDAsync", error);
}

bool Device::fill(DevicePtr dst, unsigned char value, size_t bytes, std::string &error) {
  return check(api_->cuMemsetD8(dst, value, bytes), "cuMemsetD8", error);
}

bool Device::synchronize(std::string &error) {
  return check(api_->cuStreamSynchronize(stream_), "cuStreamSynchronize", error);
}

bool Device::loadModule(const std::string &image, std::shared_ptr<Module> &module,
                        std::string &error) {
  module = std::make_shared<Module>();
  module->api = api_;
  if (!check(api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent", error))
    return false;
  // The PTX JIT's own account of a failure (CUjit_option values).
  constexpr int kErrorLogBuffer = 5, kErrorLogBufferSizeBytes = 6;
  char log[4096] = {};
  int options[] = {kErrorLogBuffer, kErrorLogBufferSizeBytes};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log)))};
  if (check(api_->cuModuleLoadDataEx(&module->module, image.c_str(), 2, options, values), "cuModuleLoadDataEx",
            error))
    return true;
  if (log[0])
    error += "; the PTX JIT says: " + std::string(log);
  return false;
}

bool Device::getKernel(Module &module, const std::string &name, void *&kernel, std::string &error) {
  return check(api_->cuModuleGetFunction(&kernel, module.module, name.c_str()),
               ("cuModuleGetFunction(" + name + ")").c_str(), error);
}

bool Device::launch(void *kernel, unsigned gridX, unsigned gridY, unsigned blockX,
                    std::vector<void *> &params, std::string &error) {
  return check(api_->cuLaunchKernel(kernel, gridX, gridY, 1, blockX, 1, 1, 0, stream_,
                                    params.data(), nullptr),
               "cuLaunchKernel", error);
}

bool Device::time(const std::function<bool(std::string &)> &body, double &ms, std::string &error) {
  void *start = nullptr, *stop = nullptr;
  bool ok = check(api_->cuEventCreate(&start, 0), "cuEventCreate", error) &&
            check(api_->cuEventCreate(&stop, 0), "cuEventCreate", error) &&
            check(api_->cuEventRecord(start, stream_), "cuEventRecord", error) && body(error) &&
            check(api_->cuEventRecord(stop, stream_), "cuEventRecord", error) &&
            check(api_->cuEventSynchronize(stop), "cuEventSynchronize", error);
  float elapsed = 0;
  ok = ok && check(api_->cuEventElapsedTime(&elapsed, start, stop), "cuEventElapsedTime", error);
  if (start)
    api_->cuEventDestroy(start);
  if (stop)
    api_->cuEventDestroy(stop);
  ms = elapsed;
  return ok;
}
