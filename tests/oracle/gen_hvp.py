#!/usr/bin/python3
"""Seeded random graphs for the double-backward oracle (tests/oracle/double_backward.test.mjs).

Usage: /usr/bin/python3 tests/oracle/gen_hvp.py --seed 1 --count 200 --out graphs.json

Each graph mixes the ops that have a gradient-as-ops rule (what g.grad(..., { createGraph:
true }) and g.hvp need) in float64, as a list of node specs in creation order (leaves,
constants and ops: the calls the test makes on the gradlab JS API), the index of the
scalar loss, a direction v per leaf, and PyTorch's results:
    grads = torch.autograd.grad(loss, leaves, create_graph=True)
    hvp   = torch.autograd.grad(sum((g * v).sum() for g in grads), leaves)
Domains: leaf values in [-1.5, 1.5]; log, sqrt, a non-integer or negative power and a
divisor get x*x + 0.5 (built as nodes); abs, relu and leakyRelu inputs keep |x| > 1e-2;
every value stays within 20 and every gradient and H·v entry within 1e3 (else the graph
is drawn again). Metric as in gen_graphs.py: per element |got - want| / max(|want|, 1e-2 S).
"""
import argparse
import json
import random

import torch
import torch.nn.functional as F

torch.set_num_threads(1)

UNARY = ['neg', 'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'erf', 'tanh', 'sigmoid', 'relu', 'leakyRelu', 'silu',
         'softplus', 'pow']
BINARY = ['add', 'sub', 'mul', 'div', 'minimum', 'maximum']
SHAPE_OPS = ['matmul', 'transpose', 'reshape', 'sum', 'mean', 'sumAxis', 'meanAxis', 'softmax', 'logSoftmax', 'mse']
POSITIVE = {'log', 'sqrt'}
KINKED = {'abs', 'relu', 'leakyRelu'}


class Reject(Exception):
    pass


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.specs = []
        self.tensors = []
        self.leaves = []

    def add(self, spec, tensor):
        self.specs.append(spec)
        self.tensors.append(tensor)
        if tensor.abs().max().item() > 20 or not torch.isfinite(tensor).all():
            raise Reject()
        return len(self.specs) - 1

    def leaf(self, shape):
        data = [self.rng.uniform(-1.5, 1.5) for _ in range(max(1, shape[0] * (shape[1] if len(shape) > 1 else 1)) if shape else 1)]
        t = torch.tensor(data, dtype=torch.float64).reshape(shape).requires_grad_(True)
        i = self.add({'kind': 'leaf', 'shape': shape, 'data': data}, t)
        self.leaves.append(i)
        return i

    def const(self, shape, data):
        t = torch.tensor(data, dtype=torch.float64).reshape(shape)
        return self.add({'kind': 'const', 'shape': shape, 'data': data}, t)

    def op(self, name, ins, attrs=()):
        x = [self.tensors[i] for i in ins]
        a = list(attrs)
        if name in KINKED and x[0].abs().min().item() < 1e-2:
            raise Reject()
        if name in ('minimum', 'maximum') and (x[0] - x[1]).abs().min().item() < 1e-2:  # a tie: a kink
            raise Reject()
        f = {
            'neg': lambda: -x[0], 'exp': lambda: torch.exp(x[0]), 'log': lambda: torch.log(x[0]),
            'sqrt': lambda: torch.sqrt(x[0]), 'abs': lambda: torch.abs(x[0]), 'sin': lambda: torch.sin(x[0]),
            'cos': lambda: torch.cos(x[0]), 'erf': lambda: torch.erf(x[0]), 'tanh': lambda: torch.tanh(x[0]), 'sigmoid': lambda: torch.sigmoid(x[0]),
            'relu': lambda: torch.relu(x[0]), 'leakyRelu': lambda: F.leaky_relu(x[0], a[0] if a else 0.01),
            'silu': lambda: F.silu(x[0]), 'softplus': lambda: F.softplus(x[0]), 'pow': lambda: x[0] ** a[0],
            'add': lambda: x[0] + x[1], 'sub': lambda: x[0] - x[1], 'mul': lambda: x[0] * x[1], 'div': lambda: x[0] / x[1],
            'minimum': lambda: torch.minimum(x[0], x[1]), 'maximum': lambda: torch.maximum(x[0], x[1]),
            'matmul': lambda: torch.matmul(x[0], x[1]), 'transpose': lambda: x[0].t() if x[0].dim() == 2 else x[0],
            'reshape': lambda: x[0].reshape(a), 'sum': lambda: x[0].sum(), 'mean': lambda: x[0].mean(),
            'sumAxis': lambda: x[0].sum(dim=a[0]), 'meanAxis': lambda: x[0].mean(dim=a[0]),
            'softmax': lambda: torch.softmax(x[0], dim=-1), 'logSoftmax': lambda: torch.log_softmax(x[0], dim=-1),
            'mse': lambda: F.mse_loss(x[0], x[1]),
        }[name]
        return self.add({'kind': 'op', 'op': name, 'in': list(ins), 'attrs': a}, f())

    def positive(self, i):  # x*x + 0.5 as nodes
        return self.op('add', [self.op('mul', [i, i]), self.const([], [0.5])])

    def shape(self, i):
        return list(self.tensors[i].shape)


def draw_graph(rng):
    b = Builder(rng)
    shapes = [[3], [2, 3], [], [3, 2]]
    pool = [b.leaf(rng.choice(shapes)) for _ in range(rng.randint(1, 3))]
    for _ in range(rng.randint(3, 8)):
        kind = rng.random()
        x = rng.choice(pool)
        sx = b.shape(x)
        if kind < 0.4:
            name = rng.choice(UNARY)
            if name == 'pow':
                p = rng.choice([2, 3, 0.5, -1, 1.5])
                src = b.positive(x) if p in (0.5, -1, 1.5) else x
                pool.append(b.op('pow', [src], [p]))
            elif name in POSITIVE:
                pool.append(b.op(name, [b.positive(x)]))
            elif name == 'leakyRelu':
                pool.append(b.op(name, [x], [rng.choice([0.01, 0.1, 0.2])]))
            else:
                pool.append(b.op(name, [x]))
        elif kind < 0.75:
            name = rng.choice(BINARY)
            # the other operand: same shape, a scalar, or (for a matrix) a row, from the pool or a new leaf
            same = [i for i in pool if b.shape(i) == sx]
            choices = same + [i for i in pool if b.shape(i) == []]
            y = rng.choice(choices) if choices and rng.random() < 0.6 else b.leaf(rng.choice([sx, [], sx[-1:]]))
            if name == 'div':
                y = b.positive(y)
            ins = [x, y] if rng.random() < 0.5 else [y, x]
            if name == 'div':
                ins = [x, y]
            pool.append(b.op(name, ins))
        else:
            name = rng.choice(SHAPE_OPS)
            if name == 'matmul':
                if len(sx) == 0:
                    continue
                k = sx[-1]
                other = b.leaf(rng.choice([[k, 2], [k]]))
                pool.append(b.op('matmul', [x, other]))
            elif name == 'transpose':
                pool.append(b.op('transpose', [x]))
            elif name == 'reshape':
                n = b.tensors[x].numel()
                pool.append(b.op('reshape', [x], [n]))
            elif name in ('sum', 'mean'):
                pool.append(b.op(name, [x]))
            elif name in ('sumAxis', 'meanAxis'):
                if len(sx) == 0:
                    continue
                pool.append(b.op(name, [x], [rng.randrange(len(sx))]))
            elif name in ('softmax', 'logSoftmax'):
                if len(sx) == 0:
                    continue
                pool.append(b.op(name, [x]))
            else:  # mse against a constant target of the same shape
                n = b.tensors[x].numel()
                target = b.const(sx, [rng.uniform(-1, 1) for _ in range(n)])
                pool.append(b.op('mse', [x, target]))
    # The loss: a weighted sum of the last two nodes' sums (both reach the leaves or not).
    last = pool[-1]
    s = b.op('sum', [last]) if b.shape(last) != [] else last
    loss = b.op('add', [s, b.op('mul', [b.op('sum', [pool[-2]]) if b.shape(pool[-2]) != [] else pool[-2], b.const([], [0.5])])]) if len(pool) > 1 else s
    L = b.tensors[loss]
    leaves = [b.tensors[i] for i in b.leaves]
    if not L.requires_grad:
        raise Reject()
    grads = torch.autograd.grad(L, leaves, create_graph=True, allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(t) for g, t in zip(grads, leaves)]
    vs = [[rng.uniform(-1, 1) for _ in range(t.numel())] for t in leaves]
    dot = sum((g * torch.tensor(v, dtype=torch.float64).reshape(t.shape)).sum() for g, v, t in zip(grads, vs, leaves))
    if dot.requires_grad:
        hv = torch.autograd.grad(dot, leaves, allow_unused=True)
        hv = [h if h is not None else torch.zeros_like(t) for h, t in zip(hv, leaves)]
    else:
        hv = [torch.zeros_like(t) for t in leaves]
    for t in list(grads) + list(hv):
        if t.abs().max().item() > 1e3:
            raise Reject()
    ops = sorted({s['op'] for s in b.specs if s['kind'] == 'op'})
    return {
        'specs': b.specs, 'loss': loss, 'leaves': b.leaves, 'v': vs, 'ops': ops,
        'grads': [g.detach().clone().reshape(-1).tolist() for g in grads],
        'hvp': [h.detach().clone().reshape(-1).tolist() for h in hv],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=200)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    graphs, rejected = [], 0
    while len(graphs) < args.count:
        try:
            graphs.append(draw_graph(rng))
        except Reject:
            rejected += 1
    with open(args.out, 'w') as f:
        json.dump({'meta': {'seed': args.seed, 'count': args.count, 'rejected': rejected}, 'graphs': graphs}, f)


if __name__ == '__main__':
    main()
