/**
 * End-to-end tests in real Chromium against the production build (vite preview).
 * Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own
 * (`npx playwright install chromium` where downloads are allowed).
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
// E2E_PORT and E2E_DIST let two checkouts (or two people on one machine) test side by side.
const port = Number(process.env.E2E_PORT ?? 4173);
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  timeout: 240_000,
  expect: { timeout: 90_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        // A real WebGPU adapter (SwiftShader, software) and WebGL2 in headless Chromium.
        '--enable-unsafe-webgpu',
        '--enable-unsafe-swiftshader',
        '--no-sandbox',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort --outDir ${dist}`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
