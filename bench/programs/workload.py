# bench/programs/workload.py - dictionaries and sorting (what the real-program bench runs).
# Deterministic output: the same under every allocator.
import random

random.seed(12345)
n = int(__import__("sys").argv[1]) if len(__import__("sys").argv) > 1 else 300000
d = {}
for i in range(n):
    d["key-%d" % i] = [i, str(i) * 3, (i, i * 2)]
for i in range(0, n, 3):
    del d["key-%d" % i]
words = sorted(d.keys(), key=lambda k: (len(k), k[::-1]))
floats = sorted(random.random() for _ in range(n))
groups = {}
for k, v in d.items():
    groups.setdefault(v[0] % 97, []).append(v[1])
print(len(d), words[0], words[-1], round(sum(floats), 6), sum(len(g) for g in groups.values()))
