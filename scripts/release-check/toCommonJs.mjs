// An ES module example as a CommonJS script, the way a CommonJS user would write it: static imports become
// require() calls (the names bound the same way), and the rest runs inside an async function, so top-level await keeps
// working. Only the forms READMEs use: `import x from`, `import * as x from`, `import { a, b as c } from`, their
// combination, and bare `import 'x'` (no `import type`: TypeScript blocks are transpiled before they get here).

const IMPORT =
  /^import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)|\{([^}]*)\})?\s*(?:from\s*)?(['"][^'"]+['"])\s*;?[ \t]*(\/\/.*)?$/gm;

function destructure(named) {
  return named
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.replace(/^type\s+/, '').replace(/\s+as\s+/, ': '))
    .join(', ');
}

/** @param {string} source an ES module @returns {string} the same program as a CommonJS script */
export function toCommonJs(source) {
  const requires = [];
  let n = 0;
  const body = source.replace(IMPORT, (_all, defaultName, namespace, named, specifier, comment = '') => {
    if (!defaultName && !namespace && named === undefined) {
      requires.push(`require(${specifier});`);
      return '';
    }
    const module = `__rc_module${n++}`;
    requires.push(`const ${module} = require(${specifier});`);
    // A default import of a CommonJS module is the module itself unless it says it was compiled from ESM.
    if (defaultName)
      requires.push(`const ${defaultName} = ${module} && ${module}.__esModule ? ${module}.default : ${module};`);
    if (namespace) requires.push(`const ${namespace} = ${module};`);
    if (named !== undefined && destructure(named)) requires.push(`const { ${destructure(named)} } = ${module};`);
    return comment;
  });
  // `export {};` is what TypeScript leaves in a module whose imports were all types.
  const rest = body.replace(/^export\s*\{\s*\};?[ \t]*$/gm, '');
  if (/^\s*(import|export)\s/m.test(rest)) throw new Error('toCommonJs: an import/export form it does not convert');
  return [
    "'use strict';",
    ...requires,
    '(async () => {',
    rest.trimEnd(),
    '})().catch((error) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}
