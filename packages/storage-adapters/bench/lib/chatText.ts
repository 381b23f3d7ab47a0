/**
 * Plausible chat messages for compression and bench runs: mostly short lines, some paragraphs, a few pasted logs and code
 * blocks; repeated words, mentions, custom emoji, URLs and unicode emoji — not random bytes. Deterministic per seed.
 */
const WORDS = (
  'the a to and i you it is that of in for on this my be was with have just so but not are lol what like do me at ' +
  'can we if get your all no yeah ok okay know think good one im dont its about up out when time now how they would ' +
  'there will game play server bot discord channel message role admin mod update fixed bug issue build deploy version ' +
  'anyone tonight tomorrow later maybe really pretty much need want going gonna wait sure thanks thank np gg wp rip ' +
  'lmao idk tbh imo brb afk nice cool same true fair point link check works broken error restart crash lag ping voice'
).split(' ');
const EMOJI = ['😂', '👍', '🔥', '❤️', '🙏', '😭', '🎉', '👀', '💀', '✅', '😅', '🤔'];
const CUSTOM = ['<:pepega:859237194011213824>', '<a:catjam:774037040128737310>', '<:kekw:700456789012345678>'];
const URLS = [
  'https://github.com/concord/concord/issues/',
  'https://discord.com/channels/81384788765712384/381870553235193857/',
  'https://www.youtube.com/watch?v=',
  'https://docs.example.com/guide/getting-started#',
  'https://tenor.com/view/cat-jam-',
];
const LOG_LINES = [
  '[2024-01-01T12:00:00.000Z] INFO  gateway: session resumed (seq=1234, shard=0/4)',
  '[2024-01-01T12:00:00.120Z] WARN  voice: jitter buffer underrun on ssrc 48213, resyncing',
  '[2024-01-01T12:00:01.003Z] ERROR storage: connection terminated unexpectedly, retrying in 250 ms',
  '    at Pool.query (node_modules/pg-pool/index.js:45:11)',
  '    at async createMessage (src/routes/messages.ts:88:5)',
];
const CODE = [
  'const client = new Client({ intents: [Intents.Guilds, Intents.GuildMessages] });',
  "client.on('messageCreate', async (message) => {",
  "  if (message.content === '!ping') await message.reply('pong');",
  '});',
  'await client.login(process.env.TOKEN);',
];

export function createRng(seed = 42) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

export function chatMessages(count: number, seed = 42): string[] {
  const rnd = createRng(seed);
  const pick = <T>(items: T[]) => items[Math.floor(rnd() * items.length)]!;
  const sentence = (words: number) => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      const r = rnd();
      if (r < 0.04) out.push(pick(EMOJI));
      else if (r < 0.05) out.push(pick(CUSTOM));
      else if (r < 0.06) out.push(`<@${80351110224678912n + BigInt(Math.floor(rnd() * 1000))}>`);
      else if (r < 0.065) out.push(pick(URLS) + Math.floor(rnd() * 1e9).toString(36));
      else out.push(pick(WORDS));
    }
    const s = out.join(' ');
    return rnd() < 0.5 ? s.charAt(0).toUpperCase() + s.slice(1) + pick(['.', '!', '?', '', '...']) : s;
  };
  const messages: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    let text: string;
    if (r < 0.7) text = sentence(1 + Math.floor(rnd() * 14));
    else if (r < 0.92) {
      const n = 2 + Math.floor(rnd() * 5);
      text = Array.from({ length: n }, () => sentence(6 + Math.floor(rnd() * 16))).join(' ');
    } else if (r < 0.96) {
      const n = 5 + Math.floor(rnd() * 25);
      text = `getting this, any idea?\n\`\`\`\n${Array.from({ length: n }, () => pick(LOG_LINES)).join('\n')}\n\`\`\``;
    } else {
      const n = 3 + Math.floor(rnd() * 10);
      text = `try this:\n\`\`\`ts\n${Array.from({ length: n }, () => pick(CODE)).join('\n')}\n\`\`\``;
    }
    messages.push(text.slice(0, 2000));
  }
  return messages;
}

/** Stored bytes vs plain UTF-8 bytes of `messages` under a codec's encode. */
export function compressionRatio(
  messages: string[],
  encode: (s: string) => { text: string; bytes: Uint8Array | null },
): { plainBytes: number; storedBytes: number; ratio: number; compressedRows: number } {
  let plainBytes = 0;
  let storedBytes = 0;
  let compressedRows = 0;
  for (const m of messages) {
    plainBytes += Buffer.byteLength(m, 'utf8');
    const e = encode(m);
    if (e.bytes) {
      compressedRows++;
      storedBytes += e.bytes.length;
    } else storedBytes += Buffer.byteLength(e.text, 'utf8');
  }
  return { plainBytes, storedBytes, ratio: storedBytes / plainBytes, compressedRows };
}
