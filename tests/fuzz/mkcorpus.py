#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/fuzz/mkcorpus.py - write the fuzzer's hand-made seed corpus (tests/fuzz/corpus/).

Each seed is a configuration and a list of operations written with the helpers below, which
encode them exactly as tests/fuzz/fz_main.c decodes them (see the layout there).  The seeds
cover every operation, every policy, victim and cache model, both bounce rules, the pool
sizes (none, tiny, dynamic), fault injection and every misuse.  Run it after changing the
encoding:  python3 tests/fuzz/mkcorpus.py
"""
import os
import sys

OPS = ["kmalloc", "free", "krealloc", "ksize", "cache_create", "cache_alloc", "cache_destroy",
       "pages", "cpu_write", "cpu_check", "shrink", "dev_create", "dev_destroy", "dev_mask",
       "map", "unmap", "sync", "dev_write", "dev_read", "sg_map", "sg_unmap", "sg_sync",
       "query", "coherent", "coh_dev_io", "pool_create", "pool_alloc", "pool_destroy", "devm",
       "devm_action", "fault", "misuse", "noop", "debug_misuse"]
POLICY = {"legacy": 0, "bounce": 1, "packed": 2, "opt_in": 3, "naive": 4}
LINES = {32: 0, 64: 1, 128: 2}
POOLS = {0: 0, 4096: 1, 8192: 2, 65536: 3, 1 << 20: 4, 4 << 20: 5}
DIR = {"bidi": 0, "to": 1, "from": 2}
BITS = {64: 1, 48: 2, 36: 3, 33: 4, 32: 5, 31: 6, 24: 7}

# gfp bits as fz_gfp() reads them
ZERO, DMA, ATOMIC, PACKED, ACCOUNT = 0x01, 0x06, 0x08, 0x10, 0x20


def u16(v):
    return [v & 0xff, (v >> 8) & 0xff]


def size(n):
    """Selector bytes for which fz_size() returns n."""
    if n == 0:
        return [7] + u16(0)
    if n <= 32:
        return [0] + u16(n - 1)
    if n <= 256:
        return [3] + u16(n - 1)
    if n <= 2048:
        return [5] + u16(n - 1)
    if n <= 8192:
        return [6] + u16(n - 1)
    # large sizes come in steps of 4 bytes from 8193
    return [15] + u16((n - 8193) // 4)


def cfg(policy="bounce", victim=0, model="sim", line=64, debug=1, linux=0, high=0,
        pool=1 << 20, dyn=0, initfault=0):
    m = {"sim": 0, "coherent": 6, "native": 7}[model]
    b0 = POLICY[policy] + 5 * victim + 10 * m
    b1 = LINES[line] + 3 * debug + 12 * linux + 24 * high
    b2 = POOLS[pool] + 6 * dyn
    return [b0, b1, b2, initfault]


def op(name, *args):
    out = [OPS.index(name)]
    for a in args:
        out += a if isinstance(a, list) else [a]
    return out


# ---- operation helpers (argument order as in the C operations) ----------------------------
def kmalloc(n, gfp=0, variant=0, seed=2):
    return op("kmalloc", variant, seed, size(n), gfp)


def free(sel=0):
    return op("free", sel)


def krealloc(sel, n, gfp=0, seed=3):
    return op("krealloc", sel, seed, size(n), gfp)


def cache_create(sz, align_idx=0, flags=0, large=False):
    return op("cache_create", align_idx | (0x80 if large else 0), u16(sz - 1), flags)


def dev(coherent=0, force=0, bits=64):
    b = (1 if coherent else 0) | (6 if force else 0) | (BITS[bits] << 3)
    return op("dev_create", b)


def map_(obj=0, d=0, direction="from", whole=True, page=False, skip=False, off=0, ln=0):
    v = DIR[direction] | (8 if whole else 0) | (0x10 if page else 0) | (0x40 if skip else 0)
    return op("map", obj, d, v, u16(off), u16(ln))


def dev_write(m=0, seed=0x80 | 5, off=0, ln=0):
    return op("dev_write", m, seed, u16(off), u16(ln))


def dev_read(m=0, off=0, ln=0xffff):
    return op("dev_read", m, u16(off), u16(ln))


def cpu_write(obj, seed=9, off=0, ln=0xffff):
    return op("cpu_write", obj, seed, u16(off), u16(ln))


def sync(m=0, variant=0, off=0, ln=0):
    return op("sync", m, variant, u16(off), u16(ln))


def sg_map(d, direction, segs, page=False):
    v = DIR[direction] | ((len(segs) - 1) << 2) | (0x40 if page else 0)
    out = op("sg_map", d, v)
    for (obj, whole, off, ln) in segs:
        out += [obj | (0x80 if whole else 0)] + u16(off) + u16(ln)
    return out


def coherent(kind="alloc", d=0, sz=100, seed=1, sel=0):
    if kind == "free":
        return op("coherent", 2, sel)
    return op("coherent", 0 if kind == "alloc" else 1, d, u16(sz), seed)


def pool_create(d=0, sz=64, align_log=4, boundary=False):
    return op("pool_create", d, u16(sz), align_log | (0x80 if boundary else 0))


def devm(d=0, n=24, variant=0, gfp=0, seed=4):
    return op("devm", d, variant, seed, size(n), gfp)


def misuse(cls, kind, sel=0):
    return op("misuse", cls + 6 * kind, sel)


def dbg(cls, kind=0, sel=0):
    return op("debug_misuse", cls + 7 * kind, sel)


# ---- the seeds ---------------------------------------------------------------------------
def seeds():
    s = {}
    neighbour_dma = (kmalloc(24) + kmalloc(24) + kmalloc(24) + dev() + map_(1, 0, "from") +
                     cpu_write(0) + cpu_write(2) + dev_write(0) + op("unmap", 0) + free(0) +
                     free(0) + free(0))
    for pol in POLICY:
        for victim in (0, 1):
            s["neighbour-%s-v%d" % (pol, victim)] = cfg(pol, victim) + neighbour_dma
    s["neighbour-linux-rule"] = cfg("bounce", linux=1, line=128) + neighbour_dma
    s["neighbour-dma-opt-in-gfp-dma"] = cfg("opt_in") + kmalloc(24, DMA) + kmalloc(
        24, DMA) + dev() + map_(0, 0, "bidi") + cpu_write(1) + dev_write(0) + op("unmap", 0)
    s["packed-gfp-packed"] = cfg("packed") + kmalloc(16, PACKED) + kmalloc(16, PACKED) + \
        kmalloc(16) + dev() + map_(2, 0, "from") + map_(0, 0, "to") + dev_read(1) + \
        op("unmap", 0) + op("unmap", 0)
    s["slab-kmalloc-family"] = cfg(debug=3) + kmalloc(1) + kmalloc(8, ZERO) + kmalloc(
        96, 0, 1) + kmalloc(700, 0, 2) + kmalloc(33, 0, 3) + kmalloc(40, 0, 4) + kmalloc(
        4000, 0, 5) + kmalloc(9000) + kmalloc(0) + kmalloc(64, ACCOUNT) + op("ksize", 0) + op(
        "ksize", 3) + krealloc(0, 300) + krealloc(1, 4) + krealloc(2, 0) + krealloc(
        3, 20000, ZERO) + free(1) + free(0) + op("shrink", 1) + op("shrink", 0)
    s["dma-kmalloc"] = cfg("opt_in", line=128) + kmalloc(24, 0, 6, 2) + kmalloc(
        24, 0, 6, 3) + kmalloc(24) + dev() + map_(0, 0, "from") + cpu_write(1) + cpu_write(
        2) + dev_write(0) + op("unmap", 0) + op("ksize", 0)
    s["slab-caches"] = cfg(debug=2) + cache_create(40) + cache_create(
        100, 4, 0x10) + cache_create(24, 0, 1) + cache_create(3000, 7, 2, True) + op(
        "cache_alloc", 0, 1) + op("cache_alloc", 1, 2) + op("cache_alloc", 2, 3) + op(
        "cache_alloc", 3, 4) + op("cache_alloc", 1, 6) + free(1) + op("cache_alloc", 1, 8) + \
        op("shrink", 1) + free(0) + free(0) + free(0) + free(0) + free(0) + op(
        "cache_destroy", 0, 1) + op("cache_destroy", 0, 0)
    s["slab-legacy-caches-dma"] = cfg("legacy", line=128) + cache_create(40) + cache_create(
        40, 0, 1) + op("cache_alloc", 0, 0) + op("cache_alloc", 0, 0) + op(
        "cache_alloc", 1, 0) + op("cache_alloc", 1, 0) + dev() + map_(2, 0, "from") + map_(
        0, 0, "from") + cpu_write(3) + dev_write(0) + dev_write(1) + op("unmap", 0) + op(
        "unmap", 0)
    s["pages"] = cfg() + op("pages", 0, 1) + op("pages", 3 | 4, 2) + op("pages", 1 | 8, 3) + \
        dev() + map_(1, 0, "bidi", False, True, False, 100, 5000) + dev_write(0) + op(
        "unmap", 0) + free(0) + free(0) + free(0)
    s["sync-cycle"] = cfg() + kmalloc(200) + kmalloc(200) + dev() + map_(0, 0, "bidi") + \
        dev_write(0, 0x80 | 7) + sync(0, 0) + cpu_write(0, 11, 0, 50) + sync(0) + dev_read(0) + \
        sync(0, 1, 10, 30) + op("unmap", 0)
    s["sync-partial-from"] = cfg("bounce", pool=65536) + kmalloc(24) + kmalloc(24) + dev() + \
        map_(0, 0, "from") + dev_write(0, 3, 4, 10) + sync(0, 2, 0, 20) + dev_write(
            0, 0x80 | 9) + sync(0, 1, 5, 5) + op("unmap", 0)
    s["skip-cpu-sync"] = cfg() + kmalloc(128) + kmalloc(30) + dev() + map_(
        0, 0, "bidi", skip=True) + map_(1, 0, "to", skip=True) + dev_write(0) + dev_read(1) + \
        op("unmap", 0) + op("unmap", 0)
    s["sg-mixed"] = cfg("bounce", line=128) + kmalloc(24) + kmalloc(24) + kmalloc(
        600) + op("pages", 1, 1) + dev() + sg_map(0, "from", [(0, 1, 0, 0), (1, 1, 0, 0), (
            2, 0, 10, 200), (3, 0, 4000, 300)]) + cpu_write(0) + dev_write(0) + dev_write(2) + \
        op("sg_sync", 0) + op("sg_sync", 0) + dev_write(3) + op("sg_unmap", 0)
    s["sg-to-device-page"] = cfg() + kmalloc(300) + kmalloc(5000) + dev(1) + sg_map(
        0, "to", [(0, 1, 0, 0), (1, 0, 100, 3000)], True) + dev_read(0) + dev_read(1) + \
        op("sg_sync", 0) + cpu_write(0) + op("sg_unmap", 0)
    s["force-bounce"] = cfg() + kmalloc(512) + dev(0, 1) + map_(0, 0, "to") + dev_read(0) + \
        op("unmap", 0) + map_(0, 0, "from") + dev_write(0) + op("unmap", 0)
    s["dma-bits-high-ram"] = cfg(high=1) + kmalloc(64) + dev(0, 0, 32) + dev(0, 0, 36) + map_(
        0, 0, "bidi") + map_(0, 1, "to") + dev_write(0) + op("unmap", 0) + op("unmap", 0)
    s["no-pool"] = cfg("bounce", pool=0) + kmalloc(24) + kmalloc(24) + cache_create(24) + op(
        "cache_alloc", 0, 0) + op("cache_alloc", 0, 0) + dev() + map_(2, 0, "from") + map_(
        0, 0, "from") + op("unmap", 0)
    s["tiny-pool-full"] = cfg("bounce", pool=4096, line=128) + kmalloc(24) * 6 + dev() + \
        op("pages", 0, 1) + map_(6, 0, "from", False, False, False, 1, 4090) + \
        map_(0, 0, "from") + map_(1, 0, "from") + map_(2, 0, "bidi") + map_(3, 0, "from")
    s["dynamic-pool"] = cfg("bounce", pool=4096, dyn=1, line=128) + kmalloc(24) * 4 + op(
        "pages", 1, 1) + dev() + map_(4, 0, "from", False, False, False, 3, 6000) + map_(
        0, 0, "from") + map_(1, 0, "from") + map_(2, 0, "bidi") + dev_write(1) + op(
        "unmap", 0) + op("unmap", 0)
    s["min-align-mask"] = cfg() + kmalloc(100) + kmalloc(100) + dev() + op(
        "dev_mask", 0, 0x80 | (3 << 5)) + map_(1, 0, "from") + dev_write(0) + op("unmap", 0) + \
        op("dev_mask", 0, 12) + op("dev_mask", 0, 44 | 0x40)
    s["coherent-pool"] = cfg() + dev() + coherent("alloc", 0, 5000) + coherent(
        "dmam", 0, 100) + op("coh_dev_io", 0, 1, u16(10), u16(100)) + op(
        "coh_dev_io", 1, 0, u16(0), u16(50)) + cpu_write(0) + pool_create(
        0, 100, 6, True) + op("pool_alloc", 0, 2) + op("pool_alloc", 0, 0) + op(
        "coh_dev_io", 2, 3, u16(1), u16(20)) + op("pool_alloc", 0, 1) + op(
        "pool_destroy", 0) + coherent("free", sel=0)
    s["devm-release-order"] = cfg(debug=3) + dev() + devm(0, 24) + op(
        "devm_action", 0, 0) + devm(0, 300, 1) + coherent("dmam", 0, 64) + op(
        "devm_action", 0, 2) + devm(0, 12, 3) + devm(0, 40, 4) + op(
        "devm_action", 0, 4) + op("devm_action", 0, 1 | 8) + op(
        "devm_action", 0, 1) + map_(0, 0, "to") + op("unmap", 0) + op("dev_destroy", 0)
    s["devm-mapped"] = cfg() + dev() + dev(1) + devm(0, 24) + devm(0, 24) + map_(
        0, 1, "from") + dev_write(0) + op("unmap", 0) + free(0) + op("dev_destroy", 0)
    s["faults-slab"] = cfg() + op("fault", 0 | (3 << 5)) + kmalloc(24) + cache_create(
        64) + op("cache_alloc", 0, 0) + op("fault", 2 | (1 << 3)) + kmalloc(9000) + kmalloc(
        16, DMA) + op("fault", 1 | (3 << 3)) + op("shrink", 0) + kmalloc(100)
    s["faults-dma"] = cfg("bounce", dyn=1, pool=4096) + op("fault", 0 | (2 << 3)) + dev() + \
        dev() + kmalloc(24) + kmalloc(24) + op("fault", 0 | (3 << 5)) + map_(0, 0, "from") + \
        coherent("alloc", 0, 100) + pool_create(0) + op("fault", 3 | (3 << 5)) + op(
        "pool_alloc", 0, 0) + devm(0) + op("devm_action", 0, 2)
    s["init-fault"] = cfg(initfault=0x80 | 2) + kmalloc(10)
    s["init-fault-meta"] = cfg(debug=3, dyn=1, initfault=0x80 | 0x40 | 5) + kmalloc(10)
    s["misuse-free"] = cfg() + kmalloc(40) + dev() + coherent("alloc", 0, 10) + misuse(
        0, 0) + misuse(0, 1) + misuse(0, 3) + misuse(0, 4)
    s["misuse-cache"] = cfg(debug=3) + cache_create(40) + cache_create(64) + op(
        "cache_alloc", 0, 0) + misuse(0, 2, 0x10) + misuse(1, 0) + misuse(1, 1) + misuse(
        4, 0) + free(0)
    s["misuse-map"] = cfg() + kmalloc(40) + dev(0, 0, 32) + misuse(2, 0) + misuse(
        2, 1) + misuse(2, 2) + misuse(2, 3) + misuse(2, 4) + misuse(2, 5) + misuse(2, 6)
    s["misuse-coherent"] = cfg() + dev() + coherent("alloc", 0, 10) + pool_create() + op(
        "pool_alloc", 0, 0) + misuse(3, 0) + misuse(3, 1) + misuse(4, 1)
    s["misuse-device"] = cfg() + dev() + kmalloc(8) + misuse(5, 0) + misuse(5, 1) + misuse(
        5, 2) + misuse(5, 3) + op("noop", 0)
    s["debug-unmap-sync"] = cfg() + kmalloc(100) + kmalloc(40) + dev() + map_(
        0, 0, "from") + map_(1, 0, "to", page=True) + dbg(0) + dbg(1, 0) + dbg(1, 1) + dbg(
        1, 2) + dbg(1, 3) + dbg(1, 4) + dbg(1, 0, 1) + dbg(1, 2, 1) + dev_write(0) + op(
        "unmap", 0) + op("unmap", 0)
    s["debug-device-access"] = cfg() + kmalloc(100) + kmalloc(40) + kmalloc(40) + dev() + \
        map_(0, 0, "from") + map_(1, 0, "to") + dbg(2, 0, 2 << 3) + dbg(2, 1, 0) + dbg(
            2, 1, 1) + dev_write(0) + dev_read(1) + op("unmap", 0) + op("unmap", 0)
    s["debug-eexist"] = cfg("bounce") + kmalloc(300) + dev() + map_(0, 0, "from", False,
        off=10, ln=99) + dbg(3) + dev_write(0) + op("unmap", 0)
    s["debug-eexist-naive"] = cfg("naive") + kmalloc(300) + dev() + map_(0, 0, "bidi", False,
        off=100, ln=99) + dbg(3) + op("unmap", 0)
    s["debug-packed"] = cfg("packed") + kmalloc(24, PACKED) + dev() + dbg(4) + map_(
        0, 0, "to") + op("unmap", 0)
    s["debug-unchecked-and-destroy"] = cfg() + kmalloc(64) + kmalloc(64) + dev() + dev() + \
        dbg(5) + map_(0, 0, "from") + sg_map(0, "bidi", [(1, 1, 0, 0)]) + dbg(6) + kmalloc(8)
    s["model-coherent"] = cfg("naive", model="coherent") + neighbour_dma
    s["model-native"] = cfg("bounce", model="native", line=32) + neighbour_dma
    s["query"] = cfg() + kmalloc(8) + dev() + op("query", 0, 0, size(100)) + op(
        "query", 0, 0, size(20000))
    s["naive-two-mappings"] = cfg("naive", 1, line=32) + kmalloc(8) * 4 + dev() + map_(
        0, 0, "from") + map_(1, 0, "bidi") + cpu_write(2) + dev_write(0) + dev_write(1) + \
        op("unmap", 0) + op("unmap", 0)
    s["bounce-two-bounced-share-line"] = cfg("bounce", line=128) + kmalloc(8) * 4 + dev() + \
        map_(0, 0, "from") + map_(1, 0, "from") + dev_write(0) + dev_write(1) + cpu_write(2) + \
        op("unmap", 0) + op("unmap", 0)
    return s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        if not isinstance(data, (list, bytes)) or not data:
            sys.exit("seed %s is empty" % name)
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(bytes(data))
    print("%d seeds in %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
