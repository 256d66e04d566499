import { fanOutEvents } from "./fanout";
import { subscribe } from "../../platform/events";

subscribe(async (events, env, hints) => {
  await fanOutEvents(env, events, hints.webhooks);
});
