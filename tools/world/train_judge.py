"""Trains a judge of the shapes world: one head per attribute, exported as ONNX.

Input "image" float32 [B,3,32,32] in [-1,1]; outputs "colour", "shape", "background", "pattern",
"size", "count": logits in the order of the values in src/core/world/vocabulary.json.
Generated images are blurrier and noisier than drawn ones, so training augments them.
Accuracy is measured on freshly drawn held-out images and written next to the model.

Two judges, trained independently (seed, architecture, augmentation), so a benchmark can measure
images that one of them verified with the other (docs/world-model.md):
  the app's judge:  /usr/bin/python3 tools/world/train_judge.py --out public/models/ores-tiny-world/judge
  the bench's one:  /usr/bin/python3 tools/world/train_judge.py --out bench/judges/world-b \
                      --arch resnet --augment shift-jpeg --seed 7 --train 16000 --threads 1
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nets  # noqa: E402
import world  # noqa: E402

HEADS = {a: len(world.VALUES[a]) for a in world.ATTRIBUTE_ORDER}


def draw_set(n, seed):
    rng = random.Random(seed)
    images = np.empty((n, 3, world.SIZE, world.SIZE), np.float32)
    labels = np.empty((n, len(HEADS)), np.int64)
    for i in range(n):
        s = world.random_scene(rng)
        images[i] = world.draw(s, rng).transpose(2, 0, 1) * 2 - 1
        labels[i] = [world.VALUES[a].index(s[a]) for a in world.ATTRIBUTE_ORDER]
    return torch.from_numpy(images), torch.from_numpy(labels)


def augment_blur_jitter(x, gen):
    """The first judge's: 3x3 blur on half the images, small colour gain and offset, pixel noise."""
    b = x.shape[0]
    blur = torch.rand(b, 1, 1, 1, generator=gen) < 0.5
    kernel = torch.tensor([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=torch.float32) / 16
    blurred = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel.expand(3, 1, 3, 3), groups=3)
    x = torch.where(blur, blurred, x)
    x = x * (1 + 0.08 * (torch.rand(b, 3, 1, 1, generator=gen) - 0.5)) + 0.08 * (torch.rand(b, 3, 1, 1, generator=gen) - 0.5)
    x = x + torch.randn(x.shape, generator=gen) * torch.rand(b, 1, 1, 1, generator=gen) * 0.12
    return x.clamp(-1, 1)


def _dct_matrix(n=8):
    k = torch.arange(n, dtype=torch.float32)
    m = torch.cos(math.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * math.sqrt(2 / n)
    m[0] /= math.sqrt(2)
    return m


DCT8 = _dct_matrix()


def _jpeg_like(x, step):
    """Quantises each 8x8 block's DCT coefficients, coarser for higher frequencies (JPEG's idea)."""
    b, c, h, w = x.shape
    blocks = x.reshape(b, c, h // 8, 8, w // 8, 8).permute(0, 1, 2, 4, 3, 5)
    coef = DCT8 @ blocks @ DCT8.T
    k = torch.arange(8, dtype=torch.float32)
    q = step[:, :, None, None, None, None] * (1 + (k[:, None] + k[None, :]) / 4)
    coef = torch.round(coef / q) * q
    return (DCT8.T @ coef @ DCT8).permute(0, 1, 2, 4, 3, 5).reshape(b, c, h, w)


def _gaussian_blur(x, sigma):
    """Per-image Gaussian blur, 5 taps, separable; sigma [B] (0 leaves the image as it is)."""
    b, c, h, w = x.shape
    t = torch.arange(-2, 3, dtype=torch.float32)
    k = torch.exp(-t[None, :] ** 2 / (2 * sigma[:, None].clamp(min=1e-3) ** 2))
    k = (k / k.sum(1, keepdim=True)).repeat_interleave(c, 0)
    y = x.reshape(1, b * c, h, w)
    y = F.conv2d(F.pad(y, (2, 2, 0, 0), mode="replicate"), k[:, None, None, :], groups=b * c)
    y = F.conv2d(F.pad(y, (0, 0, 2, 2), mode="replicate"), k[:, None, :, None], groups=b * c)
    return y.reshape(b, c, h, w)


def augment_shift_jpeg(x, gen):
    """The second judge's: shifts of up to 2 pixels, Gaussian blur of random width, contrast and
    saturation jitter, JPEG-like block quantisation, and smooth (8x8 upsampled) plus pixel noise,
    the kind of error a latent decoder makes."""
    b, _, h, w = x.shape
    shifts = torch.randint(-2, 3, (b, 2), generator=gen)
    padded = F.pad(x, (2, 2, 2, 2), mode="replicate")
    x = torch.stack([padded[i, :, 2 + dy:2 + dy + h, 2 + dx:2 + dx + w] for i, (dx, dy) in enumerate(shifts.tolist())])
    sigma = torch.rand(b, generator=gen) * 1.1 * (torch.rand(b, generator=gen) < 0.6)
    x = _gaussian_blur(x, sigma)
    grey = x.mean(1, keepdim=True)
    x = grey + (x - grey) * (0.85 + 0.3 * torch.rand(b, 1, 1, 1, generator=gen))
    mean = x.mean((1, 2, 3), keepdim=True)
    x = mean + (x - mean) * (0.9 + 0.2 * torch.rand(b, 1, 1, 1, generator=gen)) + 0.1 * (torch.rand(b, 1, 1, 1, generator=gen) - 0.5)
    jpeg = torch.rand(b, generator=gen) < 0.4
    step = (0.02 + 0.06 * torch.rand(b, 1, generator=gen)).expand(b, 3)
    x = torch.where(jpeg[:, None, None, None], _jpeg_like(x, step), x)
    smooth = F.interpolate(torch.randn(b, 3, 8, 8, generator=gen), size=(h, w), mode="bilinear", align_corners=False)
    x = x + smooth * 0.05 * torch.rand(b, 1, 1, 1, generator=gen)
    x = x + torch.randn(x.shape, generator=gen) * 0.08 * torch.rand(b, 1, 1, 1, generator=gen)
    return x.clamp(-1, 1)


ARCHS = {"cnn": nets.Judge, "resnet": nets.ResJudge}
AUGMENTS = {"blur-jitter": augment_blur_jitter, "shift-jpeg": augment_shift_jpeg}


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        outs = [torch.cat(t) for t in zip(*[model(images[i:i + 512]) for i in range(0, len(images), 512)])]
    return {a: float((o.argmax(1) == labels[:, k]).float().mean()) for k, (a, o) in enumerate(zip(world.ATTRIBUTE_ORDER, outs))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", type=int, default=24000)
    ap.add_argument("--held-out", type=int, default=3000)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--arch", choices=list(ARCHS), default="cnn")
    ap.add_argument("--augment", choices=list(AUGMENTS), default="blur-jitter")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    images, labels = draw_set(args.train, args.seed + 1000)
    test_images, test_labels = draw_set(args.held_out, args.seed + 2000)
    print(f"drew {args.train}+{args.held_out} images in {time.time() - t0:.0f}s", flush=True)
    model = ARCHS[args.arch](HEADS)
    augment = AUGMENTS[args.augment]
    print(f"{args.arch}: {sum(p.numel() for p in model.parameters())} parameters, augmentation {args.augment}, seed {args.seed}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = args.epochs * (args.train // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(args.train, generator=gen)
        for i in range(0, args.train - 127, 128):
            idx = perm[i:i + 128]
            outs = model(augment(images[idx], gen))
            loss = sum(F.cross_entropy(o, labels[idx, k]) for k, o in enumerate(outs))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
        acc = accuracy(model, test_images, test_labels)
        print(f"epoch {epoch} loss {loss.item():.3f} held-out " + " ".join(f"{a} {v:.4f}" for a, v in acc.items()), flush=True)
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    torch.onnx.export(model, (test_images[:2],), os.path.join(args.out, "model.onnx"), opset_version=17,
                      input_names=["image"], output_names=list(HEADS),
                      dynamic_axes={"image": {0: "batch"}, **{h: {0: "batch"} for h in HEADS}})
    with open(os.path.join(args.out, "judge.json"), "w") as f:
        json.dump({"input": "image", "range": [-1, 1], "attributes": {a: world.VALUES[a] for a in world.ATTRIBUTE_ORDER},
                   "heldOutAccuracy": acc, "heldOutImages": args.held_out, "trainImages": args.train, "seed": args.seed,
                   "arch": args.arch, "augment": args.augment, "epochs": args.epochs}, f, indent=2)
    print(f"exported judge to {args.out} in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
