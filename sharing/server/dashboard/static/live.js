// Progressive enhancement only: every page works without this script.
// Every few seconds ask the server for the latest block; when one was mined since the page
// was rendered, say so (politely, for screen readers too) and offer a reload link.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var mark = live && live.querySelector("[data-block]");
  if (!mark || !window.fetch) return;
  var shown = Number(mark.getAttribute("data-block"));
  var told = false;
  function check() {
    fetch("/live.json", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (latest) {
        if (told || latest.block === shown) return;
        told = true;
        var note = document.createElement("span");
        note.textContent = " · New block " + latest.block + " mined: ";
        var link = document.createElement("a");
        link.href = window.location.href;
        link.textContent = "reload to see it";
        note.appendChild(link);
        live.appendChild(note);
      }).catch(function () { /* the server is away: try again later */ });
  }
  window.setInterval(check, 5000);
})();
