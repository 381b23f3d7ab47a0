export { compareOps, measureOps, type CompareOpsOptions } from './compareOps.js';
export { type Comparison, comparison, report } from './report.js';
