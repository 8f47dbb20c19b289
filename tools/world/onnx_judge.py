"""The world judge's ONNX file run by PyTorch, so training can measure generation quality the way
bench:world does (Debian has no onnxruntime for Python). Handles exactly the ops the exported
judge uses: Conv (batch norm folded in), Relu, MaxPool, Flatten, Gemm."""
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


class OnnxJudge:
    def __init__(self, path):
        model = onnx.load(path)
        self.weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
        self.nodes = list(model.graph.node)
        self.input = model.graph.input[0].name
        self.outputs = [o.name for o in model.graph.output]

    @staticmethod
    def _attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def _run(self, node, x, env):
        a = self._attrs(node)
        if node.op_type == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            bias = env[node.input[2]] if len(node.input) > 2 else None
            return F.conv2d(x, env[node.input[1]], bias, stride=tuple(a.get("strides", [1, 1])), padding=(pads[0], pads[1]))
        if node.op_type == "Relu":
            return F.relu(x)
        if node.op_type == "MaxPool":
            return F.max_pool2d(x, tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])))
        if node.op_type == "Flatten":
            return x.flatten(a.get("axis", 1))
        if node.op_type == "Gemm":
            w = env[node.input[1]]
            w = w.t() if a.get("transB", 0) else w
            return x @ w + env[node.input[2]]
        raise ValueError(f"judge op {node.op_type} not supported")

    @torch.no_grad()
    def __call__(self, images):
        """images [B,3,32,32] in [-1, 1] -> {attribute: predicted value index [B]}."""
        env = dict(self.weights)
        env[self.input] = images
        for node in self.nodes:
            env[node.output[0]] = self._run(node, env[node.input[0]], env)
        return {name: env[name].argmax(1) for name in self.outputs}
