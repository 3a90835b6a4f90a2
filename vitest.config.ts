// Two test projects: `workers` runs inside workerd (the real Workers runtime, real KV and Durable
// Object storage); `e2e` runs in Node, starts the Worker with wrangler and drives it with real clients
// against test hosts on 127.0.0.1.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./test/secrets.ts";

export default defineConfig({
  test: {
    // The router's one-line-per-request JSON log would drown the test output; tests that care about
    // log lines capture them with a spy.
    onConsoleLog: (log) => !log.trimStart().startsWith('{"rid"'),
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { ...TEST_SECRETS } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          setupFiles: ["./test/setup/outbound-guard.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
