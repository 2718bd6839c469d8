#!/usr/bin/python3
"""Writes the small, structurally valid but bad ONNX models that tests/errors
feeds to the etch CLI. Needs python3-onnx; the outputs are committed, so the
tests themselves never need Python.

  /usr/bin/python3 tests/errors/make_bad_models.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


def save(graph, name, opset=13):
    model = helper.make_model(graph, producer_name="etch-tests", opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    os.makedirs(OUT, exist_ok=True)

    # The model input declares an element type but no shape at all.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, None)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    save(helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "no_shape", [x], [y]),
         "no_shape.onnx")

    # Two nodes whose ops etch does not implement: both must be named in one error line.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 2, 2])
    lens = numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "seq_lens")
    nodes = [
        helper.make_node("Det", ["x"], ["d"], name="det_node"),
        helper.make_node("ReverseSequence", ["x", "seq_lens"], ["r"], name="reverse_node", batch_axis=1,
                         time_axis=0),
    ]
    outs = [helper.make_tensor_value_info("d", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("r", TensorProto.FLOAT, [3, 2, 2])]
    save(helper.make_graph(nodes, "unsupported", [x], outs, initializer=[lens]), "unsupported_ops.onnx")

    # A negative dimension in the declared input shape.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, -3, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, -3, 4])
    save(helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "neg_dim", [x], [y]),
         "negative_dim.onnx")

    # A zero dimension in the declared input shape: no data could ever be fed to it.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 0])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 0])
    save(helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "zero_dim", [x], [y]),
         "zero_dim.onnx")

    # An initializer whose external data lives outside the model's folder.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.append(4)
    w.data_location = TensorProto.EXTERNAL
    for k, v in [("location", "../secret.bin"), ("offset", "0"), ("length", "16")]:
        e = w.external_data.add()
        e.key, e.value = k, v
    save(helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "external", [x], [y],
                           initializer=[w]),
         "external_outside.onnx")


if __name__ == "__main__":
    main()
