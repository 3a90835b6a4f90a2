// Canary secret values for tests: every test that looks at responses or logs checks that none of
// these strings ever appears there. The names match those the test registries reference.
export const TEST_SECRETS = {
  ADMIN_TOKEN: "canary-admin-token-7f3a9c1e5b2d4f60",
  SAM_ACCESS_ID: "canary-access-id-0d6b2f8e.access",
  SAM_ACCESS_SECRET: "canary-access-secret-a91c3e5f7b2d4068",
  DEEPSEEK_API_KEY: "canary-deepseek-key-5e2a8c1f9b3d7e40",
  GARAGE_API_KEY: "canary-garage-key-3c7e1a9f5b2d8e64",
} as const;

export const CANARY_VALUES: readonly string[] = Object.values(TEST_SECRETS);
