/** Importing a provider's fake registers its routes on the fake server (one line per provider). */
import "./lookup";
import "./webhooks";
import "./doh";
import "./websites";
import "./ofac";
import "./contacts";
import "./gleif";
import "./opensanctions";
import "./companies-house";
import "./hunter";
import "./pdl";
import "./slow";
import "./custom";
import "../fake-llm/chat-completions";
import "../fake-llm/anthropic";
import "../fake-llm/gemini";
import "../fake-llm/control";
