/** Importing this module registers every subscriber of the event bus (imported once by the Worker entry). */
import "../features/webhooks/subscriber";
