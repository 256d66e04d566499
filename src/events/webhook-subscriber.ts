import { fanOutEvents } from "../services/webhooks-fanout";
import { subscribe } from "./bus";

subscribe(async (events, env) => {
  await fanOutEvents(env, events);
});
