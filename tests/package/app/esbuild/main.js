// esbuild does not emit assets named by new URL(..., import.meta.url): the .wasm comes in
// as a file import of the package's ./wasm subpath (--loader:.wasm=file) and goes to locateFile;
// the expression module likewise from ./expr-wasm.
import wasmUrl from 'gradlab/wasm';
import exprWasmUrl from 'gradlab/expr-wasm';
import { runPage } from '../page.js';

runPage({ createOptions: { locateFile: (file) => new URL(file === 'gradlab_expr.wasm' ? exprWasmUrl : wasmUrl, import.meta.url) } });
