// Node, ES module: import { createGradlab } from 'gradlab' (the package's node condition).
import { compute } from '../compute.js';

const { result } = await compute();
console.log(JSON.stringify(result));
