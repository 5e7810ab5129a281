/** What the lab computes, in formulas, and which choices are the seed's and which are ours: each model's part comes from its descriptor. */
import { Fragment, type ReactNode } from 'react';
import { DATASET_IDS, DATASETS, descriptorOf, MODEL_KINDS, TASK_IDS, TASKS, type HelpText, type TaskFamily, type ViewKind } from '../protocol/experiment';
import { CSV_TEST_SHARE, HELD_OUT_SHARE, MAX_CSV_CLASSES, MAX_CSV_FEATURES, MAX_TEXT_ALPHABET, MIN_CSV_ROWS, MIN_TEXT_CHARS } from '../protocol/own-data';
import { useLab } from './lab-context';

/** Help strings' inline markup: `code`, **strong**, *emphasis*; everything else is plain text (never HTML). */
export function renderMarkup(text: string): ReactNode[] {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*)/).map((part, i) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) return <code key={i}>{part.slice(1, -1)}</code>;
    if (part.startsWith('**') && part.endsWith('**') && part.length > 3) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('*') && part.endsWith('*') && part.length > 1) return <em key={i}>{part.slice(1, -1)}</em>;
    return <Fragment key={i}>{part}</Fragment>;
  });
}

function ModelHelp({ help }: { help: HelpText }) {
  return (
    <section>
      <h3>{help.title}</h3>
      {help.intro.map((p, i) => (
        <p key={i}>{renderMarkup(p)}</p>
      ))}
      <ul className="formulas">
        {help.formulas.map((f, i) => (
          <li key={i}>{renderMarkup(f)}</li>
        ))}
      </ul>
      {help.lists.map((list) => (
        <Fragment key={list.heading}>
          <h4>{list.heading}</h4>
          <ul>
            {list.items.map((item, i) => (
              <li key={i}>{renderMarkup(item)}</li>
            ))}
          </ul>
        </Fragment>
      ))}
      {help.notes?.map((p, i) => (
        <p key={i}>{renderMarkup(p)}</p>
      ))}
    </section>
  );
}

/** "DNA cells and Routing modules": the models that read this family's tasks. */
function modelsOf(family: TaskFamily): string {
  const names = MODEL_KINDS.filter((k) => descriptorOf(k).family === family).map((k) => descriptorOf(k).help.title.split(':')[0] as string);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
}

/** Three plain sentences per view, before any formula: what is on the screen, what the numbers say, what to try. */
const START: Readonly<Record<ViewKind, readonly [string, string, string]>> = {
  graph: [
    'In the middle is a network learning a sequence task while you watch: each circle is a node, its colour how active it is and its size how often the activity thread visits it; the bright comet is the thread, the path the current input takes through the network.',
    'On the right, the loss falls and the accuracy rises as it learns; the dashed lines are chance, what a model that ignores its input would score, and the grey curves are the run before your last Reset.',
    'Press Play (or Space), then try a harder task, more Think ticks, Growth, or another model from the Model menu, and watch what changes in the graph and the chart.',
  ],
  dna: [
    'In the middle are the cells of one DNA layer learning to classify points (or digits): each cell is drawn with its state, and cells split when they are busy and die when they are starved.',
    'The chart on the right is the loss and accuracy against chance (dashed); the Cells chart below counts cells and the births and deaths at each extinction.',
    'Press Play (or Space), then change Split percent, Delete percent or Patience and watch the population turn over while the accuracy holds.',
  ],
  routing: [
    'In the middle are routing modules classifying points: each module decides, for each input, whether to run or to skip, and the picture shows which layers each input really used.',
    'The chart on the right is the loss and accuracy against chance (dashed); beside it are the decision boundary and the share of layers the inputs skip.',
    'Press Play (or Space), then raise Sparsity λs to see inputs skip more layers, untick Routing modules for the plain stack, or run the λs sweep to see accuracy traded against compute.',
  ],
};

export function HelpPanel({ onClose }: { onClose(): void }) {
  const current = useLab((s) => s.experiment.model);
  const start = START[descriptorOf(current).view];
  // The running model's section first, the others in the registry's order.
  const kinds = [current, ...MODEL_KINDS.filter((k) => k !== current)];
  return (
    <aside className="help-panel" aria-label="Help">
      <header>
        <h2>How the lab works</h2>
        <button type="button" onClick={onClose} aria-label="Close help">
          ×
        </button>
      </header>

      <section className="help-start" aria-label="Start here">
        <h3>Start here</h3>
        {start.map((p, i) => (
          <p key={i}>{p}</p>
        ))}
        <p className="help-keys">
          Keys: <kbd>Space</kbd> play or pause · <kbd>Esc</kbd> close this panel · on the graph <kbd>+</kbd>/<kbd>−</kbd> zoom, arrows pan,{' '}
          <kbd>0</kbd> fit.
        </p>
      </section>

      {kinds.map((kind) => (
        <ModelHelp key={kind} help={descriptorOf(kind).help} />
      ))}

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
          <li>
            <em>Segment length</em> S: multiple shooting (Massaroli et al. 2021). BPTT inside segments of S symbols, trainable states
            only at segment starts, the consistency term at segment ends; S = 1 is the seed’s form, S = T is BPTT; sequential depth per
            step S. Ours: a soft penalty, not their Newton solve.
          </li>
          <li>
            <em>Re-anchor</em> (ours): each refresh takes the target (and with “states” the embeddings too) from a roll-out of the
            current cell; that costs T/K extra depth per step. On paper, DEER (Lim et al. 2024) solves the whole roll-out exactly by
            Newton steps, each a parallel scan of depth O(log T), with T·S² memory per sequence.
          </li>
        </ul>
        <p>
          Our choices: the embeddings start from a roll-out of the initial weights, have their own Adam (slower than the weights’), and
          are clipped to the cell’s state range. LARA’s thread positions are discrete, so its transition restarts the threads every
          symbol (a variant of the lab’s LARA). What we measured: a transitions step is 2–3× cheaper than a BPTT step. Measured at T = 64
          (docs/RESULTS.md): with re-anchoring, S = 16 matches BPTT (recall 1.000, circuit 0.986 vs 0.989); S = 1 reaches 0.52 / 0.41.
        </p>
      </section>

      <section>
        <h3>Datasets ({modelsOf('classification')})</h3>
        <ul>
          {DATASET_IDS.map((id) => (
            <li key={id}>
              <strong>{DATASETS[id].label}</strong>: {DATASETS[id].description}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h3>Tasks ({modelsOf('sequence')})</h3>
        <ul>
          {TASK_IDS.map((id) => (
            <li key={id}>
              <strong>{TASKS[id].label}</strong>: {TASKS[id].description} Chance accuracy {(TASKS[id].chance * 100).toFixed(0)}%.
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h3>Your own data</h3>
        <p>
          <em>Use your own data…</em> in the Experiment controls trains the current model on a file of yours. The file stays in this
          browser: it goes to the training worker, into every export and checkpoint (so an imported or resumed run trains on the same
          data), never into a link (a link naming your data set opens the default task and says so).
        </p>
        <ul>
          <li>
            <strong>Text (.txt) for the sequence models</strong>: UTF-8, up to 5 MB, at least {MIN_TEXT_CHARS} characters and two
            distinct ones. The task is the next character over the file’s own alphabet, most frequent first, at most{' '}
            {MAX_TEXT_ALPHABET} symbols (rarer characters share one “other” symbol). The last {HELD_OUT_SHARE * 100}% of the text is
            held out: the held-out curve reads only it, training never does.
          </li>
          <li>
            <strong>CSV (.csv) for DNA cells and routing modules</strong>: UTF-8, up to 5 MB, a header row, numeric feature columns (at
            most {MAX_CSV_FEATURES.toLocaleString('en-US')}) and one label column: the first named <code>label</code>, <code>class</code>,{' '}
            <code>target</code> or <code>y</code>, else the last. Labels may be numbers or text; classes are their distinct values
            sorted (numbers numerically). At least {MIN_CSV_ROWS} rows and 2 to {MAX_CSV_CLASSES} classes; no empty cells. Each class
            is split {100 - CSV_TEST_SHARE * 100}/{CSV_TEST_SHARE * 100} into train and test from the seed, and features are
            standardised with the train split’s mean and standard deviation, then divided by 3 (so ±3 sd spans [−1, 1], the range of the Playground datasets). A CSV of two features gets the decision-boundary view.
          </li>
          <li>
            A file that cannot be used (too big, not UTF-8, too short, one class, too many classes, a row with more or fewer cells than
            the header, a cell that is not a number) is refused with the reason; the running experiment goes on unchanged.
          </li>
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
