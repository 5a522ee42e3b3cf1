// Small progressive enhancements; every page works without them.
"use strict";

// After a failed submission: bring the error summary into view and move focus to it, so
// screen-reader and keyboard users start from the list of what to correct.
(() => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
})();

// Session expiry: a warning a few minutes before the idle limit, with a button that keeps the
// session alive (it posts the same form it is in; without JavaScript the banner stays hidden).
(() => {
  const banner = document.getElementById("session-warning");
  if (!banner) return;
  const text = document.getElementById("session-warning-text");
  const form = banner.querySelector("form");
  const idleMs = Number(banner.dataset.idleSeconds) * 1000;
  const warnMs = Math.max(idleMs - 2 * 60 * 1000, idleMs / 2);
  let timers = [];

  const minutes = (ms) => {
    const m = Math.max(1, Math.ceil(ms / 60000));
    return m === 1 ? "1 minutt" : `${m} minutter`;
  };
  const start = () => {
    timers.forEach(clearTimeout);
    banner.hidden = true;
    const since = Date.now();
    timers = [
      setTimeout(() => {
        text.textContent = `Du blir logget ut om ${minutes(idleMs - (Date.now() - since))} fordi du ikke har vært aktiv. Det du har skrevet, er ikke sendt.`;
        banner.hidden = false;
      }, warnMs),
      setTimeout(() => {
        text.textContent = "Økten din er utløpt. Sender du et skjema nå, tas det vare på til du har logget inn igjen.";
        form.hidden = true;
      }, idleMs),
    ];
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      redirect: "manual",
      credentials: "same-origin",
    });
    if (response.type === "opaqueredirect" || response.ok) {
      start();
    }
  });
  start();
})();
