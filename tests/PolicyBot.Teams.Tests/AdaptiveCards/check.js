// Parses Adaptive Cards with Microsoft's `adaptivecards` library, as a host renderer does.
// Input: a JSON file holding an array of cards. Output (stdout): one JSON array, per card
//   { version, events: [...], lowerVersionEvents: n|null }
// where `events` are the parse and validation events at the card's own version (must be empty) and
// `lowerVersionEvents` counts the events when the same card is parsed as the next lower version
// (> 0 means the declared version is the lowest that has every element used; null for 1.0).
"use strict";
const fs = require("fs");
const AC = require("adaptivecards/dist/adaptivecards.js");

const versions = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"];

function parse(json, version) {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Version.parse(version, context);
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    events.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    events.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  return events;
}

const cards = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const results = cards.map((json) => {
  const version = String(json.version);
  const index = versions.indexOf(version);
  const events = index < 0 ? [`UnknownVersion: ${version}`] : parse(json, version);
  const lowerVersionEvents = index > 0 ? parse({ ...json, version: versions[index - 1] }, versions[index - 1]).length : null;
  return { version, events, lowerVersionEvents };
});
process.stdout.write(JSON.stringify(results));
