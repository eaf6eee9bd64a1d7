"""`qforge tune` end to end: a tuning session stored in the database, the
report and its SVG, `qforge compile --db` taking the tuned schedule, and
kernels compiled with explicit schedules (every knob) against numpy.

Speed is not asserted here (bench/tune_table.sh measures it); what is
asserted is that tuning and schedules never change what a kernel computes.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

from test_activation_schemes import (ACT_SCHEMES, compile_source, quantized_weights, run,
                                     scheme_attr)


def kernel(name: str, m: int, n: int, k: int, weight: str, act: str, schedule: str = "") -> str:
    a, q, c = f"tensor<{m}x{k}xf32>", f"!qf.qtensor<{n}x{k}, {weight}>", f"tensor<{m}x{n}xf32>"
    attrs = [f"act_scheme = {scheme_attr(act)}"] if act else []
    if schedule:
        attrs.append(f"schedule = #qf.cpu_schedule<{schedule}>")
    attr = f" {{{', '.join(attrs)}}}" if attrs else ""
    return (f"func.func @{name}(%a: {a}, %w: {q}) -> {c} {{\n"
            f"  %c = qf.matmul %a, %w{attr} : {a}, {q} -> {c}\n  return %c : {c}\n}}\n")


SCHEDULES = [
    "split = 1", "split = 4", "path = rows, k_step = 32, accumulators = 1",
    "path = rows, k_step = 64, accumulators = 8, row_tile = 2", "path = rows, prefetch = 2",
    "path = rows, k_step = 128, prefetch = 16, split = 4", "path = panels, row_tile = 3, panel_cols = 16",
    "path = panels, row_tile = 8, panel_cols = 32, split = 2", "path = panels, row_tile = 1, panel_cols = 64, split = 1",
]


@pytest.mark.parametrize("weight", ["q4_0", "q4_k", "mxfp4", "nvfp4", "int4_g128_asym", "q8_0"])
def test_every_schedule_computes_the_same_product(qf, weight):
    """Each schedule of SCHEDULES (those that fit), M = 1, 6 and 16, against
    numpy's float64 product of the reference-quantized activations and the
    reference dequantization of the weights."""
    n, k = 64, 512
    rng = np.random.default_rng(zlib.crc32(("schedule" + weight).encode()))
    w = rng.standard_normal((n, k)).astype(np.float32)
    wq, wd = quantized_weights(qf, weight, w)
    entries = {}
    for m in (1, 6, 16):
        for i, s in enumerate(SCHEDULES):
            if weight == "q4_k":  # steps hold whole 256-element super-blocks
                s = re.sub(r"k_step = \d+", "k_step = 256", s)
            fits_rows = "row_tile" not in s or m % int(re.search(r"row_tile = (\d+)", s).group(1)) == 0
            if "path = rows" in s and not fits_rows:
                continue
            entries[(m, s)] = f"mm_{m}_{i}"
    pkg = compile_source(qf, "".join(kernel(name, m, n, k, weight, "int8_g32", s)
                                     for (m, s), name in entries.items()))
    for (m, s), name in entries.items():
        a = rng.standard_normal((m, k)).astype(np.float32)
        (y,) = run(qf, pkg, name, a, wq)
        ref = ACT_SCHEMES["int8_g32"](a).astype(np.float64) @ wd.T
        bound = 1e-5 * np.abs(a).sum(axis=1, keepdims=True) * np.abs(wd).max()
        assert np.all(np.abs(y - ref) <= bound), f"{weight} M={m} schedule <{s}>"


def test_tune_report_and_compile_with_the_database(qf):
    db, svg = qf.path("tuning", ".db"), qf.path("trials", ".svg")
    shape = ["--m", "1", "--n", "256", "--k", "512"]
    out = qf.run(["tune", "matmul", "--scheme", "q4_0", *shape, "--act-scheme", "int8_g32",
                  "--threads", "2", "--trials", "6", "--seed", "3", "--repeats", "3", "--db", db]).stdout
    m = re.search(r"default ([\d.]+) ms, tuned ([\d.]+) ms .* after (\d+) trials .*: (#qf.cpu_schedule<.*>)", out)
    assert m, out
    assert int(m.group(3)) == 6
    with sqlite3.connect(db) as con:
        (trials,) = con.execute("SELECT count(*) FROM trials").fetchone()
        (schedule, threads) = con.execute("SELECT schedule, threads FROM records").fetchone()
    assert trials == 6 and threads == 2 and schedule == m.group(4)

    report = qf.run(["tune", "--report", "--db", db, "--svg", svg]).stdout
    assert "| matmul q4_0 1x256x512 act int8_g32 | 2 |" in report
    tree = ET.parse(svg)
    circles = tree.getroot().findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 6

    # compile --db sets the stored schedule on the matching matmul only; the
    # package still computes the product.
    pkg = qf.path("pkg")
    src = qf.path("k", ".mlir")
    src.write_text(kernel("mm", 1, 256, 512, "q4_0", "int8_g32") + kernel("other", 2, 256, 512, "q4_0", "int8_g32"))
    result = qf.run(["compile", src, "--target", "cpu", "-o", pkg, "--db", db, "--threads", "2"])
    assert "1 matmul(s) take tuned schedules for 2 thread(s), 1 keep the default" in result.stderr
    rng = np.random.default_rng(5)
    w = rng.standard_normal((256, 512)).astype(np.float32)
    wq, wd = quantized_weights(qf, "q4_0", w)
    a = rng.standard_normal((1, 512)).astype(np.float32)
    (y,) = run(qf, pkg, "mm", a, wq)
    ref = ACT_SCHEMES["int8_g32"](a).astype(np.float64) @ wd.T
    assert np.all(np.abs(y - ref) <= 1e-5 * np.abs(a).sum() * np.abs(wd).max())


def test_bad_tuning_input_is_a_clear_error(qf, tmp_path):
    bad = tmp_path / "notes.db"
    with sqlite3.connect(bad) as con:
        con.execute("CREATE TABLE notes(x)")
    r = qf.run(["tune", "--report", "--db", bad], check=False)
    assert r.returncode == 1 and "not a qforge tuning database" in r.stderr
    r = qf.run(["tune", "matmul", "--scheme", "q4_0", "--m", "1", "--n", "64", "--k", "64",
                "--act-hadamard", "32", "--db", tmp_path / "t.db"], check=False)
    assert r.returncode == 1 and "--act-hadamard needs --act-scheme" in r.stderr
    src = tmp_path / "k.mlir"
    src.write_text(kernel("mm", 1, 64, 64, "q4_0", ""))
    r = qf.run(["compile", src, "--target", "cpu", "-o", tmp_path / "p", "--threads", "2"], check=False)
    assert r.returncode == 1 and "--threads picks the tuned schedules of --db" in r.stderr
