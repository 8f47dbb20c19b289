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


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    latent_step()
    scale_expand()
    concat(2)
    concat(3)
    print("wrote", sorted(os.listdir(OUT)))
