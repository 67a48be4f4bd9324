// The training widgets' demo page: registers the elements (each module defines its own).
import '../../widgets/playground.js';
import '../../widgets/curve.js';
