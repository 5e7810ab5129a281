/** What the lab computes, in formulas, and which choices are the seed's and which are ours. */
import { DATASET_IDS, DATASETS, TASK_IDS, TASKS } from '../protocol/experiment';

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
        <h3>DNA: cells that are born and die</h3>
        <p>
          Source: the seed on DNA-like growth. One layer of <strong>cells</strong>; each cell is an edge i → j from an input to an
          output with its own weight and bias. Cells with much traffic split, cells with little die, so the layer grows where the data
          needs it.
        </p>
        <ul className="formulas">
          <li>
            output: <code>o_j = Σ_(cells c: i→j) (w_c · x_i + b_c)</code>, <code>y = softmax(o)</code>; loss = cross-entropy; Adam on
            every w and b
          </li>
          <li>
            start: every input joined to every output by one cell, <code>w = w0</code>, <code>b = 0</code>. The seed’s text says
            w0 = 1, its code 1/outputs: the <em>Initial weight</em> slider picks (default 0.1 = 1/10 for digits)
          </li>
          <li>
            passthrough of a cell: mean <code>|w · x_i + b|</code> over recent batches (an exponential average)
          </li>
          <li>
            extinction (percent mode): after the warm-up epochs, whenever the epoch loss has not improved for <em>Patience</em> epochs,
            the top <em>Split percent</em> of cells by passthrough split (A keeps <code>w/2, b</code>, a new B gets{' '}
            <code>w/2, b = 0</code>, so the layer computes the same right after) and the bottom <em>Delete percent</em> die
          </li>
          <li>
            threshold mode: split cells with <code>|w| &gt; 2·w0</code>, kill cells with <code>|w| &lt; w0/2</code> (we compare |w|:
            a weight can turn negative)
          </li>
          <li>every output keeps at least one cell; cell ids are never reused; new cells start with fresh Adam moments</li>
          <li>
            our choices: p% of E cells is rounded up (a 4-cell layer still changes); ties go in a seeded random order; the layer is
            capped at 4 cells per input-output pair on average; a dead cell takes its bias with it, so the loss can jump after an
            extinction
          </li>
        </ul>
        <p>
          The view draws every cell as a line from its input (a 28×28 grid for digits) to its output: blue positive, orange negative,
          thickness by |w| or passthrough. Births flash green, deaths red; the Cells chart counts them.
        </p>
      </section>

      <section>
        <h3>Routing modules: adaptive sparsity</h3>
        <p>
          Source: the seed on routing modules. A stack of layers with a small router before each that decides to run the layer or skip
          it, per example.
        </p>
        <ul className="formulas">
          <li>
            router: one linear layer scores {'{execute, skip}'}, <code>p = softmax(h_l R_l + r_l)</code>
          </li>
          <li>
            training (soft): <code>h_(l+1) = p_exec · f_l(h_l) + p_skip · h_l S_l</code>, <code>f_l(h) = act(h W_l + b_l)</code>,
            S_l zero at the start and trained
          </li>
          <li>
            loss = cross-entropy <code>+ λs · mean(p_exec) + λ1 · Σ|S|</code>
          </li>
          <li>
            inference (hard): run the layer only if <code>p_exec &gt; 0.5</code>, else take the skip path; the view reports hard-routing
            accuracy and the share of layer executions skipped
          </li>
        </ul>
        <p>
          Our choices: the seed’s pseudocode multiplies a path distribution by an activation vector, which does not type-check, so we
          follow its prose (the formula above). The router starts biased to execute (p_exec ≈ 0.88), so a new stack starts close to
          the plain stack and learns to skip. A skip through a dense S costs as many multiply-adds as the layer it replaces: “skipped”
          counts layer executions, not time saved. Soft routers that settle near 0.5 can make hard routing lose accuracy that soft
          routing does not; the sweep (compute saved against accuracy lost over λs) shows where.
        </p>
      </section>

      <section>
        <h3>Transition representations (the Transitions panel)</h3>
        <p>
          Source: the seed on transition representations. Any recurrent model is a transition <code>f(s, x) = [s′, y]</code>. Instead
          of back-propagating through time, every transition (sequence i, time t) owns a trainable state <code>e_(i,t)</code> and all
          transitions train at once:
        </p>
        <ul className="formulas">
          <li>
            loss = cross-entropy of <code>y</code> from <code>f(e_(i,t), x_(i,t))</code>
            <code> + β · ‖s′_(i,t) − stopgrad(ē_(i,t+1))‖²</code>
          </li>
          <li>
            ē is a frozen copy of the embeddings, refreshed every K steps (a DQN-style target); <em>Beta</em> and{' '}
            <em>Refresh every K</em> change while it runs
          </li>
          <li>
            judged honestly: the cell rolls forward from its initial state over held-out sequences, as BPTT’s cell does
          </li>
        </ul>
        <p>
          Our choices: the embeddings start from a roll-out of the initial weights, have their own Adam (slower than the weights’), and
          are clipped to the cell’s state range. LARA’s thread positions are discrete, so its transition restarts the threads every
          symbol (a variant of the lab’s LARA). What we measured: a transitions step is 2–3× cheaper than a BPTT step, but the roll-out
          lags far behind BPTT on recall (the embeddings learn the answers faster than the dynamics can reach them).
        </p>
      </section>

      <section>
        <h3>Datasets (DNA and routing modules)</h3>
        <ul>
          {DATASET_IDS.map((id) => (
            <li key={id}>
              <strong>{DATASETS[id].label}</strong>: {DATASETS[id].description}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h3>Tasks (LARA and loopy networks)</h3>
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
