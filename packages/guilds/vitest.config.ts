import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({ name: 'guilds', setupFiles: ['__tests__/contractSetup.ts'] });
