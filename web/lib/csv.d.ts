// Types for 'gradlab/csv' (web/lib/csv.js).
export type ColumnRef = number | string;

export interface DatasetRecord<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** Inputs, n rows of inputDim values. */
  x: A;
  /** Targets, n rows of outputDim values (class labels when outputDim is 1). */
  y: A;
  n: number;
  inputDim: number;
  outputDim: number;
}

export interface CSVDataset<A extends Float32Array | Float64Array = Float32Array | Float64Array> extends DatasetRecord<A> {
  inputColumns: string[];
  targetColumns: string[];
}

export interface CSVOptions {
  /** 'last' (default), 'none', a column index (negative from the end) or name, or a list of them. */
  target?: 'last' | 'none' | ColumnRef | ColumnRef[];
  /** 'auto' (default: a header when a cell of the first row is not a number), true or false. */
  header?: 'auto' | boolean;
  /** ',' (default; tab and ';' are detected). */
  delimiter?: string;
  dtype?: 'f32' | 'f64';
}

export declare function parseCSV(text: string, options?: CSVOptions & { dtype?: 'f32' }): CSVDataset<Float32Array>;
export declare function parseCSV(text: string, options: CSVOptions & { dtype: 'f64' }): CSVDataset<Float64Array>;
export declare function toDataset(
  input: string | number[][] | { x: ArrayLike<number> | number[][]; y?: ArrayLike<number> | number[][]; inputDim?: number; outputDim?: number },
  options?: CSVOptions,
): DatasetRecord;
