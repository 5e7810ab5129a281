/** Sequence tasks: streams of input symbols with the class each read tick must output. */

/** The built-in tasks (the battery and the transitions study run these only). */
export const TASK_IDS = ['recall', 'circuit', 'text'] as const;
export type BuiltinTaskId = (typeof TASK_IDS)[number];
/** Every sequence task: the built-in ones and a person's own text file (engine/datasets/own-data.ts). */
export const SEQUENCE_TASK_IDS = [...TASK_IDS, 'own-text'] as const;
export type TaskId = (typeof SEQUENCE_TASK_IDS)[number];

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
