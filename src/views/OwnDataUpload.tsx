/**
 * "Use your own data…": a text file for sequence models (a next-character
 * task over its alphabet), a CSV for DNA cells and routing modules (a
 * classification dataset). The file is read and checked on the page
 * (client/own-data-file.ts, then LabClient.loadOwnData); a bad one leaves
 * the running experiment as it is and the alert says why. Once one is in
 * use, a line names it with its sizes.
 */
import { useEffect, useId, useReducer, useRef, type ChangeEvent } from 'react';
import { readOwnDataFile } from '../client/own-data-file';
import { descriptorOf } from '../protocol/experiment';
import { MAX_CSV_CLASSES, MAX_CSV_FEATURES, MAX_TEXT_ALPHABET, MIN_CSV_ROWS, MIN_TEXT_CHARS, ownDataLine, ownDataRefusal, ownKindOf } from '../protocol/own-data';
import { useLab, useLabClient } from './lab-context';
import './own-data.css';

export function OwnDataUpload() {
  const client = useLabClient();
  const model = useLab((s) => s.experiment.model);
  const task = useLab((s) => s.experiment.task);
  // An upload or import that carries a data set re-renders the line even when the task id stays the same.
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => client.onOwnData(() => bump()), [client]);
  const input = useRef<HTMLInputElement>(null);
  const lineId = useId();
  const text = descriptorOf(model).family === 'sequence';
  const summary = ownKindOf(task) !== null ? client.ownDataSummary : null;

  const onFile = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    // Cleared at once, so choosing the same file again (after fixing it) fires again.
    ev.target.value = '';
    if (!file) return;
    const read = await readOwnDataFile(file);
    if ('problem' in read) {
      client.store.getState().setAlert(ownDataRefusal(text ? 'text' : 'csv', file.name, read.problem));
      return;
    }
    client.loadOwnData(read);
  };

  const hint = text
    ? `A UTF-8 text file up to 5 MB, at least ${MIN_TEXT_CHARS} characters: the model predicts its next character over the file's own alphabet (at most ${MAX_TEXT_ALPHABET} symbols); the last tenth is held out.`
    : `A UTF-8 CSV up to 5 MB with a header row: numeric feature columns (at most ${MAX_CSV_FEATURES.toLocaleString('en-US')}) and a label column (the first of label, class, target or y, else the last), at least ${MIN_CSV_ROWS} rows, 2 to ${MAX_CSV_CLASSES} classes.`;
  return (
    <div className="own-data">
      <label className="file-button own-data-button" title={hint}>
        Use your own data…
        <input ref={input} type="file" accept={text ? '.txt,text/plain' : '.csv,text/csv'} aria-describedby={lineId} onChange={(ev) => void onFile(ev)} />
      </label>
      <p id={lineId} className="own-data-line">
        {summary ? ownDataLine(summary) : text ? 'A .txt file makes a next-character task.' : 'A .csv file of features and a label makes a classification task.'}
      </p>
    </div>
  );
}
