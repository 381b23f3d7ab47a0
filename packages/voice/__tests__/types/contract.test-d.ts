// The gateway ↔ voice contract is structural: voice never imports the gateway. These checks keep the two sides in
// step: a voice server and the node allocator are each a gateway-server `VoiceAllocator` as they are, and the
// contract and the port describe the same thing.
import type { VoiceAllocator } from '@concord/gateway-server';
import { expectTypeOf } from 'vitest';
import type { VoiceNodeAllocator } from '../../src/cluster/index.js';
import type { VoiceGatewayContract } from '../../src/server/VoiceGatewayContract.js';
import type { VoiceServer } from '../../src/server/VoiceServer.js';

expectTypeOf<VoiceServer>().toMatchTypeOf<VoiceGatewayContract>();
expectTypeOf<VoiceNodeAllocator>().toMatchTypeOf<VoiceGatewayContract>();
expectTypeOf<VoiceServer>().toMatchTypeOf<VoiceAllocator>();
expectTypeOf<VoiceNodeAllocator>().toMatchTypeOf<VoiceAllocator>();
expectTypeOf<VoiceGatewayContract>().toMatchTypeOf<VoiceAllocator>();
expectTypeOf<VoiceAllocator>().toMatchTypeOf<VoiceGatewayContract>();
