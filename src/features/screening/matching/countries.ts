import { foldName } from "./normalize-name.ts";

/** ISO 3166-1 alpha-2, plus XK (Kosovo, as the list and most registries use it). */
const ISO_CODES =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC " +
  "CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE " +
  "GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM " +
  "KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
  "NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH " +
  "SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG " +
  "VI VN VU WF WS YE YT ZA ZM ZW XK";

/** How OFAC (and people) write countries that the CLDR English names do not cover. */
const EXTRA_NAMES: Record<string, string> = {
  "korea north": "KP",
  "democratic peoples republic of korea": "KP",
  "korea south": "KR",
  "republic of korea": "KR",
  burma: "MM",
  "congo democratic republic of the": "CD",
  "democratic republic of the congo": "CD",
  drc: "CD",
  "congo republic of the": "CG",
  "republic of the congo": "CG",
  palestinian: "PS",
  palestine: "PS",
  "west bank": "PS",
  gaza: "PS",
  "gaza strip": "PS",
  "region gaza": "PS",
  "russian federation": "RU",
  turkey: "TR",
  "bosnia herzegovina": "BA",
  "serbia and montenegro": "RS",
  yugoslavia: "RS",
  macedonia: "MK",
  "north macedonia the republic of": "MK",
  "man isle of": "IM",
  "virgin islands british": "VG",
  "british virgin islands": "VG",
  "the gambia": "GM",
  "cape verde": "CV",
  "cabo verde": "CV",
  "saint kitts and nevis": "KN",
  "czech republic": "CZ",
  uk: "GB",
  england: "GB",
  scotland: "GB",
  wales: "GB",
  "great britain": "GB",
  usa: "US",
  "united states of america": "US",
  "the philippines": "PH",
  "st kitts and nevis": "KN",
  "comoros islands": "KM",
  "the bahamas": "BS",
  "ivory coast": "CI",
  "cote divoire": "CI",
  "east timor": "TL",
  swaziland: "SZ",
  "holy see": "VA",
  vatican: "VA",
  "the netherlands": "NL",
  holland: "NL",
  uae: "AE",
  laos: "LA",
  vietnam: "VN",
  "viet nam": "VN",
  iran: "IR",
  syria: "SY",
  "hong kong": "HK",
  macau: "MO",
  macao: "MO",
};

let byName: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (byName) return byName;
  const map = new Map<string, string>();
  const display = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  for (const code of ISO_CODES.split(" ")) {
    const name = display.of(code);
    if (!name) continue;
    // "Myanmar (Burma)", "Congo - Kinshasa", "Hong Kong SAR China": index the whole and its parts.
    const variants = [name, name.replace(/\s*\(.*\)\s*/g, " "), ...[...name.matchAll(/\(([^)]*)\)/g)].map((m) => m[1] ?? "")];
    for (const variant of variants) {
      const key = foldName(variant);
      if (key && !map.has(key)) map.set(key, code);
    }
  }
  for (const [name, code] of Object.entries(EXTRA_NAMES)) map.set(name, code);
  byName = map;
  return map;
}

/** ISO code of a country written out ("Korea, North", "Russia", "Burma"), or null. */
export function countryCode(name: string): string | null {
  const key = foldName(name);
  return key ? (table().get(key) ?? null) : null;
}

/**
 * The country at the end of a place ("Culiacan, Sinaloa, Mexico", "Pyongyang, Korea, North"),
 * trying the longest trailing word run first so "Papua New Guinea" is not read as "Guinea".
 */
export function countryOfPlace(place: string): string | null {
  const words = foldName(place.replace(/\([^)]*\)/g, " ")).split(" ").filter(Boolean);
  for (let take = Math.min(6, words.length); take >= 1; take--) {
    const code = table().get(words.slice(words.length - take).join(" "));
    if (code) return code;
  }
  return null;
}
