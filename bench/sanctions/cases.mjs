/**
 * Screening cases built from the SDN list itself: sampled entries written the ways customers write
 * them (reordered, with diacritics, with a typo, with a title, by alias, without a middle name, with
 * and without supporting date of birth), plus realistic names that are not on the list.
 */
import { naturalOrder, tokenizeName } from "../../src/features/screening/matching/normalize-name.ts";

/** Small deterministic PRNG (mulberry32), so a seed reproduces a run's cases. */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCENTS = { a: "á", e: "é", i: "í", o: "ö", u: "ü", c: "ç", n: "ñ", s: "š", z: "ž" };
const TITLES = ["Dr.", "Mr.", "Mrs.", "Sheikh", "Prof.", "General"];

const FIRST = (
  "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph Jessica " +
  "Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Margaret Donald Sandra Steven Ashley Paul " +
  "Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald " +
  "Stephanie Jose Maria Juan Carmen Luis Ana Carlos Laura Pedro Sofia Ahmed Fatima Omar Aisha Yusuf Layla Ivan Olga " +
  "Dmitri Natalia Sergei Elena Wei Li Hiroshi Yuki Raj Priya Lars Ingrid Pierre Claire Hans Greta Giovanni Giulia Kwame " +
  "Amara Chen Mei Arjun Ananya Mateo Valentina Liam Emma Noah Olivia"
).split(" ");
const LAST = (
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson " +
  "Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young " +
  "Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter " +
  "Roberts Muller Schmidt Schneider Fischer Weber Dubois Lefevre Rossi Russo Ferrari Kowalski Nowak Ivanova Petrova " +
  "Sokolov Popescu Jensen Hansen Larsen Andersson Johansson Tanaka Suzuki Takahashi Kim Park Choi Wang Zhang Liu Patel " +
  "Sharma Singh Gupta Okafor Mensah Haddad Khoury Yilmaz Kaya Demir Silva Santos Oliveira Costa Murphy O'Brien Kelly " +
  "Walsh Byrne"
).split(" ");
const ORG_WORDS = (
  "Northwind Bluebird Evergreen Summit Pioneer Harbor Crescent Silverline Oakwood Brightstar Redwood Clearwater " +
  "Granite Maple Horizon Keystone Riverside Lakeshore Sunrise Ironbridge"
).split(" ");
const ORG_KINDS = (
  "Logistics|Bakery|Consulting|Software|Dental Clinic|Architects|Foods|Textiles|Media|Analytics|Furniture|Printing|" +
  "Solar|Brewing|Veterinary|Robotics|Optics|Pharmacy|Travel|Florists"
).split("|");
const ORG_FORMS = ["Ltd", "LLC", "GmbH", "Inc.", "S.A.", "B.V.", "Pty Ltd", "AB", "Oy", "SAS"];

const partyOf = (type) => (type === "individual" ? "person" : "organization");
const entityTypeOf = (type) => (type === "individual" ? "person" : "company");

function typo(token, random) {
  const i = 1 + Math.floor(random() * (token.length - 1));
  const letter = "abcdefghijklmnopqrstuvwxyz"[Math.floor(random() * 26)];
  switch (Math.floor(random() * 4)) {
    case 0:
      return token.slice(0, i) + letter + token.slice(i + 1);
    case 1:
      return token.slice(0, i) + token.slice(i + 1);
    case 2:
      return token.slice(0, i) + letter + token.slice(i);
    default: {
      const j = Math.min(i, token.length - 2);
      return token.slice(0, j) + token[j + 1] + token[j] + token.slice(j + 2);
    }
  }
}

/** A listed date of birth precise to the day, as an entity attribute (YYYY-MM-DD), if there is one. */
const dayOfBirth = (entry) => entry.datesOfBirth.find((d) => !d.circa && d.from === d.to && d.from.length === 10)?.from;

export function buildCases(entries, { sample = 500, negatives = 500, seed = 1 } = {}) {
  const random = seededRandom(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const pool = entries.filter((e) => e.type !== "aircraft");
  const chosen = [];
  for (let k = 0; k < sample && pool.length > 0; k++) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);

  const cases = [];
  const add = (kind, entry, name, extra = {}) =>
    cases.push({ kind, expected: entry.sdnId, entityType: entityTypeOf(entry.type), attributes: { ...nameAttribute(entry.type, name), ...extra } });
  for (const entry of chosen) {
    const natural = entry.type === "individual" ? naturalOrder(entry.name) : entry.name;
    const words = natural.split(/\s+/).filter(Boolean);
    add("exact", entry, entry.name);
    add("reordered", entry, words.length > 1 ? [...words.slice(1), words[0]].join(" ") : natural);
    add("diacritics", entry, natural.toLowerCase().replace(/[aeioucnsz]/g, (c) => (random() < 0.5 ? ACCENTS[c] : c)));
    const long = words.map((w, i) => [w, i]).filter(([w]) => w.replace(/[^A-Za-z]/g, "").length >= 4);
    if (long.length > 0) {
      const [word, i] = pick(long);
      const typed = [...words];
      typed[i] = typo(word.toLowerCase(), random);
      add("typo", entry, typed.join(" "));
    }
    if (entry.type === "individual") add("title", entry, `${pick(TITLES)} ${natural}`);
    if (entry.aliases.length > 0) add("alias", entry, pick(entry.aliases).name);
    if (entry.type === "individual" && words.length >= 3) {
      const shorter = [...words];
      shorter.splice(1, 1);
      add("middle-dropped", entry, shorter.join(" "));
      const dob = dayOfBirth(entry);
      if (dob) add("middle-dropped+dob", entry, shorter.join(" "), { dateOfBirth: dob });
    }
  }

  // Negatives: common names, skipping any that is written exactly like a listed name.
  const listed = new Set(
    entries.flatMap((e) => [e.name, ...e.aliases.map((a) => a.name)].map((n) => `${partyOf(e.type)}:${tokenizeName(n, partyOf(e.type)).searchable.join(" ")}`)),
  );
  let made = 0;
  let skippedAsListed = 0;
  while (made < negatives) {
    const person = random() < 0.7;
    const name = person
      ? `${pick(FIRST)} ${random() < 0.2 ? `${pick(FIRST)} ` : ""}${pick(LAST)}`
      : `${pick(ORG_WORDS)} ${pick(ORG_KINDS)} ${pick(ORG_FORMS)}`;
    const party = person ? "person" : "organization";
    if (listed.has(`${party}:${tokenizeName(name, party).searchable.join(" ")}`)) {
      skippedAsListed++;
      continue;
    }
    cases.push({ kind: "negative", expected: null, entityType: person ? "person" : "company", attributes: person ? { fullName: name } : { name } });
    made++;
  }
  return { cases, sampled: chosen.length, skippedAsListed };
}

function nameAttribute(type, name) {
  return type === "individual" ? { fullName: name.slice(0, 300) } : { name: name.slice(0, 300) };
}
