export { type CompareOpsOptions, compareOps, measureOps } from './compareOps.js';
export { type Comparison, comparison, report } from './report.js';
