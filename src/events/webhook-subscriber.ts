import { fanOutEvents } from "../services/webhooks-fanout";
import { subscribe } from "./bus";

subscribe(async (events, env, hints) => {
  await fanOutEvents(env, events, hints.webhooks);
});
