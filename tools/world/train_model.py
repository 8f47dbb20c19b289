"""Trains the embedded text-to-image model of the shapes world and exports it as ONNX.

Three stages: the autoencoder (the model's VAE), the text encoder on attribute labels, then
diffusion on the autoencoder's latents. Run with Debian's python3 (python3-torch, python3-onnx, and
libopenblas0-serial: with the reference BLAS that torch falls back to, training is 7x slower):
    /usr/bin/python3 tools/world/train_model.py --out public/models/ores-tiny-world
Seeded; a smoke run is `--steps 20 --ae-steps 20 --text-steps 20 --scenes 256 --eval-n 8 --out /tmp/smoke`.
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
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_bpe  # noqa: E402
import nets  # noqa: E402
import onnx_judge  # noqa: E402
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


def export(text_encoder, unet, decoder, tokenizer, out):
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
    torch.onnx.export(decoder, (sample[:1],), os.path.join(out, "vae_decoder", "model.onnx"), opset_version=17,
                      input_names=["latent_sample"], output_names=["sample"],
                      dynamic_axes={"latent_sample": {0: "batch_size"}, "sample": {0: "batch_size"}})
    tokenizer.save(os.path.join(out, "tokenizer"))
    with open(os.path.join(out, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER_CONFIG, f, indent=2)


def load_ema(text_encoder, unet, ema):
    """Puts the EMA weights (the text encoder's parameters, then the UNet's) into the two networks."""
    with torch.no_grad():
        for e, p in zip(ema, list(text_encoder.parameters()) + list(unet.parameters())):
            p.copy_(e)
    text_encoder.eval(); unet.eval()


def export_checkpoint(args):
    tokenizer = build_tokenizer()
    ck = torch.load(args.checkpoint)
    text_encoder, unet, ae = nets.TextEncoder(len(tokenizer.vocab)), nets.UNet(), nets.AutoEncoder()
    ae.load_state_dict(ck["autoencoder"])
    load_ema(text_encoder, unet, ck["ema"])
    export(text_encoder, unet, nets.VaeDecoder(ae.decoder, ck["latent_mean"], ck["latent_std"]).eval(), tokenizer, args.out)
    print(f"exported step {ck['step']} to {args.out}")


def caption_batch(scenes, indices, rng, tokenizer, drop_p):
    """Token ids and attribute labels (the value's index, or len(values) when the caption does not name it)."""
    ids, labels = [], []
    for i in indices:
        named = set()
        text = "" if rng.random() < drop_p else world.caption(scenes[i], rng, named=named)
        ids.append(tokenizer.encode(text))
        labels.append([world.VALUES[a].index(scenes[i][a]) if a in named else len(world.VALUES[a]) for a in world.ATTRIBUTE_ORDER])
    return torch.tensor(ids, dtype=torch.int32), torch.tensor(labels, dtype=torch.int64)


def average_gradients(params, procs):
    """Data parallelism over processes: one gradient all-reduce per step keeps the replicas equal."""
    if procs == 1:
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= procs
    at = 0
    for p, g in zip(params, grads):
        p.grad = flat[at:at + g.numel()].view_as(g)
        at += g.numel()


def attribute_loss(heads, hidden, labels):
    return sum(F.cross_entropy(o, labels[:, k]) for k, o in enumerate(heads(hidden)))


def pretrain_text_encoder(text_encoder, heads, scenes, tokenizer, rng, args):
    """Stage 1: the text encoder learns to read the world's attributes (synonyms, implicit phrases,
    filler) from their labels, so the UNet starts from a text embedding that already carries them."""
    params = list(text_encoder.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4)
    for step in range(args.text_steps):
        for g in opt.param_groups:
            g["lr"] = 2e-3 * min(1, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * step / args.text_steps))
        ids, labels = caption_batch(scenes, random_indices(rng, len(scenes), 64 // args.procs), rng, tokenizer, 0.05)
        loss = attribute_loss(heads, text_encoder(ids), labels)
        opt.zero_grad()
        loss.backward()
        average_gradients(params, args.procs)
        opt.step()
        if args.rank == 0 and (step % 200 == 0 or step == args.text_steps - 1):
            print(f"text step {step} attribute loss {loss.item():.4f}", flush=True)
    ids, labels = caption_batch(scenes, random_indices(random.Random(args.seed + 1), len(scenes), 2000), random.Random(args.seed + 2), tokenizer, 0)
    with torch.no_grad():
        outs = heads(text_encoder(ids))
    acc = {a: float((o.argmax(1) == labels[:, k]).float().mean()) for k, (a, o) in enumerate(zip(world.ATTRIBUTE_ORDER, outs))}
    if args.rank == 0:
        print("text encoder attribute accuracy on fresh captions: " + " ".join(f"{a} {v:.3f}" for a, v in acc.items()), flush=True)


def random_indices(rng, n, k):
    return [rng.randrange(n) for _ in range(k)]


def train_autoencoder(ae, images, rng, args):
    """Stage 0: the VAE. Noise on the latents (10% of their spread) makes the decoder robust to the
    small errors of sampled latents; the encoder is not regularised otherwise."""
    params = list(ae.parameters())
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-5)
    for step in range(args.ae_steps):
        for g in opt.param_groups:
            g["lr"] = 2e-3 * min(1, (step + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / args.ae_steps)))
        x = images[random_indices(rng, len(images), args.batch // args.procs)]
        z = ae.encoder(x)
        z = z + 0.1 * z.detach().std() * torch.randn_like(z)
        loss = F.mse_loss(ae.decoder(z), x)
        opt.zero_grad()
        loss.backward()
        average_gradients(params, args.procs)
        opt.step()
        if args.rank == 0 and (step % 200 == 0 or step == args.ae_steps - 1):
            print(f"autoencoder step {step} reconstruction mse {loss.item():.5f}", flush=True)


@torch.no_grad()
def encode_dataset(ae, images):
    """Latents of every training image, and their per-channel mean and spread (the UNet's space is normalised)."""
    z = torch.cat([ae.encoder(images[i:i + 512]) for i in range(0, len(images), 512)])
    mean, std = z.mean(dim=(0, 2, 3)), z.std(dim=(0, 2, 3))
    return (z - mean[None, :, None, None]) / std[None, :, None, None], mean, std


def judged_rates(judge, images, scenes, attributes):
    p = judge(images)
    return {a: sum(world.VALUES[a][int(p[a][i])] == s[a] for i, s in enumerate(scenes)) / len(scenes) for a in attributes}


def report_reconstruction(ae, judge, seed):
    """How well the judge reads the world's attributes off decoded latents of freshly drawn scenes."""
    scenes, images = make_dataset(500, seed + 7)
    with torch.no_grad():
        rec = ae.decoder(ae.encoder(images))
    rates = judged_rates(judge, rec, scenes, world.ATTRIBUTE_ORDER)
    print(f"autoencoder: mse {F.mse_loss(rec, images).item():.5f} on 500 fresh scenes; judge on reconstructions: "
          + " ".join(f"{a} {v:.3f}" for a, v in rates.items()), flush=True)


@torch.no_grad()
def ddim_sample(unet, hidden, uncond, generator, steps=20, guidance=5.0):
    """The engine's sampler (DDIM, eta 0, 'leading' spacing, v-prediction, classifier-free guidance)."""
    ab = alphas_cumprod()
    b = hidden.shape[0]
    x = torch.randn(b, nets.LATENT_CHANNELS, nets.LATENT_SIZE, nets.LATENT_SIZE, generator=generator)
    stride = TRAIN_TIMESTEPS // steps
    context = torch.cat([uncond.expand(b, -1, -1), hidden])
    for t in reversed(range(1, TRAIN_TIMESTEPS, stride)):
        v_u, v_c = unet(torch.cat([x, x]), torch.tensor([t]), context).chunk(2)
        v = v_u + guidance * (v_c - v_u)
        a, a_prev = ab[t], ab[t - stride] if t >= stride else ab[0]
        x0 = a.sqrt() * x - (1 - a).sqrt() * v
        eps = a.sqrt() * v + (1 - a).sqrt() * x
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    return x


HELDOUT = os.path.join(world.ROOT, "tests", "fixtures", "world", "heldout_captions.json")


def report_quality(text_encoder, unet, decoder, judge, tokenizer, n, label):
    """bench:world's measurement during training: the judge on images from held-out captions."""
    cases = json.load(open(HELDOUT))[:n]
    with torch.no_grad():
        hidden = text_encoder(torch.tensor([tokenizer.encode(c["caption"]) for c in cases], dtype=torch.int32))
        uncond = text_encoder(torch.tensor([tokenizer.encode("")], dtype=torch.int32))
        images = decoder(ddim_sample(unet, hidden, uncond, torch.Generator().manual_seed(0)))
    rates = judged_rates(judge, images, [c["scene"] for c in cases], ["colour", "shape", "background"])
    print(f"quality {label} on {n} held-out captions: " + " ".join(f"{a} {v:.3f}" for a, v in rates.items()), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6000, help="diffusion steps (stage 2)")
    ap.add_argument("--ae-steps", type=int, default=1500, help="autoencoder steps (stage 0)")
    ap.add_argument("--text-steps", type=int, default=1000, help="text-encoder steps on attribute labels (stage 1)")
    ap.add_argument("--aux-weight", type=float, default=0.1, help="attribute loss kept on the text encoder during stage 2")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--scenes", type=int, default=30000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--procs", type=int, default=2, help="data-parallel processes of one thread each (a 2-core machine: 2)")
    ap.add_argument("--eval-every", type=int, default=1000, help="diffusion steps between quality reports (0: only at the end)")
    ap.add_argument("--eval-n", type=int, default=100, help="held-out captions per quality report")
    ap.add_argument("--judge", default=os.path.join(world.ROOT, "public", "models", "ores-tiny-world", "judge", "model.onnx"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint", default="/tmp/ores-tiny-world.pt")
    ap.add_argument("--export-only", action="store_true", help="export the checkpoint's EMA weights without training")
    args = ap.parse_args()
    if args.export_only:
        return export_checkpoint(args)
    if args.batch % args.procs:
        ap.error("--batch must be a multiple of --procs")
    # One thread per process, OpenBLAS included: measured on this 2-core machine, 2 processes x
    # batch 16 took 0.35 s per step of 32 where one process with torch and OpenBLAS threads took 0.57 s.
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    if args.procs == 1:
        return train(0, args)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(29500 + os.getpid() % 1000))
    mp.spawn(train, args=(args,), nprocs=args.procs)


def train(rank, args):
    args.rank = rank
    if args.procs > 1:
        dist.init_process_group("gloo", rank=rank, world_size=args.procs)
    torch.set_num_threads(1)
    log = print if rank == 0 else (lambda *a, **k: None)
    torch.manual_seed(args.seed)  # the same initial weights in every process
    t0 = time.time()
    tokenizer = build_tokenizer()
    scenes, images = make_dataset(args.scenes, args.seed)
    log(f"vocab {len(tokenizer.vocab)} tokens, {len(scenes)} scenes drawn in {time.time() - t0:.0f}s", flush=True)

    ae, text_encoder, unet = nets.AutoEncoder(), nets.TextEncoder(len(tokenizer.vocab)), nets.UNet()
    heads = nets.AttributeHeads([len(world.VALUES[a]) for a in world.ATTRIBUTE_ORDER])
    judge = onnx_judge.OnnxJudge(args.judge)
    params = list(text_encoder.parameters()) + list(unet.parameters())
    log(f"parameters: autoencoder {sum(p.numel() for p in ae.parameters())}, text encoder {sum(p.numel() for p in text_encoder.parameters())}, "
        f"unet {sum(p.numel() for p in unet.parameters())}", flush=True)
    opt = torch.optim.AdamW(params + list(heads.parameters()), lr=args.lr, weight_decay=1e-4)
    ema = None
    start = 0
    if os.path.exists(args.checkpoint):
        ck = torch.load(args.checkpoint)
        if ck["steps"] == args.steps and ck["seed"] == args.seed and ck.get("procs") == args.procs and "autoencoder" in ck:
            ae.load_state_dict(ck["autoencoder"]); text_encoder.load_state_dict(ck["text_encoder"]); unet.load_state_dict(ck["unet"])
            heads.load_state_dict(ck["heads"]); opt.load_state_dict(ck["opt"]); ema = ck["ema"]; start = ck["step"]
            log(f"resumed at step {start}", flush=True)
    # Each process draws its own batches and noise; a resumed run reseeds from the step it resumes at.
    rng = random.Random(f"{args.seed}/{rank}/{start}")
    torch.manual_seed(args.seed * 1000 + rank * 100003 + start)
    if ema is None:
        train_autoencoder(ae, images, rng, args)
        if rank == 0:
            report_reconstruction(ae, judge, args.seed)
        log(f"stage 0 done after {(time.time() - t0) / 60:.1f} min", flush=True)
        pretrain_text_encoder(text_encoder, heads, scenes, tokenizer, rng, args)
        log(f"stage 1 done after {(time.time() - t0) / 60:.1f} min", flush=True)
        ema = [p.detach().clone() for p in params]
    latents, latent_mean, latent_std = encode_dataset(ae, images)
    decoder = nets.VaeDecoder(ae.decoder, latent_mean, latent_std).eval()
    ema_text_encoder, ema_unet = nets.TextEncoder(len(tokenizer.vocab)), nets.UNet()
    ab = alphas_cumprod()
    warmup = min(300, args.steps // 10 + 1)
    t_start = time.time()
    for step in range(start, args.steps):
        lr = args.lr * min(1, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = random_indices(rng, len(scenes), args.batch // args.procs)
        ids, labels = caption_batch(scenes, idx, rng, tokenizer, 0.1)
        x0 = latents[idx]
        t = torch.randint(0, TRAIN_TIMESTEPS, (len(idx),))
        eps = torch.randn_like(x0)
        a = ab[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        hidden = text_encoder(ids)
        pred = unet(xt, t, hidden)
        v = a.sqrt() * eps - (1 - a).sqrt() * x0
        # Every timestep weighs alike: min-SNR weighting nearly ignored the noisiest steps, where
        # colour and layout are decided, and the UNet learnt to ignore the prompt (docs/world-model.md).
        diffusion = ((pred - v) ** 2).mean()
        aux = attribute_loss(heads, hidden, labels)
        loss = diffusion + args.aux_weight * aux
        opt.zero_grad()
        loss.backward()
        average_gradients(params + list(heads.parameters()), args.procs)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(0.999, (1 + step) / (10 + step))
            for e, p in zip(ema, params):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        if step % 100 == 0 or step == args.steps - 1:
            el = time.time() - t_start
            log(f"step {step} loss {diffusion.item():.4f} attribute {aux.item():.3f} lr {lr:.2e} "
                  f"{el / (step - start + 1):.3f}s/step elapsed {(time.time() - t0) / 60:.1f}min", flush=True)
        if rank == 0 and (step % 500 == 499 or step == args.steps - 1):
            torch.save({"steps": args.steps, "seed": args.seed, "procs": args.procs, "step": step + 1, "autoencoder": ae.state_dict(),
                        "latent_mean": latent_mean, "latent_std": latent_std, "text_encoder": text_encoder.state_dict(),
                        "unet": unet.state_dict(), "heads": heads.state_dict(), "opt": opt.state_dict(), "ema": ema}, args.checkpoint)
        last = step == args.steps - 1
        if rank == 0 and (last or args.eval_every and step % args.eval_every == args.eval_every - 1):
            load_ema(ema_text_encoder, ema_unet, ema)
            report_quality(ema_text_encoder, ema_unet, decoder, judge, tokenizer, args.eval_n, f"at step {step + 1}")
    if rank > 0:
        return
    load_ema(ema_text_encoder, ema_unet, ema)  # also when a finished checkpoint is resumed and the loop never ran
    export(ema_text_encoder, ema_unet, decoder, tokenizer, args.out)
    log(f"exported to {args.out} after {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
