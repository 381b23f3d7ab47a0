// The tests run the server as `npm start` does (node dist/main.js), so dist must match src first.
export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain .mjs build script without types.
  const { buildServer } = await import('../build.mjs');
  await buildServer();
}
