// esbuild does not emit assets named by new URL(..., import.meta.url): the .wasm comes in
// as a file import of the package's ./wasm subpath (--loader:.wasm=file) and goes to locateFile;
// the training and expression modules likewise from ./train-wasm and ./expr-wasm. The page
// loads only the modules it uses (no experiments module).
import wasmUrl from 'gradlab/wasm';
import trainWasmUrl from 'gradlab/train-wasm';
import exprWasmUrl from 'gradlab/expr-wasm';
import { runPage } from '../page.js';

const urls = { 'gradlab_wasm.wasm': wasmUrl, 'gradlab_train.wasm': trainWasmUrl, 'gradlab_expr.wasm': exprWasmUrl };
runPage({ createOptions: { modules: ['graph', 'training'], locateFile: (file) => new URL(urls[file], import.meta.url) } });
