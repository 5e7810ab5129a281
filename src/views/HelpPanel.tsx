/** What the lab computes, in formulas, and which choices are the seed's and which are ours. */
import { TASK_IDS, TASKS } from '../protocol/experiment';

export function HelpPanel({ onClose }: { onClose(): void }) {
  return (
    <aside className="help-panel" aria-label="Help">
      <header>
        <h2>How the lab works</h2>
        <button type="button" onClick={onClose} aria-label="Close help">
          ×
        </button>
      </header>

      <section>
        <h3>LARA: learned activity routing</h3>
        <p>
          Source: the seed <em>“LARA is all you need”</em>. Nodes are layers (state vectors of width H). An edge b → a means host a
          reads b. Each tick only the <strong>active</strong> nodes compute: the nodes the thread sits on, the input node on a tick that
          carries a symbol, the output node on the tick it is read.
        </p>
        <ul className="formulas">
          <li>
            message: <code>I_ab = W_ab · h_b</code> (h_b is b’s latest state, cached while b rests)
          </li>
          <li>
            gate: <code>z_ab = u_ab · h_a + v_ab · h_b</code>, <code>G_ab = exp(−z²)</code> (gaussian), <code>σ(z)</code> (sigmoid) or
            softmax of z over a’s sources
          </li>
          <li>
            update of an active node: <code>h_a ← relu(Σ_b G_ab I_ab + [a is input] W_in x_t)</code>; inactive nodes keep h
          </li>
          <li>
            routing: the thread on a moves to <code>argmax_b G_ab</code>
          </li>
          <li>
            read-out: <code>y_t = softmax(W_out h_out)</code> on the last think tick of each symbol; loss = cross-entropy
          </li>
          <li>
            resting-phase optimiser: a node’s gradient accumulates while it rests; when it is active again it is updated with
            <code> accumulated / resting steps</code>
          </li>
        </ul>
        <h4>From the seed</h4>
        <ul>
          <li>No biases anywhere: resting nodes’ cached states act as pseudo-biases.</li>
          <li>Gates see their host and their source; gaussian gates by default (they null out-of-range inputs).</li>
          <li>The next node is the one with the largest gate; inactive nodes still receive gradient.</li>
          <li>The resting-phase division of accumulated gradients; growth and death by how attractive a node is to the thread.</li>
        </ul>
        <h4>Our choices (the seed leaves them open)</h4>
        <ul>
          <li>
            Graph: a ring plus random symmetric chords, every node reads k sources including itself; node 0 is the input, the output
            node is one hop from it.
          </li>
          <li>The output node is forced active on read ticks (the seed only says how the thread moves).</li>
          <li>
            A thread leaves its node every tick: a self-loop feeds the node its own state but is not a route (tick <em>Thread may
            stay</em> to allow staying). Without this the argmax often settles on the self-loop and the thread stops.
          </li>
          <li>
            Exploration while training: epsilon (a random source) or Gumbel-max on log G (samples a source with probability ∝ G^(1/T)).
          </li>
          <li>
            Gradients flow through gate values, not through the argmax choice. Optimiser: Adam with global-norm clipping at 1; input
            and read-out weights always update.
          </li>
          <li>
            Growth: visit share is an EMA of thread visits; a node above the split threshold splits (Net2Net: the copy reads the same
            sources, both share the halved outgoing weights) or, in birth mode, a fresh node is wired to the busiest nodes with zero
            outgoing weight; a node starving for several checks dies unless that would cut the graph in two.
          </li>
          <li>
            Every node’s message is recomputed from cached states each tick in one batched kernel: same numbers as caching I_ab, fewer
            GPU dispatches.
          </li>
          <li>A non-finite loss pauses training and rolls back to the last checkpoint (every 25 steps).</li>
        </ul>
      </section>

      <section>
        <h3>Loopy network</h3>
        <p>
          Source: the seed <em>“Large Loopy Networks”</em>. The same engine with another policy: every node computes every tick, no
          gates, no thread, widths down to 1 (each node a single neuron). The graph comes from the chosen generator; the feed-forward
          graph is the loop-free control.
        </p>
        <ul className="formulas">
          <li>
            update of every node: <code>h_a ← tanh(Σ_b W_ab h_b + [a is input] W_in x)</code>
          </li>
          <li>
            input: one node per symbol, driven by the one-hot symbol; output: one node per symbol, read out as{' '}
            <code>y = softmax(W_out h_out)</code>; loss = cross-entropy
          </li>
          <li>
            pacing <em>Fixed think ticks</em>: a symbol is fed on the first of Think ticks ticks, the output is read on the last
          </li>
          <li>
            pacing <em>Read node</em>: one more output node. The output is read on the tick its mean state crosses 0 upwards (low →
            high); the next symbol is fed for one tick after a read; after Think ticks ticks without one, a read is forced
          </li>
        </ul>
        <h4>Learning rules</h4>
        <ul>
          <li>
            <strong>BPTT</strong>: each train step is a whole sequence from a fresh state, backprop through every tick; Adam.
          </li>
          <li>
            <strong>Truncated BPTT</strong>: the state carries over from step to step; backprop stops at the step’s window.
          </li>
          <li>
            <strong>Reservoir</strong>: the recurrent weights stay as drawn; only the linear read-out trains (an echo-state network on
            the generated graph).
          </li>
          <li>
            <strong>Three-factor Hebbian</strong> (reward-modulated Oja, after Hoerzer, Legenstein &amp; Maass 2014): one noisy run;{' '}
            <code>ΔW_ab ∝ M · (y_a − ȳ_a) · h_b − 0.01 · y_a² · W_ab</code>, M = a lane’s reward (−loss) minus the baseline, ȳ_a a
            trace of a’s recent activity.
          </li>
          <li>
            <strong>Node perturbation</strong> (Fiete &amp; Seung 2006): a clean and a noisy run, noise ξ on every pre-activation;{' '}
            <code>ΔW_ab ∝ −(ΔL / σ²) Σ_t ξ_a h_b</code>, ΔL the noisy minus the clean loss: an unbiased gradient estimate as σ → 0.
          </li>
          <li>The local rules backpropagate nothing through time; their read-out learns by the delta rule (its exact gradient).</li>
        </ul>
        <h4>From the seed</h4>
        <ul>
          <li>One-hot input nodes; one-hot output nodes plus a read node, read when it switches from low to high.</li>
          <li>After a read the next symbol is fed for one tick, and the output nodes get their error signal.</li>
          <li>The connectivity rule, degree, learning rate and learning rule are parameters; a local learning rule is the goal.</li>
        </ul>
        <h4>Our choices (the seed leaves them open)</h4>
        <ul>
          <li>tanh; graph generators; reservoir and BPTT as references for the local rules.</li>
          <li>Every rule starts from recurrent weights scaled to the chosen Spectral radius (of the linearised recurrence).</li>
          <li>The reservoir is read out from every node, as an echo-state network is; the other rules read the output nodes.</li>
          <li>“Low to high” is the read node’s mean state crossing 0 upwards; Think ticks caps the wait and forces a read.</li>
          <li>
            The read decision is discrete and not differentiated: gradients flow through the states that are read, so nothing trains
            the read node’s timing directly.
          </li>
          <li>
            Hebbian: the baseline is the mean reward over the parallel lanes; the activity trace is ȳ ← 0.8 ȳ + 0.2 y; Oja decay
            0.01.
          </li>
          <li>
            The local rules move the recurrent weights by plain SGD (Adam’s per-weight scaling would blow a weak, noisy signal up to
            full-size random steps); the read-out uses Adam.
          </li>
        </ul>
      </section>

      <section>
        <h3>Tasks</h3>
        <ul>
          {TASK_IDS.map((id) => (
            <li key={id}>
              <strong>{TASKS[id].label}</strong>: {TASKS[id].description} Chance accuracy {(TASKS[id].chance * 100).toFixed(0)}%.
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h3>Reading the graph</h3>
        <p>
          Node colour is activity, size is the thread’s visit share; edge brightness is the gate. The bright comet is the activity
          thread hopping from node to node, replayed tick by tick from the worker’s probe sequence; with Growth on, busy nodes split
          (a green ring) and starved ones fade out in red. Hover a node to inspect its incoming gates.
        </p>
        <ul>
          <li>
            Activity colour is on a log scale up to the frame’s 95th percentile: resting nodes hold small cached states
            (0.001–0.05) while computing ones reach 1–3, so a linear scale would show almost all black.
          </li>
          <li>
            Each edge lights the half next to the node that reads it, so a pair of links shows both directions’ gates; brightness is
            the gate squared, to tell 0.8 from 1.
          </li>
          <li>
            Scroll or <kbd>+</kbd>/<kbd>−</kbd> to zoom, drag or arrow keys to pan, drag a node to move it, double-click or{' '}
            <kbd>0</kbd> to fit.
          </li>
          <li>
            A split copies the parent’s weights and state, so the network computes the same until the thread visits one of the two
            copies; only a visited node computes, so from then on they differ.
          </li>
        </ul>
      </section>
    </aside>
  );
}
