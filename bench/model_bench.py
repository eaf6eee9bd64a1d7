#!/usr/bin/env python3
"""qforge against llama.cpp on one GGUF model, in one run.

    bench/model_bench.py MODEL.gguf PACKAGE_DIR [--qforge build/bin/qforge]
        [--threads 1,2] [--prompt 512] [--decode 128] [--repeats 3]

For each thread count and repeat, alternately: `qforge bench model` on the
package (compiled from the same file), and llama.cpp through
llama-cpp-python on the same prompt
length and decode length, timed by the wall clock around its calls (as qforge
times itself; the decode loop picks the greedy token from the last logits
in both). Prints the medians and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

import numpy as np


def qforge_run(qforge: str, package: str, threads: int, prompt: int, decode: int) -> tuple[float, float]:
    out = subprocess.run([qforge, "bench", "model", package, "--threads", str(threads), "--prompt",
                          str(prompt), "--decode", str(decode), "--repeats", "1"],
                         check=True, capture_output=True, text=True).stdout
    row = out.strip().splitlines()[-1].split()
    assert int(row[0]) == threads, out
    return float(row[1]), float(row[2])


def llama_run(llm, llama_cpp, prompt: int, decode: int) -> tuple[float, float]:
    # The same pseudo-random prompt as qforge bench model's generator is not
    # needed: speed does not depend on which tokens.
    tokens = list(np.random.default_rng(0).integers(0, llm.n_vocab(), prompt))
    llm.reset()
    start = time.perf_counter()
    llm.eval(tokens)
    prefill = prompt / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(decode):
        last = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), (llm.n_vocab(),))
        llm.eval([int(np.argmax(last))])
    return prefill, decode / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("package")
    ap.add_argument("--qforge", default="build/bin/qforge")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--prompt", type=int, default=512)
    ap.add_argument("--decode", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import llama_cpp

    print(f"model {args.gguf}; prompt {args.prompt} tokens, decode {args.decode} tokens; "
          f"median of {args.repeats} alternating runs")
    print(f"{'threads':>7} {'qforge prefill':>15} {'llama.cpp':>10} {'ratio':>6} "
          f"{'qforge decode':>14} {'llama.cpp':>10} {'ratio':>6}")
    for threads in [int(t) for t in args.threads.split(",")]:
        llm = llama_cpp.Llama(model_path=args.gguf, n_ctx=args.prompt + args.decode + 16,
                              n_batch=args.prompt, n_threads=threads, n_threads_batch=threads,
                              verbose=False)
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(qforge_run(args.qforge, args.package, threads, args.prompt, args.decode))
            theirs.append(llama_run(llm, llama_cpp, args.prompt, args.decode))
            time.sleep(0.5)
        qp, qd = (statistics.median(x) for x in zip(*ours))
        lp, ld = (statistics.median(x) for x in zip(*theirs))
        print(f"{threads:>7} {qp:>15.1f} {lp:>10.1f} {qp / lp:>5.2f}x {qd:>14.1f} {ld:>10.1f} "
              f"{qd / ld:>5.2f}x", flush=True)
        del llm


if __name__ == "__main__":
    main()
