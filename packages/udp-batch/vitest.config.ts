import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({ name: 'udp-batch' });
