// The bots talk to the server as `npm start` runs it (node dist/main.js), so dist must match src first.
// INTEROP_PREBUILT=1 keeps the dist already there (iterating on a bot program while the server's sources are mid-edit).
export default async function setup(): Promise<void> {
  if (process.env.INTEROP_PREBUILT === '1') return;
  // @ts-expect-error: a plain .mjs build script without types.
  const { buildServer } = await import('../../examples/chat-server/build.mjs');
  await buildServer();
}
