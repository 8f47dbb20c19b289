"""Builds the tiny ONNX helper graphs that keep the sampling loop on the GPU.

The engine runs them as ordinary onnxruntime-web sessions next to the UNet, so latents, noise
predictions and embeddings never leave the device between steps. All shapes are dynamic.
Run: /usr/bin/python3 tools/graphs/build_graphs.py  (writes public/graphs/*.onnx)
"""
import os

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "public", "graphs")
F = TensorProto.FLOAT
OPSET = [helper.make_opsetid("", 17)]


def latent(name, batch="n"):
    return helper.make_tensor_value_info(name, F, [batch, "c", "h", "w"])


def const_i64(name, values, dims=None):
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(name + "_v", TensorProto.INT64, dims if dims is not None else [len(values)], values))


def scalar(coeffs, index, out):
    """coeffs[index] as a scalar, so Mul broadcasts it."""
    return [const_i64(out + "_i", [index], []), helper.make_node("Gather", [coeffs, out + "_i"], [out], axis=0)]


def save(graph, name):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="ores-browser-tools")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def latent_step():
    """One scheduler step with classifier-free guidance folded in.

    eps      = sum_n weights[n] * model_output[n]          (CFG: weights = [1-g, g])
    next     = a*sample + b*eps + c*noise                   (coeffs[0..2])
    denoised = p*sample + q*eps                             (coeffs[4..5], the x0 estimate for previews)
    unet_in  = expand(next * coeffs[3], unet_shape)         (the next UNet input, batch duplicated)
    """
    nodes = [const_i64("w_shape", [-1, 1, 1, 1]), helper.make_node("Reshape", ["weights", "w_shape"], ["w4"]),
             helper.make_node("Mul", ["model_output", "w4"], ["weighted"]), const_i64("axis0", [0]),
             helper.make_node("ReduceSum", ["weighted", "axis0"], ["eps"], keepdims=1)]
    for i, n in enumerate(["a", "b", "c", "s", "p", "q"]):
        nodes += scalar("coeffs", i, n)
    nodes += [helper.make_node("Mul", ["sample", "a"], ["ax"]), helper.make_node("Mul", ["eps", "b"], ["be"]),
              helper.make_node("Mul", ["noise", "c"], ["cn"]), helper.make_node("Add", ["ax", "be"], ["axbe"]),
              helper.make_node("Add", ["axbe", "cn"], ["next_sample"]),
              helper.make_node("Mul", ["sample", "p"], ["px"]), helper.make_node("Mul", ["eps", "q"], ["qe"]),
              helper.make_node("Add", ["px", "qe"], ["denoised"]),
              helper.make_node("Mul", ["next_sample", "s"], ["scaled"]),
              helper.make_node("Expand", ["scaled", "unet_shape"], ["next_unet_input"])]
    graph = helper.make_graph(nodes, "latent_step",
                              [latent("sample", 1), latent("model_output"), latent("noise", 1),
                               helper.make_tensor_value_info("weights", F, ["n"]),
                               helper.make_tensor_value_info("coeffs", F, [6]),
                               helper.make_tensor_value_info("unet_shape", TensorProto.INT64, [4])],
                              [latent("next_sample", 1), latent("denoised", 1), latent("next_unet_input", "m")])
    save(graph, "latent_step.onnx")


def scale_expand():
    """y = expand(x * scale, shape): the first UNet input, and latents / scaling_factor for the decoder."""
    nodes = [helper.make_node("Mul", ["x", "scale"], ["scaled"]), helper.make_node("Expand", ["scaled", "shape"], ["y"])]
    graph = helper.make_graph(nodes, "scale_expand",
                              [latent("x", 1), helper.make_tensor_value_info("scale", F, [1]),
                               helper.make_tensor_value_info("shape", TensorProto.INT64, [4])],
                              [latent("y", "m")])
    save(graph, "scale_expand.onnx")


def concat(n):
    """Stacks n text embeddings [1,L,D] into the UNet's batch [n,L,D] without leaving the GPU."""
    names = [f"e{i}" for i in range(n)]
    inputs = [helper.make_tensor_value_info(x, F, [1, "l", "d"]) for x in names]
    graph = helper.make_graph([helper.make_node("Concat", names, ["stacked"], axis=0)], f"concat{n}", inputs,
                              [helper.make_tensor_value_info("stacked", F, [n, "l", "d"])])
    save(graph, f"concat{n}.onnx")


def sld_guidance():
    """Safe Latent Diffusion's guidance (Schramowski et al. 2023; diffusers' StableDiffusionPipelineSafe).

    model_output = [e_unc, e_text, e_safety] (batch 3); params = [w, sld_scale, threshold, momentum_scale,
    mom_beta, apply] with apply = 1 once the warmup is over:
      g      = e_text - e_unc
      d      = e_text - e_safety
      scale  = where(d >= threshold, 0, min(|d| * sld_scale, 1))
      g_s    = (e_safety - e_unc) * scale + momentum_scale * momentum
      next_momentum = mom_beta * momentum + (1 - mom_beta) * g_s
      guided = e_unc + w * (g - apply * g_s)                 (batch 1; latent_step takes it with weights [1])
    """
    nodes = [const_i64("ones", [1, 1, 1]), helper.make_node("Split", ["model_output", "ones"], ["u", "t", "sf"], axis=0)]
    for i, n in enumerate(["w", "k", "thr", "ms", "beta", "apply"]):
        nodes += scalar("params", i, n)
    one = helper.make_node("Constant", [], ["one"], value=helper.make_tensor("one_v", F, [], [1.0]))
    zero = helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("zero_v", F, [], [0.0]))
    nodes += [one, zero,
              helper.make_node("Sub", ["t", "u"], ["g"]), helper.make_node("Sub", ["t", "sf"], ["d"]),
              helper.make_node("Abs", ["d"], ["ad"]), helper.make_node("Mul", ["ad", "k"], ["adk"]),
              helper.make_node("Min", ["adk", "one"], ["clamped"]),
              helper.make_node("GreaterOrEqual", ["d", "thr"], ["off"]),
              helper.make_node("Where", ["off", "zero", "clamped"], ["scale"]),
              helper.make_node("Sub", ["sf", "u"], ["su"]), helper.make_node("Mul", ["su", "scale"], ["gs0"]),
              helper.make_node("Mul", ["momentum", "ms"], ["mm"]), helper.make_node("Add", ["gs0", "mm"], ["gs"]),
              helper.make_node("Mul", ["momentum", "beta"], ["bm"]), helper.make_node("Sub", ["one", "beta"], ["omb"]),
              helper.make_node("Mul", ["gs", "omb"], ["ogs"]), helper.make_node("Add", ["bm", "ogs"], ["next_momentum"]),
              helper.make_node("Mul", ["gs", "apply"], ["ags"]), helper.make_node("Sub", ["g", "ags"], ["g2"]),
              helper.make_node("Mul", ["g2", "w"], ["wg"]), helper.make_node("Add", ["u", "wg"], ["guided"])]
    graph = helper.make_graph(nodes, "sld_guidance",
                              [latent("model_output", 3), latent("momentum", 1), helper.make_tensor_value_info("params", F, [6])],
                              [latent("guided", 1), latent("next_momentum", 1)])
    save(graph, "sld_guidance.onnx")


def masked_step():
    """One step of TIN with a mask (tin-mask; the DiffEdit / blended-diffusion idea): two trajectories, the
    user's query u on x_o (exactly ORIGINAL's) and the rewrite u' on x_e; x_e keeps x_o's next latents outside
    a soft mask and its own inside it. The mask is where u and u' disagree about ORIGINAL's current picture
    (DiffEdit's mask: both predictions on the same latents x_o), so it follows ORIGINAL's layout.

    model_output = [e_unc(x_o), e_u(x_o), e_u'(x_o), e_unc(x_e), e_u'(x_e)] (one UNet batch of 5); weights = [1-w, w]
    (CFG); accumulated = the sum of the per-step disagreement maps so far ([1,1,h,w], zeros at step S);
    params = [threshold, ramp, k], k the number of steps accumulated including this one; coeffs as in
    latent_step:
      eps_o    = sum_n weights[n] * model_output[n]          (n = 0, 1: exactly latent_step's CFG)
      eps_e    = sum_n weights[n] * model_output[3 + n]
      next_o   = a*x_o + b*eps_o + c*noise                    (exactly latent_step's next_sample)
      next_r   = a*x_e + b*eps_e + c*noise                    (the u'-trajectory's own next latents)
      d        = mean over channels |e_u'(x_o) - e_u(x_o)|     (the CFG difference up to the factor w)
      s        = d smoothed by a 3x3 binomial kernel, normalised by its maximum
      next_acc = accumulated + s
      mask     = clip((next_acc / k - threshold) / ramp + 0.5, 0, 1)    (soft threshold of the running mean)
      next_e   = next_o + mask * (next_r - next_o)
      denoised = p*x_e + q*eps_e                              (the edit's x0 estimate, for previews)
      unet_in  = concat(expand(next_o*s, unet_shape), expand(next_e*s, edit_shape))   (batches 3 and 2)
    With u' = u and x_e = x_o, eps_e = eps_o, the mask is exactly 0 and next_e is exactly next_o.
    Latent arithmetic only: any channel count and latent size (Stable Diffusion's 4x64x64 as well).
    """
    nodes = [const_i64("w_shape", [-1, 1, 1, 1]), helper.make_node("Reshape", ["weights", "w_shape"], ["w4"]),
             const_i64("s0", [0]), const_i64("s1", [1]), const_i64("s2", [2]), const_i64("s3", [3]), const_i64("s5", [5]),
             const_i64("axis0", [0]),
             helper.make_node("Slice", ["model_output", "s0", "s2", "axis0"], ["pair_o"]),
             helper.make_node("Slice", ["model_output", "s1", "s2", "axis0"], ["u_o"]),
             helper.make_node("Slice", ["model_output", "s2", "s3", "axis0"], ["r_o"]),
             helper.make_node("Slice", ["model_output", "s3", "s5", "axis0"], ["pair_e"]),
             helper.make_node("Mul", ["pair_o", "w4"], ["weighted_o"]),
             helper.make_node("ReduceSum", ["weighted_o", "axis0"], ["eps_o"], keepdims=1),
             helper.make_node("Mul", ["pair_e", "w4"], ["weighted_e"]),
             helper.make_node("ReduceSum", ["weighted_e", "axis0"], ["eps_e"], keepdims=1)]
    for i, n in enumerate(["a", "b", "c", "s", "p", "q"]):
        nodes += scalar("coeffs", i, n)
    for i, n in enumerate(["thr", "ramp", "k"]):
        nodes += scalar("params", i, n)
    f = lambda name, v: helper.make_node("Constant", [], [name], value=helper.make_tensor(name + "_v", F, [], [v]))
    kernel = [1, 2, 1, 2, 4, 2, 1, 2, 1]
    nodes += [f("zero", 0.0), f("one", 1.0), f("half", 0.5), f("tiny", 1e-12),
              helper.make_node("Constant", [], ["kernel"], value=helper.make_tensor("kernel_v", F, [1, 1, 3, 3], [v / 16 for v in kernel])),
              # ORIGINAL's step, in latent_step's order of operations.
              helper.make_node("Mul", ["sample", "a"], ["ax"]), helper.make_node("Mul", ["eps_o", "b"], ["be"]),
              helper.make_node("Mul", ["noise", "c"], ["cn"]), helper.make_node("Add", ["ax", "be"], ["axbe"]),
              helper.make_node("Add", ["axbe", "cn"], ["next_sample"]),
              # The rewrite's step.
              helper.make_node("Mul", ["edit_sample", "a"], ["ax_e"]), helper.make_node("Mul", ["eps_e", "b"], ["be_e"]),
              helper.make_node("Add", ["ax_e", "be_e"], ["axbe_e"]), helper.make_node("Add", ["axbe_e", "cn"], ["next_r"]),
              # The mask.
              helper.make_node("Sub", ["r_o", "u_o"], ["de"]), helper.make_node("Abs", ["de"], ["ade"]),
              helper.make_node("ReduceMean", ["ade"], ["d"], axes=[1], keepdims=1),
              helper.make_node("Conv", ["d", "kernel"], ["smooth"], pads=[1, 1, 1, 1]),
              helper.make_node("ReduceMax", ["smooth"], ["peak"], axes=[2, 3], keepdims=1),
              helper.make_node("Add", ["peak", "tiny"], ["peak_e"]), helper.make_node("Div", ["smooth", "peak_e"], ["normed"]),
              helper.make_node("Add", ["accumulated", "normed"], ["next_accumulated"]),
              helper.make_node("Div", ["next_accumulated", "k"], ["mean"]), helper.make_node("Sub", ["mean", "thr"], ["over"]),
              helper.make_node("Div", ["over", "ramp"], ["ramped"]), helper.make_node("Add", ["ramped", "half"], ["centred"]),
              helper.make_node("Clip", ["centred", "zero", "one"], ["mask"]),
              # Blend, x0 estimate, next UNet input.
              helper.make_node("Sub", ["next_r", "next_sample"], ["dr"]), helper.make_node("Mul", ["dr", "mask"], ["mdr"]),
              helper.make_node("Add", ["next_sample", "mdr"], ["next_edit"]),
              helper.make_node("Mul", ["edit_sample", "p"], ["px"]), helper.make_node("Mul", ["eps_e", "q"], ["qe"]),
              helper.make_node("Add", ["px", "qe"], ["denoised"]),
              helper.make_node("Mul", ["next_sample", "s"], ["scaled_o"]), helper.make_node("Expand", ["scaled_o", "unet_shape"], ["in_o"]),
              helper.make_node("Mul", ["next_edit", "s"], ["scaled_e"]), helper.make_node("Expand", ["scaled_e", "edit_shape"], ["in_e"]),
              helper.make_node("Concat", ["in_o", "in_e"], ["next_unet_input"], axis=0)]
    plane = lambda name: helper.make_tensor_value_info(name, F, [1, 1, "h", "w"])
    graph = helper.make_graph(nodes, "masked_step",
                              [latent("sample", 1), latent("edit_sample", 1), latent("model_output", 5), latent("noise", 1),
                               helper.make_tensor_value_info("weights", F, [2]), plane("accumulated"),
                               helper.make_tensor_value_info("params", F, [3]), helper.make_tensor_value_info("coeffs", F, [6]),
                               helper.make_tensor_value_info("unet_shape", TensorProto.INT64, [4]),
                               helper.make_tensor_value_info("edit_shape", TensorProto.INT64, [4])],
                              [latent("next_sample", 1), latent("next_edit", 1), latent("denoised", 1), latent("next_unet_input", "m"),
                               plane("next_accumulated"), plane("mask")])
    save(graph, "masked_step.onnx")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    latent_step()
    scale_expand()
    concat(2)
    concat(3)
    sld_guidance()
    concat(5)
    masked_step()
    print("wrote", sorted(os.listdir(OUT)))
