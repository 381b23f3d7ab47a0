// Internal: not published. Packages list it in devDependencies and tsup bundles it (`noExternal`), so it never
// becomes a runtime dependency; nothing from here may appear in a package's public types.
export { IDENTIFY_QUEUE, IDENTIFY_QUEUE_SCRIPT } from './identifyQueueScript.js';
export { type LuaScript, luaScript, runScript } from './runScript.js';
