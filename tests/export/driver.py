# Loads exported gradlab scripts as modules (one torch import for all of them) and reports,
# per script: the model's outputs on the given points, its parameters back in gradlab's flat
# layout (hex of the exact bytes), and the losses of a short continued training run.
#   python3 driver.py cases.json  →  JSON on stdout
import importlib.util
import json
import sys

import torch

torch.set_num_threads(1)
cases = json.load(open(sys.argv[1]))
report = {}
for case in cases:
    spec = importlib.util.spec_from_file_location(case["name"], case["script"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.build()
    with torch.no_grad():
        out = model(torch.tensor(case["points"], dtype=mod.DTYPE)).flatten().tolist()
    flat = []
    for layer in model.layers:
        if layer.norm is not None:
            flat += [layer.norm.weight.detach().flatten(), layer.norm.bias.detach().flatten()]
        flat += [layer.linear.weight.detach().t().contiguous().flatten(), layer.linear.bias.detach().flatten()]
    params_hex = torch.cat(flat).numpy().tobytes().hex()
    losses = mod.train(model, mod.X, mod.Y, case["trainSteps"]) if case["trainSteps"] else []
    report[case["name"]] = {"outputs": out, "paramsHex": params_hex, "losses": losses, "training": mod.TRAINING}
print(json.dumps(report))
