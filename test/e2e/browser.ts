// A real browser for end-to-end tests of the web page: Debian's chromium driven by playwright-core,
// headless and kept off the network (every host name fails to resolve except 127.0.0.1, and the
// background services that phone home are off), so a test can only reach the router and its hosts.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Why browser tests cannot run here, or undefined when they can. In CI a missing browser is a failure
 * (`.ci/run` installs it); on a developer's machine the tests are skipped with this message.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the web page tests`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      "--no-proxy-server",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-domain-reliability",
      "--disable-client-side-phishing-detection",
      "--no-first-run",
      "--no-default-browser-check",
      "--metrics-recording-only",
      // Tests run as root in containers, where chromium's sandbox cannot start.
      "--no-sandbox",
      "--disable-dev-shm-usage",
    ],
  });
}
