// Reads an iCalendar feed on stdin and prints its events as ical.js (Mozilla's parser, used by
// Thunderbird) understands them, as JSON: an independent check of what our feeds say.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    transp: vevent.getFirstPropertyValue("transp"),
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
  };
});
process.stdout.write(JSON.stringify(events));
