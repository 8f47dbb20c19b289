"""Trains the embedded text-to-image model of the shapes world and exports it as ONNX.

Run with Debian's python3 (python3-torch, python3-onnx):
    /usr/bin/python3 tools/world/train_model.py --out public/models/ores-tiny-world
Seeded; a smoke run is `--steps 20 --scenes 256 --out /tmp/smoke`.
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
import clip_bpe  # noqa: E402
import nets  # noqa: E402
import world  # noqa: E402

TRAIN_TIMESTEPS = 1000
# v-prediction: with epsilon prediction the x0 estimate at high noise divides by sqrt(alpha_bar) ~ 0.08,
# and a model trained for 45 CPU minutes left visible noise in every sample; v-prediction did not.
SCHEDULER_CONFIG = {
    "_class_name": "DDIMScheduler", "num_train_timesteps": TRAIN_TIMESTEPS, "beta_start": 0.00085,
    "beta_end": 0.012, "beta_schedule": "scaled_linear", "prediction_type": "v_prediction",
    "set_alpha_to_one": False, "steps_offset": 1, "timestep_spacing": "leading", "clip_sample": False,
}


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, TRAIN_TIMESTEPS, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).float()


def build_tokenizer():
    return clip_bpe.Tokenizer(clip_bpe.learn(world.vocabulary_words()))


def make_dataset(n, seed):
    rng = random.Random(seed)
    scenes, images = [], np.empty((n, 3, world.SIZE, world.SIZE), np.float32)
    for i in range(n):
        s = world.random_scene(rng)
        scenes.append(s)
        images[i] = world.draw(s, rng).transpose(2, 0, 1) * 2 - 1
    return scenes, torch.from_numpy(images)


def export(text_encoder, unet, tokenizer, out):
    for sub in ("text_encoder", "unet", "vae_decoder", "tokenizer", "scheduler"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    ids = torch.tensor([tokenizer.encode("a red circle")], dtype=torch.int32)
    torch.onnx.export(text_encoder, (ids,), os.path.join(out, "text_encoder", "model.onnx"), opset_version=17,
                      input_names=["input_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    sample = torch.randn(2, nets.LATENT_CHANNELS, nets.LATENT_SIZE, nets.LATENT_SIZE)
    ctx = torch.randn(2, 77, nets.TEXT_DIM)
    torch.onnx.export(unet, (sample, torch.tensor([500], dtype=torch.int64), ctx), os.path.join(out, "unet", "model.onnx"),
                      opset_version=17, input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"],
                      dynamic_axes={"sample": {0: "batch_size"}, "encoder_hidden_states": {0: "batch_size"}, "out_sample": {0: "batch_size"}})
    torch.onnx.export(nets.PixelDecoder(), (sample[:1],), os.path.join(out, "vae_decoder", "model.onnx"), opset_version=17,
                      input_names=["latent_sample"], output_names=["sample"],
                      dynamic_axes={"latent_sample": {0: "batch_size"}, "sample": {0: "batch_size"}})
    tokenizer.save(os.path.join(out, "tokenizer"))
    with open(os.path.join(out, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER_CONFIG, f, indent=2)


def export_checkpoint(args):
    tokenizer = build_tokenizer()
    text_encoder, unet = nets.TextEncoder(len(tokenizer.vocab)), nets.UNet()
    ck = torch.load(args.checkpoint)
    params = list(text_encoder.parameters()) + list(unet.parameters())
    with torch.no_grad():
        for e, p in zip(ck["ema"], params):
            p.copy_(e)
    text_encoder.eval(); unet.eval()
    export(text_encoder, unet, tokenizer, args.out)
    print(f"exported step {ck['step']} to {args.out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--scenes", type=int, default=30000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="one thread: OpenMP with two threads on two shared cores ran 4x slower")
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint", default="/tmp/ores-tiny-world.pt")
    ap.add_argument("--export-only", action="store_true", help="export the checkpoint's EMA weights without training")
    ap.add_argument("--init-from", help="warm start: a checkpoint of an earlier run whose EMA weights seed this one")
    ap.add_argument("--loss-weight", choices=["min-snr", "constant"], default="min-snr")
    args = ap.parse_args()
    if args.export_only:
        return export_checkpoint(args)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    t0 = time.time()
    tokenizer = build_tokenizer()
    scenes, images = make_dataset(args.scenes, args.seed)
    latents = nets.encode_pixels(images)
    print(f"vocab {len(tokenizer.vocab)} tokens, {len(scenes)} scenes drawn in {time.time() - t0:.0f}s", flush=True)

    text_encoder, unet = nets.TextEncoder(len(tokenizer.vocab)), nets.UNet()
    params = list(text_encoder.parameters()) + list(unet.parameters())
    print(f"parameters: text encoder {sum(p.numel() for p in text_encoder.parameters())}, unet {sum(p.numel() for p in unet.parameters())}", flush=True)
    if args.init_from:
        ck = torch.load(args.init_from)
        named = list(text_encoder.named_parameters()) + [("unet." + n, p) for n, p in unet.named_parameters()]
        old = [n for n, _ in nets.TextEncoder(len(tokenizer.vocab)).named_parameters()] + \
              ["unet." + n for n, _ in unet.named_parameters() if not n.startswith("pooled.")]
        by_name = dict(zip(old, ck["ema"]))
        with torch.no_grad():
            for n, p in named:
                if n in by_name:
                    p.copy_(by_name[n])
        print(f"warm start from {args.init_from} (step {ck['step']}); new: {[n for n, _ in named if n not in by_name]}", flush=True)
    ema = [p.detach().clone() for p in params]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    start = 0
    if os.path.exists(args.checkpoint):
        ck = torch.load(args.checkpoint)
        if ck["steps"] == args.steps and ck["seed"] == args.seed:
            text_encoder.load_state_dict(ck["text_encoder"]); unet.load_state_dict(ck["unet"])
            opt.load_state_dict(ck["opt"]); ema = ck["ema"]; start = ck["step"]
            rng.setstate(ck["rng"]); torch.set_rng_state(ck["torch_rng"])
            print(f"resumed at step {start}", flush=True)
    ab = alphas_cumprod()
    warmup = min(300, args.steps // 10 + 1)
    t_start = time.time()
    for step in range(start, args.steps):
        lr = args.lr * min(1, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, len(scenes), (args.batch,))
        caps = ["" if rng.random() < 0.1 else world.caption(scenes[i], rng) for i in idx.tolist()]
        ids = torch.tensor([tokenizer.encode(c) for c in caps], dtype=torch.int32)
        x0 = latents[idx]
        t = torch.randint(0, TRAIN_TIMESTEPS, (args.batch,))
        eps = torch.randn_like(x0)
        a = ab[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        pred = unet(xt, t, text_encoder(ids))
        v = a.sqrt() * eps - (1 - a).sqrt() * x0
        snr = ab[t] / (1 - ab[t])
        # min-SNR weighting nearly ignores the noisiest steps (weight ~ snr there), where colour and
        # layout are decided; stage 2 weights every step alike to teach the conditioning.
        weight = torch.clamp(snr, max=5.0) / (snr + 1) if args.loss_weight == "min-snr" else torch.ones_like(snr)
        loss = (weight * ((pred - v) ** 2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(0.999, (1 + step) / (10 + step))
            for e, p in zip(ema, params):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        if step % 100 == 0 or step == args.steps - 1:
            el = time.time() - t_start
            print(f"step {step} loss {loss.item():.4f} lr {lr:.2e} {el / (step - start + 1):.3f}s/step elapsed {el / 60:.1f}min", flush=True)
        if step % 500 == 499 or step == args.steps - 1:
            torch.save({"steps": args.steps, "seed": args.seed, "step": step + 1, "text_encoder": text_encoder.state_dict(),
                        "unet": unet.state_dict(), "opt": opt.state_dict(), "ema": ema, "rng": rng.getstate(),
                        "torch_rng": torch.get_rng_state()}, args.checkpoint)
    with torch.no_grad():
        for e, p in zip(ema, params):
            p.copy_(e)
    text_encoder.eval(); unet.eval()
    export(text_encoder, unet, tokenizer, args.out)
    print(f"exported to {args.out} after {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
