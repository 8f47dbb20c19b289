import { defineConfig } from '@playwright/test';

// ORES_PORT lets two checkouts (or two people on one machine) run the browser tests side by side.
const port = Number(process.env.ORES_PORT ?? 5173);

// Debian's Chromium with SwiftShader gives real WebGPU on the CPU (see README, "Testing").
export default defineConfig({
  testDir: 'tests/browser',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `ORES_TEST=1 npx vite --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
