/** Sequence tasks: streams of input symbols with the class each read tick must output. */

export const TASK_IDS = ['recall', 'circuit', 'text'] as const;
export type TaskId = (typeof TASK_IDS)[number];

/** A chunk of a task stream for every lane, time-major. */
export interface TaskBatch {
  readonly lanes: number;
  readonly length: number;
  /** Input symbol per [t, lane], in [0, inputSize). */
  readonly inputs: Int32Array;
  /** Target class per [t, lane], or -1 where nothing is scored. */
  readonly targets: Int32Array;
}

/** An endless, seeded stream; each lane continues where its last chunk ended. */
export interface TaskStream {
  readonly inputSize: number;
  readonly outputSize: number;
  next(length: number): TaskBatch;
}

export interface TaskInfo {
  readonly id: TaskId;
  readonly label: string;
  readonly description: string;
  /** Accuracy a predictor that ignores the input history gets (chance level). */
  readonly chance: number;
}
