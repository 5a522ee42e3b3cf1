// The survey host screen: poll the live count ("answered / joined", and the group answered
// for) every two seconds
// while the survey is open. No framework, no inline
// script (CSP); without JavaScript the page's «Oppdater siden» link does the same.
(function () {
  "use strict";
  var box = document.getElementById("live-count");
  if (!box) { return; }
  var url = box.getAttribute("data-count-url");
  var answered = document.getElementById("answered");
  var joined = document.getElementById("joined");
  var group = document.getElementById("answered-group");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (count) {
        if (!count) { return; }
        answered.textContent = String(count.answered);
        joined.textContent = String(count.joined);
        if (group && count.group_title) { group.textContent = "«" + count.group_title + "»"; }
        if (!count.is_open) { return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
