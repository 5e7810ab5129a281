/**
 * A tiny reverse-mode automatic differentiation over float64 scalars
 * (micrograd-style). Slow but obviously correct: the reference the tensor
 * code is tested against.
 */

export class Value {
  data: number;
  grad = 0;
  readonly parents: readonly Value[];
  /** Adds this node's grad, times the local derivatives, to its parents' grads. */
  private readonly backStep: () => void;

  constructor(data: number, parents: readonly Value[] = [], backStep: () => void = () => {}) {
    this.data = data;
    this.parents = parents;
    this.backStep = backStep;
  }

  add(other: Value | number): Value {
    const o = lift(other);
    const out: Value = new Value(this.data + o.data, [this, o], () => {
      this.grad += out.grad;
      o.grad += out.grad;
    });
    return out;
  }

  sub(other: Value | number): Value {
    return this.add(lift(other).neg());
  }

  mul(other: Value | number): Value {
    const o = lift(other);
    const out: Value = new Value(this.data * o.data, [this, o], () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    });
    return out;
  }

  neg(): Value {
    return this.mul(-1);
  }

  exp(): Value {
    const e = Math.exp(this.data);
    const out: Value = new Value(e, [this], () => {
      this.grad += e * out.grad;
    });
    return out;
  }

  log(): Value {
    const out: Value = new Value(Math.log(this.data), [this], () => {
      this.grad += out.grad / this.data;
    });
    return out;
  }

  relu(): Value {
    const out: Value = new Value(this.data > 0 ? this.data : 0, [this], () => {
      this.grad += (this.data > 0 ? 1 : 0) * out.grad;
    });
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out: Value = new Value(t, [this], () => {
      this.grad += (1 - t * t) * out.grad;
    });
    return out;
  }

  sigmoid(): Value {
    const s = 1 / (1 + Math.exp(-this.data));
    const out: Value = new Value(s, [this], () => {
      this.grad += s * (1 - s) * out.grad;
    });
    return out;
  }

  /** Sets d(this)/d(node) into every node's grad (grads start from zero). */
  backward(): void {
    const order = topologicalOrder(this);
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) (order[i] as Value).backStep();
  }
}

function lift(x: Value | number): Value {
  return typeof x === 'number' ? new Value(x) : x;
}

/** Every node `root` depends on, parents before children; iterative, as long unrolls are too deep for recursion. */
function topologicalOrder(root: Value): Value[] {
  const order: Value[] = [];
  const seen = new Set<Value>([root]);
  const stack: { v: Value; next: number }[] = [{ v: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { v: Value; next: number };
    const parents = top.v.parents;
    if (top.next < parents.length) {
      const p = parents[top.next++] as Value;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push({ v: p, next: 0 });
      }
    } else {
      order.push(top.v);
      stack.pop();
    }
  }
  return order;
}

/** Sum of many values as one node (keeps the graph shallow). */
export function sum(values: readonly Value[]): Value {
  const out: Value = new Value(
    values.reduce((s, v) => s + v.data, 0),
    values,
    () => {
      for (const v of values) v.grad += out.grad;
    },
  );
  return out;
}
