import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM } from '../../../chat-server/__tests__/browserHelpers.js';

/** Whether the browser test can run here (under CI=true a missing Chromium is an error, not a skip). */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    if (process.env.CI === 'true')
      throw new Error(`${CHROMIUM} is missing (install it: bash .ci/services/chromium.sh start)`);
    console.warn(`[game-web-client] skipping the browser test: ${CHROMIUM} is missing (bash .ci/services/chromium.sh)`);
  }
  return available;
}

/**
 * Chromium as the chat page's voice tests launch it (fake microphone playing `wav`, media granted, loopback ICE,
 * autoplay), but with WebGL: no `--disable-gpu`, and ANGLE on SwiftShader, the CPU renderer headless machines have.
 */
export async function launchGameBrowser(wav: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
    ],
  });
}
