export { type CompareOpsOptions, compareOps, measureOps } from './compareOps.js';
export { benchName, type Comparison, comparison, report } from './report.js';
