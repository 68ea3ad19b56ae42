"""Speech quality of decoded voice notes against their reference, for `bench_convert`.

Usage: pesq_wb.py REF.f32 DEG.f32 [DEG.f32 ...]
Each file is raw 32-bit float mono at 16 kHz (the bench decodes every note with FFmpeg).
Prints one line per degraded file: `PATH pesq_wb snr_db`, where PESQ is ITU-T P.862.2
wide-band (the `pesq` package from PyPI) and SNR is measured after aligning the note on the
reference (the lag with the highest cross-correlation within 100 ms).
"""

import sys

import numpy as np
from pesq import pesq

RATE = 16_000


def aligned(ref, deg):
    """`deg` shifted onto `ref` and both cut to the same length."""
    window = min(len(ref), len(deg), RATE * 4)
    best, lag = -np.inf, 0
    for shift in range(0, min(RATE // 10, len(deg) - window)):
        c = float(np.dot(ref[:window], deg[shift : shift + window]))
        if c > best:
            best, lag = c, shift
    deg = deg[lag:]
    n = min(len(ref), len(deg))
    return ref[:n], deg[:n]


def main():
    ref = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64)
    for path in sys.argv[2:]:
        deg = np.fromfile(path, dtype=np.float32).astype(np.float64)
        r, d = aligned(ref, deg)
        score = pesq(RATE, r, d, "wb")
        snr = 10 * np.log10(np.sum(r * r) / max(np.sum((r - d) ** 2), 1e-12))
        print(f"{path} {score:.3f} {snr:.2f}", flush=True)


if __name__ == "__main__":
    main()
