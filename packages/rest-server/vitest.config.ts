import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({ name: 'rest-server', setupFiles: ['__tests__/helpers/contractSetup.ts'] });
