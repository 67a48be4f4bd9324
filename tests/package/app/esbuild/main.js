// esbuild does not emit assets named by new URL(..., import.meta.url): the .wasm comes in
// as a file import of the package's ./wasm subpath (--loader:.wasm=file) and goes to locateFile.
import wasmUrl from 'gradlab/wasm';
import { runPage } from '../page.js';

runPage({ createOptions: { locateFile: () => new URL(wasmUrl, import.meta.url) } });
