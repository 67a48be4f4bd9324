// Types for schedule.js: <gradlab-schedule> and the schedules.

export type ScheduleType = 'constant' | 'step' | 'warmupCosine';
export interface ScheduleSettings {
  /** Peak learning rate η. */
  lr: number;
  /** Steps plotted. */
  steps: number;
  warmup: number;
  total: number;
  lrMin: number;
  stepSize: number;
  gamma: number;
}

export declare const SCHEDULE_TYPES: ScheduleType[];
/** η at optimizer step t (1-based), as the engine computes it. */
export declare function scheduleLr(
  schedule: { type: ScheduleType; warmup?: number; total?: number; lrMin?: number; stepSize?: number; gamma?: number },
  lr: number,
  t: number,
): number;
/** Problems with the settings in words (empty when valid). */
export declare function scheduleProblems(settings: ScheduleSettings): string[];

export declare class GradlabSchedule extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Throws a RangeError naming every invalid value. */
  settings: ScheduleSettings;
  values(): { steps: number[] } & Record<ScheduleType, number[]>;
}

export interface GradlabScheduleEventMap {
  'gradlab-change': CustomEvent<{ settings: ScheduleSettings }>;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-schedule': GradlabSchedule;
  }
}
