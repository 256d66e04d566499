import { fanOutEvents } from "./fanout";
import type { Subscriber } from "../../platform/events";

/** Every published event becomes a delivery to each of the organization's webhooks that subscribed to it. */
export const fanOutSubscriber: Subscriber = async (events, env, hints) => {
  await fanOutEvents(env, events, hints.webhooks);
};
