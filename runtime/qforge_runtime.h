/*===- qforge_runtime.h - C API of the qforge runtime ----------------------===*
 *
 * Load a compiled package (`qforge compile ... -o dir`) and call its entry
 * points, on as many threads as the package is set to. No global state:
 * every call names its package. Errors come back as
 * malloc'ed strings the caller frees with qf_free_error.
 *===----------------------------------------------------------------------===*/
#ifndef QFORGE_RUNTIME_H
#define QFORGE_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qf_package qf_package;

/* Loads `dir`: reads its manifest, checks the running CPU has the features the
 * kernels were compiled for, and loads the kernels. NULL on failure. */
qf_package *qf_package_load(const char *dir, char **error);
void qf_package_free(qf_package *package);

/* Calls entry point `entry` with its arguments and result buffers in manifest
 * order (a quantized tensor argument is one buffer per storage buffer). The
 * byte sizes are checked against the manifest. Returns 0 on success. */
int qf_package_run(qf_package *package, const char *entry, size_t num_args, void *const *args,
                   const size_t *arg_bytes, size_t num_results, void *const *results,
                   const size_t *result_bytes, char **error);

/* Threads that run entry points compiled with a split into blocks of output
 * rows (the manifest's `split`); 1, the default, runs every call on the
 * calling thread. The setting belongs to the package. Returns 0 on success. */
int qf_package_set_threads(qf_package *package, int threads);

void qf_free_error(char *error);

#ifdef __cplusplus
}
#endif

#endif /* QFORGE_RUNTIME_H */
