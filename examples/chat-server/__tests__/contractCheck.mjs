// Preloaded (node --import) into every server startServer.ts spawns: holds each dispatch and REST answer to Discord's
// shapes and appends violations to the file contractSetup.ts names in CONCORD_CONTRACT_CHECK.
import { installContractCheck } from '@concord/gateway-server/contract';

if (process.env.CONCORD_CONTRACT_CHECK) installContractCheck({ file: process.env.CONCORD_CONTRACT_CHECK });
