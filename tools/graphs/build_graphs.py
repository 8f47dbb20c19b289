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


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    latent_step()
    scale_expand()
    concat(2)
    concat(3)
    sld_guidance()
    print("wrote", sorted(os.listdir(OUT)))
