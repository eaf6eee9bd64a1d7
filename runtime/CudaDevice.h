//===- CudaDevice.h - The CUDA driver API, loaded at run time --------------===//
//
// The runtime reaches NVIDIA GPUs through the driver API in libcuda.so.1,
// opened with dlopen on first use: nothing links against CUDA, and builds
// and CPU packages work on machines without a GPU or driver. Only the few
// driver types the runtime passes around are declared here.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_RUNTIME_CUDADEVICE_H
#define QFORGE_RUNTIME_CUDADEVICE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qforge::runtime::cuda {

using DevicePtr = unsigned long long; ///< CUdeviceptr
struct Api;

/// Device 0's primary context and a stream on it; modules loaded into it.
/// Every call returns false with `error` naming the driver call and its
/// error on failure.
class Device {
public:
  /// Opens device $QFORGE_CUDA_DEVICE (default 0); null with `error` set
  /// when there is no driver or no such device.
  static std::unique_ptr<Device> open(std::string &error);
  ~Device();

  const std::string &name() const { return name_; }
  /// "sm_90" for compute capability 9.0.
  std::string arch() const;
  int multiprocessors() const { return multiprocessors_; }
  /// The CUstream work is enqueued on, for libraries (cuBLAS) to share.
  void *stream() const { return stream_; }

  bool alloc(size_t bytes, DevicePtr &ptr, std::string &error);
  void free(DevicePtr ptr);
  bool copyToDevice(DevicePtr dst, const void *src, size_t bytes, std::string &error);
  bool copyToHost(void *dst, DevicePtr src, size_t bytes, std::string &error);
  bool copyOnDevice(DevicePtr dst, DevicePtr src, size_t bytes, std::string &error);
  bool fill(DevicePtr dst, unsigned char value, size_t bytes, std::string &error);
  bool synchronize(std::string &error);

  /// A loaded module (cubin or PTX image) and its kernels by name.
  struct Module;
  bool loadModule(const std::string &image, std::shared_ptr<Module> &module, std::string &error);
  /// The kernel `name` of `module`, an opaque CUfunction.
  bool getKernel(Module &module, const std::string &name, void *&kernel, std::string &error);
  /// Launches `kernel` on the stream (asynchronously).
  bool launch(void *kernel, unsigned gridX, unsigned gridY, unsigned blockX,
              std::vector<void *> &params, std::string &error);

  /// Milliseconds `body` (enqueueing work on the stream) takes on the GPU,
  /// between two events; false if it or the timing fails.
  bool time(const std::function<bool(std::string &)> &body, double &ms, std::string &error);

private:
  Device() = default;
  bool check(int result, const char *call, std::string &error) const;

  const Api *api_ = nullptr;
  int device_ = 0;
  void *context_ = nullptr;
  void *stream_ = nullptr;
  std::string name_;
  int major_ = 0, minor_ = 0, multiprocessors_ = 0;
};

} // namespace qforge::runtime::cuda

#endif // QFORGE_RUNTIME_CUDADEVICE_H
