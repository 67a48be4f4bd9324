// Types for 'gradlab/export' (web/lib/export.js).
import type { Model, ModelJSON, ModelJSONV1, TrainingRecord } from '../gradlab.js';

type Rows = ArrayLike<number> | number[][];

export interface PyTorchExportOptions {
  /** Training data to embed (rows or flat, as model.train takes it); then `python3 script.py` trains on it. */
  x?: Rows;
  y?: Rows;
  /** Steps the script trains when run without arguments (1000): an integer in [0, 2^31 − 1]. */
  steps?: number;
  /** Training settings that replace the model's own (train() option names). */
  training?: Partial<Omit<TrainingRecord, 'schedule'>> & { schedule?: string | Partial<TrainingRecord['schedule']> };
}

export interface ONNXExportOptions {
  /** 'f32' (default) or 'f64'. */
  dtype?: 'f32' | 'f64';
  /** The graph's name: 1 to 256 characters ('gradlab_mlp'). */
  name?: string;
}

/** The most parameters a model may have to be exported (2^23); larger ones throw a RangeError naming it. */
export declare const MAX_EXPORT_PARAMS: number;
/** The most values (x and y together) toPyTorch embeds (2^22); more throw a RangeError naming it. */
export declare const MAX_EMBEDDED_VALUES: number;

/** A standalone PyTorch script: nn.Module, exact weights, the training settings and a loop that continues. */
export declare function toPyTorch(model: Model | ModelJSON | ModelJSONV1 | string, options?: PyTorchExportOptions): string;
/** An ONNX model (opset 13): input "x" [N, in], output "y" [N, out] (logits, as predict()). */
export declare function toONNX(model: Model | ModelJSON | ModelJSONV1 | string, options?: ONNXExportOptions): Uint8Array;
