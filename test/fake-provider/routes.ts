/** Importing a provider's fake registers its routes on the fake server (one line per provider). */
import "./webhooks";
import "./doh";
import "./websites";
