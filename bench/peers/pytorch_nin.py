#!/usr/bin/env python3
"""Peer benchmark: PyTorch on the same NiN workload as `./nin bench`.

The network is the d2l.ai book's NiN ("Network in Network", PyTorch version) for 1-channel
Fashion-MNIST images resized to R x R; a training step is SGD (lr 0.01) on cross-entropy over a
batch of random uint8 28x28 images with random labels, resized inside the step (bilinear, /255),
as nin resizes inside its graph. Inference is the forward pass of the same batch, resize included.

Modes: fp32 (the book's code), channels_last (model and input in torch.channels_last), bf16
(torch.autocast("cpu", dtype=torch.bfloat16) around forward and loss; float32 weights and update).

This is a benchmark for the comparison in docs/performance.md, never a test dependency. Run it through
run-pytorch.sh, which sets up torch in a virtual environment.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

# The benchmark needs no NumPy; torch warns at import when it is missing.
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

BOOK_PARAMETERS = 1_992_166
MODES = ("fp32", "channels_last", "bf16")
PHASES = ("training", "inference")


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def init_cnn(module):
    """The book's initialisation: Xavier-uniform weights for Linear and Conv2d (biases as PyTorch's)."""
    if type(module) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(module.weight)


def book_nin(num_classes=10):
    net = nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())
    net.apply(init_cnn)
    return net


def int_list(text):
    return [int(v) for v in text.split(",") if v.strip()]


def mode_list(text):
    modes = [m.strip() for m in text.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            raise argparse.ArgumentTypeError(f"unknown mode {m!r}; modes: {', '.join(MODES)}")
    return modes


def cpu_facts():
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    model = platform.processor() or "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.strip()
                break
    except OSError:
        pass
    return model, flags


class Workload:
    """One (size, mode) setting: a fresh book NiN, its optimizer and a fixed random batch."""

    def __init__(self, resize, batch, mode, seed=1):
        torch.manual_seed(seed)
        self.resize = resize
        self.mode = mode
        self.net = book_nin()
        count = sum(p.numel() for p in self.net.parameters())
        assert count == BOOK_PARAMETERS, f"NiN has {count} parameters, the book's has {BOOK_PARAMETERS}"
        self.memory_format = torch.channels_last if mode == "channels_last" else torch.contiguous_format
        if mode == "channels_last":
            self.net = self.net.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.01)
        self.loss = nn.CrossEntropyLoss()
        g = torch.Generator().manual_seed(7)
        self.images = torch.randint(0, 256, (batch, 1, 28, 28), dtype=torch.uint8, generator=g)
        self.labels = torch.randint(0, 10, (batch,), dtype=torch.int64, generator=g)

    def inputs(self):
        x = F.interpolate(self.images.float(), size=(self.resize, self.resize), mode="bilinear",
                          align_corners=False) / 255
        return x.contiguous(memory_format=self.memory_format)

    def autocast(self):
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.mode == "bf16")

    def train_step(self):
        self.net.train()
        x = self.inputs()
        with self.autocast():
            y_hat = self.net(x)
            loss = self.loss(y_hat, self.labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def infer_step(self):
        self.net.eval()
        with torch.no_grad(), self.autocast():
            y_hat = self.net(self.inputs())
        return y_hat.float().argmax(dim=1)


def timed(step, warmup, steps):
    for _ in range(warmup):
        step()
    total = 0.0
    for _ in range(steps):
        start = time.perf_counter()
        step()
        total += time.perf_counter() - start
    return total


def main(argv=None):
    p = argparse.ArgumentParser(description="PyTorch on nin's NiN benchmark workload (images/s).")
    p.add_argument("--resize", type=int_list, default=[224, 96], help="input sizes, e.g. 224,96")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=5, help="timed steps per measurement")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before each measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: all cores)")
    p.add_argument("--modes", type=mode_list, default=list(MODES), help="comma list of " + ",".join(MODES))
    args = p.parse_args(argv)

    threads = args.threads if args.threads > 0 else len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    model, flags = cpu_facts()
    capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "?")()
    print(f"torch {torch.__version__}, python {platform.python_version()}, "
          f"mkldnn available: {torch.backends.mkldnn.is_available()}, cpu capability: {capability}")
    print(f"{model}; avx512_bf16: {'avx512_bf16' in flags}, amx_bf16: {'amx_bf16' in flags}, "
          f"avx512f: {'avx512f' in flags}, avx2: {'avx2' in flags}")
    print(f"threads {torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), "
          f"batch {args.batch}, steps {args.steps}, warmup {args.warmup}, rounds {args.rounds}, "
          f"sizes {','.join(map(str, args.resize))}, modes {','.join(args.modes)}")
    sys.stdout.flush()

    results = {}  # (size, mode, phase) -> [img/s per round]
    for r in range(1, args.rounds + 1):
        for size in args.resize:
            for mode in args.modes:
                w = Workload(size, args.batch, mode)
                for phase in PHASES:
                    step = w.train_step if phase == "training" else w.infer_step
                    seconds = timed(step, args.warmup, args.steps)
                    rate = args.batch * args.steps / seconds
                    results.setdefault((size, mode, phase), []).append(rate)
                    print(f"round {r}  {size:>4}  {mode:<13}  {phase:<9}  {rate:8.1f} img/s  "
                          f"({args.steps} steps in {seconds:.2f} s)", flush=True)
                del w

    print()
    print(f"median over {args.rounds} round(s), images/s (min-max); vs fp32: ratio of medians")
    print()
    print("| resize | mode | phase | img/s median | min-max | vs fp32 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in args.resize:
        for phase in PHASES:
            for mode in args.modes:
                rates = results[(size, mode, phase)]
                med = statistics.median(rates)
                base = results.get((size, "fp32", phase))
                ratio = f"{med / statistics.median(base):.2f}" if base else "-"
                print(f"| {size} | {mode} | {phase} | {med:.1f} | {min(rates):.1f}-{max(rates):.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
