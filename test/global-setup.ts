import type { TestProject } from "vitest/node";
import { startFakeProvider } from "./fake-provider/server";

/** One fake provider on 127.0.0.1 for the whole run; its port reaches the Worker as FAKE_PROVIDER_URL. */
export default async function setup(project: TestProject) {
  const server = await startFakeProvider();
  project.provide("fakeProviderPort", server.port);
  return () => server.close();
}
