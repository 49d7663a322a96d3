#!/usr/bin/env python3
"""The PyTorch side of SPEC P4: the networks of bench/BenchTrainSpeed.cpp, built the same way in
PyTorch (Debian's python3-torch), trained one AdamW step at a time on the same shapes.

    python3 bench/python/train_step_torch.py --threads 2 [--seconds 5] [--repeats 3]

Prints one JSON line per model: {"model", "threads", "steps_per_s", "ms_per_step"}.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups_for(channels, wanted):
    for g in range(min(channels, wanted), 1, -1):
        if channels % g == 0:
            return g
    return 1


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups_for(cin, groups), cin)
        self.conv1 = nn.Conv3d(cin, cout, 3, padding=1, bias=False)
        self.norm2 = nn.GroupNorm(groups_for(cout, groups), cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, padding=1, bias=False)

    def forward(self, x):
        y = F.relu(self.conv1(self.norm1(x)))
        return F.relu(self.conv2(self.norm2(y)))


class UNet3d(nn.Module):
    """core/nn/UNet3d: GroupNorm -> Conv -> ReLU twice per level, (1, 2, 2) pooling, nearest
    upsampling and concatenation, a 1x1x1 head."""

    def __init__(self, f_maps=8, levels=3, groups=4):
        super().__init__()
        self.encoders = nn.ModuleList()
        cin = 1
        for level in range(levels):
            self.encoders.append(DoubleConv(cin, f_maps << level, groups))
            cin = f_maps << level
        self.decoders = nn.ModuleList()
        for level in range(levels - 2, -1, -1):
            skip = f_maps << level
            self.decoders.append(DoubleConv(cin + skip, skip, groups))
            cin = skip
        self.head = nn.Conv3d(cin, 1, 1)

    def forward(self, x):
        skips = []
        y = x
        for level, encoder in enumerate(self.encoders):
            if level > 0:
                y = F.max_pool3d(y, (1, 2, 2), (1, 2, 2))
            y = encoder(y)
            skips.append(y)
        for k, decoder in enumerate(self.decoders):
            skip = skips[len(skips) - 2 - k]
            y = F.interpolate(y, size=skip.shape[2:], mode="nearest")
            y = decoder(torch.cat([skip, y], 1))
        return self.head(y)


def fourier(xyz, frequencies):
    parts = [xyz]
    for k in range(frequencies):
        scaled = xyz * (math.pi * 2.0**k)
        parts += [torch.sin(scaled), torch.cos(scaled)]
    return torch.cat(parts, -1)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width, bias=False)
        self.k = nn.Linear(width, width, bias=False)
        self.v = nn.Linear(width, width, bias=False)
        self.out = nn.Linear(width, width)

    def forward(self, x, context):
        B, Q, W = x.shape
        K = context.shape[1]
        d = W // self.heads

        def split(t, n):
            return t.view(B, n, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x), Q), split(self.k(context), K), split(self.v(context), K)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), -1)
        return self.out((weights @ v).transpose(1, 2).reshape(B, Q, W))


class Geglu(nn.Module):
    def __init__(self, width, multiplier):
        super().__init__()
        self.expand = nn.Linear(width, 2 * multiplier * width)
        self.project = nn.Linear(multiplier * width, width)

    def forward(self, x):
        a, b = self.expand(x).chunk(2, -1)
        return self.project(a * F.gelu(b))


class Block(nn.Module):
    def __init__(self, width, heads, ff, cross):
        super().__init__()
        self.norm_x = nn.LayerNorm(width)
        self.norm_context = nn.LayerNorm(width) if cross else None
        self.attention = Attention(width, heads)
        self.norm_ff = nn.LayerNorm(width) if ff else None
        self.ff = Geglu(width, ff) if ff else None

    def forward(self, x, context=None):
        nx = self.norm_x(x)
        ctx = self.norm_context(context) if self.norm_context is not None else nx
        y = x + self.attention(nx, ctx)
        return y + self.ff(self.norm_ff(y)) if self.ff is not None else y


class VecSet(nn.Module):
    """core/nn/VecSet with the layernorm bottleneck of resources/configs/shapes/small.yaml."""

    def __init__(self, classes=10, width=128, latents=128, depth=4, heads=4, frequencies=8,
                 latent_channels=32, ff=4):
        super().__init__()
        self.frequencies = frequencies
        f = 3 + 6 * frequencies
        self.point_embed = nn.Linear(f + classes, width)
        self.query_embed = nn.Linear(f, width)
        self.latent_queries = nn.Parameter(torch.randn(latents, width) * 0.02)
        self.encoder = Block(width, heads, ff, True)
        self.to_bottleneck = nn.Linear(width, latent_channels)
        self.bottleneck_norm = nn.LayerNorm(latent_channels)
        self.from_bottleneck = nn.Linear(latent_channels, width)
        self.blocks = nn.ModuleList([Block(width, heads, ff, False) for _ in range(depth)])
        self.decoder = Block(width, heads, 0, True)
        self.out_norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, classes)

    def forward(self, points, classes, queries):
        embedded = self.point_embed(torch.cat([fourier(points, self.frequencies), classes], -1))
        x = self.encoder(self.latent_queries.unsqueeze(0).expand(points.shape[0], -1, -1),
                         embedded)
        x = self.from_bottleneck(self.bottleneck_norm(self.to_bottleneck(x)))
        for block in self.blocks:
            x = block(x)
        q = self.query_embed(fourier(queries, self.frequencies))
        return self.out(self.out_norm(self.decoder(q, x)))


def measure(step, seconds, repeats):
    """The best of `repeats` runs of at least `seconds` each, after 3 warm-up steps (as
    lumen-bench reports the best of its repetitions)."""
    for _ in range(3):
        step()
    best = 0.0
    for _ in range(repeats):
        steps, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            step()
            steps += 1
        best = max(best, steps / (time.perf_counter() - started))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    unet = UNet3d()
    opt = torch.optim.AdamW(unet.parameters(), lr=3e-3)
    x, y = torch.rand(4, 1, 8, 64, 64), torch.rand(4, 1, 8, 64, 64)

    def unet_step():
        opt.zero_grad()
        loss = F.mse_loss(x + unet(x), y)
        loss.backward()
        opt.step()
        loss.item()

    rate = measure(unet_step, args.seconds, args.repeats)
    print(json.dumps({"model": "events_unet3d", "threads": args.threads, "steps_per_s": rate,
                      "ms_per_step": 1000.0 / rate}))

    vecset = VecSet()
    opt2 = torch.optim.AdamW(vecset.parameters(), lr=1e-3)
    B, N, Q, C = 8, 2048, 2048, 10
    points = torch.rand(B, N, 3) * 2 - 1
    classes = F.one_hot(torch.randint(C, (B, N)), C).float()
    queries = torch.rand(B, Q, 3) * 2 - 1
    occupancy = (torch.rand(B, Q, C) < 0.1).float()

    def vecset_step():
        opt2.zero_grad()
        loss = F.binary_cross_entropy_with_logits(vecset(points, classes, queries), occupancy)
        loss.backward()
        opt2.step()
        loss.item()

    rate = measure(vecset_step, args.seconds, args.repeats)
    print(json.dumps({"model": "shapes_vecset", "threads": args.threads, "steps_per_s": rate,
                      "ms_per_step": 1000.0 / rate}))


if __name__ == "__main__":
    main()
