import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({ name: 'tcp-write' });
