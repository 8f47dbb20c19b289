"""Reference numbers for the TypeScript schedulers in src/core/schedulers.

diffusers cannot be installed here (no PyPI), so this file re-implements the three schedulers we support,
transcribed from diffusers' DDIMScheduler, EulerDiscreteScheduler and EulerAncestralDiscreteScheduler
(set_timesteps / scale_model_input / step), keeping diffusers' dtypes: betas and alphas_cumprod are torch
float32, sigmas are float32, timestep spacing uses the same numpy calls, and step() runs on float32 tensors.
Only the code paths the TS port supports are transcribed (eta = 0, no clipping/thresholding, no Karras
sigmas, epsilon / v_prediction); the Euler-ancestral noise is passed in instead of drawn.

Deterministic (no seeds needed). Run: /usr/bin/python3 tools/reference/scheduler_reference.py
Writes tests/fixtures/schedulers/reference.json.
"""
import json
import os
import re

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "schedulers", "reference.json")
N = 16  # length of the toy sample

SD15 = {"_class_name": "PNDMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "prediction_type": "epsilon", "set_alpha_to_one": False, "steps_offset": 1,
        "skip_prk_steps": True, "clip_sample": False, "timestep_spacing": "leading"}
SD_TURBO = {"_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
            "beta_schedule": "scaled_linear", "prediction_type": "epsilon", "set_alpha_to_one": False, "steps_offset": 1,
            "skip_prk_steps": True, "clip_sample": False, "interpolation_type": "linear", "use_karras_sigmas": False,
            "timestep_spacing": "trailing", "trained_betas": None, "sample_max_value": 1.0}


def alphas_cumprod(cfg):
    """As every diffusers scheduler __init__ does (torch float32; torch's CPU cumprod accumulates in double)."""
    t = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "linear":
        betas = torch.linspace(cfg["beta_start"], cfg["beta_end"], t, dtype=torch.float32)
    elif cfg["beta_schedule"] == "scaled_linear":
        betas = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, t, dtype=torch.float32) ** 2
    else:
        raise NotImplementedError(cfg["beta_schedule"])
    return torch.cumprod(1.0 - betas, dim=0)


def spaced(cfg, n, spacing, as_float):
    """The timestep_spacing branches of set_timesteps (DDIM: int64; Euler / Euler-a: float32)."""
    t = cfg["num_train_timesteps"]
    if spacing == "linspace":
        if as_float:
            return np.linspace(0, t - 1, n, dtype=np.float32)[::-1].copy()
        return np.linspace(0, t - 1, n).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        step_ratio = t // n
        ts = (np.arange(0, n) * step_ratio).round()[::-1].copy().astype(np.float32 if as_float else np.int64)
        ts += cfg.get("steps_offset", 0)
        return ts
    if spacing == "trailing":
        step_ratio = t / n
        ts = np.round(np.arange(t, 0, -step_ratio)).astype(np.float32 if as_float else np.int64)
        ts -= 1
        return ts
    raise ValueError(spacing)


class DDIM:
    def __init__(self, cfg):
        self.cfg = cfg
        self.alphas_cumprod = alphas_cumprod(cfg)
        self.final_alpha_cumprod = torch.tensor(1.0) if cfg.get("set_alpha_to_one", True) else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def set_timesteps(self, n):
        assert n <= self.cfg["num_train_timesteps"]
        self.num_inference_steps = n
        self.timesteps = torch.from_numpy(spaced(self.cfg, n, self.cfg.get("timestep_spacing", "leading"), False))

    def scale_factor(self, i):
        return 1.0

    def step(self, i, model_output, sample, noise):
        timestep = int(self.timesteps[i])
        prev_timestep = timestep - self.cfg["num_train_timesteps"] // self.num_inference_steps
        alpha_prod_t = self.alphas_cumprod[timestep]
        alpha_prod_t_prev = self.alphas_cumprod[prev_timestep] if prev_timestep >= 0 else self.final_alpha_cumprod
        beta_prod_t = 1 - alpha_prod_t
        if self.cfg.get("prediction_type", "epsilon") == "epsilon":
            pred_original_sample = (sample - beta_prod_t ** (0.5) * model_output) / alpha_prod_t ** (0.5)
            pred_epsilon = model_output
        else:  # v_prediction
            pred_original_sample = (alpha_prod_t**0.5) * sample - (beta_prod_t**0.5) * model_output
            pred_epsilon = (alpha_prod_t**0.5) * model_output + (beta_prod_t**0.5) * sample
        std_dev_t = 0.0  # eta = 0
        pred_sample_direction = (1 - alpha_prod_t_prev - std_dev_t**2) ** (0.5) * pred_epsilon
        prev_sample = alpha_prod_t_prev ** (0.5) * pred_original_sample + pred_sample_direction
        return prev_sample, pred_original_sample


class Euler:
    ancestral = False

    def __init__(self, cfg):
        self.cfg = cfg
        self.alphas_cumprod = alphas_cumprod(cfg)
        sigmas = (((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5).flip(0)
        self.sigmas = torch.cat([sigmas, torch.zeros(1)])

    @property
    def init_noise_sigma(self):
        max_sigma = self.sigmas.max()
        if self.cfg.get("timestep_spacing", "linspace") in ["linspace", "trailing"]:
            return max_sigma
        return (max_sigma**2 + 1) ** 0.5

    def set_timesteps(self, n):
        timesteps = spaced(self.cfg, n, self.cfg.get("timestep_spacing", "linspace"), True)
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)  # interpolation_type "linear"
        sigmas = np.concatenate([sigmas, [0.0]]).astype(np.float32)  # final_sigmas_type "zero"
        self.sigmas = torch.from_numpy(sigmas).to(dtype=torch.float32)
        self.timesteps = torch.from_numpy(timesteps.astype(np.float32))

    def scale_factor(self, i):
        sigma = self.sigmas[i]
        return 1.0 / float((sigma**2 + 1) ** 0.5)  # scale_model_input divides by this

    def pred_original(self, sigma, model_output, sample):
        if self.cfg.get("prediction_type", "epsilon") == "epsilon":
            return sample - sigma * model_output
        return model_output * (-sigma / (sigma**2 + 1) ** 0.5) + (sample / (sigma**2 + 1))

    def step(self, i, model_output, sample, noise):
        sample = sample.to(torch.float32)
        sigma = self.sigmas[i]
        if not self.ancestral:  # EulerDiscreteScheduler.step with s_churn = 0 (gamma = 0, sigma_hat = sigma)
            sigma_hat = sigma * (0.0 + 1)
            pred_original_sample = self.pred_original(sigma, model_output, sample)
            derivative = (sample - pred_original_sample) / sigma_hat
            dt = self.sigmas[i + 1] - sigma_hat
            return sample + derivative * dt, pred_original_sample
        pred_original_sample = self.pred_original(sigma, model_output, sample)
        sigma_from = self.sigmas[i]
        sigma_to = self.sigmas[i + 1]
        sigma_up = (sigma_to**2 * (sigma_from**2 - sigma_to**2) / sigma_from**2) ** 0.5
        sigma_down = (sigma_to**2 - sigma_up**2) ** 0.5
        derivative = (sample - pred_original_sample) / sigma
        dt = sigma_down - sigma
        prev_sample = sample + derivative * dt
        return prev_sample + noise * sigma_up, pred_original_sample


class EulerAncestral(Euler):
    ancestral = True


KINDS = {"ddim": DDIM, "euler": Euler, "euler_ancestral": EulerAncestral}


def inputs(k):
    x = np.arange(N, dtype=np.float64)
    f = lambda a: torch.from_numpy(a.astype(np.float32))
    return f(np.sin(x * 0.37 + k)), f(np.cos(x * 0.11 * k)), f(np.sin(x * 1.3))


def floats(t):
    return [float(v) for v in t.reshape(-1)]


def run_case(name, cfg, kind, steps):
    s = KINDS[kind](cfg)
    s.set_timesteps(steps)
    out = {"name": name, "kind": kind, "steps": steps, "config": cfg,
           "timesteps": [float(t) if kind != "ddim" else int(t) for t in s.timesteps],
           "initNoiseSigma": float(s.init_noise_sigma), "scaleModelInput": [], "step": [], "predOriginal": []}
    for i in range(len(s.timesteps)):
        sample, model_output, noise = inputs(i + 1)
        prev, x0 = s.step(i, model_output, sample, noise)
        out["scaleModelInput"].append(s.scale_factor(i))
        out["step"].append(floats(prev))
        out["predOriginal"].append(floats(x0))
    return out


def main():
    with_ = lambda base, **kw: {**base, **kw}
    euler_sd15 = with_(SD15, _class_name="EulerDiscreteScheduler")
    cases = [
        run_case("sd15 ddim leading 20", SD15, "ddim", 20),
        run_case("sd15 ddim leading 50", SD15, "ddim", 50),
        run_case("sd-turbo euler_ancestral trailing 1", SD_TURBO, "euler_ancestral", 1),
        run_case("sd-turbo euler_ancestral trailing 2", SD_TURBO, "euler_ancestral", 2),
        run_case("sd-turbo euler_ancestral trailing 4", SD_TURBO, "euler_ancestral", 4),
        run_case("sd-turbo euler trailing 4", SD_TURBO, "euler", 4),
        run_case("sd15 euler leading 20", euler_sd15, "euler", 20),
        run_case("sd15 ddim trailing 10", with_(SD15, timestep_spacing="trailing"), "ddim", 10),
        run_case("sd15 ddim trailing 10 v_prediction", with_(SD15, timestep_spacing="trailing", prediction_type="v_prediction"), "ddim", 10),
        run_case("sd15 ddim linspace 7", with_(SD15, timestep_spacing="linspace"), "ddim", 7),
        # Extra coverage: fractional Euler timesteps, v-prediction through both Euler variants, linear betas.
        run_case("sd15 euler linspace 9 v_prediction", with_(euler_sd15, timestep_spacing="linspace", prediction_type="v_prediction"), "euler", 9),
        run_case("sd15 euler_ancestral leading 6 v_prediction", with_(euler_sd15, prediction_type="v_prediction"), "euler_ancestral", 6),
        run_case("linear-betas ddim leading 5 set_alpha_to_one", with_(SD15, beta_schedule="linear", beta_start=0.0001, beta_end=0.02, set_alpha_to_one=True, steps_offset=0), "ddim", 5),
    ]
    # Timestep lists only, for step counts where numpy's arange/round quirks show (e.g. trailing 61 yields 62 steps).
    timesteps_only = []
    for spacing in ["leading", "trailing", "linspace"]:
        for n in [3, 7, 61, 103, 999]:
            cfg = with_(SD15, timestep_spacing=spacing)
            timesteps_only.append({"spacing": spacing, "steps": n, "stepsOffset": 1,
                                   "ddim": [int(t) for t in spaced(cfg, n, spacing, False)],
                                   "euler": [float(t) for t in spaced(cfg, n, spacing, True)]})
    ac = alphas_cumprod(SD15)
    probe = [0, 1, 10, 100, 500, 998, 999]
    data = {
        "generator": "tools/reference/scheduler_reference.py (numpy/torch transcription of diffusers' schedulers)",
        "inputs": {"length": N, "k": "i + 1 (step index plus one)", "sample": "float32(sin(arange(16) * 0.37 + k))",
                   "modelOutput": "float32(cos(arange(16) * 0.11 * k))", "noise": "float32(sin(arange(16) * 1.3))"},
        "alphasCumprodProbe": {"config": SD15, "indices": probe, "values": [float(ac[i]) for i in probe]},
        "cases": cases,
        "timestepsOnly": timesteps_only,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        # Indented, but flat number lists on one line each so the file stays short and diffable.
        text = json.dumps(data, indent=1)
        text = re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
        f.write(text + "\n")
    for c in cases:
        ts = c["timesteps"]
        print(f"{c['name']:<48} {len(ts):>3} steps  t[0]={ts[0]:<9g} t[-1]={ts[-1]:<9g} init_sigma={c['initNoiseSigma']:.6g}"
              f"  last step[0]={c['step'][-1][0]:.6g}")
    quirk = next(t for t in timesteps_only if t["spacing"] == "trailing" and t["steps"] == 61)
    print("numpy quirk kept: trailing 61 ->", len(quirk["ddim"]), "timesteps, last", quirk["ddim"][-1])
    print("wrote", os.path.relpath(OUT), f"({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
